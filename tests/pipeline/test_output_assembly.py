"""FastColumnTransformer's lean fit_transform: the same fitted steps and output as scikit-learn's
ColumnTransformer, assembled in one preallocated array (row blocks, column-wise numeric fits)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

import jogak.pipeline._assembly as assembly
from jogak.data import ColumnRole, ColumnRoles
from jogak.errors import ConfigError
from jogak.pipeline import (
    ColumnScaler,
    FastColumnTransformer,
    FeatureStyle,
    MissingImputer,
    OutlierClipper,
    SkewCorrector,
    build_preprocessor,
)
from jogak.testing import make_classification_frame

STYLES = list(FeatureStyle)
R = ColumnRole
TAIWAN_ROLES = {"ID": R.IDENTIFIER, "X2": R.BOOLEAN, "X3": R.CATEGORICAL_LOW,
                "X4": R.CATEGORICAL_LOW, "Y": R.TARGET,
                **{f"X{k}": R.NUMERIC for k in [1, *range(5, 24)]}}


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    # a few rows per block, so that a small frame is written in many row blocks
    monkeypatch.setattr(assembly, "ROW_BLOCK", 37)


@pytest.fixture
def data(make_roles: Callable[..., ColumnRoles]) -> tuple[pd.DataFrame, pd.Series, ColumnRoles]:
    frame = make_classification_frame(300, seed=5).drop(columns="synopsis")
    frame.loc[7, "amount"] = 1e300  # a value whose square overflows
    return frame.drop(columns="target"), frame["target"], make_roles(frame, target="target")


def _reference(preprocessor: FastColumnTransformer) -> ColumnTransformer:
    return ColumnTransformer(preprocessor.transformers, remainder="drop",
                             sparse_threshold=preprocessor.sparse_threshold,
                             verbose_feature_names_out=False)


@pytest.mark.parametrize("style", STYLES, ids=[s.value for s in STYLES])
def test_lean_fit_transform_equals_column_transformer_exactly(style: FeatureStyle, data,
                                                              small_blocks: None) -> None:
    X, y, roles = data
    lean = build_preprocessor(roles, style, random_state=0)
    reference = _reference(lean)
    out = lean.fit_transform(X, y)
    expected = reference.fit_transform(X, y)
    assert out.dtype == np.float64
    assert out.flags.c_contiguous
    np.testing.assert_array_equal(out, expected)
    assert lean.get_feature_names_out().tolist() == reference.get_feature_names_out().tolist()
    assert lean.output_indices_ == reference.output_indices_
    np.testing.assert_array_equal(lean.transform(X), reference.transform(X))
    # one row takes the fast path (target encodings there are the full-fit ones, not the
    # out-of-fold ones of fit_transform)
    np.testing.assert_array_equal(lean.transform(X.iloc[[4]]), reference.transform(X.iloc[[4]]))
    assert not hasattr(lean, "_lean_output")  # nothing left behind to pickle


def test_numeric_pipeline_fitted_by_column_has_the_full_fit_state(data) -> None:
    X, y, roles = data
    columns = roles.columns(R.NUMERIC)
    X = X[columns].copy()
    X.loc[3:40, columns[-1]] = np.nan  # only some columns get a missing indicator
    X[columns[0]] = X[columns[0]].fillna(1.0)
    steps = Pipeline([("impute", MissingImputer()), ("skew", SkewCorrector()),
                      ("clip", OutlierClipper(method="iqr", factor=3.0)),
                      ("scale", ColumnScaler())])
    lean = FastColumnTransformer([("numeric", steps, columns)], sparse_threshold=0.0).fit(X)
    full = Pipeline([(name, type(step)(**step.get_params())) for name, step in steps.steps])
    full.fit(X)
    fitted = lean.named_transformers_["numeric"]
    attributes = {"impute": ["statistics_", "indicator_columns_", "n_features_in_",
                             "feature_names_in_"],
                  "skew": ["skewness_", "methods_", "lambdas_", "n_features_in_"],
                  "clip": ["lower_", "upper_", "n_features_in_"],
                  "scale": ["center_", "scale_", "n_features_in_"]}
    # some columns but not all have an indicator: the merged layout is exercised
    assert 0 < full.named_steps["impute"].indicator_columns_.size < len(columns)
    for name, names in attributes.items():
        for attribute in names:
            got = getattr(fitted.named_steps[name], attribute)
            want = getattr(full.named_steps[name], attribute)
            if isinstance(want, list):
                assert got == want, (name, attribute)
            else:
                np.testing.assert_array_equal(got, want, err_msg=f"{name}.{attribute}")


def test_float32_output_is_the_float64_output_rounded(data, small_blocks: None) -> None:
    X, y, roles = data
    wide = build_preprocessor(roles, "scaled", random_state=0).fit_transform(X, y)
    narrow = build_preprocessor(roles, "scaled", random_state=0, dtype="float32")
    out = narrow.fit_transform(X, y)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, wide.astype(np.float32))
    assert narrow.transform(X).dtype == np.float32
    assert narrow.transform(X.iloc[:1]).dtype == np.float32


@pytest.mark.parametrize("dtype", ["int64", "float16", "text", None],
                         ids=["int", "half", "text", "none"])
def test_build_preprocessor_rejects_other_output_dtypes(data, dtype: str | None) -> None:
    _, _, roles = data
    with pytest.raises(ConfigError, match="'dtype' argument of build_preprocessor must be"):
        build_preprocessor(roles, "scaled", dtype=dtype)


def test_preprocessor_pickled_before_the_dtype_parameter_still_transforms(data) -> None:
    X, y, roles = data
    preprocessor = build_preprocessor(roles, "tree", random_state=0).fit(X, y)
    state = preprocessor.__getstate__()
    del state["dtype"]
    restored = FastColumnTransformer.__new__(FastColumnTransformer)
    restored.__setstate__(state)
    again = copy.deepcopy(restored)  # goes through __getstate__ and __setstate__
    np.testing.assert_array_equal(again.transform(X), preprocessor.transform(X))
    assert again.get_params()["dtype"] == "float64"


@pytest.mark.parametrize("style", STYLES, ids=[s.value for s in STYLES])
def test_lean_fit_transform_on_taiwan_credit_equals_column_transformer(
        style: FeatureStyle, data_dir: Path, make_roles: Callable[..., ColumnRoles],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assembly, "ROW_BLOCK", 4096)
    frame = pd.read_csv(data_dir / "taiwan_credit_default" /
                        "default_of_credit_card_clients.csv.gz")
    roles = make_roles(frame, TAIWAN_ROLES, target="Y")
    X, y = frame.drop(columns="Y"), frame["Y"]
    lean = build_preprocessor(roles, style, random_state=0)
    np.testing.assert_array_equal(lean.fit_transform(X, y), _reference(lean).fit_transform(X, y))
