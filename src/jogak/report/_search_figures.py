"""The search picture: algorithm × trials × score, stability per family, best so far over time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["search_figures", "search_summary"]

_LAYOUT = {"template": "plotly_white", "height": 420, "margin": {"l": 60, "r": 20, "t": 50,
                                                                   "b": 50}}


def _completed(history: Sequence[dict[str, Any]] | pd.DataFrame, metric: str) -> pd.DataFrame:
    frame = pd.DataFrame(history)
    if frame.empty or metric not in frame:
        return pd.DataFrame(columns=["trial", "family", "source", metric, "finished_at"])
    done = frame[(frame.get("status", "complete") == "complete") & frame[metric].notna()]
    return done.sort_values("finished_at" if "finished_at" in done else "trial", kind="stable")


def search_summary(history: Sequence[dict[str, Any]] | pd.DataFrame, metric: str, *,
                   greater_is_better: bool) -> pd.DataFrame:
    """Per family: trials run, completed, best / median / worst CV score, and fit seconds.

    Parameters
    ----------
    history : list of dict or DataFrame
        ``model.history_`` (one row per trial).
    metric : str
        The search metric (a column of ``history``).
    greater_is_better : bool
        Its direction (the best family comes first).

    Returns
    -------
    pandas.DataFrame
        Indexed by family, best family first.
    """
    frame = pd.DataFrame(history)
    if frame.empty:
        return pd.DataFrame(columns=["trials", "completed", "best", "median", "worst",
                                     "fit_seconds"])
    done = _completed(frame, metric)
    grouped = done.groupby("family")[metric]
    best = grouped.max() if greater_is_better else grouped.min()
    worst = grouped.min() if greater_is_better else grouped.max()
    table = pd.DataFrame({
        "trials": frame.groupby("family").size(),
        "completed": grouped.size(),
        "best": best, "median": grouped.median(), "worst": worst,
        "fit_seconds": done.groupby("family")["fit_seconds"].sum()
        if "fit_seconds" in done else np.nan,
    })
    table["completed"] = table["completed"].fillna(0).astype(int)
    table.index.name = "family"
    return table.sort_values("best", ascending=not greater_is_better, na_position="last")


def search_figures(history: Sequence[dict[str, Any]] | pd.DataFrame, metric: str, *,
                   greater_is_better: bool) -> dict[str, Any]:
    """Three figures of how the search went (empty dict when no trial completed).

    - ``search_trials``: every completed trial's CV score over search time, one colour per
      family, with the best-so-far line (did tuning beyond the first trials help?);
    - ``search_families``: trials per family (bars) with the best score of each written on it;
    - ``search_stability``: the spread of scores per family (box plot).
    """
    import plotly.graph_objects as go

    done = _completed(history, metric)
    if done.empty:
        return {}
    x_column = "finished_at" if "finished_at" in done and done["finished_at"].gt(0).any() \
        else "trial"
    x_title = "search time (s)" if x_column == "finished_at" else "trial"
    trials = go.Figure()
    for family, rows in done.groupby("family", sort=False):
        trials.add_trace(go.Scatter(
            x=rows[x_column], y=rows[metric], mode="markers", name=str(family),
            text=[f"trial {t} ({s})" for t, s in zip(rows["trial"], rows.get(
                "source", [""] * len(rows)), strict=True)]))
    scores = done[metric].to_numpy(dtype=float)
    best = np.maximum.accumulate(scores) if greater_is_better else np.minimum.accumulate(scores)
    trials.add_trace(go.Scatter(x=done[x_column], y=best, mode="lines", name="best so far",
                                line={"shape": "hv", "color": "#222", "width": 2}))
    trials.update_layout(title=f"Trials over the search ({metric}, cross-validated)",
                         xaxis_title=x_title, yaxis_title=metric, **_LAYOUT)

    summary = search_summary(history, metric, greater_is_better=greater_is_better)
    families = go.Figure(go.Bar(
        x=[str(f) for f in summary.index], y=summary["trials"],
        text=[f"best {b:.4g}" if np.isfinite(b) else "none completed"
              for b in summary["best"].astype(float)],
        textposition="outside", name="trials"))
    families.update_layout(title="Trials per model family, with each family's best score",
                           xaxis_title="family", yaxis_title="trials", **_LAYOUT)

    stability = go.Figure()
    for family in summary.index:
        values = done.loc[done["family"] == family, metric]
        if len(values):
            stability.add_trace(go.Box(y=values, name=str(family), boxpoints="all",
                                       jitter=0.3))
    stability.update_layout(title=f"Score spread per family ({metric}): narrow is stable",
                            yaxis_title=metric, showlegend=False, **_LAYOUT)
    return {"search_trials": trials, "search_families": families,
            "search_stability": stability}
