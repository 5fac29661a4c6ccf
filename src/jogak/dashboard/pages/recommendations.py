"""Dashboard page (run by ``app.py``, or alone by Streamlit's AppTest)."""

from jogak.dashboard._recommend_page import render_recommendations

render_recommendations()
