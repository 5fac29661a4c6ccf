"""Calibrate the serving-cost lines in ``jogak.models.automl._serving_cost`` on this machine.

For each model family, two fitted learners of different size (trees, depth, fitted rows, layer
widths) on a synthetic 5,000-row, 20-feature binary table are timed on one thread, as the row
path runs them: seconds per row of a 10k-row ``predict_proba`` and the median single-row call
through ``compile_learner``. The two points give each family's base and slope per unit (the
units ``_serving_cost`` reads from a fitted learner). The preprocessing constants come from an
``AutoMLClassifier`` restricted to ``linear`` at 10 and 40 raw columns (half numeric, half
categorical): its batch and single-row costs less the linear learner's. The text constants
(``text_cost``) come from ``TextFeatures`` as the scaled and tree styles build it, on synthetic
texts of about 20 and 300 characters: batch and single-row CPU time per text column. First it
times the row-shaped workload of ``jogak.models.automl._machine``, whose reference time must be
updated with the constants (a timed fit scales its serving limits by the ratio to it).

    nice -n 19 .venv/bin/python benchmarks/automl_serving_cost_calibration.py

The printed lines are what ``_FAMILIES`` holds (rounded by hand); the estimate next to each
measurement shows how the current constants compare.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from jogak import AutoMLClassifier
from jogak.data import Task
from jogak.models.automl._machine import REFERENCE_SECONDS, row_workload_seconds
from jogak.models.automl._rowpredict import compile_learner
from jogak.models.automl._serving_cost import _FAMILIES, learner_cost, text_cost
from jogak.models.automl._trial import predict_learner
from jogak.models.catalog import BuildContext, available_specs, get_spec
from jogak.pipeline import TextFeatures
from jogak.pipeline._rowpath_text import compile_text_head

N_ROWS, N_FEATURES = 5_000, 20
SIZES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "linear": ({}, {}),
    "knn": ({"n_neighbors": 10}, {"n_neighbors": 30}),
    "random_forest": ({"n_estimators": 50, "max_depth": 6}, {"n_estimators": 300}),
    "extra_trees": ({"n_estimators": 50, "max_depth": 6}, {"n_estimators": 300}),
    "hist_gb": ({"max_iter": 50}, {"max_iter": 400}),
    "lightgbm": ({"n_estimators": 50}, {"n_estimators": 800}),
    "xgboost": ({"n_estimators": 50}, {"n_estimators": 800}),
    "catboost": ({"iterations": 50}, {"iterations": 800}),
    "mlp": ({"width": 32, "n_layers": 1}, {"width": 256, "n_layers": 3}),
    "tabular_mlp": ({}, {}),
    "tabular_resnet": ({}, {}),
}


def _synthetic(n_rows: int, n_features: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, n_features))
    y = (X[:, 0] + 0.5 * X[:, 1] ** 2 + rng.normal(size=n_rows) > 0.5).astype(np.int64)
    return X, y


def _time_learner(learner: Any, X: np.ndarray) -> tuple[float, float]:
    batch = X[np.arange(10_000) % len(X)]
    with threadpool_limits(limits=1):
        predict_learner(learner, batch[:100], Task.BINARY)
        started = time.perf_counter()
        predict_learner(learner, batch, Task.BINARY)
        per_row = (time.perf_counter() - started) / len(batch)
    compiled = compile_learner(learner, Task.BINARY)
    calls = []
    for i in range(220):
        row = X[i: i + 1]
        started = time.perf_counter_ns()
        compiled(row)
        calls.append(time.perf_counter_ns() - started)
    return per_row, float(np.median(calls[20:])) / 1e9


def calibrate_families() -> None:
    X, y = _synthetic(N_ROWS, N_FEATURES)
    context = BuildContext(task=Task.BINARY, n_rows=N_ROWS, n_features=N_FEATURES, n_jobs=1)
    available = {spec.name for spec in available_specs(Task.BINARY)}
    for family, sizes in SIZES.items():
        if family not in available:
            continue
        points = []
        for params in sizes:
            learner = get_spec(family).build(params, context).fit(X, y)
            batch, row = _time_learner(learner, X)
            units = _FAMILIES[family].units(learner)
            estimate = learner_cost(family, learner)
            points.append((units, batch, row))
            print(f"{family:15s} units={units[0]:>12.0f}/{units[1]:>10.0f}  batch {batch:.2e} "
                  f"(est {estimate.batch_seconds_per_row:.2e}) s/row   row {row:.2e} "
                  f"(est {estimate.row_seconds:.2e}) s")
        (u1, b1, r1), (u2, b2, r2) = points
        batch_slope = (b2 - b1) / (u2[0] - u1[0]) if u2[0] != u1[0] else 0.0
        row_slope = (r2 - r1) / (u2[1] - u1[1]) if u2[1] != u1[1] else 0.0
        print(f"  -> batch base {b1 - batch_slope * u1[0]:.2e} slope {batch_slope:.2e}; "
              f"row base {r1 - row_slope * u1[1]:.2e} slope {row_slope:.2e}")


def calibrate_preprocessing() -> None:
    rng = np.random.default_rng(1)
    for n_columns in (10, 40):
        half = n_columns // 2
        frame = pd.DataFrame({f"n{i}": rng.normal(size=N_ROWS) for i in range(half)})
        for i in range(n_columns - half):
            frame[f"c{i}"] = rng.choice(["a", "b", "c", "d"], size=N_ROWS)
        y = (frame["n0"] + rng.normal(size=N_ROWS) > 0).astype(int)
        model = AutoMLClassifier(n_trials=1, include_models=["linear"], ensemble=False,
                                 stacking=False, cv=2).fit(frame, y)
        batch = frame.sample(10_000, replace=True, random_state=0)
        model.predict_proba(batch.iloc[:100])
        started = time.perf_counter()
        model.predict_proba(batch)
        per_row = (time.perf_counter() - started) / len(batch)
        records = [frame.iloc[i].to_dict() for i in range(220)]
        calls = []
        for record in records:
            started = time.perf_counter_ns()
            model.predict_proba_row(record)
            calls.append(time.perf_counter_ns() - started)
        print(f"preprocessing {n_columns:3d} columns: batch {per_row:.2e} s/row, row "
              f"{np.median(calls[20:]) / 1e9:.2e} s (linear learner included)")


def calibrate_text() -> None:
    rng = np.random.default_rng(2)
    words = ["".join(rng.choice(list("abcdefghijklmnoprstu"), size=rng.integers(2, 10)))
             for _ in range(3_000)]
    for n_words in (3, 45):  # about 20 and 300 cleaned characters
        texts = [" ".join(rng.choice(words, size=n_words)) for _ in range(N_ROWS)]
        frame = pd.DataFrame({"text": texts})
        batch = frame.sample(10_000, replace=True, random_state=0)
        for svd in (None, 32):
            step = TextFeatures(word_ngram_range=(1, 2), char_ngram_range=(2, 4),
                                svd_components=svd, random_state=0).fit(frame)
            step.transform(batch)
            started = time.process_time()
            step.transform(batch)
            per_row = (time.process_time() - started) / len(batch)
            head = compile_text_head(step)
            calls = []
            for text in texts[:220]:
                started_ns = time.process_time_ns()
                head([text])
                calls.append(time.process_time_ns() - started_ns)
            estimate = text_cost(step)
            print(f"text {step.mean_chars_[0]:5.0f} chars svd={svd}: batch {per_row:.2e} (est "
                  f"{estimate.batch_seconds_per_row:.2e}) s/row, row "
                  f"{np.median(calls[20:]) / 1e9:.2e} (est {estimate.row_seconds:.2e}) s CPU")


def calibrate_machine() -> None:
    seconds = min(row_workload_seconds() for _ in range(5))
    print(f"row workload {seconds:.3e} s (REFERENCE_SECONDS holds {REFERENCE_SECONDS:.3e}; a "
          "timed fit divides its limits by the ratio, see jogak.models.automl._machine)")


if __name__ == "__main__":
    calibrate_machine()
    calibrate_families()
    calibrate_preprocessing()
    calibrate_text()
