"""MLflow logging: params, CV metrics, artifacts and a registered pyfunc predicting like jogak."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from jogak.models import load_model
from jogak.testing._serve import make_model_frame

mlflow = pytest.importorskip("mlflow")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning:mlflow.*"),
    pytest.mark.filterwarnings("ignore::FutureWarning:mlflow.*"),
]


def test_log_to_mlflow_registers_a_pyfunc_predicting_like_the_bundle(
        tmp_path: Path, trained_bundle: Path) -> None:
    from jogak.registry import log_to_mlflow

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    try:
        mlflow.create_experiment("jogak", artifact_location=str(tmp_path / "artifacts"))
        result = log_to_mlflow(trained_bundle, tracking_uri=uri, registered_model_name="tiny")
        assert result.registered_version == 1
        run = mlflow.get_run(result.run_id)
        pyfunc = mlflow.pyfunc.load_model("models:/tiny/1")
    finally:
        mlflow.set_tracking_uri(previous)
    manifest = load_model(trained_bundle).manifest_
    assert run.data.params["task"] == "binary"
    assert run.data.params["automl.n_trials"] == "2"
    assert run.data.params["version.scikit-learn"] == manifest["library_versions"]["scikit-learn"]
    assert run.data.metrics["cv_roc_auc"] == pytest.approx(manifest["metrics"]["roc_auc"]["mean"])
    assert run.data.metrics["cv_roc_auc_std"] == \
        pytest.approx(manifest["metrics"]["roc_auc"]["std"])
    assert run.data.tags["jogak.manifest_sha256"] == manifest["manifest_sha256"]
    frame = make_model_frame(30, seed=4).drop(columns=["target"])
    predicted = pyfunc.predict(frame)
    expected = load_model(trained_bundle).predict_proba(frame)
    assert list(predicted.columns) == ["prediction", "proba_no", "proba_yes"]
    np.testing.assert_allclose(predicted[["proba_no", "proba_yes"]].to_numpy(), expected)


def test_log_to_mlflow_refuses_a_tampered_bundle_before_touching_mlflow(
        tmp_path: Path, trained_bundle: Path) -> None:
    import shutil

    from jogak.errors import BundleError
    from jogak.registry import log_to_mlflow

    copy = tmp_path / "copy"
    shutil.copytree(trained_bundle, copy)
    (copy / "model.joblib").write_bytes(b"x")
    with pytest.raises(BundleError, match="changed after it was saved"):
        log_to_mlflow(copy, tracking_uri=f"sqlite:///{tmp_path / 'never.db'}")
    assert not (tmp_path / "never.db").exists()
