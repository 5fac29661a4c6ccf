"""The search budget's reserve for the final stage, and the estimate that sizes it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from jogak.data import ColumnInfo, ColumnRole, ColumnRoles, Task
from jogak.models._metrics import get_metric
from jogak.models._validation import CVScheme, make_splits
from jogak.models.automl._budget import Budget
from jogak.models.automl._finalize import final_seconds
from jogak.models.automl._folds import FoldCache
from jogak.models.automl._search import Search, SearchSettings
from jogak.models.automl._trial import TrialRecord
from jogak.models.catalog import CATALOG
from jogak.models.catalog._spec import WIDTH_REFERENCE


def _budget(seconds: float, estimate: float | None, *, share: float = 0.2) -> Budget:
    budget = Budget(seconds, final_share=share, clock=lambda: 0.0)
    if estimate is not None:
        budget.final_estimate = lambda: estimate
    return budget


def test_without_an_estimate_the_reserve_is_the_final_share() -> None:
    budget = _budget(600.0, None)
    assert budget.reserve == pytest.approx(120.0)
    assert budget.search_remaining == pytest.approx(480.0)
    assert budget.final_need == 0.0


@pytest.mark.parametrize(("estimate", "reserve"), [
    (3.0, 18.0),     # floor: 3 % of 600 s (more than 10 s)
    (20.0, 40.0),    # twice the estimate
    (100.0, 120.0),  # never more than the final share
])
def test_a_long_budget_keeps_back_twice_the_estimate_between_floor_and_share(
        estimate: float, reserve: float) -> None:
    budget = _budget(600.0, estimate)
    assert budget.reserve == pytest.approx(reserve)
    assert budget.search_remaining == pytest.approx(600.0 - reserve)


def test_a_short_budget_keeps_its_share_however_small_the_estimate() -> None:
    # the 10 s floor is above 15 % of 30 s: the reserve stays 4.5 s, as without an estimate
    assert _budget(30.0, 0.1, share=0.15).reserve == pytest.approx(4.5)
    # at 120 s the floor is 10 s: below the 24 s share
    assert _budget(120.0, 0.1).reserve == pytest.approx(10.0)


def test_no_time_limit_has_no_reserve() -> None:
    budget = _budget(None, 5.0)  # type: ignore[arg-type]
    assert budget.reserve == 0.0
    assert budget.search_remaining == float("inf")


def test_a_running_trial_stops_before_its_next_fold_would_eat_the_final_stage() -> None:
    now = [0.0]
    budget = Budget(600.0, clock=lambda: now[0])
    now[0] = 560.0
    budget.record_fold("catboost", 10.0)
    budget.final_estimate = lambda: 16.0  # needs 32 s: 40 s left < 10 s fold + 32 -> no
    assert not budget.fold_fits("catboost")
    budget.final_estimate = lambda: 5.0   # needs 10 s: 40 > 10 + 10 -> yes
    assert budget.fold_fits("catboost")


@dataclass
class _Cache:
    """What final_seconds reads of a FoldCache: the splits and preprocessing time."""

    n_folds: int = 5
    prep: float = 0.5
    splits: list[tuple[np.ndarray, np.ndarray]] = field(init=False)

    def __post_init__(self) -> None:
        self.splits = [(np.arange(2), np.arange(2))] * self.n_folds

    def preprocessing_seconds(self, *, first_fold_only: bool = False) -> float:
        assert first_fold_only
        return self.prep


def _record(number: int, family: str, loss: float, fit_seconds: float,
            status: str = "complete") -> TrialRecord:
    return TrialRecord(number=number, family=family, params={}, source="default", loss=loss,
                       fit_seconds=fit_seconds, status=status, oof=np.zeros(2))


def test_final_estimate_is_the_refit_of_the_best_trials_plus_a_stacker() -> None:
    cache = _Cache()
    records = [_record(0, "lightgbm", 0.30, 10.0), _record(1, "linear", 0.40, 5.0),
               _record(2, "catboost", 0.20, 1000.0, status="timeout")]
    # refit: each member's fold time (fit_seconds / 5) x 5/4 rows x 1.2, + one prep per family
    refit = (10.0 / 5 + 5.0 / 5) * 1.25 * 1.2 + 0.5 * 2
    # stacker: max(0.5 s, a tenth of the cheapest trial) per fold, tried when 3 x fits
    stack = 3 * max(0.5, 0.1 * 5.0) * 5
    assert final_seconds(records, cache, stacking=False, refit=True) == pytest.approx(refit)
    assert final_seconds(records, cache, stacking=True, refit=True) == pytest.approx(
        refit + stack)
    assert final_seconds(records, cache, stacking=False, refit=False) == 0.0
    assert final_seconds([], cache, stacking=True, refit=True) == 0.0


def test_final_estimate_counts_only_the_best_eight_trials() -> None:
    cache = _Cache(prep=0.0)
    records = [_record(k, "lightgbm", 0.1 * k, 5.0) for k in range(8)]
    before = final_seconds(records, cache, stacking=False, refit=True)
    records.append(_record(8, "mlp", 9.0, 500.0))  # the worst trial, and the slowest
    assert final_seconds(records, cache, stacking=False, refit=True) == pytest.approx(before)
    records.append(_record(9, "mlp", 0.0, 500.0))  # a slow new best displaces the eighth
    assert final_seconds(records, cache, stacking=False, refit=True) > 10 * before


def test_a_running_trial_is_held_to_the_reserve_when_the_need_is_larger() -> None:
    now = [0.0]
    budget = Budget(30.0, final_share=0.15, clock=lambda: now[0])
    budget.record_fold("catboost", 2.0)
    budget.final_estimate = lambda: 10.0  # needs 20 s; the reserve is 4.5 s
    now[0] = 9.0  # 21 s left: a 2 s fold and the 4.5 s reserve fit
    assert budget.fold_fits("catboost")
    now[0] = 24.0  # 6 s left: no
    assert not budget.fold_fits("catboost")


def test_width_sensitive_families_cost_more_on_wide_inputs() -> None:
    mlp, lightgbm = CATALOG["mlp"], CATALOG["lightgbm"]
    assert mlp.width_sensitive
    assert not lightgbm.width_sensitive
    assert mlp.cost_at_width(40) == mlp.cost_at_width(WIDTH_REFERENCE) == mlp.relative_cost
    assert mlp.cost_at_width(40 * WIDTH_REFERENCE) == pytest.approx(40 * mlp.relative_cost)
    assert lightgbm.cost_at_width(40 * WIDTH_REFERENCE) == lightgbm.relative_cost


def test_the_search_weighs_a_network_by_the_width_of_its_tf_idf_input() -> None:
    rng = np.random.default_rng(0)
    words = [f"w{k}" for k in range(3000)]
    notes = [" ".join(rng.choice(words, size=30)) for _ in range(200)]
    frame = pd.DataFrame({"note": notes, "amount": rng.normal(size=200)})
    y = frame["amount"].to_numpy() * 2.0
    roles = ColumnRoles(info={
        "note": ColumnInfo("note", ColumnRole.TEXT, "str", 200, 0.0),
        "amount": ColumnInfo("amount", ColumnRole.NUMERIC, "float64", 200, 0.0)})
    splits = make_splits(CVScheme(kind="kfold", n_splits=3), task=Task.REGRESSION, y=y)
    cache = FoldCache(X=frame, y=y, roles=roles, splits=splits, task=Task.REGRESSION)
    specs = [CATALOG["linear"], CATALOG["mlp"]]
    settings = SearchSettings(task=Task.REGRESSION, metric=get_metric("rmse", Task.REGRESSION),
                              n_classes=0, n_trials=None, random_state=0, n_jobs=1)
    now = [0.0]
    budget = Budget(30.0, clock=lambda: now[0])
    search = Search(cache, specs, settings, budget)
    width = cache.n_features(CATALOG["mlp"].style)
    assert width > 5 * WIDTH_REFERENCE  # word and character n-grams of 3,000 words
    assert search._cost(CATALOG["mlp"]) == pytest.approx(
        CATALOG["mlp"].relative_cost * width / WIDTH_REFERENCE)
    # linear folds of 0.05 s: an MLP scaled by cost alone would fit; by its width it does not
    budget.record_fold("linear", 0.05, search._cost(CATALOG["linear"]))
    mlp = CATALOG["mlp"]
    assert budget.fits("mlp", mlp.relative_cost, n_folds=3)
    assert not search._fits(mlp)
