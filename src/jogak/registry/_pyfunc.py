"""An MLflow pyfunc that wraps a jogak bundle, so ``mlflow models serve`` serves it too.

Imported only when MLflow is installed (``pip install 'jogak[mlflow]'``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from mlflow.pyfunc import PythonModel, PythonModelContext

__all__ = ["JogakPyfunc", "prediction_frame"]


def prediction_frame(model: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """``prediction`` and, for classifiers, one ``proba_<class>`` column per class."""
    if hasattr(model, "predict_proba"):
        proba = model.predict_proba(frame)
        out = pd.DataFrame({"prediction": model.classes_[np.argmax(proba, axis=1)]})
        for position, label in enumerate(model.classes_):
            out[f"proba_{label}"] = proba[:, position]
        return out
    return pd.DataFrame({"prediction": model.predict(frame)})


class JogakPyfunc(PythonModel):
    """Loads the bundle artifact with :func:`jogak.models.load_model` (hash and version checks
    first) and predicts a frame of raw feature columns."""

    def load_context(self, context: PythonModelContext) -> None:
        from jogak.models import load_model

        self.model = load_model(context.artifacts["bundle"])

    def predict(self, context: PythonModelContext, model_input: pd.DataFrame,
                params: dict[str, Any] | None = None) -> pd.DataFrame:
        frame = model_input if isinstance(model_input, pd.DataFrame) \
            else pd.DataFrame(model_input)
        return prediction_frame(self.model, frame)
