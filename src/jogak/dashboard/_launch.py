"""The ``streamlit run`` command line that starts the dashboard (jogak preloaded: ``_main``)."""

from __future__ import annotations

import sys

from jogak.dashboard._config import DashboardConfig
from jogak.errors import ConfigError

__all__ = ["streamlit_command"]


def streamlit_command(config: DashboardConfig, *, port: int = 8501,
                      headless: bool = False) -> list[str]:
    """``python -m jogak.dashboard._main run app.py --server.port P ... -- --home DIR ...``.

    Examples
    --------
    >>> from pathlib import Path
    >>> streamlit_command(DashboardConfig(home=Path("/h")), port=8600)[-2:]
    ['--home', '/h']
    """
    from jogak.dashboard import APP_PATH

    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ConfigError(f"port must be a whole number from 1 to 65535, got {port!r}.")
    return [sys.executable, "-m", "jogak.dashboard._main", "run", str(APP_PATH),
            "--server.port", str(port), "--server.headless", str(headless).lower(),
            "--browser.gatherUsageStats", "false", "--", *config.to_argv()]
