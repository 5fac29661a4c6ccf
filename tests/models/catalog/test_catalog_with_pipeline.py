"""Every family behind the preprocessor of its feature style, on a mixed frame with text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline

from jogak.data import ColumnRoles, Task, coerce_frame, infer_roles
from jogak.models.catalog import CATALOG, BuildContext, ModelSpec
from jogak.pipeline import build_preprocessor, native_categorical_indices
from jogak.testing import make_classification_frame

Mixed = tuple[ColumnRoles, pd.DataFrame, np.ndarray]


@pytest.fixture(scope="module")
def mixed() -> Mixed:
    frame = make_classification_frame(300, seed=0)
    roles = infer_roles(frame, target="target")
    features = coerce_frame(frame, roles).drop(columns=["target"])
    y = frame["target"].astype("category").cat.codes.to_numpy()
    return roles, features, y


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("spec", list(CATALOG.values()), ids=list(CATALOG))
def test_spec_learns_behind_its_preprocessor(spec: ModelSpec, mixed: Mixed) -> None:
    roles, X, y = mixed
    train, test = np.arange(200), np.arange(200, 300)
    preprocessor = build_preprocessor(roles, spec.style, task=Task.BINARY, random_state=0)
    matrix = preprocessor.fit(X.iloc[train], y[train]).transform(X.iloc[train])
    native = spec.style.value == "native"
    context = BuildContext(
        task=Task.BINARY, n_rows=len(train), n_features=matrix.shape[1],
        categorical_indices=native_categorical_indices(roles) if native else [],
        random_state=0, n_jobs=1, has_sparse_input=not isinstance(matrix, np.ndarray))
    # the synopsis column is text: SCALED learners get TF-IDF as a sparse matrix
    assert context.has_sparse_input == (spec.style.value == "scaled")
    assert spec.handles_sparse or not context.has_sparse_input
    model = make_pipeline(preprocessor, spec.build({}, context)).fit(X.iloc[train], y[train])
    proba = model.predict_proba(X.iloc[test])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert roc_auc_score(y[test], proba[:, 1]) > 0.7
