"""Service settings and API keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from jogak.config import Settings
from jogak.errors import ConfigError
from jogak.serve import ApiKey, ServeSettings, create_app, parse_api_keys
from jogak.serve._auth import KeyRing

GOOD = "a-long-enough-key-000001"


def test_parse_api_keys_scopes() -> None:
    keys = parse_api_keys(f" {GOOD}:all , b-long-enough-key-000002:churn|credit,"
                          "c-long-enough-key-000003 ")
    assert keys == (ApiKey(GOOD), ApiKey("b-long-enough-key-000002",
                                         frozenset({"churn", "credit"})),
                    ApiKey("c-long-enough-key-000003"))
    assert keys[1].allows("churn")
    assert not keys[1].allows("hits")
    assert keys[0].allows("x")
    assert parse_api_keys(None) == ()
    assert parse_api_keys("  ") == ()
    assert GOOD not in repr(keys)


@pytest.mark.parametrize(("text", "match"), [
    ("short:all", "entry 1 has an invalid key"),
    (f"{GOOD}:all,with space in it 000000:all", "entry 2 has an invalid key"),
    (f"{GOOD}:all,{GOOD}:churn", "same key twice"),
    (f"{GOOD}:bad/name", "Invalid model name"),
    (f"{GOOD}:|", "empty scope"),
], ids=["short", "space", "duplicate", "bad_model_name", "empty_scope"])
def test_parse_api_keys_refuses_bad_entries_without_echoing_keys(text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        parse_api_keys(text)
    assert GOOD not in str(info.value)


def test_key_ring_finds_exact_keys_only() -> None:
    ring = KeyRing(parse_api_keys(f"{GOOD}:all,b-long-enough-key-000002:churn"))
    assert ring.find(GOOD).key_id == "key1"  # type: ignore[union-attr]
    assert ring.find("b-long-enough-key-000002").models == frozenset({"churn"})  # type: ignore[union-attr]
    for wrong in (GOOD[:-1], GOOD + "x", "", GOOD.upper(), "é" * 20):
        assert ring.find(wrong) is None


@pytest.mark.parametrize(("changes", "match"), [
    ({"api_keys": ()}, "needs API keys"),
    ({"unknown_categories": "block"}, "unknown_categories must be one of"),
    ({"out_of_range": "clip"}, "out_of_range must be one of"),
    ({"max_rows": 0}, "max_rows must be a positive integer"),
    ({"max_body_bytes": True}, "max_body_bytes must be a positive integer"),
    ({"reload_seconds": 0}, "reload_seconds must be > 0"),
    ({"default_model": "a/b"}, "Invalid model name"),
], ids=["no_keys", "categories", "range", "rows", "bytes", "reload", "default_model"])
def test_serve_settings_validate_on_creation(tmp_path: Path, changes: dict[str, object],
                                             match: str) -> None:
    values: dict[str, object] = {"home": tmp_path, "api_keys": parse_api_keys(GOOD)}
    values.update(changes)
    with pytest.raises(ConfigError, match=match):
        ServeSettings(**values)  # type: ignore[arg-type]


def test_settings_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOGAK_HOME", str(tmp_path))
    monkeypatch.setenv("JOGAK_API_KEYS", f"{GOOD}:tiny")
    monkeypatch.setenv("JOGAK_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    settings = Settings.from_env()
    assert GOOD not in repr(settings)
    serve = ServeSettings.from_settings(settings, default_model="tiny@production")
    assert serve.home == tmp_path
    assert serve.api_keys == (ApiKey(GOOD, frozenset({"tiny"})),)
    assert serve.database_url == f"sqlite:///{tmp_path / 'x.db'}"
    assert ServeSettings(home=tmp_path, auth=False).api_keys == ()


def test_create_app_refuses_other_settings_and_bad_database(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs a ServeSettings"):
        create_app(Settings(home=tmp_path, data_dir=None))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="registry database URL"):
        create_app(ServeSettings(home=tmp_path, auth=False, database_url="nosuch://x"))
