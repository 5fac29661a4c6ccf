"""The solution pages: results the solution commands wrote under ``HOME/results/<solution>/``.

Each solution command prints one JSON object with ``--json``; saved as
``HOME/results/<solution>/<command>.json`` it is shown here: numbers as key figures, lists of
records as tables (and as a line chart when they hold a date and a value). A missing file gets
the exact command that writes it.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from jogak.dashboard._sources import config, result_file

__all__ = ["SOLUTIONS", "render_solution"]

#: solution -> (page title, [(result stem, command writing it; {out} is the file)])
SOLUTIONS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "hits": ("Content investment · 콘텐츠 투자",
             [("board", "jogak hits board MODEL CANDIDATES.csv --json > {out}"),
              ("offerings", "jogak sto ... --json > {out}  (token offerings from the ledger)")]),
    "markets": ("Markets · 시장",
                [("forecast", "jogak markets forecast PRICES.csv --json > {out}"),
                 ("backtest", "jogak markets backtest PRICES.csv --json > {out}"),
                 ("risk", "jogak markets risk PRICES.csv --json > {out}")]),
    "commerce": ("Customers · 고객",
                 [("rfm", "jogak commerce rfm ORDERS.csv --json > {out}"),
                  ("clv", "jogak commerce clv ORDERS.csv --json > {out}"),
                  ("validate", "jogak commerce validate TABLE.csv --json > {out}"),
                  ("privacy", "jogak privacy scan TABLE.csv --json > {out}")]),
    "credit": ("Credit · 신용",
               [("grades", "python -c 'from jogak.solutions.credit import fit_credit_model' "
                           "… then save the grade table as JSON to {out}"),
                ("policies", "jogak.solutions.credit.simulate_policies(…) saved as JSON "
                             "to {out}")]),
    "recommend": ("Recommendations · 추천",
                  [("for_user", "jogak recommend for-user MODEL USER --json > {out}"),
                   ("similar", "jogak recommend similar MODEL TITLE --json > {out}"),
                   ("search", "jogak recommend search MODEL 'QUERY' --json > {out}")]),
}


def _show(payload: Any, stem: str) -> None:
    if not isinstance(payload, dict):
        payload = {"results": payload}
    numbers = {k: v for k, v in payload.items()
               if isinstance(v, int | float) and not isinstance(v, bool)}
    if numbers:
        for column, (label, value) in zip(st.columns(min(len(numbers), 4)) * 99,
                                          list(numbers.items())[:12], strict=False):
            column.metric(label, f"{value:,.4g}")
    for key, value in payload.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            frame = pd.DataFrame(value)
            st.caption(f"{stem}: {key} ({len(frame):,} rows)")
            st.dataframe(frame, hide_index=True, key=f"{stem}_{key}")
            numeric = frame.select_dtypes("number").columns.tolist()
            if "date" in frame.columns and numeric:
                st.line_chart(frame.set_index("date")[numeric[:3]])
        elif isinstance(value, dict) and all(isinstance(v, int | float) for v in value.values()):
            st.dataframe(pd.DataFrame({"name": list(value), "value": list(value.values())}),
                         hide_index=True, key=f"{stem}_{key}")


def render_solution(solution: str) -> None:
    """Draw one solution page from its result files."""
    title, results = SOLUTIONS[solution]
    st.title(title)
    cfg = config()
    for stem, command in results:
        path = result_file(cfg, solution, f"{stem}.json")
        st.subheader(stem.replace("_", " "))
        if not path.exists():
            st.info(f"No `{stem}` results yet. Run:\n\n```\nmkdir -p {path.parent} && "
                    f"{command.format(out=path)}\n```")
            continue
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            st.error(f"{path} is not JSON ({exc}); write it again with the command's --json.")
            continue
        _show(payload, stem)
