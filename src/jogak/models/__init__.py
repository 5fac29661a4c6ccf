"""Model catalog, validation, metrics, AutoML search and ensembles, and model bundles."""

from __future__ import annotations

from jogak.models._bundle import load_model, save_model
from jogak.models._calibration import brier_score, calibration_curve
from jogak.models._evaluation import evaluate_model
from jogak.models._learning import FitDiagnosis, LearningCurve, best_member_pipeline, learning_curve
from jogak.models._metrics import METRICS, Metric, default_metric, get_metric, score_all
from jogak.models._thresholds import (
    OperatingPoint,
    decide,
    operating_points,
    threshold_curve,
)
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
    "FitDiagnosis",
    "LearningCurve",
    "Metric",
    "ModelSpec",
    "OperatingPoint",
    "available_specs",
    "best_member_pipeline",
    "brier_score",
    "calibration_curve",
    "decide",
    "default_metric",
    "evaluate_model",
    "get_metric",
    "get_spec",
    "learning_curve",
    "load_model",
    "make_splits",
    "operating_points",
    "save_model",
    "score_all",
    "threshold_curve",
]
