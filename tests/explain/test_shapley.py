"""explain(): additivity in the stated space, source-column sums, paths and errors."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit

from jogak.data import coerce_frame
from jogak.errors import ConfigError, NotFittedError, SchemaError
from jogak.explain import Explanation, explain, permutation_shapley
from jogak.explain._model import require_shap
from jogak.models import AutoMLClassifier, AutoMLRegressor, load_model

shap = require_shap()  # imported with the warning filter its plotting module needs

TELCO_TREE_MODELS = ["telco_lightgbm",
                     pytest.param("telco_ensemble", marks=pytest.mark.slow),
                     pytest.param("telco_bagged", marks=pytest.mark.slow)]


def _model_output(model: Any, X: pd.DataFrame, space: str) -> np.ndarray:
    """The model's prediction in ``space``, from its public predict methods."""
    if space == "log_odds":
        return logit(model.predict_proba(X)[:, 1])
    if space == "probability":
        proba = model.predict_proba(X)
        return proba[:, 1] if proba.shape[1] == 2 else proba
    if space == "log1p":
        return np.log1p(model.predict(X))
    return model.predict(X)


def _encoded(model: Any, X: pd.DataFrame, style: str, fold: int = 0) -> tuple[Any, list[str]]:
    frame = coerce_frame(model.schema_.validate(X).frame, model.roles_)
    preprocessor = model.ensemble_.preprocessors[style][fold]
    return preprocessor.transform(frame), [str(n) for n in preprocessor.get_feature_names_out()]


def _parts_of(column: str, names: list[str]) -> list[int]:
    return [j for j, name in enumerate(names) if name == column or name.startswith(f"{column}__")]


