"""Distributed search: several processes share one Optuna storage (SQLite file or PostgreSQL).

The training process publishes the job (data source, target, estimator parameters) as user
attributes of a meta study ``<study>``; per-family TPE studies are ``<study>.<family>``. Workers
(``jogak worker``) wait for the job, prepare the same folds from the same data and seed, and run
TPE trials until the trainer says it is done, the deadline passes, or ``n_trials`` are spent.
The trainer re-scores the best remote trials on its own folds so that they can join the ensemble.
"""

from __future__ import annotations

import os
import time
from typing import Any

import optuna

from jogak.errors import ConfigError

__all__ = ["JobState", "close_storage", "open_storage", "publish_job", "read_job", "worker_id"]

_POLL_SECONDS = 0.5


def worker_id() -> str:
    """Host and process id: tells the trainer which trials it ran itself."""
    return f"{os.uname().nodename}:{os.getpid()}"


def open_storage(url: str) -> optuna.storages.BaseStorage:
    """One Optuna storage for a URL (sqlite:///…, postgresql+psycopg://…), to be closed."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    try:
        return optuna.storages.RDBStorage(url, heartbeat_interval=None)
    except (ValueError, ImportError, RuntimeError) as exc:
        raise ConfigError(f"Cannot open Optuna storage {url!r}: {exc}. Hint: use "
                          "sqlite:///path.db or postgresql://user@host/db.") from exc


def close_storage(storage: optuna.storages.BaseStorage) -> None:
    """Release the storage's database connections."""
    engine = getattr(storage, "engine", None)
    if engine is not None:
        engine.dispose()


def _meta(storage: optuna.storages.BaseStorage, study_name: str) -> optuna.Study:
    return optuna.create_study(study_name=study_name, storage=storage, load_if_exists=True)


def publish_job(url: str, study_name: str, job: dict[str, Any]) -> None:
    """Announce a training job (JSON-safe dict: data, target, estimator, params) to workers."""
    storage = open_storage(url)
    try:
        meta = _meta(storage, study_name)
        meta.set_user_attr("job", job)
        meta.set_user_attr("done", False)
    finally:
        close_storage(storage)


class JobState:
    """The trainer's and workers' shared view of one job in the meta study."""

    def __init__(self, storage: optuna.storages.BaseStorage, study_name: str) -> None:
        self.storage = storage
        self.study_name = study_name
        self._meta = _meta(storage, study_name)

    def _attrs(self) -> dict[str, Any]:
        study_id = self.storage.get_study_id_from_name(self.study_name)
        return self.storage.get_study_user_attrs(study_id)

    def set(self, key: str, value: Any) -> None:
        self._meta.set_user_attr(key, value)

    def get(self, key: str, default: Any = None) -> Any:
        return self._attrs().get(key, default)

    def wait_for(self, key: str, timeout: float) -> Any:
        """Poll until ``key`` is set (or raise ConfigError after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.get(key)
            if value is not None:
                return value
            time.sleep(_POLL_SECONDS)
        raise ConfigError(f"Study {self.study_name!r} in {self.storage!r} has no {key!r} after "
                          f"{timeout:.0f} s. Hint: start 'jogak train ... --storage URL --study "
                          "NAME' first, or check the study name.")


def read_job(url: str, study_name: str, *, timeout: float = 120.0) -> dict[str, Any]:
    """The published job, waiting up to ``timeout`` seconds for a trainer to publish it."""
    storage = open_storage(url)
    try:
        job = JobState(storage, study_name).wait_for("job", timeout)
    finally:
        close_storage(storage)
    if not isinstance(job, dict):
        raise ConfigError(f"Study {study_name!r} holds a malformed job: {job!r}.")
    return job
