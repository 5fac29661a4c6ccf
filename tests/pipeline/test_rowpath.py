"""The single-row fast path equals the frame path: ``transform(coerce_frame(one-row frame))``."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from jogak.data import ColumnInfo, ColumnRole, ColumnRoles, coerce_frame, infer_roles
from jogak.data._coerce import yyyymmdd_to_datetimes
from jogak.data._schema import FeatureSchema
from jogak.errors import ConfigError, NotFittedError, SchemaError
from jogak.pipeline import (
    ColumnScaler,
    DateFeatures,
    FeatureStyle,
    MissingImputer,
    build_preprocessor,
)
from jogak.pipeline._rowpath import RowTransform, compile_row_transform
from jogak.pipeline._rowpath_coerce import EXOTIC, coercer_for, yyyymmdd_day
from jogak.testing import make_classification_frame

STYLES = [FeatureStyle.SCALED, FeatureStyle.TREE, FeatureStyle.NATIVE]


# ---------------------------------------------------------------- helpers

def _reference(preprocessor: Any, roles: ColumnRoles, record: Mapping[str, Any]) -> np.ndarray:
    out = preprocessor.transform(coerce_frame(pd.DataFrame([dict(record)]), roles))
    return np.asarray(out.toarray() if sp.issparse(out) else out, dtype=np.float64)[0]


def _assert_row_equal(row: RowTransform, preprocessor: Any, roles: ColumnRoles,
                      record: Mapping[str, Any]) -> None:
    got = row(record)
    expected = _reference(preprocessor, roles, record)
    assert got.dtype == np.float64
    assert got.shape == expected.shape == (row.n_outputs,)
    np.testing.assert_allclose(got, expected, rtol=1e-9, err_msg=repr(dict(record)))


def _validated(frame: pd.DataFrame, roles: ColumnRoles, rows: np.ndarray) -> list[dict[str, Any]]:
    """Rows as FeatureSchema.validate_record returns them (the input the path is built for)."""
    features = roles.features
    # validate_record refuses epoch values ("not dates in the training format 'epoch_s'"):
    # check the other columns and keep epochs as the integers a client sends.
    epochs = [name for name in features
              if roles.info[name].datetime_format in ("epoch_s", "epoch_ms")]
    checked = [name for name in features if name not in epochs]
    schema = FeatureSchema.from_frame(frame[checked], roles)
    out = []
    for position in rows:
        values = frame.iloc[int(position)]
        record = schema.validate_record({name: values[name] for name in checked}).record
        record.update({name: int(values[name]) for name in epochs})
        out.append({name: record[name] for name in features})
    return out


def _synthetic(n_rows: int, seed: int, n_classes: int = 2) -> pd.DataFrame:
    """make_classification_frame plus every other kind of raw column coerce_frame handles."""
    frame = make_classification_frame(n_rows, seed=seed, n_classes=n_classes)
    rng = np.random.default_rng(seed)
    frame["paid"] = np.where(rng.random(n_rows) < 0.4, "Yes", "No")
    total = np.round(frame["amount"].fillna(1.0).to_numpy() * 37.0, 2)
    text = [f"{value:,.2f}" if value >= 1000 and k % 3 == 0 else f"{value:.2f}"
            for k, value in enumerate(total)]
    frame["total_text"] = np.where(rng.random(n_rows) < 0.05, " ", text)
    joined = frame["joined"].dt.strftime("%Y.%m.%d")
    frame["joined_text"] = joined.mask(rng.random(n_rows) < 0.05)
    visits = frame["joined"] + pd.to_timedelta(rng.integers(0, 400, n_rows), unit="D")
    frame["visit_text"] = visits.dt.strftime("%d/%m/%Y")
    frame["signup_ts"] = rng.integers(1_400_000_000, 1_700_000_000, n_rows)
    frame["empty_num"] = np.nan
    frame["empty_cat"] = pd.Series([None] * n_rows, dtype=object)
    return frame


def _roles(frame: pd.DataFrame) -> ColumnRoles:
    roles = infer_roles(frame, target="target")
    return (roles.with_role("empty_num", ColumnRole.NUMERIC)
            .with_role("empty_cat", ColumnRole.CATEGORICAL_LOW))


def _fitted(frame: pd.DataFrame, roles: ColumnRoles, style: FeatureStyle,
            **options: Any) -> Any:
    X = coerce_frame(frame[roles.features], roles)
    return build_preprocessor(roles, style, random_state=0, **options).fit(X, frame["target"])


@pytest.fixture(scope="module")
def synthetic() -> tuple[pd.DataFrame, ColumnRoles]:
    frame = _synthetic(240, seed=3)
    return frame, _roles(frame)


@pytest.fixture(scope="module")
def fitted(synthetic: tuple[pd.DataFrame, ColumnRoles]) -> dict[FeatureStyle, Any]:
    frame, roles = synthetic
    return {style: _fitted(frame, roles, style, svd_components=8) for style in STYLES}


def _edge_records(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Variations of a validated record: missing, unseen, huge, odd but valid values."""
    everything_missing = dict.fromkeys(record)
    unseen = {**record, "color": "purple", "city": "atlantis", "synopsis": "Zzz qqq!!",
              "joined_text": "1999.12.31", "paid": "no", "visit_text": "01/01/1990"}
    huge = {**record, "num": 1e300, "amount": -1e300, "count": 10**15, "total_text": "9e300",
            "joined": pd.Timestamp("2261-12-31 23:59:59"), "joined_int": 19000101,
            "signup_ts": 4_000_000_000, "empty_num": 1e308}
    odd = {**record, "num": "1,234.5", "amount": True, "count": np.int32(7), "flag": 1,
           "color": 41, "city": 7.0, "paid": " YES ", "total_text": 12.5,
           "joined": pd.Timestamp("1969-07-20 20:17:40.123456"), "joined_int": 20190230,
           "synopsis": "(Feat. IU) 밤편지 [OST]", "empty_cat": "x", "joined_text": " 2020.2.29 ",
           "visit_text": " 1/2/2020"}
    exotic = {**record, "num": "inf", "amount": "n/a", "city": dt.datetime(2020, 1, 1),
              "joined": pd.Timestamp("2021-03-04 05:06:07", tz="Asia/Seoul"),
              "joined_int": 99991231, "joined_text": "2020-01-05", "color": 2**60,
              "signup_ts": 1.5e9 + 0.25, "visit_text": "30/02/2020"}
    return [everything_missing, unseen, huge, odd, exotic]


