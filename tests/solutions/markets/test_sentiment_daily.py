"""Daily sentiment features and their join to bars: by hand, and never ahead of time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jogak.solutions.markets import (
    DAILY_SENTIMENT_COLUMNS,
    MarketDataError,
    daily_sentiment,
    join_sentiment,
)
from jogak.testing._markets import make_ohlcv


def _scored(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["timestamp", "label", "score"])


HEADLINES = _scored([
    ("2024-01-02 09:00", "positive", 0.8), ("2024-01-02 22:30", "negative", -0.6),
    ("2024-01-03", "neutral", 0.1), ("2024-01-06 10:00", "positive", 0.5),
    ("2024-01-07", "positive", 0.7), ("2024-01-07", "negative", -0.9),
])


def test_daily_sentiment_by_hand() -> None:
    daily = daily_sentiment(HEADLINES)
    assert list(daily.columns) == list(DAILY_SENTIMENT_COLUMNS)
    assert [str(d.date()) for d in daily.index] == ["2024-01-02", "2024-01-03", "2024-01-06",
                                                     "2024-01-07"]
    assert daily["n_headlines"].tolist() == [2, 1, 1, 2]
    assert daily["n_negative"].tolist() == [1, 0, 0, 1]
    assert daily["n_neutral"].tolist() == [0, 1, 0, 0]
    assert daily["n_positive"].tolist() == [1, 0, 1, 1]
    np.testing.assert_allclose(daily["mean_score"], [0.1, 0.1, 0.5, -0.1])
    np.testing.assert_allclose(daily["share_positive"], [0.5, 0.0, 1.0, 0.5])


def test_join_uses_only_headlines_of_earlier_days_and_rolls_weekends_forward() -> None:
    bars = pd.bdate_range("2024-01-01", periods=8, name="timestamp")  # Mon 1 .. Wed 10
    joined = join_sentiment(bars, daily_sentiment(HEADLINES))
    assert joined.index.equals(bars)
    # Tue 2's headlines (one after the close) reach Wed 3; Wed 3's reach Thu 4;
    # Sat 6 and Sun 7 reach Mon 8
    assert joined["n_headlines"].tolist() == [0, 0, 2, 1, 0, 3, 0, 0]
    assert joined.loc["2024-01-03", "mean_score"] == pytest.approx(0.1)
    assert joined.loc["2024-01-08", "mean_score"] == pytest.approx((0.5 + 0.7 - 0.9) / 3)
    assert joined.loc["2024-01-08", "share_positive"] == pytest.approx(2 / 3)
    assert joined.loc["2024-01-08", "n_negative"] == 1
    assert np.isnan(joined.loc["2024-01-02", "mean_score"])  # no headline yet


def test_join_never_looks_ahead(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    bars = make_ohlcv(60, seed=global_random_seed)
    days = bars.index[rng.integers(0, 60, size=200)] + pd.to_timedelta(
        rng.integers(0, 24, size=200), unit="h")
    labels = rng.choice(["negative", "neutral", "positive"], size=200)
    scored = pd.DataFrame({"timestamp": days, "label": labels,
                           "score": rng.uniform(-1, 1, size=200)})
    joined = join_sentiment(bars, daily_sentiment(scored))
    for cut in (10, 30, 45):
        # headlines dated on or after bar `cut`'s day, changed or removed, never move
        # the features of bars up to `cut`
        later = scored["timestamp"].dt.normalize() >= bars.index[cut]
        changed = scored.copy()
        changed.loc[later, "score"] = -changed.loc[later, "score"]
        changed.loc[later, "label"] = "negative"
        for variant in (changed, scored[~later]):
            again = join_sentiment(bars, daily_sentiment(variant))
            pd.testing.assert_frame_equal(again.iloc[:cut + 1], joined.iloc[:cut + 1])
    # every bar sees exactly the headlines of the days since the previous bar, before its own
    day = scored["timestamp"].dt.normalize()
    expected = [int(((day >= bars.index[k - 1]) & (day < bars.index[k])).sum()) if k else 0
                for k in range(60)]
    assert joined["n_headlines"].tolist() == expected


def test_daily_sentiment_and_join_refuse_bad_input() -> None:
    with pytest.raises(MarketDataError, match="need columns"):
        daily_sentiment(HEADLINES.drop(columns=["score"]))
    with pytest.raises(MarketDataError, match="labels must be"):
        daily_sentiment(HEADLINES.assign(label="bullish"))
    with pytest.raises(MarketDataError, match="missing"):
        daily_sentiment(HEADLINES.assign(timestamp=[None] * 6))
    with pytest.raises(MarketDataError, match="must be dates"):
        daily_sentiment(HEADLINES.assign(timestamp="yesterday-ish"))
    daily = daily_sentiment(HEADLINES)
    with pytest.raises(MarketDataError, match="time zone"):
        join_sentiment(pd.date_range("2024-01-01", periods=5, tz="UTC"), daily)
    with pytest.raises(MarketDataError, match="sorted"):
        join_sentiment(pd.DatetimeIndex(["2024-01-03", "2024-01-01"]), daily)
    empty = join_sentiment(pd.date_range("2023-01-01", periods=3), daily)  # all news later
    assert empty["n_headlines"].tolist() == [0, 0, 0]
