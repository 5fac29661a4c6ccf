"""build_preprocessor: the three feature styles on synthetic frames, names, edge cases."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn import config_context
from sklearn.compose import ColumnTransformer

from jogak.data import ColumnRole, ColumnRoles
from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.pipeline import (
    FeatureStyle,
    build_preprocessor,
    native_categorical_indices,
    source_column_map,
)
from jogak.testing import make_classification_frame, make_frame

STYLES = list(FeatureStyle)
FEATURES = ["num", "amount", "count", "flag", "color", "city", "joined", "joined_int",
            "synopsis"]
R = ColumnRole


def _dense(out: object) -> np.ndarray:
    return out.toarray() if sp.issparse(out) else np.asarray(out)


@pytest.fixture
def data(make_roles: Callable[..., ColumnRoles]) -> tuple[pd.DataFrame, pd.Series, ColumnRoles]:
    frame = make_classification_frame(240, seed=3)
    return frame.drop(columns="target"), frame["target"], make_roles(frame, target="target")


@pytest.mark.parametrize("style", STYLES, ids=[s.value for s in STYLES])
def test_build_preprocessor_shapes_names_and_missing_values(style: FeatureStyle, data) -> None:
    X, y, roles = data
    preprocessor = build_preprocessor(roles, style, random_state=0)
    out = preprocessor.fit_transform(X, y)
    names = preprocessor.get_feature_names_out().tolist()
    assert isinstance(preprocessor, ColumnTransformer)
    assert out.shape == (len(X), len(names))
    assert out.dtype == np.float64
    assert sp.issparse(out) == (style is FeatureStyle.SCALED)  # text present: sparse TF-IDF
    dense = _dense(out)
    assert np.isfinite(dense).all() if style is not FeatureStyle.NATIVE else np.isnan(dense).any()
    sources = source_column_map(preprocessor)
    assert list(sources) == names
    assert set(sources.values()) == set(FEATURES)
    for name, source in sources.items():
        assert name == source or name.startswith(f"{source}__")


def test_build_preprocessor_dense_numpy_without_text(make_roles) -> None:
    frame = make_frame(120, seed=1, with_text=False)
    roles = make_roles(frame)
    out = build_preprocessor(roles, "scaled").fit_transform(frame, np.arange(120) % 2)
    assert isinstance(out, np.ndarray)
    assert np.isfinite(out).all()


def test_build_preprocessor_outputs_numpy_under_global_pandas_output(data) -> None:
    X, y, roles = data
    with config_context(transform_output="pandas"):
        preprocessor = build_preprocessor(roles, FeatureStyle.TREE, random_state=0).fit(X, y)
        assert isinstance(preprocessor.transform(X.head(3)), np.ndarray)


def test_native_style_puts_category_codes_first(data) -> None:
    X, y, roles = data
    indices = native_categorical_indices(roles)
    assert indices == [0, 1]
    preprocessor = build_preprocessor(roles, "native").fit(X, y)
    names = preprocessor.get_feature_names_out().tolist()
    assert names[:2] == ["color__code", "city__code"]
    codes = preprocessor.transform(X)[:, indices]
    observed = codes[~np.isnan(codes)]
    assert np.array_equal(observed, np.round(observed))
    assert np.isnan(codes[X["color"].isna().to_numpy(), 0]).all()


def test_native_style_keeps_missing_numbers_as_nan(data) -> None:
    X, y, roles = data
    preprocessor = build_preprocessor(roles, "native").fit(X, y)
    out = preprocessor.transform(X)
    position = preprocessor.get_feature_names_out().tolist().index("num")
    np.testing.assert_array_equal(np.isnan(out[:, position]), X["num"].isna().to_numpy())


@pytest.mark.parametrize("style", STYLES, ids=[s.value for s in STYLES])
def test_fast_transform_equals_column_transformer_transform(style: FeatureStyle, data) -> None:
    X, y, roles = data
    preprocessor = build_preprocessor(roles, style, random_state=0).fit(X, y)
    batch = X.iloc[:50]
    expected = _dense(ColumnTransformer.transform(preprocessor, batch))
    np.testing.assert_allclose(_dense(preprocessor.transform(batch)), expected)
    for i in (0, 7):
        one_row = _dense(preprocessor.transform(X.iloc[[i]]))
        np.testing.assert_allclose(one_row, expected[[i]], rtol=1e-9, atol=1e-12)


def test_transform_uses_training_statistics_only(make_roles) -> None:
    train = make_frame(200, seed=0, with_text=False)
    test = make_frame(80, seed=1, with_text=False)
    roles = make_roles(train)
    preprocessor = build_preprocessor(roles, "tree").fit(train, np.arange(200) % 2)
    names = preprocessor.get_feature_names_out().tolist()
    out = preprocessor.transform(test)
    missing = test["num"].isna().to_numpy()
    assert missing.any()
    assert np.all(out[missing, names.index("num")] == train["num"].median())
    levels = train["color"].value_counts().index.tolist()
    expected_codes = [levels.index(c) if isinstance(c, str) else -1 for c in test["color"]]
    assert out[:, names.index("color__code")].tolist() == expected_codes


@pytest.mark.parametrize("style", STYLES, ids=[s.value for s in STYLES])
def test_unseen_categories_do_not_raise(style: FeatureStyle, data) -> None:
    X, y, roles = data
    preprocessor = build_preprocessor(roles, style, random_state=0).fit(X, y)
    row = X.iloc[[0]].copy()
    row["color"] = "ultraviolet"
    row["city"] = "atlantis"
    out = _dense(preprocessor.transform(row))
    names = preprocessor.get_feature_names_out().tolist()
    if style is FeatureStyle.SCALED:
        assert out[0, names.index("color____unknown__")] == 1.0
    elif style is FeatureStyle.TREE:
        assert out[0, names.index("color__code")] == -1.0
    else:
        assert np.isnan(out[0, :2]).all()


def test_one_row_fit_without_target_encoding(make_roles) -> None:
    frame = make_frame(5, seed=0, missing_share=0.0)
    roles = make_roles(frame).with_role("city", R.CATEGORICAL_LOW)
    for style in STYLES:
        out = _dense(build_preprocessor(roles, style).fit_transform(frame.iloc[[0]]))
        assert out.shape[0] == 1
        assert np.isfinite(out).all()


def test_one_row_fit_with_target_encoding_explains_itself(make_roles) -> None:
    frame = make_frame(5, seed=0, with_text=False)
    with pytest.raises(SchemaError, match="at least 2 rows"):
        build_preprocessor(make_roles(frame), "tree").fit(frame.iloc[[0]], [1])


def test_all_missing_columns_are_handled(make_roles) -> None:
    frame = make_frame(60, seed=2)
    frame["num"] = np.nan
    frame["color"] = None
    frame["joined"] = pd.NaT
    frame["synopsis"] = None
    roles = make_roles(frame)
    for style in (FeatureStyle.SCALED, FeatureStyle.TREE):
        preprocessor = build_preprocessor(roles, style).fit(frame, np.arange(60) % 2)
        out = _dense(preprocessor.transform(frame))
        assert np.isfinite(out).all()
        assert not any(name.startswith("synopsis") for name in preprocessor.get_feature_names_out())


def test_huge_values_do_not_overflow_in_scaled_style(make_roles) -> None:
    frame = make_frame(100, seed=4, with_text=False)
    frame.loc[3, "amount"] = 1e300
    frame.loc[4, "num"] = -1e300
    roles = make_roles(frame)
    preprocessor = build_preprocessor(roles, "scaled").fit(frame, np.arange(100) % 2)
    test = frame.iloc[:10].astype({"count": "float64"})
    test.loc[0, "count"] = 1e300
    test.loc[1, "amount"] = -1e308
    assert np.isfinite(preprocessor.transform(test)).all()
    assert np.isfinite(preprocessor.transform(frame)).all()


def test_wrong_types_get_clear_errors(make_roles) -> None:
    frame = make_frame(30, seed=0, with_text=False)
    roles = make_roles(frame)
    bad = frame.assign(num=["not a number"] * 30)
    with pytest.raises(SchemaError, match=r"needs numeric columns.*\['num'\].*Hint"):
        build_preprocessor(roles, "tree").fit(bad, np.arange(30) % 2)
    fitted = build_preprocessor(roles, "tree").fit(frame, np.arange(30) % 2)
    with pytest.raises(SchemaError, match=r"columns \['amount'\], which this frame lacks"):
        fitted.transform(frame.drop(columns="amount"))
    with pytest.raises(SchemaError, match="needs a pandas DataFrame"):
        fitted.transform(frame.to_numpy())


def test_target_encoding_needs_y(data) -> None:
    X, _, roles = data
    with pytest.raises(TargetError, match="requires y"):
        build_preprocessor(roles, "scaled").fit(X)


def test_build_preprocessor_rejects_bad_arguments(data) -> None:
    _, _, roles = data
    with pytest.raises(ConfigError, match="'style' argument"):
        build_preprocessor(roles, "linear")
    with pytest.raises(ConfigError, match="needs a ColumnRoles"):
        build_preprocessor({"num": R.NUMERIC}, "tree")
    with pytest.raises(ConfigError, match="'svd_components'"):
        build_preprocessor(roles, "tree", svd_components=0)
    only_ids = ColumnRoles(info={"id": roles.info["id"]})
    with pytest.raises(SchemaError, match="no feature columns"):
        build_preprocessor(only_ids, "tree")


def test_tree_text_svd_has_at_most_32_components(data) -> None:
    X, y, roles = data
    names = build_preprocessor(roles, "tree").fit(X, y).get_feature_names_out()
    svd = [name for name in names if name.startswith("synopsis__svd")]
    assert len(svd) == 32


def test_source_column_map_prefers_longest_matching_column(make_roles) -> None:
    frame = pd.DataFrame({"a": [1.0, np.nan, 3.0], "a__b": ["x", "y", "x"]})
    roles = make_roles(frame, {"a": R.NUMERIC, "a__b": R.CATEGORICAL_LOW})
    preprocessor = build_preprocessor(roles, "scaled").fit(frame)
    assert source_column_map(preprocessor) == {
        "a": "a", "a__missing": "a", "a__b__x": "a__b", "a__b__y": "a__b",
        "a__b____unknown__": "a__b"}


def test_source_column_map_rejects_other_objects() -> None:
    with pytest.raises(ConfigError, match="needs a fitted ColumnTransformer"):
        source_column_map(object())


@pytest.mark.parametrize("style", STYLES, ids=[s.value for s in STYLES])
def test_pandas_extension_dtypes_take_the_fast_path_unchanged(style: FeatureStyle,
                                                              make_roles) -> None:
    n_rows = 40
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "n_int": pd.array([None if i % 7 == 0 else i for i in range(n_rows)], dtype="Int64"),
        "n_float": pd.array([None if i % 5 == 0 else i / 3 for i in range(n_rows)],
                            dtype="Float64"),
        "flag": pd.array([None if i % 6 == 0 else bool(i % 2) for i in range(n_rows)],
                         dtype="boolean"),
        "cat": pd.Categorical(rng.choice(["a", "b", None], n_rows)),
        "code": rng.choice([1, 2, 3], n_rows),
        "when": pd.Series(pd.date_range("2024-01-01", periods=n_rows, freq="D",
                                        tz="Asia/Seoul")),
        "ymd": pd.array([20240101 + i % 28 if i % 9 else None for i in range(n_rows)],
                        dtype="Int64"),
    })
    roles = make_roles(frame, {"n_int": R.NUMERIC, "n_float": R.NUMERIC, "flag": R.BOOLEAN,
                               "cat": R.CATEGORICAL_LOW, "code": R.CATEGORICAL_HIGH,
                               "when": R.DATETIME, "ymd": R.DATETIME})
    preprocessor = build_preprocessor(roles, style, random_state=0).fit(frame, np.arange(40) % 2)
    expected = ColumnTransformer.transform(preprocessor, frame)
    np.testing.assert_allclose(preprocessor.transform(frame), expected)
    np.testing.assert_allclose(preprocessor.transform(frame.iloc[[3]]), expected[[3]])
    assert np.isnan(expected).any() == (style is FeatureStyle.NATIVE)


@pytest.mark.parametrize("style", STYLES, ids=[s.value for s in STYLES])
def test_a_text_column_that_cleans_to_nothing_adds_no_columns_and_breaks_nothing(
        style: FeatureStyle, make_roles: Callable[..., ColumnRoles]) -> None:
    # TMDB's keywords are JSON lists: the default clean-up drops [...] whole, the vocabulary is
    # empty, and a sparse block 0 columns wide made scikit-learn refuse the whole table
    frame = make_classification_frame(120, seed=4)[["num", "amount", "count", "color",
                                                    "target"]]
    frame["tags"] = [f'[{{"id": {i}, "name": "tag {i % 7}"}}]' for i in range(len(frame))]
    base = make_roles(frame.drop(columns="tags"), target="target")
    roles = make_roles(frame, {**{name: info.role for name, info in base.info.items()},
                               "tags": R.TEXT, "target": R.TARGET}, target="target")
    X, y = frame.drop(columns="target"), frame["target"].to_numpy()
    reference = build_preprocessor(base, style)
    without = reference.fit_transform(X.drop(columns="tags"), y)
    pre = build_preprocessor(roles, style)
    np.testing.assert_allclose(_dense(pre.fit_transform(X, y)), _dense(without))
    expected = _dense(reference.transform(X.drop(columns="tags")))
    np.testing.assert_allclose(_dense(pre.transform(X)), expected)
    np.testing.assert_allclose(_dense(pre.transform(X.iloc[:1])), expected[:1])
