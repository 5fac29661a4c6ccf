"""The wall-clock budget of a search: a deadline, reserves, and cost estimates per family."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Budget"]

# With an estimate of the final stage (ensembling, stacking, refit), the reserve is this many
# times the estimate, kept between a floor and ``final_share`` of the budget. A fixed 20 % share
# ended 600 s fits after 489 s when their final stage took 7 s.
_RESERVE_SAFETY = 2.0
_MIN_RESERVE_SECONDS = 10.0
_MIN_RESERVE_SHARE = 0.03


@dataclass
class Budget:
    """Tracks time against ``seconds`` (``None``: no time limit, ``n_trials`` bounds the search).

    Time is kept back for ensembling and the final refit, so that the whole fit ends within the
    budget: ``final_share`` of it, or, when ``final_estimate`` (seconds the final stage is
    expected to take, asked again as trials finish) is set, twice that estimate, at least
    10 s or 3 % of the budget and at most ``final_share``. Trials are started only when their
    estimated cost fits.
    """

    seconds: float | None
    final_share: float = 0.15
    clock: Callable[[], float] = time.perf_counter
    started: float = field(default=0.0)
    final_estimate: Callable[[], float] | None = None
    _fold_seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    _unit_seconds: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.started = self._now()

    def _now(self) -> float:
        return float(self.clock())

    @property
    def elapsed(self) -> float:
        return self._now() - self.started

    @property
    def remaining(self) -> float:
        """Seconds left in the whole budget (infinite without a limit)."""
        if self.seconds is None:
            return float("inf")
        return self.seconds - self.elapsed

    @property
    def final_need(self) -> float:
        """Seconds the final stage is expected to need, with a safety margin (0 unknown)."""
        if self.final_estimate is None:
            return 0.0
        return _RESERVE_SAFETY * max(float(self.final_estimate()), 0.0)

    @property
    def reserve(self) -> float:
        """Seconds kept back for the final stage (see the class docstring)."""
        return self._reserve(self.final_need)

    def _reserve(self, need: float) -> float:
        if self.seconds is None:
            return 0.0
        cap = self.seconds * self.final_share
        if self.final_estimate is None:
            return cap
        floor = min(cap, max(_MIN_RESERVE_SECONDS, _MIN_RESERVE_SHARE * self.seconds))
        return min(cap, max(floor, need))

    @property
    def search_remaining(self) -> float:
        """Seconds left for the search itself, after the final reserve."""
        if self.seconds is None:
            return float("inf")
        return self.seconds - self.reserve - self.elapsed

    def fold_fits(self, family: str) -> bool:
        """Whether one more fold of a running trial of ``family`` leaves the final its time.

        The final's time is its need, at most the reserve: a 30 s budget whose stacker alone
        is estimated at 7.5 s keeps its 4.5 s reserve, and trials it starts may finish.
        """
        need = self.final_need  # one estimate (it sorts the trials so far)
        return self.remaining > self.fold_estimate(family, 1.0) + min(need, self._reserve(need))

    def record_fold(self, family: str, seconds: float, relative_cost: float = 1.0) -> None:
        self._fold_seconds[family].append(seconds)
        own = self._fold_seconds[family]
        self._unit_seconds[family] = sorted(own)[len(own) // 2] / max(relative_cost, 1e-3)

    def fold_estimate(self, family: str, relative_cost: float) -> float:
        """Expected seconds of one fold of ``family``: its own median, else scaled from others.

        An unseen family is scaled from the slowest family per unit of relative cost: on small
        tables fixed costs dominate (an MLP's epochs take seconds where a linear model takes a
        millisecond), and scaling from the cheapest family started 13-second neural-network
        trials with one second left (a 10 s budget ended after 30 s).
        """
        own = self._fold_seconds.get(family)
        if own:
            return float(sorted(own)[len(own) // 2])
        units = self._unit_seconds.values()
        return max(units) * max(relative_cost, 1.0) if units else 0.0

    def fits(self, family: str, relative_cost: float, n_folds: int) -> bool:
        """Whether a trial of ``family`` over ``n_folds`` is expected to end within the search."""
        return self.fold_estimate(family, relative_cost) * n_folds <= self.search_remaining

    def may_start(self, family: str, relative_cost: float, n_folds: int, *,
                  is_default: bool) -> bool:
        """:meth:`fits`, and under a time limit only a family's defaults until it has a fold
        time of its own: a portfolio configuration (3,000 boosting rounds) estimated from a
        linear model's folds ran one 202-second fold in a 10-second budget on diamonds."""
        if self.seconds is not None and not is_default and not self._fold_seconds.get(family):
            return False
        return self.fits(family, relative_cost, n_folds)
