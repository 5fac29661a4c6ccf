"""jogak: an AI workbench for content investment and customer analytics.

The top level re-exports what most users need: the AutoML estimators, model loading and
data loading. Everything else lives in its subpackage (``jogak.data``, ``jogak.pipeline``,
``jogak.models``, ...).
"""

from __future__ import annotations

from typing import Any

from jogak.errors import JogakError

__version__ = "0.1.0"

__all__ = ["AutoMLClassifier", "AutoMLRegressor", "JogakError", "__version__", "load",
           "load_model"]

_LAZY = {"AutoMLClassifier": "jogak.models", "AutoMLRegressor": "jogak.models",
         "load_model": "jogak.models", "load": "jogak.data"}


def __getattr__(name: str) -> Any:
    # lazy: `jogak --help` and `import jogak.errors` must not pay for scikit-learn and boosters
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'jogak' has no attribute {name!r}")
