from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.credit import (
    GradeConfig,
    fit_grade_scale,
    grade_stability,
)


def _scores(seed: int, n: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    score = rng.normal(550, 40, n)
    p_bad = 1 / (1 + np.exp((score - 500) / 28.85))
    return score, (rng.random(n) < p_bad).astype(int)


def test_grades_meet_their_targets_with_strictly_increasing_bad_rates(
        global_random_seed: int) -> None:
    score, y = _scores(global_random_seed)
    scale = fit_grade_scale(score, y, GradeConfig())
    table = scale.table
    assert list(table["grade"]) == ["A", "B", "C", "D", "E"]
    assert np.all(np.diff(table["bad_rate"]) > 0)
    # each grade's bad rate lies in its band, relative to the portfolio's bad rate
    targets = GradeConfig().targets(y.mean())
    assert (table["bad_rate"].iloc[:4].to_numpy() <= np.array(targets) + 1e-12).all()
    assert (table["bad_rate"].iloc[1:].to_numpy() > np.array(targets)).all()
    assert table["count"].sum() == len(y)
    assert (table["share"] >= 0.02).all()
    assert not table["widened"].any()
    # the table's counts are what assign() gives for the same scores
    grades = pd.Series(scale.assign(score))
    assert grades.value_counts().reindex(scale.labels).tolist() == table["count"].tolist()
    for label, row in table.set_index("grade").iterrows():
        assert y[grades.to_numpy() == label].mean() == pytest.approx(row["bad_rate"])


def test_cutoffs_decrease_and_assign_uses_them() -> None:
    score, y = _scores(1)
    scale = fit_grade_scale(score, y, GradeConfig(bad_rates=(0.05, 0.1, 0.2, 0.4)))
    cutoffs = np.array(scale.cutoffs)
    assert np.all(np.diff(cutoffs) < 0)
    probes = np.array([cutoffs[0] + 1, cutoffs[0], cutoffs[0] - 1e-9, cutoffs[-1] - 1])
    assert list(scale.assign(probes)) == ["A", "A", "B", "E"]


def test_absolute_targets_are_met(global_random_seed: int) -> None:
    score, y = _scores(global_random_seed)
    scale = fit_grade_scale(score, y, GradeConfig(labels=("good", "fair", "poor"),
                                                  bad_rates=(0.1, 0.3)))
    rates = scale.table["bad_rate"].to_numpy()
    assert rates[0] <= 0.1
    assert rates[1] <= 0.3
    assert rates[2] > rates[1] > rates[0]
    assert scale.target_bad_rates == (0.1, 0.3)


def test_unreachable_targets_are_refused() -> None:
    rng = np.random.default_rng(0)
    score = rng.normal(size=5000)
    y = (rng.random(5000) < 0.3).astype(int)  # scores carry no information
    with pytest.raises(ConfigError, match="do not strictly increase in bad rate"):
        fit_grade_scale(score, y, GradeConfig(bad_rates=(0.01, 0.02, 0.03, 0.04)))


def test_thin_grades_are_widened_to_the_minimum_share() -> None:
    score, y = _scores(3, n=3000)
    # a best grade of at most 1 % bads holds almost nobody here: it is widened to 5 %
    scale = fit_grade_scale(score, y, GradeConfig(labels=("A", "B", "C"), bad_rates=(0.01, 0.3),
                                                  min_share=0.05))
    table = scale.table
    assert bool(table.loc[0, "widened"])
    assert table.loc[0, "share"] >= 0.05
    assert table.loc[0, "count"] < 0.06 * 3000
    assert np.all(np.diff(table["bad_rate"]) > 0)


def test_a_grade_ends_early_to_leave_the_riskier_grades_their_minimum_share() -> None:
    # 96 % of the rows are under A's 10 % target: A must stop at 92 % so B..E keep 2 % each
    rng = np.random.default_rng(0)
    u = np.sort(rng.random(100_000))
    p_bad = np.interp(u, [0.0, 0.9, 0.96, 1.0], [0.03, 0.03, 0.09, 0.9])
    y = (rng.random(u.size) < p_bad).astype(int)
    scale = fit_grade_scale(-u, y, GradeConfig(bad_rates=(0.1, 0.2, 0.3, 0.5)))
    table = scale.table
    np.testing.assert_allclose(table["share"], [0.92, 0.02, 0.02, 0.02, 0.02], atol=1e-3)
    assert not table["widened"].any()
    assert (table["bad_rate"].iloc[:3] < table["target_bad_rate"].iloc[:3]).all()
    assert np.all(np.diff(table["bad_rate"]) > 0)


def test_ties_never_split_across_grades() -> None:
    score = np.repeat(np.arange(100.0), 50)
    y = (np.random.default_rng(0).random(score.size) < 1 / (1 + np.exp((score - 30) / 10)))
    scale = fit_grade_scale(score, y.astype(int))
    grades = pd.Series(scale.assign(score)).groupby(score).nunique()
    assert (grades == 1).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"labels": ("A",)}, "at least 2"), ({"labels": ("A", "A")}, "at least 2 unique"),
     ({"bad_rate_multiples": (1.0, 0.5, 2.0, 3.0)}, "strictly increasing"),
     ({"bad_rate_multiples": (1.0, 2.0)}, "one value per grade"),
     ({"bad_rates": (0.1, 0.2, 0.5, 1.5)}, r"lie in \(0, 1\)"),
     ({"min_share": 0.5}, "min_share")],
    ids=["one_label", "duplicates", "not_increasing", "wrong_length", "above_one", "share"])
