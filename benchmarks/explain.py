"""SHAP for 10k rows of a LightGBM bundle: jogak.explain vs shap.TreeExplainer on the booster.

jogak's time includes everything a user pays for: schema validation, coercion, preprocessing,
Tree SHAP, summing encoded parts to source columns and the additivity check against the
model's own probabilities. The direct time is ``shap.TreeExplainer(booster)`` plus
``shap_values`` on the already encoded matrix (what a user who did the preprocessing
themselves would run). Each is timed ``--repeats`` times; the median is reported.

    .venv/bin/python benchmarks/explain.py --rows 10000 --out benchmarks/results/explain.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from jogak.data import coerce_frame
from jogak.explain import explain
from jogak.explain._model import require_shap
from jogak.models import AutoMLClassifier, load_model
from jogak.pipeline import source_column_map

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
DATASETS = {
    "taiwan_credit_default": ("taiwan_credit_default/default_of_credit_card_clients.csv.gz",
                              "Y", ["ID"]),
    "telco_customer_churn": ("telco_customer_churn/telco_customer_churn.csv.gz", "Churn",
                             ["customerID"]),
}


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows explained")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--data-dir", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=None, help="JSON file for the results")
    return parser.parse_args()


def _median_seconds(function: object, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def run(name: str, data_dir: Path, n_rows: int, repeats: int) -> dict[str, object]:
    """Fit a LightGBM bundle on ``name`` and time both ways of explaining ``n_rows`` rows."""
    shap = require_shap()
    path, target, dropped = DATASETS[name]
    frame = pd.read_csv(data_dir / path).drop(columns=dropped)
    X, y = frame.drop(columns=[target]), frame[target]
    model = AutoMLClassifier(n_trials=1, cv=3, include_models=["lightgbm"], ensemble=False,
                             stacking=False, random_state=0).fit(X, y)
    with tempfile.TemporaryDirectory() as folder:
        bundle = load_model(model.save(Path(folder) / "model"))
    rows = X.sample(n_rows, replace=len(X) < n_rows, random_state=1).reset_index(drop=True)
    learner = bundle.ensemble_.members[0].learners[0]
    preprocessor = bundle.ensemble_.preprocessors[bundle.ensemble_.members[0].style][0]
    encoded = preprocessor.transform(coerce_frame(bundle.schema_.validate(rows).frame,
                                                  bundle.roles_))
    best = int(getattr(learner.estimator_, "best_iteration_", 0) or 0) or None

    def direct() -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            explainer = shap.TreeExplainer(learner.estimator_)
            return np.asarray(explainer.shap_values(encoded, tree_limit=best))

    jogak_seconds, explanation = _median_seconds(lambda: explain(bundle, rows), repeats)
    direct_seconds, values = _median_seconds(direct, repeats)
    assert explanation is not None
    assert values is not None
    # the native layout puts category codes first: compare column by column, by name
    names = [str(n) for n in preprocessor.get_feature_names_out()]
    sources = source_column_map(preprocessor)
    by_source = pd.DataFrame(values, columns=names).T.groupby(
        [sources[n] for n in names]).sum().T  # type: ignore[call-overload]
    ours = explanation.values  # type: ignore[union-attr]
    gap = float(np.abs(ours.to_numpy() - by_source[ours.columns].to_numpy()).max())
    return {"dataset": name, "rows": n_rows, "columns": X.shape[1],
            "trees": int(learner.estimator_.booster_.num_trees()), "best_iteration": best,
            "jogak_seconds": jogak_seconds, "shap_direct_seconds": direct_seconds,
            "overhead": jogak_seconds / direct_seconds - 1.0, "max_abs_difference": gap,
            "space": explanation.space}  # type: ignore[union-attr]


def main() -> None:
    args = _parse()
    results = [run(name, args.data_dir, args.rows, args.repeats) for name in args.datasets]
    header = f"{'dataset':<24}{'rows':>7}{'trees':>7}{'jogak s':>10}{'shap s':>10}" \
             f"{'overhead':>10}{'max |diff|':>12}"
    print(header)
    for r in results:
        print(f"{r['dataset']:<24}{r['rows']:>7}{r['trees']:>7}{r['jogak_seconds']:>10.3f}"
              f"{r['shap_direct_seconds']:>10.3f}{r['overhead']:>10.1%}"
              f"{r['max_abs_difference']:>12.2e}")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
