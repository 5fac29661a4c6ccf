"""Registry look-ups, availability of extras, build contexts and the optional-import helper."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import Any

import pytest

from jogak.data import Task
from jogak.errors import ConfigError, MissingDependencyError
from jogak.models._optional import is_installed, require
from jogak.models.catalog import CATALOG, BuildContext, available_specs, get_spec

FAMILIES = {"linear", "knn", "random_forest", "extra_trees", "hist_gb", "lightgbm", "xgboost",
            "catboost", "mlp", "tabular_mlp", "tabular_resnet"}


def _hide(monkeypatch: pytest.MonkeyPatch, *hidden: str) -> None:
    """Make ``hidden`` modules look uninstalled to both import paths the catalog uses."""
    real_import, real_find = importlib.import_module, importlib.util.find_spec

    def fake_import(name: str, package: str | None = None) -> ModuleType:
        if name.split(".")[0] in hidden:
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, package)

    def fake_find(name: str, package: str | None = None) -> Any:
        return None if name.split(".")[0] in hidden else real_find(name, package)

    monkeypatch.setattr(importlib, "import_module", fake_import)
    monkeypatch.setattr(importlib.util, "find_spec", fake_find)


def test_catalog_holds_every_family() -> None:
    assert set(CATALOG) == FAMILIES
    assert all(spec.name == name for name, spec in CATALOG.items())
    with pytest.raises(TypeError):
        CATALOG["new"] = CATALOG["linear"]  # type: ignore[index]


def test_get_spec_typo_names_the_close_match() -> None:
    assert get_spec("xgboost") is CATALOG["xgboost"]
    with pytest.raises(ConfigError, match=r"Unknown model family 'lightgbn'.*'catboost'.*"
                                          r"Hint: did you mean 'lightgbm'\?"):
        get_spec("lightgbn")
    with pytest.raises(ConfigError, match="pick one of the names above"):
        get_spec("zzz")


def test_available_specs_sorted_by_cost_with_include_and_exclude() -> None:
    specs = available_specs(Task.MULTICLASS)
    assert {spec.name for spec in specs} == FAMILIES
    costs = [spec.relative_cost for spec in specs]
    assert costs == sorted(costs)
    assert specs[0].name == "linear"
    chosen = available_specs("regression", include=["lightgbm", "linear", "lightgbm"])
    assert [spec.name for spec in chosen] == ["linear", "lightgbm"]
    rest = available_specs(Task.BINARY, exclude=["catboost", "tabular_resnet"])
    assert {spec.name for spec in rest} == FAMILIES - {"catboost", "tabular_resnet"}
    with pytest.raises(ConfigError, match="did you mean 'knn'"):
        available_specs(Task.BINARY, exclude=["knnn"])


def test_missing_extra_hides_family_and_build_says_how_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _hide(monkeypatch, "lightgbm", "torch")
    assert not CATALOG["lightgbm"].is_available()
    assert not CATALOG["tabular_resnet"].is_available()
    names = {spec.name for spec in available_specs(Task.BINARY)}
    assert names == FAMILIES - {"lightgbm", "tabular_mlp", "tabular_resnet"}
    context = BuildContext(task=Task.BINARY, n_rows=100, n_features=3)
    with pytest.raises(MissingDependencyError, match=r"pip install 'jogak\[lightgbm\]'"):
        CATALOG["lightgbm"].build({}, context)
    with pytest.raises(MissingDependencyError, match=r"'torch' is needed by the "
                                                     r"'tabular_mlp' model family.*jogak\[deep\]"):
        CATALOG["tabular_mlp"].build({}, context)
    with pytest.raises(MissingDependencyError, match=r"\['lightgbm'\] is not installed.*"
                                                     r"jogak\[lightgbm\]"):
        available_specs(Task.BINARY, include=["lightgbm"])


def test_torch_estimator_fit_names_the_deep_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from jogak.models.catalog import TabularMLPRegressor

    _hide(monkeypatch, "torch")
    with pytest.raises(MissingDependencyError, match=r"pip install 'jogak\[deep\]'"):
        TabularMLPRegressor().fit([[0.0], [1.0]], [0.0, 1.0])


def test_require_and_is_installed() -> None:
    assert require("json", extra="core").__name__ == "json"
    assert is_installed("json")
    assert not is_installed("jogak_surely_missing_module")
    with pytest.raises(MissingDependencyError, match=r"'jogak_surely_missing_module' is needed "
                                                     r"but could not be imported"):
        require("jogak_surely_missing_module", extra="x")
    with pytest.raises(ImportError):  # still an ImportError for callers that do not know jogak
        require("jogak_surely_missing_module", extra="x")


def test_spec_refuses_a_task_it_does_not_handle() -> None:
    spec = CATALOG["linear"]
    narrow = type(spec)(**{**{f: getattr(spec, f) for f in spec.__dataclass_fields__},
                           "tasks": frozenset({Task.REGRESSION})})
    with pytest.raises(ConfigError, match=r"handles tasks \['regression'\], got 'binary'"):
        narrow.build({}, BuildContext(task=Task.BINARY, n_rows=10, n_features=2))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"task": Task.BINARY, "n_rows": 0, "n_features": 3}, "n_rows >= 1"),
    ({"task": Task.MULTICLASS, "n_rows": 10, "n_features": 3}, r"n_classes must be >= 3"),
    ({"task": Task.BINARY, "n_rows": 10, "n_features": 3, "n_classes": 3}, "must be 2"),
    ({"task": Task.REGRESSION, "n_rows": 10, "n_features": 3, "n_classes": 4}, "must be 0 or 1"),
    ({"task": Task.REGRESSION, "n_rows": 10, "n_features": 3, "categorical_indices": [3]},
     r"categorical_indices must lie in \[0, 3\)"),
    ({"task": Task.REGRESSION, "n_rows": 10, "n_features": 3, "n_jobs": 0}, "n_jobs must be"),
], ids=["rows", "multiclass", "binary", "regression", "indices", "jobs"])
def test_build_context_rejects_inconsistent_values(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        BuildContext(**kwargs)


def test_build_context_normalises_task_classes_and_indices() -> None:
    context = BuildContext(task="binary", n_rows=10, n_features=4,  # type: ignore[arg-type]
                           categorical_indices=[2, 0, 2])
    assert context.task is Task.BINARY
    assert context.n_classes == 2
    assert context.categorical_indices == (0, 2)
    assert context.n_jobs == 2
