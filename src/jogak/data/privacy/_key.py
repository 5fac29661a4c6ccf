"""The secret key of keyed tokens, kept in its own file apart from the data."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from jogak.errors import ConfigError

__all__ = ["MIN_KEY_BYTES", "PseudonymKey", "generate_key_file"]

#: Shortest key accepted: 256 bits, the output size of SHA-256 (RFC 2104 asks for at least that).
MIN_KEY_BYTES = 32


class PseudonymKey:
    """A secret HMAC key and its public id.

    The id is the first 12 hex digits of ``sha256("jogak-key-id:" + key)``: it names the key in
    processing records without revealing it. The key itself never appears in ``repr``, logs or
    records.

    Parameters
    ----------
    secret : bytes
        At least 32 bytes.

    Raises
    ------
    ConfigError
        The secret is not bytes or shorter than 32 bytes.

    Examples
    --------
    >>> key = PseudonymKey(b"0123456789abcdef0123456789abcdef")
    >>> key
    PseudonymKey(key_id='0041cbc457de')
    """

    __slots__ = ("_secret", "key_id")

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, bytes | bytearray):
            raise ConfigError(f"A pseudonymisation key must be bytes, got {type(secret).__name__}.")
        if len(secret) < MIN_KEY_BYTES:
            raise ConfigError(
                f"The pseudonymisation key is too short: {len(secret)} bytes, expected at least "
                f"{MIN_KEY_BYTES}. Hint: create one with `jogak privacy keygen KEY_FILE`."
            )
        self._secret = bytes(secret)
        self.key_id = hashlib.sha256(b"jogak-key-id:" + self._secret).hexdigest()[:12]

    @property
    def secret(self) -> bytes:
        """The key bytes (keep them out of logs)."""
        return self._secret

    def __repr__(self) -> str:
        return f"PseudonymKey(key_id={self.key_id!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PseudonymKey) and secrets.compare_digest(self._secret,
                                                                          other._secret)

    def __hash__(self) -> int:
        return hash(self.key_id)

    @classmethod
    def from_file(cls, path: str | Path) -> PseudonymKey:
        """Read a key file; leading and trailing whitespace (a final newline) is not key.

        Raises
        ------
        ConfigError
            The file is missing, unreadable, or holds fewer than 32 bytes.
        """
        path = Path(path).expanduser()
        try:
            secret = path.read_bytes().strip()
        except FileNotFoundError as exc:
            raise ConfigError(f"Key file not found: {str(path)!r}. Expected a file holding at "
                              f"least {MIN_KEY_BYTES} secret bytes. Hint: create one with "
                              "`jogak privacy keygen KEY_FILE` and keep it apart from the data."
                              ) from exc
        except (IsADirectoryError, PermissionError) as exc:
            raise ConfigError(f"Cannot read the key file {str(path)!r}: {exc.strerror}. "
                              "Expected a readable file.") from exc
        if len(secret) < MIN_KEY_BYTES:
            raise ConfigError(
                f"The key file {str(path)!r} is too short: {len(secret)} bytes, expected at least "
                f"{MIN_KEY_BYTES}. Hint: create a new one with `jogak privacy keygen KEY_FILE`."
            )
        return cls(secret)


def generate_key_file(path: str | Path) -> PseudonymKey:
    """Write a new random key (64 hex characters, 256 bits) readable by the owner only.

    Raises
    ------
    ConfigError
        The file already exists (a key is never overwritten: tokens made with it would be lost).
    """
    path = Path(path).expanduser()
    text = secrets.token_hex(MIN_KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise ConfigError(f"{str(path)!r} already exists; a key file is never overwritten. "
                          "Hint: choose another path, or delete the old key on purpose.") from exc
    except OSError as exc:
        raise ConfigError(f"Cannot create the key file {str(path)!r}: {exc.strerror}.") from exc
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text + "\n")
    return PseudonymKey(text.encode("ascii"))
