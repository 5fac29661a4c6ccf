"""How much slower than the calibration machine this one runs the single-row path's kind of work.

The serving-cost lines of :mod:`~jogak.models.automl._serving_cost` were measured on one
machine. On a machine twice as slow every estimate reads half the real latency, and an ensemble
kept to a 1 ms limit on paper serves a row in 2 ms. A timed search therefore measures, once per
fit, a small fixed workload shaped like a single-row prediction (a record read into a list, a
small array made from it, a few ufuncs and a dot product: Python and numpy per-call overhead,
which is what a row costs), and divides the serving limits by the ratio to the same workload's
time on the calibration machine. A search with ``n_trials`` must not depend on the clock and uses
1.0.

The workload takes about 5 ms, in 15 samples of 64 calls; their median is kept, as the 1 ms goal
is on the median row: a machine whose calls are often held up (a busy host under a virtual
machine) serves its median row slower and reads as slower, while one interrupted sample does not
move the reading.
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["REFERENCE_SECONDS", "SLOWDOWN_RANGE", "machine_slowdown", "row_workload_seconds"]

# ``row_workload_seconds`` on the machine the serving costs were calibrated
# on (benchmarks/automl_serving_cost_calibration.py prints it beside the constants).
REFERENCE_SECONDS = 3.0e-4
# A reading outside this range is taken as its nearest end: a machine far faster than the
# calibration one still pays Python's per-call overhead, and a far slower reading is load.
SLOWDOWN_RANGE = (0.5, 8.0)
_CALLS_PER_SAMPLE = 64
_N_COLUMNS = 24


def _one_call(record: dict[str, float], keys: list[str], weights: np.ndarray) -> float:
    values = [record[key] for key in keys]
    x = np.asarray(values, dtype=np.float64)
    x = np.where(np.isnan(x), 0.0, x)
    z = (x - weights) * weights
    return float(z @ weights)


def row_workload_seconds(n_samples: int = 15) -> float:
    """The median of ``n_samples`` timings of 64 row-shaped calls, in seconds."""
    keys = [f"c{i}" for i in range(_N_COLUMNS)]
    record = {key: float(i) if i % 5 else float("nan") for i, key in enumerate(keys)}
    weights = np.linspace(0.5, 1.5, _N_COLUMNS)
    for _ in range(_CALLS_PER_SAMPLE):  # warm caches and the CPU's clock
        _one_call(record, keys, weights)
    samples = []
    for _ in range(n_samples):
        started = time.perf_counter()
        for _ in range(_CALLS_PER_SAMPLE):
            _one_call(record, keys, weights)
        samples.append(time.perf_counter() - started)
    return float(np.median(samples))


def machine_slowdown(n_samples: int = 15) -> float:
    """How many times slower than the calibration machine this one is (clipped to
    :data:`SLOWDOWN_RANGE`); a ratio of :func:`row_workload_seconds` to
    :data:`REFERENCE_SECONDS`."""
    low, high = SLOWDOWN_RANGE
    return float(min(high, max(low, row_workload_seconds(n_samples) / REFERENCE_SECONDS)))
