"""An LSTM regressor over windows of past bars (S4), as a scikit-learn estimator (PyTorch, CPU)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from jogak.errors import ConfigError
from jogak.models._optional import require

__all__ = ["LSTMRegressor"]


class LSTMRegressor(RegressorMixin, BaseEstimator):
    """LSTM over a window of ``sequence_length`` bars, trained with Adam on the MSE.

    Each row of ``X`` is one window, flattened oldest bar first: ``sequence_length`` blocks of
    ``n_features / sequence_length`` columns (see ``lagged_windows``). Min-Max scaling of
    inputs and target is fitted on the training rows only (S4), inside ``fit``; the last
    ``validation_fraction`` of the rows (in time order) gives the validation loss per epoch
    and the weights of the best epoch are kept.

    Parameters
    ----------
    sequence_length : int, default 20
    hidden_size : int, default 32
    num_layers : int, default 1
    epochs : int, default 20
    batch_size : int, default 128
    learning_rate : float, default 1e-3
    validation_fraction : float, default 0.1
    n_threads : int, default 1
        PyTorch threads while fitting and predicting (restored afterwards); more threads than
        free cores make small LSTMs many times slower.
    random_state : int, default 0

    Attributes
    ----------
    history_ : list of dict
        ``{"epoch", "train_loss", "val_loss"}`` per epoch.
    best_epoch_ : int
    n_features_in_ : int
    """

    def __init__(self, *, sequence_length: int = 20, hidden_size: int = 32, num_layers: int = 1,
                 epochs: int = 20, batch_size: int = 128, learning_rate: float = 1e-3,
                 validation_fraction: float = 0.1, n_threads: int = 1,
                 random_state: int = 0) -> None:
        self.sequence_length = sequence_length
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.n_threads = n_threads
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags

    def _check_params(self, n_columns: int) -> int:
        for name in ("sequence_length", "hidden_size", "num_layers", "epochs", "batch_size",
                     "n_threads"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{name} must be an integer >= 1, got {value!r}.")
        if not 0.0 <= self.validation_fraction < 0.5:
            raise ConfigError("validation_fraction must be in [0, 0.5), got "
                              f"{self.validation_fraction!r}.")
        if not self.learning_rate > 0:
            raise ConfigError(f"learning_rate must be > 0, got {self.learning_rate!r}.")
        if n_columns % self.sequence_length:
            raise ConfigError(f"X has {n_columns} columns, not a multiple of sequence_length="
                              f"{self.sequence_length}. Hint: build X with lagged_windows.")
        return n_columns // self.sequence_length

    def _windows(self, X: np.ndarray) -> np.ndarray:
        scaled = (X - self.x_min_) / self.x_range_
        return scaled.reshape(len(X), self.sequence_length, self.n_window_features_)

    def fit(self, X: Any, y: Any) -> LSTMRegressor:
        """Fit on windows ``X`` (rows in time order) and targets ``y``."""
        torch = require("torch", extra="deep", purpose="the LSTM forecaster")
        X, y = validate_data(self, X, y, dtype="float64", y_numeric=True)
        self.n_window_features_ = self._check_params(X.shape[1])
        threads = torch.get_num_threads()
        torch.set_num_threads(int(self.n_threads))
        try:
            return self._fit(torch, X, y)
        finally:
            torch.set_num_threads(threads)

    def _fit(self, torch: Any, X: np.ndarray, y: np.ndarray) -> LSTMRegressor:
        if len(X) < 4:
            raise ConfigError("The LSTM needs at least 4 training windows (samples), got "
                              f"n_samples={len(X)}.")
        self.x_min_ = X.min(axis=0)
        self.x_range_ = np.where(X.max(axis=0) > self.x_min_, X.max(axis=0) - self.x_min_, 1.0)
        self.y_min_ = float(y.min())
        self.y_range_ = float(y.max() - y.min()) or 1.0
        windows = self._windows(X)
        target = (y - self.y_min_) / self.y_range_
        n_val = int(len(X) * self.validation_fraction)
        n_train = len(X) - n_val
        generator = torch.Generator().manual_seed(int(self.random_state))
        torch.manual_seed(int(self.random_state))
        self.module_ = _build_module(torch, self.n_window_features_, self.hidden_size,
                                     self.num_layers)
        optimiser = torch.optim.Adam(self.module_.parameters(), lr=self.learning_rate)
        inputs = torch.as_tensor(windows, dtype=torch.float32)
        targets = torch.as_tensor(target, dtype=torch.float32)
        loss_fn = torch.nn.MSELoss()
        self.history_: list[dict[str, float]] = []
        best_state, best_loss = None, np.inf
        for epoch in range(int(self.epochs)):
            self.module_.train()
            order = torch.randperm(n_train, generator=generator)
            total = 0.0
            for start in range(0, n_train, int(self.batch_size)):
                batch = order[start:start + int(self.batch_size)]
                optimiser.zero_grad()
                loss = loss_fn(self.module_(inputs[batch]), targets[batch])
                loss.backward()
                optimiser.step()
                total += float(loss.detach()) * len(batch)
            record = {"epoch": epoch + 1, "train_loss": total / n_train}
            if n_val:
                self.module_.eval()
                with torch.no_grad():
                    record["val_loss"] = float(loss_fn(self.module_(inputs[n_train:]),
                                                       targets[n_train:]))
                if record["val_loss"] < best_loss:
                    best_loss = record["val_loss"]
                    best_state = {k: v.clone() for k, v in self.module_.state_dict().items()}
                    self.best_epoch_ = epoch + 1
            self.history_.append(record)
        if best_state is not None:
            self.module_.load_state_dict(best_state)
        else:
            self.best_epoch_ = int(self.epochs)
        self.module_.eval()
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets, one per window."""
        check_is_fitted(self, "module_")
        torch = require("torch", extra="deep", purpose="the LSTM forecaster")
        X = validate_data(self, X, dtype="float64", reset=False)
        threads = torch.get_num_threads()
        torch.set_num_threads(int(self.n_threads))
        try:
            with torch.no_grad():
                out = self.module_(torch.as_tensor(self._windows(X), dtype=torch.float32))
        finally:
            torch.set_num_threads(threads)
        return out.numpy().astype("float64") * self.y_range_ + self.y_min_


def _build_module(torch: Any, n_features: int, hidden_size: int, num_layers: int) -> Any:
    from jogak.solutions.markets._lstm_net import LSTMNet

    return LSTMNet(n_features, hidden_size, num_layers)
