"""Keyed tokens equal HMAC-SHA256, are stable per key, differ across keys; key files."""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from jogak.data.privacy import PiiKind, PseudonymKey, Tokenizer, generate_key_file
from jogak.errors import ConfigError

KEY = PseudonymKey(b"0123456789abcdef" * 4)


def test_token_is_truncated_hmac_sha256() -> None:
    expected = hmac.new(KEY.secret, "김민준".encode(), hashlib.sha256).hexdigest()
    assert Tokenizer(KEY).tokens(["김민준"]) == [expected[:32]]
    assert Tokenizer(KEY, length=64).tokens(["김민준"]) == [expected]


def test_long_keys_are_hashed_first_as_rfc_2104_says() -> None:
    key = PseudonymKey(b"k" * 100)
    expected = hmac.new(b"k" * 100, b"x", hashlib.sha256).hexdigest()[:32]
    assert Tokenizer(key).tokens(["x"]) == [expected]


def test_tokens_are_stable_across_tokenizers_and_differ_across_keys() -> None:
    values = pd.Series([f"C{i:05d}" for i in range(200)])
    first = Tokenizer(KEY).tokenize(values)
    again = Tokenizer(PseudonymKey(b"0123456789abcdef" * 4)).tokenize(values)
    other = Tokenizer(PseudonymKey(b"fedcba9876543210" * 4)).tokenize(values)
    pd.testing.assert_series_equal(first, again)
    assert not set(first) & set(other)
    assert first.nunique() == 200


def test_tokens_normalise_identities_before_hashing() -> None:
    tokenizer = Tokenizer(KEY)
    phones = tokenizer.tokenize(pd.Series(["010-1234-5678", "01012345678", "+82 10-1234-5678",
                                           " 010.1234.5678 "]), PiiKind.PHONE)
    emails = tokenizer.tokenize(pd.Series(["Kim@Example.COM", "kim@example.com"]), PiiKind.EMAIL)
    assert phones.nunique() == 1
    assert emails.nunique() == 1
    assert phones[0] == tokenizer.tokens(["01012345678"])[0]


def test_numbers_and_their_text_share_a_token() -> None:
    tokenizer = Tokenizer(KEY)
    as_int = tokenizer.tokenize(pd.Series([12345, 7]))
    as_float = tokenizer.tokenize(pd.Series([12345.0, 7.0, np.nan]))
    as_text = tokenizer.tokenize(pd.Series(["12345", "7"]))
    assert as_int.tolist() == as_text.tolist() == as_float[:2].tolist()
    assert pd.isna(as_float[2])


def test_missing_values_stay_missing() -> None:
    out = Tokenizer(KEY).tokenize(pd.Series(["a", None, "", "  ", "NA", "null", "a"]))
    assert out.isna().tolist() == [False, True, True, True, True, True, False]
    assert out[0] == out[6]


def test_arrow_tokens_equal_pandas_tokens() -> None:
    values = ["x1", None, "x2", "x1", ""]
    chunked = pa.chunked_array([pa.array(values[:2]), pa.array(values[2:])])
    arrow = Tokenizer(KEY).tokenize_arrow(chunked).to_pylist()
    pandas = Tokenizer(KEY).tokenize(pd.Series(values)).astype(object)
    assert arrow == [None if pd.isna(v) else v for v in pandas]


@pytest.mark.parametrize("length", [15, 65, True, "32"], ids=["short", "long", "bool", "text"])
def test_token_length_is_checked(length: object) -> None:
    with pytest.raises(ConfigError, match="token_length must be an integer from 16 to 64"):
        Tokenizer(KEY, length=length)  # type: ignore[arg-type]


def test_key_id_is_a_short_hash_and_repr_hides_the_key() -> None:
    expected = hashlib.sha256(b"jogak-key-id:" + KEY.secret).hexdigest()[:12]
    assert KEY.key_id == expected
    assert "0123456789abcdef" not in repr(KEY)
    assert PseudonymKey(b"0123456789abcdef" * 4) == KEY


def test_key_file_round_trip_ignores_the_final_newline(key_file: Path) -> None:
    assert PseudonymKey.from_file(key_file) == PseudonymKey(b"0123456789abcdef" * 4)


def test_missing_key_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"Key file not found: .*keygen"):
        PseudonymKey.from_file(tmp_path / "absent.key")


def test_short_key_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "short.key"
    path.write_text("tooshort\n")
    with pytest.raises(ConfigError, match="too short: 8 bytes, expected at least 32"):
        PseudonymKey.from_file(path)
    with pytest.raises(ConfigError, match="too short"):
        PseudonymKey(b"x" * 31)


def test_generate_key_file_is_private_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "new.key"
    key = generate_key_file(path)
    assert PseudonymKey.from_file(path) == key
    assert len(path.read_text().strip()) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(ConfigError, match="already exists; a key file is never overwritten"):
        generate_key_file(path)
    assert PseudonymKey.from_file(path) == key
    assert generate_key_file(tmp_path / "other.key") != key
