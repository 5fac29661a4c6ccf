"""Prometheus metrics of one app (its own collector registry, no global state)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["ServeMetrics"]

LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                   2.5, 5.0, 10.0)


class ServeMetrics:
    """Request counts by route and status, a latency histogram, rows predicted, loaded models."""

    def __init__(self) -> None:
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._rows: dict[tuple[str, int], Any] = {}
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("jogak_http_requests", "HTTP requests by route and status.",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("jogak_http_request_duration_seconds",
                                 "Time from request to the end of the response.",
                                 ["method", "route"], buckets=LATENCY_BUCKETS,
                                 registry=self.registry)
        self.rows = Counter("jogak_predicted_rows", "Rows predicted, by model version.",
                            ["model", "version"], registry=self.registry)
        self.loaded = Gauge("jogak_model_loaded", "1 for each model version in memory.",
                            ["model", "version"], registry=self.registry)
        self.log_written = Counter("jogak_prediction_log_written_rows",
                                   "Predicted rows written to the prediction log.",
                                   registry=self.registry)
        self.log_dropped = Counter("jogak_prediction_log_dropped_rows",
                                   "Predicted rows not logged: the log's queue was full.",
                                   registry=self.registry)
        self.log_failed = Counter("jogak_prediction_log_failed_rows",
                                  "Predicted rows the log's database refused.",
                                  registry=self.registry)
        self.log_pending = Gauge("jogak_prediction_log_pending_rows",
                                 "Predicted rows queued for the prediction log.",
                                 registry=self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        children = self._children.get((method, route, status))
        if children is None:  # labels() takes a lock and builds a key: once per combination
            children = self._children[(method, route, status)] = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route))
        children[0].inc()
        children[1].observe(seconds)

    def count_rows(self, model: str, version: int, n_rows: int) -> None:
        child = self._rows.get((model, version))
        if child is None:
            child = self._rows[(model, version)] = self.rows.labels(model, str(version))
        child.inc(n_rows)

    def render(self, loaded: list[tuple[str, int]], pending_log_rows: int = 0) -> bytes:
        self.log_pending.set(pending_log_rows)
        self.loaded.clear()
        for name, version in loaded:
            self.loaded.labels(name, str(version)).set(1)
        return generate_latest(self.registry)
