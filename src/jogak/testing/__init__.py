"""Synthetic data builders and Hypothesis strategies for jogak's tests (and yours).

Library code never imports this package (an import-linter contract checks it).
"""

from __future__ import annotations

from jogak.testing._commerce import make_behaviour_events, make_transactions
from jogak.testing._credit import make_credit_frame, make_telecom_credit_frame
from jogak.testing._frames import make_classification_frame, make_frame, make_numeric_frame
from jogak.testing._hits import make_chart_history, make_films
from jogak.testing._kkbox import (
    KKBOX_MARGINALS,
    fit_kkbox_marginals,
    make_kkbox,
    write_kkbox_user_logs,
)
from jogak.testing._markets import make_ohlcv, make_ohlcv_panel
from jogak.testing._recommend import CLUSTER_WORDS, make_recommendation_data
from jogak.testing._serve import make_model_frame, make_served_bundle
from jogak.testing._strategies import mixed_frames, numeric_frames

__all__ = [
    "CLUSTER_WORDS",
    "KKBOX_MARGINALS",
    "fit_kkbox_marginals",
    "make_behaviour_events",
    "make_classification_frame",
    "make_credit_frame",
    "make_chart_history",
    "make_films",
    "make_frame",
    "make_kkbox",
    "make_numeric_frame",
    "make_ohlcv",
    "make_ohlcv_panel",
    "make_model_frame",
    "make_recommendation_data",
    "make_served_bundle",
    "make_telecom_credit_frame",
    "make_transactions",
    "mixed_frames",
    "numeric_frames",
    "write_kkbox_user_logs",
]
