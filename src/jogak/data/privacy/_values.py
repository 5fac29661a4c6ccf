"""Turning a column into canonical text values, and the markers that mean "missing"."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MISSING_MARKERS", "canonical_text", "missing_mask"]

#: Text that means a missing value (the markers ``jogak.data.load`` reads as missing).
MISSING_MARKERS = frozenset({"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
                             "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None",
                             "n/a", "nan", "null"})


def missing_mask(values: pd.Series) -> np.ndarray:
    """True where a value is missing: NA, or text that is blank or a missing marker."""
    mask = values.isna().to_numpy(dtype=bool).copy()
    if _is_text(values):
        text = values.astype("str")
        mask |= text.str.strip().isin(MISSING_MARKERS).to_numpy(dtype=bool, na_value=True)
    return mask


def _is_text(values: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(values.dtype) or values.dtype == object


def canonical_text(values: pd.Series) -> pd.Series:
    """Each value as text: stripped strings, integers (and integral floats) without ``.0``.

    So the same number read as text from a CSV and as a number from Parquet gives the same
    token. Missing values stay missing.
    """
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("str")
    if pd.api.types.is_integer_dtype(values.dtype):
        return values.astype("Int64").astype("str")
    if pd.api.types.is_float_dtype(values.dtype):
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        integral = np.isfinite(numbers) & (np.floor(numbers) == numbers) & \
            (np.abs(numbers) < 2**63)
        text = pd.Series([repr(float(v)) for v in numbers], index=values.index, dtype="str")
        if integral.any():
            text[integral] = pd.Series(numbers[integral].astype(np.int64)).astype("str").to_numpy()
        text[np.isnan(numbers)] = None
        return text
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.astype("str").where(values.notna(), None)
    return values.astype("str").str.strip()
