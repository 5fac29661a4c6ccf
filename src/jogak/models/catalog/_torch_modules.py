"""PyTorch modules and the training loop behind the tabular nets (imported only with torch)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn

__all__ = ["MLPModule", "ResNetModule", "TrainConfig", "TrainResult", "inference_module",
           "make_module", "predict_module", "train_module"]

# Rows per forward pass at prediction time: bounds the memory of densified sparse batches.
_PREDICT_CHUNK = 8192


class ResNetBlock(nn.Module):
    """``x + Dropout(Linear(Dropout(ReLU(Linear(BatchNorm(x))))))`` (Gorishniy et al., 2021)."""

    def __init__(self, d_main: int, d_hidden: int, dropout_first: float,
                 dropout_second: float) -> None:
        super().__init__()
        self.normalization = nn.BatchNorm1d(d_main)
        self.linear_first = nn.Linear(d_main, d_hidden)
        self.activation = nn.ReLU()
        self.dropout_first = nn.Dropout(dropout_first)
        self.linear_second = nn.Linear(d_hidden, d_main)
        self.dropout_second = nn.Dropout(dropout_second)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.dropout_first(self.activation(self.linear_first(self.normalization(x))))
        return x + self.dropout_second(self.linear_second(z))


class ResNetModule(nn.Module):
    """Tabular ResNet: ``Linear`` in, ``n_blocks`` residual blocks, ``BN-ReLU-Linear`` head."""

    def __init__(self, *, n_features: int, n_outputs: int, n_blocks: int, d_main: int,
                 d_hidden: int, dropout_first: float, dropout_second: float) -> None:
        super().__init__()
        self.first_layer = nn.Linear(n_features, d_main)
        self.blocks = nn.Sequential(*[
            ResNetBlock(d_main, d_hidden, dropout_first, dropout_second)
            for _ in range(n_blocks)])
        self.head = nn.Sequential(nn.BatchNorm1d(d_main), nn.ReLU(), nn.Linear(d_main, n_outputs))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(self.first_layer(x)))


class MLPModule(nn.Module):
    """``n_layers`` blocks of ``Linear -> ReLU -> Dropout``, then a linear head."""

    def __init__(self, *, n_features: int, n_outputs: int, n_layers: int, width: int,
                 dropout: float) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        d_in = n_features
        for _ in range(n_layers):
            layers += [nn.Linear(d_in, width), nn.ReLU(), nn.Dropout(dropout)]
            d_in = width
        layers.append(nn.Linear(d_in, n_outputs))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


_MODULES: dict[str, type[nn.Module]] = {"resnet": ResNetModule, "mlp": MLPModule}


def make_module(kind: str, architecture: dict[str, Any], *, seed: int = 0,
                state_dict: dict[str, np.ndarray] | None = None) -> nn.Module:
    """A module of ``kind`` ("resnet" or "mlp"); loads ``state_dict`` and sets eval mode if given.

    The initial weights are drawn from a forked RNG seeded with ``seed``, so building a module
    is reproducible and leaves the global torch RNG as it was. A loaded module is float64 (see
    :func:`inference_module`).
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = _MODULES[kind](**architecture)
    if state_dict is not None:
        module.load_state_dict({name: torch.from_numpy(np.array(value))
                                for name, value in state_dict.items()})
        module = inference_module(module)
    return module


def inference_module(module: nn.Module) -> nn.Module:
    """A float64 copy of ``module`` in eval mode.

    Weights are trained in float32, but predicting in float64 makes a row's output independent
    of the other rows in its batch (float32 matrix products round differently per batch shape).
    """
    return copy.deepcopy(module).double().eval()


@dataclass(frozen=True)
class TrainConfig:
    """How to train: optimiser settings, batches, epochs and early-stopping patience."""

    learning_rate: float
    weight_decay: float
    batch_size: int
    max_epochs: int
    patience: int
    seed: int
    is_classifier: bool


@dataclass
class TrainResult:
    """Best weights and the loss curves of a training run."""

    state_dict: dict[str, np.ndarray]
    n_epochs: int
    best_epoch: int
    train_loss: list[float] = field(default_factory=list)
    validation_loss: list[float] = field(default_factory=list)


def _rows(X: Any, index: np.ndarray, dtype: type = np.float32) -> torch.Tensor:
    block = X[index]
    if sp.issparse(block):
        block = block.toarray()
    return torch.from_numpy(np.ascontiguousarray(block, dtype=dtype))


