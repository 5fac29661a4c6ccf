"""Scorecard: logistic regression on WoE, scaled to points (base score, points to double odds)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.credit._reasons import top_reasons
from jogak.solutions.credit._risk_classifier import RiskClassifier
from jogak.solutions.credit._target import as_feature_frame
from jogak.solutions.credit._woe import MonotonicBinner

__all__ = ["PointsScaling", "Scorecard"]


@dataclass(frozen=True, kw_only=True)
class PointsScaling:
    """Score = ``offset + factor * ln(odds of good)``: ``base_odds`` good:bad at ``base_score``,
    odds doubling every ``pdo`` points.

    Examples
    --------
    >>> scaling = PointsScaling(base_score=600, base_odds=50, pdo=20)
    >>> round(scaling.factor, 4), round(scaling.offset, 4)
    (28.8539, 487.1229)
    >>> round(float(scaling.score(math.log(100))), 6)  # odds 100:1 are one doubling above 50:1
    620.0
    """

    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0

    def __post_init__(self) -> None:
        for name in ("base_odds", "pdo"):
            value = getattr(self, name)
            if not isinstance(value, Real) or not math.isfinite(value) or value <= 0:
                raise ConfigError(f"PointsScaling.{name} must be a positive number, got "
                                  f"{value!r}.")
        if not isinstance(self.base_score, Real) or not math.isfinite(self.base_score):
            raise ConfigError(f"PointsScaling.base_score must be a finite number, got "
                              f"{self.base_score!r}.")

    @property
    def factor(self) -> float:
        """Points per unit of log-odds: ``pdo / ln 2``."""
        return float(self.pdo) / math.log(2.0)

    @property
    def offset(self) -> float:
        """Score at odds 1:1: ``base_score - factor * ln(base_odds)``."""
        return float(self.base_score) - self.factor * math.log(float(self.base_odds))

    def score(self, log_odds_good: Any) -> Any:
        """Score of log-odds of good (``-logit(P(bad))``)."""
        return self.offset + self.factor * np.asarray(log_odds_good, dtype=np.float64)

    def log_odds_bad(self, score: Any) -> Any:
        """The logit of P(bad) a score stands for (the inverse of :meth:`score`)."""
        return (self.offset - np.asarray(score, dtype=np.float64)) / self.factor


class Scorecard(RiskClassifier):
    """A points scorecard: monotonic WoE binning, logistic regression, points per bin.

    Features whose information value is below ``min_iv`` (including single-valued ones) are
    left out, and so is, one at a time, any feature whose coefficient comes out with the wrong
    sign (a bin with more bads earning more points: collinearity), so every feature's points
    follow its bad rate. Each bin of each kept feature earns
    ``-factor * (coef * woe + intercept / n) + offset / n`` points, so a row's score, the sum of
    its points, is ``offset - factor * logit(P(bad))``: the points reproduce the logistic
    model's log-odds exactly (unrounded). Higher score = lower risk.

    Parameters
    ----------
    categorical_features : sequence of str, default=()
        Numeric-coded columns to bin as categories.
    n_prebins, max_n_bins, min_bin_share, monotonic
        Binning settings, see :class:`MonotonicBinner`.
    min_iv : float, default=0.02
        Smallest information value a feature needs to enter the model.
    C : float, default=1.0
        Inverse L2 strength of the logistic regression.
    base_score, base_odds, pdo : float, default=600, 50, 20
        Points scaling, see :class:`PointsScaling`.
    positive_label : object, default=None
        The target value meaning bad (default: 1, True, "yes" or "bad").
    sign_check : bool, default=True
        Drop wrong-sign features one at a time (see above). ``False`` keeps them: a little
        more AUC on collinear data, but some bins then earn more points for more risk.

    Attributes
    ----------
    binner_ : MonotonicBinner
    features_ : list of str
        Features in the model.
    excluded_ : dict of str to str
        Features left out, with the reason.
    logistic_ : sklearn.linear_model.LogisticRegression
        Fitted on the WoE of ``features_`` (1 = bad).
    scaling_ : PointsScaling
    table_ : pandas.DataFrame
        The scorecard: ``feature, bin, count, share, bad_rate, woe, coefficient, points``.
    classes_ : ndarray
        The two target values, sorted; ``positive_label_`` is the bad one.
    positive_label_ : object
    """

    def __init__(self, *, categorical_features: Sequence[str] = (), n_prebins: int = 20,
                 max_n_bins: int = 6, min_bin_share: float = 0.05, monotonic: str = "auto",
                 min_iv: float = 0.02, C: float = 1.0, base_score: float = 600.0,
                 base_odds: float = 50.0, pdo: float = 20.0, positive_label: Any = None,
                 sign_check: bool = True) -> None:
        self.categorical_features = categorical_features
        self.n_prebins = n_prebins
        self.max_n_bins = max_n_bins
        self.min_bin_share = min_bin_share
        self.monotonic = monotonic
        self.min_iv = min_iv
        self.C = C
        self.base_score = base_score
        self.base_odds = base_odds
        self.pdo = pdo
        self.positive_label = positive_label
        self.sign_check = sign_check

    def fit(self, X: Any, y: Any) -> Scorecard:
        """Bin, select, fit the logistic regression and build the points table."""
        if not isinstance(self.min_iv, Real) or self.min_iv < 0:
            raise ConfigError(f"The 'min_iv' parameter of Scorecard must be >= 0, got "
                              f"{self.min_iv!r}.")
        if not isinstance(self.C, Real) or not self.C > 0:
            raise ConfigError(f"The 'C' parameter of Scorecard must be > 0, got {self.C!r}.")
        self.scaling_: PointsScaling = PointsScaling(
            base_score=self.base_score, base_odds=self.base_odds, pdo=self.pdo)
        frame = as_feature_frame(X)
        target = self._fit_target(y, self.positive_label)
        self.binner_: MonotonicBinner = MonotonicBinner(
            categorical_features=self.categorical_features, n_prebins=self.n_prebins,
            max_n_bins=self.max_n_bins, min_bin_share=self.min_bin_share,
            monotonic=self.monotonic, positive_label=1).fit(frame, target)
        self.excluded_: dict[str, str] = {}
        candidates = []
        for name in frame.columns:
            binning = self.binner_.binnings_[name]
            if frame[name].nunique(dropna=True) <= 1:
                self.excluded_[name] = "single value"
            elif binning.iv < self.min_iv:
                self.excluded_[name] = f"information value {binning.iv:.4f} < min_iv {self.min_iv}"
            else:
                candidates.append(name)
        if not candidates:
            raise SchemaError(
                f"No feature is informative enough for a scorecard: every one of "
                f"{list(frame.columns)[:10]} is single-valued or has IV < {self.min_iv} "
                f"({'; '.join(f'{k}: {v}' for k, v in list(self.excluded_.items())[:5])}). "
                "Hint: add features related to default, or lower min_iv.")
        woe = pd.DataFrame(self.binner_.transform(frame), columns=frame.columns)
        features, logistic = self._fit_signed(woe, target, candidates)
        self.features_: list[str] = features
        self.logistic_: LogisticRegression = logistic
        self.feature_names_in_: np.ndarray = np.array(frame.columns, dtype=object)
        self.n_features_in_ = frame.shape[1]
        self.table_: pd.DataFrame = self._points_table()
        self._points: dict[str, np.ndarray] = {name: part["points"].to_numpy()
                        for name, part in self.table_.groupby("feature", sort=False)}
        return self

    def _fit_signed(self, woe: pd.DataFrame, target: np.ndarray,
                    candidates: list[str]) -> tuple[list[str], LogisticRegression]:
        features = list(candidates)
        while True:
            model = LogisticRegression(C=float(self.C), max_iter=2000)
            # a few WoE columns: BLAS threads only contend (3x the CPU time on shared cores)
            with threadpool_limits(limits=1):
                model.fit(woe[features].to_numpy(), target)
            coef = model.coef_[0]
            # WoE grows with the share of goods, so its coefficient on P(bad) must be negative
            wrong = np.flatnonzero(coef > 0)
            if wrong.size == 0 or len(features) == 1 or not self.sign_check:
                return features, model
            worst = features[int(wrong[np.argmax(coef[wrong])])]
            self.excluded_[worst] = (f"coefficient {coef[features.index(worst)]:+.3f} has the "
                                     "wrong sign (collinear with other features)")
            features.remove(worst)

    def _points_table(self) -> pd.DataFrame:
        factor, offset = self.scaling_.factor, self.scaling_.offset
        intercept = float(self.logistic_.intercept_[0])
        n = len(self.features_)
        parts = []
        for name, coef in zip(self.features_, self.logistic_.coef_[0], strict=True):
            table = self.binner_.binnings_[name].table
            part = table[["bin", "count", "share", "n_good", "n_bad", "bad_rate", "woe", "iv"]] \
                .copy()
            part.insert(0, "feature", name)
            part["coefficient"] = float(coef)
            part["points"] = -factor * (float(coef) * part["woe"] + intercept / n) + offset / n
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    # ------------------------------------------------------------------ scoring
    def _codes(self, X: Any) -> np.ndarray:
        frame = self._scoring_frame(X, "logistic_")
        codes = self.binner_.bin_codes(frame[list(self.feature_names_in_)])
        positions = [list(self.feature_names_in_).index(name) for name in self.features_]
        return codes[:, positions]

    def points(self, X: Any) -> pd.DataFrame:
        """Points each row earns on each feature of the model, shape (n_rows, n_features)."""
        codes = self._codes(X)
        data = {name: self._points[name][codes[:, j]] for j, name in enumerate(self.features_)}
        index = X.index if isinstance(X, pd.DataFrame) else None
        return pd.DataFrame(data, index=index)

    def score_points(self, X: Any) -> np.ndarray:
        """Total score of each row (higher = lower risk)."""
        return self.points(X).to_numpy().sum(axis=1)

    def decision_function(self, X: Any) -> np.ndarray:
        """``logit(P(bad))`` of each row, from the logistic model on WoE."""
        codes = self._codes(X)
        woe = np.column_stack([self.binner_.binnings_[name].woe[codes[:, j]]
                               for j, name in enumerate(self.features_)])
        return np.asarray(self.logistic_.decision_function(woe), dtype=np.float64)

    def predict(self, X: Any) -> np.ndarray:
        """The bad label where P(bad) >= 0.5, else the good one."""
        p_bad = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        good = self.classes_[self.classes_ != self.positive_label_][0]
        return np.asarray(np.where(p_bad >= 0.5, self.positive_label_, good))

    def reasons(self, X: Any, *, n_reasons: int = 3) -> pd.DataFrame:
        """The features where each row lost the most points against the best bin.

        Adverse points of a feature = its highest points in the table - the row's points
        (0 for a row in the best bin); reasons are the features with the largest positive
        adverse points, most adverse first (ties: model order).

        Returns
        -------
        pandas.DataFrame
            ``reason_1..reason_n`` (feature names, None when fewer adverse features) and
            ``adverse_1..adverse_n`` (points lost).
        """
        earned = self.points(X)
        best = np.array([self._points[name].max() for name in self.features_])
        adverse = best[None, :] - earned.to_numpy()
        return top_reasons(adverse, self.features_, n_reasons=n_reasons, index=earned.index)
