"""What text looks like: numbers, dates (and in which format), hash-like keys, sentences."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jogak.data._coerce import text_to_datetimes, text_to_numbers, yyyymmdd_to_datetimes

__all__ = ["all_numbers", "date_format", "is_yyyymmdd", "looks_hashed", "mean_words"]

_HASH = r"[A-Za-z0-9+/=_\-]{16,}"
# tried in order on text that looks like dates; the first that parses the most values wins
_DATE_FORMATS = (
    "ISO8601", "%Y.%m.%d", "%Y.%m.%d.", "%Y. %m. %d.", "%Y. %m. %d", "%Y년 %m월 %d일",
    "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%m/%d/%Y", "%d/%m/%Y", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M", "%d.%m.%Y", "%d-%m-%Y", "%d-%b-%Y", "%d %b %Y", "%b %d, %Y",
    "%d %B %Y", "%B %d, %Y", "%Y.%m", "%Y년 %m월",
)
_DATE_SHAPE = "|".join((
    r"\d{1,4}\s*[-./년]\s*\d{1,2}", r"\d{8}", r"\d{1,2}[ -][A-Za-z]{3}",
    r"[A-Za-z]{3,9}\.? \d{1,2},? \d{4}",
))
_SAMPLE = 2000


def all_numbers(values: pd.Index) -> np.ndarray | None:
    if np.isnan(text_to_numbers(values[:_SAMPLE])).any():
        return None
    numbers = text_to_numbers(values)
    return None if np.isnan(numbers).any() else numbers


def is_yyyymmdd(numbers: np.ndarray) -> bool:
    finite = numbers[np.isfinite(numbers)]
    return bool(len(finite) and np.all(finite == np.round(finite)) and finite.min() >= 19000101
                and finite.max() <= 21001231 and yyyymmdd_to_datetimes(finite).notna().all())


def date_format(values: pd.Index, weights: np.ndarray) -> tuple[str, int] | None:
    sample, sample_weights = values[:500], weights[:500]
    shaped = np.asarray(sample.str.match(_DATE_SHAPE), dtype=bool)
    if np.average(shaped, weights=sample_weights) < 0.8 or sample.str.len().max() > 40:
        return None
    best, best_share = None, 0.0
    for fmt in _DATE_FORMATS:
        if np.average(text_to_datetimes(sample[:50], fmt).notna(),
                      weights=sample_weights[:50]) < 0.8:
            continue
        share = float(np.average(text_to_datetimes(sample, fmt).notna(), weights=sample_weights))
        if share > best_share:
            best, best_share = fmt, share
        if share == 1.0:
            break
    if best is None or best_share < 0.9:
        return None
    parsed = np.asarray(text_to_datetimes(values, best).notna())
    n_unparsed = int(weights[~parsed].sum())
    return (best, n_unparsed) if n_unparsed <= 0.05 * weights.sum() else None


def looks_hashed(values: pd.Index) -> bool:
    sample = values[:_SAMPLE]
    if len(sample) < 2 or not sample.str.fullmatch(_HASH).all():
        return False
    lengths = sample.str.len()
    mixed = sample.str.contains(r"\d") & sample.str.contains(r"[A-Za-z]")
    return bool(lengths.max() - lengths.min() <= 2 and mixed.mean() >= 0.9)


def mean_words(values: pd.Index, weights: np.ndarray) -> float:
    words = values[:_SAMPLE].str.count(r"\S+").to_numpy(dtype="float64")
    return float(np.average(words, weights=weights[:_SAMPLE]))