# ---------------------------------------------------------------- equivalence, synthetic data

def test_synthetic_frame_covers_every_role_and_format(
        synthetic: tuple[pd.DataFrame, ColumnRoles]) -> None:
    _, roles = synthetic
    expected = {"num": ColumnRole.NUMERIC, "total_text": ColumnRole.NUMERIC,
                "flag": ColumnRole.BOOLEAN, "paid": ColumnRole.BOOLEAN,
                "color": ColumnRole.CATEGORICAL_LOW, "city": ColumnRole.CATEGORICAL_HIGH,
                "joined": ColumnRole.DATETIME, "joined_int": ColumnRole.DATETIME,
                "joined_text": ColumnRole.DATETIME, "visit_text": ColumnRole.DATETIME,
                "signup_ts": ColumnRole.DATETIME,
                "synopsis": ColumnRole.TEXT, "empty_num": ColumnRole.NUMERIC,
                "empty_cat": ColumnRole.CATEGORICAL_LOW}
    assert {name: roles[name] for name in expected} == expected
    formats = {name: roles.info[name].datetime_format
               for name in ("joined_int", "joined_text", "visit_text", "signup_ts")}
    # pandas' lenient ISO8601 reads 2020.01.05; 31/12/2019 needs a strptime format
    assert formats == {"joined_int": "yyyymmdd", "joined_text": "ISO8601",
                       "visit_text": "%d/%m/%Y", "signup_ts": "epoch_s"}


@pytest.mark.parametrize("style", STYLES, ids=[style.value for style in STYLES])
def test_row_transform_equals_frame_transform_on_validated_records(
        style: FeatureStyle, synthetic: tuple[pd.DataFrame, ColumnRoles],
        fitted: dict[FeatureStyle, Any]) -> None:
    frame, roles = synthetic
    preprocessor = fitted[style]
    row = compile_row_transform(preprocessor, roles)
    assert row.is_fully_compiled
    assert row.fallback_steps == ()
    rows = np.random.default_rng(1).choice(len(frame), size=30, replace=False)
    for record in _validated(frame, roles, rows):
        _assert_row_equal(row, preprocessor, roles, record)


