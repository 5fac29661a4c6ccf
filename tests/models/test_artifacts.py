"""Model bundles: round trip, tamper and version checks before unpickling, atomic writes."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression

from jogak.data._roles import ColumnInfo, ColumnRole, ColumnRoles
from jogak.data._schema import FeatureSchema
from jogak.errors import BundleError, ConfigError, SchemaError
from jogak.models import _artifacts
from jogak.models._artifacts import (
    data_fingerprint,
    library_versions,
    load_bundle,
    save_bundle,
)

DEAD_PID = 999_999_999  # above any pid_max: os.kill reports no such process


@pytest.fixture
def fitted(global_random_seed: int) -> tuple[LogisticRegression, np.ndarray]:
    rng = np.random.default_rng(global_random_seed)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    return LogisticRegression().fit(X, y), X


def _manifest(name: str = "churn") -> dict[str, Any]:
    return {"name": name, "version": 1, "task": "binary", "target": "Churn",
            "metrics": {"roc_auc": {"mean": 0.84, "std": 0.01}},
            "leaderboard": [{"model": "logistic", "roc_auc": 0.84}], "seed": 0,
            "time_budget": 60, "time_used": 12.5, "data_fingerprint": "ab" * 32}


@pytest.fixture
def bundle_path(tmp_path: Path, fitted: tuple[LogisticRegression, np.ndarray]) -> Path:
    model, _ = fitted
    return save_bundle(tmp_path / "bundle", objects={"model": model, "extra": {"k": [1, 2]}},
                       manifest=_manifest(),
                       native_files={"weights.txt": lambda p: p.write_text("0.1 0.2")})


def _siblings(path: Path) -> list[str]:
    return sorted(item.name for item in path.parent.iterdir())


@pytest.fixture
def no_unpickling(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the loader unpickles anything."""
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("joblib.load was called on an unverified bundle")
    monkeypatch.setattr(_artifacts.joblib, "load", refuse)


# ---------------------------------------------------------------- round trip

def test_bundle_round_trip_restores_objects_and_predictions(
        bundle_path: Path, fitted: tuple[LogisticRegression, np.ndarray]) -> None:
    model, X = fitted
    bundle = load_bundle(bundle_path)
    np.testing.assert_array_equal(bundle.objects["model"].predict_proba(X),
                                  model.predict_proba(X))
    assert bundle.objects["extra"] == {"k": [1, 2]}
    assert bundle.native_file("weights.txt").read_text() == "0.1 0.2"
    assert bundle.version_mismatches == ()
    assert sorted(item.name for item in bundle_path.iterdir()) == [
        "extra.joblib", "manifest.json", "model.joblib", "weights.txt"]


