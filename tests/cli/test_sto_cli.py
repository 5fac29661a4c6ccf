"""``jogak sto``: create, subscribe, allocate, transfer, distribute, holdings, audit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jogak.cli import app


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JOGAK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("JOGAK_DATABASE_URL", raising=False)
    monkeypatch.delenv("JOGAK_STO_KEY_FILE", raising=False)
    return tmp_path / "home"


def run(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["sto", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def refuse(*args: str) -> str:
    result = CliRunner().invoke(app, ["sto", *args])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    return result.stderr


CREATE = ["create", "film-1", "--content", "movie-0001", "--units", "10", "--price", "10000",
          "--opens", "2024-05-01T09:00+09:00", "--closes", "2024-05-08T09:00+09:00",
          "--at", "2024-04-30T00:00Z"]


def test_sto_commands_end_to_end(home: Path) -> None:
    created = run(*CREATE)
    assert (created["total_units"], created["unit_price"], created["opens_at"]) == \
        (10, "10000", "2024-05-01T00:00:00+00:00")
    for n, (who, units) in enumerate([("ann", 5), ("ben", 4), ("cho", 6)]):
        order = run("subscribe", "film-1", "--investor", who, "--units", str(units),
                    "--key", f"o{n}", "--at", "2024-05-02T10:00+09:00")
        assert order["status"] == "pending"
    again = run("subscribe", "film-1", "--investor", "ann", "--units", "5", "--key", "o0",
                "--at", "2024-05-03T10:00+09:00")
    assert again["order_id"] == 1
    allocation = run("allocate", "film-1", "--at", "2024-05-08T00:00Z")
    assert [o["units_allocated"] for o in allocation["orders"]] == [3, 3, 4]
    moved = run("transfer", "film-1", "--from", "cho", "--to", "dan", "--units", "2",
                "--at", "2024-05-09T00:00Z")
    assert moved["units"] == 2
    paid = run("distribute", "film-1", "--amount", "1000001", "--key", "rev-1",
               "--at", "2024-06-01T00:00Z")
    # 1,000,001 won over 10 units: 300000.3 (ann, ben), 200000.2 (cho, dan) -> one won left,
    # to the largest remainder: ann and ben tie (0.3) and hold equal units, so the smaller token
    assert sum(int(p["amount"]) for p in paid["payouts"]) == 1_000_001
    assert sorted(int(p["amount"]) for p in paid["payouts"]) == [200000, 200000, 300000, 300001]
    held = run("holdings", "film-1")["holdings"]
    assert sorted(h["units"] for h in held) == [2, 2, 3, 3]
    mine = run("holdings", "--investor", "dan")["holdings"]
    assert [(h["offering_id"], h["units"]) for h in mine] == [("film-1", 2)]
    assert [o["offering_id"] for o in run("offerings")["offerings"]] == ["film-1"]
    audit = run("audit", "--offering", "film-1", "--verify")
    assert [e["action"] for e in audit["entries"]] == [
        "offering.create", "order.place", "order.place", "order.place", "offering.allocate",
        "transfer", "distribution"]
    assert audit["verify"]["ok"]
    assert audit["verify"]["invariant_violations"] == []
    assert (home / "sto.sqlite").exists()
    assert (home / "sto.key").exists()


def test_human_output_goes_to_stderr(home: Path) -> None:
    run(*CREATE)
    result = CliRunner().invoke(app, ["sto", "offerings"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "film-1" in result.stderr
    audit = CliRunner().invoke(app, ["sto", "audit", "--verify"])
    assert audit.exit_code == 0
    assert "ok" in audit.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["create", "film-2", "--content", "c", "--units", "0", "--price", "1", "--opens",
      "2024-05-01T00:00Z", "--closes", "2024-05-02T00:00Z"], "total_units must be from 1"),
    (["create", "film-2", "--content", "c", "--units", "5", "--price", "-3", "--opens",
      "2024-05-01T00:00Z", "--closes", "2024-05-02T00:00Z"], "unit_price must be greater than 0"),
    (["create", "film-2", "--content", "c", "--units", "5", "--price", "3", "--opens",
      "2024-05-01T00:00", "--closes", "2024-05-02T00:00Z"], "has no time zone"),
    (["create", "film-2", "--content", "c", "--units", "5", "--price", "3", "--opens",
      "yesterday", "--closes", "2024-05-02T00:00Z"], "must be an ISO 8601 time"),
    (["subscribe", "film-1", "--investor", "ann", "--units", "1", "--at", "2024-06-01T00:00Z"],
     "end excluded"),
    (["subscribe", "film-1", "--investor", "ann", "--units", "0"], "units must be from 1"),
    (["subscribe", "ghost", "--investor", "ann", "--units", "1"], "No offering 'ghost'"),
    (["allocate", "film-1", "--at", "2024-05-02T00:00Z"], "once its window closes"),
    (["distribute", "film-1", "--amount", "100"], "no units outstanding"),
], ids=["zero_units", "negative_price", "naive_time", "bad_time", "outside_window",
        "zero_order", "unknown", "early_allocation", "early_distribution"])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(home: Path, args: list[str],
                                                            message: str) -> None:
    run(*CREATE)
    before = run("audit")["entries"]
    assert message in refuse(*args)
    assert run("audit")["entries"] == before


def test_reused_key_with_another_body_exits_2(home: Path) -> None:
    run(*CREATE)
    run("subscribe", "film-1", "--investor", "ann", "--units", "2", "--key", "k",
        "--at", "2024-05-02T00:00Z")
    assert "already used for a different subscription" in refuse(
        "subscribe", "film-1", "--investor", "ann", "--units", "3", "--key", "k",
        "--at", "2024-05-02T00:00Z")


def test_database_url_and_key_file_options(tmp_path: Path, home: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite'}"
    run(*CREATE, "--database", url)
    assert (tmp_path / "elsewhere.sqlite").exists()
    assert run("offerings")["offerings"] == []
    monkeypatch.setenv("JOGAK_DATABASE_URL", url)
    assert [o["offering_id"] for o in run("offerings")["offerings"]] == ["film-1"]
    key_file = tmp_path / "other.key"
    run("subscribe", "film-1", "--investor", "ann", "--units", "1", "--key", "a",
        "--at", "2024-05-02T00:00Z", "--key-file", str(key_file))
    run("subscribe", "film-1", "--investor", "ann", "--units", "1", "--key", "b",
        "--at", "2024-05-02T00:00Z")
    # another key gives the same person another token: every writer must share one key file
    orders = [e for e in run("audit")["entries"] if e["action"] == "order.place"]
    assert len({e["investor"] for e in orders}) == 2
