"""The HTTP prediction service (FastAPI): ``create_app(settings)``.

>>> from jogak.config import Settings                                    # doctest: +SKIP
>>> from jogak.serve import ServeSettings, create_app                     # doctest: +SKIP
>>> app = create_app(ServeSettings.from_settings(Settings.from_env()))    # doctest: +SKIP
"""

from __future__ import annotations

from jogak.serve._app import create_app
from jogak.serve._middleware import JsonLogFormatter
from jogak.serve._prediction_log import PredictionLogSettings
from jogak.serve._settings import ApiKey, ServeSettings, parse_api_keys

__all__ = ["ApiKey", "JsonLogFormatter", "PredictionLogSettings", "ServeSettings", "create_app",
           "parse_api_keys"]
