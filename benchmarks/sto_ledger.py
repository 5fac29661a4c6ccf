"""Subscriptions per second of the STO ledger on SQLite and PostgreSQL, 1 and 8 threads.

For each database and thread count: N subscription orders (each its own transaction: row lock,
idempotency check, per-investor limit, order, holdings under ``fcfs``, hash-chained audit
line) against a ``fcfs`` offering and a ``pro_rata`` offering, then the allocation of the
``pro_rata`` one. Beside it, the floor: the same number of bare one-row INSERT transactions on
the same database with the same durability settings (what any ledger pays to commit). After
each run the ledger's invariants are checked (nothing oversold, audit chain intact).

    .venv/bin/python benchmarks/sto_ledger.py                      # 1000 orders per run
    .venv/bin/python benchmarks/sto_ledger.py --orders 4000 --out benchmarks/results/sto.json
    JOGAK_TEST_POSTGRES=postgresql://user@host/db .venv/bin/python benchmarks/sto_ledger.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, text
from sqlalchemy.engine import make_url

from jogak.data.privacy import PseudonymKey
from jogak.solutions.sto import Ledger, LedgerError, OfferingTerms

T0 = datetime(2024, 5, 1, tzinfo=UTC)
KEY = PseudonymKey(b"benchmark-key-0123456789abcdef-012345")


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="jogak-sto-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'sto.sqlite'}"


@contextmanager
def postgres_url(base: str) -> Iterator[str]:
    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"jogak_sto_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield make_url(base).update_query_dict(
            {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def run_threads(n_threads: int, n_items: int, work: Callable[[int], Any]) -> float:
    """Seconds to run ``work(i)`` for every i, spread over ``n_threads`` started together."""
    barrier = threading.Barrier(n_threads + 1)

    def worker(first: int) -> None:
        barrier.wait()
        for index in range(first, n_items, n_threads):
            work(index)

    with ThreadPoolExecutor(n_threads) as pool:
        futures = [pool.submit(worker, t) for t in range(n_threads)]
        barrier.wait()
        start = time.perf_counter()
        for future in futures:
            future.result()
        return time.perf_counter() - start


def bench_ledger(url: str, n_orders: int, n_threads: int, prefix: str) -> dict[str, Any]:
    ledger = Ledger(url, investor_key=KEY, table_prefix=prefix)
    closes = T0 + timedelta(days=7)
    total = n_orders * 3  # orders ask for 1-5 units: the fcfs offering sells out near the end
    result: dict[str, Any] = {}
    try:
        for rule in ("fcfs", "pro_rata"):
            ledger.create_offering(OfferingTerms(
                offering_id=rule.replace("_", "-"), content_id="bench", total_units=total,
                unit_price=1000, opens_at=T0, closes_at=closes, rule=rule), at=T0)
            refused: list[int] = []

            def subscribe(i: int, offering: str = rule.replace("_", "-"),
                          refused: list[int] = refused) -> None:
                try:
                    ledger.subscribe(offering, f"investor-{i % 500}", 1 + i % 5,
                                     idempotency_key=f"{offering}-{i}",
                                     at=T0 + timedelta(hours=1))
                except LedgerError:
                    refused.append(i)  # list.append is atomic across threads

            seconds = run_threads(n_threads, n_orders, subscribe)
            result[rule] = {"orders_per_s": n_orders / seconds, "seconds": seconds,
                            "refused": len(refused)}
        start = time.perf_counter()
        allocation = ledger.allocate("pro-rata", at=closes)
        result["allocate_seconds"] = time.perf_counter() - start
        result["allocated_orders"] = len(allocation.orders)
        problems = ledger.invariant_violations()
        result["invariants_ok"] = not problems
        result["audit_ok"] = ledger.verify_audit().ok
        fcfs = ledger.offering("fcfs")
        result["fcfs_issued_of_total"] = [fcfs.units_issued, fcfs.total_units]
    finally:
        ledger.close()
    return result


def bench_floor(url: str, n_orders: int, n_threads: int, prefix: str) -> float:
    """Bare one-row INSERT transactions per second (same engine settings as the ledger)."""
    from jogak.solutions.sto._tables import LedgerTables, open_engine, write_transaction

    engine = open_engine(url, LedgerTables.with_prefix(prefix))
    table = Table(f"{prefix}floor", MetaData(), Column("id", Integer, primary_key=True),
                  Column("key", String(64), nullable=False))
    table.metadata.create_all(engine)

    def insert(i: int) -> None:
        with write_transaction(engine) as conn:
            conn.execute(table.insert().values(key=f"k{i}"))

    try:
        return n_orders / run_threads(n_threads, n_orders, insert)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000, help="orders per run")
    parser.add_argument("--threads", default="1,8", help="thread counts, comma-separated")
    parser.add_argument("--postgres", default=os.environ.get(
        "JOGAK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"),
        help="PostgreSQL URL ('' to skip)")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    backends: list[tuple[str, Any]] = [("sqlite", sqlite_url)]
    if args.postgres:
        backends.append(("postgresql", lambda: postgres_url(args.postgres)))
    rows = []
    for name, make in backends:
        for n_threads in threads:
            try:
                with make() as url:
                    run = bench_ledger(url, args.orders, n_threads, "bench_")
                    run["floor_inserts_per_s"] = bench_floor(url, args.orders, n_threads,
                                                             "floor_")
            except Exception as exc:  # noqa: BLE001 - a missing server skips its rows
                print(f"{name} ({n_threads} threads): skipped ({type(exc).__name__}: {exc})")
                continue
            rows.append({"database": name, "threads": n_threads, **run})
    header = (f"{'database':<11} {'threads':>7} {'fcfs/s':>8} {'pro_rata/s':>10} "
              f"{'floor/s':>8} {'allocate s':>10} {'fcfs issued':>14} {'invariants':>10}")
    print(header)
    print("-" * len(header))
    for r in rows:
        issued = f"{r['fcfs_issued_of_total'][0]}/{r['fcfs_issued_of_total'][1]}"
        print(f"{r['database']:<11} {r['threads']:>7} {r['fcfs']['orders_per_s']:>8.0f} "
              f"{r['pro_rata']['orders_per_s']:>10.0f} {r['floor_inserts_per_s']:>8.0f} "
              f"{r['allocate_seconds']:>10.2f} {issued:>14} "
              f"{'ok' if r['invariants_ok'] and r['audit_ok'] else 'BROKEN':>10}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"orders": args.orders, "cpus": os.cpu_count(),
                                        "python": platform.python_version(), "runs": rows},
                                       indent=2))


if __name__ == "__main__":
    main()
