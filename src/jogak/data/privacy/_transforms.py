"""Masking, generalisation and suppression of one column (vectorised; values never in errors)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jogak.data.privacy._values import canonical_text, missing_mask
from jogak.data.privacy._vocabulary import PiiKind
from jogak.errors import SchemaError

__all__ = ["age_band", "birth_year", "mask", "postal_prefix", "region", "suppress"]

# canonical names of the 17 Korean provinces and metropolitan cities, by their short forms
_KOREAN_REGIONS = {
    "서울": "서울특별시", "부산": "부산광역시", "대구": "대구광역시", "인천": "인천광역시",
    "광주": "광주광역시", "대전": "대전광역시", "울산": "울산광역시", "세종": "세종특별자치시",
    "경기": "경기도", "강원": "강원특별자치도", "충북": "충청북도", "충남": "충청남도",
    "전북": "전북특별자치도", "전남": "전라남도", "경북": "경상북도", "경남": "경상남도",
    "제주": "제주특별자치도", "충청북": "충청북도", "충청남": "충청남도",
    "전라북": "전북특별자치도", "전라남": "전라남도", "경상북": "경상북도", "경상남": "경상남도",
}
_PROVINCE_SUFFIXES = ("특별자치시", "특별자치도", "특별시", "광역시", "도", "시")


def _text(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    missing = missing_mask(values)
    return canonical_text(values).where(~missing, None), missing


def mask(values: pd.Series, kind: PiiKind | None = None) -> pd.Series:
    """Hide most of each value, keeping the part people use to recognise it.

    Phones and card numbers keep their last four digits (``010-****-5678``); resident numbers
    keep the birth date and gender digit (``900101-1******``); emails keep the first character
    and the domain (``k***@example.com``); names keep the first and, from three characters,
    the last (``홍*동``); anything else keeps its first character (``a****``).

    Examples
    --------
    >>> mask(pd.Series(["010-1234-5678"]), PiiKind.PHONE).tolist()
    ['010-****-5678']
    """
    text, _ = _text(values)
    if kind in (PiiKind.PHONE, PiiKind.CARD_NUMBER):
        # every digit that has at least four digits after it (phones also keep the first three)
        head: pd.Series | str = ""
        tail = text
        if kind is PiiKind.PHONE:
            parts = text.str.extract(r"^(\D*\d\D*\d\D*\d)(.*)$")
            head = parts[0].fillna("").where(text.notna(), None)
            tail = parts[1].where(parts[0].notna(), text)
        out = head + tail.str.replace(r"\d(?=(?:\D*\d){4})", "*", regex=True)
    elif kind is PiiKind.RESIDENT_NUMBER:
        out = text.str.replace(r"\d(?=\d{0,5}$)", "*", regex=True)
    elif kind is PiiKind.EMAIL:
        out = text.str.replace(r"^(.)[^@]*@", r"\1***@", regex=True)
    elif kind is PiiKind.PERSON_NAME:
        length = text.str.len()
        long_name = text.str.slice(0, 1) + text.str.slice(1, -1).str.replace(r"\S", "*",
                                                                            regex=True) \
            + text.str.slice(-1)
        out = long_name.where(length >= 3, text.str.slice(0, 1) + "*")
    else:
        out = text.str.slice(0, 1) + text.str.slice(1).str.replace(r"\S", "*", regex=True)
    return out.astype("str").rename(values.name)


def _numbers(values: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray]:
    missing = missing_mask(values)
    numbers = pd.to_numeric(values.where(~missing, None), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)
    bad = ~missing & ~np.isfinite(numbers)
    if bad.any():
        raise SchemaError(f"Column {values.name!r} must hold {what}; {int(bad.sum()):,} values "
                          "are not numbers. Hint: clean the column or choose another action.")
    return numbers, missing


def age_band(values: pd.Series, *, width: int = 10, top: int | None = None) -> pd.Series:
    """Ages as bands of ``width`` years (``"30-39"``); ages from ``top`` on as ``"90+"``.

    Raises
    ------
    SchemaError
        Values that are not numbers, or negative ages.

    Examples
    --------
    >>> age_band(pd.Series([34, 7, None, 95]), top=90).tolist()
    ['30-39', '0-9', nan, '90+']
    """
    numbers, missing = _numbers(values, "ages")
    if (numbers[~missing] < 0).any():
        raise SchemaError(f"Column {values.name!r} holds negative ages. Expected ages >= 0.")
    low = (np.floor(np.nan_to_num(numbers) / width) * width).astype(np.int64)
    labels = pd.Series([f"{lo}-{lo + width - 1}" for lo in low], index=values.index, dtype="str")
    if top is not None:
        labels[numbers >= top] = f"{top}+"
    labels[missing] = None
    return labels.rename(values.name)


def birth_year(values: pd.Series) -> pd.Series:
    """The year of each birth date (dates, ISO or ``YYYYMMDD`` text, or ``YYYYMMDD`` numbers).

    Raises
    ------
    SchemaError
        Values that do not read as dates (their count is given, never the values).

    Examples
    --------
    >>> birth_year(pd.Series(["1990-05-17", "19851231", None])).tolist()
    [1990, 1985, <NA>]
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.dt.year.astype("Int64").rename(values.name)
    text, missing = _text(values)
    compact = text.str.fullmatch(r"\d{8}").fillna(False).to_numpy(dtype=bool)
    parsed = pd.to_datetime(text.where(~compact, None), errors="coerce", format="ISO8601")
    if compact.any():
        parsed[compact] = pd.to_datetime(text[compact], errors="coerce", format="%Y%m%d")
    other = ~missing & parsed.isna().to_numpy(dtype=bool)
    if other.any():
        parsed[other] = pd.to_datetime(text[other], errors="coerce", format="mixed")
    bad = ~missing & parsed.isna().to_numpy(dtype=bool)
    if bad.any():
        raise SchemaError(f"Column {values.name!r} must hold birth dates; {int(bad.sum()):,} "
                          "values do not read as dates. Hint: write them as YYYY-MM-DD.")
    return parsed.dt.year.astype("Int64").rename(values.name)


