"""MissingImputer: fill values, indicators, strategies, training statistics only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, SimpleImputer

from jogak.errors import ConfigError, SchemaError
from jogak.pipeline import MissingImputer
from jogak.testing import make_numeric_frame, numeric_frames


def test_missing_imputer_median_matches_sklearn_and_adds_indicators() -> None:
    frame = make_numeric_frame(80, 3, seed=1, missing_share=0.2)
    imputer = MissingImputer().fit(frame)
    expected = SimpleImputer(strategy="median", add_indicator=True).fit_transform(frame)
    np.testing.assert_allclose(imputer.transform(frame), expected)
    assert imputer.get_feature_names_out().tolist() == [
        "x0", "x1", "x2", "x0__missing", "x1__missing", "x2__missing"]


def test_missing_imputer_most_frequent_picks_smallest_mode() -> None:
    frame = pd.DataFrame({"a": [3.0, 3.0, 1.0, 1.0, 2.0, np.nan]})
    imputer = MissingImputer(strategy="most_frequent", add_indicator=False).fit(frame)
    assert imputer.statistics_.tolist() == [1.0]
    assert imputer.transform(frame)[-1, 0] == 1.0


def test_missing_imputer_iterative_matches_sklearn_iterative_imputer() -> None:
    frame = make_numeric_frame(60, 3, seed=2, missing_share=0.15)
    ours = MissingImputer(strategy="iterative", add_indicator=False, random_state=0).fit(frame)
    reference = IterativeImputer(random_state=0, initial_strategy="median",
                                 keep_empty_features=True).fit(frame.to_numpy(copy=True))
    expected = reference.transform(frame.to_numpy(copy=True))
    np.testing.assert_allclose(ours.transform(frame), expected)
    assert ours.n_iter_ == reference.n_iter_


def test_missing_imputer_indicators_only_for_columns_missing_in_fit() -> None:
    train = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [1.0, 2.0, 3.0]})
    imputer = MissingImputer().fit(train)
    out = imputer.transform(pd.DataFrame({"a": [np.nan], "b": [np.nan]}))
    assert imputer.get_feature_names_out().tolist() == ["a", "b", "a__missing"]
    assert out.tolist() == [[2.0, 2.0, 1.0]]


def test_missing_imputer_all_missing_column_becomes_zero_with_indicator() -> None:
    frame = pd.DataFrame({"empty": [np.nan] * 4, "x": [1.0, 2.0, 3.0, 4.0]})
    out = MissingImputer().fit_transform(frame)
    assert out[:, 0].tolist() == [0.0] * 4
    assert out[:, 2].tolist() == [1.0] * 4


def test_missing_imputer_rejects_unknown_strategy() -> None:
    with pytest.raises(ConfigError, match="'strategy' parameter of MissingImputer"):
        MissingImputer(strategy="mean").fit(make_numeric_frame(5, 1))


def test_missing_imputer_rejects_text_columns_with_hint() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0], "name": ["a", "b"]})
    with pytest.raises(SchemaError, match=r"needs numeric columns.*\['name'\].*Hint"):
        MissingImputer().fit(frame)


def test_missing_imputer_transform_rejects_text_with_hint() -> None:
    imputer = MissingImputer().fit(pd.DataFrame({"x": [1.0, 2.0]}))
    with pytest.raises(SchemaError, match="needs numeric columns"):
        imputer.transform(pd.DataFrame({"x": ["oops"]}))


@settings(deadline=None, max_examples=40)
@given(frame=numeric_frames(min_rows=1, max_rows=30))
def test_missing_imputer_leaves_no_nan_and_keeps_rows(frame: pd.DataFrame) -> None:
    for strategy in ("median", "most_frequent"):
        out = MissingImputer(strategy=strategy).fit_transform(frame)
        assert out.shape[0] == frame.shape[0]
        assert not np.isnan(out).any()


@settings(deadline=None, max_examples=40)
@given(train=numeric_frames(min_rows=2, max_rows=20, min_columns=2, max_columns=2),
       test=numeric_frames(min_rows=1, max_rows=20, min_columns=2, max_columns=2))
def test_missing_imputer_fills_test_data_with_training_medians(train: pd.DataFrame,
                                                              test: pd.DataFrame) -> None:
    imputer = MissingImputer(add_indicator=False).fit(train)
    medians = train.median().fillna(0.0).to_numpy()
    np.testing.assert_allclose(imputer.statistics_, medians)
    out = imputer.transform(test)
    filled = np.where(test.isna().to_numpy(), medians, test.to_numpy())
    np.testing.assert_allclose(out, filled)
