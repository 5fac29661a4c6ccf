"""The prediction log: the table ``jogak serve --log-predictions`` fills, and reading it back.

One row per predicted row: when, which model version, which request, the entity's keyed token
(never the raw key), the prediction and its score, and only the feature values the operator
chose to keep (as JSON). SQLite by default, PostgreSQL by URL; both through SQLAlchemy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from jogak.errors import ConfigError, SchemaError
from jogak.models._optional import require
from jogak.monitor._config import DriftConfig
from jogak.monitor._drift import COLUMNS, compare_column, detect_drift
from jogak.monitor._model import MonitorReport, check_fitted_model, model_name
from jogak.monitor._reference import (
    profile_drift,
    reference_prediction_profile,
    require_bundle_profile,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine, Table

__all__ = ["DEFAULT_TABLE", "SCORE_MEANING", "log_engine", "logged_signal",
           "monitor_prediction_log", "prediction_log_table", "prediction_log_url",
           "read_prediction_log"]

DEFAULT_TABLE = "jogak_predictions"
#: What ``score`` holds, by task: the same signal prediction drift compares.
SCORE_MEANING = {"binary": "probability of the positive class (the second of classes_)",
                 "multiclass": "probability of the predicted class",
                 "regression": "the predicted value"}
_TABLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
_BUSY_TIMEOUT_S = 30.0
_COLUMNS = ["logged_at", "model", "version", "request_id", "row", "entity", "key_id",
            "prediction", "score"]


def prediction_log_url(target: str | Path) -> str:
    """A SQLAlchemy URL for ``target``: a URL as given (``postgresql://`` uses psycopg 3), or a
    file path as a SQLite URL.

    Examples
    --------
    >>> prediction_log_url("/tmp/predictions.db")
    'sqlite:////tmp/predictions.db'
    >>> prediction_log_url("postgresql://jogak@db/monitoring")
    'postgresql+psycopg://jogak@db/monitoring'
    """
    text = str(target).strip()
    if not text:
        raise ConfigError("The prediction log location is empty. Expected a file path (SQLite) "
                          "or a database URL such as 'postgresql://user@host/db'.")
    for plain in ("postgresql://", "postgres://"):
        if text.startswith(plain):
            return "postgresql+psycopg://" + text[len(plain):]
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def prediction_log_table(name: str = DEFAULT_TABLE) -> Table:
    """The log's table definition (on its own ``MetaData``).

    Columns: ``id``, ``logged_at`` (UTC), ``model``, ``version``, ``request_id``, ``row`` (the
    row's position in its request), ``entity`` (keyed token of the entity key, or null),
    ``key_id`` (the public id of the pseudonymisation key), ``prediction`` (the label, or the
    value as text), ``score`` (see :data:`SCORE_MEANING`), ``features`` (JSON of the kept
    columns, or null).
    """
    sqlalchemy = require("sqlalchemy", extra="registry", purpose="the prediction log")
    if not isinstance(name, str) or not _TABLE_NAME.fullmatch(name):
        raise ConfigError(f"The prediction log table name must be lower-case letters, digits "
                          f"and '_', starting with a letter, got {name!r}.")
    sa = sqlalchemy
    metadata = sa.MetaData()
    return sa.Table(
        name, metadata,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("entity", sa.String(64)),
        sa.Column("key_id", sa.String(16)),
        sa.Column("prediction", sa.Text),
        sa.Column("score", sa.Float),
        sa.Column("features", sa.Text),
        sa.Index(f"{name}_model_time", "model", "version", "logged_at"),
    )


def log_engine(url: str, table: Table | None = None) -> Engine:
    """An engine on ``url`` (SQLite in WAL mode with a busy timeout), with ``table`` created
    when given.

    Raises
    ------
    ConfigError
        The URL cannot be used or the database does not answer.
    """
    sa = require("sqlalchemy", extra="registry", purpose="the prediction log")
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    try:
        if url.startswith("sqlite"):
            engine = sa.create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT_S})
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = sa.create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ConfigError(f"Cannot use the prediction log URL ({type(exc).__name__}: {exc}). "
                          "Expected a file path, 'sqlite:////path/predictions.db' or "
                          "'postgresql://user@host/db'.") from exc
    if table is not None:
        try:
            with engine.begin() as conn:
                if engine.dialect.name == "postgresql":
                    # CREATE TABLE IF NOT EXISTS races between processes on PostgreSQL
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                                 {"key": f"jogak-prediction-log:{table.name}"})
                table.metadata.create_all(conn)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise ConfigError(f"Cannot open the prediction log at {engine.url!r} "
                              f"({type(exc).__name__}: {str(exc).splitlines()[0]}). Hint: check "
                              "that the database server runs and the URL is right.") from exc
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT_S * 1000)}")
    cursor.close()


def _utc(value: datetime | str | None, name: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ConfigError(f"{name} must be an ISO date or time such as '2025-01-31' or "
                              f"'2025-01-31T12:00:00+00:00', got {value!r}.") from exc
    if not isinstance(value, datetime):
        raise ConfigError(f"{name} must be a datetime or ISO text, got {type(value).__name__}.")
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.replace(tzinfo=None)  # stored naive UTC (SQLite keeps no offset)


def read_prediction_log(target: str | Path, *, model: str | None = None,
                        version: int | None = None, since: datetime | str | None = None,
                        until: datetime | str | None = None,
                        table: str = DEFAULT_TABLE) -> pd.DataFrame:
    """The logged predictions, oldest first, with the kept feature columns spread out.

    Parameters
    ----------
    target : str or pathlib.Path
        Where the service logged: a SQLite file path or a database URL.
    model : str, optional
        Only this model's rows.
    version : int, optional
        Only this version's rows (with ``model``).
    since, until : datetime or ISO text, optional
        ``since <= logged_at < until`` (naive times are UTC).
    table : str, default "jogak_predictions"

    Returns
    -------
    pandas.DataFrame
        ``logged_at`` (UTC), ``model``, ``version``, ``request_id``, ``row``, ``entity``,
        ``key_id``, ``prediction``, ``score``, then one column per kept feature.

    Raises
    ------
    ConfigError
        The log cannot be opened, has no such table, or a filter is malformed.
    """
    sa = require("sqlalchemy", extra="registry", purpose="the prediction log")
    from sqlalchemy.exc import SQLAlchemyError

    if version is not None and model is None:
        raise ConfigError("version needs model: versions are numbered per model.")
    log = prediction_log_table(table)
    url = prediction_log_url(target)
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        raise ConfigError(f"No prediction log at {url[len('sqlite:///'):]!r}. Hint: start the "
                          "service with jogak serve --log-predictions PATH first.")
    query = sa.select(log).order_by(log.c.logged_at, log.c.id)
    if model is not None:
        query = query.where(log.c.model == model)
    if version is not None:
        query = query.where(log.c.version == int(version))
    start, end = _utc(since, "since"), _utc(until, "until")
    if start is not None:
        query = query.where(log.c.logged_at >= start)
    if end is not None:
        query = query.where(log.c.logged_at < end)
    engine = log_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(table):
                raise ConfigError(f"The database at {engine.url!r} has no prediction log table "
                                  f"{table!r}. Hint: check the URL and the table name.")
            rows = conn.execute(query).mappings().all()
    except SQLAlchemyError as exc:
        raise ConfigError(f"Cannot read the prediction log at {engine.url!r} "
                          f"({type(exc).__name__}: {str(exc).splitlines()[0]}).") from exc
    finally:
        engine.dispose()
    frame = pd.DataFrame([{name: row[name] for name in _COLUMNS} for row in rows],
                         columns=_COLUMNS)
    frame["logged_at"] = pd.to_datetime(frame["logged_at"], utc=True)
    frame["score"] = frame["score"].astype(np.float64)
    kept = [json.loads(row["features"]) if row["features"] else {} for row in rows]
    if any(kept):
        features = pd.DataFrame.from_records(kept, index=frame.index)
        frame = pd.concat([frame, features.drop(columns=[c for c in features.columns
                                                         if c in _COLUMNS])], axis=1)
    return frame


def logged_signal(logged: pd.DataFrame, *, task: str,
                  classes: Mapping[str, int] | None) -> pd.Series:
    """What prediction drift compares, from the log: the score (binary, regression), or the
    index of the predicted class as text (multiclass, as :func:`prediction_signal`)."""
    for column in ("prediction", "score"):
        if column not in logged.columns:
            raise SchemaError(f"The logged predictions lack the {column!r} column. Expected the "
                              "frame read_prediction_log returns.")
    if task == "multiclass":
        assert classes is not None
        index = logged["prediction"].astype(str).map(classes)
        unknown = sorted(set(logged["prediction"].astype(str)[index.isna()]))
        if unknown:
            raise SchemaError(f"The log holds predicted classes {unknown[:5]} this model does "
                              f"not have ({list(classes)[:10]}). Hint: filter the log by model "
                              "and version.")
        return pd.Series(index.astype(np.int64).astype(str).to_numpy(dtype=object),
                         name="__prediction__")
    return pd.Series(logged["score"].to_numpy(dtype=np.float64), name="__prediction__")


def monitor_prediction_log(model: Any, logged: pd.DataFrame, *,
                           reference: pd.DataFrame | Mapping[str, Any] | None = None,
                           drift_config: DriftConfig | None = None) -> MonitorReport:
    """Prediction drift (and drift of the kept features) of logged predictions against the
    training reference.

    Parameters
    ----------
    model : AutoMLClassifier or AutoMLRegressor
        The fitted model whose predictions were logged (e.g. the registered bundle).
    logged : pandas.DataFrame
        From :func:`read_prediction_log`, filtered to this model.
    reference : pandas.DataFrame or dict, optional
        Training data or its profile; default the profile stored in the bundle.
    drift_config : DriftConfig, optional

    Returns
    -------
    MonitorReport
        ``prediction_drift`` from the logged scores; ``drift`` covers the model features the
        service was told to keep (none: an empty table).

    Raises
    ------
    SchemaError
        No logged rows, or logged classes the model does not have.
    ConfigError
        No reference given and none in the bundle, or the reference has no predictions.
    """
    check_fitted_model(model, ("schema_", "task_"))
    if not isinstance(logged, pd.DataFrame) or len(logged) == 0:
        raise SchemaError("No logged predictions to compare. Expected the rows "
                          "read_prediction_log returns (check the model name and time range).")
    config = DriftConfig() if drift_config is None else drift_config
    task = model.task_.value
    classes = None if not model.task_.is_classification else \
        {str(c): i for i, c in enumerate(model.classes_)}
    signal = logged_signal(logged, task=task, classes=classes)
    features = [c for c in model.schema_.names if c in logged.columns]
    if reference is None:
        reference = require_bundle_profile(
            model, hint="pass the training data as the reference.")
    if isinstance(reference, pd.DataFrame):
        drift = detect_drift(reference[features], logged, columns=features, config=config)
        prediction_profile = reference_prediction_profile(
            model, reference[list(model.schema_.names)], n_bins=config.n_bins)
    else:
        drift, prediction_profile = profile_drift(reference, logged, features, config)
    if prediction_profile is None:
        raise ConfigError("The reference holds no predictions, so prediction drift cannot be "
                          "measured. Hint: pass the training data as the reference.")
    row, histogram = compare_column("prediction", prediction_profile, signal, config)
    return MonitorReport(drift=drift, prediction_drift=pd.DataFrame([row], columns=COLUMNS),
                         performance=None, model_name=model_name(model),
                         prediction_histogram=histogram)