def _korean_region(token: str) -> str | None:
    for short, full in _KOREAN_REGIONS.items():
        if token.startswith(short) and (token in (short, full)
                                        or token[len(short):] in _PROVINCE_SUFFIXES):
            return full
    return None


def region(values: pd.Series, *, level: int = 1) -> pd.Series:
    """The region of each address: its first ``level`` parts.

    Korean addresses (largest unit first) keep their first ``level`` words, with the province
    or metropolitan city written in full (``서울시 강남구 …`` → ``서울특별시``); addresses with
    commas (``street, city, state``, smallest unit first) keep their last ``level`` parts.

    Examples
    --------
    >>> region(pd.Series(["서울 강남구 테헤란로 123", "12 Main St, Springfield, IL"])).tolist()
    ['서울특별시', 'IL']
    """
    text, _ = _text(values)

    def one(address: str | None) -> str | None:
        if address is None or address != address:
            return None
        if "," in address:
            parts = [part.strip() for part in address.split(",") if part.strip()]
            return ", ".join(parts[-level:]) if parts else None
        words = address.split()
        if not words:
            return None
        first = _korean_region(words[0])
        if first is not None:
            words[0] = first
        return " ".join(words[:level])

    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    mapped = np.array([one(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=values.index, name=values.name, dtype="str")


def postal_prefix(values: pd.Series, *, n_digits: int = 3) -> pd.Series:
    """The first ``n_digits`` characters of each postal code (``06236`` → ``062``)."""
    text, _ = _text(values)
    return text.str.slice(0, n_digits).astype("str").rename(values.name)


def suppress(values: pd.Series) -> pd.Series:
    """Every value missing (the column is kept, so later batches and schemas still match)."""
    return pd.Series(None, index=values.index, name=values.name, dtype="str")
