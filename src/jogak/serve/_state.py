"""What one app holds: settings, registry, loaded models, keys, metrics."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from jogak.registry import Registry
from jogak.serve._auth import KeyRing
from jogak.serve._metrics import ServeMetrics
from jogak.serve._models import ModelCache
from jogak.serve._prediction_log import PredictionLogger
from jogak.serve._settings import ServeSettings

__all__ = ["AppState"]

logger = logging.getLogger("jogak.serve")


@dataclass
class AppState:
    """Owned by one FastAPI app (``app.state.jogak``); nothing here is global."""

    settings: ServeSettings
    registry: Registry
    cache: ModelCache
    keys: KeyRing
    metrics: ServeMetrics = field(default_factory=ServeMetrics)
    only_model: str | None = None
    prediction_log: PredictionLogger | None = None

    @classmethod
    def open(cls, settings: ServeSettings) -> AppState:
        registry = Registry(settings.home, settings.database_url,
                            table_prefix=settings.table_prefix)
        metrics = ServeMetrics()
        try:
            log = None if settings.prediction_log is None else \
                PredictionLogger(settings.prediction_log, metrics)
        except BaseException:
            registry.close()
            raise
        return cls(settings, registry, ModelCache(registry), KeyRing(settings.api_keys),
                   metrics, prediction_log=log)

    def default_ref(self) -> str | None:
        """``--model`` if given, else the only registered model (None when there are several)."""
        if self.settings.default_model is not None:
            return self.settings.default_model
        if self.only_model is None:
            self._find_only_model()
        return self.only_model

    def _find_only_model(self) -> None:
        names = self.registry.list_models()
        self.only_model = names[0] if len(names) == 1 else None

    def refresh(self) -> None:
        """Re-resolve references (hot swap when an alias moved) and the default model."""
        self.cache.refresh()
        if self.settings.default_model is None:
            self._find_only_model()
