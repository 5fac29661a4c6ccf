"""BooleanEncoder: spellings of true and false, missing kept as NaN."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jogak.errors import SchemaError
from jogak.pipeline import BooleanEncoder


def test_boolean_encoder_reads_bools_numbers_and_words() -> None:
    frame = pd.DataFrame({
        "flag": [True, False, True],
        "senior": [0, 1, 0],
        "partner": ["Yes", "No", None],
        "paperless": pd.array([True, None, False], dtype="boolean"),
    })
    out = BooleanEncoder().fit_transform(frame)
    expected = np.array([[1, 0, 1, 1], [0, 1, 0, np.nan], [1, 0, np.nan, 0]], dtype=float)
    np.testing.assert_array_equal(out, expected)


def test_boolean_encoder_two_free_levels_sort_order_decides() -> None:
    encoder = BooleanEncoder().fit(pd.DataFrame({"gender": ["Male", "Female", "Male"]}))
    assert encoder.mappings_ == [{"Female": 0.0, "Male": 1.0}]
    out = encoder.transform(pd.DataFrame({"gender": ["Female", "Other", None]}))
    assert out[0, 0] == 0.0
    assert np.isnan(out[1:, 0]).all()


def test_boolean_encoder_accepts_new_spellings_of_known_words() -> None:
    encoder = BooleanEncoder().fit(pd.DataFrame({"paid": ["yes", "no"]}))
    assert encoder.transform(pd.DataFrame({"paid": ["YES", " No ", "y"]})).ravel().tolist() == [
        1.0, 0.0, 1.0]


def test_boolean_encoder_rejects_many_levels() -> None:
    with pytest.raises(SchemaError, match="'tier' has 3 levels.*categorical role"):
        BooleanEncoder().fit(pd.DataFrame({"tier": ["a", "b", "c"]}))


def test_boolean_encoder_two_numeric_codes_map_low_to_zero() -> None:
    encoder = BooleanEncoder().fit(pd.DataFrame({"sex": [1, 2, 2], "sign": [-1, 1, 1]}))
    assert encoder.mappings_ == [{1.0: 0.0, 2.0: 1.0}, {-1.0: 0.0, 1.0: 1.0}]
    out = encoder.transform(pd.DataFrame({"sex": [2, 1, 3], "sign": [-1, 1, 0]}))
    np.testing.assert_array_equal(out, [[1, 0], [0, 1], [np.nan, np.nan]])


def test_boolean_encoder_many_numbers_map_by_truthiness() -> None:
    out = BooleanEncoder().fit_transform(pd.DataFrame({"purchases": [0, 3, 7, 0]}))
    assert out.ravel().tolist() == [0.0, 1.0, 1.0, 0.0]