@pytest.mark.parametrize("fixture", TELCO_TREE_MODELS)
def test_explain_telco_trees_add_up_to_model_output(fixture: str, telco: pd.DataFrame,
                                                     request: pytest.FixtureRequest) -> None:
    model = request.getfixturevalue(fixture)
    X = telco.drop(columns=["Churn"])
    result = explain(model, X)
    assert result.method == "tree"
    n_learners = sum(len(m.learners) for m in model.ensemble_.members)
    # one margin learner: log-odds; an ensemble averages probabilities, so probability space
    assert result.space == ("log_odds" if n_learners == 1 else "probability")
    expected = _model_output(model, X, result.space)
    reconstructed = result.base_values + result.values.to_numpy().sum(axis=1)
    np.testing.assert_allclose(reconstructed, expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(result.predictions, expected, rtol=0, atol=1e-6)
    assert list(result.values.columns) == list(X.drop(columns=[]).columns.drop("Churn")
                                               if "Churn" in X else X.columns)
    assert result.output_class == "Yes"


def test_explain_telco_ensembles_have_several_learners(telco_ensemble: AutoMLClassifier,
                                                        telco_bagged: AutoMLClassifier) -> None:
    assert len(telco_ensemble.ensemble_.members) > 1
    assert telco_bagged.ensemble_.mode == "bagged"
    assert all(len(m.learners) == 3 for m in telco_bagged.ensemble_.members)
    assert {m.family for m in telco_ensemble.ensemble_.members} == {"lightgbm", "xgboost"}


def test_explain_taiwan_lightgbm_uses_best_iteration(taiwan_lightgbm: AutoMLClassifier,
                                                     taiwan: pd.DataFrame) -> None:
    learner = taiwan_lightgbm.ensemble_.members[0].learners[0]
    assert learner.best_iteration_ is not None  # early stopping left unused trees behind
    X = taiwan.drop(columns=["Y"])
    result = explain(taiwan_lightgbm, X)
    assert (result.space, result.method) == ("log_odds", "tree")
    reconstructed = result.base_values + result.values.to_numpy().sum(axis=1)
    np.testing.assert_allclose(reconstructed, logit(taiwan_lightgbm.predict_proba(X)[:, 1]),
                               rtol=0, atol=1e-6)
    assert result.output_class == 1


def test_explain_telco_lightgbm_equals_tree_shap_of_the_booster(
        telco_lightgbm: AutoMLClassifier, telco: pd.DataFrame) -> None:
    X = telco.drop(columns=["Churn"]).head(50)
    encoded, names = _encoded(telco_lightgbm, X, "native")
    booster = telco_lightgbm.ensemble_.members[0].learners[0].estimator_
    explainer = shap.TreeExplainer(booster)
    with pytest.warns(UserWarning, match="LightGBM binary classifier"):
        direct = explainer.shap_values(encoded)
    result = explain(telco_lightgbm, X)
    for column in X.columns:
        parts = _parts_of(column, names)
        assert len(parts) == 1  # native style: one code or value per column
        np.testing.assert_allclose(result.values[column], direct[:, parts].sum(axis=1),
                                   atol=1e-12)
    np.testing.assert_allclose(result.base_values, explainer.expected_value, atol=1e-12)


def test_explain_linear_source_column_is_sum_of_encoded_parts(
        mixed_linear: AutoMLClassifier, mixed: pd.DataFrame) -> None:
    X = mixed.drop(columns=["target"])
    result = explain(mixed_linear, X, background=X, max_background=len(X))
    encoded, names = _encoded(mixed_linear, X, "scaled")
    dense = encoded.toarray() if hasattr(encoded, "toarray") else np.asarray(encoded)
    learner = mixed_linear.ensemble_.members[0].learners[0]
    by_part = (dense - dense.mean(axis=0)) * learner.coef_[0]  # exact linear SHAP per part
    n_parts = {}
    for column in result.columns:
        parts = _parts_of(column, names)
        n_parts[column] = len(parts)
        np.testing.assert_allclose(result.values[column], by_part[:, parts].sum(axis=1),
                                   atol=1e-10)
    assert n_parts["color"] >= 4  # one-hot levels (+ unknown)
    assert n_parts["synopsis"] > 10  # TF-IDF terms, sparse
    assert n_parts["joined"] > 2  # date parts
    assert result.space == "log_odds"
    assert result.method == "linear"
    np.testing.assert_allclose(result.base_values + result.values.to_numpy().sum(axis=1),
                               logit(mixed_linear.predict_proba(X)[:, 1]), atol=1e-8)


def test_explain_tree_source_column_is_sum_of_encoded_parts(
        mixed_lightgbm: AutoMLClassifier, mixed: pd.DataFrame) -> None:
    X = mixed.drop(columns=["target"])
    result = explain(mixed_lightgbm, X)
    encoded, names = _encoded(mixed_lightgbm, X, "native")
    booster = mixed_lightgbm.ensemble_.members[0].learners[0].estimator_
    with pytest.warns(UserWarning, match="LightGBM binary classifier"):
        direct = shap.TreeExplainer(booster).shap_values(encoded)
    assert len(_parts_of("synopsis", names)) > 1
    assert len(_parts_of("joined", names)) > 1
    for column in result.columns:
        np.testing.assert_allclose(result.values[column],
                                   direct[:, _parts_of(column, names)].sum(axis=1), atol=1e-10)


def test_explain_missing_column_is_named(telco_lightgbm: AutoMLClassifier,
                                         telco: pd.DataFrame) -> None:
    X = telco.drop(columns=["Churn", "tenure"])
    with pytest.raises(SchemaError, match=r"lacks the model's feature column\(s\) \['tenure'\]"):
        explain(telco_lightgbm, X)
    with pytest.raises(SchemaError, match="background lacks .*'Contract'"):
        explain(telco_lightgbm, telco.drop(columns=["Churn"]),
                background=telco.drop(columns=["Churn", "Contract"]))


def test_explain_refuses_bad_input(telco_lightgbm: AutoMLClassifier,
                                   telco: pd.DataFrame) -> None:
    X = telco.drop(columns=["Churn"])
    with pytest.raises(SchemaError, match="must be a pandas DataFrame"):
        explain(telco_lightgbm, X.to_numpy())
    with pytest.raises(SchemaError, match="no rows"):
        explain(telco_lightgbm, X.head(0))
    with pytest.raises(ConfigError, match="method must be"):
        explain(telco_lightgbm, X, method="magic")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="max_background must be"):
        explain(telco_lightgbm, X, max_background=0)
    with pytest.raises(ConfigError, match="Expected a fitted jogak"):
        explain(object(), X)
    with pytest.raises(NotFittedError, match="not fitted"):
        explain(AutoMLClassifier(), X)


def test_explain_one_row_and_unseen_category(telco_lightgbm: AutoMLClassifier,
                                            telco: pd.DataFrame) -> None:
    X = telco.drop(columns=["Churn"]).head(1).copy()
    X["Contract"] = "Ten year"  # never seen in training
    X["MonthlyCharges"] = 1e9  # far outside the training range
    result = explain(telco_lightgbm, X)
    assert result.values.shape == (1, X.shape[1])
    np.testing.assert_allclose(result.base_values + result.values.to_numpy().sum(axis=1),
                               logit(telco_lightgbm.predict_proba(X)[:, 1]), atol=1e-6)


@pytest.mark.slow
def test_explain_permutation_path_agrees_with_tree_path(telco_ensemble: AutoMLClassifier,
                                                        telco: pd.DataFrame) -> None:
    X = telco.drop(columns=["Churn"])
    tree = explain(telco_ensemble, X.head(40))
    sampled = explain(telco_ensemble, X.head(40), method="permutation", background=X,
                      max_background=40, n_permutations=4)
    assert sampled.method == "permutation"
    assert sampled.space == tree.space == "probability"
    np.testing.assert_allclose(sampled.base_values + sampled.values.to_numpy().sum(axis=1),
                               telco_ensemble.predict_proba(X.head(40))[:, 1], atol=1e-9)
    top_tree = set(tree.global_importance(3)["column"])
    top_sampled = set(sampled.global_importance(5)["column"])
    assert top_tree <= top_sampled


