"""The model pages: Overview, Data explorer, Why, What-if, Targeting, AutoML.

Each ``render_*`` draws one page with library calls only; tables are shaped by ``_data``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import streamlit as st

from jogak.dashboard import _data
from jogak.dashboard._sources import (
    PageContext,
    config,
    customers,
    load_entries,
    model_context,
    no_model_message,
    selected_entry,
)
from jogak.dashboard._sources import _model as cached_model

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["render_automl", "render_explorer", "render_overview", "render_targeting",
           "render_what_if", "render_why"]

PAGES_HELP = {
    "Overview · 개요": "registered models, their quality and the headline figures",
    "Data explorer · 데이터 탐색": "target rate by category and numeric bins, distributions, "
                                "missing values",
    "Why · 원인 분석": "SHAP top features, one customer's waterfall, PDP/ICE",
    "What-if · 시뮬레이터": "move feature values and watch the prediction and its reasons change",
    "Targeting · 타기팅": "operating point, campaign economics, ROI curve, target list",
    "Content investment · 콘텐츠 투자": "S1 investment board and token offerings",
    "Markets · 시장": "S4 forecast against actual, equity curve, drawdown, VaR and ES, sentiment",
    "Customers · 고객": "S5 RFM segments, CLV, validation and privacy scans",
    "Credit · 신용": "S2 grades, bad rate per grade, policy comparison",
    "Recommendations · 추천": "S2 similar titles and plot search",
    "AutoML · 자동 모델링": "the search picture and per-family stability",
}


def _layout(fig: go.Figure, title: str) -> go.Figure:
    from jogak.report import FONT_FAMILY

    fig.update_layout(title=title, font={"family": FONT_FAMILY}, height=360,
                      margin={"l": 40, "r": 20, "t": 50, "b": 40})
    return fig


def _positive(model: Any) -> Any:
    classes = list(getattr(model, "classes_", []))
    return classes[-1] if classes else None


def _target(ctx: PageContext) -> str | None:
    target = ctx.entry.target or getattr(ctx.model, "target_name_", None)
    return target if target in ctx.frame.columns else None


def _features(ctx: PageContext) -> list[str]:
    return [str(c) for c in ctx.model.feature_names_in_]


@st.cache_data(show_spinner="Scoring the customers …")
def _scores(model_path: str, data_path: str) -> np.ndarray:
    model = cached_model(model_path)
    frame = customers(data_path)
    features = [str(c) for c in model.feature_names_in_]
    proba = model.predict_proba(frame[features])
    return np.asarray(proba[:, -1], dtype=float)


@st.cache_data(show_spinner=False)
def _tokens(data_path: str, column: str, home: str) -> pd.Series:
    from pathlib import Path

    return _data.pseudonymise(customers(data_path)[column], Path(home))


def _customer_labels(ctx: PageContext) -> list[str]:
    column = _data.id_column(ctx.model, ctx.frame)
    if column is None:
        return [f"row {i}" for i in range(len(ctx.frame))]
    return _tokens(str(ctx.entry.data), column, str(ctx.config.home)).tolist()


#: SHAP sizes: exact paths ignore them; the permutation path (any ensemble with a learner that
#: is neither trees nor linear) costs rows x permutations x columns x background evaluations.
SHAP_SAMPLE = 20  # customers behind the global top features (a sample; cached per server)
SHAP_BACKGROUND = 20  # reference rows
SHAP_PERMUTATIONS = 2  # column orders per row (each with its reverse: exact for additive models)
PDP_ROWS = 50


@st.cache_data(show_spinner=False)
def _shap_background(data_path: str, features: tuple[str, ...]) -> pd.DataFrame:
    frame = customers(data_path)[list(features)]
    return frame.sample(min(len(frame), SHAP_BACKGROUND), random_state=0)


@st.cache_resource(show_spinner="Computing SHAP values on a sample …")
def _global_explanation(model_path: str, data_path: str) -> Any:
    """SHAP of a random sample of ``SHAP_SAMPLE`` customers (the global top features)."""
    from jogak.explain import explain

    model = cached_model(model_path)
    features = tuple(str(c) for c in model.feature_names_in_)
    frame = customers(data_path)[list(features)]
    rows = frame.sample(min(len(frame), SHAP_SAMPLE), random_state=0)
    return explain(model, rows, background=_shap_background(data_path, features),
                   max_background=SHAP_BACKGROUND, n_permutations=SHAP_PERMUTATIONS)


def _row_explanation(model: Any, row: pd.DataFrame, data_path: str) -> Any:
    """SHAP of one row against the shared background sample."""
    from jogak.explain import explain

    features = tuple(str(c) for c in model.feature_names_in_)
    return explain(model, row[list(features)],
                   background=_shap_background(data_path, features),
                   max_background=SHAP_BACKGROUND, n_permutations=SHAP_PERMUTATIONS)


@st.cache_resource(show_spinner="Computing this customer's SHAP values …", max_entries=256)
def _customer_explanation(model_path: str, data_path: str, row: int) -> Any:
    return _row_explanation(cached_model(model_path), customers(data_path).iloc[[row]],
                            data_path)


# --------------------------------------------------------------------------- overview
def render_overview() -> None:
    """Registered models with their CV quality and data freshness; headline figures."""
    st.title("Overview · 개요")
    cfg = config()
    entries = load_entries(cfg)
    if not entries:
        st.warning(no_model_message(cfg))
    else:
        now = datetime.now(UTC)
        rows = []
        for e in entries:
            metric = next(iter(e.metrics), None)
            quality = "" if metric is None else \
                f"{metric} {e.metrics[metric]['mean']:.3f} ± {e.metrics[metric]['std']:.3f}"
            fresh = "no data" if e.data is None else \
                f"{(now - datetime.fromtimestamp(e.data.stat().st_mtime, UTC)).days} days old"
            rows.append({"model": e.label, "task": e.task, "target": e.target,
                         "CV quality": quality, "registered": e.created_at[:19],
                         "data": fresh})
        st.subheader("Models")
        st.dataframe(pd.DataFrame(rows), hide_index=True)
        entry = selected_entry(entries)
        if entry.data is not None:
            frame = customers(str(entry.data))
            figures: dict[str, str] = {"customers": f"{len(frame):,}"}
            if entry.target in frame.columns and entry.classes:
                positive = entry.classes[-1]
                rate = (frame[entry.target].astype(str) == str(positive)).mean()
                figures[f"{entry.target} rate ({positive})"] = f"{rate:.1%}"
            metric = next(iter(entry.metrics), None)
            if metric is not None:
                figures[f"CV {metric}"] = f"{entry.metrics[metric]['mean']:.3f}"
            for column, (label, value) in zip(st.columns(len(figures)), figures.items(),
                                              strict=True):
                column.metric(label, value)
    st.subheader("Pages")
    st.table(pd.DataFrame({"page": list(PAGES_HELP), "what it is for": list(PAGES_HELP.values())}))


# --------------------------------------------------------------------------- explorer
def render_explorer() -> None:
    """Target rate by category and numeric bins; distributions and missing values."""
    import plotly.graph_objects as go

    st.title("Data explorer · 데이터 탐색")
    ctx = model_context()
    if ctx is None:
        return
    target = _target(ctx)
    columns = [c for c in _features(ctx) if c != _data.id_column(ctx.model, ctx.frame)]
    column = st.selectbox("Column", columns, key="explorer_column")
    if target is None:
        st.info("The data has no target column: only distributions are shown.")
    else:
        left, middle, right = st.columns(3)
        bins = left.slider("Numeric bins", 2, 20, 5, key="explorer_bins")
        min_count = middle.number_input("Minimum customers per group", 1, 100_000, 1,
                                        key="explorer_min")
        sort = right.radio("Sort by", ["rate", "count", "level"], horizontal=True,
                           key="explorer_sort")
        table = _data.target_rate(ctx.frame, column, target, _positive(ctx.model), bins=bins,
                                  min_count=int(min_count), sort=sort)
        st.subheader(f"{target} rate by {column}")
        st.dataframe(table, hide_index=True)
        st.plotly_chart(_layout(go.Figure(go.Bar(x=table["level"], y=table["rate"],
                                                 text=table["n"])),
                                f"{target} rate by {column}"))
    values = ctx.frame[column]
    fig = go.Figure(go.Histogram(x=values.astype(str) if values.dtype == object else values))
    st.plotly_chart(_layout(fig, f"Distribution of {column}"))
    missing = ctx.frame[columns].isna().sum()
    st.subheader("Missing values")
    st.dataframe(pd.DataFrame({"column": missing.index, "missing": missing.to_numpy(),
                               "share": (missing / max(len(ctx.frame), 1)).to_numpy()}),
                 hide_index=True)


# --------------------------------------------------------------------------- why
def render_why() -> None:
    """SHAP top 8 with direction, one customer's waterfall, a PDP/ICE explorer."""
    import plotly.graph_objects as go

    from jogak.explain import partial_dependence

    st.title("Why · 원인 분석")
    ctx = model_context()
    if ctx is None:
        return
    explanation = _global_explanation(str(ctx.entry.path), str(ctx.entry.data))
    top = explanation.global_importance(8)
    st.subheader(f"Top features (SHAP, {explanation.space}, a sample of "
                 f"{len(explanation.predictions)} customers)")
    st.dataframe(top, hide_index=True)
    fig = go.Figure(go.Bar(x=top["mean_abs"][::-1], y=top["column"][::-1], orientation="h",
                           text=top["direction"][::-1]))
    st.plotly_chart(_layout(fig, "Mean |SHAP| (direction: + raises the prediction)"))

    labels = _customer_labels(ctx)
    st.subheader("One customer's waterfall")
    label = st.selectbox("Customer (pseudonymised id)", labels, key="why_customer")
    row = labels.index(label)
    one = _customer_explanation(str(ctx.entry.path), str(ctx.entry.data), row)
    steps = one.waterfall(0)
    base = float(np.ravel(one.base_values)[0])
    predicted = float(np.ravel(one.predictions)[0])
    # the waterfall adds up in the explanation's space; a single logistic or boosted learner
    # is explained in log-odds, so its probability is shown beside it
    st.metric("Prediction" if one.space == "probability" else f"Prediction ({one.space})",
              f"{predicted:.3f}", help=f"base value {base:.3f}")
    if one.space == "log_odds":
        st.metric("Predicted probability", f"{1.0 / (1.0 + np.exp(-predicted)):.3f}")
    st.dataframe(steps.astype({"value": str}), hide_index=True)
    fig = go.Figure(go.Waterfall(x=steps["column"], y=steps["contribution"], base=base))
    st.plotly_chart(_layout(fig, f"Contributions for {label}"))

    st.subheader("Partial dependence (PDP) and ICE")
    feature = st.selectbox("Feature", top["column"].tolist(), key="why_pdp")
    pdp = partial_dependence(ctx.model, ctx.frame.head(PDP_ROWS)[_features(ctx)], feature,
                             kind="both", grid_resolution=10)
    grid = [str(v) for v in pdp.grid[0]]
    fig = go.Figure()
    for curve in np.asarray(pdp.individual)[:30]:
        fig.add_trace(go.Scatter(x=grid, y=curve, mode="lines", showlegend=False,
                                 line={"color": "lightgray", "width": 1}))
    fig.add_trace(go.Scatter(x=grid, y=pdp.average, mode="lines+markers", name="average"))
    st.plotly_chart(_layout(fig, f"{pdp.space} by {feature}"))


