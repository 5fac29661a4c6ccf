"""Credit (S2): grade distribution, bad rate per grade, and the policy comparison, from
``jogak credit scorecard --json`` and ``jogak credit policy --json`` saved under
``HOME/results/credit/``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from jogak.dashboard._charts import metric_row, styled
from jogak.dashboard._results import result_payload
from jogak.dashboard._sources import config

__all__ = ["POLICY_COMMAND", "SCORECARD_COMMAND", "render_credit"]

SCORECARD_COMMAND = ("jogak credit scorecard CUSTOMERS.csv --target default --out "
                     "{home}/models/credit --json > {out}")
POLICY_COMMAND = ("jogak credit policy {home}/models/credit CUSTOMERS.csv --grace-days 14 "
                  "--json > {out}")


def _grades(payload: dict[str, Any]) -> None:
    import plotly.graph_objects as go

    engines = payload.get("engines") or {}
    if not engines:
        st.warning("The saved scorecard has no engines; fit it again with the command above.")
        return
    engine = st.radio("Engine", list(engines), horizontal=True, key="credit_engine")
    result = engines[engine]
    cv = result.get("cv") or {}
    metric_row({"customers": f"{payload.get('n_rows', 0):,}",
                "bad rate": f"{payload.get('bad_rate', 0.0):.1%}",
                **{f"{name.upper()} (CV ± {cv[name]['std']:.3f})": f"{cv[name]['mean']:.3f}"
                   for name in ("auc", "gini", "ks") if name in cv}}, per_row=5)
    grades = pd.DataFrame(result.get("grades") or [])
    if grades.empty:
        return
    fig = go.Figure(go.Bar(x=grades["grade"], y=grades["share"], text=grades["count"]))
    fig.update_layout(yaxis_title="share of customers", yaxis_tickformat=".0%")
    st.plotly_chart(styled(fig, f"Grade distribution ({engine}, out of fold)"),
                    key="credit_distribution")
    fig = go.Figure(go.Bar(x=grades["grade"], y=grades["bad_rate"], name="bad rate"))
    if "target_bad_rate" in grades.columns and grades["target_bad_rate"].notna().any():
        fig.add_trace(go.Scatter(x=grades["grade"], y=grades["target_bad_rate"],
                                 mode="markers", name="target (at most)",
                                 marker={"symbol": "line-ew-open", "size": 28,
                                         "line": {"width": 3}}))
    fig.update_layout(yaxis_title="bad rate", yaxis_tickformat=".1%")
    st.plotly_chart(styled(fig, "Bad rate per grade"), key="credit_bad_rate")
    st.dataframe(grades, hide_index=True, key="credit_grades")


def _policies(payload: dict[str, Any]) -> None:
    import plotly.graph_objects as go

    policies = pd.DataFrame(payload.get("policies") or [])
    if policies.empty:
        st.warning("The saved policy comparison is empty; run it again with the command above.")
        return
    best = payload.get("best")
    metric_row({"grace days": f"{payload.get('grace_days', '')}",
                "grace for grades": ", ".join(payload.get("grace_grades") or []) or "—",
                "best by net benefit": str(best)})
    value = "net_benefit" if "net_benefit" in policies.columns else "expected_bad_debt"
    fig = go.Figure(go.Bar(x=policies["policy"], y=policies[value],
                           marker_color=["#1a9850" if p == best else "#9ecae1"
                                         for p in policies["policy"]]))
    fig.update_layout(yaxis_title=value.replace("_", " "))
    st.plotly_chart(styled(fig, "Policy comparison"), key="credit_policy_chart")
    st.dataframe(policies, hide_index=True, key="credit_policies")
    assumptions = payload.get("assumptions") or {}
    if assumptions:
        st.caption("Assumptions: " + ", ".join(f"{k.replace('_', ' ')} {v:g}"
                                               for k, v in assumptions.items()))


def render_credit() -> None:
    """Grades and bad rates per grade of the behaviour score; the policy comparison."""
    st.title("Credit · 신용")
    cfg = config()
    st.subheader("Grades · 등급")
    payload = result_payload(cfg, "credit", "scorecard",
                             SCORECARD_COMMAND.format(home=cfg.home, out="{out}"))
    if payload is not None:
        _grades(payload)
    st.subheader("Policy comparison · 정책 비교")
    payload = result_payload(cfg, "credit", "policy",
                             POLICY_COMMAND.format(home=cfg.home, out="{out}"))
    if payload is not None:
        _policies(payload)
