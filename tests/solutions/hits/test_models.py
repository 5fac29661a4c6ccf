"""S1's models, the comparison table, HitRegressor intervals and the saved hit models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor, StackingRegressor

from jogak.data import Task
from jogak.errors import BundleError, ConfigError, SchemaError, TargetError
from jogak.models import CVScheme, make_splits
from jogak.solutions.hits import (
    JOGAK_MODEL,
    METRIC_NAMES,
    Comparison,
    FilmFeatures,
    HitRegressor,
    InvestmentTerms,
    blend_weight,
    compare_models,
    evaluate_hits,
    interval_coverage,
    least_squares_scale,
    load_hit_model,
    power_back_transform,
    s1_estimator,
    s1_learning_curves,
    song_outcomes,
    train_hit_model,
    tune_s1_model,
)
from jogak.testing._hits import make_chart_history, make_films

FAST = ("linear",)


def _films(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    films = make_films(n, seed=seed)
    return films.drop(columns="box_off_num"), films["box_off_num"].to_numpy(float)


def test_s1_estimators_and_tuning(global_random_seed: int) -> None:
    assert isinstance(s1_estimator("random_forest"), RandomForestRegressor)
    assert isinstance(s1_estimator("extra_trees", {"max_depth": 3}), ExtraTreesRegressor)
    assert s1_estimator("extra_trees", {"max_depth": 3}).max_depth == 3
    stack = s1_estimator("stacking", base_params={"random_forest": {"max_depth": 2}})
    assert isinstance(stack, StackingRegressor)
    assert dict(stack.estimators)["random_forest"].max_depth == 2
    with pytest.raises(ConfigError, match="Unknown S1 model 'svm'"):
        s1_estimator("svm")
    rng = np.random.default_rng(global_random_seed)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=40)
    first = tune_s1_model("lightgbm", X, y, n_trials=2, random_state=1)
    assert set(first) == {"n_estimators", "learning_rate", "num_leaves", "min_child_samples",
                          "subsample", "subsample_freq", "colsample_bytree"}
    assert first == tune_s1_model("lightgbm", X, y, n_trials=2, random_state=1)
    with pytest.raises(ConfigError, match="n_trials must be >= 1"):
        tune_s1_model("xgboost", X, y, n_trials=0)
    with pytest.raises(ConfigError, match="Tuning applies to"):
        tune_s1_model("stacking", X, y, n_trials=1)


@pytest.mark.slow
def test_compare_models_scores_every_model_on_the_same_folds(global_random_seed: int) -> None:
    X, y = _films(40, global_random_seed)
    jogak = HitRegressor(features=FilmFeatures(), n_trials=1, include_models=FAST, cv=3,
                         raw_blend=False)
    result = compare_models(X, y, features=FilmFeatures(), jogak_model=jogak,
                            models=["extra_trees", "stacking"], n_tuning_trials=1, folds=2,
                            repeats=2, random_state=global_random_seed)
    names = {"extra_trees", "extra_trees_tuned", "stacking", "stacking_tuned", JOGAK_MODEL}
    assert set(result.scores["model"]) == names
    folds = result.scores.groupby("model")["fold"].apply(sorted)
    assert all(f == [0, 1, 2, 3] for f in folds)
    assert sorted(result.scores["repeat"].unique()) == [0, 1]
    payload = result.to_dict()
    assert set(payload["models"]) == names
    assert set(payload["models"]["stacking"]) == set(METRIC_NAMES)
    assert payload["n_folds"] == 4
    assert len(result.coverage) == 4
    assert result.coverage["coverage"].between(0, 1).all()
    summary = result.summary()
    assert summary["rmse"].is_monotonic_increasing
    assert set(result.tuned_params[0]) == {"extra_trees"}


def test_comparison_summary_and_json_by_hand() -> None:
    metrics = {m: [1.0, 2.0, 0.5, 0.7] for m in METRIC_NAMES}
    scores = pd.DataFrame({"model": ["a", "a", "b", "b"], "fold": [0, 1, 0, 1],
                           "repeat": 0, **metrics})
    coverage = pd.DataFrame({"fold": [0, 1], "coverage": [0.88, 0.92],
                             "mean_width_log": [1.0, 1.0]})
    result = Comparison(scores=scores, coverage=coverage, nominal_coverage=0.9)
    summary = result.summary()
    assert summary.index.tolist() == ["b", "a"]
    assert summary.loc["a", "rmse"] == 1.5
    assert summary.loc["a", "rmse_std"] == 0.5
    payload = result.to_dict()
    assert payload["models"]["b"]["mape"] == pytest.approx(0.6)
    assert payload["coverage"] == {"nominal": 0.9, "mean": pytest.approx(0.9), "min": 0.88,
                                   "max": 0.92}
    assert payload["n_folds"] == 2


def test_compare_models_scores_only_the_fold_subset(global_random_seed: int) -> None:
    X, y = _films(40, global_random_seed)
    whole = compare_models(X, y, features=FilmFeatures(), jogak_model=None,
                           models=["extra_trees"], tuned=False, folds=2, repeats=2,
                           random_state=global_random_seed)
    part = compare_models(X, y, features=FilmFeatures(), jogak_model=None,
                          models=["extra_trees"], tuned=False, folds=2, repeats=2,
                          random_state=global_random_seed, fold_subset=[1, 3])
    assert part.scores["fold"].tolist() == [1, 3]
    assert part.scores["repeat"].tolist() == [0, 1]
    # the same folds as in the whole run, so parts concatenate into the whole table
    expected = whole.scores[whole.scores["fold"].isin([1, 3])].reset_index(drop=True)
    pd.testing.assert_frame_equal(part.scores, expected)
    with pytest.raises(ConfigError, match=r"fold_subset must hold fold numbers from 0 to 3"):
        compare_models(X, y, features=FilmFeatures(), jogak_model=None, models=["extra_trees"],
                       tuned=False, folds=2, repeats=2, fold_subset=[4])


def test_evaluate_hits_without_jogak_scores_s1_models_only(global_random_seed: int) -> None:
    films = make_films(40, seed=global_random_seed)
    comparison, auc = evaluate_hits("films", films, folds=2, repeats=1, models=["extra_trees"],
                                    tuned=False, with_jogak=False,
                                    random_state=global_random_seed)
    assert set(comparison.scores["model"]) == {"extra_trees"}
    assert comparison.coverage.empty
    assert auc is None


def test_hit_regressor_power_back_transform_is_fitted_out_of_fold(
        global_random_seed: int) -> None:
    X, y = _films(60, global_random_seed)
    model = HitRegressor(features=FilmFeatures(), n_trials=1, include_models=FAST, cv=3,
                         raw_blend=False, random_state=global_random_seed).fit(X, y)
    scale, slope = model.power_
    assert model.scale_ == 1.0
    assert scale > 0
    assert 0.25 <= slope <= 2.0
    oof = model.automl_.oof_
    assert model.power_ == power_back_transform(oof, np.expm1(model.automl_.oof_target_))
    log_prediction = model._log_predict(X)
    np.testing.assert_allclose(model.predict(X), scale * np.expm1(slope * log_prediction))
    scaled = HitRegressor(features=FilmFeatures(), n_trials=1, include_models=FAST, cv=3,
                          raw_blend=False, back_transform="scaled",
                          random_state=global_random_seed).fit(X, y)
    assert scaled.power_ == (1.0, 1.0)
    np.testing.assert_allclose(scaled.predict(X),
                               scaled.scale_ * np.expm1(scaled._log_predict(X)))


@pytest.mark.parametrize("blend_target", ["sqrt", "raw"])
def test_hit_regressor_blends_a_second_scale_by_out_of_fold_least_squares(
        blend_target: str, global_random_seed: int) -> None:
    X, y = _films(60, global_random_seed)
    model = HitRegressor(features=FilmFeatures(), n_trials=1, include_models=FAST, cv=3,
                         blend_target=blend_target, random_state=global_random_seed).fit(X, y)
    oof = np.clip(model.raw_automl_.oof_, 0.0, None)
    if blend_target == "sqrt":
        # the second model learnt sqrt(y): its out-of-fold predictions are on that scale
        np.testing.assert_allclose(model.raw_automl_.oof_target_, np.sqrt(y))
        second_oof = oof ** 2
        assert model.blend_scale_ == pytest.approx(least_squares_scale(second_oof, y), rel=1e-12)
    else:
        np.testing.assert_allclose(model.raw_automl_.oof_target_, y)
        second_oof = oof
        assert model.blend_scale_ == 1.0
    scale, slope = model.power_
    log_oof = scale * np.expm1(slope * model.automl_.oof_)
    assert model.blend_weight_ == pytest.approx(
        blend_weight(model.blend_scale_ * second_oof, log_oof, y), rel=1e-9, abs=1e-12)
    second = np.clip(model.raw_automl_.predict(model.features_.transform(X)), 0.0, None)
    second = model.blend_scale_ * (second ** 2 if blend_target == "sqrt" else second)
    log_part = scale * np.expm1(slope * model._log_predict(X))
    w = model.blend_weight_
    np.testing.assert_allclose(model.predict(X), w * second + (1 - w) * log_part)


def test_compare_models_rejects_bad_input() -> None:
    X, y = _films(20, 0)
    with pytest.raises(ConfigError, match=r"Unknown model\(s\) \['svm'\]"):
        compare_models(X, y, features=FilmFeatures(), jogak_model=None, models=["svm"])
    with pytest.raises(TargetError, match="finite and >= 0"):
        compare_models(X, -y, features=FilmFeatures(), jogak_model=None)
    with pytest.raises(SchemaError, match="rows but y has"):
        compare_models(X, y[:5], features=FilmFeatures(), jogak_model=None)


@pytest.mark.parametrize(("params", "match"), [
    ({"features": None}, "needs a feature transformer"),
    ({"interval_method": "bootstrap"}, "interval_method must be"),
    ({"back_transform": "mean"}, "back_transform must be"),
    ({"blend_target": "log"}, "blend_target must be 'sqrt' or 'raw'"),
    ({"coverage": 1.0}, "coverage must be"),
    ({"calibration_fraction": 0.9}, "calibration_fraction"),
], ids=["features", "method", "back", "blend", "coverage", "fraction"])
def test_hit_regressor_rejects_bad_params(params: dict, match: str) -> None:
    X, y = _films(20, 0)
    with pytest.raises(ConfigError, match=match):
        HitRegressor(**{"features": FilmFeatures(), **params}).fit(X, y)


def test_hit_regressor_rejects_bad_targets() -> None:
    X, y = _films(20, 0)
    with pytest.raises(TargetError, match="must be numeric"):
        HitRegressor(features=FilmFeatures()).fit(X, ["a"] * 20)
    with pytest.raises(TargetError, match=">= 0"):
        HitRegressor(features=FilmFeatures()).fit(X, -y)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["cv", "split"])
def test_hit_regressor_90_percent_intervals_cover_87_to_93_percent_held_out(
        method: str, global_random_seed: int) -> None:
    X, y = _films(600, global_random_seed)
    splits = make_splits(CVScheme(kind="kfold", n_splits=5, random_state=global_random_seed),
                         task=Task.REGRESSION, y=y)
    inside = []
    for train, test in splits:
        model = HitRegressor(features=FilmFeatures(), n_trials=2, include_models=FAST,
                             interval_method=method, raw_blend=False,
                             random_state=global_random_seed).fit(X.iloc[train], y[train])
        bounds = model.predict_interval(X.iloc[test])
        assert (bounds[:, 0] <= bounds[:, 1]).all()
        assert (bounds[:, 0] >= 0).all()
        inside.append(interval_coverage(y[test], bounds[:, 0], bounds[:, 1]) * len(test))
    assert 0.87 <= sum(inside) / len(y) <= 0.93


@pytest.mark.slow
def test_film_model_round_trips_through_a_bundle_and_builds_a_board(
        tmp_path: Path, global_random_seed: int) -> None:
    films = make_films(120, seed=global_random_seed)
    model = train_hit_model("films", films, n_trials=2, include_models=FAST,
                            random_state=global_random_seed)
    assert 0.0 <= model.regressor.blend_weight_ <= 1.0
    assert model.regressor.scale_ > 0
    new = make_films(15, seed=global_random_seed + 1, with_target=False)
    before = model.predict(new)
    assert (before["lower"] <= before["upper"]).all()
    path = model.save(tmp_path / "films")
    loaded = load_hit_model(path)
    pd.testing.assert_frame_equal(loaded.predict(new), before)
    terms = InvestmentTerms(revenue_per_unit=3_600.0, holder_share=0.3, raise_amount=1e8)
    board = loaded.board(new, terms)
    assert len(board) == 15
    assert board["expected_return"].is_monotonic_decreasing
    assert set(board["title"]) == set(new["title"])
    manifest = (path / "manifest.json").read_text()
    assert '"hit_kind": "films"' in manifest
    assert '"blend_target": "raw"' in manifest
    (path / "extra.txt").write_text("tampered")
    with pytest.raises(BundleError):
        load_hit_model(path)


def test_train_hit_model_rejects_bad_input() -> None:
    with pytest.raises(ConfigError, match="kind must be 'films' or 'songs'"):
        train_hit_model("books", make_films(10))  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="box_off_num"):
        train_hit_model("films", make_films(10, with_target=False))
    with pytest.raises(SchemaError, match="at least 20 uncensored songs"):
        train_hit_model("songs", make_chart_history(10, n_months=6))


@pytest.mark.slow
def test_song_model_predicts_months_and_top10_probability(global_random_seed: int) -> None:
    pytest.importorskip("gensim")
    chart = make_chart_history(160, seed=global_random_seed)
    model = train_hit_model("songs", chart, n_trials=2, include_models=FAST, embedding_size=4,
                            random_state=global_random_seed)
    assert model.classifier is not None
    songs = song_outcomes(chart)
    out = model.predict(songs.head(10))
    assert out["top10_probability"].between(0, 1).all()
    assert (out["predicted"] >= 0).all()
    assert out["title"].iloc[0].endswith(" - " + songs["artist"].iloc[0])


@pytest.mark.slow
def test_s1_learning_curves_grow_with_data(global_random_seed: int) -> None:
    X, y = _films(90, global_random_seed)
    curves = s1_learning_curves(X, y, features=FilmFeatures(), models=["extra_trees"],
                                train_sizes=(0.5, 1.0), cv=2, random_state=global_random_seed)
    table = curves["extra_trees"].table
    assert table["n_rows"].tolist() == [23, 45]
    # extra trees memorise their training rows: train RMSE far below CV RMSE
    assert (table["train_mean"] < table["cv_mean"]).all()
    assert curves["extra_trees"].diagnose().verdict == "over-fitting"
