"""Prediction logging off the request path: a bounded queue and one writer thread.

A request only appends what it already holds (the raw entity keys, the kept values and its
predictions) to a deque, in O(1) under a lock, and wakes nobody; the writer thread wakes every
``flush_seconds`` (or when a batch is full), tokenises the keys, turns predictions into rows and
inserts them in batches, in chunks that give the GIL back to the event loop in between. When
more than ``max_pending_rows`` rows wait, new rows are dropped and counted
(``jogak_prediction_log_dropped_rows_total``); a clean stop writes everything still queued.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import numpy as np
import pandas as pd

from jogak.data.privacy import PseudonymKey, Tokenizer
from jogak.errors import ConfigError
from jogak.monitor import prediction_log_table, prediction_log_url
from jogak.monitor._prediction_log import DEFAULT_TABLE, log_engine
from jogak.serve._metrics import ServeMetrics
from jogak.serve._models import LoadedModel

__all__ = ["PredictionLogSettings", "PredictionLogger", "request_id"]

logger = logging.getLogger("jogak.serve")

_MISSING_TEXT = frozenset({"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
                           "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None",
                           "n/a", "nan", "null"})

_CHUNK_ROWS = 128
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id(header: str | None) -> str:
    """The caller's ``X-Request-ID`` when it is 1-64 safe characters, else a new random id."""
    if header is not None and _REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


@dataclass(frozen=True, kw_only=True)
class PredictionLogSettings:
    """Where and what the service logs about each predicted row; validated on creation.

    Parameters
    ----------
    target : str
        A SQLite file path or a database URL (``postgresql://user@host/db``).
    entity_column : str, optional
        The request column holding the entity key (a customer id, say). Its values are stored
        only as keyed HMAC-SHA256 tokens (``jogak.data.privacy.Tokenizer``), never raw; the
        column may be sent even when it is not a model feature.
    key : PseudonymKey, optional
        The tokens' secret key; required with ``entity_column``.
    keep_columns : tuple of str, default ()
        Request columns whose values are stored too (as JSON), e.g. features to watch for
        drift. Nothing else of a row is stored.
    max_pending_rows : int, default 100_000
        Rows waiting for the writer beyond this are dropped (and counted).
    batch_rows : int, default 2_000
        Most rows per insert.
    flush_seconds : float, default 0.5
        Longest wait before queued rows are written.
    table : str, default "jogak_predictions"
    """

    target: str
    entity_column: str | None = None
    key: PseudonymKey | None = field(default=None, repr=False)
    keep_columns: tuple[str, ...] = ()
    max_pending_rows: int = 100_000
    batch_rows: int = 2_000
    flush_seconds: float = 0.5
    table: str = DEFAULT_TABLE

    def __post_init__(self) -> None:
        object.__setattr__(self, "target", prediction_log_url(self.target))
        object.__setattr__(self, "keep_columns", tuple(self.keep_columns))
        if self.entity_column is not None and self.key is None:
            raise ConfigError(f"Logging the entity column {self.entity_column!r} needs a "
                              "pseudonymisation key (raw keys are never stored). Hint: pass "
                              "--log-key-file KEY_FILE (create one with `jogak privacy keygen "
                              "KEY_FILE`).")
        if self.key is not None and not isinstance(self.key, PseudonymKey):
            raise ConfigError(f"key must be a PseudonymKey, got {type(self.key).__name__}.")
        names = [self.entity_column] if self.entity_column is not None else []
        for name in [*names, *self.keep_columns]:
            if not isinstance(name, str) or not name.strip():
                raise ConfigError(f"Logged column names must be non-empty text, got {name!r}.")
        if self.entity_column in self.keep_columns:
            raise ConfigError(f"{self.entity_column!r} is the entity column; it cannot also be "
                              "kept raw. Hint: remove it from the kept columns.")
        for name in ("max_pending_rows", "batch_rows"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}.")
        if not self.flush_seconds > 0:
            raise ConfigError(f"flush_seconds must be > 0, got {self.flush_seconds!r}.")
        prediction_log_table(self.table)  # checks the name

    @property
    def passthrough(self) -> frozenset[str]:
        """Columns a request may carry for the log even when they are not model features."""
        return frozenset([*self.keep_columns, *([self.entity_column]
                                                if self.entity_column else [])])


@dataclass(frozen=True)
class _Entry:
    at: float
    model: str
    version: int
    task: str
    positive: str | None
    request_id: str
    entities: list[Any] | None
    kept: dict[str, list[Any]]
    predictions: list[dict[str, Any]]


