"""Streaming validation gives the in-memory report, batch size aside; prepare_file pseudonymises
and validates in one pass without leaking raw ids or leaving partial files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.data import load
from jogak.data.privacy import PseudonymKey
from jogak.errors import ConfigError
from jogak.solutions.commerce import (
    StreamValidator,
    prepare_file,
    validate_file,
    validate_table,
)
from jogak.testing._commerce import make_behaviour_events


def _faulty_events(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = make_behaviour_events(300, seed=seed, with_emails=False).astype(object)
    rows = rng.choice(np.arange(1, 300), size=40, replace=False)
    frame.loc[rows[0:4], "amount"] = ["abc", -1, 2e10, "inf"]
    frame.loc[rows[4:8], "timestamp"] = ["2024-02-30 01:00:00", "x", "1960-01-01", None]
    frame.loc[rows[8:12], "event_id"] = frame.loc[rows[8:12] - 1, "event_id"].to_numpy()
    frame.loc[rows[12:14], "event_id"] = frame.loc[0, "event_id"]  # duplicates far apart
    frame.loc[rows[14:18], "event_type"] = ["buy", "", "PURCHASE", None]
    frame.loc[rows[18:22], "quantity"] = [0, 1.5, "two", 100_001]
    frame.loc[rows[22:26], "buyer_id"] = ["", " ", "NA", "a b"]
    frame.loc[rows[26:30], "product_id"] = None
    frame.loc[rows[30:34], "currency"] = ["krw", "KR", "", "KRWX"]
    frame.loc[rows[34:40], "device"] = ["tv", "desktop", None, "", "phone", "other"]
    return frame


def _rows(report: object) -> dict[str, list[int]]:
    return {r.rule.id: r.failed_rows.tolist()  # type: ignore[attr-defined]
            for r in report.failures}  # type: ignore[attr-defined]


@pytest.mark.parametrize("batch_size", [pytest.param(1, marks=pytest.mark.slow), 29, 1000],
                         ids=lambda n: f"batch{n}")
def test_stream_validator_equals_validate_table(batch_size: int, global_random_seed: int
                                                ) -> None:
    frame = _faulty_events(global_random_seed)
    if batch_size == 1:
        frame = frame.iloc[:25]  # row-by-row: keep it short
    expected = validate_table(frame, "behaviour")
    assert not expected.passed
    validator = StreamValidator("behaviour")
    for start in range(0, len(frame), batch_size):
        validator.update(frame.iloc[start:start + batch_size])
    streamed = validator.report()
    assert _rows(streamed) == _rows(expected)
    assert streamed.n_rows == expected.n_rows
    for a, b in zip(streamed.results, expected.results, strict=True):
        assert (a.rule.id, a.status, a.n_failed) == (b.rule.id, b.status, b.n_failed)
        assert a.samples["row"].tolist() == b.samples["row"].tolist() if len(b.samples) else \
            a.samples.empty


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".parquet"])
def test_validate_file_equals_the_in_memory_report(tmp_path: Path, suffix: str) -> None:
    frame = _faulty_events(1)
    path = tmp_path / f"events{suffix}"
    if suffix == ".parquet":
        frame.astype(str).replace({"None": None, "nan": None}).to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    expected = validate_table(load(path), "behaviour")
    assert _rows(validate_file(path, "behaviour", batch_size=50)) == _rows(expected)


def test_stream_validator_refuses_batches_with_other_columns() -> None:
    validator = StreamValidator("product")
    validator.update(pd.DataFrame({"product_id": ["a"], "price": [1.0]}))
    with pytest.raises(Exception, match="every batch needs the same"):
        validator.update(pd.DataFrame({"product_id": ["b"]}))


def test_validate_file_checks_options(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    pd.DataFrame({"product_id": ["a"], "price": [1]}).to_csv(path, index=False)
    with pytest.raises(ConfigError, match="batch_size must be a positive integer"):
        validate_file(path, "product", batch_size=0)
    with pytest.raises(ConfigError, match="joins whole tables"):
        validate_file(path, "behaviour", mapping="olist")


@pytest.fixture
def raw_events(tmp_path: Path) -> Path:
    frame = make_behaviour_events(500, seed=5, with_emails=True)
    frame.loc[10, "amount"] = -3
    path = tmp_path / "raw.csv"
    frame.to_csv(path, index=False)
    return path


def test_prepare_file_tokenises_buyers_validates_and_leaks_nothing(raw_events: Path,
                                                                  tmp_path: Path) -> None:
    key = PseudonymKey(b"a" * 32)
    out = tmp_path / "prepared.parquet"
    prepared = prepare_file(raw_events, out, table="behaviour", key=key, batch_size=128)
    assert _rows(prepared.report) == {"behaviour.amount.range": [10]}  # emails became tokens
    emails = pd.read_csv(raw_events)["buyer_id"].unique()
    blobs = [out.read_bytes(), json.dumps(prepared.record.to_dict()).encode(),
             json.dumps(prepared.report.to_dict()).encode()]
    for email in emails:
        assert not any(email.encode() in blob for blob in blobs)
    tokens = pd.read_parquet(out)["buyer_id"]
    assert tokens.str.fullmatch(r"[0-9a-f]{32}").all()
    assert tokens.nunique() == len(emails)
    step = prepared.record.to_dict()["steps"][0]
    assert (step["column"], step["action"], step["key_id"]) == ("buyer_id", "tokenize",
                                                                key.key_id)
    again = prepare_file(raw_events, tmp_path / "again.parquet", table="behaviour", key=key)
    assert pd.read_parquet(tmp_path / "again.parquet")["buyer_id"].equals(tokens)
    other = prepare_file(raw_events, tmp_path / "other.parquet", table="behaviour",
                         key=PseudonymKey(b"b" * 32))
    assert set(pd.read_parquet(other.destination)["buyer_id"]).isdisjoint(tokens)
    assert again.report.passed is False


def test_prepare_file_leaves_nothing_behind_on_error(raw_events: Path, tmp_path: Path) -> None:
    key = PseudonymKey(b"a" * 32)
    with pytest.raises(ConfigError, match="expected a .parquet or .csv"):
        prepare_file(raw_events, tmp_path / "out.xlsx", table="behaviour", key=key)

    def stop(n_rows: int) -> None:
        raise KeyboardInterrupt

    out = tmp_path / "out.parquet"
    with pytest.raises(KeyboardInterrupt):
        prepare_file(raw_events, out, table="behaviour", key=key, batch_size=100,
                     progress=stop)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw.csv"]
