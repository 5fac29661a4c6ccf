"""Calendar parts of date columns: year, month, ISO week, weekday, quarter, holidays, age."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError, SchemaError
from jogak.pipeline._validation import column_names, frame_columns, missing_mask

__all__ = ["DATE_PARTS", "DateFeatures"]

DATE_PARTS = ("year", "month", "week", "day_of_week", "day_of_month", "quarter", "is_weekend",
              "days_since")
"""Parts :class:`DateFeatures` produces by default (``"holiday"`` is added with a country)."""

_UNITS = ("D", "s", "ms", "us", "ns")


def _yyyymmdd(numbers: np.ndarray) -> np.ndarray:
    """datetime64[D] from YYYYMMDD numbers; NaT where the number is not a valid date."""
    out = np.full(numbers.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    finite = np.isfinite(numbers)
    value = np.where(finite, numbers, 0.0)
    valid = finite & (value == np.floor(value)) & (value >= 10000101) & (value <= 99991231)
    whole = value.astype(np.int64)
    year, month, day = whole // 10000, whole // 100 % 100, whole % 100
    valid &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
    months = np.where(valid, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + np.where(valid, day - 1, 0).astype("timedelta64[D]")
    valid &= days.astype("datetime64[M]") == months  # rejects 20190230
    out[valid] = days[valid]
    return out


def _numbers(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    if values.dtype.kind in "biuf":
        return values.astype(np.float64)
    return np.where(missing, np.nan, values).astype(np.float64)  # TypeError for odd objects


class DateFeatures(TransformerMixin, BaseEstimator):
    """Calendar parts of each date column, as floats (NaN for missing or unparsable dates).

    Input columns may be ``datetime64`` (time zones are dropped, keeping local wall time),
    ``YYYYMMDD`` integers or strings, other date strings (the format is guessed once in ``fit``
    from the first value), or numbers since the Unix epoch when ``numeric_unit`` is given.

    Parameters
    ----------
    parts : sequence of str or None, default=None
        Any of :data:`DATE_PARTS` and ``"holiday"``; None means all of :data:`DATE_PARTS`
        (plus ``"holiday"`` when ``holiday_country`` is set). ``week`` is the ISO week,
        ``day_of_week`` is 0 for Monday, ``days_since`` counts days from the reference date.
    reference_date : str, date or None, default=None
        Origin of ``days_since``; None learns each column's earliest date in ``fit``.
    holiday_country : str or None, default=None
        Country code of the ``holidays`` package (e.g. ``"KR"``) for the ``holiday`` flag:
        1 on public holidays. Its data ships with the package; nothing is downloaded.
    numeric_unit : {"D", "s", "ms", "us", "ns"} or None, default=None
        How to read numeric columns that are not ``YYYYMMDD``: the unit since 1970-01-01.
        None means numbers must be ``YYYYMMDD`` dates.
    add_indicator : bool, default=False
        Append ``<column>__missing`` for columns that had missing dates in ``fit``.

    Attributes
    ----------
    parts_ : list of str
    reference_dates_ : list of numpy.datetime64
    formats_ : list of (str or None)
        Parsing format per string column (None for other columns).
    holiday_days_ : ndarray of datetime64[D]
        Holidays of the years seen in ``fit`` (+-1 year); other years are looked up on demand.
    missing_columns_ : ndarray of int
        Columns that get an indicator.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Raises
    ------
    SchemaError
        In ``fit``, when a column holds values that are not dates. In ``transform`` such values
        become NaN instead, so one bad row cannot stop a batch.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"joined": pd.to_datetime(["2024-01-01", "2024-03-09"])})
    >>> features = DateFeatures(parts=["month", "is_weekend", "days_since"]).fit(frame)
    >>> features.transform(frame).tolist()
    [[1.0, 0.0, 0.0], [3.0, 1.0, 68.0]]
    >>> features.get_feature_names_out().tolist()
    ['joined__month', 'joined__is_weekend', 'joined__days_since']
    """

    def __init__(self, *, parts: Sequence[str] | None = None, reference_date: Any = None,
                 holiday_country: str | None = None, numeric_unit: str | None = None,
                 add_indicator: bool = False) -> None:
        self.parts = parts
        self.reference_date = reference_date
        self.holiday_country = holiday_country
        self.numeric_unit = numeric_unit
        self.add_indicator = add_indicator

    def _check_params(self) -> list[str]:
        allowed = (*DATE_PARTS, "holiday")
        if self.parts is None:
            parts = list(DATE_PARTS) + (["holiday"] if self.holiday_country else [])
        else:
            parts = [str(part) for part in self.parts]
            unknown = sorted(set(parts) - set(allowed))
            if unknown or not parts:
                raise ConfigError(
                    f"The 'parts' parameter of DateFeatures must be a non-empty list of "
                    f"{list(allowed)!r}. Got {self.parts!r} instead. Hint: None for all."
                )
        if "holiday" in parts:
            import holidays

            if self.holiday_country not in holidays.list_supported_countries():
                raise ConfigError(
                    f"The 'holiday_country' parameter of DateFeatures must be a country code "
                    f"known to the holidays package (e.g. 'KR', 'US'). Got "
                    f"{self.holiday_country!r} instead. Hint: see holidays.list_supported_"
                    "countries(), or drop 'holiday' from parts."
                )
        if self.numeric_unit is not None and self.numeric_unit not in _UNITS:
            raise ConfigError(
                f"The 'numeric_unit' parameter of DateFeatures must be None or one of "
                f"{list(_UNITS)!r}. Got {self.numeric_unit!r} instead. Hint: 's' for Unix "
                "seconds."
            )
        return parts

    def _parse(self, values: np.ndarray, fmt: str | None, column: str, *,
               strict: bool) -> np.ndarray:
        """datetime64 array (any unit) with NaT for missing and, unless strict, bad values."""
        missing = missing_mask(values)
        if values.dtype.kind == "M":
            return values
        if fmt is not None or (values.dtype.kind == "O" and any(
                isinstance(value, (str, dt.date, pd.Timestamp, np.datetime64))
                for value in values[~missing])):
            try:
                parsed = pd.to_datetime(pd.Series(values, dtype=object), format=fmt,
                                        errors="raise" if strict else "coerce")
            except (ValueError, TypeError, OverflowError) as exc:
                raise SchemaError(
                    f"Column {column!r} holds values that are not dates ({exc}). Hint: fix "
                    "or blank those cells, or give the column another role."
                ) from exc
            if parsed.dt.tz is not None:
                parsed = parsed.dt.tz_localize(None)
            return parsed.to_numpy()
        numbers = _numbers(values, missing)
        if self.numeric_unit is not None:
            parsed = pd.to_datetime(numbers, unit=self.numeric_unit, errors="coerce")
            out = np.asarray(parsed.to_numpy())
        else:
            out = _yyyymmdd(numbers)
        bad = np.isnat(out) & ~np.isnan(numbers)
        if strict and bad.any():
            raise SchemaError(
                f"Column {column!r} holds numbers that are not dates, e.g. "
                f"{numbers[bad][:3].tolist()}. Hint: dates as numbers must be YYYYMMDD; pass "
                "numeric_unit='s' (or 'D', 'ms') for time since 1970, or give the column a "
                "numeric role."
            )
        return out

    def fit(self, X: Any, y: object = None) -> DateFeatures:
        """Check the columns parse as dates; learn reference dates and holidays."""
        self.parts_ = self._check_params()
        reference = None
        if self.reference_date is not None:
            try:
                reference = np.datetime64(pd.Timestamp(self.reference_date).to_datetime64())
            except (ValueError, TypeError) as exc:
                raise ConfigError(
                    f"The 'reference_date' parameter of DateFeatures must be a date. Got "
                    f"{self.reference_date!r} instead. Hint: use e.g. '2020-01-01'."
                ) from exc
        columns = frame_columns(self, X, reset=True)
        self.formats_: list[str | None] = []
        self.reference_dates_: list[np.datetime64] = []
        missing_columns, years = [], []
        for j, (values, name) in enumerate(zip(columns, column_names(self), strict=True)):
            present = values[~missing_mask(values)]
            first = next((value for value in present if isinstance(value, str)), None)
            fmt = (guess_datetime_format(first) or "mixed") if first is not None else None
            dates = self._parse(values, fmt, name, strict=True)
            self.formats_.append(fmt)
            seen = dates[~np.isnat(dates)]
            if seen.size < dates.size:
                missing_columns.append(j)
            if seen.size:
                bounds = np.array([seen.min(), seen.max()]).astype("datetime64[Y]")
                years += (bounds.astype(np.int64) + 1970).tolist()
            earliest = seen.min() if seen.size else np.datetime64("NaT")
            self.reference_dates_.append(reference if reference is not None else earliest)
        self.missing_columns_ = np.array(missing_columns if self.add_indicator else [], int)
        self.holiday_days_ = np.array([], dtype="datetime64[D]")
        if "holiday" in self.parts_ and years:
            self.holiday_days_ = self._holidays(range(min(years) - 1, max(years) + 2))
        self._holiday_years = (min(years) - 1, max(years) + 1) if years else (0, -1)
        return self

    def _holidays(self, years: range | list[int]) -> np.ndarray:
        import holidays

        calendar = holidays.country_holidays(str(self.holiday_country), years=list(years))
        return np.array(sorted(calendar.keys()), dtype="datetime64[D]")

    def transform(self, X: Any) -> np.ndarray:
        """Parts per column (then the indicator, if any), shape ``(n_samples, n_outputs)``."""
        check_is_fitted(self)
        return self._transform_columns(frame_columns(self, X, reset=False))

    def _transform_columns(self, columns: list[np.ndarray]) -> np.ndarray:
        blocks = []
        for j, values in enumerate(columns):
            dates = self._parse(values, self.formats_[j], "", strict=False)
            blocks.append(self._parts(dates, self.reference_dates_[j]))
            if j in self.missing_columns_:
                blocks.append(np.isnat(dates).astype(np.float64)[:, None])
        return np.hstack(blocks)

    def _parts(self, dates: np.ndarray, reference: np.datetime64) -> np.ndarray:
        day = dates.astype("datetime64[D]")
        missing = np.isnat(day)
        day = np.where(missing, np.datetime64("1970-01-01"), day).astype("datetime64[D]")
        month_start = day.astype("datetime64[M]")
        month = month_start.astype(np.int64) % 12 + 1
        weekday = (day.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
        values: dict[str, Any] = {
            "year": day.astype("datetime64[Y]").astype(np.int64) + 1970,
            "month": month,
            "day_of_month": (day - month_start.astype("datetime64[D]")).astype(np.int64) + 1,
            "day_of_week": weekday,
            "quarter": (month - 1) // 3 + 1,
            "is_weekend": weekday >= 5,
        }
        if "week" in self.parts_:  # ISO week: the week of the year holding its Thursday
            thursday = day + (3 - weekday).astype("timedelta64[D]")
            new_year = thursday.astype("datetime64[Y]").astype("datetime64[D]")
            values["week"] = (thursday - new_year).astype(np.int64) // 7 + 1
        if "days_since" in self.parts_:
            # seconds resolution: nanoseconds would overflow for dates far from 1970
            elapsed = dates.astype("datetime64[s]") - np.asarray(reference).astype("datetime64[s]")
            values["days_since"] = elapsed / np.timedelta64(1, "D")
        if "holiday" in self.parts_:
            values["holiday"] = self._is_holiday(day, values["year"], missing)
        out = np.column_stack([np.asarray(values[part], dtype=np.float64) for part in self.parts_])
        out[missing] = np.nan
        return out

    def _is_holiday(self, day: np.ndarray, year: np.ndarray, missing: np.ndarray) -> np.ndarray:
        low, high = self._holiday_years
        outside = sorted({int(value) for value in year[~missing & ((year < low) | (year > high))]})
        known = self.holiday_days_ if not outside else np.concatenate(
            [self.holiday_days_, self._holidays(outside)])
        return np.isin(day, known)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``<column>__<part>`` per column and part (and ``<column>__missing``)."""
        check_is_fitted(self)
        names = []
        for j, name in enumerate(column_names(self, input_features)):
            names += [f"{name}__{part}" for part in self.parts_]
            if j in self.missing_columns_:
                names.append(f"{name}__missing")
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
