"""infer_roles, detect_task and coerce_frame: the traps of real data and the edge cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from jogak.data import (
    ColumnRole,
    ColumnRoles,
    Task,
    coerce_frame,
    detect_task,
    infer_roles,
    load,
)
from jogak.data._leak import auc_score
from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.testing import make_classification_frame, make_frame

R = ColumnRole


@pytest.fixture(scope="module")
def telco(data_dir: Path) -> pd.DataFrame:
    return load(data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz")


# --- the traps, on real data ---------------------------------------------------------------

def test_kkbox_members_registration_time_is_datetime_and_msno_identifier(
        data_dir: Path) -> None:
    frame = load(data_dir / "kkbox_churn_sample" / "members.csv.gz")
    roles = infer_roles(frame)
    assert roles["registration_init_time"] is R.DATETIME
    assert roles["msno"] is R.IDENTIFIER
    parsed = coerce_frame(frame, roles)["registration_init_time"]
    assert parsed.notna().all()
    assert parsed.min().year >= 2004
    assert parsed.max() <= pd.Timestamp("2017-12-31")


def test_kkbox_transaction_dates_written_yyyymmdd_are_datetimes(data_dir: Path) -> None:
    frame = load(data_dir / "kkbox_churn_sample" / "transactions.csv.gz")
    roles = infer_roles(frame)
    for name in ("transaction_date", "membership_expire_date"):
        assert roles[name] is R.DATETIME, name
        assert roles.info[name].datetime_format == "yyyymmdd"
    assert roles["msno"] is R.IDENTIFIER
    assert roles["payment_plan_days"] is R.NUMERIC
    assert roles["is_cancel"] is R.BOOLEAN
    coerced = coerce_frame(frame, roles)
    assert coerced["transaction_date"].min() == pd.Timestamp("2015-01-01")
    assert coerced["transaction_date"].max() == pd.Timestamp("2017-03-31")
    assert coerced["membership_expire_date"].max() == pd.Timestamp("2026-06-23")


@pytest.mark.parametrize("table", ["train", "user_logs"], ids=["train", "user_logs"])
def test_kkbox_msno_hash_is_an_identifier_in_every_table(data_dir: Path, table: str) -> None:
    frame = load(data_dir / "kkbox_churn_sample" / f"{table}.csv.gz")
    roles = infer_roles(frame)
    assert roles["msno"] is R.IDENTIFIER
    assert roles.info["msno"].reason == "hash-like keys"


def test_tmdb_overview_is_text_and_id_an_identifier(data_dir: Path) -> None:
    frame = load(data_dir / "tmdb_5000_movies" / "tmdb_5000_movies.csv.gz")
    roles = infer_roles(frame, target="revenue")
    assert roles["overview"] is R.TEXT
    assert roles["id"] is R.IDENTIFIER
    assert roles["release_date"] is R.DATETIME
    assert roles["budget"] is R.NUMERIC
    assert roles.target == "revenue"
    assert roles["revenue"] is R.TARGET


def test_telco_total_charges_is_numeric_with_blanks_missing(telco: pd.DataFrame) -> None:
    roles = infer_roles(telco, target="Churn")
    info = roles.info["TotalCharges"]
    assert info.role is R.NUMERIC
    assert info.missing_share == pytest.approx(11 / 7043)
    assert "11 blank values counted as missing" in info.reason
    coerced = coerce_frame(telco, roles)
    assert coerced["TotalCharges"].dtype == np.float64
    assert int(coerced["TotalCharges"].isna().sum()) == 11
    assert (telco.loc[coerced["TotalCharges"].isna(), "tenure"] == 0).all()


def test_telco_roles_and_task(telco: pd.DataFrame) -> None:
    roles = infer_roles(telco, target="Churn")
    assert roles["customerID"] is R.IDENTIFIER
    assert roles["SeniorCitizen"] is R.BOOLEAN
    assert roles["Partner"] is R.BOOLEAN
    assert roles["MultipleLines"] is R.CATEGORICAL_LOW  # Yes/No/No phone service
    assert roles["tenure"] is R.NUMERIC
    assert detect_task(telco["Churn"]) is Task.BINARY
    assert roles.suspected_leaks == []
    assert "customerID" not in roles.features
    assert "Churn" not in roles.features


def test_taiwan_credit_row_id_and_binary_target(data_dir: Path) -> None:
    frame = load(data_dir / "taiwan_credit_default" / "default_of_credit_card_clients.csv.gz")
    roles = infer_roles(frame, target="Y")
    assert roles["ID"] is R.IDENTIFIER
    assert detect_task(frame["Y"]) is Task.BINARY
    assert all(roles.info[f"X{i}"].leak_score < 0.99 for i in range(1, 24))


def test_melon_dates_with_partial_values_are_still_datetime(data_dir: Path) -> None:
    frame = load(data_dir / "melon_monthly_chart" / "melon_monthly_chart.csv.gz")
    roles = infer_roles(frame)
    assert roles["release_date"] is R.DATETIME
    assert roles["chart_type"] is R.CONSTANT
    assert roles["source_file"] is R.IDENTIFIER
    parsed = coerce_frame(frame, roles)["release_date"]
    assert parsed.notna().mean() > 0.98


# --- roles on synthetic data -----------------------------------------------------------------

def test_make_frame_columns_get_their_roles(global_random_seed: int) -> None:
    roles = infer_roles(make_frame(200, seed=global_random_seed))
    expected = {"id": R.IDENTIFIER, "num": R.NUMERIC, "amount": R.NUMERIC, "count": R.NUMERIC,
                "flag": R.BOOLEAN, "color": R.CATEGORICAL_LOW, "city": R.CATEGORICAL_HIGH,
                "const": R.CONSTANT, "joined": R.DATETIME, "joined_int": R.DATETIME,
                "synopsis": R.TEXT}
    assert dict(roles) == expected
    assert roles.info["joined_int"].datetime_format == "yyyymmdd"


def test_high_cardinality_moves_the_categorical_split(global_random_seed: int) -> None:
    frame = make_frame(200, seed=global_random_seed)
    assert infer_roles(frame, high_cardinality=100)["city"] is R.CATEGORICAL_LOW
    assert infer_roles(frame, high_cardinality=2)["color"] is R.CATEGORICAL_HIGH


@pytest.mark.parametrize(("values", "expected"), [
    (["2019-03-05", "2020-12-31", "2021-01-02"], ["2019-03-05", "2020-12-31", "2021-01-02"]),
    (["2019.03.05", "2020.12.31", "2021.01.02"], ["2019-03-05", "2020-12-31", "2021-01-02"]),
    (["2019년 3월 5일", "2020년 12월 31일", "2021년 1월 2일"],
     ["2019-03-05", "2020-12-31", "2021-01-02"]),
    (["2019. 3. 5.", "2020. 12. 31.", "2021. 1. 2."], ["2019-03-05", "2020-12-31", "2021-01-02"]),
    (["03/25/2019", "12/31/2020", "01/02/2021"], ["2019-03-25", "2020-12-31", "2021-01-02"]),
    (["25/03/2019", "31/12/2020", "02/01/2021"], ["2019-03-25", "2020-12-31", "2021-01-02"]),
    (["20190305", "20201231", "20210102"], ["2019-03-05", "2020-12-31", "2021-01-02"]),
    (["2019-03-05 10:00:00", "2020-12-31 23:59:59", "2021-01-02 00:00:00"],
     ["2019-03-05 10:00:00", "2020-12-31 23:59:59", "2021-01-02 00:00:00"]),
], ids=["iso", "dots", "korean", "korean_dots", "us", "day_first", "yyyymmdd_text", "iso_time"])
def test_date_text_is_datetime_and_coerces_to_the_right_days(values: list[str],
                                                             expected: list[str]) -> None:
    frame = pd.DataFrame({"day": values * 10 + [None, "  "]})
    roles = infer_roles(frame)
    assert roles["day"] is R.DATETIME
    parsed = coerce_frame(frame, roles)["day"]
    assert parsed.iloc[:3].tolist() == [pd.Timestamp(v) for v in expected]
    assert parsed.iloc[-2:].isna().all()


@pytest.mark.parametrize(("pair", "true_value"), [
    (("Yes", "No"), "Yes"), (("Y", "N"), "Y"), (("True", "False"), "True"),
    (("true", "FALSE"), "true"), (("예", "아니오"), "예"), (("1", "0"), "1"),
], ids=["yes_no", "y_n", "true_false", "mixed_case", "korean", "digits"])
def test_two_valued_text_is_boolean(pair: tuple[str, str], true_value: str) -> None:
    frame = pd.DataFrame({"flag": list(pair) * 15 + [None]})
    roles = infer_roles(frame)
    assert roles["flag"] is R.BOOLEAN
    coerced = coerce_frame(frame, roles)["flag"]
    assert coerced.dtype == np.float64
    assert coerced.iloc[0] == (1.0 if pair[0] == true_value else 0.0)
    assert coerced.iloc[1] == (1.0 if pair[1] == true_value else 0.0)
    assert np.isnan(coerced.iloc[-1])


def test_zero_one_integers_are_boolean_but_other_pairs_are_not() -> None:
    frame = pd.DataFrame({"bit": [0, 1] * 20, "sex": [1, 2] * 20,
                          "gender": ["male", "female"] * 20})
    roles = infer_roles(frame)
    assert roles["bit"] is R.BOOLEAN
    assert roles["sex"] is R.NUMERIC
    assert roles["gender"] is R.CATEGORICAL_LOW


def test_integer_identifiers_by_position_and_by_name(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    n = 300
    frame = pd.DataFrame({
        "row": np.arange(n),
        "user_id": rng.permutation(n) + 1000,
        "movieId": rng.integers(0, 100, n),
        "shuffled": rng.permutation(n),
        "amount": rng.integers(0, 10**9, n),
    })
    roles = infer_roles(frame)
    assert roles["row"] is R.IDENTIFIER
    assert roles["user_id"] is R.IDENTIFIER
    assert roles["movieId"] is R.CATEGORICAL_HIGH  # a key that repeats: codes, not numbers
    assert roles["shuffled"] is R.NUMERIC
    assert roles["amount"] is R.NUMERIC


def test_keys_with_a_few_repeats_are_identifiers_not_categories(global_random_seed: int) -> None:
    # MASS::biopsy: "ID" holds 645 patient numbers in 699 rows (some sampled twice); as a
    # 645-level category it only memorises rows
    rng = np.random.default_rng(global_random_seed)
    patients = rng.choice(10**6, 270, replace=False) + 10**6
    frame = pd.DataFrame({"ID": np.concatenate([patients, patients[:30]]),
                          "customer_id": [f"C{v:05d}" for v in patients] + ["C00001"] * 30,
                          "store_id": rng.integers(0, 30, 300)})
    roles = infer_roles(frame)
    assert roles["ID"] is R.IDENTIFIER
    assert roles["customer_id"] is R.IDENTIFIER
    assert roles["store_id"] is R.CATEGORICAL_HIGH  # a key that really repeats stays a code


def test_hash_keys_are_identifiers_even_when_they_repeat(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))
    keys = ["".join(rng.choice(alphabet, 43)) + "=" for _ in range(50)]
    frame = pd.DataFrame({"msno": rng.choice(keys, 400),
                          "order_id": [rng.bytes(16).hex() for _ in range(400)]})
    roles = infer_roles(frame)
    assert roles["msno"] is R.IDENTIFIER
    assert roles["order_id"] is R.IDENTIFIER


def test_numeric_text_variants() -> None:
    n = 30
    frame = pd.DataFrame({
        "zip": [f"{i:05d}" for i in range(n)],
        "money": ["1,234", "12,345.5", "-7"] * (n // 3),
        "plain": [" 1.5", "2", "3e2"] * (n // 3),
        "blank": [" "] * n,
    })
    roles = infer_roles(frame)
    assert roles["zip"] is R.IDENTIFIER  # digits with leading zeros are codes
    assert roles["money"] is R.NUMERIC
    assert roles["plain"] is R.NUMERIC
    assert roles["blank"] is R.CONSTANT
    coerced = coerce_frame(frame, roles)
    assert coerced["money"].iloc[:3].tolist() == [1234.0, 12345.5, -7.0]
    assert coerced["plain"].iloc[:3].tolist() == [1.5, 2.0, 300.0]
    assert coerced["zip"].iloc[1] == "00001"


def test_unix_epochs_in_timestamp_columns_are_datetimes() -> None:
    seconds = np.arange(1_500_000_000, 1_500_000_000 + 40 * 3600, 3600)
    frame = pd.DataFrame({"timestamp": seconds, "created_ts": seconds * 1000,
                          "count": seconds})
    roles = infer_roles(frame)
    assert roles.info["timestamp"].datetime_format == "epoch_s"
    assert roles.info["created_ts"].datetime_format == "epoch_ms"
    assert roles["count"] is R.NUMERIC
    coerced = coerce_frame(frame, roles)
    assert coerced["timestamp"].iloc[0] == pd.Timestamp("2017-07-14 02:40:00")
    assert coerced["created_ts"].iloc[0] == pd.Timestamp("2017-07-14 02:40:00")


@pytest.mark.parametrize(("values", "reason"), [
    ([7] * 5, "one value"),
    ([None] * 5, "every value is missing"),
    ([np.nan] * 5, "every value is missing"),
], ids=["one_value", "all_none", "all_nan"])
def test_constant_columns(values: list[object], reason: str) -> None:
    roles = infer_roles(pd.DataFrame({"x": values}))
    assert roles["x"] is R.CONSTANT
    assert reason in roles.info["x"].reason


# --- leaks ------------------------------------------------------------------------------------

def test_a_category_that_maps_to_the_target_is_a_suspected_leak(global_random_seed: int) -> None:
    frame = make_classification_frame(400, seed=global_random_seed)
    frame["status"] = frame["target"].map({"yes": "closed", "no": "open"})
    roles = infer_roles(frame, target="target")
    assert roles.suspected_leaks == ["status"]
    assert roles.info["status"].leak_score >= 0.99
    assert "status" in roles.features  # reported, never dropped
    assert roles.info["num"].leak_score < 0.99


def test_a_number_that_copies_a_regression_target_is_a_suspected_leak(
        global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    n = 500
    x = rng.normal(size=n)
    y = 3 * x + rng.normal(scale=1.0, size=n)
    frame = pd.DataFrame({"x": x, "noise": rng.normal(size=n), "y": y,
                          "y_copy": np.exp(y) + 1e-3 * rng.normal(size=n)})
    roles = infer_roles(frame, target="y")
    assert detect_task(frame["y"]) is Task.REGRESSION
    assert roles.suspected_leaks == ["y_copy"]
    assert roles.info["noise"].leak_score < 0.2


def test_a_feature_present_only_for_one_class_is_a_suspected_leak(
        global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    n = 600
    churn = rng.random(n) < 0.3
    cancelled = pd.Series(pd.Timestamp("2020-01-01") + pd.to_timedelta(
        rng.integers(0, 300, n), unit="D")).where(churn)
    frame = pd.DataFrame({"cancelled_on": cancelled, "age": rng.integers(18, 80, n),
                          "churn": np.where(churn, "yes", "no")})
    roles = infer_roles(frame, target="churn")
    assert roles.suspected_leaks == ["cancelled_on"]


def test_auc_score_matches_scikit_learn(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    positive = rng.random(300) < 0.3
    score = np.round(rng.normal(size=300) + positive, 1)  # with ties
    assert auc_score(positive, score) == pytest.approx(roc_auc_score(positive, score))
    assert np.isnan(auc_score(np.ones(5, dtype=bool), np.arange(5.0)))


# --- detect_task -----------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "task"), [
    (["yes", "no"] * 50, Task.BINARY),
    (["a", "b", "c"] * 50, Task.MULTICLASS),
    ([True, False] * 50, Task.BINARY),
    ([0, 1] * 50, Task.BINARY),
    ([3.5, 7.0] * 50, Task.BINARY),
    (list(range(1, 6)) * 40, Task.MULTICLASS),
    ([1.0, 2.0, 3.0, np.nan] * 50, Task.MULTICLASS),
    (list(range(200)), Task.REGRESSION),
    (list(range(1, 6)) * 4, Task.REGRESSION),  # 5 classes in 20 rows: more than 5 % distinct
    (np.linspace(0, 1, 100).tolist(), Task.REGRESSION),
    ([str(v) for v in np.linspace(0, 1, 100)], Task.REGRESSION),
    (pd.Categorical(["x", "y", "z"] * 10), Task.MULTICLASS),
], ids=["text2", "text3", "bool", "int01", "float2", "int_classes", "float_classes",
        "int_many", "int_few_rows", "float", "numeric_text", "category"])
def test_detect_task(values: object, task: Task) -> None:
    assert detect_task(pd.Series(values, name="y")) is task


@pytest.mark.parametrize(("values", "message"), [
    ([None, None, None], "entirely missing"),
    (["a", "a", None], "is constant"),
    (pd.date_range("2020-01-01", periods=5), "dates or durations"),
    ([f"user {i}" for i in range(200)], "looks like an identifier"),
], ids=["all_missing", "constant", "datetime", "identifier_text"])
def test_detect_task_rejects_unusable_targets(values: object, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        detect_task(pd.Series(values, name="y"))


def test_infer_roles_suggests_close_target_names(telco: pd.DataFrame) -> None:
    with pytest.raises(TargetError, match=r"'churn' is not in the data.*did you mean 'Churn'"):
        infer_roles(telco, target="churn")
    with pytest.raises(TargetError, match="the columns are"):
        infer_roles(telco.iloc[:, :3], target="zzz")


# --- bad input and edge cases ----------------------------------------------------------------

@pytest.mark.parametrize(("frame", "message"), [
    ([1, 2, 3], "Expected a pandas DataFrame"),
    (pd.DataFrame(np.zeros((3, 2))), "Column names must be strings"),
    (pd.DataFrame([[1, 2]], columns=["a", "a"]), "Column names must be unique"),
], ids=["list", "int_names", "duplicate_names"])
def test_infer_roles_rejects_bad_frames(frame: object, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        infer_roles(frame)  # type: ignore[arg-type]


@pytest.mark.parametrize("options", [{"high_cardinality": 0}, {"high_cardinality": 2.5},
                                     {"leak_threshold": 0.3}],
                         ids=["zero", "float", "low_threshold"])
def test_infer_roles_rejects_bad_options(options: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        infer_roles(pd.DataFrame({"a": [1, 2]}), **options)  # type: ignore[arg-type]


def test_empty_and_one_row_frames() -> None:
    empty = pd.DataFrame({"a": pd.Series([], dtype="float64"), "b": pd.Series([], dtype=str)})
    assert set(infer_roles(empty).values()) == {R.CONSTANT}
    assert len(infer_roles(pd.DataFrame())) == 0
    one = pd.DataFrame({"a": [1.5], "b": ["x"], "c": [None]})
    assert set(infer_roles(one).values()) == {R.CONSTANT}
    assert coerce_frame(one, infer_roles(one)).equals(one)


def test_wrong_types_huge_values_and_korean_names() -> None:
    frame = pd.DataFrame({
        "mixed": [1, "a", 2.5, None] * 10,
        "nested": [{"k": 1}, [1, 2], None, "x"] * 10,
        "huge": [1e300, -1e300, 5.0, np.inf] * 10,
        "이름": ["김철수", "박영희", "이민호", None] * 10,
        "가입여부": ["예", "아니오", "예", "예"] * 10,
    })
    roles = infer_roles(frame)
    assert roles["mixed"] is R.CATEGORICAL_LOW
    assert roles["nested"] is R.CATEGORICAL_LOW
    assert roles["huge"] is R.NUMERIC
    assert roles["이름"] is R.CATEGORICAL_LOW
    assert roles["가입여부"] is R.BOOLEAN
    coerced = coerce_frame(frame, roles)
    assert coerced["huge"].tolist()[:4] == [1e300, -1e300, 5.0, np.inf]
    assert coerced["mixed"].tolist()[:3] == ["1", "a", "2.5"]
    assert coerced["가입여부"].tolist()[:2] == [1.0, 0.0]


# --- coerce_frame ----------------------------------------------------------------------------

def test_coerce_frame_is_idempotent_and_leaves_the_input_alone(global_random_seed: int) -> None:
    frame = make_classification_frame(300, seed=global_random_seed)
    frame["total"] = frame["amount"].round(2).astype(str).replace("nan", " ")
    frame["code"] = np.random.default_rng(global_random_seed).integers(0, 40, len(frame))
    before = frame.copy()
    roles = infer_roles(frame, target="target").with_role("code", R.CATEGORICAL_HIGH)
    once = coerce_frame(frame, roles)
    pd.testing.assert_frame_equal(frame, before)
    pd.testing.assert_frame_equal(coerce_frame(once, roles), once)
    assert once["total"].dtype == np.float64
    assert once["flag"].dtype == np.float64
    assert once["count"].dtype == np.float64
    assert pd.api.types.is_datetime64_any_dtype(once["joined_int"])
    assert once["code"].iloc[0] == str(frame["code"].iloc[0])
    assert once["target"].equals(frame["target"])
    assert once["id"].equals(frame["id"])


def test_coerce_frame_skips_absent_columns_and_keeps_unknown_ones() -> None:
    frame = pd.DataFrame({"paid": ["Yes", "No"] * 10, "y": [0.5, 1.5] * 10})
    roles = infer_roles(frame, target="y")
    scoring = pd.DataFrame({"paid": ["No", "Maybe"], "extra": [1, 2]})
    coerced = coerce_frame(scoring, roles)
    assert coerced["paid"].tolist()[0] == 0.0
    assert np.isnan(coerced["paid"].iloc[1])
    assert coerced["extra"].tolist() == [1, 2]


def test_coerce_frame_refuses_a_boolean_role_without_boolean_values() -> None:
    frame = pd.DataFrame({"gender": ["male", "female"] * 5})
    roles = ColumnRoles(info=infer_roles(frame).info).with_role("gender", R.BOOLEAN)
    with pytest.raises(SchemaError, match="none of its values reads as a boolean"):
        coerce_frame(frame, roles)
