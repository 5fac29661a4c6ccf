"""Helpers of benchmarks/automl_vs_peers.py: tasks, framework runners, launcher and report.

The run_*.py scripts and measure.py also run as plain scripts inside each peer's own venv, so
they import nothing from jogak's venv but numpy, pandas and scikit-learn (jogak's runner aside).
"""
