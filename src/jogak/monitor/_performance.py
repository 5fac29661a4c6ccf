"""Live performance once labels arrive: rolling metrics against the training CV."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jogak.data import Task
from jogak.errors import ConfigError, TargetError
from jogak.models import Metric, get_metric
from jogak.monitor._config import PerformanceConfig

__all__ = ["PerformanceReport", "performance_report"]


@dataclass(frozen=True)
class PerformanceReport:
    """A metric on labelled current data, overall and per window, against a baseline.

    Attributes
    ----------
    metric : str
    greater_is_better : bool
    baseline : float
        The training cross-validation mean.
    baseline_std : float or None
    margin : float
    overall : float
    n_rows : int
    windows : pandas.DataFrame
        ``window, start, stop, n_rows, value, baseline, delta, alert`` (``delta`` is
        ``value - baseline``; ``alert`` when worse than the baseline by more than ``margin``).
    """

    metric: str
    greater_is_better: bool
    baseline: float
    baseline_std: float | None
    margin: float
    overall: float
    n_rows: int
    windows: pd.DataFrame

    @property
    def is_degraded(self) -> bool:
        """Whether the whole period or any window is worse than the baseline beyond the margin."""
        return bool(self.windows["alert"].any()) or self._worse(self.overall)

    @property
    def alert_windows(self) -> list[int]:
        """Numbers of the windows that alert."""
        return [int(w) for w in self.windows.loc[self.windows["alert"], "window"]]

    def _worse(self, value: float) -> bool:
        if not np.isfinite(value):
            return False
        delta = value - self.baseline
        return bool(-delta > self.margin if self.greater_is_better else delta > self.margin)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        windows = self.windows.astype(object).where(self.windows.notna(), None)
        return {"metric": self.metric, "greater_is_better": self.greater_is_better,
                "baseline": self.baseline, "baseline_std": self.baseline_std,
                "margin": self.margin, "overall": _finite(self.overall), "n_rows": self.n_rows,
                "is_degraded": self.is_degraded, "alert_windows": self.alert_windows,
                "windows": [{k: (v.item() if isinstance(v, np.generic) else v)
                             for k, v in row.items()}
                            for row in windows.to_dict(orient="records")]}


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _score(metric: Metric, task: Task, y_true: np.ndarray, prediction: np.ndarray) -> float:
    if task.is_classification and metric.name == "roc_auc" and np.unique(y_true).size < 2:
        return float("nan")  # AUC is undefined with one class
    return metric.score(y_true, prediction)


def performance_report(y_true: Any, prediction: Any, *, task: Task | str, metric: str,
                       baseline: float, baseline_std: float | None = None,
                       config: PerformanceConfig | None = None) -> PerformanceReport:
    """Score ``prediction`` against ``y_true`` overall and in rolling windows.

    Parameters
    ----------
    y_true : array-like
        Labels as class indices (classification) or values (regression), in time order.
    prediction : array-like
        Class probabilities ``(n_rows, n_classes)`` or values, as the metric expects.
    task : Task or str
    metric : str
        A name from :data:`jogak.models.METRICS`.
    baseline : float
        What training promised, e.g. ``model.cv_results_[model.metric_][0]``.
    baseline_std : float, optional
    config : PerformanceConfig, optional

    Returns
    -------
    PerformanceReport

    Raises
    ------
    TargetError
        No labels, or labels and predictions of different lengths.
    ConfigError
        Unknown metric for the task, or a baseline that is not a finite number.

    Examples
    --------
    >>> y = np.array([0.0, 1.0, 2.0, 3.0])
    >>> report = performance_report(y, y + [0, 0, 1, 1], task="regression", metric="mae",
    ...                             baseline=0.1, config=PerformanceConfig(window=2, min_rows=1))
    >>> report.windows["value"].tolist(), report.alert_windows
    ([0.0, 1.0], [1])
    """
    config = PerformanceConfig() if config is None else config
    task = Task(task)
    chosen = get_metric(metric, task)
    truth = np.asarray(y_true)
    predicted = np.asarray(prediction)
    if len(truth) == 0:
        raise TargetError("No labelled rows to score. Expected the labels of the current data.")
    if len(truth) != len(predicted):
        raise TargetError(f"{len(truth)} labels but {len(predicted)} predictions; expected one "
                          "label per prediction.")
    if isinstance(baseline, bool) or not isinstance(baseline, int | float) or \
            not np.isfinite(baseline):
        raise ConfigError(f"baseline must be a finite number, got {baseline!r}.")
    step = config.step or config.window
    rows = []
    for number, start in enumerate(range(0, len(truth), step)):
        stop = min(start + config.window, len(truth))
        value = _score(chosen, task, truth[start:stop], predicted[start:stop])
        rows.append({"window": number, "start": start, "stop": stop, "n_rows": stop - start,
                     "value": value, "baseline": float(baseline)})
        if stop == len(truth):
            break
    windows = pd.DataFrame(rows)
    windows["delta"] = windows["value"] - windows["baseline"]
    worse = -windows["delta"] if chosen.greater_is_better else windows["delta"]
    windows["alert"] = (worse > config.margin).fillna(False).astype(bool) & \
        (windows["n_rows"] >= config.min_rows)
    return PerformanceReport(metric=chosen.name, greater_is_better=chosen.greater_is_better,
                             baseline=float(baseline),
                             baseline_std=None if baseline_std is None else float(baseline_std),
                             margin=float(config.margin),
                             overall=_score(chosen, task, truth, predicted),
                             n_rows=int(len(truth)), windows=windows)
