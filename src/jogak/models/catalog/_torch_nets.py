"""Tabular ResNet and MLP in PyTorch as scikit-learn estimators, and their specs (extra ``deep``).

The ResNet follows Gorishniy et al. (2021), "Revisiting Deep Learning Models for Tabular Data":
``Linear -> N x [x + Dropout(Linear(Dropout(ReLU(Linear(BatchNorm(x))))))] -> BN -> ReLU ->
Linear``. Both nets train with AdamW and stop early on a held-out share of the rows.
"""

from __future__ import annotations

from typing import Any

from jogak.data import Task
from jogak.models.catalog._holdout import size_cap
from jogak.models.catalog._spec import BuildContext, ModelSpec, SearchSpace
from jogak.models.catalog._torch_train import (
    TorchClassifierMixin,
    TorchRegressorMixin,
    TorchTabularEstimator,
    _check_number,
)
from jogak.pipeline import FeatureStyle

__all__ = [
    "TABULAR_MLP",
    "TABULAR_RESNET",
    "TabularMLPClassifier",
    "TabularMLPRegressor",
    "TabularResNetClassifier",
    "TabularResNetRegressor",
]

_TRAINING_DOC = """
    learning_rate : float, default=1e-3
        AdamW step size.
    weight_decay : float, default=1e-5
        AdamW decoupled weight decay.
    batch_size : int, default=256
        Rows per step (capped at the training rows).
    max_epochs : int, default=100
        Upper bound on passes over the training rows.
    patience : int, default=16
        Epochs without a better validation loss before stopping.
    validation_fraction : float, default=0.1
        Share of the rows held out (per class for classifiers) for early stopping; 0 trains
        ``max_epochs`` on all rows.
    random_state : int, RandomState or None, default=None
        Seeds the initial weights, dropout, batch order and the split.
    n_jobs : int or None, default=None
        Torch threads during ``fit`` and ``predict`` (restored afterwards); None leaves them.

    Attributes
    ----------
    state_dict_ : dict of str to ndarray
        Weights of the best epoch, as numpy arrays.
    architecture_ : dict
        Keyword arguments of the module.
    n_iter_ : int
        Epochs run.
    best_epoch_ : int
        Epoch whose weights were kept.
    loss_curve_, validation_loss_curve_ : list of float
        Mean training and validation loss per epoch.
    n_features_in_ : int
        Number of columns seen in ``fit``.
"""


class _TabularResNet(TorchTabularEstimator):
    _kind = "resnet"

    def __init__(self, *, n_blocks: int = 2, d_main: int = 128, d_hidden_factor: float = 2.0,
                 dropout_first: float = 0.2, dropout_second: float = 0.0,
                 learning_rate: float = 1e-3, weight_decay: float = 1e-5, batch_size: int = 256,
                 max_epochs: int = 100, patience: int = 16, validation_fraction: float = 0.1,
                 random_state: Any = None, n_jobs: int | None = None) -> None:
        self.n_blocks = n_blocks
        self.d_main = d_main
        self.d_hidden_factor = d_hidden_factor
        self.dropout_first = dropout_first
        self.dropout_second = dropout_second
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _architecture(self, n_features: int, n_outputs: int) -> dict[str, Any]:
        _check_number("n_blocks", self.n_blocks, low=1, integral=True)
        _check_number("d_main", self.d_main, low=1, integral=True)
        _check_number("d_hidden_factor", self.d_hidden_factor, low=0.0, low_inclusive=False)
        _check_number("dropout_first", self.dropout_first, low=0.0, high=1.0)
        _check_number("dropout_second", self.dropout_second, low=0.0, high=1.0)
        return {"n_features": n_features, "n_outputs": n_outputs, "n_blocks": int(self.n_blocks),
                "d_main": int(self.d_main),
                "d_hidden": max(1, round(self.d_main * self.d_hidden_factor)),
                "dropout_first": float(self.dropout_first),
                "dropout_second": float(self.dropout_second)}


class _TabularMLP(TorchTabularEstimator):
    _kind = "mlp"

    def __init__(self, *, n_layers: int = 3, width: int = 256, dropout: float = 0.1,
                 learning_rate: float = 1e-3, weight_decay: float = 1e-5, batch_size: int = 256,
                 max_epochs: int = 100, patience: int = 16, validation_fraction: float = 0.1,
                 random_state: Any = None, n_jobs: int | None = None) -> None:
        self.n_layers = n_layers
        self.width = width
        self.dropout = dropout
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _architecture(self, n_features: int, n_outputs: int) -> dict[str, Any]:
        _check_number("n_layers", self.n_layers, low=1, integral=True)
        _check_number("width", self.width, low=1, integral=True)
        _check_number("dropout", self.dropout, low=0.0, high=1.0)
        return {"n_features": n_features, "n_outputs": n_outputs, "n_layers": int(self.n_layers),
                "width": int(self.width), "dropout": float(self.dropout)}


_RESNET_DOC = """

    Parameters
    ----------
    n_blocks : int, default=2
        Residual blocks.
    d_main : int, default=128
        Width of the residual stream.
    d_hidden_factor : float, default=2.0
        Width of a block's hidden layer relative to ``d_main``.
    dropout_first, dropout_second : float, default=0.2 and 0.0
        Dropout after the hidden layer and on the residual branch.""" + _TRAINING_DOC

_MLP_DOC = """

    Parameters
    ----------
    n_layers : int, default=3
        Hidden layers.
    width : int, default=256
        Units per hidden layer.
    dropout : float, default=0.1
        Dropout after each hidden layer.""" + _TRAINING_DOC


