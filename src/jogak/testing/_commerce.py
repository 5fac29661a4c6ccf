"""Synthetic shop data: BG/NBD transaction logs and standard behaviour tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["make_behaviour_events", "make_transactions"]

_EVENT_MIX = {"view": 0.55, "cart": 0.15, "purchase": 0.2, "search": 0.05, "cancel": 0.02,
              "return": 0.02, "review": 0.01}
_PAYMENTS = ("card", "bank_transfer", "easy_pay", "virtual_account", "points")


def make_transactions(n_customers: int = 200, *, seed: int = 0, start: str = "2024-01-01",
                      days: int = 365, acquisition_days: int = 90, r: float = 0.25,
                      alpha: float = 30.0, a: float = 0.8, b: float = 2.5, p: float = 6.0,
                      q: float = 4.0, v: float = 15.0) -> pd.DataFrame:
    """A purchase log drawn from BG/NBD (purchases) and Gamma-Gamma (spend), time in days.

    Each customer's first purchase falls in the first ``acquisition_days``; while alive they
    buy at a Poisson rate ``lambda ~ Gamma(r, 1/alpha)`` and drop out after each repeat purchase
    with probability ``p_drop ~ Beta(a, b)``; each purchase is worth ``Gamma(p, 1/nu)`` with
    ``nu ~ Gamma(q, 1/v)``. Purchases on the same day are one order.

    Returns
    -------
    DataFrame
        ``customer_id`` (``c00001`` ...), ``order_id``, ``date`` (ISO), ``amount``; sorted by
        date.
    """
    rng = np.random.default_rng(seed)
    first_day = pd.Timestamp(start)
    rows: list[tuple[str, int, float]] = []
    rates = rng.gamma(r, 1.0 / alpha, size=n_customers)
    drop = rng.beta(a, b, size=n_customers)
    nus = rng.gamma(q, 1.0 / v, size=n_customers)
    for i in range(n_customers):
        day = float(rng.integers(0, acquisition_days))
        purchase_days = [int(day)]
        while True:
            day += rng.exponential(1.0 / rates[i])
            if day >= days:
                break
            if int(day) != purchase_days[-1]:
                purchase_days.append(int(day))
            if rng.random() < drop[i]:
                break
        for d in purchase_days:
            rows.append((f"c{i + 1:05d}", d, round(float(rng.gamma(p, 1.0 / nus[i])), 2)))
    frame = pd.DataFrame(rows, columns=["customer_id", "day", "amount"])
    frame = frame.sort_values(["day", "customer_id"], kind="stable").reset_index(drop=True)
    frame["order_id"] = [f"o{i + 1:07d}" for i in range(len(frame))]
    frame["date"] = (first_day + pd.to_timedelta(frame["day"], unit="D")).dt.strftime("%Y-%m-%d")
    return frame[["customer_id", "order_id", "date", "amount"]]


def make_behaviour_events(n_rows: int = 1000, *, seed: int = 0, n_buyers: int | None = None,
                          start: str = "2024-01-01", with_emails: bool = True,
                          first_id: int = 1) -> pd.DataFrame:
    """A behaviour table in the standard's columns, with raw personal buyer ids.

    ``buyer_id`` holds e-mail addresses (``with_emails``) or member numbers, i.e. what a shop
    exports *before* pseudonymisation; everything else is valid for the standard. Event and
    order ids count from ``first_id`` (to build big tables chunk by chunk).
    """
    rng = np.random.default_rng(seed)
    n_buyers = n_buyers or max(1, n_rows // 20)
    buyer = rng.integers(0, n_buyers, size=n_rows)
    if with_emails:
        buyer_ids = np.char.add(np.char.add("user", buyer.astype(str)), "@example.com")
    else:
        buyer_ids = np.char.add("M", np.char.zfill(buyer.astype(str), 8))
    events = rng.choice(list(_EVENT_MIX), size=n_rows, p=list(_EVENT_MIX.values()))
    seconds = np.sort(rng.integers(0, 365 * 86400, size=n_rows))
    stamps = (pd.Timestamp(start) + pd.to_timedelta(seconds, unit="s")).strftime(
        "%Y-%m-%d %H:%M:%S")
    quantity = rng.integers(1, 4, size=n_rows)
    price = np.round(rng.gamma(2.0, 15000.0, size=n_rows), -1)
    is_order = np.isin(events, ["purchase", "cancel", "return"])
    return pd.DataFrame({
        "event_id": np.char.add("e", np.arange(first_id, first_id + n_rows).astype(str)),
        "buyer_id": buyer_ids,
        "timestamp": stamps,
        "event_type": events,
        "product_id": np.char.add("p", rng.integers(1, 5000, size=n_rows).astype(str)),
        "order_id": pd.Series(np.char.add("o", np.arange(first_id, first_id + n_rows).astype(
            str))).where(is_order),
        "quantity": quantity,
        "amount": np.where(events == "search", np.nan, price * quantity),
        "currency": "KRW",
        "payment_method": pd.Series(rng.choice(_PAYMENTS, size=n_rows)).where(is_order),
        "channel": rng.choice(["web", "app", "mobile_web"], size=n_rows),
        "device": rng.choice(["desktop", "mobile", "tablet"], size=n_rows),
    })
