"""Reference BG/NBD and Gamma-Gamma fits of the `lifetimes` library on CDNOW (run in its venv).

lifetimes is unmaintained and does not install with pandas 3 / numpy 2, so it lives in its own
venv (benchmarks/setup_lifetimes.sh) and is never imported by jogak. This script prints, as one
JSON object, the parameters and holdout predictions that tests/solutions/commerce/test_clv.py
stores as its reference values:

    benchmarks/setup_lifetimes.sh
    /work/peers/lifetimes/bin/python benchmarks/lifetimes_reference.py \
        --data ../shared/datasets/cdnow_purchases/cdnow_master.csv.gz

The set-up is the issue's: the whole 1997-Q1 cohort, calibration 1997-01-01..1997-09-30,
holdout to 1998-06-30, purchases aggregated per day (``freq="D"``), time in days.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import calibration_and_holdout_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="cdnow_master.csv.gz")
    parser.add_argument("--calibration-end", default="1997-09-30")
    parser.add_argument("--observation-end", default="1998-06-30")
    args = parser.parse_args()

    tx = pd.read_csv(args.data, dtype={"customer_id": str, "date": str})
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    summary = calibration_and_holdout_data(
        tx, "customer_id", "date", calibration_period_end=args.calibration_end,
        observation_period_end=args.observation_end, freq="D", monetary_value_col="dollar_value")
    start = time.perf_counter()
    bgf = BetaGeoFitter(penalizer_coef=0.0)
    bgf.fit(summary["frequency_cal"], summary["recency_cal"], summary["T_cal"])
    bg_seconds = time.perf_counter() - start
    # Gamma-Gamma needs a positive mean spend: 80 CDNOW rows are worth $0
    repeaters = summary[(summary["frequency_cal"] > 0) & (summary["monetary_value_cal"] > 0)]
    ggf = GammaGammaFitter(penalizer_coef=0.0)
    ggf.fit(repeaters["frequency_cal"], repeaters["monetary_value_cal"])
    duration = float(summary["duration_holdout"].iloc[0])
    predicted = bgf.conditional_expected_number_of_purchases_up_to_time(
        duration, summary["frequency_cal"], summary["recency_cal"], summary["T_cal"])
    actual = summary["frequency_holdout"]
    spend = ggf.conditional_expected_average_profit(summary["frequency_cal"],
                                                    summary["monetary_value_cal"])
    first = summary.index[:5]
    out = {
        "versions": {"lifetimes": "0.11.3", "pandas": pd.__version__, "numpy": np.__version__},
        "n_customers": int(len(summary)),
        "sum_frequency_cal": float(summary["frequency_cal"].sum()),
        "sum_T_cal": float(summary["T_cal"].sum()),
        "duration_holdout": duration,
        "bgnbd": {k: float(v) for k, v in bgf.params_.items()},
        "bgnbd_log_likelihood": float(-bgf._negative_log_likelihood_),
        "bgnbd_seconds": bg_seconds,
        "gamma_gamma": {k: float(v) for k, v in ggf.params_.items()},
        "gamma_gamma_n_customers": int(len(repeaters)),
        "holdout_predicted_total": float(predicted.sum()),
        "holdout_actual_total": float(actual.sum()),
        "holdout_mae": float(np.mean(np.abs(predicted - actual))),
        "holdout_rmse": float(np.sqrt(np.mean((predicted - actual) ** 2))),
        "first_customers": {c: {"predicted": float(predicted[c]), "actual": float(actual[c]),
                                "expected_spend": float(spend[c])} for c in first},
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
