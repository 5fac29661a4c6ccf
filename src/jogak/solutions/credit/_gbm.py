"""MonotonicGBM: boosted trees whose risk moves one way in each feature, with SHAP reasons.

Two engines: LightGBM fitted directly with fixed settings, or jogak's AutoML core searching
the constrained families (the same constraints, passed as ``monotone_constraints``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import ConfigError
from jogak.explain import explain
from jogak.models import AutoMLClassifier
from jogak.models._optional import require
from jogak.solutions.credit._reasons import top_reasons
from jogak.solutions.credit._risk_classifier import RiskClassifier
from jogak.solutions.credit._scorecard import PointsScaling
from jogak.solutions.credit._target import as_feature_frame
from jogak.solutions.credit._woe import MonotonicBinner

__all__ = ["MonotonicGBM"]

_TREND_SIGN = {"ascending": 1, "descending": -1, "flat": 0, "mixed": 0}
_ENGINES = ("lightgbm", "automl")
# probabilities are clipped before the logit: an AutoML model may predict exactly 0 or 1
_EPS = 1e-12


class MonotonicGBM(RiskClassifier):
    """Gradient-boosted trees (LightGBM) with monotone constraints from the credit binning.

    A :class:`MonotonicBinner` is fitted first. Categorical features enter as their WoE, with
    risk constrained to fall as WoE rises. A numeric feature is constrained in the direction of
    its binning trend when that trend is clear: the monotone bins keep at least
    ``monotone_iv_share`` of the information value of the unconstrained pre-bins and at least
    ``min_iv``; otherwise (U-shaped or weak features) it is left free. ``monotone`` may instead
    give the direction of each feature by hand (``+1``: risk rises with the value).

    ``engine="automl"`` hands the same matrix and constraints to
    :class:`jogak.models.AutoMLClassifier` (``monotone_constraints``), which searches
    ``automl_models`` (families that honour constraints) for ``automl_trials`` trials with
    ``automl_cv``-fold cross-validation and keeps the best single model (no ensemble, no
    stacking, so the result stays monotone and its SHAP values stay in log-odds).

    Reason codes come from exact tree SHAP values in log-odds (LightGBM's ``pred_contrib``;
    :func:`jogak.explain.explain` for the AutoML engine).

    Parameters
    ----------
    categorical_features : sequence of str, default=()
    monotone : "auto", "none" or mapping of str to {-1, 0, 1}, default="auto"
    monotone_iv_share : float, default=0.8
    min_iv : float, default=0.02
    n_estimators, learning_rate, num_leaves, min_child_samples, subsample, colsample_bytree,
    reg_lambda
        LightGBM settings.
    base_score, base_odds, pdo : float, default=600, 50, 20
        Points scaling of :meth:`score_points` (the same as the scorecard's).
    positive_label : object, default=None
    random_state : int, default=0
    n_jobs : int, default=1
        LightGBM threads. One is the default: on cores shared with other work, OpenMP threads
        spinning for each other cost 30x more CPU time here than they save.
    engine : {"lightgbm", "automl"}, default="lightgbm"
    automl_trials : int, default=8
    automl_models : sequence of str, default=("lightgbm",)
    automl_cv : int, default=3
        Settings of the AutoML engine (the LightGBM settings above are then unused).

    Attributes
    ----------
    binner_ : MonotonicBinner
    constraints_ : dict of str to int
        The monotone direction used for each feature (+1 risk rises, -1 falls, 0 free).
    booster_ : lightgbm.LGBMClassifier
        The fitted booster (``engine="lightgbm"``).
    automl_ : jogak.models.AutoMLClassifier
        The fitted AutoML model (``engine="automl"``).
    classes_ : ndarray
    positive_label_ : object
    """

    def __init__(self, *, categorical_features: Sequence[str] = (),
                 monotone: str | Mapping[str, int] = "auto", monotone_iv_share: float = 0.8,
                 min_iv: float = 0.02, n_estimators: int = 500, learning_rate: float = 0.02,
                 num_leaves: int = 15, min_child_samples: int = 50, subsample: float = 0.8,
                 colsample_bytree: float = 0.7, reg_lambda: float = 1.0,
                 base_score: float = 600.0, base_odds: float = 50.0, pdo: float = 20.0,
                 positive_label: Any = None, random_state: int = 0, n_jobs: int = 1,
                 engine: str = "lightgbm", automl_trials: int = 8,
                 automl_models: Sequence[str] = ("lightgbm",), automl_cv: int = 3) -> None:
        self.categorical_features = categorical_features
        self.monotone = monotone
        self.monotone_iv_share = monotone_iv_share
        self.min_iv = min_iv
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.base_score = base_score
        self.base_odds = base_odds
        self.pdo = pdo
        self.positive_label = positive_label
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.engine = engine
        self.automl_trials = automl_trials
        self.automl_models = automl_models
        self.automl_cv = automl_cv

    def _constraints(self, frame: pd.DataFrame) -> dict[str, int]:
        if isinstance(self.monotone, Mapping):
            unknown = sorted(set(self.monotone) - set(frame.columns))
            bad = {k: v for k, v in self.monotone.items() if v not in (-1, 0, 1)}
            if unknown or bad:
                raise ConfigError(f"monotone must map columns of the data to -1, 0 or 1; got "
                                  f"unknown columns {unknown} and values {bad}.")
            given = {str(k): int(v) for k, v in self.monotone.items()}
            return {name: given.get(name, 0) for name in frame.columns}
        if self.monotone not in ("auto", "none"):
            raise ConfigError(f"monotone must be 'auto', 'none' or a mapping column -> -1/0/1, "
                              f"got {self.monotone!r}.")
        if not isinstance(self.monotone_iv_share, Real) or not 0 <= self.monotone_iv_share <= 1:
            raise ConfigError(f"monotone_iv_share must be in [0, 1], got "
                              f"{self.monotone_iv_share!r}.")
        out = {}
        for name in frame.columns:
            binning = self.binner_.binnings_[name]
            if self.monotone == "none":
                out[name] = 0
            elif binning.kind == "categorical":
                out[name] = -1 if binning.iv > 0 else 0  # higher WoE = fewer bads
            else:
                clear = binning.iv >= self.min_iv and \
                    binning.iv >= self.monotone_iv_share * binning.prebin_iv
                out[name] = _TREND_SIGN[binning.trend] if clear else 0
        return out

    def _matrix(self, frame: pd.DataFrame) -> np.ndarray:
        columns = []
        codes = None
        for j, name in enumerate(self.feature_names_in_):
            binning = self.binner_.binnings_[name]
            if binning.kind == "categorical":
                if codes is None:
                    codes = self.binner_.bin_codes(frame[list(self.feature_names_in_)])
                columns.append(binning.woe[codes[:, j]])
            else:
                columns.append(pd.to_numeric(frame[name], errors="coerce")
                               .to_numpy(dtype=np.float64, na_value=np.nan))
        return np.column_stack(columns)

    def _named(self, matrix: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(matrix, columns=[str(n) for n in self.feature_names_in_])

    def fit(self, X: Any, y: Any) -> MonotonicGBM:
        """Fit the binning, derive the constraints and fit LightGBM (or search with AutoML)."""
        if self.engine not in _ENGINES:
            raise ConfigError(f"The 'engine' parameter of MonotonicGBM must be one of "
                              f"{list(_ENGINES)}, got {self.engine!r}.")
        frame = as_feature_frame(X)
        target = self._fit_target(y, self.positive_label)
        self.scaling_: PointsScaling = PointsScaling(
            base_score=self.base_score, base_odds=self.base_odds, pdo=self.pdo)
        self.feature_names_in_: np.ndarray = np.array(frame.columns, dtype=object)
        self.n_features_in_ = frame.shape[1]
        self.binner_: MonotonicBinner = MonotonicBinner(
            categorical_features=self.categorical_features, positive_label=1).fit(frame, target)
        self.constraints_: dict[str, int] = self._constraints(frame)
        if self.engine == "automl":
            self.automl_ = AutoMLClassifier(
                n_trials=int(self.automl_trials), include_models=list(self.automl_models),
                cv=int(self.automl_cv), ensemble=False, stacking=False,
                monotone_constraints={n: c for n, c in self.constraints_.items() if c},
                random_state=int(self.random_state), n_jobs=int(self.n_jobs),
            ).fit(self._named(self._matrix(frame)), target.astype(np.int64))
            return self
        lightgbm = require("lightgbm", extra="lightgbm")
        self.booster_ = lightgbm.LGBMClassifier(
            n_estimators=int(self.n_estimators), learning_rate=float(self.learning_rate),
            num_leaves=int(self.num_leaves), min_child_samples=int(self.min_child_samples),
            subsample=float(self.subsample), subsample_freq=1 if self.subsample < 1 else 0,
            colsample_bytree=float(self.colsample_bytree), reg_lambda=float(self.reg_lambda),
            monotone_constraints=[self.constraints_[n] for n in self.feature_names_in_],
            monotone_constraints_method="intermediate", random_state=int(self.random_state),
            n_jobs=int(self.n_jobs), deterministic=True, force_col_wise=True, verbose=-1)
        self.booster_.fit(self._matrix(frame), target.astype(np.int64))
        return self

    def _input(self, X: Any) -> np.ndarray:
        return self._matrix(self._scoring_frame(X, "constraints_"))

    def decision_function(self, X: Any) -> np.ndarray:
        """``logit(P(bad))`` of each row."""
        if self.engine == "automl":
            p_bad = np.clip(self.automl_.predict_proba(self._named(self._input(X)))[:, 1],
                            _EPS, 1 - _EPS)
            return np.asarray(np.log(p_bad / (1 - p_bad)), dtype=np.float64)
        return np.asarray(self.booster_.predict(self._input(X), raw_score=True), np.float64)

    def predict(self, X: Any) -> np.ndarray:
        """The bad label where P(bad) >= 0.5, else the good one."""
        good = self.classes_[self.classes_ != self.positive_label_][0]
        return np.asarray(np.where(self.decision_function(X) >= 0.0, self.positive_label_, good))

    def score_points(self, X: Any) -> np.ndarray:
        """Score on the scorecard's scale: ``offset - factor * logit(P(bad))``."""
        return np.asarray(self.scaling_.score(-self.decision_function(X)))

    def contributions(self, X: Any) -> pd.DataFrame:
        """Tree SHAP values in log-odds of bad per feature, plus ``expected_value``.

        Each row's values sum to its :meth:`decision_function`.
        """
        index = X.index if isinstance(X, pd.DataFrame) else None
        if self.engine == "automl":
            explanation = explain(self.automl_, self._named(self._input(X)), method="exact")
            # a column AutoML left out (constant in training) contributes nothing
            values = explanation.values.reindex(
                columns=[str(n) for n in self.feature_names_in_], fill_value=0.0)
            values["expected_value"] = np.asarray(explanation.base_values, dtype=np.float64)
            if index is not None:
                values.index = index
            return values
        raw = np.asarray(self.booster_.predict(self._input(X), pred_contrib=True), np.float64)
        columns = [*map(str, self.feature_names_in_), "expected_value"]
        return pd.DataFrame(raw, columns=columns, index=index)

    def reasons(self, X: Any, *, n_reasons: int = 3) -> pd.DataFrame:
        """Features with the largest positive SHAP values (pushing towards bad), per row."""
        shap = self.contributions(X).drop(columns="expected_value")
        return top_reasons(shap.to_numpy(), list(shap.columns), n_reasons=n_reasons,
                           index=shap.index)
