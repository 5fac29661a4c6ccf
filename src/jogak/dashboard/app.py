"""The Streamlit entry point: ``streamlit run app.py -- --home DIR [--model B --data F]``."""

import os
import sys
from pathlib import Path

# The pages make many small predictions. OpenMP pools (HistGradientBoosting, kNN, LightGBM)
# spinning on a busy machine made one row's prediction 10x slower than one thread (5.4 s vs
# 0.56 s with the quickstart's ensemble under load 15 on 2 cores). Set before any OpenMP
# library loads; an OMP_NUM_THREADS the user exported wins.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import streamlit as st  # noqa: E402

from jogak.dashboard._config import DashboardConfig  # noqa: E402
from jogak.dashboard._pages import PAGES  # noqa: E402
from jogak.dashboard._warm import warm_up  # noqa: E402

st.set_page_config(page_title="jogak dashboard", layout="wide")
warm_up(DashboardConfig.from_argv(sys.argv[1:]))
_here = Path(__file__).parent
st.navigation([st.Page(str(_here / "pages" / f"{stem}.py"), title=title, url_path=stem)
               for stem, title in PAGES]).run()
