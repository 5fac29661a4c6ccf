"""Peer runner for benchmarks/credit.py: optbinning scorecards, run with the optbinning venv.

    /work/peers/optbinning/bin/python benchmarks/credit_optbinning_peer.py WORKDIR

Reads ``WORKDIR/features.csv`` (features and ``target``), ``WORKDIR/spec.json`` (folds,
categorical columns, trends) and writes ``WORKDIR/optbinning.json``: per variant and fold the
test-row probabilities and the fit seconds. Uses only the peer's own libraries.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from optbinning import BinningProcess, Scorecard
from sklearn.linear_model import LogisticRegression


def _scorecard(columns: list[str], categorical: list[str], trend: str) -> Scorecard:
    numeric = {c: {"monotonic_trend": trend} for c in columns if c not in categorical}
    process = BinningProcess(columns, categorical_variables=categorical,
                             selection_criteria={"iv": {"min": 0.02}},
                             binning_fit_params=numeric)
    return Scorecard(binning_process=process, estimator=LogisticRegression(max_iter=2000),
                     scaling_method="pdo_odds",
                     scaling_method_params={"pdo": 20, "odds": 50, "scorecard_points": 600})


def main(workdir: Path) -> None:
    frame = pd.read_csv(workdir / "features.csv")
    spec = json.loads((workdir / "spec.json").read_text())
    y = frame.pop("target").to_numpy()
    columns = list(frame.columns)
    categorical = spec["categorical"]
    for name in categorical:
        frame[name] = frame[name].astype(str)
    results = []
    for trend in spec["trends"]:
        for k, (train, test) in enumerate(spec["folds"]):
            model = _scorecard(columns, categorical, trend)
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(frame.iloc[train], y[train])
            seconds = time.perf_counter() - started
            proba = model.predict_proba(frame.iloc[test])[:, 1]
            results.append({"variant": f"optbinning scorecard ({trend})", "fold": k,
                            "fit_seconds": seconds, "proba": np.asarray(proba).tolist(),
                            "n_features": int(len(model.binning_process_.get_support(
                                names=True)))})
            print(f"optbinning {trend} fold {k}: {seconds:.1f} s", file=sys.stderr, flush=True)
    (workdir / "optbinning.json").write_text(json.dumps(results))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
