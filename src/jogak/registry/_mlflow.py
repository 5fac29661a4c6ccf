"""Logging a trained bundle to MLflow: parameters, CV metrics, artifacts, and a registered pyfunc.

Used when ``MLFLOW_TRACKING_URI`` is set (the entry points read it and pass it here). MLflow is an
optional extra: ``pip install 'jogak[mlflow]'``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from jogak.errors import MissingDependencyError
from jogak.registry._files import verified_manifest

__all__ = ["MlflowLogResult", "log_to_mlflow"]

_PARAM_FIELDS = ("name", "estimator", "task", "target", "metric", "seed", "time_budget",
                 "n_trials", "n_folds", "log_target", "data_fingerprint")
_MAX_PARAM_LENGTH = 500


@dataclass(frozen=True)
class MlflowLogResult:
    """Where MLflow put the run and model."""

    run_id: str
    model_uri: str
    registered_name: str | None
    registered_version: int | None


def _mlflow() -> ModuleType:
    try:
        return importlib.import_module("mlflow")
    except ImportError as exc:
        raise MissingDependencyError("MLflow logging needs the 'mlflow' package. Install it with: "
                                     "pip install 'jogak[mlflow]' (or unset "
                                     "MLFLOW_TRACKING_URI).") from exc


def _params(manifest: dict[str, Any]) -> dict[str, str]:
    params = {key: manifest[key] for key in _PARAM_FIELDS if manifest.get(key) is not None}
    ensemble = manifest.get("ensemble") or {}
    params["ensemble_kind"] = ensemble.get("kind")
    params["ensemble_members"] = ",".join(sorted(ensemble.get("weights") or {}))
    for key, value in (manifest.get("params") or {}).items():
        params[f"automl.{key}"] = value
    for key, value in (manifest.get("library_versions") or {}).items():
        params[f"version.{key}"] = value
    return {key: str(value)[:_MAX_PARAM_LENGTH] for key, value in params.items()
            if value is not None}


def _metrics(manifest: dict[str, Any]) -> dict[str, float]:
    out = {}
    for name, item in (manifest.get("metrics") or {}).items():
        for stat in ("mean", "std"):
            value = item.get(stat) if isinstance(item, dict) else None
            if isinstance(value, int | float):
                out[f"cv_{name}" if stat == "mean" else f"cv_{name}_std"] = float(value)
    if isinstance(manifest.get("time_used"), int | float):
        out["time_used_seconds"] = float(manifest["time_used"])
    return out


def log_to_mlflow(bundle: str | Path, *, tracking_uri: str, experiment: str = "jogak",
                  registered_model_name: str | None = None,
                  run_name: str | None = None) -> MlflowLogResult:
    """Log a bundle as an MLflow run and (optionally) register it as a pyfunc model.

    The run gets the bundle's training parameters (``automl.*``, library ``version.*``), its
    cross-validation metrics (``cv_<metric>`` and ``cv_<metric>_std``), the manifest and the
    leaderboard as artifacts, and a pyfunc model wrapping the bundle: ``mlflow models serve``
    and ``mlflow.pyfunc.load_model`` then predict with jogak (``prediction`` and
    ``proba_<class>`` columns).

    Parameters
    ----------
    bundle : str or pathlib.Path
        A model bundle folder (checked against its sha256 first).
    tracking_uri : str
        ``MLFLOW_TRACKING_URI``; MLflow 3 needs a database (e.g. ``sqlite:///mlflow.db``) or a
        tracking server.
    experiment : str, default "jogak"
    registered_model_name : str, optional
        Register the pyfunc under this name in MLflow's model registry.
    run_name : str, optional

    Returns
    -------
    MlflowLogResult

    Raises
    ------
    MissingDependencyError
        If MLflow is not installed.
    BundleError
        If the bundle fails its checks.
    """
    path = Path(bundle).absolute()
    manifest = verified_manifest(path)
    mlflow = _mlflow()
    importlib.import_module("mlflow.pyfunc")
    client_uri = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(tracking_uri)
    try:
        mlflow.set_experiment(experiment)
        with mlflow.start_run(run_name=run_name or str(manifest.get("name", "jogak"))) as run:
            mlflow.log_params(_params(manifest))
            mlflow.log_metrics(_metrics(manifest))
            mlflow.log_dict(manifest, "jogak/manifest.json")
            if manifest.get("leaderboard"):
                mlflow.log_dict({"leaderboard": manifest["leaderboard"]},
                                "jogak/leaderboard.json")
            mlflow.set_tags({"jogak.kind": str(manifest.get("kind")),
                             "jogak.manifest_sha256": str(manifest.get("manifest_sha256"))})
            info = mlflow.pyfunc.log_model(
                name="model", python_model=str(Path(__file__).with_name("_mlflow_model.py")),
                artifacts={"bundle": str(path)}, registered_model_name=registered_model_name,
                pip_requirements=_requirements(manifest))
        version = getattr(info, "registered_model_version", None)
        return MlflowLogResult(run.info.run_id, info.model_uri, registered_model_name,
                               None if version is None else int(version))
    finally:
        mlflow.set_tracking_uri(client_uri)


def _requirements(manifest: dict[str, Any]) -> list[str]:
    """Pinned from the manifest, so MLflow does not have to import the model to infer them."""
    pins = {"scikit-learn": "scikit-learn", "lightgbm": "lightgbm", "xgboost": "xgboost",
            "catboost": "catboost", "torch": "torch", "numpy": "numpy", "pandas": "pandas"}
    versions = manifest.get("library_versions") or {}
    return [f"jogak=={versions.get('jogak', '0')}"] + [
        f"{package}=={versions[key]}" for key, package in pins.items() if key in versions]
