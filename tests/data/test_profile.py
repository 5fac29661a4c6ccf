"""profile: per-column statistics against reference values, the target, leaks, edge cases."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import skew as scipy_skew

from jogak.data import ColumnRole, Profile, Task, infer_roles, load, profile
from jogak.data._profile import moments
from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.testing import make_classification_frame, make_frame


@pytest.fixture(scope="module")
def telco(data_dir: Path) -> pd.DataFrame:
    return load(data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz")


def test_telco_profile_matches_the_published_statistics(telco: pd.DataFrame) -> None:
    result = profile(telco, target="Churn")
    assert (result.n_rows, result.n_columns, result.n_duplicate_rows) == (7043, 21, 0)
    assert result.task is Task.BINARY
    assert result.target_distribution == {"No": round(5174 / 7043, 6),
                                          "Yes": round(1869 / 7043, 6)}
    assert result.columns["MonthlyCharges"].mean == pytest.approx(64.761692, abs=1e-6)
    assert result.columns["tenure"].mean == pytest.approx(32.371149, abs=1e-6)
    total = result.columns["TotalCharges"]
    assert (total.role, total.n_missing, total.n_unparsed) == (ColumnRole.NUMERIC, 11, 0)
    gender = result.columns["gender"]
    assert gender.top_values == (("Male", 3555), ("Female", 3488))
    assert result.columns["customerID"].top_values == ()  # identifiers are never shown
    assert result.columns["SeniorCitizen"].n_outliers is None  # 0/1 has no outliers
    assert result.columns["Churn"].role is ColumnRole.TARGET
    assert result.suspected_leaks == ()


def test_profile_to_dict_is_strict_json(telco: pd.DataFrame) -> None:
    result = profile(telco, target="Churn")
    text = json.dumps(result.to_dict(), allow_nan=False, ensure_ascii=False)
    data = json.loads(text)
    assert data["task"] == "binary"
    assert data["n_rows"] == 7043
    assert data["columns"]["gender"]["top_values"][0] == {"value": "Male", "count": 3555}
    assert data["columns"]["TotalCharges"]["role"] == "numeric"
    assert set(data["columns"]) == set(telco.columns)


def test_kkbox_ages_outside_a_declared_range_are_counted(data_dir: Path) -> None:
    frame = load(data_dir / "kkbox_churn_sample" / "members.csv.gz")
    result = profile(frame, ranges={"bd": (0, 100), "registration_init_time":
                                    (datetime.date(2005, 1, 1), None)})
    expected = int(((frame["bd"] < 0) | (frame["bd"] > 100)).sum())
    assert expected > 0
    assert result.columns["bd"].n_impossible == expected
    assert result.columns["bd"].declared_range == (0, 100)
    early = int((pd.to_datetime(frame["registration_init_time"]) < "2005-01-01").sum())
    assert result.columns["registration_init_time"].n_impossible == early
    assert result.columns["registration_init_time"].first.startswith("2004-")
    assert result.columns["bd"].n_outliers == 23
    assert json.dumps(result.to_dict(), allow_nan=False)


def test_numeric_statistics_match_numpy_and_scipy(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    values = np.concatenate([rng.lognormal(0, 1, 997), [50.0, 80.0, np.nan]])
    result = profile(pd.DataFrame({"x": values}))
    column = result.columns["x"]
    finite = values[np.isfinite(values)]
    expected = np.quantile(finite, [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1])
    assert list(column.quantiles.values()) == pytest.approx(expected.tolist())
    assert column.skew == pytest.approx(scipy_skew(finite, bias=False))
    assert column.skew == pytest.approx(pd.Series(finite).skew())
    assert column.std == pytest.approx(finite.std(ddof=1))
    q1, q3 = np.quantile(finite, [0.25, 0.75])
    iqr = q3 - q1
    assert column.n_outliers == int(((finite < q1 - 1.5 * iqr) | (finite > q3 + 1.5 * iqr)).sum())
    assert column.n_missing == 1


def test_moments_reference_values() -> None:
    mean, std, skew = moments(np.array([1.0, 2.0, 3.0, 10.0]))
    assert mean == 4.0
    assert std == pytest.approx(np.std([1, 2, 3, 10], ddof=1))
    # by hand: m2 = 12.5, m3 = 45, g1 = 45 / 12.5**1.5, G1 = g1 * sqrt(4 * 3) / 2
    assert skew == pytest.approx(1.7636326, rel=1e-6)
    assert moments(np.array([5.0, 5.0, 5.0]))[2] == 0.0


def test_huge_and_infinite_values_do_not_overflow() -> None:
    frame = pd.DataFrame({"x": [1e300, -1e300, 1e299, 5.0, np.inf, -np.inf, np.nan] * 5})
    column = profile(frame).columns["x"]  # warnings are errors: no overflow may happen
    assert column.n_infinite == 10
    assert column.quantiles["max"] == 1e300
    assert column.quantiles["min"] == -1e300
    assert np.isfinite(column.mean)
    assert np.isfinite(column.std)
    assert np.isfinite(column.skew)
    assert json.dumps(profile(frame).to_dict(), allow_nan=False)


def test_regression_target_distribution_and_leaks(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    n = 400
    x = rng.normal(size=n)
    y = 2 * x + rng.normal(size=n)
    frame = pd.DataFrame({"x": x, "y": y, "y_minus_one": y - 1})
    result = profile(frame, target="y")
    assert result.task is Task.REGRESSION
    assert result.target_distribution["p50"] == pytest.approx(np.median(y))
    assert result.target_distribution["mean"] == pytest.approx(y.mean())
    assert result.suspected_leaks == ("y_minus_one",)
    assert result.columns["y_minus_one"].suspected_leak
    assert result.columns["x"].leak_score < 0.99
    assert result.columns["y"].quantiles is not None


def test_classification_profile_on_make_classification_frame(global_random_seed: int) -> None:
    frame = make_classification_frame(300, seed=global_random_seed, n_classes=3)
    result = profile(frame, target="target")
    assert result.task is Task.MULTICLASS
    assert sum(result.target_distribution.values()) == pytest.approx(1.0, abs=1e-5)
    assert result.columns["synopsis"].mean_words == pytest.approx(
        frame["synopsis"].str.split().str.len().mean(), rel=1e-3)
    assert result.columns["synopsis"].top_values == ()
    assert result.columns["joined"].first == frame["joined"].min().isoformat()
    assert result.columns["flag"].mean == pytest.approx(frame["flag"].mean())


def test_profile_uses_given_roles_and_fills_the_gaps(global_random_seed: int) -> None:
    frame = make_frame(100, seed=global_random_seed)
    roles = infer_roles(frame.drop(columns=["count"])).with_role("city", ColumnRole.TEXT)
    result = profile(frame, roles=roles)
    assert result.columns["city"].role is ColumnRole.TEXT
    assert result.columns["count"].role is ColumnRole.NUMERIC
    assert list(result.columns) == list(frame.columns)


def test_profile_counts_duplicate_rows() -> None:
    frame = pd.DataFrame({"a": [1, 1, 2, 1], "b": ["x", "x", "y", "x"]})
    assert profile(frame).n_duplicate_rows == 2


def test_profile_reports_unreadable_dates() -> None:
    frame = pd.DataFrame({"day": ["2019-03-05"] * 40 + ["-", None]})
    column = profile(frame).columns["day"]
    assert (column.role, column.n_unparsed, column.n_missing) == (ColumnRole.DATETIME, 1, 2)


@pytest.mark.parametrize(("options", "error", "message"), [
    ({"ranges": {"nope": (0, 1)}}, SchemaError, "not in the data"),
    ({"ranges": {"a": (5, 1)}}, ConfigError, "low 5 above high 1"),
    ({"ranges": {"a": 3}}, ConfigError, r"must be a \(low, high\) pair"),
    ({"target": "A"}, TargetError, "did you mean 'a'"),
    ({"target": "b"}, TargetError, "is constant"),
], ids=["unknown_column", "reversed", "not_a_pair", "typo_target", "constant_target"])
def test_profile_rejects_bad_arguments(options: dict[str, object], error: type[Exception],
                                       message: str) -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "x", "x"]})
    with pytest.raises(error, match=message):
        profile(frame, **options)  # type: ignore[arg-type]


def test_profile_with_training_roles_on_data_without_the_target() -> None:
    train = pd.DataFrame({"a": np.arange(40.0), "b": ["x", "y"] * 20, "y": [0, 1] * 20})
    roles = infer_roles(train, target="y")
    scoring = pd.DataFrame({"a": [1.0, 1.0, 2.0], "b": ["x", "x", "y"]})
    result = profile(scoring, roles=roles)
    assert result.target is None
    assert result.task is None
    assert result.columns["a"].n_distinct == 2  # counted on this frame, not the training one
    assert result.n_duplicate_rows == 1


def test_profile_target_must_agree_with_roles() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0] * 5, "b": ["x", "y", "x"] * 5})
    roles = infer_roles(frame, target="b")
    assert profile(frame, roles=roles).target == "b"
    with pytest.raises(ConfigError, match="disagrees"):
        profile(frame, roles=roles, target="a")


def test_profile_edge_cases_empty_one_row_missing_and_korean() -> None:
    empty = profile(pd.DataFrame({"a": pd.Series([], dtype="float64")}))
    assert (empty.n_rows, empty.columns["a"].role, empty.columns["a"].missing_share) == \
        (0, ColumnRole.CONSTANT, 0.0)
    one = profile(pd.DataFrame({"가격": [3.5], "이름": ["김치"]}))
    assert one.columns["가격"].role is ColumnRole.CONSTANT
    assert one.columns["이름"].top_values == (("김치", 1),)
    frame = pd.DataFrame({"지역": ["서울", "부산", None] * 10, "빈칸": [None] * 30,
                          "금액": [1.0, 2.0, 3.0] * 10})
    result = profile(frame)
    assert result.columns["빈칸"].missing_share == 1.0
    assert result.columns["지역"].top_values == (("서울", 10), ("부산", 10))
    assert json.loads(json.dumps(result.to_dict(), ensure_ascii=False))["columns"]["금액"][
        "quantiles"]["p50"] == 2.0
    assert isinstance(result, Profile)


def test_profile_top_values_of_many_distinct_numbers_match_full_counts() -> None:
    # ties broken by ascending value, as a full stable sort of the counts would
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(size=5000), np.repeat([3.5, -1.0, 2.0, 7.0], 4),
                             np.repeat(np.arange(60.0) + 100.25, 2)])
    frame = pd.DataFrame({"x": rng.permutation(values), "y": np.arange(len(values)) % 2})
    result = profile(frame, target="y")
    counts = frame["x"].value_counts().sort_index(kind="stable")
    expected = counts.iloc[np.argsort(-counts.to_numpy(), kind="stable")].head(5)
    column = result.columns["x"]
    assert column.top_values == tuple((str(v), int(c)) for v, c in expected.items())
    assert column.top_values[:4] == (("-1.0", 4), ("2.0", 4), ("3.5", 4), ("7.0", 4))
    assert column.n_distinct == frame["x"].nunique()


def test_profile_counts_duplicate_rows_across_hash_blocks() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.integers(0, 50, 150_000), "b": rng.choice(["u", "v"], 150_000)})
    assert profile(frame).n_duplicate_rows == int(frame.duplicated().sum())
