"""Dashboard page (run by ``app.py``, or alone by Streamlit's AppTest)."""

from jogak.dashboard._content_page import render_content

render_content()
