"""Synthetic frame builders with every column kind jogak handles, from a given seed."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["make_classification_frame", "make_frame", "make_numeric_frame"]

_WORDS = ["love", "war", "city", "night", "rain", "murder", "family", "secret", "journey",
          "money", "king", "school", "police", "ghost", "music", "dream", "island", "revenge",
          "road", "heart", "fire", "winter", "summer", "mother", "brother"]


def make_numeric_frame(n_rows: int = 100, n_columns: int = 4, *, seed: int = 0,
                       missing_share: float = 0.0) -> pd.DataFrame:
    """A frame of ``n_columns`` float columns ``x0..``, skewed and with a few outliers."""
    rng = np.random.default_rng(seed)
    data = {}
    for j in range(n_columns):
        column = rng.lognormal(mean=0.0, sigma=0.5 + 0.25 * j, size=n_rows) if j % 2 else \
            rng.normal(loc=10.0 * j, scale=1.0 + j, size=n_rows)
        if missing_share > 0:
            column[rng.random(n_rows) < missing_share] = np.nan
        data[f"x{j}"] = column
    return pd.DataFrame(data)


def make_frame(n_rows: int = 200, *, seed: int = 0, missing_share: float = 0.05,
               with_text: bool = True, with_dates: bool = True) -> pd.DataFrame:
    """A mixed frame: numeric, skewed, low/high-cardinality categorical, boolean, date, text, id.

    Columns: ``id`` (unique), ``num`` (normal), ``amount`` (log-normal), ``count`` (integer),
    ``flag`` (bool), ``color`` (4 levels), ``city`` (~n_rows/4 levels), ``joined`` (datetime),
    ``joined_int`` (YYYYMMDD int), ``synopsis`` (a sentence), ``const`` (one value).
    ``missing_share`` of the cells of ``num``, ``amount``, ``color`` and ``city`` are missing.
    """
    rng = np.random.default_rng(seed)
    n_cities = max(2, n_rows // 4)
    frame = pd.DataFrame({
        "id": [f"u{seed}_{i:07d}" for i in range(n_rows)],
        "num": rng.normal(50.0, 10.0, n_rows),
        "amount": rng.lognormal(3.0, 1.0, n_rows),
        "count": rng.poisson(3.0, n_rows).astype("int64"),
        "flag": rng.random(n_rows) < 0.3,
        "color": rng.choice(["red", "green", "blue", "black"], n_rows, p=[0.4, 0.3, 0.2, 0.1]),
        "city": [f"city_{k}" for k in rng.integers(0, n_cities, n_rows)],
        "const": "same",
    })
    if with_dates:
        start = np.datetime64("2015-01-01")
        days = rng.integers(0, 3000, n_rows)
        frame["joined"] = pd.to_datetime(start + days.astype("timedelta64[D]"))
        frame["joined_int"] = frame["joined"].dt.strftime("%Y%m%d").astype("int64")
    if with_text:
        frame["synopsis"] = [
            " ".join(rng.choice(_WORDS, size=int(rng.integers(8, 20)))).capitalize() + "."
            for _ in range(n_rows)
        ]
    for name in ("num", "amount", "color", "city"):
        mask = rng.random(n_rows) < missing_share
        frame[name] = frame[name].mask(mask)
    return frame


def make_classification_frame(n_rows: int = 300, *, seed: int = 0, n_classes: int = 2,
                              missing_share: float = 0.05) -> pd.DataFrame:
    """:func:`make_frame` plus a ``target`` column that depends on num, amount, color and flag."""
    rng = np.random.default_rng(seed)
    frame = make_frame(n_rows, seed=seed, missing_share=missing_share)
    score = (
        (frame["num"].fillna(50.0) - 50.0) / 10.0
        + np.log(frame["amount"].fillna(20.0)) - 3.0
        + frame["color"].map({"red": 1.0, "green": 0.0, "blue": -1.0}).fillna(0.0).to_numpy()
        + frame["flag"].to_numpy() * 1.5
        + rng.normal(0.0, 0.7, n_rows)
    )
    if n_classes == 2:
        frame["target"] = np.where(score > 0.5, "yes", "no")
    else:
        edges = np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1])
        labels = np.array([f"class_{k}" for k in range(n_classes)])
        frame["target"] = labels[np.digitize(score, edges)]
    return frame
