"""Gradient-boosting adapters: categorical positions, NaN categories, early stopping, contracts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import roc_auc_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from jogak.data import Task
from jogak.models.catalog import (
    CATALOG,
    BuildContext,
    CatBoostAdapter,
    HistGBAdapter,
    LightGBMAdapter,
    XGBoostAdapter,
)
from jogak.models.catalog._catboost import categorical_frame
from jogak.models.catalog._holdout import holdout_split

catboost = pytest.importorskip("catboost")
lightgbm = pytest.importorskip("lightgbm")
xgboost = pytest.importorskip("xgboost")

NATIVE = [name for name, spec in CATALOG.items() if spec.style.value == "native"]

# A single split on the category code column: native categorical splits separate an arbitrary
# subset of levels, a threshold on the codes cannot.
SINGLE_SPLIT = {
    "lightgbm": {"n_estimators": 1, "num_leaves": 2, "learning_rate": 1.0,
                 "min_child_samples": 2, "min_data_per_group": 2, "cat_smooth": 1.0},
    "xgboost": {"n_estimators": 1, "max_depth": 1, "learning_rate": 1.0, "min_child_weight": 0.5},
    "catboost": {"iterations": 1, "depth": 1, "learning_rate": 1.0, "one_hot_max_size": 2},
    "hist_gb": {"max_iter": 1, "max_leaf_nodes": 2, "learning_rate": 1.0, "min_samples_leaf": 2},
}


def _category_signal(n_rows: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 12, n_rows).astype(float)
    positive_levels = np.array([0, 3, 5, 6, 9, 10])
    y = np.isin(codes, positive_levels).astype(np.int64)
    X = np.column_stack([codes, rng.normal(size=n_rows), rng.normal(size=n_rows)])
    return X, y


@pytest.mark.parametrize("name", NATIVE)
def test_native_spec_splits_on_categorical_codes(name: str) -> None:
    X, y = _category_signal()
    spec = CATALOG[name]
    scores = {}
    for indices in ([0], []):
        context = BuildContext(task=Task.BINARY, n_rows=len(y), n_features=3,
                               categorical_indices=indices, random_state=0, n_jobs=1)
        model = spec.build(SINGLE_SPLIT[name], context).fit(X, y)
        scores[bool(indices)] = roc_auc_score(y, model.predict_proba(X)[:, 1])
    assert scores[True] > 0.99
    assert scores[False] < 0.85


@pytest.mark.parametrize("name", NATIVE)
def test_native_spec_treats_missing_category_as_information(name: str) -> None:
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.integers(0, 3, 300).astype(float), rng.normal(size=300)])
    missing = rng.random(300) < 0.3
    X[missing, 0] = np.nan
    y = missing.astype(np.int64)
    context = BuildContext(task=Task.BINARY, n_rows=300, n_features=2, categorical_indices=[0],
                           random_state=0, n_jobs=1)
    model = CATALOG[name].build({}, context).fit(X, y)
    assert roc_auc_score(y, model.predict_proba(X)[:, 1]) > 0.99


def test_catboost_frame_codes_nan_and_leaves_input_untouched() -> None:
    X = np.array([[1.0, 0.5], [np.nan, 1.5], [2.0, np.nan]])
    before = X.copy()
    frame = categorical_frame(X, [0])
    assert frame[0].tolist() == [1, -1, 2]
    assert str(frame[0].dtype) == "int64"
    np.testing.assert_array_equal(frame[1].to_numpy(), X[:, 1])
    np.testing.assert_array_equal(X, before)
    assert categorical_frame(X, []) is X


def test_catboost_adapter_fits_and_predicts_with_nan_categories() -> None:
    X, y = _category_signal(200)
    X[::7, 0] = np.nan
    inner = catboost.CatBoostClassifier(iterations=30, verbose=False, thread_count=1,
                                        allow_writing_files=False, random_seed=0)
    model = CatBoostAdapter(inner, categorical_features=[0]).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (200, 2)
    assert model.estimator_.get_cat_feature_indices() == [0]
    assert roc_auc_score(y, proba[:, 1]) > 0.95


def test_adapter_rejects_non_integer_category_codes() -> None:
    X = np.array([[0.5, 1.0], [1.0, 2.0], [2.0, 0.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="Categorical column 0 must hold non-negative integer"):
        LightGBMAdapter(lightgbm.LGBMClassifier(verbose=-1),
                        categorical_features=[0]).fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"categorical_features must be positions in \[0, 2\)"):
        LightGBMAdapter(lightgbm.LGBMClassifier(verbose=-1),
                        categorical_features=[5]).fit(X, [0, 1, 0, 1])


EARLY_STOPPING_MODELS = {
    "lightgbm": lambda: LightGBMAdapter(
        lightgbm.LGBMRegressor(n_estimators=500, learning_rate=0.3, verbose=-1, n_jobs=1,
                               random_state=0),
        early_stopping_rounds=5, random_state=0),
    "xgboost": lambda: XGBoostAdapter(
        xgboost.XGBRegressor(n_estimators=500, learning_rate=0.3, n_jobs=1, random_state=0),
        early_stopping_rounds=5, random_state=0),
    "catboost": lambda: CatBoostAdapter(
        catboost.CatBoostRegressor(iterations=500, learning_rate=0.3, verbose=False,
                                   thread_count=1, allow_writing_files=False),
        early_stopping_rounds=5, random_state=0),
    "hist_gb": lambda: HistGBAdapter(
        HistGradientBoostingRegressor(max_iter=500, learning_rate=0.3),
        early_stopping_rounds=5, random_state=0, n_jobs=1),
}


@pytest.mark.parametrize("name", list(EARLY_STOPPING_MODELS))
def test_adapter_stops_early_on_noise(name: str) -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(300, 4)), rng.normal(size=300)
    model = EARLY_STOPPING_MODELS[name]().fit(X, y)
    assert model.best_iteration_ is not None
    assert model.best_iteration_ < 100
    without = EARLY_STOPPING_MODELS[name]().set_params(early_stopping_rounds=None).fit(X, y)
    assert without.best_iteration_ is None
    # without stopping, 500 rounds of lr 0.3 fit the noise; with stopping they do not
    assert np.var(without.predict(X)) > 2 * np.var(model.predict(X))


def test_holdout_split_is_stratified_and_keeps_every_class() -> None:
    y = np.array([0] * 50 + [1] * 20 + [2] * 1)
    train, held = holdout_split(y, 0.2, stratify=True, random_state=0)
    assert np.bincount(y[held], minlength=3).tolist() == [10, 4, 0]
    assert set(y[train]) == {0, 1, 2}
    assert sorted(np.concatenate([train, held]).tolist()) == list(range(len(y)))
    again, _ = holdout_split(y, 0.2, stratify=True, random_state=0)
    np.testing.assert_array_equal(train, again)
    _, none_held = holdout_split(np.arange(5.0), 0.1, stratify=False, random_state=0)
    assert none_held.size == 0


def test_adapter_decodes_string_labels() -> None:
    X, y = _category_signal(120)
    labels = np.where(y == 1, "yes", "no")
    model = XGBoostAdapter(xgboost.XGBClassifier(n_estimators=5, n_jobs=1)).fit(X, labels)
    assert model.classes_.tolist() == ["no", "yes"]
    assert set(model.predict(X)) <= {"no", "yes"}


def _check_instances() -> list[Any]:
    lgbm = {"n_estimators": 20, "min_child_samples": 2, "verbose": -1, "n_jobs": 1,
            "random_state": 0}
    cat = {"iterations": 20, "verbose": False, "thread_count": 1, "allow_writing_files": False,
           "random_seed": 0}
    return [
        LightGBMAdapter(lightgbm.LGBMClassifier(**lgbm), random_state=0),
        LightGBMAdapter(lightgbm.LGBMRegressor(**lgbm), early_stopping_rounds=5, random_state=0),
        XGBoostAdapter(xgboost.XGBClassifier(n_estimators=20, n_jobs=1, random_state=0)),
        XGBoostAdapter(xgboost.XGBRegressor(n_estimators=20, n_jobs=1, random_state=0)),
        CatBoostAdapter(catboost.CatBoostClassifier(**cat)),
        CatBoostAdapter(catboost.CatBoostRegressor(**cat)),
        HistGBAdapter(HistGradientBoostingClassifier(max_iter=20), n_jobs=1, random_state=0),
        HistGBAdapter(HistGradientBoostingRegressor(max_iter=20), n_jobs=1, random_state=0),
    ]


_WEIGHT_REASON = ("the library derives histogram bins and minimum leaf sizes from row counts, "
                  "so a weight of 2 is not the same as a duplicated row")


def _expected_failures(estimator: Any) -> dict[str, str]:
    inner = type(estimator.estimator).__name__
    if inner in {"LGBMClassifier", "LGBMRegressor", "XGBClassifier", "CatBoostClassifier",
                 "CatBoostRegressor"}:
        return {"check_sample_weight_equivalence_on_dense_data": _WEIGHT_REASON}
    return {}


@pytest.mark.slow
@parametrize_with_checks(_check_instances(), expected_failed_checks=_expected_failures)
def test_adapters_follow_the_scikit_learn_contract(estimator: Any, check: Any) -> None:
    check(estimator)


def test_adapter_refit_follows_a_swapped_estimator() -> None:
    X, y = _category_signal(120)
    model = LightGBMAdapter(lightgbm.LGBMClassifier(n_estimators=5, verbose=-1)).fit(X, y)
    assert hasattr(model, "predict_proba")
    model.set_params(estimator=lightgbm.LGBMRegressor(n_estimators=5, verbose=-1))
    model.fit(X, y.astype(float) * 3.0)
    assert not hasattr(model, "classes_")
    assert not hasattr(model, "predict_proba")
    assert model.predict(X).max() > 1.5  # values on the regression scale, not class labels


class _RecordingHistGB(HistGradientBoostingRegressor):
    """Records the weights scikit-learn's fit receives."""

    def fit(self, X: Any, y: Any, sample_weight: Any = None, **kwargs: Any) -> Any:
        self.seen_weights_ = sample_weight
        self.seen_validation_weights_ = kwargs.get("sample_weight_val")
        return super().fit(X, y, sample_weight=sample_weight, **kwargs)


