"""The Hypothesis frame strategies of jogak.testing (used by the pipeline property tests)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from jogak.testing import mixed_frames, numeric_frames


@settings(deadline=None, max_examples=50)
@given(frame=numeric_frames(min_rows=2, max_rows=7, min_columns=1, max_columns=3,
                            allow_nan=False, max_abs=10.0))
def test_numeric_frames_respect_bounds(frame: pd.DataFrame) -> None:
    assert 2 <= len(frame) <= 7
    assert 1 <= frame.shape[1] <= 3
    assert list(frame.columns) == [f"x{j}" for j in range(frame.shape[1])]
    assert (frame.dtypes == np.float64).all()
    assert not frame.isna().any().any()
    assert (frame.abs() <= 10.0).all().all()


@settings(deadline=None, max_examples=50)
@given(frame=mixed_frames(min_rows=1, max_rows=5, min_numeric=2, max_numeric=2,
                          min_categorical=1, max_categorical=2, levels=("a", "b")))
def test_mixed_frames_have_numeric_then_string_columns(frame: pd.DataFrame) -> None:
    numeric = [c for c in frame.columns if c.startswith("x")]
    categorical = [c for c in frame.columns if c.startswith("c")]
    assert numeric == ["x0", "x1"]
    assert 1 <= len(categorical) <= 2
    for column in categorical:
        assert set(frame[column].dropna()) <= {"a", "b"}
        assert frame[column].dtype == object


def test_strategies_reject_inverted_bounds() -> None:
    @given(frame=numeric_frames(min_rows=5, max_rows=1))
    def draw(frame: pd.DataFrame) -> None:
        raise AssertionError("unreachable: the strategy must refuse its bounds")

    with pytest.raises(ValueError, match="min_rows <= max_rows"):
        draw()
