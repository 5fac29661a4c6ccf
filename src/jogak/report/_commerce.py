"""HTML reports of the e-commerce solution: the standard's spec, validation, RFM and CLV."""

from __future__ import annotations

from typing import Any

import pandas as pd

from jogak.report._html import HtmlReport
from jogak.solutions.commerce import (
    EVENT_TYPES,
    SEGMENT_RULES,
    SEGMENTS,
    STANDARD,
    STANDARD_VERSION,
    CLVResult,
    ValidationReport,
    spec_frame,
)

__all__ = ["clv_report", "rfm_report", "spec_report", "validation_report"]

#: BG/NBD parameters Fader, Hardie & Lee (2005) report for the 1/10 CDNOW sample (weeks).
PUBLISHED_CDNOW_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def _go() -> Any:
    from jogak.report._html import _plotly

    return _plotly()


def spec_report() -> HtmlReport:
    """The standard as an HTML page: one section per table, the event taxonomy, the rules."""
    report = HtmlReport(title=f"jogak e-commerce data standard {STANDARD_VERSION}",
                        subtitle="Buyer, buyer behaviour and product data for machine-learning "
                                 "purchase-pattern analysis (S5)")
    intro = report.section("About", intro="Every item has a type, format, range, required flag "
                           "and PII class.")
    intro.add_text("Direct identifiers hold keyed HMAC-SHA256 tokens only (jogak privacy "
                   "pseudonymize); quasi-identifiers are generalised (age band, region). Values "
                   "are UTF-8 text; dates are ISO 8601. Validate a table with: jogak commerce "
                   "validate DATA --table buyer|behaviour|product [--mapping FILE].")
    for spec in STANDARD.values():
        section = report.section(f"{spec.title} ({spec.name})", intro=spec.description)
        section.add_table(spec_frame(spec.name), max_rows=100)
        if spec.name == "behaviour":
            section.add_table(pd.DataFrame({"event_type": list(EVENT_TYPES),
                                            "meaning": list(EVENT_TYPES.values())}),
                              caption="Purchase-behaviour taxonomy")
    rules = report.section("Rules")
    rules.add_text("Each item implies the rules type, required, unique (rows after the first "
                   "with a value fail), pattern, range (inclusive) and allowed, as it declares "
                   "them. Each table also has columns.present and columns.known; the behaviour "
                   "table has product_id.product_event (product events name their product).")
    return report


def validation_report(report: ValidationReport, *, source: str | None = None) -> HtmlReport:
    """A validation report as HTML: summary, failure share per rule, each failed rule's samples.

    Sample rows are those of the :class:`~jogak.solutions.commerce.ValidationReport`, whose
    direct identifiers are already masked.
    """
    go = _go()
    verdict = "passed" if report.passed else f"{len(report.failures)} rule(s) failed"
    html = HtmlReport(title=f"Validation of a {report.table} table: {verdict}",
                      subtitle=f"jogak e-commerce standard {report.standard_version}"
                               + (f" · {source}" if source else ""))
    summary = html.section("Summary")
    checked = [r for r in report.results if r.status != "skipped"]
    summary.add_metrics({"rows": report.n_rows, "rules checked": len(checked),
                         "rules failed": len(report.failures),
                         "rules skipped (column absent)": len(report.results) - len(checked)})
    table = report.to_frame()
    table["share"] = table["share"].map(lambda v: f"{v:.2%}")
    summary.add_table(table[["rule", "status", "failures", "share", "description"]],
                      caption="Every rule", max_rows=200)
    failures = report.failures
    if failures:
        figure = go.Figure(go.Bar(x=[r.share for r in failures], y=[r.rule.id for r in failures],
                                  orientation="h", marker_color="#c0392b",
                                  text=[f"{r.n_failed:,}" for r in failures],
                                  textposition="auto"))
        figure.update_layout(title="Share failing, per failed rule", xaxis_tickformat=".0%",
                             yaxis_autorange="reversed", height=160 + 28 * len(failures),
                             margin={"l": 260})
        summary.add_figure(figure, name="failure_share")
    for result in failures:
        unit = "column(s)" if result.rule.kind in ("present", "known_columns") else "row(s)"
        section = html.section(result.rule.id, intro=result.rule.description)
        section.add_metrics({"failures": f"{result.n_failed:,} {unit}",
                             "share": f"{result.share:.2%}"})
        if result.columns:
            section.add_text("Columns: " + ", ".join(result.columns))
        if not result.samples.empty:
            section.add_table(result.samples, caption="Sample failing rows (direct identifiers "
                                                      "masked; row = position in the table)")
        section.add_text("How to fix: " + result.rule.hint)
    return html


