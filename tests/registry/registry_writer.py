"""A registering process for the crash and concurrency tests (run as a script, not collected).

usage: registry_writer.py HOME DATABASE_URL|- PREFIX BUNDLE NAME N_TIMES [STALL_AT MARKER] [GO]

``STALL_AT`` (``copied``, ``renamed``, ``inserted`` or ``-``) makes the writer create ``MARKER``
and sleep at that point, so the test can SIGKILL it exactly there. ``GO`` is a file the writer
waits for before registering, so that several writers start together.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def _stall(marker: Path) -> None:
    marker.write_text("here")
    time.sleep(600)


def main() -> None:
    home, url, prefix, bundle, name, n_times = sys.argv[1:7]
    stall_at = sys.argv[7] if len(sys.argv) > 7 else "-"
    marker = Path(sys.argv[8]) if len(sys.argv) > 8 else None
    go = Path(sys.argv[9]) if len(sys.argv) > 9 else None

    from jogak.registry import Registry, _files, _registry

    if stall_at == "copied" and marker is not None:
        original_copy = _files.shutil.copytree

        def copy_then_stall(*args: object, **kwargs: object) -> object:
            original_copy(*args, **kwargs)
            _stall(marker)
            return None

        _files.shutil.copytree = copy_then_stall  # type: ignore[assignment]
    elif stall_at == "renamed" and marker is not None:
        _registry.sync_dir = lambda _path: _stall(marker)  # type: ignore[assignment]
    elif stall_at == "inserted" and marker is not None:
        _registry.move_alias = lambda *_args: _stall(marker)  # type: ignore[assignment]

    registry = Registry(home, None if url == "-" else url, table_prefix=prefix)
    while go is not None and not go.exists():
        time.sleep(0.01)
    for _ in range(int(n_times)):
        registry.register(bundle, name, alias="production" if stall_at == "inserted" else None)
    registry.close()


if __name__ == "__main__":
    main()
