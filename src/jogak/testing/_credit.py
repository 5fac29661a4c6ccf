"""Synthetic credit tables for the behaviour-score tests, from a given seed."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["make_credit_frame", "make_telecom_credit_frame"]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def make_credit_frame(n_rows: int = 1000, *, seed: int = 0,
                      uci_names: bool = False) -> pd.DataFrame:
    """Card accounts in the Taiwan layout (Kaggle names), with a ``default`` 0/1 target.

    A latent risk drives the repayment status (``PAY_0``..``PAY_6``: -2 no use, -1 paid in
    full, 0 revolving, 1..8 months late), the utilisation of the limit and the share of each
    statement paid; the default probability rises with it (about 22 % bads, as in Taiwan).
    ``uci_names=True`` gives the UCI header instead (``ID, X1..X23, Y``).
    """
    rng = np.random.default_rng(seed)
    risk = rng.normal(0.0, 1.0, n_rows)
    limit = np.round(rng.lognormal(11.7, 0.7, n_rows) / 10_000.0).clip(1, 100) * 10_000.0
    frame = pd.DataFrame({
        "ID": np.arange(1, n_rows + 1),
        "LIMIT_BAL": limit,
        "SEX": rng.integers(1, 3, n_rows),
        "EDUCATION": rng.choice([1, 2, 3, 4], n_rows, p=[0.35, 0.47, 0.16, 0.02]),
        "MARRIAGE": rng.integers(1, 4, n_rows),
        "AGE": rng.integers(21, 70, n_rows),
    })
    statuses = []
    for month in range(6):
        late = np.round(risk * 1.3 - 0.6 + rng.normal(0, 0.8, n_rows) - 0.1 * month)
        quiet = rng.choice([-2, -1, 0], n_rows, p=[0.15, 0.3, 0.55])
        statuses.append(np.where(late >= 1, np.minimum(late, 8), quiet).astype(np.int64))
    for name, status in zip(["PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6"], statuses,
                            strict=True):
        frame[name] = status
    usage = _sigmoid(0.8 * risk + rng.normal(0, 0.8, n_rows))
    bills = [np.round(limit * np.clip(usage + rng.normal(0, 0.05, n_rows), -0.02, 1.1))
             for _ in range(6)]
    paid_share = _sigmoid(-1.0 * risk + rng.normal(0, 1.0, n_rows))
    for k in range(6):
        frame[f"BILL_AMT{k + 1}"] = bills[k]
    for k in range(6):
        owed = np.clip(bills[k + 1] if k < 5 else bills[5], 0, None)
        frame[f"PAY_AMT{k + 1}"] = np.round(owed * paid_share * rng.uniform(0.5, 1.5, n_rows))
    logit = -1.5 + 1.1 * risk + 0.25 * (statuses[0] >= 1) - 0.2 * np.log(limit / 150_000.0)
    frame["default"] = (rng.random(n_rows) < _sigmoid(logit)).astype(np.int64)
    if uci_names:
        names = ["LIMIT_BAL", "SEX", "EDUCATION", "MARRIAGE", "AGE", "PAY_0", "PAY_2", "PAY_3",
                 "PAY_4", "PAY_5", "PAY_6", *[f"BILL_AMT{i}" for i in range(1, 7)],
                 *[f"PAY_AMT{i}" for i in range(1, 7)]]
        frame = frame.rename(columns={n: f"X{i + 1}" for i, n in enumerate(names)})
        frame = frame.rename(columns={"default": "Y"})
    return frame


def make_telecom_credit_frame(n_rows: int = 1000, *, seed: int = 0,
                              missing_share: float = 0.0) -> pd.DataFrame:
    """Telecom subscribers (S2): plan, tenure, arrears, bill, TV-viewing drop -> ``nonpayment``.

    Columns: ``customer_id`` (unique), ``plan`` (text levels), ``region``, ``tenure_months``,
    ``monthly_bill``, ``arrears_months``, ``viewing_change`` (viewing drops before
    non-payment), ``autopay`` (bool), ``signup_date`` (a date, not a scorecard feature) and
    ``nonpayment`` ("yes"/"no"). ``missing_share`` of ``tenure_months`` and ``viewing_change``
    are missing.
    """
    rng = np.random.default_rng(seed)
    risk = rng.normal(0.0, 1.0, n_rows)
    frame = pd.DataFrame({
        "customer_id": [f"c{seed}_{i:06d}" for i in range(n_rows)],
        "plan": rng.choice(["basic", "family", "premium", "sports"], n_rows,
                           p=[0.4, 0.3, 0.2, 0.1]),
        "region": rng.choice(["north", "south", "east", "west"], n_rows),
        "tenure_months": np.round(rng.gamma(2.0, 14.0, n_rows) * np.exp(-0.3 * risk)),
        "monthly_bill": np.round(rng.lognormal(3.8, 0.4, n_rows), 2),
        "arrears_months": np.clip(np.round(risk + rng.normal(0, 0.7, n_rows)), 0, 6),
        "viewing_change": np.round(-0.15 * risk + rng.normal(0, 0.15, n_rows), 3),
        "autopay": rng.random(n_rows) < _sigmoid(-0.8 * risk),
        "signup_date": pd.Timestamp("2018-01-01")
        + pd.to_timedelta(rng.integers(0, 2000, n_rows), unit="D"),
    })
    plan_effect = frame["plan"].map({"basic": 0.3, "family": 0.0, "premium": -0.4,
                                     "sports": 0.1}).to_numpy()
    logit = -1.6 + 1.2 * risk + plan_effect
    frame["nonpayment"] = np.where(rng.random(n_rows) < _sigmoid(logit), "yes", "no")
    for name in ("tenure_months", "viewing_change"):
        mask = rng.random(n_rows) < missing_share
        frame[name] = frame[name].mask(mask)
    return frame
