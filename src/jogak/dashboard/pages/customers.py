"""Dashboard page (run by ``app.py``, or alone by Streamlit's AppTest)."""

from jogak.dashboard._customers_page import render_customers

render_customers()
