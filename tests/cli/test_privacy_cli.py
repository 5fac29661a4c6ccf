"""``jogak privacy``: scan, pseudonymize, keygen, anonymity; no raw value in any output."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import jogak.cli._privacy  # noqa: F401  (registers the commands)
from jogak.cli import app

runner = CliRunner()

_spec = importlib.util.spec_from_file_location(
    "privacy_people", Path(__file__).resolve().parents[1] / "data" / "privacy" / "conftest.py")
assert _spec is not None
assert _spec.loader is not None
_people_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_people_module)
make_people = _people_module.make_people

PII = ["customer_id", "name", "rrn", "phone", "email", "card", "address", "birth_date"]


@pytest.fixture
def people_csv(tmp_path: Path, global_random_seed: int) -> tuple[Path, pd.DataFrame]:
    people = make_people(200, global_random_seed)
    path = tmp_path / "people.csv"
    people.to_csv(path, index=False)
    return path, people


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret" / "k.key"
    path.parent.mkdir()
    path.write_text("f" * 64 + "\n")
    return path


def _raw_values(people: pd.DataFrame) -> list[str]:
    return sorted({str(v) for c in PII for v in people[c] if len(str(v)) >= 4})


def _assert_clean(text: str, people: pd.DataFrame) -> None:
    leaked = [v for v in _raw_values(people) if v in text]
    assert not leaked, f"{len(leaked)} raw values leaked"


def test_scan_json_lists_the_pii_columns_and_no_values(
        people_csv: tuple[Path, pd.DataFrame]) -> None:
    path, people = people_csv
    result = runner.invoke(app, ["privacy", "scan", str(path), "--name", "name", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["pii_columns"] == ["customer_id", "name", "rrn", "phone", "email", "card",
                                   "address", "birth_date", "age", "gender"]
    assert data["n_rows_scanned"] == 200
    _assert_clean(result.output, people)


def test_pseudonymize_leaves_no_raw_value_in_output_record_or_logs(
        tmp_path: Path, people_csv: tuple[Path, pd.DataFrame], key_file: Path) -> None:
    path, people = people_csv
    out = tmp_path / "out" / "people.parquet"
    result = runner.invoke(app, ["privacy", "pseudonymize", str(path), "--key-file",
                                 str(key_file), "--name", "name", "--out", str(out),
                                 "--purpose", "test"])
    assert result.exit_code == 0, result.output
    record_path = out.with_name("people.parquet.record.json")
    record = json.loads(record_path.read_text(encoding="utf-8"))
    assert record["purpose"] == "test"
    assert record["n_rows"] == 200
    assert {s["column"] for s in record["steps"]} == set(PII) | {"age", "gender"}
    frame = pd.read_parquet(out)
    _assert_clean(frame.astype(str).to_csv(index=False), people)
    _assert_clean(out.read_bytes().decode("utf-8", errors="replace"), people)
    _assert_clean(record_path.read_text(encoding="utf-8"), people)
    _assert_clean(result.output, people)
    assert "f" * 64 not in record_path.read_text(encoding="utf-8") + result.output


def test_tokens_are_stable_across_runs_and_differ_with_another_key(
        tmp_path: Path, people_csv: tuple[Path, pd.DataFrame], key_file: Path) -> None:
    path, _ = people_csv
    other_key = tmp_path / "other.key"
    other_key.write_text("0" * 64)
    outputs = []
    for name, key in (("a.csv", key_file), ("b.csv", key_file), ("c.csv", other_key)):
        result = runner.invoke(app, ["privacy", "pseudonymize", str(path), "--key-file",
                                     str(key), "--columns", "email,phone", "--out",
                                     str(tmp_path / name), "--json"])
        assert result.exit_code == 0, result.output
        outputs.append(pd.read_csv(tmp_path / name, dtype=str))
    first, again, other = outputs
    pd.testing.assert_frame_equal(first, again)
    assert not set(first["email"]) & set(other["email"])
    assert first["rrn"].tolist() == pd.read_csv(path, dtype=str)["rrn"].tolist()  # not chosen
    assert list(first.columns) == list(pd.read_csv(path, nrows=1).columns)
    data = json.loads(runner.invoke(app, [
        "privacy", "pseudonymize", str(path), "--key-file", str(key_file), "--columns",
        "email", "--columns", "phone", "--out", str(tmp_path / "d.csv"), "--json"]).stdout)
    assert [s["column"] for s in data["steps"]] == ["email", "phone"]


@pytest.mark.parametrize(("content", "message"), [
    (None, "Key file not found"),
    ("short\n", "too short: 5 bytes, expected at least 32"),
], ids=["missing", "too_short"])
def test_bad_key_file_is_a_clear_error_and_leaves_no_output(
        tmp_path: Path, people_csv: tuple[Path, pd.DataFrame], content: str | None,
        message: str) -> None:
    path, _ = people_csv
    key = tmp_path / "bad.key"
    if content is not None:
        key.write_text(content)
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["privacy", "pseudonymize", str(path), "--key-file", str(key),
                                 "--out", str(out)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.startswith("error: ")
    assert not out.exists()
    assert not out.with_name("out.csv.partial").exists()
    assert not out.with_name("out.csv.record.json").exists()


def test_unknown_column_is_a_clear_error_and_leaves_no_output(
        tmp_path: Path, people_csv: tuple[Path, pd.DataFrame], key_file: Path) -> None:
    path, _ = people_csv
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["privacy", "pseudonymize", str(path), "--key-file",
                                 str(key_file), "--columns", "mobile", "--out", str(out)])
    assert result.exit_code == 2
    assert "['mobile'] are not in the table" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["people.csv", "secret"]


def test_keygen_writes_a_usable_key_and_refuses_to_overwrite(tmp_path: Path) -> None:
    key = tmp_path / "new.key"
    result = runner.invoke(app, ["privacy", "keygen", str(key)])
    assert result.exit_code == 0, result.output
    assert "key id" in result.stderr
    assert len(key.read_text().strip()) == 64
    again = runner.invoke(app, ["privacy", "keygen", str(key)])
    assert again.exit_code == 2
    assert "never overwritten" in again.stderr


def test_anonymity_reports_k_and_exits_1_below_the_required_k(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    pd.DataFrame({"age": ["30-39"] * 4 + ["40-49"], "region": ["서울"] * 5,
                  "disease": ["flu", "cold", "flu", "flu", "flu"]}).to_csv(path, index=False)
    ok = runner.invoke(app, ["privacy", "anonymity", str(path), "--qi", "age,region",
                             "--sensitive", "disease", "--json"])
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.stdout)
    assert (data["k"], data["l_distinct"], data["n_classes"]) == (1, 1, 2)
    assert data["smallest_classes"][0]["age"] == "40-49"
    low = runner.invoke(app, ["privacy", "anonymity", str(path), "--qi", "age", "--k", "2"])
    assert low.exit_code == 1
    assert "k = 1 over 2 classes of 5 rows" in low.stderr


def test_privacy_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["privacy", "--help"])
    assert result.exit_code == 0
    for command in ("scan", "pseudonymize", "keygen", "anonymity"):
        assert command in result.stdout
