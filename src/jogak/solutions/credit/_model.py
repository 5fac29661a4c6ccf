"""CreditModel: the fitted behaviour score; grades rows, gives reasons, simulates policies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from jogak.data._schema import FeatureSchema
from jogak.errors import BundleError, ConfigError, SchemaError
from jogak.models._artifacts import load_bundle, save_bundle
from jogak.solutions.credit._gbm import MonotonicGBM
from jogak.solutions.credit._grades import GradeScale
from jogak.solutions.credit._layout import CreditLayout
from jogak.solutions.credit._policy import PolicyAssumptions, PolicyComparison, simulate_policies
from jogak.solutions.credit._reasons import join_reasons
from jogak.solutions.credit._scorecard import Scorecard
from jogak.solutions.credit._stability import GradeStability, grade_stability

if TYPE_CHECKING:
    from jogak.solutions.credit._fit import CreditConfig

__all__ = ["BUNDLE_KIND", "CreditModel", "load_credit_model"]

BUNDLE_KIND = "jogak.credit"
Engine = Literal["scorecard", "gbm"]


class CreditModel:
    """A fitted behaviour score (made by :func:`fit_credit_model`; not built by hand).

    Attributes
    ----------
    config : CreditConfig
    layout : CreditLayout
    target : str
    classes : ndarray
        The target's two values; ``positive_label`` is the bad one.
    input_columns : list of str
        Feature columns read from the data (after the layout's renaming).
    excluded : dict of str to str
        Columns left out of the features, with the reason.
    schema : FeatureSchema
        Types and ranges of ``input_columns`` in training; checked before scoring.
    scorecard : Scorecard
    gbm : MonotonicGBM or None
    grade_scales : dict of str to GradeScale
        Cut-offs per engine, fitted on out-of-fold scores.
    evaluation : dict
        Per engine: ``cv`` (mean and std over folds of auc, gini, ks), ``pooled`` (on all
        out-of-fold predictions), ``calibration`` (summary) and ``calibration_table``.
    n_rows : int
    bad_rate : float
    data_fingerprint : str or None
        sha256 of the training frame (see :func:`jogak.models._artifacts.data_fingerprint`).
    """

    def __init__(self, *, config: CreditConfig, layout: CreditLayout, target: str,
                 classes: np.ndarray, positive_label: Any, input_columns: Sequence[str],
                 excluded: Mapping[str, str], schema: FeatureSchema, categorical: Sequence[str],
                 scorecard: Scorecard, gbm: MonotonicGBM | None,
                 grade_scales: Mapping[str, GradeScale], evaluation: Mapping[str, Any],
                 n_rows: int, bad_rate: float, data_fingerprint: str | None = None) -> None:
        self.config = config
        self.layout = layout
        self.target = target
        self.classes = classes
        self.positive_label = positive_label
        self.input_columns = list(input_columns)
        self.excluded = dict(excluded)
        self.schema = schema
        self.categorical = list(categorical)
        self.scorecard = scorecard
        self.gbm = gbm
        self.grade_scales = dict(grade_scales)
        self.evaluation = dict(evaluation)
        self.n_rows = n_rows
        self.bad_rate = bad_rate
        self.data_fingerprint = data_fingerprint

    # ------------------------------------------------------------------ scoring
    def engine(self, name: str) -> Scorecard | MonotonicGBM:
        """The fitted model of an engine (``"scorecard"`` or ``"gbm"``)."""
        if name == "scorecard":
            return self.scorecard
        if name == "gbm" and self.gbm is not None:
            return self.gbm
        available = ["scorecard", *(["gbm"] if self.gbm is not None else [])]
        raise ConfigError(f"Unknown or unfitted engine {name!r}; this model has {available}.")

    def features(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The model's features of ``frame``: renamed, checked against the schema, derived."""
        if not isinstance(frame, pd.DataFrame):
            raise SchemaError(f"Expected a pandas DataFrame, got {type(frame).__name__}.")
        renamed = self.layout.rename_columns(frame)
        checked = self.schema.validate(renamed).frame
        return self.layout.derive(checked)

    def grade(self, frame: pd.DataFrame, *, engine: Engine = "scorecard",
              n_reasons: int = 3) -> pd.DataFrame:
        """One row per input row, in order: ``score``, ``grade``, ``pd`` and ``reasons``.

        ``score`` is higher for lower risk; ``pd`` the probability of default; ``reasons`` the
        ``n_reasons`` features that cost the row the most points (scorecard) or pushed its
        log-odds most towards default (GBM, tree SHAP), joined by ``"; "``.
        """
        model = self.engine(engine)
        features = self.features(frame)
        logit = model.decision_function(features)
        score = np.asarray(model.scaling_.score(-logit), dtype=np.float64)
        reasons = model.reasons(features, n_reasons=n_reasons)
        return pd.DataFrame({
            "score": score,
            "grade": self.grade_scales[engine].assign(score),
            "pd": 1.0 / (1.0 + np.exp(-logit)),
            "reasons": join_reasons(reasons).to_numpy(),
        }, index=frame.index)

    def stability(self, frame: pd.DataFrame, *, engine: Engine = "scorecard") -> GradeStability:
        """PSI of the grade mix of ``frame`` against the development sample's."""
        scale = self.grade_scales[engine]
        grades = self.grade(frame, engine=engine, n_reasons=1)["grade"]
        return grade_stability(scale.shares, grades, scale.labels)

    def policy(self, frame: pd.DataFrame, *, grace_days: int,
               grace_grades: Sequence[str] | None = None, amount_column: str | None = None,
               assumptions: PolicyAssumptions | None = None,
               engine: Engine = "scorecard") -> PolicyComparison:
        """Simulate suspension and grace policies on ``frame`` (see :func:`simulate_policies`).

        The amount due is ``amount_column`` (default: the layout's amount column; without one
        every customer counts 1, so amounts read as customers). ``grace_grades`` defaults to
        the better half of the grades (A and B of A-E).
        """
        scale = self.grade_scales[engine]
        graded = self.grade(frame, engine=engine, n_reasons=1)
        column = amount_column or self.layout.amount
        if column is None:
            amount = np.ones(len(frame))
        else:
            renamed = self.layout.rename_columns(frame)
            if column not in renamed.columns:
                raise SchemaError(f"Amount column {column!r} is not in the data. Hint: name "
                                  "the column with the amount due.")
            amount = pd.to_numeric(renamed[column], errors="coerce").to_numpy(np.float64)
        chosen = list(grace_grades) if grace_grades is not None \
            else list(scale.labels[: len(scale.labels) // 2])
        unknown = [g for g in chosen if g not in scale.labels]
        if unknown:
            raise ConfigError(f"grace grades {unknown} are not grades of this model "
                              f"{list(scale.labels)}.")
        return simulate_policies(graded["pd"].to_numpy(), amount, graded["grade"].to_numpy(),
                                 grace_days=grace_days, grace_grades=chosen,
                                 assumptions=assumptions)

    # ------------------------------------------------------------------ summary
    def summary(self) -> dict[str, Any]:
        """JSON-ready figures: metrics, calibration and grades per engine, features, exclusions."""
        engines = {}
        for name, result in self.evaluation.items():
            engines[name] = {
                "cv": result["cv"], "pooled": result["pooled"],
                "calibration": result["calibration"],
                "grades": self.grade_scales[name].table.to_dict(orient="records"),
                "cutoffs": list(self.grade_scales[name].cutoffs),
            }
        return {"target": self.target, "n_rows": self.n_rows, "bad_rate": self.bad_rate,
                "layout": self.layout.name, "features": list(self.scorecard.features_),
                "excluded": {**self.excluded, **self.scorecard.excluded_},
                "engines": engines}

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path, *, name: str | None = None) -> Path:
        """Write the model as a verified bundle folder (atomic; replaces an older bundle)."""
        summary = self.summary()
        metrics = {f"{engine}_{metric}": value
                   for engine, result in summary["engines"].items()
                   for metric, value in result["cv"].items()}
        manifest = {
            "kind": BUNDLE_KIND, "name": name or f"credit-{self.target}", "version": 1,
            "task": "binary", "target": self.target, "feature_schema": self.schema,
            "metrics": metrics, "seed": self.config.random_state,
            "data_fingerprint": self.data_fingerprint,
            "summary": _json_ready(summary), "scorecard": _json_ready(
                self.scorecard.table_.to_dict(orient="records")),
        }
        return save_bundle(Path(path), objects={"credit_model": self}, manifest=manifest)


def load_credit_model(path: str | Path, *, allow_version_mismatch: bool = False) -> CreditModel:
    """Load a behaviour score bundle after verifying its files and library versions.

    Raises
    ------
    BundleError
        When the folder is not a credit bundle or fails the checks.
    """
    bundle = load_bundle(Path(path), allow_version_mismatch=allow_version_mismatch)
    model = bundle.objects.get("credit_model")
    if bundle.manifest.get("kind") != BUNDLE_KIND or not isinstance(model, CreditModel):
        raise BundleError(f"{path} is a bundle of kind {bundle.manifest.get('kind')!r}, "
                          f"expected {BUNDLE_KIND!r} (made by 'jogak credit scorecard').")
    return model


def _json_ready(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value

