"""Dashboard page (run by ``app.py``, or alone by Streamlit's AppTest)."""

from jogak.dashboard._markets_page import render_markets

render_markets()
