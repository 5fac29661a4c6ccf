"""DateFeatures: calendar parts against pandas, YYYYMMDD input, holidays, reference date."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError, SchemaError
from jogak.pipeline import DATE_PARTS, DateFeatures

DATES = pd.to_datetime(pd.Series([
    "2020-12-31", "2021-01-01", "2021-01-03", "2021-01-04", "2024-02-29", "2024-09-17",
    "2019-12-30", "2026-06-15", None,
]))


def test_date_features_match_pandas_calendar() -> None:
    frame = pd.DataFrame({"day": DATES})
    features = DateFeatures().fit(frame)
    out = features.transform(frame)
    assert features.get_feature_names_out().tolist() == [f"day__{part}" for part in DATE_PARTS]
    observed = DATES.notna().to_numpy()
    dt = DATES[observed].dt
    expected = np.column_stack([
        dt.year, dt.month, dt.isocalendar().week.astype(int), dt.day_of_week, dt.day, dt.quarter,
        dt.day_of_week >= 5, (DATES[observed] - DATES.min()).dt.days,
    ]).astype(float)
    np.testing.assert_array_equal(out[observed], expected)
    assert np.isnan(out[~observed]).all()


def test_date_features_read_yyyymmdd_ints_and_strings_like_datetimes() -> None:
    as_dates = DateFeatures(reference_date="2020-01-01").fit_transform(
        pd.DataFrame({"d": DATES.dropna()}))
    ints = DATES.dropna().dt.strftime("%Y%m%d").astype("int64")
    from_ints = DateFeatures(reference_date="2020-01-01").fit_transform(pd.DataFrame({"d": ints}))
    from_strings = DateFeatures(reference_date="2020-01-01").fit_transform(
        pd.DataFrame({"d": ints.astype(str)}))
    np.testing.assert_array_equal(from_ints, as_dates)
    np.testing.assert_array_equal(from_strings, as_dates)


def test_date_features_refuse_numbers_that_are_not_dates_in_fit() -> None:
    with pytest.raises(SchemaError, match=r"numbers that are not dates.*20190230.*numeric_unit"):
        DateFeatures().fit(pd.DataFrame({"d": [20190101, 20190230]}))


def test_date_features_turn_bad_dates_into_nan_in_transform() -> None:
    features = DateFeatures(parts=["year"]).fit(pd.DataFrame({"d": [20190101, 20200101]}))
    out = features.transform(pd.DataFrame({"d": [20191301, 20210505, 5]}))
    assert np.isnan(out[0, 0])
    assert out[1, 0] == 2021.0
    assert np.isnan(out[2, 0])


def test_date_features_numeric_unit_reads_epoch_numbers() -> None:
    features = DateFeatures(parts=["year", "month"], numeric_unit="s")
    out = features.fit_transform(pd.DataFrame({"t": [0, 1_700_000_000]}))
    assert out.tolist() == [[1970.0, 1.0], [2023.0, 11.0]]


def test_date_features_korean_holidays_from_the_holidays_package() -> None:
    frame = pd.DataFrame({"d": pd.to_datetime(["2024-09-17", "2024-09-20", "2024-01-01"])})
    features = DateFeatures(parts=["holiday"], holiday_country="KR").fit(frame)
    assert features.transform(frame).ravel().tolist() == [1.0, 0.0, 1.0]
    later = pd.DataFrame({"d": pd.to_datetime(["2030-03-01", "2030-03-04"])})  # not in fit years
    assert features.transform(later).ravel().tolist() == [1.0, 0.0]


def test_date_features_days_since_learned_minimum_not_test_minimum() -> None:
    train = pd.DataFrame({"d": pd.to_datetime(["2020-01-10", "2020-02-01"])})
    test = pd.DataFrame({"d": pd.to_datetime(["2019-12-31", "2020-01-11"])})
    features = DateFeatures(parts=["days_since"]).fit(train)
    assert features.reference_dates_[0] == np.datetime64("2020-01-10")
    assert features.transform(test).ravel().tolist() == [-10.0, 1.0]


def test_date_features_indicator_for_columns_missing_in_fit() -> None:
    frame = pd.DataFrame({"a": DATES, "b": DATES.fillna(pd.Timestamp("2020-01-01"))})
    features = DateFeatures(parts=["year"], add_indicator=True).fit(frame)
    assert features.get_feature_names_out().tolist() == ["a__year", "a__missing", "b__year"]
    assert features.transform(frame)[:, 1].tolist() == DATES.isna().astype(float).tolist()


def test_date_features_drop_time_zone_keeping_wall_time() -> None:
    stamps = pd.Series(pd.to_datetime(["2024-01-01 08:00"])).dt.tz_localize("Asia/Seoul")
    out = DateFeatures(parts=["day_of_month"]).fit_transform(pd.DataFrame({"t": stamps}))
    assert out.tolist() == [[1.0]]


@pytest.mark.parametrize(("params", "message"), [
    ({"parts": ["year", "century"]}, "'parts' parameter"),
    ({"parts": ["holiday"]}, "'holiday_country' parameter"),
    ({"holiday_country": "XX"}, "'holiday_country' parameter"),
    ({"numeric_unit": "weeks"}, "'numeric_unit' parameter"),
    ({"reference_date": "not a date"}, "'reference_date' parameter"),
], ids=["part", "holiday_without_country", "country", "unit", "reference"])
def test_date_features_reject_bad_parameters(params: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        DateFeatures(**params).fit(pd.DataFrame({"d": DATES}))


def test_date_features_refuse_text_that_is_not_dates() -> None:
    with pytest.raises(SchemaError, match="'d' holds values that are not dates"):
        DateFeatures().fit(pd.DataFrame({"d": ["2020-01-01", "soon"]}))
