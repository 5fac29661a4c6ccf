"""Dashboard page (run by ``app.py``, or alone by Streamlit's AppTest)."""

from jogak.dashboard._credit_page import render_credit

render_credit()
