"""Pseudonymizer and pseudonymize_file: no raw PII anywhere after, stable tokens, clean errors."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from jogak.data.privacy import (
    Action,
    ColumnRule,
    PiiKind,
    Pseudonymizer,
    PseudonymKey,
    pseudonymize,
    pseudonymize_file,
)
from jogak.errors import ConfigError, DataLoadError, SchemaError

DIRECT = ["customer_id", "name", "rrn", "phone", "email", "card"]
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _raw_values(people: pd.DataFrame) -> set[str]:
    values = {str(v) for column in [*DIRECT, "address", "birth_date"] for v in people[column]}
    return {v for v in values if len(v) >= 4}


def _assert_no_raw_value(text: str, people: pd.DataFrame) -> None:
    leaked = sorted(v for v in _raw_values(people) if v in text)
    assert not leaked, f"{len(leaked)} raw values leaked, e.g. {leaked[:1]}"


@pytest.fixture
def key(key_file: Path) -> PseudonymKey:
    return PseudonymKey.from_file(key_file)


def test_pseudonymize_applies_the_default_action_of_each_kind(people: pd.DataFrame,
                                                              key: PseudonymKey) -> None:
    result = pseudonymize(people, key, names=["name"], when=WHEN, purpose="churn model")
    out = result.frame
    assert out["customer_id"].str.fullmatch(r"[0-9a-f]{32}").all()
    assert out["age"].str.fullmatch(r"\d+-\d+").all()
    assert set(out["address"]) <= {"서울특별시", "부산광역시", "경기도", "대전광역시"}
    assert out["birth_date"].between(1960, 1999).all()
    pd.testing.assert_series_equal(out["gender"], people["gender"])  # a quasi-identifier, kept
    pd.testing.assert_series_equal(out["amount"], people["amount"])
    # joins survive: one person, one token; different people, different tokens
    pairs = pd.DataFrame({"raw": people["customer_id"], "token": out["customer_id"]})
    assert (pairs.groupby("raw")["token"].nunique() == 1).all()
    assert pairs.drop_duplicates()["token"].is_unique
    _assert_no_raw_value(out.to_csv(index=False), people)

    record = result.record
    assert record.created_at == "2026-01-02T03:04:05+00:00"
    assert record.key_id == key.key_id
    assert record.n_rows == 300
    assert record.purpose == "churn model"
    steps = {step.column: step for step in record.steps}
    assert steps["phone"].action == "tokenize"
    assert steps["phone"].key_id == key.key_id
    assert steps["age"].parameters == {"generalization": "age_band", "band_width": 10,
                                       "top_age": None}
    assert steps["address"].key_id is None
    assert steps["address"].pii_class == "quasi_identifier"
    assert steps["email"].n_values == 300
    assert record.untouched_columns == ("amount", "event")
    _assert_no_raw_value(record.to_json(), people)
    assert key.secret.decode() not in record.to_json()


def test_tokens_are_stable_across_runs_and_differ_with_another_key(people: pd.DataFrame,
                                                                   key: PseudonymKey) -> None:
    first = pseudonymize(people, key, names=["name"]).frame
    second = pseudonymize(people.copy(), PseudonymKey(bytes(key.secret)), names=["name"]).frame
    other = pseudonymize(people, PseudonymKey(b"another key of at least 32 bytes!!"),
                         names=["name"]).frame
    pd.testing.assert_frame_equal(first, second)
    for column in DIRECT:
        assert not set(first[column]) & set(other[column])


def test_batches_give_the_same_result_as_the_whole(people: pd.DataFrame,
                                                   key: PseudonymKey) -> None:
    pseudonymizer = Pseudonymizer(key, names=["name"])
    plan = pseudonymizer.plan(people)
    whole = pseudonymizer.apply(people, plan)[0]
    parts = pd.concat([pseudonymizer.apply(people.iloc[i:i + 70], plan)[0]
                       for i in range(0, len(people), 70)])
    pd.testing.assert_frame_equal(whole, parts)


def test_explicit_rules_mask_suppress_and_keep(people: pd.DataFrame) -> None:
    rules = [ColumnRule(column="phone", action="mask", kind="phone"),
             ColumnRule(column="rrn", action=Action.SUPPRESS),
             ColumnRule(column="age", action="generalize", kind=PiiKind.AGE, band_width=20,
                        top_age=60),
             ColumnRule(column="address", action="generalize", kind="address", region_level=2)]
    out = Pseudonymizer(rules=rules).transform(people)
    assert out["phone"].str.fullmatch(r"010-\*\*\*\*-\d{4}").all()
    assert out["rrn"].isna().all()
    assert set(out["age"]) <= {"20-39", "40-59", "60+"}
    assert out["address"].str.split().str.len().eq(2).all()
    pd.testing.assert_series_equal(out["email"], people["email"])  # not in the rules


def test_columns_option_limits_and_widens_the_plan(people: pd.DataFrame,
                                                   key: PseudonymKey) -> None:
    plan = Pseudonymizer(key, columns=["email", "gender", "event"]).plan(people)
    assert [(r.column, r.action) for r in plan] == [
        ("email", Action.TOKENIZE), ("gender", Action.TOKENIZE), ("event", Action.TOKENIZE)]


def test_bad_rules_and_missing_keys_are_clear_errors(people: pd.DataFrame,
                                                     key: PseudonymKey) -> None:
    with pytest.raises(ConfigError, match="needs a key"):
        Pseudonymizer(rules=[ColumnRule(column="email", action="tokenize")])
    with pytest.raises(ConfigError, match="needs a key"):
        Pseudonymizer().transform(people)
    with pytest.raises(ConfigError, match="Unknown action 'hash'"):
        ColumnRule(column="email", action="hash")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="generalize needs a generalization"):
        ColumnRule(column="email", action="generalize", kind="email")
    with pytest.raises(ConfigError, match="one rule; repeated: \\['email'\\]"):
        Pseudonymizer(key, [ColumnRule(column="email", action="mask")] * 2)
    with pytest.raises(SchemaError, match=r"Columns \['mail'\] named in the pseudonymisation"):
        Pseudonymizer(key, [ColumnRule(column="mail", action="tokenize")]).transform(people)
    with pytest.raises(ConfigError, match="key must be a PseudonymKey"):
        Pseudonymizer(b"raw bytes" * 8)  # type: ignore[arg-type]


@pytest.mark.parametrize("suffixes", [(".csv", ".csv"), (".csv.gz", ".parquet"),
                                      (".parquet", ".csv.gz"), (".csv", ".jsonl")],
                         ids=["csv_to_csv", "gz_to_parquet", "parquet_to_gz", "csv_to_jsonl"])
def test_pseudonymize_file_leaks_no_raw_value(tmp_path: Path, people: pd.DataFrame,
                                              key: PseudonymKey,
                                              suffixes: tuple[str, str]) -> None:
    source, destination = tmp_path / f"in{suffixes[0]}", tmp_path / "out" / f"out{suffixes[1]}"
    if suffixes[0] == ".parquet":
        people.to_parquet(source)
    else:
        people.to_csv(source, index=False)
    seen: list[int] = []
    record = pseudonymize_file(source, destination, key, names=["name"], batch_size=64,
                               when=WHEN, progress=seen.append)
    assert seen == [64, 128, 192, 256, 300]
    raw = destination.read_bytes()
    text = (gzip.decompress(raw) if destination.name.endswith(".gz") else raw).decode(
        "utf-8", errors="replace")
    if destination.suffix != ".parquet":
        _assert_no_raw_value(text, people)
    out = pd.read_parquet(destination) if destination.suffix == ".parquet" else \
        pd.read_json(destination, lines=True, dtype=False) if destination.suffix == ".jsonl" \
        else pd.read_csv(destination, dtype=str)
    _assert_no_raw_value(out.astype(str).to_csv(index=False), people)
    _assert_no_raw_value(record.to_json(), people)
    expected = pseudonymize(people, key, names=["name"]).frame
    assert out["customer_id"].tolist() == expected["customer_id"].tolist()
    assert out["email"].tolist() == expected["email"].tolist()
    assert record.n_rows == 300
    assert {s.column: s.n_values for s in record.steps}["rrn"] == 300
    assert sorted(p.name for p in destination.parent.iterdir()) == [destination.name]


def test_pseudonymize_file_keeps_untouched_csv_columns_byte_for_byte(tmp_path: Path,
                                                                     key: PseudonymKey) -> None:
    source = tmp_path / "in.csv"
    source.write_text("email,code,amount\na@b.kr,007,1.50\nc@d.kr,,NA\n", encoding="utf-8")
    pseudonymize_file(source, tmp_path / "out.csv", key)
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["email", "code", "amount"]
    assert [row[1:] for row in rows[1:]] == [["007", "1.50"], ["", "NA"]]


def test_pseudonymize_file_leaves_nothing_behind_on_error(tmp_path: Path, people: pd.DataFrame,
                                                          key: PseudonymKey) -> None:
    source = tmp_path / "in.csv"
    people.to_csv(source, index=False)
    destination = tmp_path / "out.csv"
    with pytest.raises(SchemaError, match=r"Columns \['mobile'\]"):
        pseudonymize_file(source, destination, key,
                          rules=[ColumnRule(column="mobile", action="tokenize")])
    bad = people.astype(object)
    bad.loc[250, "age"] = "unknown"  # fails in the 4th batch, after three were written
    bad.to_csv(source, index=False)
    with pytest.raises(SchemaError, match="1 values are not numbers"):
        pseudonymize_file(source, destination, key, batch_size=64)
    with pytest.raises(ConfigError, match="needs a key"):
        pseudonymize_file(source, destination, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "keys"]


def test_pseudonymize_file_rejects_bad_destinations_and_sources(tmp_path: Path,
                                                                people: pd.DataFrame,
                                                                key: PseudonymKey) -> None:
    source = tmp_path / "in.csv"
    people.to_csv(source, index=False)
    with pytest.raises(ConfigError, match="expected a name ending in"):
        pseudonymize_file(source, tmp_path / "out.xlsx", key)
    with pytest.raises(ConfigError, match="The destination is the source file"):
        pseudonymize_file(source, source, key)
    with pytest.raises(DataLoadError, match="File not found"):
        pseudonymize_file(tmp_path / "absent.csv", tmp_path / "out.csv", key)
    (tmp_path / "header.csv").write_text("email,amount\n")
    with pytest.raises(DataLoadError, match="has no rows"):
        pseudonymize_file(tmp_path / "header.csv", tmp_path / "out.csv", key)
    assert not (tmp_path / "out.csv").exists()


def test_apply_arrow_equals_apply(people: pd.DataFrame, key: PseudonymKey) -> None:
    pseudonymizer = Pseudonymizer(key, names=["name"])
    plan = pseudonymizer.plan(people)
    table = pa.Table.from_pandas(people.astype(str), preserve_index=False)
    arrow, counts = pseudonymizer.apply_arrow(table, plan)
    frame, frame_counts = pseudonymizer.apply(people.astype(str), plan)
    assert counts == frame_counts
    for column in DIRECT:
        assert arrow.column(column).to_pylist() == frame[column].tolist()


def test_record_is_written_atomically(tmp_path: Path, people: pd.DataFrame,
                                      key: PseudonymKey) -> None:
    record = pseudonymize(people, key, names=["name"], when=WHEN).record
    path = record.write(tmp_path / "records" / "run.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["key_id"] == key.key_id
    assert data["format_version"] == 1
    assert [p.name for p in path.parent.iterdir()] == ["run.json"]