def rfm_report(table: pd.DataFrame) -> HtmlReport:
    """RFM segments as HTML: customers per segment and the R x F grid (no customer ids shown)."""
    go = _go()
    html = HtmlReport(title="RFM customer grading",
                      subtitle=f"{len(table):,} customers")
    counts = table["segment"].value_counts().reindex(list(SEGMENTS), fill_value=0)
    section = html.section("Segments")
    section.add_metrics({"customers": len(table),
                         "median recency (days)": float(table["recency_days"].median()),
                         "median frequency": float(table["frequency"].median()),
                         "total monetary": float(table["monetary"].sum())})
    section.add_figure(go.Figure(go.Bar(x=counts.index.tolist(), y=counts.tolist())),
                       name="rfm_segments", caption="Customers per segment")
    profile = table.groupby("segment").agg(customers=("segment", "size"),
                                           recency_days=("recency_days", "median"),
                                           frequency=("frequency", "median"),
                                           monetary=("monetary", "median")).reindex(
        list(SEGMENTS)).dropna(how="all")
    section.add_table(profile.reset_index(), caption="Median recency, frequency and monetary "
                                                      "value per segment")
    grid = table.pivot_table(index="r_score", columns="f_score", values="monetary",
                             aggfunc="size", fill_value=0).reindex(
        index=range(1, 6), columns=range(1, 6), fill_value=0)
    section.add_figure(go.Figure(go.Heatmap(z=grid.to_numpy(), x=[f"F{f}" for f in grid.columns],
                                            y=[f"R{r}" for r in grid.index],
                                            colorscale="Blues")),
                       name="rfm_grid", caption="Customers per R x F cell")
    rules = html.section("Segment rule")
    rules.add_table(pd.DataFrame(SEGMENT_RULES, columns=["segment", "cells"]))
    return html


def clv_report(result: CLVResult) -> HtmlReport:
    """CLV as HTML: parameters beside the published CDNOW ones, holdout fit by frequency."""
    go = _go()
    metrics = result.metrics
    html = HtmlReport(title="Customer lifetime value (BG/NBD + Gamma-Gamma)",
                      subtitle=f"{metrics['n_customers']:,} customers, time unit "
                               f"{metrics['time_unit']}")
    params = html.section("Parameters")
    per_week = 7.0 if metrics["time_unit"] == "day" else 1.0
    bg = result.bgnbd.params_
    rows = [{"parameter": name, "fitted": value,
             "fitted (weeks)": value / per_week if name == "alpha" else value,
             "published, CDNOW 1/10 sample (weeks)": PUBLISHED_CDNOW_BGNBD[name]}
            for name, value in bg.items()]
    params.add_table(pd.DataFrame(rows), caption="BG/NBD (Fader, Hardie & Lee 2005, "
                                                 "1/10 CDNOW sample, for comparison)")
    params.add_table(pd.DataFrame([result.gamma_gamma.params_]), caption="Gamma-Gamma")
    customers = result.customers
    if "actual_purchases" in customers:
        holdout = html.section("Holdout check", intro="Purchases predicted per customer for "
                               "the holdout period against the actual ones.")
        holdout.add_metrics({"MAE per customer": metrics["holdout_mae"],
                             "RMSE per customer": metrics["holdout_rmse"],
                             "predicted total": metrics["holdout_predicted_total"],
                             "actual total": metrics["holdout_actual_total"]})
        bucket = customers["frequency"].clip(upper=7)
        by_frequency = customers.groupby(bucket).agg(
            customers=("frequency", "size"), predicted=("expected_purchases", "mean"),
            actual=("actual_purchases", "mean"))
        labels = [f"{int(f)}" if f < 7 else "7+" for f in by_frequency.index]
        figure = go.Figure([go.Bar(x=labels, y=by_frequency["actual"], name="actual"),
                            go.Bar(x=labels, y=by_frequency["predicted"], name="predicted")])
        figure.update_layout(barmode="group", xaxis_title="repeat purchases in calibration",
                             yaxis_title="mean purchases in holdout")
        holdout.add_figure(figure, name="clv_holdout_by_frequency",
                           caption="Conditional expectations by calibration frequency")
        holdout.add_table(by_frequency.reset_index().assign(frequency=labels))
    value = html.section("Value")
    value.add_figure(go.Figure(go.Histogram(x=customers["clv"], nbinsx=60)), name="clv_hist",
                     caption=f"CLV over {metrics['months']} months, discount "
                             f"{metrics['discount_rate']:.1%} per month")
    return html
