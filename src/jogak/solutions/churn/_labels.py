"""Churn labels that respect time: KKBOX's renewal rule and the event-log cutoff protocol."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from jogak.data.aggregate import DUCKDB, DuckDBEngine, date_expression, parse_cutoff
from jogak.errors import ConfigError, SchemaError

__all__ = ["event_log_labels", "kkbox_churn_labels", "time_split"]

_TX_COLUMNS = ("msno", "transaction_date", "membership_expire_date", "is_cancel")


class _View:
    """A table registered on a private DuckDB engine, with its date columns resolved."""

    def __init__(self, source: pd.DataFrame | str | Path, *, name: str,
                 required: Sequence[str], dates: Sequence[str]) -> None:
        self.engine = DuckDBEngine()
        self.view = f"jogak_{name}_src"
        self.engine.register(self.view, source)
        columns = self.engine.columns(self.view)
        missing = [c for c in required if c not in columns]
        if missing:
            self.engine.close()
            raise SchemaError(f"The {name} table has no column(s) {missing}; its columns are "
                              f"{list(columns)}.")
        try:
            self.dates = {c: date_expression(self.engine, self.view, c) for c in dates}
        except SchemaError:
            self.engine.close()
            raise

    def __enter__(self) -> _View:
        return self

    def __exit__(self, *exc: object) -> None:
        self.engine.close()


def kkbox_churn_labels(transactions: pd.DataFrame | str | Path, *, month: str,
                       horizon_days: int = 30, data_end: Any = None
                       ) -> tuple[pd.DataFrame, dict[str, int]]:
    """KKBOX's churn labels for the users whose membership expires in ``month``.

    A membership *expires* on day ``e`` when a transaction ends it on ``e`` and no
    non-cancel transaction dated before ``e`` runs past ``e``. The user *churns* when no
    valid new subscription (a non-cancel transaction dated ``e`` … ``e + horizon_days`` that
    runs past ``e``) follows. Each user is labelled at their last expiry in the month. The
    features of a user must use data up to ``cutoff = e - 1`` only (a renewal can be dated
    ``e``). Users whose window ends after the last transaction in the data are left out.

    Parameters
    ----------
    transactions : DataFrame or path
        KKBOX transactions (``msno, transaction_date, membership_expire_date, is_cancel``;
        dates as YYYYMMDD or ISO).
    month : str
        The cohort, ``YYYY-MM``.
    horizon_days : int, default 30
        Days after the expiry in which a renewal counts.
    data_end : date or str, optional
        The last day the transactions cover (default: the latest transaction date).

    Returns
    -------
    labels : DataFrame
        ``msno, expiry, cutoff, cohort, is_churn``, sorted by ``msno``.
    counts : dict
        ``n_users``, ``n_churn``, ``n_undecidable`` (window beyond the data, left out),
        ``n_duplicates`` (exact duplicate transactions ignored).
    """
    if not isinstance(month, str) or not re.fullmatch(r"\d{4}-\d{2}", month):
        raise ConfigError(f"month must be YYYY-MM, got {month!r}.")
    try:
        period = pd.Period(month, freq="M")
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"month must be YYYY-MM, got {month!r}.") from exc
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or horizon_days < 1:
        raise ConfigError(f"horizon_days must be an int >= 1, got {horizon_days!r}.")
    first, last = period.start_time.date(), period.end_time.date()
    end_day = parse_cutoff(data_end)
    end_sql = ("SELECT max(td) AS last_day FROM t" if end_day is None
               else f"SELECT DATE '{end_day}' AS last_day")
    with _View(transactions, name="transactions", required=_TX_COLUMNS,
               dates=("transaction_date", "membership_expire_date")) as v:
        td, ed = v.dates["transaction_date"], v.dates["membership_expire_date"]
        n_dup = v.engine.rows(f"SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT * "
                              f"FROM {v.view})) FROM {v.view}")[0][0]
        sql = f"""
        WITH t AS (SELECT DISTINCT CAST(msno AS VARCHAR) AS msno, {td} AS td, {ed} AS ed,
                          CAST(is_cancel AS INTEGER) AS cancel
                   FROM {v.view} WHERE msno IS NOT NULL),
        ends AS (SELECT DISTINCT msno, ed AS e FROM t
                 WHERE ed BETWEEN DATE '{first}' AND DATE '{last}'),
        expiring AS (SELECT c.msno, max(c.e) AS e FROM ends AS c WHERE NOT EXISTS (
                       SELECT 1 FROM t WHERE t.msno = c.msno AND t.cancel = 0
                       AND t.td < c.e AND t.ed > c.e) GROUP BY c.msno),
        data_end AS ({end_sql})
        SELECT x.msno, x.e AS expiry,
               CASE WHEN x.e + INTERVAL {horizon_days} DAY > d.last_day THEN NULL
                    WHEN EXISTS (SELECT 1 FROM t WHERE t.msno = x.msno AND t.cancel = 0
                         AND t.td >= x.e AND t.td <= x.e + INTERVAL {horizon_days} DAY
                         AND t.ed > x.e) THEN 0 ELSE 1 END AS is_churn
        FROM expiring AS x CROSS JOIN data_end AS d ORDER BY x.msno"""
        frame = v.engine.frame(sql)
    undecidable = frame["is_churn"].isna()
    labels = frame.loc[~undecidable].reset_index(drop=True)
    labels["expiry"] = pd.to_datetime(labels["expiry"])
    labels["cutoff"] = labels["expiry"] - pd.Timedelta(days=1)
    labels["cohort"] = str(period)
    labels["is_churn"] = labels["is_churn"].astype("int64")
    counts = {"n_users": len(labels), "n_churn": int(labels["is_churn"].sum()),
              "n_undecidable": int(undecidable.sum()), "n_duplicates": int(n_dup)}
    return labels[["msno", "expiry", "cutoff", "cohort", "is_churn"]], counts


def event_log_labels(events: pd.DataFrame | str | Path, *, key: str, time: str, cutoff: Any,
                     horizon_days: int) -> pd.DataFrame:
    """Churn from an event log: customers active up to ``cutoff`` who have no event in the
    ``horizon_days`` after it.

    The cutoff protocol: features may use events dated ``<= cutoff``; the label looks at
    ``(cutoff, cutoff + horizon_days]``; the data must reach the end of that window.

    Returns
    -------
    DataFrame
        ``key, is_churn`` (1 = no event in the window), one row per customer with an event
        on or before the cutoff, sorted by key.

    Raises
    ------
    ConfigError
        The window ends after the last event of the log, or the cutoff precedes every event.
    """
    day = parse_cutoff(cutoff)
    if day is None:
        raise ConfigError("event_log_labels needs a cutoff date.")
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or horizon_days < 1:
        raise ConfigError(f"horizon_days must be an int >= 1, got {horizon_days!r}.")
    end: date = day + timedelta(days=horizon_days)
    with _View(events, name="events", required=(key, time), dates=(time,)) as v:
        t, k = v.dates[time], DUCKDB.quote(key)
        first_day, last_day = v.engine.rows(f"SELECT min({t}), max({t}) FROM {v.view}")[0]
        if last_day is None or last_day < end:
            raise ConfigError(f"The churn window ends on {end}, after the last event "
                              f"({last_day}). Hint: use an earlier cutoff or a shorter horizon.")
        if first_day > day:
            raise ConfigError(f"The cutoff {day} precedes every event (first: {first_day}).")
        frame = v.engine.frame(f"""
            SELECT CAST({k} AS VARCHAR) AS {k},
                   CASE WHEN max(CASE WHEN {t} > DATE '{day}' AND {t} <= DATE '{end}'
                                 THEN 1 ELSE 0 END) = 1 THEN 0 ELSE 1 END AS is_churn
            FROM {v.view} WHERE {k} IS NOT NULL GROUP BY 1
            HAVING min({t}) <= DATE '{day}' ORDER BY 1""")
    frame["is_churn"] = frame["is_churn"].astype("int64")
    return frame


def time_split(frame: pd.DataFrame, *, time_column: str, valid_from: Any
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows before ``valid_from`` (train) and from it on (validation): never a random split.

    Raises
    ------
    SchemaError
        The column is missing, or either side is empty.
    """
    if time_column not in frame.columns:
        raise SchemaError(f"time_split: no column {time_column!r}; columns are "
                          f"{list(frame.columns)[:20]}.")
    values = frame[time_column]
    boundary: Any = valid_from
    if not pd.api.types.is_numeric_dtype(values) and not isinstance(values.dtype,
                                                                        pd.CategoricalDtype):
        try:
            values = pd.to_datetime(values)
            boundary = pd.Timestamp(str(valid_from))
        except (ValueError, TypeError):
            boundary = str(valid_from)
    valid_mask = (values >= boundary).to_numpy()
    train, valid = frame.loc[~valid_mask], frame.loc[valid_mask]
    if train.empty or valid.empty:
        raise SchemaError(f"time_split at {valid_from!r} leaves {len(train)} training and "
                          f"{len(valid)} validation rows; both need rows.")
    return train.reset_index(drop=True), valid.reset_index(drop=True)
