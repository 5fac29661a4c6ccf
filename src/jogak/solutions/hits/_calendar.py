"""Release-calendar features: year, month, week, season and Korean holiday windows."""

from __future__ import annotations

from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

__all__ = ["CALENDAR_COLUMNS", "korean_holidays", "release_calendar"]

#: Columns :func:`release_calendar` returns, in order.
CALENDAR_COLUMNS = ("release_year", "release_month", "release_week", "release_dayofweek",
                    "release_season", "days_to_holiday", "days_since_holiday",
                    "holidays_in_first_14_days", "is_major_holiday_window", "is_summer_peak",
                    "is_year_end")
_MAJOR = ("Korean New Year", "Chuseok")  # Seollal and Chuseok: the two biggest box-office weeks
_SEASONS = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
            6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}
_CAP_DAYS = 120


@lru_cache(maxsize=64)
def korean_holidays(first_year: int, last_year: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted public-holiday dates of South Korea and a flag for Seollal/Chuseok days."""
    calendar = holidays.country_holidays("KR", years=range(first_year, last_year + 1),
                                         language="en_US")
    items = sorted(calendar.items())
    days = np.array([np.datetime64(day, "D") for day, _ in items], dtype="datetime64[D]")
    major = np.array([any(key in name for key in _MAJOR) for _, name in items], dtype=bool)
    return days, major


def release_calendar(dates: pd.Series) -> pd.DataFrame:
    """Calendar features of release dates (NaT gives missing features).

    Parameters
    ----------
    dates : Series
        Release dates (anything :func:`pandas.to_datetime` reads; unparseable values are NaT).

    Returns
    -------
    DataFrame
        One row per date, columns :data:`CALENDAR_COLUMNS`: ISO week, day of week (Monday 0),
        season name, days to the next and since the last public holiday (capped at 120),
        public holidays in the first two weeks of the run, whether a Seollal or Chuseok day falls
        within three days before to fourteen days after release, the summer peak
        (15 July - 20 August) and the year end (15 December - 5 January).

    Examples
    --------
    >>> cal = release_calendar(pd.Series(["2015-09-24"]))
    >>> int(cal.loc[0, "days_to_holiday"]), bool(cal.loc[0, "is_major_holiday_window"])
    (2, True)
    """
    parsed = pd.to_datetime(pd.Series(dates).reset_index(drop=True), errors="coerce",
                            format="mixed")
    valid = parsed.notna().to_numpy()
    out = pd.DataFrame(index=parsed.index)
    out["release_year"] = parsed.dt.year.astype("Float64")
    out["release_month"] = parsed.dt.month.astype("Float64")
    out["release_week"] = parsed.dt.isocalendar().week.astype("Float64")
    out["release_dayofweek"] = parsed.dt.day_of_week.astype("Float64")
    out["release_season"] = parsed.dt.month.map(_SEASONS).astype(object)
    numeric = ["days_to_holiday", "days_since_holiday", "holidays_in_first_14_days",
               "is_major_holiday_window", "is_summer_peak", "is_year_end"]
    for column in numeric:
        out[column] = np.nan
    if valid.any():
        years = parsed[valid].dt.year
        days, major = korean_holidays(int(years.min()) - 1, int(years.max()) + 1)
        day = parsed[valid].to_numpy().astype("datetime64[D]")
        after = np.searchsorted(days, day, side="left")
        to_next = (days[np.minimum(after, len(days) - 1)] - day).astype(float)
        to_next[after >= len(days)] = _CAP_DAYS
        before = np.searchsorted(days, day, side="right") - 1
        since = (day - days[np.maximum(before, 0)]).astype(float)
        since[before < 0] = _CAP_DAYS
        end = np.searchsorted(days, day + np.timedelta64(14, "D"), side="left")
        major_days = days[major]
        first_major = np.searchsorted(major_days, day - np.timedelta64(3, "D"), side="left")
        last_major = np.searchsorted(major_days, day + np.timedelta64(14, "D"), side="right")
        month, dom = parsed[valid].dt.month.to_numpy(), parsed[valid].dt.day.to_numpy()
        out.loc[valid, "days_to_holiday"] = np.minimum(to_next, _CAP_DAYS)
        out.loc[valid, "days_since_holiday"] = np.minimum(since, _CAP_DAYS)
        out.loc[valid, "holidays_in_first_14_days"] = (end - after).astype(float)
        out.loc[valid, "is_major_holiday_window"] = (last_major > first_major).astype(float)
        out.loc[valid, "is_summer_peak"] = (((month == 7) & (dom >= 15))
                                            | ((month == 8) & (dom <= 20))).astype(float)
        out.loc[valid, "is_year_end"] = (((month == 12) & (dom >= 15))
                                         | ((month == 1) & (dom <= 5))).astype(float)
    for column in ("release_year", "release_month", "release_week", "release_dayofweek"):
        out[column] = out[column].astype(float)
    return out[list(CALENDAR_COLUMNS)]

