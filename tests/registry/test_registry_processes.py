"""Real processes: a writer SIGKILLed mid-write, and four writers at once (SQLite, PostgreSQL)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from jogak.registry import Registry

WRITER = Path(__file__).with_name("registry_writer.py")
pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _writer(home: Path, url: str | None, prefix: str, bundle: Path, name: str, n_times: int,
            stall_at: str = "-", marker: Path | None = None,
            go: Path | None = None) -> subprocess.Popen[bytes]:
    args = [sys.executable, str(WRITER), str(home), url or "-", prefix, str(bundle), name,
            str(n_times), stall_at, str(marker or "-"), *([str(go)] if go else [])]
    log = bundle.with_name(bundle.name + ".log")
    with open(log, "wb") as err:  # the child keeps its own descriptor
        return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err)


def _log(process: subprocess.Popen[bytes]) -> str:
    return Path(str(process.args[4]) + ".log").read_text()  # type: ignore[index]


def _wait_for(marker: Path, process: subprocess.Popen[bytes]) -> None:
    while not marker.exists():
        if process.poll() is not None:
            raise AssertionError(f"writer exited early: {_log(process)}")
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.05)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str | None, str]]:
    """(database URL or None for the default SQLite file, table prefix)."""
    prefix = f"t{uuid.uuid4().hex[:10]}_"
    if request.param == "sqlite":
        yield None, prefix
        return
    url = request.getfixturevalue("postgres_url")
    yield url, prefix
    engine = create_engine(url)
    with engine.begin() as conn:
        for table in ("aliases", "alias_history", "versions", "models"):
            conn.execute(text(f'DROP TABLE IF EXISTS "{prefix}{table}" CASCADE'))
    engine.dispose()


@pytest.mark.parametrize("stall_at", ["copied", "renamed", "inserted"])
def test_writer_killed_mid_write_leaves_registry_consistent(
        tmp_path: Path, make_bundle: Callable[..., Path], backend: tuple[str | None, str],
        stall_at: str) -> None:
    url, prefix = backend
    home = tmp_path / "home"
    with Registry(home, url, table_prefix=prefix) as registry:
        registry.register(make_bundle("a"), "m", alias="production")
    marker = tmp_path / "stalled"
    process = _writer(home, url, prefix, make_bundle("b"), "m", 1, stall_at, marker)
    _wait_for(marker, process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL

    with Registry(home, url, table_prefix=prefix) as registry:
        report = registry.check()
        assert report.is_consistent, report.problems
        assert [(v.version, v.aliases) for v in registry.list_versions()] == \
            [(1, ("production",))]
        assert registry.alias_map() == {"m@production": 1}
        assert len(report.leftovers) == 1  # a staging or an unindexed version folder
        # the index is not locked by the dead writer, and the next write cleans up
        assert registry.register(make_bundle("c"), "m").version == 2
        assert registry.check().leftovers == ()
        assert sorted(p.name for p in (home / "models" / "m").iterdir()) == ["1", "2"]


def test_four_processes_registering_at_once_all_land(
        tmp_path: Path, make_bundle: Callable[..., Path],
        backend: tuple[str | None, str]) -> None:
    url, prefix = backend
    home = tmp_path / "home"
    Registry(home, url, table_prefix=prefix).close()  # tables exist before the race
    go = tmp_path / "go"
    bundles = [make_bundle(f"w{i}") for i in range(4)]
    writers = [_writer(home, url, prefix, bundle, "shared", 3, go=go) for bundle in bundles]
    go.write_text("go")
    for process in writers:
        process.wait(timeout=300)
        assert process.returncode == 0, _log(process)
    with Registry(home, url, table_prefix=prefix) as registry:
        versions = registry.list_versions("shared")
        report = registry.check()
    assert [v.version for v in versions] == list(range(1, 13))
    assert report.is_consistent
    assert report.leftovers == ()
    sources = sorted(Path(v.source).name for v in versions)  # type: ignore[arg-type]
    assert sources == sorted([b.name for b in bundles] * 3)