def test_explain_regression_raw_and_log1p_spaces(regression_lightgbm: AutoMLRegressor,
                                                 regression_frame: pd.DataFrame) -> None:
    X = regression_frame.drop(columns=["y"])
    result = explain(regression_lightgbm, X)
    assert (result.space, result.method, result.output_class) == ("raw", "tree", None)
    np.testing.assert_allclose(result.base_values + result.values.to_numpy().sum(axis=1),
                               regression_lightgbm.predict(X), atol=1e-8)
    positive = regression_frame["y"] - regression_frame["y"].min()
    logged = AutoMLRegressor(n_trials=1, cv=3, include_models=["lightgbm"], ensemble=False,
                             stacking=False, log_target=True).fit(X, positive)
    result = explain(logged, X.head(50))
    assert result.space == "log1p"
    np.testing.assert_allclose(result.base_values + result.values.to_numpy().sum(axis=1),
                               np.log1p(logged.predict(X.head(50))), atol=1e-8)
    # the strongest main effect is x1 (slope 3), and it raises the prediction
    top = explain(regression_lightgbm, X).global_importance(1).iloc[0]
    assert (top["column"], top["direction"]) == ("x1", "+")


@pytest.mark.slow
def test_explain_multiclass_is_per_class_probability(mixed: pd.DataFrame) -> None:
    X = mixed.drop(columns=["target"])
    y = pd.cut(X["num"].fillna(50.0), [-np.inf, 45.0, 55.0, np.inf], labels=["lo", "mid", "hi"])
    model = AutoMLClassifier(n_trials=1, cv=3, include_models=["lightgbm"], ensemble=False,
                             stacking=False).fit(X, y.astype(str))
    result = explain(model, X.head(15), max_background=15, n_permutations=2)
    # a softmax of margins does not decompose per class exactly: model-agnostic path
    assert result.method == "permutation"
    assert result.space == "probability"
    assert result.is_multiclass
    assert result.base_values.shape == (15, 3)
    proba = model.predict_proba(X.head(15))
    for k, label in enumerate(result.classes):
        sums = result.values[label].to_numpy().sum(axis=1)
        np.testing.assert_allclose(result.base_values[:, k] + sums, proba[:, k], atol=1e-9)
    assert result.global_importance(1)["column"].iloc[0] == "num"
    assert result.global_importance(2, label="hi")["direction"].iloc[0] == "+"
    waterfall = result.waterfall(0)
    assert waterfall.attrs["output_class"] == result.classes[int(np.argmax(proba[0]))]
    record = result.to_records()[0]
    assert set(record["prediction"]) == {"hi", "lo", "mid"}
    assert math.isclose(sum(record["contributions"]["lo"].values()) + record["base_value"]["lo"],
                        record["prediction"]["lo"], abs_tol=1e-9)
    with pytest.raises(ConfigError, match="Unknown class 'nope'"):
        result.for_class("nope")


def test_explain_bundle_round_trip(telco_lightgbm: AutoMLClassifier, telco: pd.DataFrame,
                                   tmp_path: Path) -> None:
    X = telco.drop(columns=["Churn"]).head(20)
    path = telco_lightgbm.save(tmp_path / "model")
    loaded = explain(load_model(path), X)
    pd.testing.assert_frame_equal(loaded.values, explain(telco_lightgbm, X).values)


def test_explain_exact_refused_when_no_exact_path(mixed: pd.DataFrame) -> None:
    X = mixed.drop(columns=["target"])
    model = AutoMLClassifier(n_trials=1, cv=3, include_models=["knn"], ensemble=False,
                             stacking=False).fit(X, mixed["target"])
    with pytest.raises(ConfigError, match="no exact SHAP path"):
        explain(model, X, method="exact")
    result = explain(model, X.head(10), max_background=10, n_permutations=2)
    assert result.method == "permutation"
    np.testing.assert_allclose(result.base_values + result.values.to_numpy().sum(axis=1),
                               model.predict_proba(X.head(10))[:, 1], atol=1e-9)


# -- the permutation estimator -------------------------------------------------------------------

def _exact_shapley(f: Any, x: pd.DataFrame, background: pd.DataFrame) -> np.ndarray:
    """Interventional Shapley values by the subset formula (hand computation, few columns)."""
    columns = list(x.columns)
    n = len(columns)

    def value(subset: tuple[str, ...]) -> float:
        frame = background.copy()
        for c in subset:
            frame[c] = x[c].iloc[0]
        return float(np.mean(f(frame)))

    phi = np.zeros(n)
    for j, column in enumerate(columns):
        others = [c for c in columns if c != column]
        for size in range(n):
            for subset in itertools.combinations(others, size):
                weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
                phi[j] += weight * (value((*subset, column)) - value(subset))
    return phi


