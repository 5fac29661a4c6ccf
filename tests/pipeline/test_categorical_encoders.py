"""One-hot, native codes, frequency and rare grouping: levels learned in fit, unknowns mapped."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jogak.errors import ConfigError, SchemaError
from jogak.pipeline import (
    RARE_LEVEL,
    UNKNOWN_LEVEL,
    FrequencyEncoder,
    OneHotCategoryEncoder,
    OrdinalCodeEncoder,
    RareLevelGrouper,
)
from jogak.testing import mixed_frames

COLORS = pd.DataFrame({"color": ["red"] * 5 + ["blue"] * 3 + ["green"] + [None]})


def test_one_hot_levels_by_frequency_with_unknown_last() -> None:
    encoder = OneHotCategoryEncoder().fit(COLORS)
    assert encoder.get_feature_names_out().tolist() == [
        "color__red", "color__blue", "color__green", f"color__{UNKNOWN_LEVEL}"]
    out = encoder.transform(pd.DataFrame({"color": ["green", "purple", None, "red"]}))
    assert out.tolist() == [[0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [1, 0, 0, 0]]


def test_one_hot_groups_rare_levels() -> None:
    encoder = OneHotCategoryEncoder(min_count=2).fit(COLORS)
    assert encoder.categories_[0].tolist() == ["red", "blue", RARE_LEVEL, UNKNOWN_LEVEL]
    out = encoder.transform(pd.DataFrame({"color": ["green"]}))
    assert out.tolist() == [[0, 0, 1, 0]]


def test_one_hot_min_share_and_max_levels() -> None:
    by_share = OneHotCategoryEncoder(min_share=0.25).fit(COLORS)
    assert by_share.categories_[0].tolist() == ["red", "blue", RARE_LEVEL, UNKNOWN_LEVEL]
    by_count = OneHotCategoryEncoder(max_levels=2).fit(COLORS)
    assert by_count.categories_[0].tolist() == ["red", RARE_LEVEL, UNKNOWN_LEVEL]


def test_one_hot_sparse_output_equals_dense() -> None:
    frame = pd.DataFrame({"a": list("xyzx"), "b": list("ppqq")})
    dense = OneHotCategoryEncoder().fit_transform(frame)
    sparse = OneHotCategoryEncoder(sparse_output=True).fit_transform(frame)
    np.testing.assert_array_equal(sparse.toarray(), dense)
    assert dense.sum(axis=1).tolist() == [2.0] * 4


def test_ordinal_codes_follow_frequency_and_unknown_is_nan() -> None:
    encoder = OrdinalCodeEncoder().fit(COLORS)
    assert encoder.categories_[0].tolist() == ["red", "blue", "green"]
    out = encoder.transform(pd.DataFrame({"color": ["red", "blue", "green", "pink", None]}))
    assert out[:3, 0].tolist() == [0.0, 1.0, 2.0]
    assert np.isnan(out[3:, 0]).all()
    assert encoder.get_feature_names_out().tolist() == ["color__code"]


def test_ordinal_codes_default_cap_is_128_levels() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"item": [f"i{k}" for k in rng.integers(0, 400, 5000)]})
    encoder = OrdinalCodeEncoder().fit(frame)
    assert len(encoder.categories_[0]) == 128
    assert encoder.categories_[0][-1] == RARE_LEVEL
    codes = encoder.transform(frame)[:, 0]
    assert codes.min() == 0.0
    assert codes.max() == 127.0


def test_ordinal_codes_unknown_value_minus_one() -> None:
    encoder = OrdinalCodeEncoder(unknown_value=-1.0).fit(COLORS)
    assert encoder.transform(pd.DataFrame({"color": [None, "x"]})).ravel().tolist() == [-1, -1]


def test_ordinal_codes_reject_unknown_value_that_collides_with_a_code() -> None:
    with pytest.raises(ConfigError, match="'unknown_value'.*NaN or a negative"):
        OrdinalCodeEncoder(unknown_value=0).fit(COLORS)


def test_ordinal_codes_match_numbers_stored_as_floats_after_missing() -> None:
    encoder = OrdinalCodeEncoder().fit(pd.DataFrame({"code": [1, 2, 2, 3]}))
    out = encoder.transform(pd.DataFrame({"code": [2.0, np.nan, 1.0]}))
    assert out[[0, 2], 0].tolist() == [0.0, 1.0]
    assert np.isnan(out[1, 0])


def test_frequency_encoder_shares_and_unknown_share_of_missing() -> None:
    encoder = FrequencyEncoder().fit(COLORS)
    out = encoder.transform(pd.DataFrame({"color": ["red", "blue", "green", "new", None]}))
    assert out.ravel().tolist() == pytest.approx([0.5, 0.3, 0.1, 0.1, 0.1])
    counts = FrequencyEncoder(normalize=False).fit(COLORS).transform(COLORS[:1])
    assert counts.ravel().tolist() == [5.0]


def test_rare_level_grouper_outputs_level_names() -> None:
    grouper = RareLevelGrouper(min_share=0.2).fit(COLORS)
    out = grouper.transform(pd.DataFrame({"color": ["red", "green", "zzz", None]}))
    assert out.ravel().tolist() == ["red", RARE_LEVEL, UNKNOWN_LEVEL, UNKNOWN_LEVEL]
    assert grouper.get_feature_names_out().tolist() == ["color"]


def test_encoders_refuse_unhashable_cells_with_schema_error() -> None:
    frame = pd.DataFrame({"tags": [{"a": 1}, "x"]})
    with pytest.raises(SchemaError, match="'tags' holds values that cannot be categories"):
        OneHotCategoryEncoder().fit(frame)


@pytest.mark.parametrize("params", [{"min_count": 0}, {"min_share": 1.5}, {"max_levels": 0}],
                         ids=["min_count", "min_share", "max_levels"])
def test_encoders_reject_bad_grouping_parameters(params: dict) -> None:
    with pytest.raises(ConfigError, match=f"'{next(iter(params))}' parameter"):
        OneHotCategoryEncoder(**params).fit(COLORS)


_unseen = st.lists(st.sampled_from(["never", "seen", "안녕", "", "NaN"]), min_size=1,
                   max_size=10)


@settings(deadline=None, max_examples=40)
@given(frame=mixed_frames(min_rows=1, max_rows=30, min_numeric=0, max_numeric=0),
       unseen=_unseen)
def test_encoders_map_unseen_and_missing_levels_without_raising(frame: pd.DataFrame,
                                                                unseen: list[str]) -> None:
    test = pd.DataFrame({name: (unseen + [None])[: len(unseen) + 1] for name in frame.columns})
    one_hot = OneHotCategoryEncoder().fit(frame)
    out = one_hot.transform(test)
    assert out.shape[0] == len(test)
    assert out.sum(axis=1).tolist() == [float(frame.shape[1])] * len(test)
    names = one_hot.get_feature_names_out()
    for j, column in enumerate(frame.columns):
        seen = set(frame[column].dropna())
        unknown = names.tolist().index(f"{column}__{UNKNOWN_LEVEL}")
        expected = [value is None or value not in seen for value in test[column]]
        assert (out[:, unknown] == 1.0).tolist() == expected, j
    codes = OrdinalCodeEncoder().fit(frame).transform(test)
    for j, column in enumerate(frame.columns):
        seen = set(frame[column].dropna())
        assert np.isnan(codes[:, j]).tolist() == [
            value is None or value not in seen for value in test[column]]
    frequency = FrequencyEncoder().fit(frame).transform(test)
    assert np.all((frequency >= 0.0) & (frequency <= 1.0))


@settings(deadline=None, max_examples=30)
@given(train=mixed_frames(min_rows=2, max_rows=30, min_numeric=0, max_numeric=0,
                          min_categorical=1, max_categorical=1),
       test=mixed_frames(min_rows=1, max_rows=10, min_numeric=0, max_numeric=0,
                         min_categorical=1, max_categorical=1))
def test_frequency_encoder_uses_training_counts_only(train: pd.DataFrame,
                                                     test: pd.DataFrame) -> None:
    encoder = FrequencyEncoder().fit(train)
    shares = train["c0"].value_counts(dropna=True) / len(train)
    missing_share = train["c0"].isna().mean()
    expected = [shares.get(value, missing_share) if value is not None else missing_share
                for value in test["c0"]]
    np.testing.assert_allclose(encoder.transform(test)[:, 0], expected)
