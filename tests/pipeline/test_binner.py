"""Binner: explicit bands with an unknown label, quantile bins learned in fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError
from jogak.pipeline import Binner

AGE_BANDS = ["10s", "20s", "30s", "40s", "50s", "60s", "70s"]


def test_binner_age_bands_with_unknown_outside_range() -> None:
    bands = Binner(edges=list(range(10, 90, 10)), labels=AGE_BANDS)
    ages = pd.DataFrame({"age": [10, 19.9, 20, 79, 80, 5, np.nan]})
    assert bands.fit_transform(ages).ravel().tolist() == [
        "10s", "10s", "20s", "70s", "unknown", "unknown", "unknown"]
    assert bands.get_feature_names_out().tolist() == ["age__bin"]


def test_binner_codes_output() -> None:
    out = Binner(edges=[0, 10, 20], output="code").fit_transform(np.array([[5.0], [15.0], [25.0]]))
    assert out[:2, 0].tolist() == [0.0, 1.0]
    assert np.isnan(out[2, 0])


def test_binner_quantile_bins_learned_on_training_data() -> None:
    train = pd.DataFrame({"x": np.arange(100, dtype=float)})
    binner = Binner(n_bins=4).fit(train)
    np.testing.assert_allclose(binner.edges_[0][1:-1], np.quantile(train["x"], [0.25, 0.5, 0.75]))
    out = binner.transform(pd.DataFrame({"x": [-1e9, 30.0, 60.0, 1e9]}))
    assert out.ravel().tolist() == ["q0", "q1", "q2", "q3"]


def test_binner_merges_tied_quantiles() -> None:
    binner = Binner(n_bins=4).fit(pd.DataFrame({"x": [0.0] * 90 + [1.0] * 10}))
    assert binner.labels_[0] == ["q0", "q1"]


@pytest.mark.parametrize(("params", "message"), [
    ({"edges": [3, 2, 1]}, "strictly increasing"),
    ({"edges": [1, 2, 3], "labels": ["a"]}, "one label per bin"),
    ({"n_bins": 1}, "'n_bins'"),
    ({"output": "onehot"}, "'output'"),
], ids=["edges", "labels", "n_bins", "output"])
def test_binner_rejects_bad_parameters(params: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Binner(**params).fit(np.array([[1.0], [2.0]]))
