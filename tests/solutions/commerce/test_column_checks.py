"""Batches checked on threads in any order, then added in order, give the in-memory report;
text columns give the same verdicts row by row as on their distinct values."""

from __future__ import annotations

import hashlib
import hmac
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from jogak.data import load
from jogak.data.privacy import PseudonymKey
from jogak.solutions.commerce import StreamValidator, prepare_file, validate_table
from jogak.solutions.commerce._column_checks import column_verdicts
from jogak.solutions.commerce._schemas import table_rules
from jogak.solutions.commerce._standard import get_table
from jogak.testing._commerce import make_behaviour_events

# blank once trimmed (Unicode whitespace too) or not: short, padded, and long values
_TEXTS = ["", " ", "NA", " NA ", "\u3000NA\u3000", "\xa0null", "null\u2003", "None", "NULL",
          "<NA>", "N/A", "nan", "NaN", "NaT", "\t null \t", " " * 30, "NAME", "nullx", "a",
          "ab c", "e1", "x" * 129, "Kim", "김민수", " e2", "e3 ", "e-4.5:6_7", "-e8", "é9",
          "user@example.com", "n/a", "none"]


def _failing(report: object) -> dict[str, list[int]]:
    return {r.rule.id: r.failed_rows.tolist()  # type: ignore[attr-defined]
            for r in report.failures}  # type: ignore[attr-defined]


@pytest.mark.parametrize("encode", [True, False], ids=["distinct", "rows"])
@pytest.mark.parametrize("large", [False, True], ids=["string", "large_string"])
def test_text_verdicts_row_by_row_equal_validate_table(encode: bool, large: bool) -> None:
    frame = make_behaviour_events(len(_TEXTS), seed=0, with_emails=False).astype(str)
    frame["event_id"] = _TEXTS
    expected = {rule: rows for rule, rows in _failing(validate_table(frame, "behaviour")).items()
                if rule.startswith("behaviour.event_id.") and not rule.endswith(".unique")}
    assert {"behaviour.event_id.required", "behaviour.event_id.pattern"} <= set(expected)
    spec = get_table("behaviour")
    rules = [rule for rule in table_rules(spec) if rule.item == "event_id"]
    column = pa.array(["pad"] + _TEXTS, type=pa.large_string() if large else pa.string())
    verdicts = column_verdicts(column.slice(1), spec.item("event_id"), rules, encode=encode)
    got = {rule: rows.tolist() for rule, rows in verdicts.failed.items() if len(rows)}
    assert got == expected


def test_batches_assessed_out_of_order_on_threads_then_added_give_the_report(
        global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    frame = make_behaviour_events(400, seed=global_random_seed, with_emails=False).astype(object)
    later = rng.choice(np.arange(1, 400), size=30, replace=False)
    frame.loc[later, "event_id"] = frame.loc[rng.integers(0, 400, 30), "event_id"].to_numpy()
    frame.loc[later[:10], "amount"] = -1
    frame = frame.astype(str)
    expected = validate_table(frame, "behaviour")
    assert "behaviour.event_id.unique" in _failing(expected)
    validator = StreamValidator("behaviour")
    batches = [frame.iloc[start:start + 37] for start in range(0, len(frame), 37)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assessed = dict(zip(range(len(batches) - 1, -1, -1),
                            pool.map(validator.assess, batches[::-1]), strict=True))
    for number in range(len(batches)):
        validator.add(assessed[number])
    assert _failing(validator.report()) == _failing(expected)


def test_prepare_file_reports_what_validate_table_finds_in_its_output(tmp_path: Path) -> None:
    frame = make_behaviour_events(600, seed=3, with_emails=True).astype(object)
    frame.loc[[5, 300, 599], "amount"] = ["-1", "abc", "1e11"]
    frame.loc[[7, 350], "event_id"] = frame.loc[[2, 100], "event_id"].to_numpy()
    frame.loc[[9, 400], "buyer_id"] = ["", " NA "]
    frame.loc[[11], "timestamp"] = "2024-02-30 00:00:00"
    source = tmp_path / "raw.csv"
    frame.to_csv(source, index=False)
    out = tmp_path / "ready.parquet"
    key = PseudonymKey(b"k" * 32)
    # batches of 29 rows: many in flight at once
    prepared = prepare_file(source, out, table="behaviour", key=key, batch_size=29)
    written = load(out)
    assert len(written) == len(frame)
    expected = validate_table(written, "behaviour")
    assert _failing(prepared.report) == _failing(expected)
    assert set(_failing(expected)) == {"behaviour.amount.type", "behaviour.amount.range",
                                       "behaviour.event_id.unique", "behaviour.buyer_id.required",
                                       "behaviour.timestamp.type"}
    raw = frame["buyer_id"].astype(str).str.strip()
    expected_tokens = [None if text in ("", "NA") else
                       hmac.new(key.secret, text.encode(), hashlib.sha256).hexdigest()[:32]
                       for text in raw]
    got = [None if pd.isna(token) else token for token in written["buyer_id"]]
    assert got == expected_tokens  # every row kept its place
