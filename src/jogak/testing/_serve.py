"""Tiny trained model bundles for registry and service tests (seconds to fit, reproducible)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from jogak.testing._frames import make_frame

__all__ = ["make_model_frame", "make_served_bundle"]


def make_model_frame(n_rows: int = 200, *, task: Literal["binary", "multiclass",
                                                          "regression"] = "binary",
                     seed: int = 0) -> pd.DataFrame:
    """:func:`make_frame` without text and dates, plus a ``target`` for ``task``.

    Feature columns: ``num`` (float), ``amount`` (float), ``count`` (int), ``flag`` (bool),
    ``color`` (4 levels), ``city`` (many levels); ``id`` and ``const`` are not features.
    """
    rng = np.random.default_rng(seed)
    frame = make_frame(n_rows, seed=seed, missing_share=0.05, with_text=False, with_dates=False)
    score = ((frame["num"].fillna(50.0) - 50.0) / 10.0
             + frame["color"].map({"red": 1.0, "green": 0.0, "blue": -1.0}).fillna(0.0)
             + frame["flag"].astype(float) * 1.5 + rng.normal(0.0, 0.5, n_rows))
    if task == "binary":
        frame["target"] = np.where(score > 0.4, "yes", "no")
    elif task == "multiclass":
        frame["target"] = np.array(["low", "mid", "high"])[np.digitize(score, [-0.5, 0.8])]
    else:
        frame["target"] = 3.0 * score + 10.0
    return frame


def make_served_bundle(path: str | Path, *, task: Literal["binary", "multiclass",
                                                           "regression"] = "binary",
                       n_rows: int = 200, seed: int = 0, family: str = "linear",
                       name: str = "tiny") -> Path:
    """Fit a small AutoML model (2 trials of one family, 3-fold CV) and save it as a bundle."""
    from jogak.models import AutoMLClassifier, AutoMLRegressor

    frame = make_model_frame(n_rows, task=task, seed=seed)
    X, y = frame.drop(columns=["target"]), frame["target"]
    estimator_cls = AutoMLRegressor if task == "regression" else AutoMLClassifier
    model = estimator_cls(n_trials=2, cv=3, include_models=(family,), random_state=seed,
                          n_jobs=1, stacking=False)
    model.fit(X, y)
    model.target_name_ = "target"
    return model.save(path, name=name)
