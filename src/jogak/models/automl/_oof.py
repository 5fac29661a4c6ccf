"""Out-of-fold predictions of the final model, for thresholds, calibration and report plots."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from jogak.data import Task
from jogak.models.automl._ensemble import stack_features
from jogak.models.automl._folds import FoldCache, FoldPredictions
from jogak.models.automl._predictor import stack_originals
from jogak.models.automl._trial import TrialRecord

__all__ = ["out_of_fold"]


def out_of_fold(final: Any, records: list[TrialRecord], cache: FoldCache,
                task: Task) -> np.ndarray:
    """The final model's out-of-fold predictions (NaN where no fold tested a row).

    A weighted blend's are the members' out-of-fold predictions blended. A stacker was fitted
    on all rows, so its out-of-fold predictions are recomputed by cross-fitting a clone of it on
    the same folds and level-2 features (members' out-of-fold predictions beside the original
    columns): thresholds chosen on them then match what the stacked model outputs.
    """
    predictor = final.predictor
    if predictor.stacker is None:
        return np.asarray(final.oof, dtype=np.float64)
    by_number = {r.number: r for r in records}
    member_oof = [by_number[m.trial].oof for m in predictor.members]
    level2 = stack_features(member_oof, stack_originals(cache.X, predictor.stack_columns), task)
    y = cache.y
    oof = FoldPredictions(np.shape(final.oof))
    n_member_columns = level2.shape[1] - len(predictor.stack_columns)
    # rows that no fold tested have no member prediction; a stacker cannot learn from them
    usable = np.isfinite(level2[:, :n_member_columns]).all(axis=1)
    with threadpool_limits(limits=1):
        for train, test in cache.splits:
            rows = train[usable[train]]
            if task.is_classification and np.unique(y[rows]).size < 2:
                continue
            model = clone(predictor.stacker).fit(level2[rows], y[rows])
            if task.is_classification:
                proba = model.predict_proba(level2[test])
                wide = np.zeros((len(test), np.shape(final.oof)[1]))
                wide[:, np.asarray(model.classes_, dtype=np.int64)] = proba
                oof.add(test, wide)
            else:
                oof.add(test, model.predict(level2[test]))
    return oof.mean()
