"""Warm the caches once per server, in the background, while the first page is read.

The first run of ``app.py`` starts one daemon thread that imports the heavy libraries and
fills the same Streamlit caches the pages use (Streamlit computes each cached value once and
makes concurrent callers wait for it): the models, their customers' scores and the SHAP
sample of the Why page. Pages do not depend on it; they only find their work already done.
"""

from __future__ import annotations

import logging
import threading

import streamlit as st

from jogak.dashboard._config import DashboardConfig
from jogak.errors import JogakError

__all__ = ["warm_up"]

_log = logging.getLogger(__name__)


def _warm(cfg: DashboardConfig) -> None:
    import plotly.graph_objects  # noqa: F401  (every page draws with it)

    from jogak.dashboard import _model_pages
    from jogak.dashboard._sources import _model, customers, load_entries

    for entry in load_entries(cfg):
        try:
            model = _model(str(entry.path))
            if entry.data is None or not hasattr(model, "predict_proba"):
                continue
            customers(str(entry.data))
            _model_pages._scores(str(entry.path), str(entry.data))
            _model_pages._global_explanation(str(entry.path), str(entry.data))
        except (JogakError, OSError, ValueError) as exc:  # the page shows the error itself
            _log.info("dashboard warm-up skipped %s: %s", entry.label, exc)


@st.cache_resource(show_spinner=False)
def _thread(cfg: DashboardConfig) -> threading.Thread:
    thread = threading.Thread(target=_warm, args=(cfg,), name="jogak-dashboard-warm-up",
                              daemon=True)
    thread.start()
    return thread


def warm_up(cfg: DashboardConfig) -> None:
    """Start the warm-up thread (once per server process and configuration)."""
    _thread(cfg)
