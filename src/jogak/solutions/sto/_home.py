"""Open the ledger the way the CLI and the service do: a database URL or a file in a home."""

from __future__ import annotations

from pathlib import Path

from jogak.data.privacy import PseudonymKey, generate_key_file
from jogak.errors import ConfigError
from jogak.solutions.sto._ledger import Ledger

__all__ = ["open_ledger"]


def open_ledger(home: str | Path, database_url: str | None = None, *,
                key_file: str | Path | None = None, create_key: bool = True,
                table_prefix: str = "jogak_sto_") -> Ledger:
    """The ledger in ``database_url``, or in ``home/sto.sqlite`` when no URL is given.

    Parameters
    ----------
    home : path
        jogak's home folder (``JOGAK_HOME``); created when missing.
    database_url : str, optional
        ``JOGAK_DATABASE_URL``; PostgreSQL lets several machines share one ledger.
    key_file : path, optional
        The secret that turns investor ids into tokens (default ``home/sto.key``). Every
        machine writing to one ledger needs the same key, or one investor gets two tokens.
    create_key : bool, default=True
        Write a new random key (owner-readable only) when the file is missing; with
        ``False`` a missing file is an error.

    Raises
    ------
    ConfigError
        An unreachable database, or a missing or unreadable key file.
    """
    home = Path(home).expanduser()
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"Cannot create the jogak home {str(home)!r}: {exc.strerror}. Hint: "
                          "set JOGAK_HOME to a writable folder.") from exc
    path = home / "sto.key" if key_file is None else Path(key_file).expanduser()
    if path.exists():
        key = PseudonymKey.from_file(path)
    elif create_key:
        try:
            key = generate_key_file(path)
        except ConfigError:
            if not path.exists():
                raise
            key = PseudonymKey.from_file(path)  # another process created it first
    else:
        raise ConfigError(f"The investor key file {str(path)!r} does not exist. Hint: copy the "
                          "key every writer of this ledger uses, or create one with "
                          "`jogak privacy keygen`.")
    url = database_url or f"sqlite:///{home / 'sto.sqlite'}"
    return Ledger(url, investor_key=key, table_prefix=table_prefix)
