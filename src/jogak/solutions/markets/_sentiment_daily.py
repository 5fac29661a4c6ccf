"""Daily sentiment features from dated headlines, joined to bars without look-ahead."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jogak.solutions.markets._repair import MarketDataError

__all__ = ["DAILY_SENTIMENT_COLUMNS", "daily_sentiment", "join_sentiment"]

DAILY_SENTIMENT_COLUMNS = ("n_headlines", "n_negative", "n_neutral", "n_positive",
                           "mean_score", "share_positive")
_LABELS = ("negative", "neutral", "positive")


def _days(values: pd.Series | pd.Index, what: str) -> pd.DatetimeIndex:
    try:
        if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
                values.dtype):
            times = pd.DatetimeIndex(values)
        else:  # dates and date-times mixed in one column are common in news feeds
            times = pd.DatetimeIndex(pd.to_datetime(values, format="mixed"))
    except (ValueError, TypeError) as exc:
        raise MarketDataError(f"{what} must be dates or timestamps: {exc}. Hint: fix or drop "
                              "those rows.") from exc
    if times.isna().any():
        raise MarketDataError(f"{int(times.isna().sum())} {what} are missing. Hint: drop "
                              "headlines without a date.")
    return times.normalize()


def daily_sentiment(scored: pd.DataFrame, *, timestamp: str = "timestamp") -> pd.DataFrame:
    """Aggregate scored headlines by calendar day.

    Parameters
    ----------
    scored : pandas.DataFrame
        One row per headline with a ``timestamp`` column (date or time; the day is taken in
        its own time zone), ``label`` (negative / neutral / positive) and ``score`` (in
        [-1, 1], e.g. from :func:`score_texts`).
    timestamp : str, default "timestamp"

    Returns
    -------
    pandas.DataFrame
        Indexed by day (only days with headlines): ``n_headlines, n_negative, n_neutral,
        n_positive, mean_score, share_positive``.

    Raises
    ------
    MarketDataError
        Missing columns, dates or labels.

    Examples
    --------
    >>> scored = pd.DataFrame({"timestamp": ["2024-01-02 09:00", "2024-01-02 17:00",
    ...                                      "2024-01-03"],
    ...                        "label": ["positive", "negative", "neutral"],
    ...                        "score": [0.8, -0.6, 0.1]})
    >>> daily_sentiment(scored)[["n_headlines", "mean_score", "share_positive"]].round(2)
    ... # doctest: +NORMALIZE_WHITESPACE
                n_headlines  mean_score  share_positive
    day
    2024-01-02            2         0.1             0.5
    2024-01-03            1         0.1             0.0
    """
    missing = [c for c in (timestamp, "label", "score") if c not in scored.columns]
    if missing:
        raise MarketDataError(f"Scored headlines need columns {missing} (have "
                              f"{list(scored.columns)}). Hint: score them with score_texts "
                              "and add the headline dates.")
    labels = scored["label"].astype("string").str.lower()
    unknown = sorted(set(labels.dropna()) - set(_LABELS))
    if unknown or labels.isna().any():
        raise MarketDataError(f"Headline labels must be {list(_LABELS)}; got "
                              f"{unknown[:5] or ['<missing>']}.")
    score = pd.to_numeric(scored["score"], errors="coerce").to_numpy(dtype="float64")
    if np.isnan(score).any():
        raise MarketDataError("Headline scores must be numbers without gaps.")
    frame = pd.DataFrame({"day": _days(scored[timestamp], "headline timestamps"),
                          "score": score, **{f"n_{label}": (labels == label).to_numpy(
                              dtype="int64") for label in _LABELS}})
    sums = frame.groupby("day").agg(n_headlines=("score", "size"), score_sum=("score", "sum"),
                                    **{f"n_{x}": (f"n_{x}", "sum") for x in _LABELS})
    return _finish(sums)


def _finish(sums: pd.DataFrame) -> pd.DataFrame:
    n = sums["n_headlines"].astype("float64")
    out = sums[["n_headlines", "n_negative", "n_neutral", "n_positive"]].astype("int64")
    out["mean_score"] = (sums["score_sum"] / n.where(n > 0)).to_numpy()
    out["share_positive"] = (sums["n_positive"] / n.where(n > 0)).to_numpy()
    out.index.name = "day"
    return out


def join_sentiment(bars: pd.DataFrame | pd.DatetimeIndex, daily: pd.DataFrame) -> pd.DataFrame:
    """Sentiment features per bar, using only headlines of days before the bar's day.

    A headline dated day d may come after that day's close, so it is first used by the first
    bar of a later day: a bar's features aggregate every headline since the previous bar's
    day, up to the day before its own. The decision made at that bar's close then trades at
    the next bar's open (see :func:`backtest`), so no headline is ever traded on before it was
    published. Days with no bar (weekends, holidays) roll into the next bar. With intraday
    bars, only the first bar of each day receives the previous days' headlines.

    Parameters
    ----------
    bars : pandas.DataFrame or pandas.DatetimeIndex
        Bars (sorted) or their timestamps.
    daily : pandas.DataFrame
        Output of :func:`daily_sentiment`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``bars``: the columns of :func:`daily_sentiment`; counts are 0 and the
        mean score and share positive are NaN for bars without headlines.

    Raises
    ------
    MarketDataError
        Unsorted bars, or time zones that do not match.
    """
    index = bars if isinstance(bars, pd.DatetimeIndex) else bars.index
    if not isinstance(index, pd.DatetimeIndex) or not index.is_monotonic_increasing:
        raise MarketDataError("join_sentiment needs bars indexed by sorted timestamps. Hint: "
                              "load them with load_ohlcv.")
    missing = [c for c in DAILY_SENTIMENT_COLUMNS if c not in daily.columns]
    if missing:
        raise MarketDataError(f"daily needs the columns of daily_sentiment; missing {missing}.")
    days = pd.DatetimeIndex(daily.index)
    if (days.tz is None) != (index.tz is None):
        raise MarketDataError(f"Headline days ({days.tz or 'no time zone'}) and bars "
                              f"({index.tz or 'no time zone'}) must both have a time zone or "
                              "neither. Hint: tz_localize or tz_convert one of them.")
    bar_days = index.normalize()
    # first bar whose day is strictly after the headline's day
    position = np.searchsorted(bar_days.to_numpy(), days.to_numpy(), side="right")
    keep = position < len(index)
    counts = daily.loc[keep, ["n_headlines", "n_negative", "n_neutral", "n_positive"]]
    sums = counts.assign(score_sum=daily.loc[keep, "mean_score"] * daily.loc[keep,
                                                                          "n_headlines"])
    sums = sums.groupby(position[keep]).sum()
    full = sums.reindex(np.arange(len(index)), fill_value=0)
    out = _finish(full)
    out.index = index
    return out
