"""Registry behaviour on SQLite: versions, aliases, rollback, deletion, integrity, loading."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from jogak.errors import BundleError, ConfigError
from jogak.models import load_model
from jogak.registry import ModelNotFoundError, ModelRef, Registry, parse_ref


def test_register_copies_verified_bundle_and_numbers_versions(
        registry: Registry, make_bundle: Callable[..., Path]) -> None:
    first = registry.register(make_bundle("a"), "churn", description="first")
    second = registry.register(make_bundle("b"), "churn", alias="staging")
    assert (first.version, second.version) == (1, 2)
    assert first.path == registry.models_dir / "churn" / "1"
    assert (first.path / "manifest.json").is_file()
    assert first.kind == "test"
    assert first.task == "binary"
    assert first.target == "y"
    assert first.metrics == {"auc": {"mean": 0.8, "std": 0.01}}
    assert first.description == "first"
    assert first.aliases == ()
    assert second.aliases == ("staging",)
    manifest = json.loads((second.path / "manifest.json").read_text())
    assert manifest["name"] == "b"
    assert second.manifest_sha256 == manifest["manifest_sha256"]
    assert [v.version for v in registry.list_versions("churn")] == [1, 2]
    assert registry.list_models() == ["churn"]


def test_register_leaves_source_untouched_and_no_staging_folder(
        registry: Registry, make_bundle: Callable[..., Path]) -> None:
    source = make_bundle("a")
    before = sorted(p.name for p in source.iterdir())
    registry.register(source, "m")
    assert sorted(p.name for p in source.iterdir()) == before
    assert sorted(p.name for p in (registry.models_dir / "m").iterdir()) == ["1"]


def test_get_resolves_default_alias_and_version(registry: Registry,
                                                make_bundle: Callable[..., Path]) -> None:
    for tag in "abc":
        registry.register(make_bundle(tag), "m")
    assert registry.get("m").version == 3  # no production alias: the latest
    registry.promote("m", 2)
    assert registry.get("m").version == 2  # production when set
    assert registry.get("m@3").version == 3
    assert registry.get("m@v1").version == 1
    assert registry.get(ModelRef("m", alias="production")).aliases == ("production",)


@pytest.mark.parametrize(("ref", "match"), [
    ("nope", r"No model named 'nope'.*holds \['m'\]"),
    ("m@7", r"no version 7; versions are \[1\]"),
    ("m@staging", r"no alias 'staging'; its aliases are none"),
], ids=["unknown_model", "unknown_version", "unknown_alias"])
def test_get_unknown_reference_names_what_exists(registry: Registry,
                                                 make_bundle: Callable[..., Path],
                                                 ref: str, match: str) -> None:
    registry.register(make_bundle(), "m")
    with pytest.raises(ModelNotFoundError, match=match):
        registry.get(ref)


@pytest.mark.parametrize("text", ["", "-lead", "a/b", "..", "x" * 65, "a b"],
                         ids=["empty", "dash_first", "slash", "dotdot", "too_long", "space"])
def test_invalid_model_names_are_refused(registry: Registry, make_bundle: Callable[..., Path],
                                         text: str) -> None:
    with pytest.raises(ConfigError, match="Invalid model name"):
        registry.register(make_bundle(), text)


@pytest.mark.parametrize("alias", ["Prod", "v3", "12", "a" * 33], ids=["upper", "version_like",
                                                                       "digits", "too_long"])
def test_invalid_aliases_are_refused(registry: Registry, make_bundle: Callable[..., Path],
                                     alias: str) -> None:
    with pytest.raises(ConfigError, match="Invalid alias"):
        registry.register(make_bundle(), "m", alias=alias)
    assert registry.list_versions() == []


def test_parse_ref_forms() -> None:
    assert parse_ref("churn") == ModelRef("churn")
    assert parse_ref("churn@production") == ModelRef("churn", alias="production")
    assert parse_ref("churn@12") == ModelRef("churn", version=12)
    assert str(parse_ref("churn@v2")) == "churn@2"
    with pytest.raises(ConfigError, match="start at 1"):
        parse_ref("churn@0")


def test_promote_and_rollback_walk_the_alias_history(registry: Registry,
                                                     make_bundle: Callable[..., Path]) -> None:
    for tag in "abc":
        registry.register(make_bundle(tag), "m")
    assert registry.promote("m", 1).to_dict() == {"name": "m", "alias": "production",
                                                  "previous": None, "current": 1}
    registry.promote("m", 2)
    registry.promote("m", 3)
    assert registry.alias_map() == {"m@production": 3}
    back = registry.rollback("m")
    assert (back.previous, back.current) == (3, 2)
    assert registry.rollback("m").current == 1
    with pytest.raises(ModelNotFoundError, match="no earlier version"):
        registry.rollback("m")
    registry.promote("m", 3)  # a new move after rollbacks starts a new history
    assert registry.rollback("m").current == 1


def test_promote_same_version_is_a_no_op_for_history(registry: Registry,
                                                     make_bundle: Callable[..., Path]) -> None:
    registry.register(make_bundle("a"), "m", alias="production")
    registry.register(make_bundle("b"), "m")
    registry.promote("m", 2)
    registry.promote("m", 2)
    assert registry.rollback("m").current == 1


def test_rollback_without_alias_and_promote_unknown_version(
        registry: Registry, make_bundle: Callable[..., Path]) -> None:
    registry.register(make_bundle(), "m")
    with pytest.raises(ModelNotFoundError, match="is not set"):
        registry.rollback("m", "staging")
    with pytest.raises(ModelNotFoundError, match="no version 5"):
        registry.promote("m", 5)
    with pytest.raises(ModelNotFoundError, match="No model named 'other'"):
        registry.promote("other", 1)


def test_delete_refuses_aliased_version_unless_forced_and_never_reuses_numbers(
        registry: Registry, make_bundle: Callable[..., Path]) -> None:
    registry.register(make_bundle("a"), "m")
    registry.register(make_bundle("b"), "m", alias="production")
    with pytest.raises(ConfigError, match=r"target of alias\(es\) \['production'\]"):
        registry.delete("m", 2)
    removed = registry.delete("m", 2, force=True)
    assert removed.version == 2
    assert not (registry.models_dir / "m" / "2").exists()
    assert registry.alias_map() == {}
    assert registry.register(make_bundle("c"), "m").version == 3
    assert [v.version for v in registry.list_versions("m")] == [1, 3]
    with pytest.raises(ModelNotFoundError, match="no version 2"):
        registry.delete("m", 2)


def test_rollback_skips_deleted_versions(registry: Registry,
                                         make_bundle: Callable[..., Path]) -> None:
    for tag in "abc":
        registry.register(make_bundle(tag), "m", alias="production")
    registry.delete("m", 2)
    assert registry.rollback("m").current == 1


def test_tampered_bundle_is_refused_and_nothing_is_registered(
        registry: Registry, make_bundle: Callable[..., Path]) -> None:
    source = make_bundle()
    (source / "model.joblib").write_bytes(b"not what was saved")
    with pytest.raises(BundleError, match="changed after it was saved"):
        registry.register(source, "m")
    assert registry.list_versions() == []
    assert not (registry.models_dir / "m").exists()


def test_register_refuses_a_folder_that_is_not_a_bundle(registry: Registry,
                                                        tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(BundleError, match="has no manifest.json"):
        registry.register(tmp_path / "plain", "m")
    with pytest.raises(BundleError, match="does not exist"):
        registry.register(tmp_path / "absent", "m")


def test_check_reports_a_registered_file_changed_on_disk(
        registry: Registry, make_bundle: Callable[..., Path]) -> None:
    version = registry.register(make_bundle(), "m")
    assert registry.check().is_consistent
    (version.path / "model.joblib").write_bytes(b"corrupted")
    report = registry.check()
    assert not report.is_consistent
    assert report.n_versions == 1
    assert report.problems[0].startswith("m@1:")
    assert "model.joblib" in report.problems[0]


def test_next_writer_removes_leftovers_of_interrupted_writers(
        registry: Registry, make_bundle: Callable[..., Path]) -> None:
    registry.register(make_bundle("a"), "m")
    parent = registry.models_dir / "m"
    (parent / "2").mkdir()  # renamed in, but its row never committed
    (parent / ".staging-otherhost-1-abc").mkdir()  # another host, fresh: kept
    (parent / ".staging-localhost-999999999-abc").mkdir()
    import socket

    dead = parent / f".staging-{socket.gethostname()}-999999999-abcdef"
    dead.mkdir()
    (parent / ".trash-0123").mkdir()
    leftovers = {Path(p).name for p in registry.check().leftovers}
    assert leftovers == {"2", dead.name, ".trash-0123"}
    assert registry.register(make_bundle("b"), "m").version == 2
    assert registry.check().leftovers == ()
    assert json.loads((parent / "2" / "manifest.json").read_text())["name"] == "b"
    assert (parent / ".staging-otherhost-1-abc").exists()


def test_registries_with_other_prefixes_share_a_database_independently(
        tmp_path: Path, make_bundle: Callable[..., Path]) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    with Registry(tmp_path / "h1", url, table_prefix="one_") as one, \
            Registry(tmp_path / "h2", url, table_prefix="two_") as two:
        one.register(make_bundle(), "m")
        assert two.list_versions() == []
    with pytest.raises(ConfigError, match="table_prefix"):
        Registry(tmp_path, url, table_prefix="Bad-Prefix")


def test_bad_database_url_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="registry database URL"):
        Registry(tmp_path, "nosuchdialect://x")


def test_load_returns_the_model_that_predicts_like_the_source(
        tmp_path: Path, trained_bundle: Path) -> None:
    from jogak.testing._serve import make_model_frame

    with Registry(tmp_path / "home") as reg:
        reg.register(trained_bundle, "tiny", alias="production")
        version, model = reg.load("tiny@production")
        described = reg.describe("tiny")
    frame = make_model_frame(20, seed=5).drop(columns=["target"])
    expected = load_model(trained_bundle).predict_proba(frame)
    np.testing.assert_allclose(model.predict_proba(frame), expected)
    assert version.version == 1
    assert model.manifest_["manifest_sha256"] == \
        version.manifest_sha256
    assert described["manifest"]["task"] == "binary"
    assert described["manifest"]["classes"] == ["no", "yes"]
    assert described["aliases"] == ["production"]
