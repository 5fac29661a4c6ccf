"""Content investment (S1): the investment board and the token offerings of the ledger.

The board is ``jogak hits board … --json`` saved as ``HOME/results/hits/board.json``; the
offerings, orders, holdings and distributions are read from the ledger ``HOME/sto.sqlite``
(what ``jogak sto`` writes), never changed here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from jogak.dashboard._charts import metric_row, styled
from jogak.dashboard._results import result_payload, run_hint
from jogak.dashboard._sources import config

__all__ = ["BOARD_COMMAND", "LEDGER_COMMAND", "render_content"]

BOARD_COMMAND = ("jogak hits train films FILMS.csv --out {home}/models/hits-films && "
                 "jogak hits board {home}/models/hits-films CANDIDATES.csv --json > {out}")
LEDGER_COMMAND = ("JOGAK_HOME={home} jogak sto create film-2024-001 --content TITLE "
                  "--units 1000 --price 10000 --opens 2024-05-01T09:00+09:00 "
                  "--closes 2024-05-08T09:00+09:00")
_GRADE_COLOURS = {"A": "#1a9850", "B": "#91cf60", "C": "#fee08b", "D": "#fc8d59", "E": "#d73027"}


@st.cache_data(show_spinner="Reading the ledger …", ttl=30)
def _ledger(path: str) -> dict[str, Any]:
    """Offerings with their orders, holdings and distributions, as plain records."""
    from jogak.solutions.sto import Ledger

    with Ledger(f"sqlite:///{path}") as ledger:
        offerings = ledger.offerings()
        return {"offerings": [o.to_dict() for o in offerings],
                "orders": {o.offering_id: [r.to_dict() for r in ledger.orders(o.offering_id)]
                           for o in offerings},
                "holdings": [h.to_dict() for h in ledger.holdings()],
                "distributions": {o.offering_id: [d.to_dict() for d in
                                                  ledger.distributions(o.offering_id)]
                                  for o in offerings}}


def _board(board: pd.DataFrame, kind: str) -> None:
    import plotly.graph_objects as go

    grades = board["risk_grade"].value_counts()
    metric_row({"titles": f"{len(board):,}",
                "grade A (profit at the lower bound)": f"{int(grades.get('A', 0)):,}",
                "expected loss (grade E)": f"{int(grades.get('E', 0)):,}",
                "best expected return": f"{board['expected_return'].max():.1%}"})
    n_shown = st.slider("Titles shown", 5, max(5, min(len(board), 60)), min(20, len(board)),
                        key="content_n") if len(board) > 5 else len(board)
    top = board.head(n_shown)
    unit = "audience" if kind == "films" else "months on chart"
    fig = go.Figure()
    for grade, rows in top.groupby("risk_grade", sort=True):
        fig.add_trace(go.Bar(
            x=rows["title"], y=rows["predicted"], name=f"grade {grade}",
            marker_color=_GRADE_COLOURS.get(str(grade)),
            error_y={"type": "data", "symmetric": False,
                     "array": (rows["upper"] - rows["predicted"]).to_numpy(),
                     "arrayminus": (rows["predicted"] - rows["lower"]).to_numpy()}))
    fig.update_layout(xaxis={"categoryorder": "array", "categoryarray": top["title"].tolist()},
                      yaxis_title=f"predicted {unit}")
    st.plotly_chart(styled(fig, f"Predicted {unit} with its interval, by risk grade"),
                    key="content_predicted")
    fig = go.Figure(go.Scatter(
        x=top["title"], y=top["expected_return"], mode="markers", name="expected return",
        marker={"size": 10, "color": [_GRADE_COLOURS.get(str(g)) for g in top["risk_grade"]]},
        error_y={"type": "data", "symmetric": False,
                 "array": (top["return_high"] - top["expected_return"]).to_numpy(),
                 "arrayminus": (top["expected_return"] - top["return_low"]).to_numpy()}))
    fig.add_hline(y=0.0, line_dash="dash")
    fig.update_layout(yaxis_title="return to token holders", yaxis_tickformat=".0%")
    st.plotly_chart(styled(fig, "Expected return (interval: return at its bounds)"),
                    key="content_return")
    st.dataframe(board, hide_index=True, key="content_board")


def _offerings(ledger: dict[str, Any]) -> None:
    import plotly.graph_objects as go

    offerings = pd.DataFrame(ledger["offerings"])
    metric_row({"offerings": f"{len(offerings):,}",
                "open": f"{int((offerings['status'] == 'open').sum()):,}",
                "allocated": f"{int((offerings['status'] == 'allocated').sum()):,}",
                "investors holding": f"{len({h['investor'] for h in ledger['holdings']}):,}"})
    shown = offerings[["offering_id", "content_id", "status", "rule", "unit_price", "currency",
                       "total_units", "units_requested", "units_issued", "opens_at",
                       "closes_at"]]
    st.dataframe(shown, hide_index=True, key="content_offerings")
    fig = go.Figure([go.Bar(x=offerings["offering_id"], y=offerings["total_units"],
                            name="offered"),
                     go.Bar(x=offerings["offering_id"], y=offerings["units_requested"],
                            name="subscribed"),
                     go.Bar(x=offerings["offering_id"], y=offerings["units_issued"],
                            name="allocated")])
    fig.update_layout(barmode="group", yaxis_title="units")
    st.plotly_chart(styled(fig, "Units offered, subscribed and allocated"),
                    key="content_units")
    chosen = st.selectbox("Offering", offerings["offering_id"].tolist(), key="content_offering")
    orders = pd.DataFrame(ledger["orders"].get(chosen, []))
    st.markdown(f"**Subscriptions and allocations of `{chosen}`** "
                "(investors are pseudonymous tokens)")
    if orders.empty:
        st.caption("No subscriptions yet.")
    else:
        st.dataframe(orders[["order_id", "investor", "units_requested", "units_allocated",
                             "status", "placed_at"]], hide_index=True, key="content_orders")
    paid = ledger["distributions"].get(chosen, [])
    st.markdown(f"**Distributions of `{chosen}`**")
    if not paid:
        st.caption("No distributions yet (`jogak sto distribute OFFERING --amount AMOUNT`).")
        return
    st.dataframe(pd.DataFrame([{k: d[k] for k in ("distribution_id", "at", "amount", "currency",
                                                   "units_outstanding")} | {
        "holders": len(d["payouts"])} for d in paid]), hide_index=True,
        key="content_distributions")
    payouts = pd.DataFrame([{"distribution_id": d["distribution_id"], **p}
                            for d in paid for p in d["payouts"]])
    st.dataframe(payouts, hide_index=True, key="content_payouts")


def render_content() -> None:
    """The investment board and the token offerings."""
    st.title("Content investment · 콘텐츠 투자")
    cfg = config()
    st.subheader("Investment board · 투자 보드")
    payload = result_payload(cfg, "hits", "board",
                             BOARD_COMMAND.format(home=cfg.home, out="{out}"))
    if payload is not None:
        board = pd.DataFrame(payload.get("board") or [])
        if board.empty:
            st.warning("The saved board has no titles; score a candidates file with rows.")
        else:
            _board(board, str(payload.get("kind", "films")))
    st.subheader("Token offerings · 토큰 공모")
    path = cfg.home / "sto.sqlite"
    if not path.exists():
        st.info(run_hint("token offering ledger", cfg.home,
                         LEDGER_COMMAND.format(home=cfg.home)))
        return
    ledger = _ledger(str(path))
    if not ledger["offerings"]:
        st.info(run_hint("offerings in the ledger", cfg.home,
                         LEDGER_COMMAND.format(home=cfg.home)))
        return
    _offerings(ledger)
