"""Settings of drift and performance monitoring: frozen, keyword-only, checked on creation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from jogak.errors import ConfigError

__all__ = ["DriftConfig", "DriftMethod", "PerformanceConfig"]

DriftMethod = Literal["auto", "ks", "chi2", "z", "wasserstein", "jensenshannon", "psi"]
_METHODS = ("auto", "ks", "chi2", "z", "wasserstein", "jensenshannon", "psi")


def _fraction(name: str, value: float, *, closed: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or \
            not (0.0 < value <= 1.0 if closed else 0.0 < value < 1.0):
        raise ConfigError(f"{name} must be a number in (0, 1{']' if closed else ')'}, got "
                          f"{value!r}.")


@dataclass(frozen=True, kw_only=True)
class DriftConfig:
    """How drift is measured and decided.

    With ``method="auto"`` the test follows Evidently's default choice: with at most
    ``small_reference`` reference values, a two-sample Kolmogorov-Smirnov test for numeric
    columns with more than 5 distinct values, a chi-squared test for other columns, a
    two-proportion z-test for columns of two categories (drift when ``p < p_value``); with
    more, the normalised Wasserstein distance for numeric columns and the Jensen-Shannon
    distance for the others (drift when ``distance >= distance_threshold``). PSI is always
    reported, with its usual reading (< ``psi_moderate`` none, < ``psi_major`` moderate, else
    major); ``method="psi"`` decides by ``psi >= psi_major``.

    Parameters
    ----------
    method : {"auto", "ks", "chi2", "z", "wasserstein", "jensenshannon", "psi"}, default "auto"
        One test for every column, or the automatic choice. A test that does not fit a
        column's type falls back to the automatic one.
    p_value : float, default 0.05
    distance_threshold : float, default 0.1
    psi_moderate, psi_major : float, default 0.1 and 0.25
    n_bins : int, default 10
        Quantile bins of PSI (when the reference is a frame).
    small_reference : int, default 1000
    drift_share : float, default 0.5
        The data set drifts when at least this share of its columns drift (Evidently's default).
    """

    method: DriftMethod = "auto"
    p_value: float = 0.05
    distance_threshold: float = 0.1
    psi_moderate: float = 0.1
    psi_major: float = 0.25
    n_bins: int = 10
    small_reference: int = 1000
    drift_share: float = 0.5

    def __post_init__(self) -> None:
        if self.method not in _METHODS:
            raise ConfigError(f"method must be one of {list(_METHODS)}, got {self.method!r}.")
        _fraction("p_value", self.p_value)
        _fraction("drift_share", self.drift_share, closed=True)
        for name in ("distance_threshold", "psi_moderate", "psi_major"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ConfigError(f"{name} must be a positive number, got {value!r}.")
        if self.psi_moderate >= self.psi_major:
            raise ConfigError(f"psi_moderate ({self.psi_moderate}) must be below psi_major "
                              f"({self.psi_major}).")
        for name in ("n_bins", "small_reference"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 2:
                raise ConfigError(f"{name} must be an integer >= 2, got {value!r}.")


@dataclass(frozen=True, kw_only=True)
class PerformanceConfig:
    """How live performance is compared with the training cross-validation.

    Parameters
    ----------
    window : int, default 500
        Rows per rolling window (in the order given: sort by time first).
    step : int, optional
        Rows between window starts; default ``window`` (windows side by side).
    margin : float, default 0.05
        Alert when a window's metric is worse than the CV mean by more than this (in the
        metric's units; "worse" follows the metric's direction).
    min_rows : int, default 50
        Windows with fewer labelled rows are reported but never alert.
    """

    window: int = 500
    step: int | None = None
    margin: float = 0.05
    min_rows: int = 50

    def __post_init__(self) -> None:
        for name in ("window", "min_rows"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}.")
        if self.step is not None and (isinstance(self.step, bool) or
                                      not isinstance(self.step, int) or self.step < 1):
            raise ConfigError(f"step must be a positive integer or None, got {self.step!r}.")
        if isinstance(self.margin, bool) or not isinstance(self.margin, int | float) or \
                self.margin < 0:
            raise ConfigError(f"margin must be a number >= 0, got {self.margin!r}.")
