"""The Streamlit business dashboard over models and results under JOGAK_HOME.

Start it with ``jogak dashboard`` (see ``docs/dashboard.md``); :data:`APP_PATH` is the script
``streamlit run`` takes, :class:`DashboardConfig` the arguments it is given.
"""

from __future__ import annotations

from pathlib import Path

from jogak.dashboard._config import DashboardConfig
from jogak.dashboard._launch import streamlit_command
from jogak.dashboard._pages import PAGES

APP_PATH: Path = Path(__file__).with_name("app.py")

__all__ = ["APP_PATH", "PAGES", "DashboardConfig", "streamlit_command"]
