"""The scikit-learn side of the PyTorch tabular nets: validation, targets, seeds, threads."""

from __future__ import annotations

import numbers
from abc import ABCMeta, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from jogak.models._optional import require
from jogak.models.catalog._holdout import holdout_split

__all__ = ["TorchClassifierMixin", "TorchRegressorMixin", "TorchTabularEstimator"]

_DTYPES = (np.float64, np.float32)


@contextmanager
def _torch_threads(torch: Any, n_jobs: int | None) -> Iterator[None]:
    """Run with ``n_jobs`` torch threads, then restore the previous count."""
    if n_jobs is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(int(n_jobs))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _check_number(name: str, value: Any, *, low: float, integral: bool = False,
                  low_inclusive: bool = True, high: float | None = None) -> None:
    kind = numbers.Integral if integral else numbers.Real
    valid = isinstance(value, kind) and not isinstance(value, bool)
    if valid:
        number = float(value)
        valid = (number >= low if low_inclusive else number > low) and \
            (high is None or number < high)
    if not valid:
        bounds = f"{'>=' if low_inclusive else '>'} {low}" + \
            (f" and < {high}" if high is not None else "")
        expected = "an int" if integral else "a number"
        raise ValueError(f"{name} must be {expected} {bounds}, got {value!r}.")


class TorchTabularEstimator(BaseEstimator, metaclass=ABCMeta):
    """Base of the PyTorch tabular nets: fit with early stopping, predict in chunks.

    Subclasses set ``_kind`` and return the module's keyword arguments from
    :meth:`_architecture`. The fitted weights live in ``state_dict_`` as numpy arrays, so a
    fitted net pickles without torch objects; the module is rebuilt on unpickling.
    """

    _kind: ClassVar[str]

    learning_rate: float
    weight_decay: float
    batch_size: int
    max_epochs: int
    patience: int
    validation_fraction: float
    random_state: Any
    n_jobs: int | None

    @abstractmethod
    def _architecture(self, n_features: int, n_outputs: int) -> dict[str, Any]:
        """Keyword arguments of the module, checked."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = False
        tags.non_deterministic = self.random_state is None
        return tags

    def _check_training_params(self) -> None:
        _check_number("learning_rate", self.learning_rate, low=0.0, low_inclusive=False)
        _check_number("weight_decay", self.weight_decay, low=0.0)
        _check_number("batch_size", self.batch_size, low=1, integral=True)
        _check_number("max_epochs", self.max_epochs, low=1, integral=True)
        _check_number("patience", self.patience, low=1, integral=True)
        _check_number("validation_fraction", self.validation_fraction, low=0.0, high=1.0)
        if self.n_jobs is not None:
            _check_number("n_jobs", self.n_jobs, low=1, integral=True)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> TorchTabularEstimator:
        """Train the net; hold out ``validation_fraction`` of the rows to stop early.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Numeric features, already scaled (sparse rows are densified batch by batch).
        y : array-like of shape (n_samples,)
            Class labels or values. Regression targets are standardised internally.
        sample_weight : array-like of shape (n_samples,), optional
            Row weights of the loss.

        Returns
        -------
        self
        """
        torch = require("torch", extra="deep", purpose=f"{type(self).__name__}")
        from jogak.models.catalog import _torch_modules as modules

        self._check_training_params()
        classify = is_classifier(self)
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=_DTYPES,
                             y_numeric=not classify)
        if X.shape[0] < 2:
            raise ValueError(f"{type(self).__name__} needs at least 2 samples, got "
                             f"n_samples={X.shape[0]}.")
        weights = _check_sample_weight(sample_weight, X, dtype=np.float64).astype(np.float32)
        if classify:
            check_classification_targets(y)
            self.classes_, codes = np.unique(y, return_inverse=True)
            if len(self.classes_) < 2:
                raise ValueError(f"{type(self).__name__} needs samples of at least 2 classes, "
                                 f"got 1 class: {self.classes_[0]!r}.")
            target = codes.astype(np.int64)
            n_outputs = len(self.classes_)
        else:
            values = np.asarray(y, dtype=np.float64)
            self.y_mean_ = float(np.average(values, weights=weights))
            scale = float(np.sqrt(np.average((values - self.y_mean_) ** 2, weights=weights)))
            self.y_scale_ = scale if scale > 0 else 1.0
            target = ((values - self.y_mean_) / self.y_scale_).astype(np.float32)
            n_outputs = 1
        X = X.astype(np.float32)
        architecture = self._architecture(X.shape[1], n_outputs)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        train, held = holdout_split(target, self.validation_fraction, stratify=classify,
                                    random_state=seed)
        validation = (X[held], target[held], weights[held]) if held.size else None
        if validation is None:
            train = np.arange(X.shape[0])
        config = modules.TrainConfig(
            learning_rate=float(self.learning_rate), weight_decay=float(self.weight_decay),
            batch_size=min(int(self.batch_size), train.size), max_epochs=int(self.max_epochs),
            patience=int(self.patience), seed=seed, is_classifier=classify)
        with _torch_threads(torch, self.n_jobs):
            module = modules.make_module(self._kind, architecture, seed=seed)
            result = modules.train_module(module, config, (X[train], target[train],
                                                           weights[train]), validation)
        self.architecture_ = architecture
        self.state_dict_ = result.state_dict
        self.n_iter_ = result.n_epochs
        self.best_epoch_ = result.best_epoch
        self.loss_curve_ = result.train_loss
        self.validation_loss_curve_ = result.validation_loss
        self._module = modules.inference_module(module)
        return self

    def _raw_outputs(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, accept_sparse="csr", dtype=_DTYPES)
        torch = require("torch", extra="deep", purpose=f"{type(self).__name__}")
        from jogak.models.catalog._torch_modules import predict_module

        with _torch_threads(torch, self.n_jobs):
            return predict_module(self._module, X)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        state.pop("_module", None)  # rebuilt from state_dict_ on loading
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        if "state_dict_" in state:
            require("torch", extra="deep", purpose=f"loading a {type(self).__name__}")
            from jogak.models.catalog._torch_modules import make_module

            self._module = make_module(self._kind, self.architecture_,
                                       state_dict=self.state_dict_)


class TorchClassifierMixin(ClassifierMixin):
    """``predict`` and ``predict_proba`` from the net's logits."""

    classes_: np.ndarray

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape ``(n_samples, n_classes)``, columns in ``classes_`` order."""
        logits = self._raw_outputs(X)
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        return probabilities / probabilities.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class label of each row."""
        best = np.argmax(self._raw_outputs(X), axis=1)
        return self.classes_[best]


class TorchRegressorMixin(RegressorMixin):
    """``predict`` on the original target scale."""

    y_mean_: float
    y_scale_: float

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values, shape ``(n_samples,)``."""
        outputs = self._raw_outputs(X)
        return outputs[:, 0] * self.y_scale_ + self.y_mean_