@pytest.mark.parametrize("style", STYLES, ids=[style.value for style in STYLES])
def test_row_transform_equals_frame_transform_on_missing_unseen_huge_and_odd_values(
        style: FeatureStyle, synthetic: tuple[pd.DataFrame, ColumnRoles],
        fitted: dict[FeatureStyle, Any]) -> None:
    frame, roles = synthetic
    row = compile_row_transform(fitted[style], roles)
    for record in _edge_records(_validated(frame, roles, np.array([0]))[0]):
        _assert_row_equal(row, fitted[style], roles, record)


@pytest.mark.parametrize(("style", "n_classes"),
                         [(FeatureStyle.TREE, 3), (FeatureStyle.SCALED, 3),
                          (FeatureStyle.TREE, 0)],
                         ids=["tree-multiclass", "scaled-multiclass", "tree-regression"])
def test_row_transform_equals_frame_transform_for_other_targets(style: FeatureStyle,
                                                                 n_classes: int) -> None:
    frame = _synthetic(150, seed=5, n_classes=max(n_classes, 2))
    if n_classes == 0:
        frame["target"] = frame["num"].fillna(0.0) * 2.0 + frame["count"]
    roles = _roles(frame)
    preprocessor = _fitted(frame, roles, style, svd_components=4)
    row = compile_row_transform(preprocessor, roles)
    rows = np.arange(0, 150, 15)
    for record in _validated(frame, roles, rows):
        _assert_row_equal(row, preprocessor, roles, record)


