"""``jogak quickstart``: the README's main job, end to end on data this machine can reach."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from jogak.cli._app import app
from jogak.cli._models import search_progress, training_reference
from jogak.config import Settings

__all__ = ["quickstart"]

_console = Console(stderr=True)


def _dataset(settings: Settings) -> tuple[str, pd.DataFrame, str]:
    """Telco churn from the data dir, else scikit-learn's bundled breast cancer table."""
    from jogak.data import load

    if settings.data_dir is not None:
        path = settings.data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz"
        if path.exists():
            return f"Telco customer churn ({path})", load(path), "Churn"
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    frame = bunch.frame.rename(columns={"target": "benign"})
    return "breast cancer (bundled with scikit-learn; no JOGAK_DATA_DIR found)", frame, "benign"


@app.command()
def quickstart(
    budget: Annotated[float, typer.Option(help="Seconds for the AutoML search.")] = 60.0,
    out: Annotated[Path, typer.Option(help="Folder for every output.")] = Path("jogak-output"),
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Load a real dataset, profile it, fit a baseline and AutoML, and write every output."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline

    from jogak.data import infer_roles, profile
    from jogak.models import AutoMLClassifier, evaluate_model
    from jogak.models._batch import prediction_frame
    from jogak.pipeline import FeatureStyle, build_preprocessor

    settings = Settings.from_env()
    out.mkdir(parents=True, exist_ok=True)
    name, frame, target = _dataset(settings)
    _console.rule(f"[bold]jogak quickstart[/bold]: {name}")
    report = profile(frame, target=target)
    (out / "profile.json").write_text(json.dumps(report.to_dict(), default=str, indent=2,
                                                 ensure_ascii=False), encoding="utf-8")
    _console.print(f"1. profiled {len(frame):,} rows × {frame.shape[1]} columns → "
                   f"{out / 'profile.json'}")
    train, test = train_test_split(frame, test_size=0.2, random_state=seed,
                                   stratify=frame[target])
    X_train, y_train = train.drop(columns=[target]), train[target]
    X_test, y_test = test.drop(columns=[target]), test[target]

    roles = infer_roles(train, target=target)
    from jogak.data import coerce_frame

    baseline = make_pipeline(build_preprocessor(roles, FeatureStyle.SCALED),
                             LogisticRegression(max_iter=2000))
    baseline.fit(coerce_frame(X_train, roles), y_train)
    from sklearn.metrics import roc_auc_score

    positive = baseline.classes_[1]
    base_auc = roc_auc_score(y_test == positive,
                             baseline.predict_proba(coerce_frame(X_test, roles))[:, 1])
    _console.print(f"2. baseline (preprocessing + logistic regression): holdout AUC "
                   f"{base_auc:.4f}")

    _console.print(f"3. AutoML search for {budget:.0f} s …")
    model = AutoMLClassifier(time_budget=budget, random_state=seed)
    with search_progress(_console, total=budget, metric="roc_auc", greater=True) as callback:
        model.set_params(callbacks=(callback,))
        model.fit(X_train, y_train)
    model.target_name_ = target
    bundle = model.save(out / "model", name="quickstart",
                        extra_manifest=training_reference(model, X_train))
    scores = evaluate_model(model, X_test, y_test)
    predictions = prediction_frame(model, X_test)
    predictions.to_csv(out / "predictions.csv", index=False)
    test.to_csv(out / "holdout.csv", index=False)

    table = Table(title="holdout (20 %) results")
    table.add_column("model")
    table.add_column("AUC")
    table.add_column("log loss")
    table.add_row("baseline logistic regression", f"{base_auc:.4f}", "")
    table.add_row(f"jogak AutoML ({model.ensemble_kind_}: "
                  f"{', '.join(model.ensemble_.weights)})",
                  f"{scores['metrics']['roc_auc']:.4f}", f"{scores['metrics']['log_loss']:.4f}")
    _console.print(table)
    summary: dict[str, Any] = {
        "dataset": name, "baseline_auc": base_auc, "automl": scores,
        "cv": {k: {"mean": m, "std": s} for k, (m, s) in model.cv_results_.items()},
        "n_trials": len(model.history_), "time_used": model.time_used_,
    }
    (out / "summary.json").write_text(json.dumps(summary, default=float, indent=2),
                                      encoding="utf-8")
    _console.print(f"outputs in [bold]{out.resolve()}[/bold]: profile.json, model/ (bundle), "
                   "predictions.csv, holdout.csv, summary.json")
    _console.print("next: [bold]jogak predict "
                   f"{bundle} {out / 'holdout.csv'}[/bold] · [bold]jogak evaluate {bundle} "
                   f"{out / 'holdout.csv'} --target {target} --json[/bold]")
    _console.print("open the dashboard: [bold]jogak dashboard --model "
                   f"{bundle} --data {out / 'holdout.csv'}[/bold]")