# --------------------------------------------------------------------------- what-if
def render_what_if() -> None:
    """Move feature values; the prediction, the members and the SHAP breakdown follow."""
    st.title("What-if · 시뮬레이터")
    ctx = model_context()
    if ctx is None:
        return
    features = _features(ctx)
    id_col = _data.id_column(ctx.model, ctx.frame)
    labels = _customer_labels(ctx)
    start = st.selectbox("Start from", ["typical values", *labels], key="whatif_start")
    if start == "typical values":
        base = _data.typical_record(ctx.frame, features)
    else:
        base = ctx.frame.iloc[labels.index(start)][features].to_dict()
    record: dict[str, Any] = {}
    editable = [c for c in features if c != id_col]
    columns = st.columns(3)
    for i, column in enumerate(editable):
        values = ctx.frame[column].dropna()
        key = f"whatif_{start}_{column}"
        holder = columns[i % 3]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values) \
                and values.nunique() > 2:
            low, high = float(values.min()), float(values.max())
            value = base[column]
            value = low if value is None or pd.isna(value) else min(max(float(value), low), high)
            record[column] = holder.slider(column, low, high, value, key=key)
        else:
            levels = sorted(values.unique().tolist(), key=str)
            index = levels.index(base[column]) if base[column] in levels else 0
            record[column] = holder.selectbox(column, levels, index=index, key=key)
    if id_col is not None:
        record[id_col] = base.get(id_col) if start != "typical values" else "what-if"
    row = pd.DataFrame([record])[features]
    proba = float(ctx.model.predict_proba(row)[0, -1])
    st.metric(f"Predicted probability of {_positive(ctx.model)}", f"{proba:.3f}")
    members = _data.member_table(ctx.model, row)
    st.subheader("Ensemble members")
    st.dataframe(members, hide_index=True)
    steps = _row_explanation(ctx.model, row, str(ctx.entry.data)).waterfall(0)
    st.subheader("SHAP breakdown")
    st.dataframe(steps.astype({"value": str}), hide_index=True)


