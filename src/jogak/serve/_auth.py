"""API-key checks: constant-time comparison against every configured key."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from jogak.serve._settings import ApiKey

__all__ = ["KeyRing", "Principal"]


@dataclass(frozen=True)
class Principal:
    """Who is calling: the index of the matching key and the models it may use."""

    key_id: str
    models: frozenset[str] | None

    def allows(self, model: str) -> bool:
        return self.models is None or model in self.models


class KeyRing:
    """Looks a presented key up without leaking, through timing, which key or prefix matched.

    Every stored key is compared (no early exit) on sha256 digests, which have equal lengths, with
    :func:`hmac.compare_digest`.
    """

    def __init__(self, keys: tuple[ApiKey, ...]) -> None:
        self._entries = [(hashlib.sha256(k.key.encode()).digest(), k.models) for k in keys]

    def find(self, presented: str) -> Principal | None:
        digest = hashlib.sha256(presented.encode("utf-8", "surrogateescape")).digest()
        found = None
        for position, (stored, models) in enumerate(self._entries):
            if hmac.compare_digest(stored, digest) and found is None:
                found = Principal(f"key{position + 1}", models)
        return found
