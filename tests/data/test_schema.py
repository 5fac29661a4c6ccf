"""FeatureSchema: learned from a training frame, checked on prediction data (frames and records)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jogak.data._roles import ColumnInfo, ColumnRole, ColumnRoles
from jogak.data._schema import FeatureSchema, SchemaValidationError
from jogak.errors import ConfigError, SchemaError


def _roles(frame: pd.DataFrame, roles: dict[str, ColumnRole],
           formats: dict[str, str] | None = None) -> ColumnRoles:
    formats = formats or {}
    return ColumnRoles(info={
        name: ColumnInfo(name, role, str(frame[name].dtype), int(frame[name].nunique()),
                         float(frame[name].isna().mean()), datetime_format=formats.get(name))
        for name, role in roles.items()
    })


@pytest.fixture
def train() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["c1", "c2", "c3", "c4", "c5", "c6"],
        "age": [23, 35, 47, 51, 62, 30],
        "income": [2.5, 3.1, np.nan, 5.0, 4.2, 2.9],
        "plan": ["basic", "pro", "basic", "vip", "pro", "basic"],
        "active": [True, False, True, True, False, True],
        "joined": pd.to_datetime(["2020-01-05", "2021-03-01", "2019-07-30", "2022-11-11",
                                  "2018-02-14", "2023-05-20"]),
        "churn": [0, 1, 0, 0, 1, 0],
    })


@pytest.fixture
def train_roles(train: pd.DataFrame) -> ColumnRoles:
    return _roles(train, {
        "id": ColumnRole.IDENTIFIER, "age": ColumnRole.NUMERIC, "income": ColumnRole.NUMERIC,
        "plan": ColumnRole.CATEGORICAL_LOW, "active": ColumnRole.BOOLEAN,
        "joined": ColumnRole.DATETIME, "churn": ColumnRole.TARGET,
    })


@pytest.fixture
def schema(train: pd.DataFrame, train_roles: ColumnRoles) -> FeatureSchema:
    return FeatureSchema.from_frame(train, train_roles)


def _row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"age": 40, "income": 3.0, "plan": "pro", "active": True,
                           "joined": "2021-06-01"}
    row.update(overrides)
    return row


# ---------------------------------------------------------------- learning and JSON

def test_feature_schema_learns_columns_dtypes_categories_and_ranges(
        schema: FeatureSchema) -> None:
    assert schema.names == ["age", "income", "plan", "active", "joined"]  # no id, no target
    age, income, plan, active = (schema[name] for name in ("age", "income", "plan", "active"))
    assert (age.dtype, age.role, age.minimum, age.maximum) == ("int64", ColumnRole.NUMERIC, 23, 62)
    assert (income.minimum, income.maximum) == (2.5, 5.0)
    assert income.missing_share == pytest.approx(1 / 6)
    assert plan.categories == ("basic", "pro", "vip")  # most frequent first
    assert plan.n_distinct == 3
    assert not plan.categories_truncated
    assert set(active.categories or ()) == {True, False}
    assert schema["joined"].dtype.startswith("datetime64")
    assert age.categories is None
    assert plan.minimum is None


def test_feature_schema_caps_categories_and_stops_flagging_unseen() -> None:
    frame = pd.DataFrame({"city": [f"c{i % 10}" for i in range(100)] + ["c0"] * 5})
    schema = FeatureSchema.from_frame(
        frame, _roles(frame, {"city": ColumnRole.CATEGORICAL_HIGH}), max_categories=3)
    city = schema["city"]
    assert city.categories_truncated
    assert city.n_distinct == 10
    assert city.categories is not None
    assert len(city.categories) == 3
    assert city.categories[0] == "c0"
    result = schema.validate(pd.DataFrame({"city": ["never-seen"]}), unknown_categories="strict")
    assert result.issues == ()


def test_feature_schema_json_round_trip_keeps_everything(train: pd.DataFrame) -> None:
    frame = train.assign(
        tier=pd.Categorical(["a", "b", "a", "c", "b", "a"], categories=["c", "b", "a"]),
        senior=[0, 1, 0, 0, 1, 1],
        지역=["서울", "부산", "서울", "대구", "서울", "부산"],
        joined_tz=pd.to_datetime(train["joined"]).dt.tz_localize("Asia/Seoul"),
    )
    roles = _roles(frame, {
        "id": ColumnRole.IDENTIFIER, "churn": ColumnRole.TARGET,
        "age": ColumnRole.NUMERIC, "income": ColumnRole.NUMERIC,
        "plan": ColumnRole.CATEGORICAL_LOW, "active": ColumnRole.BOOLEAN,
        "joined": ColumnRole.DATETIME, "tier": ColumnRole.CATEGORICAL_LOW,
        "senior": ColumnRole.BOOLEAN, "지역": ColumnRole.CATEGORICAL_LOW,
        "joined_tz": ColumnRole.DATETIME,
    })
    schema = FeatureSchema.from_frame(frame, roles)
    restored = FeatureSchema.from_dict(json.loads(json.dumps(schema.to_dict(),
                                                             ensure_ascii=False)))
    assert restored == schema
    assert restored.fingerprint() == schema.fingerprint()
    assert restored["tier"].categories == ("c", "b", "a")  # declared order kept
    assert restored["senior"].categories == (0, 1) or restored["senior"].categories == (1, 0)
    assert all(isinstance(level, int) for level in restored["senior"].categories or ())
    pd.testing.assert_frame_equal(restored.validate(frame).frame, schema.validate(frame).frame)
    pd.testing.assert_frame_equal(restored.validate(frame).frame, frame[schema.names])


def test_feature_schema_fingerprint_changes_with_content(schema: FeatureSchema,
                                                         train: pd.DataFrame,
                                                         train_roles: ColumnRoles) -> None:
    other = FeatureSchema.from_frame(train.assign(age=train["age"] + 1), train_roles)
    assert other.fingerprint() != schema.fingerprint()


@pytest.mark.parametrize("data", [
    {"columns": []},
    {"format_version": 1, "columns": [{"name": "a"}]},
    {"format_version": 1, "columns": [{"name": "a", "dtype": "int64", "role": "nonsense",
                                       "missing_share": 0, "n_distinct": 1, "categories": None,
                                       "categories_truncated": False, "minimum": None,
                                       "maximum": None, "datetime_format": None}]},
    {"format_version": 99, "columns": []},
], ids=["no_version", "missing_keys", "bad_role", "newer_format"])
def test_feature_schema_from_dict_rejects_malformed_input(data: dict[str, Any]) -> None:
    with pytest.raises(SchemaError, match="feature schema"):
        FeatureSchema.from_dict(data)


def test_feature_schema_from_frame_rejects_columns_without_role_or_data(
        train: pd.DataFrame, train_roles: ColumnRoles) -> None:
    with pytest.raises(SchemaError, match=r"columns \['nope'\] are not in the frame"):
        FeatureSchema.from_frame(train, train_roles, columns=["age", "nope"])
    with pytest.raises(SchemaError, match=r"columns \['extra'\] have no role"):
        FeatureSchema.from_frame(train.assign(extra=1), train_roles)
    with pytest.raises(SchemaError, match="empty frame"):
        FeatureSchema.from_frame(train.iloc[:0], train_roles)


# ---------------------------------------------------------------- columns

def test_validate_returns_training_columns_order_dtypes_and_index(
        schema: FeatureSchema, train: pd.DataFrame) -> None:
    shuffled = train.iloc[::-1][["joined", "plan", "churn", "income", "id", "active", "age"]]
    result = schema.validate(shuffled)
    assert list(result.frame.columns) == schema.names
    assert list(result.frame.index) == list(shuffled.index)
    pd.testing.assert_frame_equal(result.frame, shuffled[schema.names])
    assert {(issue.column, issue.rule) for issue in result.issues} == {
        ("id", "extra_column"), ("churn", "extra_column")}


def test_validate_missing_column_is_named_with_received_columns_and_close_match(
        schema: FeatureSchema, train: pd.DataFrame) -> None:
    frame = train.rename(columns={"plan": "Plan"}).drop(columns=["income"])
    with pytest.raises(SchemaValidationError,
                       match=r"Column 'income' is missing\..*Column 'plan' is missing "
                             r"\(did you mean 'Plan'\?\).*Received 6 column\(s\): 'id'"
                       ) as caught:
        schema.validate(frame)
    missing = {issue.column for issue in caught.value.issues if issue.rule == "missing_column"}
    assert missing == {"plan", "income"}
    assert isinstance(caught.value, SchemaError)
    assert isinstance(caught.value, ValueError)


def test_validate_extra_columns_dropped_or_refused(schema: FeatureSchema,
                                                   train: pd.DataFrame) -> None:
    frame = train.assign(extra=1)
    dropped = schema.validate(frame, extra_columns="drop")
    assert "extra" not in dropped.frame.columns
    assert [issue.count for issue in dropped.issues if issue.column == "extra"] == [len(frame)]
    with pytest.raises(SchemaValidationError, match=r"\[extra_column\] Column 'extra' is not a "
                                                    "model feature"):
        schema.validate(frame, extra_columns="error")


def test_validate_accepts_all_missing_columns(schema: FeatureSchema) -> None:
    frame = pd.DataFrame({name: [None, None] for name in schema.names})
    result = schema.validate(frame)
    assert result.issues == ()
    assert result.frame.isna().all().all()
    assert result.frame["income"].dtype == "float64"
    assert str(result.frame["joined"].dtype) == str(schema["joined"].dtype)


# ---------------------------------------------------------------- values

@pytest.mark.parametrize(("column", "values", "quoted"), [
    ("age", ["41", "abc", "x_1"], "'abc', 'x_1'"),
    ("income", ["3.5", "1,200"], "'1,200'"),
    ("active", ["yes", "maybe"], "'maybe'"),
    ("joined", ["2020-01-01", "not a date"], "'not a date'"),
    ("joined", ["2020-01-01", 20200101], "20200101"),
], ids=["int", "float", "bool", "date", "number_as_date"])
def test_validate_unreadable_values_name_column_rule_and_examples(
        schema: FeatureSchema, column: str, values: list[Any], quoted: str) -> None:
    frame = pd.DataFrame([_row()] * len(values)).astype(object)
    frame[column] = pd.Series(values, dtype=object)
    pattern = rf"\[dtype\] Column '{column}': \d value\(s\) cannot be read"
    with pytest.raises(SchemaValidationError, match=pattern) as caught:
        schema.validate(frame)
    assert quoted in str(caught.value)
    assert [(issue.column, issue.rule, issue.severity) for issue in caught.value.issues] == [
        (column, "dtype", "error")]


def test_validate_reads_text_numbers_booleans_and_dates(schema: FeatureSchema) -> None:
    frame = pd.DataFrame({"age": ["40", " 52 ", ""], "income": ["3.5", None, "4"],
                          "plan": ["pro", "basic", None], "active": ["Yes", "0", "true"],
                          "joined": ["2021-06-01", "2020-01-02T10:00:00+09:00", " "]})
    out = schema.validate(frame).frame
    assert out["age"].tolist()[:2] == [40.0, 52.0]
    assert np.isnan(out["age"].iloc[2])
    assert out["age"].dtype == "float64"  # a missing value cannot live in int64
    assert out["income"].tolist()[0] == 3.5
    assert out["income"].dtype == "float64"
    assert out["active"].tolist() == [True, False, True]
    assert out["active"].dtype == bool
    assert out["joined"].tolist()[:2] == [pd.Timestamp("2021-06-01"),
                                          pd.Timestamp("2020-01-02 01:00")]  # to UTC
    assert out["joined"].isna().iloc[2]


def test_validate_unseen_categories_counted_or_refused(schema: FeatureSchema) -> None:
    frame = pd.DataFrame([_row(plan="gold"), _row(plan="gold"), _row(plan="pro"),
                          _row(active="no")])
    result = schema.validate(frame)
    assert [(issue.column, issue.rule, issue.count) for issue in result.issues] == [
        ("plan", "unseen_category", 2)]
    assert result.frame["plan"].tolist() == ["gold", "gold", "pro", "pro"]
    assert "gold" not in result.issues[0].message  # warnings carry counts, never values
    with pytest.raises(SchemaValidationError, match=r"Column 'plan': 2 value\(s\) were never "
                                                    r"seen in training, e.g. 'gold'"):
        schema.validate(frame, unknown_categories="strict")


def test_validate_counts_out_of_range_values_without_failing(schema: FeatureSchema) -> None:
    frame = pd.DataFrame([_row(age=10), _row(age=99), _row(age=40), _row(income=1e6)])
    result = schema.validate(frame)
    counts = {(issue.column, issue.rule): issue.count for issue in result.issues}
    assert counts == {("age", "out_of_range"): 2, ("income", "out_of_range"): 1}
    assert all(issue.severity == "warning" for issue in result.issues)
    assert result.frame["age"].tolist() == [10, 99, 40, 40]


def test_validate_category_dtype_keeps_training_categories() -> None:
    frame = pd.DataFrame({"tier": pd.Categorical(["a", "b", "a"], categories=["a", "b", "c"])})
    schema = FeatureSchema.from_frame(frame, _roles(frame, {"tier": ColumnRole.CATEGORICAL_LOW}))
    result = schema.validate(pd.DataFrame({"tier": ["c", "z", None]}))
    assert list(result.frame["tier"].cat.categories) == ["a", "b", "c"]
    assert result.frame["tier"].tolist()[0] == "c"
    assert result.frame["tier"].isna().sum() == 2
    assert [(issue.rule, issue.count) for issue in result.issues] == [("unseen_category", 1)]


def test_validate_checks_text_and_integer_date_formats() -> None:
    frame = pd.DataFrame({"day": ["2024-01-05", "2024-02-10"], "ymd": [20240105, 20240210]})
    roles = _roles(frame, {"day": ColumnRole.DATETIME, "ymd": ColumnRole.DATETIME},
                   formats={"day": "%Y-%m-%d", "ymd": "yyyymmdd"})
    schema = FeatureSchema.from_frame(frame, roles)
    ok = schema.validate(pd.DataFrame({"day": ["2023-12-31"], "ymd": [20231231]}))
    assert ok.issues == ()
    assert ok.frame["ymd"].dtype == "int64"
    with pytest.raises(SchemaValidationError, match=r"\[datetime_format\] Column 'ymd'.*"
                                                    r"'yyyymmdd', e.g. 20231399\."):
        schema.validate(pd.DataFrame({"day": ["2023-12-31"], "ymd": [20231399]}))
    with pytest.raises(SchemaValidationError, match=r"Column 'day'.*'%Y-%m-%d', e.g. '31/12/2023'"):
        schema.validate_record({"day": "31/12/2023", "ymd": 20231231})


@pytest.mark.parametrize(("keyword", "value"), [("unknown_categories", "lenient"),
                                                ("extra_columns", "keep")])
def test_validate_rejects_unknown_options(schema: FeatureSchema, train: pd.DataFrame,
                                          keyword: str, value: str) -> None:
    options: dict[str, Any] = {keyword: value}
    with pytest.raises(ConfigError, match=keyword):
        schema.validate(train, **options)


def test_validate_rejects_non_frames_and_duplicate_columns(schema: FeatureSchema) -> None:
    with pytest.raises(SchemaError, match="Expected a pandas DataFrame, got list"):
        schema.validate([1, 2])
    frame = pd.DataFrame([[1, 2]], columns=["age", "age"])
    with pytest.raises(SchemaError, match=r"repeated: \['age'\]"):
        schema.validate(frame)


# ---------------------------------------------------------------- one row and records

@pytest.mark.parametrize("record", [
    _row(),
    _row(age="52", income=None, active="no"),
    _row(plan="gold", joined=None, active=0),
    _row(age=5.0, income="7", joined="2020-01-02T10:00:00+09:00", extra="dropped"),
    {"age": None, "income": None, "plan": None, "active": None, "joined": None},
], ids=["plain", "text_values", "unseen_and_missing", "coerced_and_extra", "all_missing"])
def test_validate_record_matches_one_row_frame(schema: FeatureSchema,
                                               record: dict[str, Any]) -> None:
    by_record = schema.validate_record(record)
    by_frame = schema.validate(pd.DataFrame([record]))
    pd.testing.assert_frame_equal(by_record.to_frame(), by_frame.frame)
    assert by_record.issues == by_frame.issues
    assert list(by_record.record) == schema.names


def test_validate_record_errors_match_frame_errors(schema: FeatureSchema) -> None:
    record = _row(age="abc", plan="gold")
    del record["income"]
    with pytest.raises(SchemaValidationError) as by_record:
        schema.validate_record(record, unknown_categories="strict")
    with pytest.raises(SchemaValidationError) as by_frame:
        schema.validate(pd.DataFrame([record]), unknown_categories="strict")
    assert by_record.value.issues == by_frame.value.issues
    assert [issue.rule for issue in by_record.value.issues] == [
        "missing_column", "dtype", "unseen_category"]


def test_validate_record_rejects_non_mappings(schema: FeatureSchema) -> None:
    with pytest.raises(SchemaError, match="Expected a mapping"):
        schema.validate_record([("age", 1)])  # type: ignore[arg-type]


def test_validate_record_refuses_unhashable_categories_under_strict(
        schema: FeatureSchema) -> None:
    with pytest.raises(SchemaValidationError, match="unseen_category"):
        schema.validate_record(_row(plan=["pro"]), unknown_categories="strict")


# ---------------------------------------------------------------- Korean data

def test_schema_handles_korean_names_and_values() -> None:
    train = pd.DataFrame({"지역": ["서울", "부산", "서울", "대구"], "나이": [31, 45, 28, 52],
                          "가입일": ["2021-01-01", "2022-02-02", "2020-03-03", "2019-04-04"]})
    roles = _roles(train, {"지역": ColumnRole.CATEGORICAL_LOW, "나이": ColumnRole.NUMERIC,
                           "가입일": ColumnRole.DATETIME}, formats={"가입일": "%Y-%m-%d"})
    schema = FeatureSchema.from_frame(train, roles)
    restored = FeatureSchema.from_dict(json.loads(json.dumps(schema.to_dict(),
                                                             ensure_ascii=False)))
    result = restored.validate(pd.DataFrame({"나이": ["40"], "지역": ["제주"],
                                             "가입일": ["2023-01-01"]}))
    assert result.frame.columns.tolist() == ["지역", "나이", "가입일"]
    assert [(issue.column, issue.rule) for issue in result.issues] == [
        ("지역", "unseen_category")]
    with pytest.raises(SchemaValidationError, match="Column '지역' is missing .*'지역 '"):
        restored.validate(pd.DataFrame({"지역 ": ["서울"], "나이": [40], "가입일": [None]}))
    with pytest.raises(SchemaValidationError, match="Column '나이'.*e.g. '마흔'"):
        restored.validate_record({"지역": "서울", "나이": "마흔", "가입일": None})


# ---------------------------------------------------------------- real data

def _telco(data_dir: Path) -> tuple[pd.DataFrame, ColumnRoles]:
    frame = pd.read_csv(data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz")
    # 11 new customers hold a blank TotalCharges (SOURCE.md)
    frame["TotalCharges"] = pd.to_numeric(frame["TotalCharges"], errors="coerce")
    numeric = {"tenure", "MonthlyCharges", "TotalCharges"}
    roles: dict[str, ColumnRole] = {}
    for name in frame.columns:
        if name == "customerID":
            roles[name] = ColumnRole.IDENTIFIER
        elif name == "Churn":
            roles[name] = ColumnRole.TARGET
        elif name in numeric:
            roles[name] = ColumnRole.NUMERIC
        elif frame[name].nunique() == 2:
            roles[name] = ColumnRole.BOOLEAN
        else:
            roles[name] = ColumnRole.CATEGORICAL_LOW
    return frame, _roles(frame, roles)


def test_telco_schema_validates_its_own_rows_and_names_a_missing_column(
        data_dir: Path) -> None:
    frame, roles = _telco(data_dir)
    schema = FeatureSchema.from_frame(frame, roles)
    assert len(schema.names) == 19
    assert schema["Contract"].categories is not None
    assert set(schema["Contract"].categories) == {"Month-to-month", "One year", "Two year"}
    assert schema["TotalCharges"].missing_share == pytest.approx(11 / 7043)
    features = frame[schema.names]
    result = schema.validate(features)
    assert result.issues == ()
    pd.testing.assert_frame_equal(result.frame, features)
    record = frame.iloc[42].to_dict()
    assert [issue.column for issue in schema.validate_record(record).issues] == [
        "customerID", "Churn"]
    with pytest.raises(SchemaValidationError, match=r"\[missing_column\] Column 'Contract' is "
                                                    "missing") as caught:
        schema.validate(features.drop(columns=["Contract"]))
    assert [issue.column for issue in caught.value.issues] == ["Contract"]


@pytest.mark.parametrize("value", [0.5, -3.0, 1e9, -1e9, float("nan"), float("inf"),
                                   np.float64(2.5), np.float64("nan"), 7, "4.5", None, True])
def test_a_float_column_reads_a_record_value_as_a_one_row_frame_would(value: Any) -> None:
    # floats take a shorter path in validate_record; it must agree with validate() on frames
    train = pd.DataFrame({"price": [1.5, 2.25, 9.75], "age": [30, 41, 52]})
    roles = ColumnRoles(info={
        "price": ColumnInfo("price", ColumnRole.NUMERIC, "float64", 3, 0.0),
        "age": ColumnInfo("age", ColumnRole.NUMERIC, "int64", 3, 0.0)})
    schema = FeatureSchema.from_frame(train, roles)
    record = {"price": value, "age": 35}
    from_record = schema.validate_record(record)
    from_frame = schema.validate(pd.DataFrame([record], dtype=object))
    assert [(i.column, i.rule, i.severity) for i in from_record.issues] == \
        [(i.column, i.rule, i.severity) for i in from_frame.issues]
    pd.testing.assert_frame_equal(from_record.to_frame(), from_frame.frame)
    price = from_record.record["price"]
    assert price is None or type(price) is float
