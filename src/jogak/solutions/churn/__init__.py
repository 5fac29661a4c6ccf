"""Subscription churn prediction and retention targeting (S3).

KKBOX-style multi-table features (:func:`kkbox_spec`, run with
:func:`jogak.data.aggregate.build_features`), KKBOX's churn rule and cleaning, a calibrated
churn model with recall-first and precision-first operating points (:class:`ChurnClassifier`),
campaign simulation (:func:`simulate_campaign`) and target lists with reasons in words
(:func:`target_list`); plain tabular churn (:func:`prepare_telco`) and churn from purchase logs
(:func:`event_log_churn_table`).
"""

from __future__ import annotations

from jogak.solutions.churn._campaign import CampaignEconomics, best_thresholds, simulate_campaign
from jogak.solutions.churn._kkbox import (
    KKBOX_TABLES,
    clean_kkbox_features,
    find_kkbox_tables,
    kkbox_spec,
)
from jogak.solutions.churn._labels import event_log_labels, kkbox_churn_labels, time_split
from jogak.solutions.churn._model import ChurnClassifier, evaluate_holdout, load_churn_model
from jogak.solutions.churn._tables import (
    event_log_churn_table,
    prepare_telco,
    purchase_log_spec,
)
from jogak.solutions.churn._targets import KKBOX_FEATURE_LABELS, reason_text, target_list

__all__ = [
    "KKBOX_FEATURE_LABELS",
    "KKBOX_TABLES",
    "CampaignEconomics",
    "ChurnClassifier",
    "best_thresholds",
    "clean_kkbox_features",
    "event_log_churn_table",
    "evaluate_holdout",
    "event_log_labels",
    "find_kkbox_tables",
    "kkbox_churn_labels",
    "kkbox_spec",
    "load_churn_model",
    "prepare_telco",
    "purchase_log_spec",
    "reason_text",
    "simulate_campaign",
    "target_list",
    "time_split",
]
