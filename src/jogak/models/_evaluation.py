"""Scoring a fitted model on labelled data with every metric of its task."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jogak.data._coerce import target_numbers
from jogak.errors import TargetError
from jogak.models._metrics import score_all

__all__ = ["evaluate_model"]


def evaluate_model(model: Any, X: pd.DataFrame, y: Any) -> dict[str, Any]:
    """``{"task", "metric", "n_rows", "metrics": {name: value}}`` for ``model`` on ``(X, y)``.

    Rows whose target is missing are left out (and counted in ``n_dropped``).

    Raises
    ------
    TargetError
        When a classifier meets labels it was not trained on.
    """
    target = pd.Series(np.asarray(y, dtype=object) if not isinstance(y, pd.Series)
                       else y.to_numpy())
    keep = target.notna().to_numpy()
    X = X.loc[keep] if isinstance(X, pd.DataFrame) else np.asarray(X)[keep]
    target = target[keep]
    task = model.task_
    if task.is_classification:
        classes = model.classes_
        lookup = {_label_key(c): i for i, c in enumerate(classes)}
        labels = target.map(_label_key)
        unknown = sorted(set(labels) - set(lookup))
        if unknown:
            raise TargetError(f"The target has labels the model never saw: {unknown[:5]}; the "
                              f"model knows {[str(c) for c in classes]}.")
        y_true = labels.map(lookup).to_numpy(dtype=np.int64)
        prediction = model.predict_proba(X)
    else:
        y_true = target_numbers(target)
        if np.isnan(y_true).any():
            bad = target[np.isnan(y_true)].astype(str).unique()[:3].tolist()
            raise TargetError(f"A regression target must be numeric; got values like {bad}. "
                              "Hint: pass the column the model was trained on.")
        prediction = model.predict(X)
    return {"task": task.value, "metric": model.metric_, "n_rows": int(len(y_true)),
            "n_dropped": int((~keep).sum()), "metrics": score_all(task, y_true, prediction)}


def _label_key(value: Any) -> str:
    """A label as text, whole numbers without a decimal part (1.0 and 1 are the same class),
    without surrounding blanks (as the classifier stores them)."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()