def _canonical(value: Any) -> str | None:
    """The text a key is hashed as, as ``jogak.data.privacy`` writes it (so tokens join)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value == math.floor(value) and abs(value) < 2**63 \
            else repr(value)
    text = str(value).strip()
    return None if text in _MISSING_TEXT else text


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class PredictionLogger:
    """Owns the queue, the writer thread and the database engine of one app."""

    def __init__(self, settings: PredictionLogSettings, metrics: ServeMetrics) -> None:
        self.settings = settings
        self._metrics = metrics
        self._table = prediction_log_table(settings.table)
        self._engine = log_engine(settings.target, self._table)  # a bad URL fails now
        self._tokenizer = None if settings.key is None else Tokenizer(settings.key)
        self._key_id = None if settings.key is None else settings.key.key_id
        self._queue: deque[_Entry] = deque()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._pending = 0
        self._closed = False
        self._thread: threading.Thread | None = None

    @property
    def pending_rows(self) -> int:
        """Rows accepted and not yet written."""
        return self._pending

    def start(self) -> None:
        """Start the writer thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name="jogak-prediction-log")
            self._thread.start()

    def submit(self, loaded: LoadedModel, request_id: str,
               source: dict[str, Any] | pd.DataFrame,
               predictions: list[dict[str, Any]]) -> bool:
        """Queue one request's rows; False (and counted) when the queue is full or closed."""
        n_rows = len(predictions)
        if self._closed or self._pending + n_rows > self.settings.max_pending_rows:
            self._metrics.log_dropped.inc(n_rows)  # cheap early refusal; rechecked below
            return False
        entities, kept = self._extract(source)
        positive = None if loaded.task != "binary" or loaded.classes is None else \
            str(loaded.classes[1])
        entry = _Entry(time.time(), loaded.name, loaded.version, loaded.task, positive,
                       request_id, entities, kept, predictions)
        with self._lock:  # the check and the append together: close() never misses a row
            if self._closed or self._pending + n_rows > self.settings.max_pending_rows:
                self._metrics.log_dropped.inc(n_rows)
                return False
            self._pending += n_rows
            self._queue.append(entry)
            full = self._pending >= self.settings.batch_rows
        if full and not self._wake.is_set():
            self._wake.set()
        return True

    def _extract(self, source: dict[str, Any] | pd.DataFrame) -> tuple[list[Any] | None,
                                                                       dict[str, list[Any]]]:
        entity, keep = self.settings.entity_column, self.settings.keep_columns
        if isinstance(source, dict):
            entities = None if entity is None else [source.get(entity)]
            return entities, {name: [source[name]] for name in keep if name in source}
        entities = None if entity is None or entity not in source.columns else \
            source[entity].tolist()
        return entities, {name: source[name].tolist() for name in keep if name in source.columns}

    def close(self, timeout: float = 30.0) -> None:
        """Refuse new rows, write every queued one, stop the writer and the engine."""
        with self._lock:  # after this no submit appends (it checks under the same lock)
            self._closed = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        else:
            self._flush()
        self._engine.dispose()

    def _run(self) -> None:
        # wakes every flush_seconds (or when a batch is full), never once per request: a
        # request only appends to a deque, and the event loop keeps the GIL
        while not self._closed:
            self._wake.wait(self.settings.flush_seconds)
            self._wake.clear()
            self._flush()
        self._flush()

    def _flush(self) -> None:
        while self._queue:
            entries, n_rows = [], 0
            while self._queue and n_rows < self.settings.batch_rows:
                entry = self._queue.popleft()
                entries.append(entry)
                n_rows += len(entry.predictions)
            self._write(entries)

    def _rows(self, entries: Sequence[_Entry]) -> Iterator[dict[str, Any]]:
        for entry in entries:
            at = datetime.fromtimestamp(entry.at, UTC)
            tokens: list[str | None] = [None] * len(entry.predictions)
            if entry.entities is not None and self._tokenizer is not None:
                texts = [_canonical(value) for value in entry.entities]
                present = [i for i, text in enumerate(texts) if text is not None]
                hashed = self._tokenizer.tokens([texts[i] for i in present])  # type: ignore[misc]
                for i, token in zip(present, hashed, strict=True):
                    tokens[i] = token
            for i, item in enumerate(entry.predictions):
                label = item["prediction"]
                if entry.task == "regression":
                    score = label
                elif entry.positive is not None:
                    confidence = item["confidence"]
                    score = confidence if str(label) == entry.positive else 1.0 - confidence
                else:
                    score = item.get("confidence")
                features = None
                if entry.kept:
                    features = json.dumps({name: _plain(values[i])
                                           for name, values in entry.kept.items()},
                                          default=str, ensure_ascii=False, allow_nan=False)
                yield {"logged_at": at, "model": entry.model, "version": entry.version,
                       "request_id": entry.request_id, "row": i, "entity": tokens[i],
                       "key_id": self._key_id if tokens[i] is not None else None,
                       "prediction": None if label is None else str(label),
                       "score": score, "features": features}

    def _write(self, entries: Sequence[_Entry]) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        n_rows = sum(len(entry.predictions) for entry in entries)
        try:
            rows = self._rows(entries)
            with self._engine.begin() as conn:
                while chunk := list(islice(rows, _CHUNK_ROWS)):
                    conn.execute(self._table.insert(), chunk)
                    # a thread holds the GIL up to 5 ms before a waiting thread may take it;
                    # yielding between small chunks keeps requests from waiting on the log
                    time.sleep(0)
            self._metrics.log_written.inc(n_rows)
        except (SQLAlchemyError, ValueError, TypeError) as exc:
            self._metrics.log_failed.inc(n_rows)
            # the type only: a driver's message may quote the values it could not write
            logger.warning("prediction log write failed", extra={"jogak": {
                "event": "prediction_log_failed", "rows": n_rows, "error": type(exc).__name__}})
        finally:
            with self._lock:
                self._pending -= n_rows

