"""Presentation glue: shaping library results into the tables and defaults pages show."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from jogak.errors import ConfigError, SchemaError

__all__ = ["PLAYBOOK", "RISK_BANDS", "id_column", "member_table", "pseudonymise", "risk_band",
           "target_rate", "target_rows", "typical_record"]

_KEY_FILE = "dashboard.key"


def target_rate(frame: pd.DataFrame, column: str, target: str, positive: Any, *,
                bins: int = 5, min_count: int = 1,
                sort: Literal["rate", "count", "level"] = "rate") -> pd.DataFrame:
    """Share of ``target == positive`` per level of ``column`` (numeric: per quantile bin).

    Returns ``level, n, rate`` for the groups with at least ``min_count`` rows; missing values
    form their own group ``"(missing)"``.

    Examples
    --------
    >>> frame = pd.DataFrame({"c": ["a", "a", "b"], "y": ["Yes", "No", "Yes"]})
    >>> target_rate(frame, "c", "y", "Yes", sort="level")[["level", "n", "rate"]].values.tolist()
    [['a', 2, 0.5], ['b', 1, 1.0]]
    """
    for name in (column, target):
        if name not in frame.columns:
            raise SchemaError(f"No column {name!r}; columns are {list(frame.columns)[:15]}.")
    if not isinstance(bins, int) or bins < 1 or not isinstance(min_count, int) or min_count < 1:
        raise ConfigError(f"bins and min_count must be whole numbers >= 1, got {bins!r}, "
                          f"{min_count!r}.")
    if sort not in ("rate", "count", "level"):
        raise ConfigError(f"sort must be 'rate', 'count' or 'level', got {sort!r}.")
    known = frame[frame[target].notna()]
    values = known[column]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values) \
            and values.nunique() > bins:
        groups = pd.qcut(values, q=bins, duplicates="drop").astype(str)
    else:
        groups = values.astype(str)
    groups = groups.where(values.notna(), "(missing)")
    hits = (known[target].astype(str) == str(positive)).astype(float)
    table = (pd.DataFrame({"level": groups.to_numpy(), "hit": hits.to_numpy()})
             .groupby("level", sort=True)["hit"].agg(n="size", rate="mean").reset_index())
    table = table[table["n"] >= min_count]
    if sort == "rate":
        table = table.sort_values(["rate", "n"], ascending=False, kind="stable")
    elif sort == "count":
        table = table.sort_values("n", ascending=False, kind="stable")
    return table.reset_index(drop=True)


def typical_record(frame: pd.DataFrame, columns: list[str]) -> dict[str, Any]:
    """The median of numeric columns and the most frequent value of the others."""
    record: dict[str, Any] = {}
    for column in columns:
        values = frame[column].dropna()
        if values.empty:
            record[column] = None
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            record[column] = float(values.median())
        else:
            record[column] = values.mode().iloc[0]
    return record


def id_column(model: Any, frame: pd.DataFrame) -> str | None:
    """The customer identifier: the model's first ``identifier`` column present in ``frame``."""
    from jogak.data import ColumnRole

    roles = getattr(model, "roles_", None)
    if roles is None:
        return None
    found = [c for c in roles.columns(ColumnRole.IDENTIFIER) if c in frame.columns]
    return found[0] if found else None


def pseudonymise(values: pd.Series, home: Path) -> pd.Series:
    """HMAC tokens (16 hex digits) of identifiers, keyed by ``HOME/dashboard.key``.

    The key is made on first use (readable by its owner only); the same id always gets the
    same token, so a user can look a customer up by the token the pages show.
    """
    from jogak.data.privacy import PseudonymKey, Tokenizer, generate_key_file

    path = home / _KEY_FILE
    key = PseudonymKey.from_file(path) if path.exists() else generate_key_file(path)
    return Tokenizer(key, length=16).tokenize(values.astype(str))


def member_table(model: Any, rows: pd.DataFrame) -> pd.DataFrame:
    """Each ensemble member's positive-class probability (or value) and weight for one row.

    Returns ``member, family, weight, prediction``; a stacked ensemble reports weight NaN
    (the stacker combines the members).
    """
    ensemble = model.ensemble_
    validated = model._validated(rows.head(1))  # the estimator's own schema validation
    predictions = ensemble.member_predictions(validated)
    out = []
    for member, prediction in zip(ensemble.members, predictions, strict=True):
        value = np.asarray(prediction)[0]
        value = float(value[-1]) if np.ndim(value) else float(value)
        weight = float("nan") if ensemble.stacker is not None else float(member.weight)
        out.append({"member": f"{member.family}#{member.trial}", "family": member.family,
                    "weight": weight, "prediction": value})
    return pd.DataFrame(out)


#: Risk bands of the Targeting page (lower bounds of the predicted probability).
RISK_BANDS = (("very high", 0.7), ("high", 0.5), ("medium", 0.3), ("low", 0.0))

PLAYBOOK = """**Very-high-risk playbook (probability ≥ 0.7)** · 고위험 고객 대응
1. Call within a week (a person, not a message); ask what is wrong before offering anything.
2. Offer the contract or plan change the top reasons point to (see *Why* for the customer).
3. Escalate unresolved complaints; follow up after 30 days and record the outcome."""


def risk_band(proba: np.ndarray) -> np.ndarray:
    """The :data:`RISK_BANDS` name of each probability."""
    p = np.asarray(proba, dtype=float)
    out = np.full(p.shape, "low", dtype=object)
    for name, low in reversed(RISK_BANDS[:-1]):
        out[p >= low] = name
    return out


def target_rows(proba: np.ndarray, threshold: float, labels: list[str],
                customer_value: float) -> pd.DataFrame:
    """Flagged customers (``proba >= threshold``), most likely first, pseudonymised ids.

    Returns ``rank, customer, probability, risk_band, value_at_risk``.
    """
    p = np.asarray(proba, dtype=float)
    if len(labels) != p.size:
        raise SchemaError(f"{len(labels)} customer labels for {p.size} probabilities.")
    order = np.argsort(-p, kind="stable")
    order = order[p[order] >= threshold]
    return pd.DataFrame({"rank": np.arange(1, order.size + 1),
                         "customer": np.asarray(labels, dtype=object)[order],
                         "probability": p[order], "risk_band": risk_band(p[order]),
                         "value_at_risk": p[order] * customer_value})
