"""Budgeted AutoML: search (Optuna), greedy ensembles and stacking, the estimators."""

from __future__ import annotations

from jogak.models.automl._distributed import publish_job, read_job
from jogak.models.automl._estimator import AutoMLClassifier, AutoMLRegressor
from jogak.models.automl._search import Search, SearchSettings
from jogak.models.automl._trial import TrialRecord

__all__ = ["AutoMLClassifier", "AutoMLRegressor", "Search", "SearchSettings", "TrialRecord",
           "publish_job", "read_job"]
