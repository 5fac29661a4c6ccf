"""``model_report``: one HTML report of a fitted AutoML model, for people who act on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from jogak.data import ColumnRole, Task, profile
from jogak.errors import ConfigError, NotFittedError, SchemaError, TargetError
from jogak.models import evaluate_model, get_metric
from jogak.report._html import HtmlReport
from jogak.report._model_sections import (
    add_classification,
    add_collinearity,
    add_dependence,
    add_explanations,
    add_learning,
    add_regression,
)
from jogak.report._search_figures import search_figures, search_summary

__all__ = ["model_report"]

_BOARD_COLUMNS = ("family", "source", "trial", "fit_seconds", "predict_seconds")


def model_report(model: Any, data: pd.DataFrame | None = None, *, target: str | None = None,
                 max_rows: int = 2000, n_explain: int = 300, explain_seconds: float | None = 10.0,
                 top_k: int = 15, n_local: int = 3, random_state: int = 0,
                 on_progress: Callable[[str], None] | None = None) -> HtmlReport:
    """Build the report of a fitted (or loaded) AutoML model.

    Sections: summary, data profile, leaderboard, the search picture, cross-validated metrics
    (and metrics on ``data`` when it holds the target), confusion matrix or residuals, ROC and
    PR curves, operating points and calibration (binary), learning curve, SHAP global and local
    explanations, partial dependence of the top features, and VIF. Curves and thresholds use
    the model's out-of-fold predictions; sections that need rows say so when ``data`` is None.

    Parameters
    ----------
    model : AutoMLClassifier or AutoMLRegressor
        Fitted, or loaded with :func:`jogak.models.load_model`.
    data : DataFrame, optional
        Rows with the training columns (and the target, for the learning curve and metrics).
    target : str, optional
        Target column in ``data``; defaults to the model's target name when ``data`` has it.
    max_rows : int, default 2000
        Rows sampled from ``data`` for the learning curve (the profile uses every row).
    n_explain : int, default 300
        Rows sampled for SHAP.
    explain_seconds : float or None, default 10
        Budget for SHAP: a pilot on a few rows measures the cost per row and as many of the
        ``n_explain`` rows as fit are explained (at least 20; the report states how many).
        SHAP costs range from instant (linear) to seconds per row (deep forests, permutation
        sampling). None explains all ``n_explain`` rows, whatever it takes (reproducible).
    top_k : int, default 15
        Columns shown in the global importance.
    n_local : int, default 3
        Local explanations (highest, median, lowest prediction).
    random_state : int, default 0
        Seed of every sample.
    on_progress : callable, optional
        Called with the name of each step as it starts (for progress bars).

    Returns
    -------
    HtmlReport
        Call ``.write(path, png_dir=...)`` or ``.to_html()``.

    Raises
    ------
    NotFittedError
        The model is not fitted.
    SchemaError
        ``data`` lacks a training column (named in the message).
    TargetError
        ``target`` is given but is not a column of ``data``.
    """
    if getattr(model, "ensemble_", None) is None:
        raise NotFittedError(f"{type(model).__name__} is not fitted; call fit or load a bundle.")
    for label, value, low in (("max_rows", max_rows, 10), ("n_explain", n_explain, 1),
                              ("top_k", top_k, 1), ("n_local", n_local, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ConfigError(f"{label} must be an int >= {low}, got {value!r}.")
    if explain_seconds is not None and not explain_seconds > 0:
        raise ConfigError(f"explain_seconds must be > 0 or None, got {explain_seconds!r}.")
    progress = on_progress or (lambda step: None)
    X, y, target_name = _split(model, data, target)
    name = getattr(model, "manifest_", {}).get("name") or getattr(model, "target_name_", None)
    title = f"Model report: {name}" if name else "Model report"
    report = HtmlReport(title=title, subtitle=_subtitle(model))
    progress("summary")
    _add_summary(report, model)
    progress("data profile")
    _add_profile(report, model, data, target_name)
    progress("leaderboard and search")
    _add_leaderboard(report, model)
    _add_search(report, model)
    progress("metrics")
    _add_metrics(report, model, X, y)
    progress("errors and thresholds")
    if model.task_.is_classification:
        add_classification(report, model)
    else:
        add_regression(report, model)
    progress("learning curve")
    sample_X, sample_y = _sample(X, y, max_rows, random_state)
    add_learning(report, model, sample_X, sample_y, random_state=random_state)
    progress("explanations")
    explain_X = _sample(X, None, n_explain, random_state)[0]
    top = add_explanations(report, model, explain_X, top_k=top_k, n_local=n_local,
                           seconds=explain_seconds, random_state=random_state)
    progress("partial dependence")
    add_dependence(report, model, explain_X, top, random_state=random_state)
    progress("collinearity")
    add_collinearity(report, model, X)
    return report


def _subtitle(model: Any) -> str:
    classes = getattr(model, "classes_", None)
    task = model.task_.value
    what = f"{task} classification of {list(map(str, classes))}" if classes is not None \
        and model.task_.is_classification else task
    return (f"{type(model).__name__} · {what} · metric {model.metric_} · "
            f"{model.n_folds_}-fold cross-validation")


def _split(model: Any, data: pd.DataFrame | None,
           target: str | None) -> tuple[pd.DataFrame | None, pd.Series | None, str | None]:
    if data is None:
        if target is not None:
            raise ConfigError("target was given without data; pass the data that holds it.")
        return None, None, None
    if not isinstance(data, pd.DataFrame):
        raise ConfigError(f"data must be a pandas DataFrame, got {type(data).__name__}. Hint: "
                          "load files with jogak.data.load(path).")
    if target is not None and target not in data.columns:
        raise TargetError(f"Target column {target!r} is not in the data; columns are "
                          f"{list(map(str, data.columns))[:30]}.")
    default = getattr(model, "target_name_", None) or \
        getattr(model, "manifest_", {}).get("target")
    target_name = target or (default if default in data.columns else None)
    features = model.roles_.features
    missing = [c for c in features if c not in data.columns]
    if missing:
        raise SchemaError(f"The data lacks the model's column(s) {missing}; the model was "
                          f"trained on {features}. Hint: pass rows with those columns.")
    X = data.drop(columns=[target_name]) if target_name else data
    y = data[target_name] if target_name else None
    return X, y, target_name


def _sample(X: pd.DataFrame | None, y: pd.Series | None, n: int,
            random_state: int) -> tuple[pd.DataFrame | None, pd.Series | None]:
    if X is None or len(X) <= n:
        return X, y
    rows = np.sort(np.random.default_rng(random_state).choice(len(X), n, replace=False))
    return X.iloc[rows], (None if y is None else y.iloc[rows])


def _add_summary(report: HtmlReport, model: Any) -> None:
    section = report.section("Summary")
    mean, std = model.cv_results_.get(model.metric_, (float("nan"), float("nan")))
    cards: dict[str, Any] = {f"{model.metric_} (CV)": _spread(mean, std),
                             "trials": len(model.history_),
                             "ensemble": f"{model.ensemble_kind_} ({len(model.ensemble_.members)} "
                                         "members)",
                             "training time (s)": float(model.time_used_)}
    oof = getattr(model, "oof_target_", None)
    if oof is not None:
        cards["training rows"] = int(len(oof))
    section.add_metrics(cards)
    weights = pd.DataFrame([{"trial": m.trial, "family": m.family, "weight": m.weight}
                            for m in model.ensemble_.members])
    section.add_table(weights.round(4), caption="Ensemble members and their weights"
                      + (" (a stacker combines them)" if model.ensemble_.stacker is not None
                         else ""))


def _spread(mean: float, std: float) -> str:
    if not np.isfinite(mean):
        return "—"
    return f"{mean:.4g} ± {std:.2g}" if np.isfinite(std) else f"{mean:.4g}"


def _add_profile(report: HtmlReport, model: Any, data: pd.DataFrame | None,
                 target: str | None) -> None:
    section = report.section(
        "Data profile",
        intro="The data given to the report. Values of identifier and text columns are never "
              "shown (they may be personal).")
    if data is None:
        section.add_text("Give data (--data) to profile it.")
        return
    result = profile(data, target=target)
    section.add_metrics({"rows": result.n_rows, "columns": result.n_columns,
                         "duplicate rows": result.n_duplicate_rows if result.n_duplicate_rows
                         is not None else "—"})
    rows = []
    for column in result.columns.values():
        quantiles = column.quantiles or {}
        top = ", ".join(f"{v} ({c:,})" for v, c in column.top_values[:3]) \
            if column.role not in (ColumnRole.IDENTIFIER, ColumnRole.TEXT) else "—"
        rows.append({"column": column.name, "role": column.role.value, "dtype": column.dtype,
                     "missing": f"{column.missing_share:.1%}", "distinct": column.n_distinct,
                     "mean": column.mean, "median": quantiles.get("p50"), "top values": top,
                     "leak?": "suspected" if column.suspected_leak else ""})
    section.add_table(pd.DataFrame(rows), caption="Columns", max_rows=200)
    if result.suspected_leaks:
        section.add_text("Suspected target leaks (almost perfectly associated with the target): "
                         + ", ".join(result.suspected_leaks) + ". Check they are known before "
                         "the prediction is made.")
    if result.target_distribution and result.task is not None:
        import plotly.graph_objects as go

        distribution = result.target_distribution
        if result.task.is_classification:
            fig = go.Figure(go.Bar(x=[str(k) for k in distribution],
                                   y=list(distribution.values()), name="share"))
            fig.update_layout(title=f"Target {target}: class shares", yaxis_title="share",
                              template="plotly_white", height=360)
        else:
            values = pd.to_numeric(data[target], errors="coerce").dropna()
            fig = go.Figure(go.Histogram(x=values, nbinsx=40, name=str(target)))
            fig.update_layout(title=f"Target {target}: distribution", yaxis_title="rows",
                              template="plotly_white", height=360)
        section.add_figure(fig, name="target_distribution")


def _add_leaderboard(report: HtmlReport, model: Any) -> None:
    board = model.leaderboard_
    metric = model.metric_
    columns = [c for c in ("family", "source", "trial", metric, f"{metric}_std", "fit_seconds")
               if c in board.columns]
    section = report.section("Leaderboard",
                             intro=f"Every completed trial, best first, by cross-validated "
                                   f"{metric}; the first row is the final ensemble.")
    section.add_table(board[columns].round(5), max_rows=25)


def _add_search(report: HtmlReport, model: Any) -> None:
    metric = get_metric(model.metric_, model.task_)
    section = report.section(
        "The search",
        intro="How the budget was spent: which model families were tried, how often, how well "
              "and how steadily, and whether the best score kept improving.")
    figures = search_figures(model.history_, metric.name,
                             greater_is_better=metric.greater_is_better)
    if not figures:
        section.add_text("No trial completed.")
        return
    for name, figure in figures.items():
        section.add_figure(figure, name=name)
    summary = search_summary(model.history_, metric.name,
                             greater_is_better=metric.greater_is_better)
    section.add_table(summary.round(5), caption="Trials per family")
    history = pd.DataFrame(model.history_)
    done = history[(history["status"] == "complete") & history[metric.name].notna()]
    tuned = done[done["source"] == "tpe"]
    first = done[done["source"] != "tpe"]
    if len(tuned) and len(first):
        pick = max if metric.greater_is_better else min
        best_first, best_tuned = pick(first[metric.name]), pick(tuned[metric.name])
        better = (best_tuned > best_first) if metric.greater_is_better else \
            (best_tuned < best_first)
        section.add_text(
            f"Did tuning help? The best default or portfolio configuration scored "
            f"{best_first:.4g}; the best tuned (TPE) trial scored {best_tuned:.4g}: tuning "
            + ("improved the score." if better else "did not beat the starting configurations."))


def _add_metrics(report: HtmlReport, model: Any, X: pd.DataFrame | None,
                 y: pd.Series | None) -> None:
    section = report.section(
        "Metrics",
        intro="Cross-validated: mean and standard deviation across folds of the final model's "
              "out-of-fold predictions.")
    table = pd.DataFrame([{"metric": k, "mean": m, "std": s}
                          for k, (m, s) in model.cv_results_.items()])
    section.add_table(table.round(5), caption="Cross-validated metrics")
    if X is not None and y is not None and y.notna().any():
        scores = evaluate_model(model, X, y)
        section.add_metrics(dict(list(scores["metrics"].items())[:6]))
        section.add_text(f"Above: metrics on the {scores['n_rows']:,} labelled rows given to the "
                         "report. If these rows were used for training, they are optimistic; "
                         "trust the cross-validated figures.")
    if model.task_ is Task.BINARY:
        section.add_text(f"Label metrics (accuracy, F1, …) use a 0.5 threshold on the "
                         f"probability of {model.classes_[1]!r}; see Operating points for "
                         "other thresholds.")
