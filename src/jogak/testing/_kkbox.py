"""Synthetic KKBOX-schema data: members, transactions, user_logs and churn labels.

For tests and scale benchmarks only; never a real result.

How it is made
--------------
*Marginals* (:data:`KKBOX_MARGINALS`) were fitted on ``kkbox_churn_sample`` by
:func:`fit_kkbox_marginals`: category shares (city, registered_via, gender with its missing
share, payment method, plan length), the share of ``bd`` = 0 and of impossible ages, a normal
fit of the valid ages, registration-year shares, the auto-renew, cancel and discount rates, the
churn rate, and for each listening count and ``total_secs`` the mean and standard deviation of
``log1p(value)`` and the share of zeros. A test refits them and checks the constants.

*A latent engagement process* ties the tables together. Each user draws an engagement
``z ~ N(0, 1)``. It raises the chance of auto-renew and of listening on a given day, scales
the listening volume (``log1p`` means shift by ``0.35 z``), and lowers the chance of a
cancel. Every user's current membership expires on a day of ``label_month``; the history
before is a chain of back-to-back paid periods. Churn is drawn from ``z``, cancel and
auto-renew (logistic, calibrated to the sample's churn rate); would-be churners' engagement
fades over the 30 days before expiry; a user who stays renews within 30 days of the expiry
(on the day for auto-renew), so the KKBOX churn rule recovers the label from the
transactions exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["KKBOX_MARGINALS", "fit_kkbox_marginals", "make_kkbox", "write_kkbox_user_logs"]

KKBOX_MARGINALS: dict[str, Any] = {
    "city": {1: 0.4751, 13: 0.1166, 5: 0.0885, 4: 0.0623, 15: 0.0548, 22: 0.0529, 6: 0.0314,
             14: 0.0245, 12: 0.0156, 9: 0.0141, 8: 0.0106, 11: 0.0102, 18: 0.0095, 10: 0.009,
             21: 0.0069, 3: 0.0066, 17: 0.0066, 7: 0.0028, 16: 0.0011, 20: 0.0008, 19: 0.0002},
    "registered_via": {7: 0.3368, 9: 0.3308, 3: 0.197, 4: 0.1327, 13: 0.0027},
    "gender": {"missing": 0.4964, "male": 0.2603, "female": 0.2434},
    "bd_zero_share": 0.5045,
    "bd_invalid_share": 0.0054,
    "bd_mean": 29.6,
    "bd_std": 9.35,
    "registration_year": {2004: 0.0089, 2005: 0.014, 2006: 0.0177, 2007: 0.0301, 2008: 0.0219,
                          2009: 0.0195, 2010: 0.0392, 2011: 0.0639, 2012: 0.0772, 2013: 0.1267,
                          2014: 0.1226, 2015: 0.2184, 2016: 0.2178, 2017: 0.0222},
    "payment_method_id": {41: 0.4853, 39: 0.0958, 38: 0.081, 32: 0.07, 36: 0.0629, 40: 0.0592,
                          37: 0.0288, 34: 0.0225},
    "plan_days": {30: 0.8486, 410: 0.0585, 195: 0.0198, 180: 0.0167, 90: 0.0123},
    "plan_price": {30: 149, 410: 1788, 195: 894, 180: 536, 90: 477},
    "auto_renew_rate": 0.785,
    "cancel_rate": 0.0254,
    "discount_rate": 0.0061,
    "churn_rate": 0.0871,
    "log1p": {"num_25": (1.306, 1.091, 0.259), "num_50": (0.591, 0.708, 0.493),
              "num_75": (0.461, 0.583, 0.548), "num_985": (0.479, 0.618, 0.547),
              "num_100": (2.814, 1.186, 0.029), "num_unq": (2.906, 1.044, 0.0),
              "total_secs": (8.313, 1.31, 0.0)},
}
_BUCKETS = ("num_25", "num_50", "num_75", "num_985", "num_100")


def _shares(series: pd.Series, top: int | None = None) -> dict[Any, float]:
    shares = series.value_counts(normalize=True, dropna=False)
    if top is not None:
        shares = shares.head(top)
    return {("missing" if k != k else k): round(float(v), 4) for k, v in shares.items()}


def fit_kkbox_marginals(folder: str | Path) -> dict[str, Any]:
    """Refit :data:`KKBOX_MARGINALS` from the KKBOX sample folder (members, transactions,
    user_logs, train as ``.csv.gz``)."""
    root = Path(folder)
    members = pd.read_csv(root / "members.csv.gz")
    tx = pd.read_csv(root / "transactions.csv.gz")
    logs = pd.read_csv(root / "user_logs.csv.gz")
    train = pd.read_csv(root / "train.csv.gz")
    valid = members["bd"][(members["bd"] > 0) & (members["bd"] <= 100)]
    plan = tx["payment_plan_days"].value_counts(normalize=True).head(5)
    log1p = {}
    for column in (*_BUCKETS, "num_unq", "total_secs"):
        values = np.log1p(logs[column].clip(lower=0))
        log1p[column] = (round(float(values.mean()), 3), round(float(values.std()), 3),
                         round(float((logs[column] == 0).mean()), 3))
    return {
        "city": _shares(members["city"]),
        "registered_via": _shares(members["registered_via"]),
        "gender": _shares(members["gender"]),
        "bd_zero_share": round(float((members["bd"] == 0).mean()), 4),
        "bd_invalid_share": round(float(((members["bd"] < 0) | (members["bd"] > 100)).mean()), 4),
        "bd_mean": round(float(valid.mean()), 2),
        "bd_std": round(float(valid.std()), 2),
        "registration_year": _shares(pd.to_datetime(members["registration_init_time"]).dt.year),
        "payment_method_id": _shares(tx["payment_method_id"], top=8),
        "plan_days": {int(k): round(float(v), 4) for k, v in plan.items()},
        "plan_price": {int(k): int(tx.loc[tx["payment_plan_days"] == k, "plan_list_price"]
                                   .mode().iloc[0]) for k in plan.index},
        "auto_renew_rate": round(float(tx["is_auto_renew"].mean()), 4),
        "cancel_rate": round(float(tx["is_cancel"].mean()), 4),
        "discount_rate": round(float((tx["actual_amount_paid"] < tx["plan_list_price"]).mean()),
                               4),
        "churn_rate": round(float(train["is_churn"].mean()), 4),
        "log1p": log1p,
    }


def _pick(rng: np.random.Generator, shares: dict[Any, float], size: int) -> np.ndarray:
    keys = list(shares)
    probs = np.array([shares[k] for k in keys], dtype=float)
    return np.asarray(keys, dtype=object)[rng.choice(len(keys), size=size, p=probs / probs.sum())]


def _sigmoid(x: np.ndarray | float) -> Any:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def _user_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    import base64

    raw = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    return np.array([base64.b64encode(bytes(r)).decode("ascii") for r in raw], dtype=object)


def _ymd(days: np.ndarray) -> np.ndarray:
    stamps = pd.to_datetime(np.asarray(days, dtype="int64"), unit="D")
    return (stamps.year * 10000 + stamps.month * 100 + stamps.day).to_numpy(dtype=np.int64)


def _members(rng: np.random.Generator, ids: np.ndarray, first_day: np.ndarray) -> pd.DataFrame:
    m = KKBOX_MARGINALS
    n = len(ids)
    age = np.clip(np.round(rng.normal(m["bd_mean"], m["bd_std"], n)), 5, 99).astype(int)
    kind = rng.random(n)
    age = np.where(kind < m["bd_zero_share"], 0, age)
    odd = (kind >= m["bd_zero_share"]) & (kind < m["bd_zero_share"] + m["bd_invalid_share"])
    age = np.where(odd, rng.choice([-49, 101, 117, 931], n), age)
    gender = _pick(rng, m["gender"], n)
    years = _pick(rng, m["registration_year"], n).astype(int)
    registered = pd.to_datetime(years.astype(str)) + pd.to_timedelta(rng.integers(0, 365, n),
                                                                      unit="D")
    reg_days = np.minimum(registered.to_numpy(dtype="datetime64[D]").astype(np.int64), first_day)
    return pd.DataFrame({
        "msno": ids, "city": _pick(rng, m["city"], n).astype(int), "bd": age,
        "gender": pd.Series(gender, dtype=object).where(gender != "missing", None),
        "registered_via": _pick(rng, m["registered_via"], n).astype(int),
        "registration_init_time": _ymd(reg_days)})


def _log_values(rng: np.random.Generator, z: np.ndarray) -> dict[str, np.ndarray]:
    """Listening counts and seconds of one day per entry of ``z`` (engagement)."""
    params = KKBOX_MARGINALS["log1p"]
    n = len(z)
    shift = (0.35 * z).astype(np.float32)
    noise = rng.standard_normal((len(_BUCKETS) + 1, n), dtype=np.float32)
    zeros = rng.random((len(_BUCKETS), n), dtype=np.float32)
    out: dict[str, np.ndarray] = {}
    for i, column in enumerate(_BUCKETS):
        mean, std, zero = params[column]
        value = np.expm1(np.clip(noise[i] * np.float32(std) + np.float32(mean) + shift, 0, 30))
        value = np.rint(value).astype(np.int64)
        value[zeros[i] < zero] = 0
        out[column] = value
    plays = sum(out[c] for c in _BUCKETS)
    share = rng.random(n, dtype=np.float32) * np.float32(0.4) + np.float32(0.6)
    out["num_unq"] = np.maximum(1, np.rint(plays * share)).astype(np.int64)
    secs_mean, secs_std, _ = params["total_secs"]
    secs = np.expm1(noise[-1] * np.float32(secs_std * 0.6) + np.float32(secs_mean) + shift)
    out["total_secs"] = np.round(secs.astype(np.float64), 3)
    return out


def make_kkbox(n_users: int = 300, *, seed: int = 0, label_month: str = "2017-02",
               history_days: int = 120, negative_secs_share: float = 0.0
               ) -> dict[str, pd.DataFrame]:
    """KKBOX-schema tables for ``n_users`` users whose memberships expire in ``label_month``.

    Parameters
    ----------
    n_users : int, default 300
        Users (each has a member row, transactions, a label, and usually logs).
    seed : int, default 0
        Random seed.
    label_month : str, default "2017-02"
        ``YYYY-MM``: every user's current membership expires in this month; ``train`` holds
        whether they churned (no renewal within 30 days). Data run to 31 days after the month.
    history_days : int, default 120
        Days of listening logs and transactions before the month.
    negative_secs_share : float, default 0.0
        Share of log rows whose ``total_secs`` is made negative (KKBOX's system errors).

    Returns
    -------
    dict of str to DataFrame
        ``members`` (members_v3 columns, ``registration_init_time`` as YYYYMMDD int),
        ``transactions`` and ``user_logs`` (dates as YYYYMMDD ints, like KKBOX), ``train``
        (``msno, is_churn``), and ``truth`` (``msno, engagement, expiry`` as YYYYMMDD).
    """
    rng = np.random.default_rng(seed)
    month = pd.Period(label_month, freq="M")
    month_start = int(np.datetime64(month.start_time.date(), "D").astype(np.int64))
    n_days = month.days_in_month
    data_end = month_start + n_days + 31
    history_start = month_start - history_days
    ids = _user_ids(rng, n_users)
    z = rng.normal(size=n_users)
    m = KKBOX_MARGINALS
    auto = rng.random(n_users) < _sigmoid(np.log(m["auto_renew_rate"] /
                                                 (1 - m["auto_renew_rate"])) + 0.8 * z)
    cancel = rng.random(n_users) < _sigmoid(np.log(m["cancel_rate"] / (1 - m["cancel_rate"]))
                                            + 1.2 - 0.8 * z)
    churn_logit = -2.9 - 1.4 * z + 2.5 * cancel - 0.8 * auto
    churn = rng.random(n_users) < _sigmoid(churn_logit)
    expiry = month_start + rng.integers(0, n_days, n_users)
    plan_days = _pick(rng, m["plan_days"], n_users).astype(int)
    method = _pick(rng, m["payment_method_id"], n_users).astype(int)
    tx_rows: list[tuple[Any, ...]] = []
    log_frames: list[pd.DataFrame] = []
    first_day = np.empty(n_users, dtype=np.int64)
    for i in range(n_users):
        plan, price = int(plan_days[i]), int(m["plan_price"][int(plan_days[i])])
        paid = price if rng.random() >= m["discount_rate"] * 10 else int(price * 0.8)
        start = int(expiry[i]) - plan
        starts = [start]
        while starts[-1] - plan >= history_start and rng.random() < 0.9:
            starts.append(starts[-1] - plan)
        first_day[i] = starts[-1]
        for s in sorted(starts):
            tx_rows.append((ids[i], int(method[i]), plan, price, paid, int(auto[i]), s, s + plan,
                            0))
        if cancel[i]:  # cancels auto-renew some days before the expiry; the period still runs
            day = int(expiry[i]) - int(rng.integers(1, 10))
            tx_rows.append((ids[i], int(method[i]), plan, price, paid, int(auto[i]), day,
                            int(expiry[i]), 1))
        if not churn[i]:
            renew = int(expiry[i]) if auto[i] and not cancel[i] else \
                int(expiry[i]) + int(rng.integers(1, 29))
            tx_rows.append((ids[i], int(method[i]), plan, price, paid, int(auto[i]), renew,
                            renew + plan, 0))
        # listening: every day of membership up to the data end, fading before a churn
        last_day = data_end if not churn[i] else int(expiry[i])
        days = np.arange(max(first_day[i], history_start), last_day)
        fade = np.where(churn[i], np.clip((int(expiry[i]) - days) / 30.0, 0.15, 1.0), 1.0)
        active = rng.random(days.size) < _sigmoid(0.2 + 1.1 * z[i]) * fade
        if active.any():
            day_z = np.full(int(active.sum()), z[i])
            values = _log_values(rng, day_z)
            log_frames.append(pd.DataFrame({"msno": ids[i], "date": days[active], **values}))
    tx = pd.DataFrame(tx_rows, columns=["msno", "payment_method_id", "payment_plan_days",
                                        "plan_list_price", "actual_amount_paid", "is_auto_renew",
                                        "transaction_date", "membership_expire_date",
                                        "is_cancel"])
    tx = tx[tx["transaction_date"] < data_end]
    tx = tx.assign(transaction_date=_ymd(tx["transaction_date"].to_numpy()),
                   membership_expire_date=_ymd(tx["membership_expire_date"].to_numpy()))
    logs = pd.concat(log_frames, ignore_index=True)
    if negative_secs_share > 0:
        bad = rng.random(len(logs)) < negative_secs_share
        logs.loc[bad, "total_secs"] = -logs.loc[bad, "total_secs"].abs() - 1.0
    logs["date"] = _ymd(logs["date"].to_numpy())
    members = _members(rng, ids, first_day)
    order = rng.permutation(n_users)
    return {
        "members": members.iloc[order].reset_index(drop=True),
        "transactions": tx.sort_values(["transaction_date", "msno"], kind="stable")
        .reset_index(drop=True),
        "user_logs": logs.sort_values(["date", "msno"], kind="stable").reset_index(drop=True),
        "train": pd.DataFrame({"msno": ids, "is_churn": churn.astype(np.int64)}),
        "truth": pd.DataFrame({"msno": ids, "engagement": z, "expiry": _ymd(expiry)}),
    }


def write_kkbox_user_logs(path: str | Path, n_rows: int, *, n_users: int | None = None,
                          seed: int = 0, start: str = "2017-01-01", n_days: int = 90,
                          chunk_rows: int = 2_000_000) -> Path:
    """Write ``n_rows`` synthetic user_log rows to one Parquet file, chunk by chunk.

    Memory stays bounded by ``chunk_rows``. Users (``n_users``, default ``n_rows // 50``) get
    an engagement ``z``; a row's user is drawn with weight ``exp(z)`` (engaged users listen on
    more days), its day uniformly from ``n_days`` days after ``start``, and its values as in
    :func:`make_kkbox`. Dates are ``YYYYMMDD`` ints, as in KKBOX.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    users = n_users or max(1, n_rows // 50)
    ids = _user_ids(rng, users)
    z = rng.normal(size=users)
    weights = np.exp(z)
    cumulative = np.cumsum(weights / weights.sum())
    first = int(np.datetime64(start, "D").astype(np.int64))
    calendar = _ymd(np.arange(first, first + n_days))
    dictionary = pa.array(ids, type=pa.string())
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    writer: Any = None
    try:
        written = 0
        while written < n_rows:
            size = min(chunk_rows, n_rows - written)
            who = np.minimum(np.searchsorted(cumulative, rng.random(size)), users - 1)
            values = _log_values(rng, z[who])
            # dictionary-encoded ids: what Parquet stores anyway, without a Python string each
            msno = pa.DictionaryArray.from_arrays(pa.array(who.astype(np.int32)), dictionary)
            table = pa.table({"msno": msno, "date": calendar[rng.integers(0, n_days, size)],
                              **values})
            if writer is None:
                writer = pq.ParquetWriter(str(target), table.schema)
            writer.write_table(table)
            written += size
    finally:
        if writer is not None:
            writer.close()
    return target
