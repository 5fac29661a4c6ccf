"""SHAP values for a report within a time budget: as many sampled rows as the budget allows."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

from jogak.errors import ConfigError

__all__ = ["explain_within"]

_PILOT_ROWS = 8
_MIN_ROWS = 20
_PERMUTATION_BACKGROUND = 20
_PERMUTATION_ROUNDS = 4  # antithetic pairs: must be even


def _timed(call: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def explain_within(model: Any, X: pd.DataFrame, *, seconds: float | None,
                   random_state: int) -> tuple[Any, str]:
    """An explanation of the first rows of ``X`` that fit in ``seconds``, and a note saying how.

    The cost of SHAP varies by a thousandfold between a linear model (exact, instant), deep
    random forests (exact Tree SHAP, slow per row) and models without an exact path (permutation
    sampling against a background). A pilot on a few rows measures the cost per row; the
    explained rows are then as many as the rest of the budget allows (at least 20, at most
    ``len(X)``; the final run repeats the pilot's rows).
    With ``seconds=None`` every row of ``X`` is explained (reproducible, however long).

    Raises
    ------
    JogakError
        From :func:`jogak.explain.explain`, when the model cannot be explained at all.
    """
    from jogak.explain import explain

    def run(rows: pd.DataFrame, exact: bool) -> Any:
        if exact:
            return explain(model, rows, random_state=random_state, method="exact")
        return explain(model, rows, random_state=random_state, method="permutation",
                       max_background=_PERMUTATION_BACKGROUND,
                       n_permutations=_PERMUTATION_ROUNDS)

    exact = True
    try:
        pilot, spent = _timed(lambda: run(X.iloc[:_PILOT_ROWS], True))
    except ConfigError:
        # no exact path (stacks, categorical HistGB, text pipelines): permutation sampling costs
        # rows x permutations x columns x background predictions
        exact = False
        pilot, spent = _timed(lambda: run(X.iloc[:_PILOT_ROWS], False))
    # the final run repeats the pilot's rows: pilot + final together stay near the budget
    per_row = max(spent, 1e-9) / max(len(pilot.values), 1)
    n_rows = len(X) if seconds is None else \
        int(min(len(X), max(_MIN_ROWS, (seconds - spent) / per_row)))
    explanation = pilot if n_rows <= _PILOT_ROWS else run(X.iloc[:n_rows], exact)
    n_done = len(explanation.values)
    if exact:
        note = f"Exact SHAP values ({explanation.method}) of {n_done} sampled rows."
    else:
        note = (f"This model has no exact SHAP path, so contributions were estimated by "
                f"permutation sampling on {n_done} rows against "
                f"{min(_PERMUTATION_BACKGROUND, n_done)} background rows "
                f"({_PERMUTATION_ROUNDS} permutations): read the ranking, not the decimals.")
    if n_done < len(X):
        note += f" ({len(X)} rows were sampled; the {seconds:g} s budget covered {n_done}.)"
    return explanation, note