def _batches(n_rows: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    order = rng.permutation(n_rows)
    # BatchNorm cannot train on a batch of one row: the odd row waits for the next epoch
    stop = n_rows - 1 if n_rows % batch_size == 1 and n_rows > 1 else n_rows
    for start in range(0, stop, batch_size):
        yield order[start:min(start + batch_size, stop)]


def _loss(outputs: torch.Tensor, target: torch.Tensor, weight: torch.Tensor,
          is_classifier: bool) -> torch.Tensor:
    if is_classifier:
        per_row = nn.functional.cross_entropy(outputs, target, reduction="none")
    else:
        per_row = (outputs.squeeze(1) - target) ** 2
    return (per_row * weight).sum() / weight.sum().clamp_min(1e-12)


def _evaluate(module: nn.Module, X: Any, y: np.ndarray, w: np.ndarray,
              is_classifier: bool) -> float:
    module.eval()
    total, weight_sum = 0.0, 0.0
    with torch.no_grad():
        for start in range(0, X.shape[0], _PREDICT_CHUNK):
            index = np.arange(start, min(start + _PREDICT_CHUNK, X.shape[0]))
            weight = torch.from_numpy(w[index])
            loss = _loss(module(_rows(X, index)), torch.from_numpy(y[index]), weight,
                         is_classifier)
            total += float(loss) * float(weight.sum())
            weight_sum += float(weight.sum())
    return total / weight_sum


def _snapshot(module: nn.Module) -> dict[str, np.ndarray]:
    return {name: tensor.detach().cpu().numpy().copy()
            for name, tensor in module.state_dict().items()}


def train_module(module: nn.Module, config: TrainConfig, train: tuple[Any, np.ndarray, np.ndarray],
                 validation: tuple[Any, np.ndarray, np.ndarray] | None) -> TrainResult:
    """Train ``module`` with AdamW on mini-batches; keep the weights of the best validation epoch.

    ``train`` and ``validation`` are ``(X, y, sample_weight)`` with ``X`` dense or CSR, ``y``
    int64 class codes or float32 standardised values, weights float32. Without validation the
    weights after ``max_epochs`` are kept. Runs on a forked torch RNG seeded with
    ``config.seed``: the global RNG is left as it was.
    """
    X, y, w = train
    rng = np.random.default_rng(config.seed)
    result = TrainResult(state_dict={}, n_epochs=0, best_epoch=0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        optimizer = torch.optim.AdamW(module.parameters(), lr=config.learning_rate,
                                      weight_decay=config.weight_decay)
        best_loss, best_state, waited = np.inf, copy.deepcopy(module.state_dict()), 0
        for epoch in range(1, config.max_epochs + 1):
            module.train()
            epoch_loss, epoch_weight = 0.0, 0.0
            for index in _batches(X.shape[0], config.batch_size, rng):
                weight = torch.from_numpy(w[index])
                optimizer.zero_grad()
                loss = _loss(module(_rows(X, index)), torch.from_numpy(y[index]), weight,
                             config.is_classifier)
                loss.backward()
                optimizer.step()
                epoch_loss += float(loss.detach()) * float(weight.sum())
                epoch_weight += float(weight.sum())
            result.train_loss.append(epoch_loss / max(epoch_weight, 1e-12))
            result.n_epochs = epoch
            if validation is None:
                continue
            current = _evaluate(module, *validation, config.is_classifier)
            result.validation_loss.append(current)
            if current < best_loss:
                best_loss, best_state, waited = current, copy.deepcopy(module.state_dict()), 0
                result.best_epoch = epoch
            else:
                waited += 1
                if waited >= config.patience:
                    break
        if validation is not None:
            module.load_state_dict(best_state)
        else:
            result.best_epoch = result.n_epochs
    module.eval()
    result.state_dict = _snapshot(module)
    return result


def predict_module(module: nn.Module, X: Any) -> np.ndarray:
    """Raw outputs ``(n_rows, n_outputs)`` of a float64 module, in chunks without gradients."""
    module.eval()
    outputs = []
    with torch.no_grad():
        for start in range(0, X.shape[0], _PREDICT_CHUNK):
            index = np.arange(start, min(start + _PREDICT_CHUNK, X.shape[0]))
            outputs.append(module(_rows(X, index, np.float64)).numpy().astype(np.float64))
    if not outputs:
        return np.empty((0, 0))
    return np.concatenate(outputs, axis=0)
