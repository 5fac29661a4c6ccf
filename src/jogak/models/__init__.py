"""Model catalog, validation, metrics, AutoML search and ensembles, and model bundles."""

from __future__ import annotations

from jogak.models._bundle import load_model, save_model
from jogak.models._evaluation import evaluate_model
from jogak.models._metrics import METRICS, Metric, default_metric, get_metric, score_all
from jogak.models._validation import CVScheme, make_splits
from jogak.models.automl import AutoMLClassifier, AutoMLRegressor
from jogak.models.catalog import CATALOG, BuildContext, ModelSpec, available_specs, get_spec

__all__ = [
    "CATALOG",
    "METRICS",
    "AutoMLClassifier",
    "AutoMLRegressor",
    "BuildContext",
    "CVScheme",
    "Metric",
    "ModelSpec",
    "available_specs",
    "default_metric",
    "evaluate_model",
    "get_metric",
    "get_spec",
    "load_model",
    "make_splits",
    "save_model",
    "score_all",
]