def test_invalid_grade_configs_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        GradeConfig(**kwargs)


def test_too_few_rows_or_missing_scores_are_refused() -> None:
    with pytest.raises(SchemaError, match="needs at least 250 rows"):
        fit_grade_scale(np.arange(100.0), np.arange(100) % 2)
    with pytest.raises(SchemaError, match="finite scores"):
        fit_grade_scale(np.array([np.nan] * 300), np.zeros(300))


def test_grade_psi_hand_computation() -> None:
    labels = ["A", "B", "C"]
    reference = ["A"] * 20 + ["B"] * 30 + ["C"] * 50
    current = ["A"] * 25 + ["B"] * 25 + ["C"] * 50
    psi = (0.05 * np.log(0.25 / 0.2)) + (-0.05 * np.log(0.25 / 0.3))
    result = grade_stability(reference, current, labels)
    assert result.psi == pytest.approx(psi)
    assert result.table["psi_term"].tolist() == pytest.approx(
        [0.05 * np.log(0.25 / 0.2), -0.05 * np.log(0.25 / 0.3), 0.0])
    # an empty grade counts as a share of 1e-4 (jogak.monitor's convention)
    empty = grade_stability(reference, ["B"] * 50 + ["C"] * 50, labels)
    assert empty.table["psi_term"].sum() == pytest.approx(empty.psi)
    assert empty.level == "major shift"


def test_grade_stability_levels() -> None:
    labels = ["A", "B", "C"]
    same = grade_stability(["A"] * 50 + ["B"] * 30 + ["C"] * 20,
                           ["A"] * 500 + ["B"] * 300 + ["C"] * 200, labels)
    assert same.psi == pytest.approx(0.0, abs=1e-12)
    assert same.level == "stable"
    shifted = grade_stability(pd.Series([0.5, 0.3, 0.2], index=labels),
                              ["A"] * 10 + ["B"] * 30 + ["C"] * 60, labels)
    assert shifted.level == "major shift"
    assert shifted.table["psi_term"].sum() == pytest.approx(shifted.psi)
    assert list(shifted.table["current_share"]) == pytest.approx([0.1, 0.3, 0.6])
    with pytest.raises(SchemaError, match="outside"):
        grade_stability(["A", "Z"], ["A"], labels)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_grades=st.integers(2, 6))
def test_fitted_grades_are_always_strictly_ordered(seed: int, n_grades: int) -> None:
    rng = np.random.default_rng(seed)
    n = 3000
    score = np.round(rng.normal(0, 1, n), int(rng.integers(1, 4)))
    y = (rng.random(n) < 1 / (1 + np.exp(2 * score + 1))).astype(int)
    labels = [chr(ord("A") + i) for i in range(n_grades)]
    multiples = np.linspace(0.3, 2.0, n_grades - 1)
    try:
        scale = fit_grade_scale(score, y, GradeConfig(labels=labels,
                                                      bad_rate_multiples=multiples))
    except ConfigError:
        return  # refused clearly: acceptable
    assert np.all(np.diff(scale.table["bad_rate"]) > 0)
    assert scale.table["count"].sum() == n
