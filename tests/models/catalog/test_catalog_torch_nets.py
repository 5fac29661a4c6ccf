"""PyTorch tabular nets: scikit-learn contract, learning, reproducibility, pickling, threads."""

from __future__ import annotations

import io
from typing import Any

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from jogak.models.catalog import (
    TabularMLPClassifier,
    TabularMLPRegressor,
    TabularResNetClassifier,
    TabularResNetRegressor,
)

torch = pytest.importorskip("torch")

FAST = {"max_epochs": 30, "batch_size": 64, "learning_rate": 1e-2, "random_state": 0,
        "n_jobs": 1}


def _check_instances() -> list[Any]:
    return [
        TabularResNetClassifier(n_blocks=1, d_main=16, **FAST),
        TabularResNetRegressor(n_blocks=1, d_main=16, **FAST),
        TabularMLPClassifier(n_layers=2, width=32, **FAST),
        TabularMLPRegressor(n_layers=2, width=32, **FAST),
    ]


_BATCH_REASON = ("mini-batch training: duplicated rows change the batches and the validation "
                 "split, so the fit differs from the weighted one")


def _expected_failures(estimator: Any) -> dict[str, str]:
    return {
        "check_sample_weight_equivalence_on_dense_data": _BATCH_REASON,
        "check_sample_weight_equivalence_on_sparse_data": _BATCH_REASON,
    }


@pytest.mark.slow
@parametrize_with_checks(_check_instances(), expected_failed_checks=_expected_failures)
def test_torch_nets_follow_the_scikit_learn_contract(estimator: Any, check: Any) -> None:
    check(estimator)


def _nonlinear(n_rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, size=(n_rows, 3))
    return X, np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + 0.05 * rng.normal(size=n_rows)


@pytest.mark.parametrize("model_class", [TabularResNetRegressor, TabularMLPRegressor],
                         ids=["resnet", "mlp"])
def test_torch_regressor_learns_nonlinear_function(model_class: type) -> None:
    X, y = _nonlinear(400, seed=0)
    X_test, y_test = _nonlinear(200, seed=1)
    model = model_class(max_epochs=60, batch_size=64, learning_rate=3e-3, random_state=0,
                        n_jobs=1, patience=10).fit(X, y)
    mse = np.mean((model.predict(X_test) - y_test) ** 2)
    assert mse < 0.25 * np.var(y_test)
    assert 1 <= model.best_epoch_ <= model.n_iter_ <= 60
    assert len(model.validation_loss_curve_) == model.n_iter_


@pytest.mark.parametrize("model_class", [TabularResNetClassifier, TabularMLPClassifier],
                         ids=["resnet", "mlp"])
def test_torch_classifier_learns_xor_and_returns_probabilities(model_class: type) -> None:
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(400, 2))
    y = np.where((X[:, 0] > 0) ^ (X[:, 1] > 0), "b", "a")
    model = model_class(max_epochs=60, batch_size=64, learning_rate=1e-2, random_state=0,
                        n_jobs=1).fit(X, y)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    assert model.classes_.tolist() == ["a", "b"]
    assert np.mean(model.predict(X) == y) > 0.9  # a linear model cannot beat ~0.5 on XOR


def test_torch_net_is_reproducible_and_leaves_global_state() -> None:
    X, y = _nonlinear(120, seed=2)
    torch.manual_seed(123)
    expected_draw = torch.rand(3)
    torch.manual_seed(123)
    threads = torch.get_num_threads()
    model = TabularResNetRegressor(max_epochs=5, random_state=7, n_jobs=1)
    first = clone(model).fit(X, y).predict(X)
    second = clone(model).fit(X, y).predict(X)
    np.testing.assert_array_equal(first, second)
    assert torch.get_num_threads() == threads
    assert torch.equal(torch.rand(3), expected_draw)


def test_torch_net_pickles_through_numpy_state() -> None:
    X, y = _nonlinear(100, seed=3)
    model = TabularMLPRegressor(max_epochs=5, random_state=0, n_jobs=1).fit(X, y)
    assert all(isinstance(value, np.ndarray) for value in model.state_dict_.values())
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    restored = joblib.load(buffer)  # noqa: TID251 - our own bytes, written one line above
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))


def test_torch_net_takes_sparse_input_like_dense() -> None:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(150, 6)) * (rng.random((150, 6)) < 0.3)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    dense = TabularMLPClassifier(max_epochs=5, random_state=0, n_jobs=1).fit(X, y)
    sparse = TabularMLPClassifier(max_epochs=5, random_state=0, n_jobs=1).fit(
        sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X),
                               rtol=1e-6, atol=1e-7)


def test_torch_net_sample_weight_shifts_the_fit() -> None:
    X = np.zeros((200, 1))
    X[100:] = 1.0
    y = np.where(np.arange(200) < 150, 0.0, 10.0)  # x = 1 rows: half 0, half 10
    weights = np.where(y == 10.0, 9.0, 1.0)
    kwargs = {"max_epochs": 80, "learning_rate": 1e-2, "random_state": 0, "n_jobs": 1,
              "validation_fraction": 0.0}
    plain = TabularMLPRegressor(**kwargs).fit(X, y).predict(np.ones((1, 1)))[0]
    weighted = TabularMLPRegressor(**kwargs).fit(X, y, sample_weight=weights).predict(
        np.ones((1, 1)))[0]
    assert plain == pytest.approx(5.0, abs=1.0)
    assert weighted == pytest.approx(9.0, abs=1.0)


@pytest.mark.parametrize(("params", "message"), [
    ({"learning_rate": 0.0}, "learning_rate must be a number > 0"),
    ({"batch_size": 0}, "batch_size must be an int >= 1"),
    ({"validation_fraction": 1.0}, r"validation_fraction must be a number >= 0.0 and < 1.0"),
    ({"n_blocks": 0}, "n_blocks must be an int >= 1"),
], ids=["lr", "batch", "fraction", "blocks"])
def test_torch_net_rejects_invalid_parameters(params: dict[str, Any], message: str) -> None:
    X, y = _nonlinear(20, seed=5)
    with pytest.raises(ValueError, match=message):
        TabularResNetRegressor(**params).fit(X, y)
