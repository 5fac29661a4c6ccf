"""Budgeted AutoML: search (Optuna), greedy ensembles and stacking, the estimators."""
