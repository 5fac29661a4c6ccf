"""The Streamlit entry point: ``streamlit run app.py -- --home DIR [--model B --data F]``."""

from pathlib import Path

import streamlit as st

from jogak.dashboard._pages import PAGES

st.set_page_config(page_title="jogak dashboard", layout="wide")
_here = Path(__file__).parent
st.navigation([st.Page(str(_here / "pages" / f"{stem}.py"), title=title, url_path=stem)
               for stem, title in PAGES]).run()