@pytest.mark.parametrize("early_stopping_rounds", [None, 5])
def test_hist_gb_gets_no_weights_when_every_weight_is_one(early_stopping_rounds: int | None
                                                          ) -> None:
    # unit weights send scikit-learn's binning down a weighted-percentile path 3-7x slower
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5))
    y = X[:, 0] + rng.normal(size=300) * 0.1
    unit = HistGBAdapter(_RecordingHistGB(max_iter=20), early_stopping_rounds=early_stopping_rounds,
                         random_state=0).fit(X, y)
    assert unit.estimator_.seen_weights_ is None
    assert unit.estimator_.seen_validation_weights_ is None
    explicit = HistGBAdapter(_RecordingHistGB(max_iter=20),
                             early_stopping_rounds=early_stopping_rounds,
                             random_state=0).fit(X, y, sample_weight=np.ones(300))
    np.testing.assert_array_equal(explicit.predict(X), unit.predict(X))
    weights = np.where(X[:, 1] > 0, 3.0, 1.0)
    weighted = HistGBAdapter(_RecordingHistGB(max_iter=20),
                             early_stopping_rounds=early_stopping_rounds,
                             random_state=0).fit(X, y, sample_weight=weights)
    assert weighted.estimator_.seen_weights_ is not None
    assert np.all(np.isin(weighted.estimator_.seen_weights_, [1.0, 3.0]))