# --------------------------------------------------------------------------- targeting
def render_targeting() -> None:
    """Operating point, economics, campaign size, saved customers, ROI curve, target list."""
    import plotly.graph_objects as go

    from jogak.solutions.churn import CampaignEconomics, simulate_campaign

    st.title("Targeting · 타기팅")
    ctx = model_context()
    if ctx is None:
        return
    proba = _scores(str(ctx.entry.path), str(ctx.entry.data))
    points = getattr(ctx.model, "operating_points_", {}) or {}
    choices = [*sorted(points), "custom threshold"]
    choice = st.radio("Operating point", choices, horizontal=True, key="target_point")
    if choice == "custom threshold":
        threshold = st.slider("Threshold", 0.0, 1.0, 0.5, 0.01, key="target_threshold")
    else:
        threshold = float(points[choice].threshold)
        st.caption(f"{choice}: threshold {threshold:.3f}, precision "
                   f"{points[choice].precision:.2f}, recall {points[choice].recall:.2f} "
                   "(out of fold)")
    a, b, c, d = st.columns(4)
    economics = CampaignEconomics(
        contact_cost=float(a.number_input("Contact cost", 0.0, value=1.0, key="target_contact")),
        offer_cost=float(b.number_input("Offer cost", 0.0, value=10.0, key="target_offer")),
        customer_value=float(c.number_input("Customer value", 0.0, value=200.0,
                                            key="target_value")),
        uplift=float(d.slider("Uplift", 0.0, 1.0, 0.3, 0.05, key="target_uplift")))
    bands = _data.risk_band(proba)
    table = simulate_campaign(proba, economics, thresholds=[threshold], segments=bands)
    overall = table[table["segment"] == "all"].iloc[0]
    figures = {"Campaign size": f"{int(overall['n_targeted']):,}",
               "Expected saved": f"{overall['saved']:.1f}",
               "Profit": f"{overall['profit']:,.0f}",
               "ROI": "n/a" if pd.isna(overall["roi"]) else f"{overall['roi']:.2f}"}
    for column, (label, value) in zip(st.columns(4), figures.items(), strict=True):
        column.metric(label, value)
    curve = simulate_campaign(proba, economics)
    curve = curve[curve["segment"] == "all"]
    fig = go.Figure(go.Scatter(x=curve["threshold"], y=curve["roi"], mode="lines+markers",
                               name="ROI"))
    fig.add_vline(x=threshold, line_dash="dash")
    st.plotly_chart(_layout(fig, "ROI by threshold"))
    st.subheader("Segments")
    st.dataframe(table[table["segment"] != "all"], hide_index=True)
    st.markdown(_data.PLAYBOOK)
    target_rows = _data.target_rows(proba, threshold, _customer_labels(ctx),
                                    economics.customer_value)
    st.download_button("Download the target list (CSV)",
                       target_rows.to_csv(index=False).encode("utf-8"),
                       file_name="target_list.csv", mime="text/csv", key="target_download")
    st.dataframe(target_rows.head(20), hide_index=True)


# --------------------------------------------------------------------------- automl
def render_automl() -> None:
    """The search picture and per-family stability of the chosen model."""
    from jogak.models import get_metric
    from jogak.report import search_figures, search_summary

    st.title("AutoML · 자동 모델링")
    ctx = model_context(need_data=False)
    if ctx is None:
        return
    model = ctx.model
    greater = get_metric(model.metric_, model.task_).greater_is_better
    st.subheader("Per-family summary")
    st.dataframe(search_summary(model.history_, model.metric_, greater_is_better=greater),
                 hide_index=True)
    st.subheader("Ensemble weights")
    st.dataframe(pd.DataFrame({"member": list(model.ensemble_.weights),
                               "weight": list(model.ensemble_.weights.values())}),
                 hide_index=True)
    for name, fig in search_figures(model.history_, model.metric_,
                                    greater_is_better=greater).items():
        st.plotly_chart(fig, key=f"automl_{name}")
    st.subheader("Leaderboard")
    st.dataframe(model.leaderboard_.drop(columns=["params"], errors="ignore"), hide_index=True)
