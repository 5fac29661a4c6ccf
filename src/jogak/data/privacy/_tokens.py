"""Keyed tokens: HMAC-SHA256 of canonical values, computed once per distinct value."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jogak.data.privacy._key import PseudonymKey
from jogak.data.privacy._token_memo import TokenMemo
from jogak.data.privacy._values import canonical_text, missing_mask
from jogak.data.privacy._vocabulary import PiiKind
from jogak.errors import ConfigError

__all__ = ["Tokenizer", "normalise_identity"]

_BLOCK = 64  # SHA-256 block size in bytes
_MEMO_LIMIT = 2_000_000  # raw texts remembered per identity kind (about 70 bytes each)


def normalise_identity(text: pd.Series, kind: PiiKind | None) -> pd.Series:
    """Write one identity one way before hashing, so that joins survive formatting differences.

    Emails are lower-cased; phone, card and resident numbers keep their digits only (``+82``
    becomes the domestic leading ``0``). Other kinds are only stripped.
    """
    if kind is PiiKind.EMAIL:
        return text.str.lower()
    if kind in (PiiKind.PHONE, PiiKind.CARD_NUMBER, PiiKind.RESIDENT_NUMBER):
        digits = text.str.replace(r"\D", "", regex=True)
        if kind is PiiKind.PHONE:
            international = text.str.startswith("+82").fillna(False).to_numpy(dtype=bool)
            domestic = "0" + digits.str.slice(2).str.lstrip("0")
            digits = digits.where(~international, domestic)
        return digits
    return text


class Tokenizer:
    """HMAC-SHA256 tokens of text values, as ``length`` lower-case hex digits.

    The inner and outer keyed SHA-256 states are computed once and copied per value (the same
    result as :func:`hmac.digest`, about twice as fast for short values). Each distinct value
    is hashed once per call, and the tokens of up to two million raw texts are remembered
    across calls (per identity kind, before normalisation) in Arrow and numpy form
    (:class:`TokenMemo`), so the repeated customer ids of an event stream cost neither a
    hash nor a Python object each.

    Parameters
    ----------
    key : PseudonymKey
    length : int, default 32
        Hex digits kept of the 64 (32 = 128 bits: collisions are negligible below 10**15
        distinct values).
    """

    def __init__(self, key: PseudonymKey, *, length: int = 32) -> None:
        if isinstance(length, bool) or not isinstance(length, int) or not 16 <= length <= 64:
            raise ConfigError(f"token_length must be an integer from 16 to 64 hex digits, got "
                              f"{length!r}. Hint: the default 32 keeps 128 bits.")
        secret = key.secret
        if len(secret) > _BLOCK:
            secret = hashlib.sha256(secret).digest()
        secret = secret.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in secret))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in secret))
        self._length = length
        self._memos: dict[PiiKind | None, TokenMemo] = {}

    def tokens(self, texts: Sequence[str]) -> list[str]:
        """The token of each text (hashed as given: no normalisation)."""
        inner, outer, length = self._inner, self._outer, self._length
        out = []
        for text in texts:
            hashed = inner.copy()
            hashed.update(text.encode("utf-8"))
            final = outer.copy()
            final.update(hashed.digest())
            out.append(final.hexdigest()[:length])
        return out

    def _unique_tokens(self, uniques: pd.Series, kind: PiiKind | None) -> np.ndarray:
        """The token (None when missing) of each of the distinct values ``uniques``."""
        text = normalise_identity(canonical_text(uniques), kind)
        missing = missing_mask(uniques) | text.isna().to_numpy(dtype=bool) | \
            (text.fillna("").str.len() == 0).to_numpy(dtype=bool)
        tokens = np.full(len(uniques), None, dtype=object)
        present = np.flatnonzero(~missing)
        tokens[present] = self.tokens(text.to_numpy(dtype=object)[present].tolist())
        return tokens

    def tokenize(self, values: pd.Series, kind: PiiKind | None = None) -> pd.Series:
        """The token of every value; missing values (and blank text) stay missing."""
        if _is_text(values):
            tokens = self.tokenize_arrow(pa.array(values, type=pa.string(), from_pandas=True),
                                         kind)
            out = tokens.to_numpy(zero_copy_only=False)
        else:
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            unique_tokens = self._unique_tokens(pd.Series(uniques, dtype=values.dtype), kind)
            out = np.full(len(values), None, dtype=object)
            found = codes >= 0
            out[found] = unique_tokens[codes[found]]
        return pd.Series(out, index=values.index, name=values.name, dtype="str")

    def tokenize_arrow(self, values: pa.ChunkedArray | pa.Array,
                       kind: PiiKind | None = None) -> pa.Array:
        """As :meth:`tokenize`, for an Arrow column (stays in Arrow: no Python string per row)."""
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks() if values.num_chunks else pa.array([], values.type)
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            return pa.array(self.tokenize(values.to_pandas(), kind), type=pa.string(),
                            from_pandas=True)
        values = values.cast(pa.string())
        memo = self._memos.setdefault(kind, TokenMemo(self._length, _MEMO_LIMIT))
        hashes = memo.hash(values)
        found, missing, tokens = memo.lookup(values, hashes)
        absent = values.is_null().to_numpy(zero_copy_only=False)
        new = np.flatnonzero(~found & ~absent)
        if len(new):
            encoded = pc.dictionary_encode(values.take(pa.array(new)))
            uniques = encoded.dictionary
            texts = self._unique_tokens(uniques.to_pandas(), kind)
            new_missing = np.equal(texts, None)
            new_tokens = _token_bytes(np.where(new_missing, "0" * self._length, texts),
                                      self._length)
            codes = encoded.indices.to_numpy(zero_copy_only=False)
            tokens[new] = new_tokens[codes]
            missing[new] = new_missing[codes]
            memo.add(uniques, memo.hash(uniques), new_tokens, new_missing)
        valid = ~(absent | missing)
        offsets = np.arange(0, (len(values) + 1) * self._length, self._length, dtype=np.int32)
        return pa.Array.from_buffers(
            pa.string(), len(values),
            [pa.py_buffer(np.packbits(valid, bitorder="little")), pa.py_buffer(offsets),
             pa.py_buffer(np.ascontiguousarray(tokens))],
            null_count=int(len(values) - valid.sum()))


def _is_text(values: pd.Series) -> bool:
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        return True
    return values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in (
        "string", "empty")


def _token_bytes(tokens: np.ndarray, length: int) -> np.ndarray:
    """Hex tokens of one length as a (n, length) array of their ASCII bytes."""
    joined = "".join(tokens.tolist()).encode("ascii")
    return np.frombuffer(joined, dtype=np.uint8).reshape(len(tokens), length).copy()
