"""Behaviour score, scorecards, customer grades and policy simulation (S2).

Start with :func:`fit_credit_model` (scorecard and monotonic GBM, cross-validated metrics,
grades) and :func:`load_credit_model`; the pieces (:class:`MonotonicBinner`,
:class:`Scorecard`, :class:`MonotonicGBM`, grades, PSI, policies) work on their own too.
"""

from __future__ import annotations

from jogak.solutions.credit._binning import MISSING_LABEL, UNSEEN_LABEL, FeatureBinning, woe_iv
from jogak.solutions.credit._fit import CreditConfig, fit_credit_model
from jogak.solutions.credit._gbm import MonotonicGBM
from jogak.solutions.credit._grades import GradeConfig, GradeScale, fit_grade_scale
from jogak.solutions.credit._layout import (
    TAIWAN_LAYOUT,
    BehaviourFeatures,
    CreditLayout,
    behaviour_features,
    detect_layout,
)
from jogak.solutions.credit._metrics import calibration_table, discrimination, ks_statistic
from jogak.solutions.credit._model import CreditModel, load_credit_model
from jogak.solutions.credit._policy import PolicyAssumptions, PolicyComparison, simulate_policies
from jogak.solutions.credit._reasons import join_reasons, top_reasons
from jogak.solutions.credit._scorecard import PointsScaling, Scorecard
from jogak.solutions.credit._stability import GradeStability, grade_stability
from jogak.solutions.credit._woe import MonotonicBinner

__all__ = [
    "MISSING_LABEL",
    "TAIWAN_LAYOUT",
    "UNSEEN_LABEL",
    "BehaviourFeatures",
    "CreditConfig",
    "CreditLayout",
    "CreditModel",
    "FeatureBinning",
    "GradeConfig",
    "GradeScale",
    "GradeStability",
    "MonotonicBinner",
    "MonotonicGBM",
    "PointsScaling",
    "PolicyAssumptions",
    "PolicyComparison",
    "Scorecard",
    "behaviour_features",
    "calibration_table",
    "detect_layout",
    "discrimination",
    "fit_credit_model",
    "fit_grade_scale",
    "grade_stability",
    "join_reasons",
    "ks_statistic",
    "load_credit_model",
    "simulate_policies",
    "top_reasons",
    "woe_iv",
]
