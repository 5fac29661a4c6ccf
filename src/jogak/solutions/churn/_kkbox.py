"""The ``kkbox`` preset: KKBOX's members / transactions / user_logs / train layout as a spec.

Features follow S3, grouped as RFM: recency (days since the last transaction and listen, days to
expiry, tenure), frequency (transactions, active days, plays per completion bucket per window,
unique songs, trends) and monetary (total and mean paid, discount, plan days), plus auto-renew
and cancel rates, their interaction and ``no_log_flag``. Only members_v3-style tables are
accepted: the v1 members table carries ``expiration_date``, which leaks the label.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jogak.data.aggregate import (
    Aggregation,
    EntityTable,
    EventTable,
    FeatureSpec,
    Population,
    Ratio,
)
from jogak.errors import ConfigError, SchemaError

__all__ = ["KKBOX_TABLES", "clean_kkbox_features", "find_kkbox_tables", "kkbox_spec"]

KKBOX_TABLES = ("members", "transactions", "user_logs", "train")
_SUFFIXES = (".parquet", ".csv.gz", ".csv")
_LEAKY_MEMBER_COLUMNS = ("expiration_date",)
_BUCKETS = ("num_25", "num_50", "num_75", "num_985", "num_100")
_CATEGORIES = ("city", "gender", "registered_via")
_BANDS = ((1, 20, "10s"), (20, 30, "20s"), (30, 40, "30s"), (40, 50, "40s"), (50, 60, "50s"),
          (60, 70, "60s"), (70, 101, "70s"))


def find_kkbox_tables(folder: str | Path) -> dict[str, Path]:
    """The KKBOX files of a folder: ``members[_v3]``, ``transactions[_v2]``, ``user_logs[_v2]``
    and (optional) ``train[_v2]``, as Parquet (a file or a folder of parts) or CSV(.gz).

    Raises
    ------
    ConfigError
        The folder is missing, or lacks transactions / user_logs / members.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ConfigError(f"KKBOX folder {str(root)!r} does not exist or is not a folder.")
    found: dict[str, Path] = {}
    for table in KKBOX_TABLES:
        for stem in (f"{table}_v3", f"{table}_v2", table):
            for suffix in _SUFFIXES:
                candidate = root / f"{stem}{suffix}"
                if candidate.exists():
                    found.setdefault(table, candidate)
    missing = [t for t in KKBOX_TABLES[:3] if t not in found]
    if missing:
        present = sorted(p.name for p in root.iterdir())[:12]
        raise ConfigError(f"KKBOX folder {str(root)!r} lacks {missing}; expected files named "
                          f"like members_v3.csv.gz, transactions.parquet, user_logs.csv. Found "
                          f"{present}.")
    return found


def _columns(path: Path) -> list[str]:
    import duckdb

    reader = (f"read_csv('{path}', header = true, all_varchar = true)"
              if path.name.endswith((".csv", ".csv.gz")) else
              f"read_parquet('{path}/**/*.parquet')" if path.is_dir() else
              f"read_parquet('{path}')")
    with duckdb.connect() as con:
        return [str(r[0]) for r in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]


