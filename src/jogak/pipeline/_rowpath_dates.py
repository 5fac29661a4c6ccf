"""Compiled :class:`DateFeatures` for the single-row path: calendar parts of one date."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from jogak.pipeline._dates import DateFeatures
from jogak.pipeline._rowpath_coerce import RowFallback, yyyymmdd_day

__all__ = ["compile_date_head"]

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_NAT_COUNT = int(np.datetime64("NaT").astype(np.int64))
# units per second (negative: seconds per unit)
_PER_SECOND = {"ns": 10**9, "us": 10**6, "ms": 10**3, "s": 1, "m": -60, "h": -3600,
               "D": -86400, "W": -604800}


class _DateHead:
    """Per column: the parts, the missing indicator (when fitted with one), days since."""

    def __init__(self, step: DateFeatures) -> None:
        self.parts = list(step.parts_)
        self.n_parts = len(self.parts)
        self.references = [_reference_seconds(reference) for reference in step.reference_dates_]
        flagged = {int(j) for j in step.missing_columns_}
        self.flags = [j in flagged for j in range(len(self.references))]
        self.step = step
        self.holiday_days = {int(day) for day in
                             np.asarray(step.holiday_days_, dtype="datetime64[D]").astype(np.int64)}
        self.holiday_years = tuple(step._holiday_years)
        self.width = sum(self.n_parts + flag for flag in self.flags)

    def _is_holiday(self, day: int, year: int) -> bool:
        if day in self.holiday_days:
            return True
        low, high = self.holiday_years
        if low <= year <= high:
            return False
        extra = self.step._holidays([year]).astype(np.int64)
        return day in {int(item) for item in extra}

    def _parts(self, seconds: int, reference: int | None) -> list[float]:
        day = seconds // 86400
        try:
            date = dt.date.fromordinal(day + _EPOCH_ORDINAL)
            weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
            thursday = day + 3 - weekday  # ISO week: the week holding its Thursday
            new_year = dt.date(dt.date.fromordinal(thursday + _EPOCH_ORDINAL).year, 1, 1)
        except (ValueError, OverflowError) as exc:  # beyond years 1..9999
            raise RowFallback from exc
        values: dict[str, float] = {
            "year": float(date.year), "month": float(date.month),
            "day_of_month": float(date.day), "day_of_week": float(weekday),
            "quarter": float((date.month - 1) // 3 + 1), "is_weekend": float(weekday >= 5),
            "week": float((thursday - (new_year.toordinal() - _EPOCH_ORDINAL)) // 7 + 1),
            # whole seconds below 2**53: int / int rounds as numpy's float division does
            "days_since": math.nan if reference is None else (seconds - reference) / 86400,
        }
        if "holiday" in self.parts:
            values["holiday"] = float(self._is_holiday(day, date.year))
        return [values[part] for part in self.parts]

    def __call__(self, values: list[Any]) -> np.ndarray:
        out: list[float] = []
        for value, reference, flag in zip(values, self.references, self.flags, strict=True):
            seconds = _seconds(yyyymmdd_day(value) if isinstance(value, float) else value)
            if seconds is None:
                out += [math.nan] * self.n_parts
            else:
                out += self._parts(seconds, reference)
            if flag:
                out.append(float(seconds is None))
        return np.array(out, dtype=np.float64)


def _reference_seconds(reference: Any) -> int | None:
    return _seconds(np.datetime64(reference, "s"))


def _seconds(stamp: np.datetime64) -> int | None:
    """Whole seconds since 1970 (floored, as numpy's unit casts), None for NaT."""
    count = int(stamp.astype(np.int64))
    if count == _NAT_COUNT:
        return None
    unit, step = np.datetime_data(stamp.dtype)
    per_second = _PER_SECOND.get(unit)
    if per_second is None:  # months, years, generic units: let numpy convert
        return _seconds(stamp.astype("datetime64[s]"))
    return count * step // per_second if per_second > 0 else count * step * -per_second


def compile_date_head(step: Any) -> Any:
    """The compiled head of a fitted DateFeatures, or None when it parses text or epochs."""
    if not isinstance(step, DateFeatures):
        return None
    if step.numeric_unit is not None or any(fmt is not None for fmt in step.formats_):
        return None
    return _DateHead(step)
