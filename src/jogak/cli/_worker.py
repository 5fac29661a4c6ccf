"""``jogak worker``: join a distributed search started by ``jogak train --storage``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from jogak.cli._app import app
from jogak.cli._io import read_data

__all__ = ["worker"]


@app.command()
def worker(
    storage: Annotated[str, typer.Option(help="Optuna storage URL (sqlite:///f.db, "
                                              "postgresql://…).")],
    study: Annotated[str, typer.Option(help="Study name given to 'jogak train --study'.")],
    wait: Annotated[float, typer.Option(help="Seconds to wait for the trainer.")] = 120.0,
) -> None:
    """Run trials for a search that 'jogak train --storage URL --study NAME' publishes."""
    from jogak.models import AutoMLClassifier, AutoMLRegressor
    from jogak.models.automl import read_job

    job = read_job(storage, study, timeout=wait)
    frame = read_data(job["data"])
    target = job["target"]
    estimator_cls = AutoMLRegressor if job["estimator"] == "AutoMLRegressor" else AutoMLClassifier
    params = dict(job["params"])
    params.update(storage=storage, study_name=study)
    estimator = estimator_cls(**params)
    records = estimator.run_worker(frame.drop(columns=[target]), frame[target], timeout=wait)
    done = [r for r in records if r.status == "complete"]
    Console(stderr=True).print(f"worker finished: {len(records)} trials, {len(done)} complete")