def kkbox_spec(tables: Mapping[str, Any] | str | Path, *, windows: tuple[int, ...] = (7, 30),
               population: bool = True) -> FeatureSpec:
    """The KKBOX feature spec over a folder (see :func:`find_kkbox_tables`) or a mapping
    table name -> path or DataFrame.

    Parameters
    ----------
    tables : folder, or mapping with members, transactions, user_logs (and train)
        The sources.
    windows : tuple of int, default (7, 30)
        Listening windows in days before the cutoff (all history is always added).
    population : bool, default True
        One row per user of ``train`` (label ``is_churn`` kept) when it is given; otherwise
        every user seen in any table up to the cutoff.

    Raises
    ------
    SchemaError
        The members table is v1-style (has ``expiration_date``, which leaks the label).
    """
    sources: dict[str, Any] = dict(find_kkbox_tables(tables) if isinstance(tables, str | Path)
                                   else tables)
    missing = [t for t in KKBOX_TABLES[:3] if t not in sources]
    if missing:
        raise ConfigError(f"KKBOX tables missing: {missing}; give members, transactions and "
                          "user_logs (and train for labels).")
    members = sources["members"]
    member_columns = (list(members.columns) if isinstance(members, pd.DataFrame)
                      else _columns(Path(members)))
    leaky = [c for c in _LEAKY_MEMBER_COLUMNS if c in member_columns]
    if leaky:
        raise SchemaError(f"The members table has {leaky}: that is the v1 members table, whose "
                          "expiry date leaks the churn label. Hint: use members_v3 (city, bd, "
                          "gender, registered_via, registration_init_time).")
    listen = (*windows, None)
    transactions = EventTable(
        name="tx", source=sources["transactions"], key="msno", time="transaction_date",
        dates=("transaction_date", "membership_expire_date"), deduplicate=True,
        non_negative=("payment_plan_days", "plan_list_price", "actual_amount_paid",
                      "membership_days"),
        derived={"discount": "plan_list_price - actual_amount_paid",
                 "renew_x_cancel": "is_auto_renew * is_cancel",
                 "membership_days": "membership_expire_date - transaction_date"},
        aggregations=(
            Aggregation(func="count", name="tx_count"),
            Aggregation(func="sum", column="actual_amount_paid", name="tx_total_paid"),
            Aggregation(func="mean", column="actual_amount_paid", name="tx_mean_paid"),
            Aggregation(func="mean", column="discount", name="tx_mean_discount"),
            Aggregation(func="mean", column="is_auto_renew", name="tx_auto_renew_rate"),
            Aggregation(func="mean", column="is_cancel", name="tx_cancel_rate"),
            Aggregation(func="sum", column="is_cancel", name="tx_cancel_count"),
            Aggregation(func="mean", column="renew_x_cancel", name="tx_auto_renew_x_cancel"),
            Aggregation(func="mean", column="payment_plan_days", name="tx_mean_plan_days"),
            Aggregation(func="max", column="payment_plan_days", name="tx_max_plan_days"),
            Aggregation(func="mean", column="membership_days", name="tx_mean_membership_days"),
            Aggregation(func="last", column="membership_expire_date", name="tx_days_to_expiry"),
            Aggregation(func="last", column="is_auto_renew", name="tx_last_auto_renew"),
            Aggregation(func="days_since_last", name="tx_days_since_last"),
        ))
    bucket_aggs = tuple(Aggregation(func="sum", column=b, windows=listen, name=f"log_{b}")
                        for b in _BUCKETS)
    logs = EventTable(
        name="logs", source=sources["user_logs"], key="msno", time="date",
        non_negative=("total_secs",), deduplicate=True, absent_flag="no_log_flag",
        fill_absent=0.0, derived={"plays": " + ".join(_BUCKETS)},
        aggregations=(
            Aggregation(func="sum", column="total_secs", windows=listen, name="log_secs"),
            Aggregation(func="mean", column="total_secs", name="log_mean_secs"),
            Aggregation(func="sum", column="plays", windows=listen, name="log_plays"),
            *bucket_aggs,
            Aggregation(func="sum", column="num_unq", windows=listen, name="log_unique_songs"),
            Aggregation(func="active_days", windows=listen, name="log_active_days"),
            Aggregation(func="slope", column="total_secs", name="log_secs_trend"),
            Aggregation(func="days_since_last", name="log_days_since_last"),
        ))
    member_table = EntityTable(name="members", source=members, key="msno", numeric=("bd",),
                               categorical=_CATEGORIES, dates=("registration_init_time",))
    short = f"{windows[0]}d" if windows else "all"
    ratios = (Ratio(name="log_completion_rate", numerator="log_num_100_all",
                    denominator="log_plays_all"),
              Ratio(name=f"log_recent_secs_share_{short}", numerator=f"log_secs_{short}",
                    denominator="log_secs_all"))
    pop = None
    if population and "train" in sources:
        pop = Population(source=sources["train"], key="msno", keep=("is_churn",))
    return FeatureSpec(key="msno", events=(transactions, logs), entities=(member_table,),
                       population=pop, ratios=ratios)


def _age_band(age: float) -> str:
    for low, high, label in _BANDS:
        if low <= age < high:
            return label
    return "unknown"


def clean_kkbox_features(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """S3's cleaning of the KKBOX feature table; returns the clean frame and the repair counts.

    - ``bd`` (age) outside 1–100 (0 is KKBOX's "not given") becomes missing, and ``age_band``
      is ``10s`` … ``70s`` (under 20 → ``10s``, 70 and over → ``70s``) or ``unknown``;
    - missing ``city``, ``gender``, ``registered_via`` become the category ``unknown``;
    - a tenure (``registration_init_time_days``) below 0 (registered after the cutoff) becomes
      missing.

    Heavy listeners are kept (they are real, S3). Numeric gaps are left to the model's
    imputation, which is learned inside cross-validation.
    """
    required = ["bd", *_CATEGORIES]
    absent = [c for c in required if c not in frame.columns]
    if absent:
        raise SchemaError(f"clean_kkbox_features needs the columns {absent}; build the frame "
                          "with kkbox_spec.")
    out = frame.copy()
    repairs: list[dict[str, Any]] = []
    age = pd.to_numeric(out["bd"], errors="coerce")
    bad_age = age.notna() & ((age < 1) | (age > 100))
    repairs.append({"column": "bd", "issue": "age outside 1-100", "n_rows": int(bad_age.sum()),
                    "action": "set to missing, band 'unknown'"})
    age = age.mask(bad_age)
    out["bd"] = age
    out["age_band"] = [("unknown" if np.isnan(a) else _age_band(a)) for a in age.to_numpy(float)]
    for column in _CATEGORIES:
        text = out[column].astype("object")
        missing = text.isna() | (text.astype(str).str.strip() == "")
        repairs.append({"column": column, "issue": "missing category",
                        "n_rows": int(missing.sum()), "action": "category 'unknown'"})
        out[column] = text.where(~missing, "unknown").astype(str)
    if "registration_init_time_days" in out:
        tenure = out["registration_init_time_days"]
        negative = tenure < 0
        repairs.append({"column": "registration_init_time_days",
                        "issue": "registered after the cutoff", "n_rows": int(negative.sum()),
                        "action": "set to missing"})
        out["registration_init_time_days"] = tenure.mask(negative)
    return out, pd.DataFrame(repairs, columns=["column", "issue", "n_rows", "action"])