def test_row_transform_reads_records_without_pandas(
        synthetic: tuple[pd.DataFrame, ColumnRoles], fitted: dict[FeatureStyle, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    frame, roles = synthetic
    rows = _validated(frame, roles, np.arange(12))
    expected = {style: [compile_row_transform(fitted[style], roles)(r) for r in rows]
                for style in STYLES}

    def no_frames(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the compiled path built a frame")

    monkeypatch.setattr("jogak.pipeline._rowpath.coerce_frame", no_frames)
    for style in STYLES:
        row = compile_row_transform(fitted[style], roles)
        for record, before in zip(rows, expected[style], strict=True):
            np.testing.assert_array_equal(row(record), before)


def test_row_transform_survives_a_pickle_round_trip(
        synthetic: tuple[pd.DataFrame, ColumnRoles], fitted: dict[FeatureStyle, Any]) -> None:
    frame, roles = synthetic
    records = _validated(frame, roles, np.arange(5))
    for style in STYLES:
        row = compile_row_transform(fitted[style], roles)
        buffer = io.BytesIO()
        joblib.dump(row, buffer)
        buffer.seek(0)
        loaded = joblib.load(buffer)  # noqa: TID251 - our own object, round trip in memory
        assert loaded.is_fully_compiled
        assert loaded.columns == row.columns
        for record in [*records, *_edge_records(records[0])]:
            np.testing.assert_array_equal(loaded(record), row(record))


# ---------------------------------------------------------------- fallbacks and tails

def _small_frame() -> tuple[pd.DataFrame, ColumnRoles]:
    frame = make_classification_frame(120, seed=7)
    frame["holiday_date"] = pd.to_datetime("2020-01-01") + pd.to_timedelta(
        np.arange(120) * 3, unit="D")
    return frame, infer_roles(frame, target="target")


def test_steps_without_compiled_form_take_the_exact_route() -> None:
    frame, roles = _small_frame()
    numeric = roles.columns(ColumnRole.NUMERIC)
    preprocessor = ColumnTransformer([
        ("iterative", MissingImputer(strategy="iterative", random_state=0), numeric),
        ("sklearn", StandardScaler(), numeric),
        ("dates", DateFeatures(holiday_country="KR", add_indicator=True), ["holiday_date"]),
    ]).fit(coerce_frame(frame, roles))
    row = compile_row_transform(preprocessor, roles)
    assert not row.is_fully_compiled
    assert row.fallback_steps == ("iterative", "sklearn")
    records = _validated(frame, roles, np.arange(0, 120, 20))
    # holidays of a year outside the training years (+-1) are looked up per call
    records += [{**records[0], "holiday_date": pd.Timestamp("2030-03-01"), "num": None}]
    for record in records:
        _assert_row_equal(row, preprocessor, roles, record)


def test_pipeline_tail_after_the_column_transformer_is_applied() -> None:
    frame, roles = _small_frame()
    X = coerce_frame(frame[roles.features], roles)
    compiled_tail = Pipeline([("pre", build_preprocessor(roles, "tree")),
                              ("scale", ColumnScaler())]).fit(X, frame["target"])
    foreign_tail = Pipeline([("pre", build_preprocessor(roles, "tree")),
                             ("scale", StandardScaler())]).fit(X, frame["target"])
    assert compile_row_transform(compiled_tail, roles).is_fully_compiled
    assert compile_row_transform(foreign_tail, roles).fallback_steps == ("scale",)
    for preprocessor in (compiled_tail, foreign_tail):
        row = compile_row_transform(preprocessor, roles)
        for record in _validated(frame, roles, np.arange(0, 120, 30)):
            _assert_row_equal(row, preprocessor, roles, record)


# ---------------------------------------------------------------- per-value coercion

_VALUES = [None, np.nan, 0, 1, 2, -3, 1.0, 0.0, 2.5, -0.0, True, False, np.int32(5),
           np.float32(1.5), np.bool_(True), "1", " 2.5 ", "1,234.5", "", " ", "yes", "No",
           " TRUE ", "abc", "1e5", ".5", "+4", "12,34", "0", "1.0", "예", 41.0, 1e20, 2**60,
           "2020-01-05", "20200105", 20200105, 20200230, 20200105.7, 1600000000,
           1600000000000, pd.Timestamp("2021-03-04 05:06:07"),
           pd.Timestamp("2021-03-04 05:06:07", tz="Asia/Seoul"), np.datetime64("2020-02-02"),
           dt.datetime(2020, 1, 2, 3, 4), "03/04/2021", "2021.03.04", "2021-13-01",
           "2020-01-05T10:20:30", "2020-01-05 10:20", "2020-01-05T10:20:30.123",
           "4 Mar 2021", "March 4, 2021", 1e300, np.float64(3.0)]
_CASES = [(ColumnRole.NUMERIC, None), (ColumnRole.BOOLEAN, None),
          (ColumnRole.CATEGORICAL_LOW, None), (ColumnRole.TEXT, None),
          *[(ColumnRole.DATETIME, fmt) for fmt in (None, "ISO8601", "yyyymmdd", "%Y%m%d",
                                                   "epoch_s", "epoch_ms", "%m/%d/%Y",
                                                   "%Y.%m.%d", "%d %b %Y", "%B %d, %Y")]]


def _coerced_cell(role: ColumnRole, fmt: str | None, value: Any) -> Any:
    roles = ColumnRoles(info={"c": ColumnInfo("c", role, "object", 2, 0.0,
                                              datetime_format=fmt)})
    return coerce_frame(pd.DataFrame([{"c": value}]), roles)["c"].iloc[0]


def _same_cell(role: ColumnRole, expected: Any, got: Any) -> bool:
    if role in (ColumnRole.NUMERIC, ColumnRole.BOOLEAN):
        return isinstance(got, float) and (got == expected or (got != got and expected != expected))
    if role is not ColumnRole.DATETIME:
        return (got is None and pd.isna(expected)) or got == expected
    if isinstance(got, float):  # a number coerce_frame leaves alone
        return got == expected or (got != got and pd.isna(expected))
    if np.isnat(got):
        return bool(pd.isna(expected))
    stamp = pd.Timestamp(expected)
    return stamp.tz_localize(None).to_datetime64() == got if stamp.tz else \
        stamp.to_datetime64() == got


@pytest.mark.parametrize(("role", "fmt"), _CASES,
                         ids=[f"{role.value}-{fmt}" for role, fmt in _CASES])
def test_value_coercion_matches_coerce_frame(role: ColumnRole, fmt: str | None) -> None:
    func, arg = coercer_for(ColumnInfo("c", role, "object", 2, 0.0, datetime_format=fmt))
    n_fast = 0
    for value in _VALUES:
        got = func(value, arg)
        if got is EXOTIC:
            continue  # such values take the exact route
        n_fast += 1
        assert _same_cell(role, _coerced_cell(role, fmt, value), got), (value, got)
    assert n_fast >= 8


@pytest.mark.parametrize(("role", "fmt", "values"), [
    (ColumnRole.NUMERIC, None, [None, 3, 2.5, " 1,234.5 ", " ", True, np.int64(4)]),
    (ColumnRole.BOOLEAN, None, [None, True, 0, 1.0, "Yes", " n ", "예"]),
    (ColumnRole.CATEGORICAL_HIGH, None, [None, "a", 41, 41.0, 2.5, False]),
    (ColumnRole.DATETIME, "yyyymmdd", [None, 20200105, 20200230.0]),
    (ColumnRole.DATETIME, "%Y.%m.%d", [None, "2020.01.05", " 2020.1.5 "]),
    (ColumnRole.DATETIME, "epoch_ms", [None, 1_600_000_000_000]),
    (ColumnRole.DATETIME, None, [None, pd.Timestamp("2020-01-01"), "2020-01-05 10:20"]),
], ids=["numeric", "boolean", "categorical", "yyyymmdd", "text-date", "epoch", "timestamps"])
def test_value_coercion_covers_the_usual_values(role: ColumnRole, fmt: str | None,
                                                values: list[Any]) -> None:
    func, arg = coercer_for(ColumnInfo("c", role, "object", 2, 0.0, datetime_format=fmt))
    assert all(func(value, arg) is not EXOTIC for value in values)


@pytest.mark.parametrize("fmt", ["ISO8601", "%d/%m/%Y", "%Y.%m.%d", "%Y년 %m월 %d일"])
def test_date_text_parsing_matches_coerce_frame(fmt: str) -> None:
    texts = ["2015.01.05", "2015/1/5", "2015-01-05", "2015-1-5 1:2:3", "2015-01-05T10:20:30.5",
             "2015.01.05 10:20", "2015-02-29", "2016-02-29", "2015-13-01", "05/01/2015",
             "31/12/2019", " 1/2/2020 ", "2019년 3월 5일", "2019년 03월 05일", "2015.01.05.",
             "2015-01-05  10:20", "1600-01-01", "2300-01-01", "2015-01-05T10:20:30+09:00",
             "2015.1.5", "2019.12.31", "2019.02.29", "2020.02.29"]
    func, arg = coercer_for(ColumnInfo("c", ColumnRole.DATETIME, "object", 2, 0.0,
                                       datetime_format=fmt))
    n_fast = 0
    for text in texts:
        got = func(text, arg)
        if got is not EXOTIC:
            n_fast += 1
            expected = _coerced_cell(ColumnRole.DATETIME, fmt, text)
            assert _same_cell(ColumnRole.DATETIME, expected, got), (text, expected, got)
    assert n_fast >= 2


def test_yyyymmdd_day_matches_the_frame_parser() -> None:
    rng = np.random.default_rng(0)
    numbers = np.concatenate([
        rng.integers(17000101, 22601231, 3000),
        (rng.integers(1800, 2200, 2000) * 10000 + rng.integers(0, 14, 2000) * 100
         + rng.integers(0, 33, 2000)),
        [20200229, 20190229, 21000229, 20000229, 20201231, 20210431],
    ]).astype(np.float64)
    expected = yyyymmdd_to_datetimes(numbers).to_numpy().astype("datetime64[D]")
    got = np.array([yyyymmdd_day(float(number)) for number in numbers], dtype="datetime64[D]")
    np.testing.assert_array_equal(got, expected)
    assert np.isnat(yyyymmdd_day(20200105.5))


# ---------------------------------------------------------------- errors

def test_row_transform_raises_like_the_frame_path_for_a_non_boolean_word(
        synthetic: tuple[pd.DataFrame, ColumnRoles], fitted: dict[FeatureStyle, Any]) -> None:
    frame, roles = synthetic
    record = {**_validated(frame, roles, np.array([0]))[0], "paid": "Maybe"}
    row = compile_row_transform(fitted[FeatureStyle.TREE], roles)
    with pytest.raises(SchemaError, match="none of its values reads as a boolean"):
        _reference(fitted[FeatureStyle.TREE], roles, record)
    with pytest.raises(SchemaError, match="none of its values reads as a boolean"):
        row(record)


def test_row_transform_rejects_bad_records(synthetic: tuple[pd.DataFrame, ColumnRoles],
                                           fitted: dict[FeatureStyle, Any]) -> None:
    frame, roles = synthetic
    row = compile_row_transform(fitted[FeatureStyle.NATIVE], roles)
    record = _validated(frame, roles, np.array([0]))[0]
    with pytest.raises(SchemaError, match="The record has no column 'color'"):
        row({key: value for key, value in record.items() if key != "color"})
    with pytest.raises(SchemaError, match="takes one record as a mapping.*got list"):
        row(list(record.values()))  # type: ignore[arg-type]


def test_compile_row_transform_rejects_what_it_cannot_compile(
        synthetic: tuple[pd.DataFrame, ColumnRoles]) -> None:
    frame, roles = synthetic
    with pytest.raises(NotFittedError, match="not fitted yet"):
        compile_row_transform(build_preprocessor(roles, "tree"), roles)
    with pytest.raises(ConfigError, match="needs a fitted ColumnTransformer.*got StandardScaler"):
        compile_row_transform(StandardScaler(), roles)
    with pytest.raises(ConfigError, match="needs the ColumnRoles"):
        compile_row_transform(build_preprocessor(roles, "tree"), {"num": "numeric"})
    numbers = frame[["num", "count"]].to_numpy()
    on_array = ColumnTransformer([("scale", ColumnScaler(), [0, 1])]).fit(numbers)
    with pytest.raises(ConfigError, match="fitted on an array"):
        compile_row_transform(on_array, roles)
    with_learner = Pipeline([("pre", build_preprocessor(roles, "tree")),
                             ("model", _Predictor())])
    with pytest.raises(ConfigError, match="step 'model'.*has no transform"):
        compile_row_transform(with_learner, roles)


class _Predictor:
    def fit(self, X: Any, y: Any = None) -> _Predictor:
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.zeros(len(X))


# ---------------------------------------------------------------- real data

def _real_check(frame: pd.DataFrame, target: str, seed: int) -> None:
    roles = infer_roles(frame, target=target)
    features = roles.features
    train = frame.sample(n=min(len(frame), 4000), random_state=seed)
    X = coerce_frame(train[features], roles)
    rows = np.random.default_rng(seed).choice(len(frame), size=200, replace=False)
    records = _validated(frame, roles, rows)
    for style in STYLES:
        preprocessor = build_preprocessor(roles, style, random_state=0).fit(X, train[target])
        row = compile_row_transform(preprocessor, roles)
        assert row.is_fully_compiled
        for record in records:
            _assert_row_equal(row, preprocessor, roles, record)


@pytest.mark.slow
def test_row_transform_equals_frame_transform_on_telco_churn(data_dir: Path) -> None:
    frame = pd.read_csv(data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz")
    assert (frame["TotalCharges"] == " ").sum() == 11  # the blanks the path must read as NaN
    blanks = frame.index[frame["TotalCharges"] == " "]
    frame = pd.concat([frame.loc[blanks], frame.drop(index=blanks)], ignore_index=True)
    _real_check(frame, "Churn", seed=0)
    roles = infer_roles(frame, target="Churn")
    preprocessor = build_preprocessor(roles, "scaled").fit(
        coerce_frame(frame[roles.features], roles), frame["Churn"])
    row = compile_row_transform(preprocessor, roles)
    for record in _validated(frame, roles, np.arange(11)):  # every blank TotalCharges
        assert record["TotalCharges"] == " " or record["TotalCharges"] is None
        _assert_row_equal(row, preprocessor, roles, record)


@pytest.mark.slow
def test_row_transform_equals_frame_transform_on_taiwan_credit(data_dir: Path) -> None:
    frame = pd.read_csv(data_dir / "taiwan_credit_default" /
                        "default_of_credit_card_clients.csv.gz")
    _real_check(frame, "Y", seed=1)


@pytest.mark.parametrize("style", list(FeatureStyle), ids=lambda s: s.value)
def test_row_path_keeps_a_learned_one_two_boolean_coding(style: FeatureStyle) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"sex": rng.choice([1, 2], 60), "x": rng.normal(size=60),
                          "target": rng.integers(0, 2, 60)})
    roles = infer_roles(frame, target="target").with_role("sex", ColumnRole.BOOLEAN)
    preprocessor = _fitted(frame, roles, style)
    row = compile_row_transform(preprocessor, roles)
    for record in ({"sex": 1, "x": 0.5}, {"sex": 2, "x": -1.0}, {"sex": None, "x": 0.0}):
        _assert_row_equal(row, preprocessor, roles, record)
