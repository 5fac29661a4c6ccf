"""Tokens remembered across batches equal fresh HMAC-SHA256 tokens: per kind, through hash
collisions, after the memo is forgotten, with missing values kept missing."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pyarrow as pa
import pytest

from jogak.data.privacy import PiiKind, PseudonymKey, Tokenizer
from jogak.data.privacy import _tokens as tokens_module
from jogak.data.privacy._token_memo import TokenMemo

KEY = PseudonymKey(b"0123456789abcdef" * 4)


def _hmac(text: str) -> str:
    return hmac.new(KEY.secret, text.encode(), hashlib.sha256).hexdigest()[:32]


def _expected(values: list[str | None]) -> list[str | None]:
    return [None if v is None or v.strip() in ("", "NA", "null") else _hmac(v.strip())
            for v in values]


def test_tokens_of_a_stream_equal_fresh_tokens_batch_after_batch(global_random_seed: int
                                                                 ) -> None:
    rng = np.random.default_rng(global_random_seed)
    pool = [f"user{i}@example.com" for i in range(3_000)] + ["", " NA ", "null"]
    tokenizer = Tokenizer(KEY)
    for _ in range(12):  # new ids arrive while old ones repeat: several runs get merged
        values: list[str | None] = [pool[i] for i in rng.integers(0, len(pool), 700)]
        values[::97] = [None] * len(values[::97])
        got = tokenizer.tokenize_arrow(pa.array(values)).to_pylist()
        assert got == _expected(values)
    memo = tokenizer._memos[None]
    assert len(memo) <= len(pool)


def test_hash_collisions_cost_a_recomputed_token_never_a_wrong_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TokenMemo, "hash", lambda self, texts: np.zeros(len(texts), np.uint64))
    tokenizer = Tokenizer(KEY)
    first = ["a", "b", "c", "a"]
    second = ["c", "b", "d", "a", "NA"]
    assert tokenizer.tokenize_arrow(pa.array(first)).to_pylist() == _expected(first)
    assert tokenizer.tokenize_arrow(pa.array(second)).to_pylist() == _expected(second)
    assert len(tokenizer._memos[None]) == 1  # one text per hash is remembered


def test_memo_is_per_kind_and_forgotten_past_its_limit(monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    monkeypatch.setattr(tokens_module, "_MEMO_LIMIT", 5)
    tokenizer = Tokenizer(KEY)
    emails = ["Kim@Example.com", "kim@example.com"]
    as_email = tokenizer.tokenize_arrow(pa.array(emails), PiiKind.EMAIL).to_pylist()
    as_text = tokenizer.tokenize_arrow(pa.array(emails)).to_pylist()
    assert as_email == [_hmac("kim@example.com")] * 2
    assert as_text == [_hmac(e) for e in emails]
    many = [f"id{i}" for i in range(8)]
    for _ in range(3):
        assert tokenizer.tokenize_arrow(pa.array(many)).to_pylist() == _expected(many)
        assert len(tokenizer._memos[None]) <= 5


def test_tokens_of_sliced_large_string_columns() -> None:
    values = pa.array(["x", "y", None, "x"], type=pa.large_string()).slice(1)
    assert Tokenizer(KEY).tokenize_arrow(values).to_pylist() == _expected(["y", None, "x"])
    empty = Tokenizer(KEY).tokenize_arrow(pa.chunked_array([], type=pa.string()))
    assert empty.to_pylist() == []