class TabularResNetClassifier(TorchClassifierMixin, _TabularResNet):
    __doc__ = "Tabular ResNet classifier (Gorishniy et al., 2021) trained with AdamW." + \
        _RESNET_DOC + "    classes_ : ndarray of shape (n_classes,)\n        Class labels.\n"


class TabularResNetRegressor(TorchRegressorMixin, _TabularResNet):
    __doc__ = "Tabular ResNet regressor (Gorishniy et al., 2021) on a standardised target." + \
        _RESNET_DOC + "    y_mean_, y_scale_ : float\n        Target standardisation.\n"


class TabularMLPClassifier(TorchClassifierMixin, _TabularMLP):
    __doc__ = "Multi-layer perceptron classifier in PyTorch, trained with AdamW." + _MLP_DOC + \
        "    classes_ : ndarray of shape (n_classes,)\n        Class labels.\n"


class TabularMLPRegressor(TorchRegressorMixin, _TabularMLP):
    __doc__ = "Multi-layer perceptron regressor in PyTorch on a standardised target." + \
        _MLP_DOC + "    y_mean_, y_scale_ : float\n        Target standardisation.\n"


def _training_defaults(context: BuildContext) -> dict[str, Any]:
    return {"learning_rate": 1e-3, "weight_decay": 1e-5,
            "batch_size": size_cap(context.n_rows, 10, low=32, high=512), "max_epochs": 100,
            "patience": 16, "validation_fraction": 0.1}


def _suggest_training(space: SearchSpace, context: BuildContext) -> dict[str, Any]:
    return {
        "learning_rate": space.float("learning_rate", 1e-4, 1e-2, log=True),
        "weight_decay": space.float("weight_decay", 1e-6, 1e-2, log=True),
        "batch_size": space.int("batch_size", 32, size_cap(context.n_rows, 10, low=32,
                                                           high=1024), log=True),
    }


def _resnet_defaults(context: BuildContext) -> dict[str, Any]:
    return {"n_blocks": 2, "d_main": 128, "d_hidden_factor": 2.0, "dropout_first": 0.2,
            "dropout_second": 0.0, **_training_defaults(context)}


def _resnet_suggest(space: SearchSpace, context: BuildContext) -> dict[str, Any]:
    return {
        "n_blocks": space.int("n_blocks", 1, 4),
        "d_main": space.int("d_main", 32, 256, log=True),
        "d_hidden_factor": space.float("d_hidden_factor", 1.0, 4.0),
        "dropout_first": space.float("dropout_first", 0.0, 0.5),
        "dropout_second": space.float("dropout_second", 0.0, 0.2),
        **_suggest_training(space, context),
    }


def _resnet_portfolio(context: BuildContext) -> list[dict[str, Any]]:
    return [
        {"n_blocks": 1, "d_main": 64, "dropout_first": 0.1, "learning_rate": 3e-3},
        {"n_blocks": 3, "d_main": 192, "d_hidden_factor": 3.0, "dropout_first": 0.3,
         "dropout_second": 0.1, "weight_decay": 1e-4},
    ]


def _mlp_defaults(context: BuildContext) -> dict[str, Any]:
    return {"n_layers": 3, "width": 256, "dropout": 0.1, **_training_defaults(context)}


def _mlp_suggest(space: SearchSpace, context: BuildContext) -> dict[str, Any]:
    return {
        "n_layers": space.int("n_layers", 1, 4),
        "width": space.int("width", 32, 512, log=True),
        "dropout": space.float("dropout", 0.0, 0.5),
        **_suggest_training(space, context),
    }


def _mlp_portfolio(context: BuildContext) -> list[dict[str, Any]]:
    return [
        {"n_layers": 2, "width": 128, "dropout": 0.0, "learning_rate": 3e-3},
        {"n_layers": 4, "width": 512, "dropout": 0.3, "weight_decay": 1e-4},
    ]


def _build_with(classifier: type, regressor: type) -> Any:
    def build(params: dict[str, Any], context: BuildContext) -> Any:
        model_class = regressor if context.task is Task.REGRESSION else classifier
        return model_class(**params, random_state=context.random_state, n_jobs=context.n_jobs)

    return build


TABULAR_RESNET = ModelSpec(
    name="tabular_resnet",
    tasks=frozenset(Task),
    style=FeatureStyle("scaled"),
    relative_cost=6.0,
    extra="deep",
    modules=("torch",),
    builder=_build_with(TabularResNetClassifier, TabularResNetRegressor),
    suggester=_resnet_suggest,
    default_params=_resnet_defaults,
    portfolio_params=_resnet_portfolio,
    handles_sparse=True,
    width_sensitive=True,
    supports_sample_weight=True,
    native_categorical="one_hot",
    description="PyTorch tabular ResNet (Gorishniy et al., 2021) with early stopping",
)

TABULAR_MLP = ModelSpec(
    name="tabular_mlp",
    tasks=frozenset(Task),
    style=FeatureStyle("scaled"),
    relative_cost=4.0,
    extra="deep",
    modules=("torch",),
    builder=_build_with(TabularMLPClassifier, TabularMLPRegressor),
    suggester=_mlp_suggest,
    default_params=_mlp_defaults,
    portfolio_params=_mlp_portfolio,
    handles_sparse=True,
    width_sensitive=True,
    supports_sample_weight=True,
    native_categorical="one_hot",
    description="PyTorch multi-layer perceptron with early stopping",
)
