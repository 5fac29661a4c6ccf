"""The catalog of model families: look-up by name and the families available for a task."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from jogak.data import Task
from jogak.errors import ConfigError, MissingDependencyError
from jogak.models.catalog._catboost import CATBOOST
from jogak.models.catalog._forests import EXTRA_TREES, RANDOM_FOREST
from jogak.models.catalog._hist_gb import HIST_GB
from jogak.models.catalog._lightgbm import LIGHTGBM
from jogak.models.catalog._linear import LINEAR
from jogak.models.catalog._mlp import MLP
from jogak.models.catalog._neighbors import KNN
from jogak.models.catalog._spec import ModelSpec
from jogak.models.catalog._torch_nets import TABULAR_MLP, TABULAR_RESNET
from jogak.models.catalog._xgboost import XGBOOST

__all__ = ["CATALOG", "available_specs", "get_spec"]

#: Every model family jogak knows, by name (installed or not; see :meth:`ModelSpec.is_available`).
CATALOG: Mapping[str, ModelSpec] = MappingProxyType({spec.name: spec for spec in (
    LINEAR, KNN, RANDOM_FOREST, EXTRA_TREES, HIST_GB, LIGHTGBM, XGBOOST, CATBOOST, MLP,
    TABULAR_MLP, TABULAR_RESNET)})


def get_spec(name: str) -> ModelSpec:
    """The model family called ``name``.

    Raises
    ------
    ConfigError
        For an unknown name; the message lists the names and the closest match.

    Examples
    --------
    >>> get_spec("lightgbm").style.value
    'native'
    """
    try:
        return CATALOG[name]
    except KeyError:
        close = difflib.get_close_matches(str(name), list(CATALOG), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "pick one of the names above."
        raise ConfigError(f"Unknown model family {name!r}; expected one of {sorted(CATALOG)}. "
                          f"Hint: {hint}") from None


def available_specs(task: Task | str, *, include: Iterable[str] | None = None,
                    exclude: Iterable[str] | None = None) -> list[ModelSpec]:
    """The families that handle ``task`` and are installed, cheapest first.

    Parameters
    ----------
    task : Task or str
        The learning task.
    include : iterable of str, optional
        Only these families. Each must exist, handle ``task`` and be installed.
    exclude : iterable of str, optional
        Leave these families out (each must exist).

    Returns
    -------
    list of ModelSpec
        Sorted by ``relative_cost``, then name.

    Raises
    ------
    ConfigError
        For an unknown name, or an included family that does not handle ``task``.
    MissingDependencyError
        For an included family whose extra is not installed.

    Examples
    --------
    >>> [spec.name for spec in available_specs("regression", include=["knn", "linear"])]
    ['linear', 'knn']
    """
    task = Task(task)
    excluded = {get_spec(name).name for name in (exclude or ())}
    if include is not None:
        chosen = [get_spec(name) for name in include]
        for spec in chosen:
            if not spec.supports(task):
                raise ConfigError(
                    f"Model family {spec.name!r} does not handle task {task.value!r}; it handles "
                    f"{sorted(t.value for t in spec.tasks)}. Hint: drop it from include.")
            if not spec.is_available():
                raise MissingDependencyError(
                    f"Model family {spec.name!r} was asked for but {list(spec.modules)} is not "
                    f"installed. Hint: pip install 'jogak[{spec.extra}]' or drop it from include.")
    else:
        chosen = [spec for spec in CATALOG.values() if spec.supports(task) and spec.is_available()]
    unique = {spec.name: spec for spec in chosen if spec.name not in excluded}
    return sorted(unique.values(), key=lambda spec: (spec.relative_cost, spec.name))