def test_bundle_manifest_records_fields_versions_and_file_hashes(bundle_path: Path) -> None:
    manifest = load_bundle(bundle_path).manifest
    for key, value in _manifest().items():
        assert manifest[key] == value
    assert manifest["format_version"] == 1
    assert manifest["library_versions"]["scikit-learn"] == sklearn.__version__
    assert manifest["objects"] == ["extra", "model"]
    assert manifest["native_files"] == ["weights.txt"]
    assert manifest["created_at"].endswith("+00:00")
    entry = manifest["files"]["weights.txt"]
    assert entry["size"] == 7
    assert entry["sha256"] == hashlib.sha256(b"0.1 0.2").hexdigest()
    on_disk = json.loads((bundle_path / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest


def test_bundle_keeps_feature_schema_and_korean_text(tmp_path: Path) -> None:
    train = pd.DataFrame({"지역": ["서울", "부산"], "나이": [31, 45]})
    roles = ColumnRoles(info={
        "지역": ColumnInfo("지역", ColumnRole.CATEGORICAL_LOW, "str", 2, 0.0),
        "나이": ColumnInfo("나이", ColumnRole.NUMERIC, "int64", 2, 0.0)})
    schema = FeatureSchema.from_frame(train, roles)
    path = save_bundle(tmp_path / "모델", objects={"schema": schema},
                       manifest={"name": "이탈 예측", "feature_schema": schema})
    bundle = load_bundle(path)
    assert bundle.manifest["name"] == "이탈 예측"
    assert bundle.feature_schema == schema
    assert bundle.objects["schema"] == schema
    assert "이탈 예측" in (path / "manifest.json").read_text(encoding="utf-8")


def test_bundle_saves_a_native_lightgbm_booster(tmp_path: Path, global_random_seed: int) -> None:
    lightgbm = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(global_random_seed)
    X = rng.normal(size=(200, 4))
    y = X[:, 0] * 2.0 + rng.normal(scale=0.1, size=200)
    booster = lightgbm.train({"objective": "regression", "verbose": -1, "num_threads": 1},
                             lightgbm.Dataset(X, y), num_boost_round=5)
    path = save_bundle(tmp_path / "lgbm", objects={"meta": {"rounds": 5}}, manifest={"name": "b"},
                       native_files={"booster.txt": lambda p: booster.save_model(str(p))})
    bundle = load_bundle(path)
    restored = lightgbm.Booster(model_file=str(bundle.native_file("booster.txt")))
    np.testing.assert_array_equal(restored.predict(X), booster.predict(X))
    with pytest.raises(BundleError, match="no native file 'other.txt'"):
        bundle.native_file("other.txt")


def test_save_bundle_replaces_a_previous_version(bundle_path: Path) -> None:
    save_bundle(bundle_path, objects={"model": "v2"}, manifest=_manifest("second"))
    bundle = load_bundle(bundle_path)
    assert bundle.manifest["name"] == "second"
    assert bundle.objects == {"model": "v2"}
    assert _siblings(bundle_path) == ["bundle"]


# ---------------------------------------------------------------- tampering

def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _edit_manifest(path: Path) -> None:
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    manifest["metrics"]["roc_auc"]["mean"] = 0.99
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _reroute_hash(path: Path) -> None:
    """Swap in another pickle and record its hash, without updating manifest_sha256."""
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["model.joblib"] = manifest["files"]["extra.joblib"]
    (path / "model.joblib").write_bytes((path / "extra.joblib").read_bytes())
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize(("tamper", "message"), [
    (lambda p: _flip_byte(p / "model.joblib"), r"'model.joblib' has sha256 [0-9a-f]{16}\.\.\., "
                                               r"expected [0-9a-f]{16}"),
    (lambda p: _flip_byte(p / "weights.txt"), r"'weights.txt' has sha256"),
    (lambda p: (p / "model.joblib").write_bytes(b"x"), r"'model.joblib' has 1 bytes, expected"),
    (lambda p: (p / "evil.joblib").write_bytes(b"x"), r"unlisted file 'evil.joblib' was added"),
    (lambda p: (p / "sub").mkdir() or (p / "sub" / "x.py").write_text("x"),
     r"unlisted file 'sub/x.py' was added"),
    (lambda p: (p / "extra.joblib").unlink(), r"listed file 'extra.joblib' is missing"),
    (_edit_manifest, r"manifest.json was edited after saving"),
    (_reroute_hash, r"manifest.json was edited after saving"),
], ids=["model_byte", "native_byte", "truncated", "added_file", "added_subfolder_file",
        "removed_file", "edited_manifest", "rerouted_hash"])
def test_load_bundle_refuses_tampered_bundles_before_unpickling(
        bundle_path: Path, no_unpickling: None, tamper: Any, message: str) -> None:
    tamper(bundle_path)
    with pytest.raises(BundleError, match=message) as caught:
        load_bundle(bundle_path, allow_version_mismatch=True)
    assert "nothing was unpickled" in str(caught.value)
    assert "Hint:" in str(caught.value)


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_load_bundle_refuses_symlinks(bundle_path: Path, tmp_path: Path,
                                      no_unpickling: None) -> None:
    target = tmp_path / "elsewhere.joblib"
    target.write_bytes((bundle_path / "extra.joblib").read_bytes())
    (bundle_path / "extra.joblib").unlink()
    (bundle_path / "extra.joblib").symlink_to(target)
    with pytest.raises(BundleError, match="'extra.joblib' is a symbolic link"):
        load_bundle(bundle_path)


@pytest.mark.parametrize(("prepare", "message"), [
    (lambda p: None, "the path does not exist"),
    (lambda p: p.write_text("x"), "is not a folder"),
    (lambda p: p.mkdir(), "has no manifest.json"),
    (lambda p: p.mkdir() or (p / "manifest.json").write_text("{not json"),
     "cannot be read as JSON"),
    (lambda p: p.mkdir() or (p / "manifest.json").write_text("[1]"), "must hold a JSON object"),
    (lambda p: p.mkdir() or (p / "manifest.json").write_text("{}"), "no integer format_version"),
    (lambda p: p.mkdir() or (p / "manifest.json").write_text('{"format_version": 7}'),
     "bundle format 7; this jogak reads up to 1"),
], ids=["missing", "file", "no_manifest", "bad_json", "not_object", "no_version", "newer"])
def test_load_bundle_refuses_non_bundles(tmp_path: Path, prepare: Any, message: str) -> None:
    path = tmp_path / "target"
    prepare(path)
    with pytest.raises(BundleError, match=message):
        load_bundle(path)


# ---------------------------------------------------------------- versions

def _running(**changes: str | None) -> dict[str, str]:
    versions = library_versions()
    for key, value in changes.items():
        if value is None:
            versions.pop(key.replace("_", "-"), None)
        else:
            versions[key.replace("_", "-")] = value
    return versions


@pytest.mark.parametrize(("changes", "message"), [
    ({"scikit_learn": "0.24.2"}, r"scikit-learn \S+ was used to save, running 0.24.2 .*"
                                 r"pip install scikit-learn=="),
    ({"numpy": "1.26.4"}, r"numpy \S+ was used to save, running 1.26.4 \(the same major"),
    ({"lightgbm": None}, r"lightgbm \S+ was used to save, running not installed"),
], ids=["sklearn", "numpy_major", "booster_missing"])
def test_load_bundle_refuses_version_mismatch_unless_allowed(
        bundle_path: Path, monkeypatch: pytest.MonkeyPatch, changes: dict[str, str | None],
        message: str) -> None:
    monkeypatch.setattr(_artifacts, "library_versions", lambda: _running(**changes))
    with pytest.raises(BundleError, match=message) as caught:
        load_bundle(bundle_path)
    assert "allow_version_mismatch=True" in str(caught.value)
    bundle = load_bundle(bundle_path, allow_version_mismatch=True)
    assert len(bundle.version_mismatches) == 1
    assert bundle.objects["extra"] == {"k": [1, 2]}


def test_load_bundle_accepts_other_numpy_minor_and_pandas_versions(
        bundle_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    major = np.__version__.split(".")[0]
    monkeypatch.setattr(_artifacts, "library_versions",
                        lambda: _running(numpy=f"{major}.999.0", pandas="0.1", optuna="0.1"))
    assert load_bundle(bundle_path).version_mismatches == ()


def test_allow_version_mismatch_never_skips_hash_checks(
        bundle_path: Path, monkeypatch: pytest.MonkeyPatch, no_unpickling: None) -> None:
    monkeypatch.setattr(_artifacts, "library_versions", lambda: _running(scikit_learn="0.1"))
    _flip_byte(bundle_path / "model.joblib")
    with pytest.raises(BundleError, match="changed after it was saved"):
        load_bundle(bundle_path, allow_version_mismatch=True)


# ---------------------------------------------------------------- atomic writes

def test_crash_while_writing_files_keeps_previous_bundle(
        bundle_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_dump = _artifacts.joblib.dump
    calls: list[str] = []

    def dump_then_crash(value: Any, filename: Any, **kwargs: Any) -> Any:
        calls.append(str(filename))
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real_dump(value, filename, **kwargs)

    monkeypatch.setattr(_artifacts.joblib, "dump", dump_then_crash)
    with pytest.raises(BundleError, match="Could not save object 'c'"):
        save_bundle(bundle_path, objects={"a": 1, "b": 2, "c": 3, "d": 4},
                    manifest=_manifest("broken"))
    assert len(calls) == 3
    assert load_bundle(bundle_path).manifest["name"] == "churn"
    assert _siblings(bundle_path) == ["bundle"]  # no temporary folder left


def test_interrupt_inside_native_writer_keeps_previous_bundle(bundle_path: Path) -> None:
    def interrupted(path: Path) -> None:
        path.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        save_bundle(bundle_path, objects={"model": 1}, manifest=_manifest("broken"),
                    native_files={"booster.txt": interrupted})
    assert load_bundle(bundle_path).manifest["name"] == "churn"
    assert _siblings(bundle_path) == ["bundle"]


def test_failed_swap_restores_previous_bundle(bundle_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace
    calls: list[tuple[str, str]] = []

    def replace_failing_second(source: Any, destination: Any) -> None:
        calls.append((Path(source).name, Path(destination).name))
        if len(calls) == 2:  # the new version is about to move in
            raise OSError(5, "Input/output error")
        real_replace(source, destination)

    monkeypatch.setattr(_artifacts.os, "replace", replace_failing_second)
    with pytest.raises(BundleError, match="The previous version, if any, is unchanged"):
        save_bundle(bundle_path, objects={"model": 2}, manifest=_manifest("broken"))
    assert calls[0][0] == "bundle"
    assert calls[0][1].startswith(".bundle.old-")
    assert calls[2] == (calls[0][1], "bundle")  # moved back
    monkeypatch.undo()
    assert load_bundle(bundle_path).manifest["name"] == "churn"
    assert _siblings(bundle_path) == ["bundle"]


def test_next_save_cleans_stale_temporary_folders(bundle_path: Path) -> None:
    stale = bundle_path.parent / f".bundle.tmp-{DEAD_PID}-0123456789ab"
    stale.mkdir()
    (stale / "model.joblib").write_bytes(b"partial")
    live = bundle_path.parent / f".bundle.tmp-{os.getpid()}-0123456789ab"
    live.mkdir()  # a save of this very process may still be running: left alone
    save_bundle(bundle_path, objects={"model": 2}, manifest=_manifest("second"))
    assert _siblings(bundle_path) == [live.name, "bundle"]
    assert load_bundle(bundle_path).manifest["name"] == "second"


def test_crash_between_renames_is_reported_and_recovered(bundle_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    aside = bundle_path.parent / f".bundle.old-{DEAD_PID}-0123456789ab"
    os.replace(bundle_path, aside)  # what a crash right after moving the old version aside leaves
    with pytest.raises(BundleError, match=rf"previous version is in '{aside.name}'"):
        load_bundle(bundle_path)

    def crash(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_artifacts.joblib, "dump", crash)
    with pytest.raises(BundleError):
        save_bundle(bundle_path, objects={"model": 2}, manifest=_manifest("broken"))
    monkeypatch.undo()
    assert load_bundle(bundle_path).manifest["name"] == "churn"  # restored by the next save
    assert _siblings(bundle_path) == ["bundle"]


# ---------------------------------------------------------------- input checks

@pytest.mark.parametrize(("kwargs", "message"), [
    ({"objects": {}}, "at least one object or native file"),
    ({"objects": {"../x": 1}}, r"Invalid object key '\.\./x'"),
    ({"objects": {"a/b": 1}}, "Invalid object key 'a/b'"),
    ({"objects": {"m": 1}, "native_files": {"m.joblib": lambda p: None}}, "clash"),
    ({"objects": {"m": 1}, "native_files": {"manifest.json": lambda p: None}},
     "Invalid native file name"),
    ({"objects": {"m": 1}, "native_files": {"b.txt": "not callable"}}, "must be a callable"),
    ({"objects": {"m": 1}, "manifest": {"files": {}}}, r"\['files'\] are written by save_bundle"),
    ({"objects": {"m": 1}, "manifest": {"seed": np.arange(2)}},
     r"'seed' is not JSON-ready.*\.tolist\(\)"),
    ({"objects": {"m": 1}, "manifest": {"metrics": {"auc": 0.8}}}, r"'mean': \.\.\., 'std'"),
    ({"objects": {"m": 1}, "manifest": {"leaderboard": "top"}}, "list of dicts"),
], ids=["empty", "parent_dir", "slash", "clash", "manifest_name", "writer", "reserved",
        "numpy_field", "metrics_shape", "leaderboard_shape"])
def test_save_bundle_rejects_invalid_input(tmp_path: Path, kwargs: dict[str, Any],
                                           message: str) -> None:
    kwargs.setdefault("manifest", {"name": "x"})
    with pytest.raises(ConfigError, match=message):
        save_bundle(tmp_path / "b", **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_save_bundle_refuses_to_replace_what_is_not_a_bundle(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.docx").write_text("years of work")
    with pytest.raises(BundleError, match="non-empty folder without manifest.json"):
        save_bundle(folder, objects={"m": 1}, manifest={"name": "x"})
    assert (folder / "thesis.docx").read_text() == "years of work"
    (tmp_path / "file").write_text("x")
    with pytest.raises(BundleError, match="exists and is not a folder"):
        save_bundle(tmp_path / "file", objects={"m": 1}, manifest={"name": "x"})


def test_save_bundle_wraps_unpicklable_objects(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="Could not save object 'model' \\(generator\\)"):
        save_bundle(tmp_path / "b", objects={"model": (i for i in range(3))},
                    manifest={"name": "x"})
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- fingerprint and versions

def _frame() -> pd.DataFrame:
    return pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"], "c": [0.5, np.nan, 2.5],
                         "d": pd.to_datetime(["2024-01-01", "2024-01-02", None])})


@pytest.mark.slow  # starts a Python process
def test_data_fingerprint_is_stable_across_processes() -> None:
    code = ("import numpy as np, pandas as pd; from jogak.models._artifacts import "
            "data_fingerprint; print(data_fingerprint(pd.DataFrame({'a': [1, 2, 3], "
            "'b': ['x', 'y', 'z'], 'c': [0.5, np.nan, 2.5], 'd': pd.to_datetime(['2024-01-01', "
            "'2024-01-02', None])})))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == data_fingerprint(_frame())


@pytest.mark.parametrize("change", [
    lambda f: f.assign(a=[1, 2, 4]),
    lambda f: f.assign(b=["x", "y", "Z"]),
    lambda f: f.assign(c=[0.5, 0.0, 2.5]),
    lambda f: f.rename(columns={"a": "A"}),
    lambda f: f.astype({"a": "float64"}),
    lambda f: f.iloc[::-1].reset_index(drop=True),
    lambda f: f.iloc[:2],
], ids=["int_value", "text_value", "missing_filled", "name", "dtype", "row_order", "rows"])
def test_data_fingerprint_changes_with_any_change(change: Any) -> None:
    assert data_fingerprint(change(_frame())) != data_fingerprint(_frame())


def test_data_fingerprint_ignores_index_and_handles_unhashable_cells() -> None:
    frame = _frame()
    assert data_fingerprint(frame.set_index(pd.Index([7, 8, 9]))) == data_fingerprint(frame)
    lists = pd.DataFrame({"tags": [["a"], ["b", "c"]]})
    assert data_fingerprint(lists) != data_fingerprint(pd.DataFrame({"tags": [["a"], ["b"]]}))
    with pytest.raises(SchemaError, match="expects a pandas DataFrame, got list"):
        data_fingerprint([1, 2])


def test_data_fingerprint_samples_large_frames_deterministically() -> None:
    n_rows = 250_001
    frame = pd.DataFrame({"x": np.arange(n_rows, dtype="float64")})
    base = data_fingerprint(frame)
    assert data_fingerprint(frame.copy()) == base
    changed = frame.copy()
    changed.iloc[0, 0] = -1.0  # the first and last rows are always in the sample
    assert data_fingerprint(changed) != base
    assert data_fingerprint(frame.iloc[:-1]) != base  # the shape always counts


def test_library_versions_report_the_running_libraries() -> None:
    versions = library_versions()
    assert versions["scikit-learn"] == sklearn.__version__
    assert versions["numpy"] == np.__version__
    assert versions["pandas"] == pd.__version__
    assert versions["python"] == ".".join(map(str, sys.version_info[:3]))
    assert versions["jogak"]