def test_permutation_shapley_is_exact_when_every_order_fits(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    background = pd.DataFrame({"a": rng.normal(size=7), "b": rng.normal(size=7),
                               "c": rng.choice(["u", "v"], 7)})
    x = pd.DataFrame({"a": [1.5], "b": [-0.5], "c": ["v"]})

    def f(frame: pd.DataFrame) -> np.ndarray:
        bonus = np.where(frame["c"] == "v", 2.0, 0.0)
        return (frame["a"] * frame["b"] + bonus * frame["a"] + np.sin(frame["b"])).to_numpy()

    values, base = permutation_shapley(f, x, background, n_permutations=6)  # 3! orders
    np.testing.assert_allclose(values[0], _exact_shapley(f, x, background), atol=1e-12)
    assert math.isclose(float(base), float(np.mean(f(background))), abs_tol=1e-12)


def test_permutation_shapley_adds_up_and_is_reproducible(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    frame = pd.DataFrame(rng.normal(size=(12, 6)), columns=list("abcdef"))

    def f(data: pd.DataFrame) -> np.ndarray:
        return np.column_stack([data["a"] * data["b"], np.tanh(data.sum(axis=1))])

    first, base = permutation_shapley(f, frame.head(5), frame, n_permutations=4,
                                      random_state=global_random_seed)
    again, _ = permutation_shapley(f, frame.head(5), frame, n_permutations=4,
                                   random_state=global_random_seed)
    np.testing.assert_array_equal(first, again)
    assert first.shape == (5, 6, 2)
    np.testing.assert_allclose(base + first.sum(axis=1), f(frame.head(5)), atol=1e-12)
    # a column the function ignores gets nothing
    np.testing.assert_allclose(first[:, 2:, 0], 0.0, atol=1e-12)


@pytest.mark.parametrize("n_permutations", [0, 3], ids=["zero", "odd"])
def test_permutation_shapley_rejects_bad_counts(n_permutations: int) -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0.0, 1.0, 0.0], "c": [1.0, 1.0, 2.0]})
    with pytest.raises(ConfigError, match="n_permutations must be an even number"):
        permutation_shapley(lambda d: d["a"].to_numpy(), frame, frame,
                            n_permutations=n_permutations)


# -- the Explanation views -----------------------------------------------------------------------

def _toy_explanation() -> Explanation:
    values = pd.DataFrame({"x": [0.5, -0.5, 1.0, -1.0], "plan": [0.2, 0.1, 0.3, 0.0],
                           "noise": [0.01, -0.02, 0.0, 0.0]})
    features = pd.DataFrame({"x": [1.0, -1.0, 2.0, -2.0], "plan": ["a", "b", "a", "c"],
                             "noise": [3.0, 1.0, 2.0, 4.0]})
    numeric = pd.DataFrame({"x": features["x"], "plan": np.nan,
                            "noise": [1.0, 1.0, 1.0, 1.0]})
    base = np.full(4, -1.0)
    return Explanation(values=values, base_values=base,
                       predictions=base + values.to_numpy().sum(axis=1), space="log_odds",
                       feature_values=features, method="tree", classes=("no", "yes"),
                       output_class="yes", numeric_values=numeric)


def test_explanation_global_importance_and_direction() -> None:
    table = _toy_explanation().global_importance(top_k=None)
    assert table["column"].tolist() == ["x", "plan", "noise"]
    np.testing.assert_allclose(table["mean_abs"], [0.75, 0.15, 0.0075])
    # x: contribution rises with the value; plan (categorical): never negative; noise constant
    assert table["direction"].tolist() == ["+", "+", "mixed"]
    assert len(_toy_explanation().global_importance(top_k=2)) == 2
    with pytest.raises(ConfigError, match="top_k must be"):
        _toy_explanation().global_importance(top_k=0)


def test_explanation_waterfall_and_records() -> None:
    explanation = _toy_explanation()
    steps = explanation.waterfall(2)
    assert steps["column"].tolist() == ["x", "plan", "noise"]
    assert steps["value"].tolist() == [2.0, "a", 2.0]
    assert math.isclose(steps.attrs["base_value"] + steps["contribution"].sum(),
                        steps.attrs["prediction"])
    with pytest.raises(ConfigError, match="row must be a position"):
        explanation.waterfall(4)
    record = explanation.to_records()[1]
    assert record == {"prediction": -1.0 - 0.5 + 0.1 - 0.02, "base_value": -1.0,
                      "contributions": {"x": -0.5, "plan": 0.1, "noise": -0.02},
                      "space": "log_odds", "class": "yes"}
