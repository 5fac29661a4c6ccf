"""Walk-forward forecasting: splits, metrics, models, ensembles, the saved forecaster."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from jogak.errors import BundleError, ConfigError
from jogak.solutions.markets import (
    FIXED_WEIGHTS,
    BacktestConfig,
    Forecaster,
    LSTMRegressor,
    ModelStrategy,
    SentimentClassifier,
    WalkForward,
    backtest,
    directional_accuracy,
    forecast_metrics,
    ic_summary,
    information_coefficients,
    lagged_windows,
    learn_weights,
    load_forecaster,
    load_sentiment_model,
    save_forecaster,
    save_sentiment_model,
    walk_forward,
)
from jogak.testing._markets import make_ohlcv

TINY_LSTM = {"epochs": 2, "hidden_size": 4, "batch_size": 64}


def test_walk_forward_splits_are_ordered_with_a_gap() -> None:
    splits = WalkForward(n_splits=3, test_size=10, gap=2, min_train=20).split(60)
    for train, test in splits:
        assert train.max() + 2 < test.min()  # two rows dropped between them
    assert [t.min() for _, t in splits] == [30, 40, 50]
    assert all(len(train) == 30 for train, _ in WalkForward(
        n_splits=3, test_size=10, mode="rolling", train_size=30, min_train=20).split(80)[1:])


def test_walk_forward_refuses_bad_settings() -> None:
    with pytest.raises(ConfigError, match="too few"):
        WalkForward(n_splits=5, test_size=50).split(100)
    with pytest.raises(ConfigError, match="train_size"):
        WalkForward(mode="rolling")
    with pytest.raises(ConfigError, match="gap >= 2"):
        walk_forward(make_ohlcv(300), models=["linear"], horizon=3,
                     splitter=WalkForward(gap=0))
    with pytest.raises(ConfigError, match="Unknown models"):
        walk_forward(make_ohlcv(300), models=["prophet"])


def test_directional_accuracy_and_binomial_pvalue_by_hand() -> None:
    truth = np.array([1.0, -1, 1, 1, -1, 1, 0, 1])
    guess = np.array([1.0, -1, 1, -1, -1, 1, 1, 0])
    accuracy, n, p_value = directional_accuracy(truth, guess)
    assert (accuracy, n) == (5 / 6, 6)  # zeros on either side are left out
    assert p_value == pytest.approx(stats.binom.sf(4, 6, 0.5))


def test_forecast_metrics_by_hand() -> None:
    actual, pred, close = np.array([0.1, -0.1]), np.array([0.05, -0.2]), np.array([10.0, 20.0])
    scores = forecast_metrics(actual, pred, close=close)
    assert scores["mae"] == pytest.approx(0.075)
    assert scores["mse"] == pytest.approx((0.05**2 + 0.1**2) / 2)
    assert scores["r2"] == pytest.approx(1 - (0.05**2 + 0.1**2) / 0.02)
    # implied prices 10.5 vs 11 and 16 vs 18
    assert scores["mape"] == pytest.approx((0.5 / 11 + 2 / 18) / 2)
    price = forecast_metrics(actual, pred, close=close, target="price")
    assert price["mae"] == pytest.approx((0.5 + 2) / 2)
    assert "mae" not in forecast_metrics(actual, pred, close=close, target="direction")


def test_information_coefficients_by_hand() -> None:
    dates = ["d1"] * 3 + ["d2"] * 3 + ["d3"]
    pred = pd.Series([1.0, 2.0, 3.0, 3.0, 1.0, 2.0, 5.0])
    label = pd.Series([0.1, 0.3, 0.2, -0.1, 0.2, 0.0, 1.0])
    per_date = information_coefficients(pred, label, pd.Series(dates))
    assert list(per_date.index) == ["d1", "d2"]  # one asset on d3: no cross-section
    assert per_date.loc["d1", "ic"] == pytest.approx(np.corrcoef([1, 2, 3], [0.1, 0.3, 0.2])[0, 1])
    assert per_date.loc["d2", "rank_ic"] == pytest.approx(stats.spearmanr([3, 1, 2],
                                                                          [-0.1, 0.2, 0.0])[0])
    summary = ic_summary(per_date)
    assert summary["ic"] == pytest.approx(per_date["ic"].mean())
    assert summary["icir"] == pytest.approx(per_date["ic"].mean() / per_date["ic"].std())


def test_learned_weights_are_nonnegative_and_sum_to_one(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    target = rng.normal(size=200)
    good = target + rng.normal(0, 0.1, size=200)
    bad = -target
    weights = learn_weights(np.column_stack([good, bad, rng.normal(size=200)]), target)
    assert weights.sum() == pytest.approx(1.0)
    assert (weights >= 0).all()
    assert weights[0] > 0.9
    assert weights[1] == 0.0


@pytest.mark.slow
def test_lstm_learns_a_simple_signal_and_keeps_its_history(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x = rng.normal(size=(200, 3))
    windows = lagged_windows(pd.DataFrame(x), 4).dropna()
    y = windows.iloc[:, -3].to_numpy() * 0.5  # the latest bar's first feature
    params = {"sequence_length": 4, "hidden_size": 8, "epochs": 20, "batch_size": 16,
              "learning_rate": 0.01, "random_state": 0}
    model = LSTMRegressor(**params).fit(windows, y)
    assert len(model.history_) == 20
    assert "val_loss" in model.history_[0]
    baseline = np.mean((y - y.mean()) ** 2)
    assert np.mean((model.predict(windows) - y) ** 2) < 0.5 * baseline
    again = LSTMRegressor(**params)
    np.testing.assert_array_equal(again.fit(windows, y).predict(windows), model.predict(windows))
    with pytest.raises(ConfigError, match="multiple of sequence_length"):
        LSTMRegressor(sequence_length=5).fit(windows, y)


def test_walk_forward_runs_every_model_against_persistence(global_random_seed: int) -> None:
    bars = make_ohlcv(320, seed=global_random_seed)
    result = walk_forward(bars, splitter=WalkForward(n_splits=2, min_train=150),
                          sequence_length=5, lstm_params=TINY_LSTM, random_state=0)
    metrics = result.metrics
    assert set(metrics.index) == {"persistence", "drift", "linear", "lightgbm", "xgboost",
                                  "random_forest", "lstm", "ensemble_fixed", "ensemble_learned"}
    assert metrics.loc["persistence", "mae_ratio"] == pytest.approx(1.0)
    preds = result.predictions
    assert preds.index.is_monotonic_increasing
    assert set(preds["fold"]) == {0, 1}
    fixed = sum(w * preds[name] for name, w in FIXED_WEIGHTS.items())
    np.testing.assert_allclose(preds["ensemble_fixed"], fixed, rtol=1e-12)
    assert len(result.weights) == 2
    np.testing.assert_allclose(result.weights.sum(axis=1), 1.0)
    # a random walk has no edge: no model should be significant at 1 %
    assert (metrics["p_value"] > 0.01).all()
    # the label of each test row is the next close-to-close return
    row = preds.index[5]
    position = bars.index.get_loc(row)
    assert preds.loc[row, "actual"] == pytest.approx(
        bars["close"].iloc[position + 1] / bars["close"].iloc[position] - 1)


def test_forecaster_saves_loads_and_drives_an_out_of_sample_strategy(tmp_path: Path) -> None:
    bars = make_ohlcv(300, seed=4)
    history = bars.iloc[:200]
    forecaster = Forecaster(model="linear").fit(history)
    assert forecaster.train_end_ == history.index[-1]
    path = save_forecaster(forecaster, tmp_path / "model")
    loaded = load_forecaster(path)
    pd.testing.assert_series_equal(loaded.predict(bars), forecaster.predict(bars))
    strategy = ModelStrategy(forecaster=loaded, allow_short=True)
    run = backtest(bars, strategy, BacktestConfig(sizing="risk"))  # checks for look-ahead too
    notional = run.strategy.trades["units"] * run.strategy.trades["entry_price"]
    assert (notional <= 0.05 * 10_000 * 1.5).all()  # capped at 5 % of (grown) equity
    (path / "forecaster.joblib").write_bytes(b"tampered")
    with pytest.raises(BundleError):
        load_forecaster(path)


def test_markets_loaders_refuse_each_others_bundles(tmp_path: Path) -> None:
    forecaster = Forecaster(model="linear").fit(make_ohlcv(200, seed=4))
    forecaster_path = save_forecaster(forecaster, tmp_path / "forecaster")
    with pytest.raises(BundleError, match=r"not a markets sentiment bundle \(kind "
                                          r"'jogak-markets-forecaster'\).*sentiment train"):
        load_sentiment_model(forecaster_path)
    classifier = SentimentClassifier(model="tfidf").fit(
        ["profit rose", "sales fell", "meeting held"] * 4, ["positive", "negative", "neutral"] * 4)
    sentiment_path = save_sentiment_model(classifier, tmp_path / "sentiment")
    with pytest.raises(BundleError, match=r"not a markets forecaster bundle \(kind "
                                          r"'jogak-markets-sentiment'\).*markets forecast"):
        load_forecaster(sentiment_path)


def test_forecaster_ensembles_and_errors() -> None:
    bars = make_ohlcv(260, seed=2)
    learned = Forecaster(model="ensemble_learned", sequence_length=5,
                         lstm_params=TINY_LSTM).fit(bars)
    assert sum(learned.weights_.values()) == pytest.approx(1.0)
    assert set(learned.weights_) == set(FIXED_WEIGHTS)
    with pytest.raises(ConfigError, match="Unknown model"):
        Forecaster(model="arima").fit(bars)
    with pytest.raises(ConfigError, match="at least 20"):
        Forecaster(model="linear").fit(bars.iloc[:40])
