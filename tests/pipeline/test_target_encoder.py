"""CrossFitTargetEncoder: out-of-fold encodings in fit_transform, full-data ones in transform."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import TargetEncoder

from jogak.errors import TargetError
from jogak.pipeline import CrossFitTargetEncoder


def _frame(n_rows: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    city = rng.choice([f"c{k}" for k in range(40)], n_rows)
    effect = {f"c{k}": k / 40 for k in range(40)}
    y = np.array([effect[c] for c in city]) + rng.normal(0, 0.1, n_rows)
    city = city.astype(object)
    city[rng.random(n_rows) < 0.05] = None
    return pd.DataFrame({"city": city}), y


def test_target_encoder_fit_transform_is_out_of_fold() -> None:
    X, y = _frame()
    encoder = CrossFitTargetEncoder(target_type="continuous", random_state=0)
    crossed = encoder.fit_transform(X, y)
    full = encoder.transform(X)
    assert crossed.shape == full.shape == (400, 1)
    assert not np.allclose(crossed, full)
    # Out-of-fold encodings track the target, but less tightly than in-sample ones.
    assert np.corrcoef(crossed[:, 0], y)[0, 1] < np.corrcoef(full[:, 0], y)[0, 1]
    assert np.corrcoef(crossed[:, 0], y)[0, 1] > 0.8


def test_target_encoder_transform_matches_sklearn_encodings() -> None:
    X, y = _frame()
    ours = CrossFitTargetEncoder(target_type="continuous").fit(X, y)
    values = X["city"].fillna("__missing__").to_numpy().reshape(-1, 1)
    reference = TargetEncoder(target_type="continuous").fit(values, y)
    np.testing.assert_allclose(ours.transform(X), reference.transform(values))


def test_target_encoder_lookup_equals_wrapped_encoder_for_unseen_and_missing() -> None:
    X, y = _frame()
    encoder = CrossFitTargetEncoder(target_type="continuous").fit(X, y)
    test = pd.DataFrame({"city": ["c3", "never-seen", None, "c39"]})
    codes = encoder.levels_[0].codes(test["city"].to_numpy()).reshape(-1, 1)
    np.testing.assert_allclose(encoder.transform(test), encoder.encoder_.transform(codes))
    out = encoder.transform(test)[:, 0]
    assert out[1] == pytest.approx(out[2])  # unseen shares the "__unknown__" (missing) encoding


def test_target_encoder_unseen_gets_target_mean_when_nothing_was_missing() -> None:
    X = pd.DataFrame({"c": ["a", "b"] * 10})
    y = np.array([1.0, 3.0] * 10)
    encoder = CrossFitTargetEncoder(target_type="continuous").fit(X, y)
    assert encoder.transform(pd.DataFrame({"c": ["zzz"]}))[0, 0] == pytest.approx(2.0)


def test_target_encoder_multiclass_names_and_shape() -> None:
    X = pd.DataFrame({"c": list("abcabcabca") * 3})
    y = np.array(["x", "y", "z"] * 10)
    encoder = CrossFitTargetEncoder(cv=3, random_state=0).fit(X, y)
    assert encoder.get_feature_names_out().tolist() == ["c__target_x", "c__target_y",
                                                        "c__target_z"]
    out = encoder.transform(X)
    assert out.shape == (30, 3)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)


def test_target_encoder_binary_string_labels() -> None:
    X = pd.DataFrame({"c": ["a", "b"] * 20})
    y = np.array(["yes", "no"] * 20)
    encoder = CrossFitTargetEncoder(smooth=0.0, random_state=0).fit(X, y)
    assert encoder.classes_.tolist() == ["no", "yes"]
    assert encoder.transform(pd.DataFrame({"c": ["a", "b"]})).ravel().tolist() == [1.0, 0.0]


def test_target_encoder_requires_y() -> None:
    with pytest.raises(TargetError, match="requires y to be passed"):
        CrossFitTargetEncoder().fit(pd.DataFrame({"c": ["a", "b"]}))


def test_target_encoder_rejects_length_mismatch() -> None:
    with pytest.raises(TargetError, match="one value per row"):
        CrossFitTargetEncoder().fit(pd.DataFrame({"c": ["a", "b"]}), [1.0, 2.0, 3.0])
