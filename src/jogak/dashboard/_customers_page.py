"""Customers (S5): RFM segments, customer lifetime value, and the data standard's validation
and privacy-scan results, from what ``jogak commerce`` and ``jogak privacy`` saved under
``HOME/results/commerce/``. Customer ids are shown only as dashboard tokens.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from jogak.dashboard import _data
from jogak.dashboard._charts import metric_row, styled
from jogak.dashboard._results import result_payload, saved_table
from jogak.dashboard._sources import config

__all__ = ["COMMANDS", "render_customers"]

_TX = "ORDERS.csv --customer-col customer_id --date-col order_date --amount-col amount"
#: result stem -> the command writing it ({folder}: the results folder, {out}: the JSON file)
COMMANDS = {
    "rfm": f"jogak commerce rfm {_TX} --out {{folder}}/rfm.csv --json > {{out}}",
    "clv": f"jogak commerce clv {_TX} --out {{folder}}/clv.csv --json > {{out}}",
    "validate": "jogak commerce validate BUYERS.csv --table buyer --json > {out}",
    "privacy": "jogak privacy scan BUYERS.csv --json > {out}",
}


def _command(cfg: Any, stem: str) -> str:
    folder = cfg.home / "results" / "commerce"
    return COMMANDS[stem].format(folder=folder, out="{out}")


def _rfm(cfg: Any) -> None:
    import plotly.graph_objects as go

    payload = result_payload(cfg, "commerce", "rfm", _command(cfg, "rfm"))
    if payload is None:
        return
    segments = payload.get("segments") or {}
    metric_row({"customers": f"{payload.get('n_customers', 0):,}",
                **{name: f"{count:,}" for name, count in
                   sorted(segments.items(), key=lambda kv: -kv[1])[:3]}})
    table = saved_table(payload, "out", cfg, "commerce",
                        _command(cfg, "rfm").format(out=cfg.home / "results/commerce/rfm.json"))
    if table is None:
        fig = go.Figure(go.Bar(x=list(segments), y=list(segments.values())))
        st.plotly_chart(styled(fig, "Customers per RFM segment"), key="customers_rfm_segments")
        return
    from jogak.report import rfm_report

    figures = rfm_report(table).figures
    st.plotly_chart(styled(figures["rfm_segments"], "Customers per RFM segment"),
                    key="customers_rfm_segments")
    st.plotly_chart(styled(figures["rfm_grid"], "Customers per recency × frequency score"),
                    key="customers_rfm_grid")


def _clv(cfg: Any) -> None:
    import plotly.graph_objects as go

    payload = result_payload(cfg, "commerce", "clv", _command(cfg, "clv"))
    if payload is None:
        return
    figures = {label: payload[key] for key, label in (
        ("holdout_mae", "holdout MAE per customer"), ("holdout_rmse", "holdout RMSE"),
        ("holdout_predicted_total", "holdout purchases predicted"),
        ("holdout_actual_total", "holdout purchases actual")) if payload.get(key) is not None}
    if figures:
        metric_row({k: f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}" for k, v in figures.items()})
    params = {f"BG/NBD {k}": v for k, v in (payload.get("bgnbd") or {}).items()} | \
        {f"Gamma-Gamma {k}": v for k, v in (payload.get("gamma_gamma") or {}).items()}
    if params:
        st.dataframe(pd.DataFrame({"parameter": list(params), "value": list(params.values())}),
                     hide_index=True, key="customers_clv_params")
    table = saved_table(payload, "out", cfg, "commerce",
                        _command(cfg, "clv").format(out=cfg.home / "results/commerce/clv.json"))
    if table is None or "clv" not in table.columns:
        return
    fig = go.Figure(go.Histogram(x=table["clv"], nbinsx=60))
    fig.update_layout(xaxis_title="customer lifetime value", yaxis_title="customers")
    st.plotly_chart(styled(fig, f"CLV of {len(table):,} customers"), key="customers_clv_hist")
    top = table.nlargest(20, "clv").reset_index(drop=True)
    customer = top.columns[0]
    top[customer] = _data.pseudonymise(top[customer], cfg.home).to_numpy()
    st.caption("Highest lifetime value (customer ids as dashboard tokens)")
    st.dataframe(top, hide_index=True, key="customers_clv_top")


def _validation(cfg: Any) -> None:
    import plotly.graph_objects as go

    payload = result_payload(cfg, "commerce", "validate", _command(cfg, "validate"))
    if payload is None:
        return
    rules = pd.DataFrame(payload.get("rules") or [])
    metric_row({"table": str(payload.get("table", "")),
                "rows": f"{payload.get('n_rows', 0):,}",
                "verdict": "passed" if payload.get("passed") else "failed",
                "rules failed": f"{payload.get('n_failed_rules', 0):,} of {len(rules):,}"})
    if rules.empty:
        return
    failed = rules[rules["status"] == "failed"]
    if not failed.empty:
        fig = go.Figure(go.Bar(x=failed["rule"], y=failed["share"]))
        fig.update_layout(yaxis_title="share of rows failing", yaxis_tickformat=".1%")
        st.plotly_chart(styled(fig, "Failed rules"), key="customers_failed")
    st.dataframe(rules[[c for c in ("rule", "status", "failures", "share", "description", "hint")
                        if c in rules.columns]], hide_index=True, key="customers_rules")


def _privacy(cfg: Any) -> None:
    payload = result_payload(cfg, "commerce", "privacy", _command(cfg, "privacy"))
    if payload is None:
        return
    findings = pd.DataFrame(payload.get("findings") or [])
    metric_row({"rows scanned": f"{payload.get('n_rows_scanned', 0):,}",
                "columns scanned": f"{payload.get('n_columns_scanned', 0):,}",
                "columns with personal data": f"{len(findings):,}"})
    if findings.empty:
        st.success("No personal data found.")
    else:
        st.dataframe(findings, hide_index=True, key="customers_findings")


def render_customers() -> None:
    """RFM segments, CLV, validation and privacy scan of the e-commerce data standard."""
    st.title("Customers · 고객")
    cfg = config()
    st.subheader("RFM segments · RFM 세그먼트")
    _rfm(cfg)
    st.subheader("Customer lifetime value · 고객 생애 가치")
    _clv(cfg)
    st.subheader("Data standard validation · 데이터 표준 검증")
    _validation(cfg)
    st.subheader("Privacy scan · 개인정보 스캔")
    _privacy(cfg)
