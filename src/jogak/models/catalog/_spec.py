"""ModelSpec: one model family, its search space, defaults and zero-shot portfolio."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from jogak.data import Task
from jogak.errors import ConfigError
from jogak.models._optional import is_installed, require

if TYPE_CHECKING:
    import optuna

    from jogak.pipeline import FeatureStyle

__all__ = ["WIDTH_REFERENCE", "BuildContext", "CategoricalHandling", "ModelSpec", "SearchSpace"]

CategoricalHandling = Literal["one_hot", "ordinal", "native"]

Params = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class BuildContext:
    """What a model family needs to know about the data to build and search a learner.

    Parameters
    ----------
    task : Task
        Regression, binary or multiclass classification.
    n_rows : int
        Rows the learner is fitted on (the training fold in cross-validation).
    n_features : int
        Columns of the preprocessed matrix the learner receives.
    n_classes : int, default=0
        Number of classes; ``0`` means "derive": 2 for binary, unused for regression.
        Multiclass needs it (at least 3).
    categorical_indices : sequence of int, default=()
        Positions of integer-coded categorical columns (NATIVE style: the first ``k`` columns).
        Stored as a sorted tuple.
    random_state : int, default=0
        Seed handed to every learner.
    n_jobs : int, default=2
        Threads a learner may use.
    has_sparse_input : bool, default=False
        Whether the learner will receive a scipy sparse matrix.
    monotone : sequence of int, default=()
        Monotone constraint of each preprocessed column: ``+1`` the prediction may only rise
        with the column, ``-1`` only fall, ``0`` free. Empty: no constraints. Only families with
        ``supports_monotone`` build a learner when a constraint is non-zero.

    Raises
    ------
    ConfigError
        When a value is out of range or inconsistent with ``task``.

    Examples
    --------
    >>> from jogak.data import Task
    >>> BuildContext(task=Task.BINARY, n_rows=100, n_features=4).n_classes
    2
    """

    task: Task
    n_rows: int
    n_features: int
    n_classes: int = 0
    categorical_indices: Sequence[int] = ()
    random_state: int = 0
    n_jobs: int = 2
    has_sparse_input: bool = False
    monotone: Sequence[int] = ()

    def __post_init__(self) -> None:
        task = Task(self.task)
        object.__setattr__(self, "task", task)
        if self.n_rows < 1 or self.n_features < 1:
            raise ConfigError(
                f"BuildContext needs n_rows >= 1 and n_features >= 1, got n_rows={self.n_rows}, "
                f"n_features={self.n_features}. Hint: build the context from the training fold.")
        if self.n_jobs < 1:
            raise ConfigError(f"BuildContext.n_jobs must be >= 1, got {self.n_jobs}. "
                              "Hint: pass the number of threads a learner may use.")
        n_classes = self.n_classes
        if task is Task.BINARY and n_classes == 0:
            n_classes = 2
        expected = {Task.REGRESSION: "0 or 1", Task.BINARY: "2", Task.MULTICLASS: ">= 3"}[task]
        valid = {Task.REGRESSION: n_classes in (0, 1), Task.BINARY: n_classes == 2,
                 Task.MULTICLASS: n_classes >= 3}[task]
        if not valid:
            raise ConfigError(
                f"BuildContext.n_classes must be {expected} for task {task.value!r}, got "
                f"{self.n_classes}. Hint: pass the number of distinct target classes.")
        object.__setattr__(self, "n_classes", n_classes)
        indices = tuple(sorted({int(i) for i in self.categorical_indices}))
        if indices and (indices[0] < 0 or indices[-1] >= self.n_features):
            raise ConfigError(
                f"BuildContext.categorical_indices must lie in [0, {self.n_features}), got "
                f"{list(indices)}. Hint: indices refer to columns of the preprocessed matrix.")
        object.__setattr__(self, "categorical_indices", indices)
        monotone = tuple(self.monotone)
        if monotone and (len(monotone) != self.n_features
                         or any(v not in (-1, 0, 1) for v in monotone)):
            raise ConfigError(
                f"BuildContext.monotone must hold one of -1, 0, 1 per preprocessed column "
                f"({self.n_features}), got {len(monotone)} value(s): {list(monotone)[:10]}. "
                "Hint: leave it empty for no constraints.")
        if monotone and any(monotone[i] for i in indices):
            raise ConfigError(
                "BuildContext.monotone constrains a categorical column (positions "
                f"{[i for i in indices if monotone[i]]}); categories have no order. Hint: "
                "constrain numeric columns only.")
        object.__setattr__(self, "monotone", tuple(int(v) for v in monotone))

    @property
    def is_monotone(self) -> bool:
        """Whether any column carries a monotone constraint."""
        return any(self.monotone)


class SearchSpace:
    """An Optuna trial seen through one family: parameter names get the ``"<family>."`` prefix.

    The prefix lets one study hold every family without two families' parameters colliding;
    the values come back under their plain names.
    """

    def __init__(self, trial: optuna.Trial, family: str) -> None:
        self._trial = trial
        self._prefix = f"{family}."

    def int(self, name: str, low: int, high: int, *, log: bool = False) -> int:
        """An integer in ``[low, high]`` (``high`` is raised to ``low`` if smaller)."""
        return int(self._trial.suggest_int(self._prefix + name, low, max(low, high), log=log))

    def float(self, name: str, low: float, high: float, *, log: bool = False) -> float:
        """A float in ``[low, high]``."""
        return float(self._trial.suggest_float(self._prefix + name, low, high, log=log))

    def categorical(self, name: str, choices: Sequence[Any]) -> Any:
        """One of ``choices`` (keep them the same across trials: Optuna requires it)."""
        return self._trial.suggest_categorical(self._prefix + name, list(choices))


WIDTH_REFERENCE = 1000
"""Input columns up to which a width-sensitive family costs its ``relative_cost``."""


@dataclass(frozen=True, kw_only=True)
class ModelSpec:
    """One model family: how to build it, what to search, and what it expects as input.

    A spec is data plus four functions; AutoML iterates over specs and needs no family-specific
    code. Parameters passed to :meth:`build` override :meth:`defaults`; any other key is refused.

    Parameters
    ----------
    name : str
        Registry key, e.g. ``"lightgbm"``.
    tasks : frozenset of Task
        Tasks the family handles.
    style : FeatureStyle
        The preprocessing the learner expects (see :func:`jogak.pipeline.build_preprocessor`).
    relative_cost : float
        Rough fitting cost relative to LightGBM (1.0); AutoML tries cheap families first.
    extra : str or None
        The pip extra that installs the family's library (None: part of the core install).
    modules : tuple of str
        Modules that must be importable for the family to be available.
    builder : callable
        ``(params, context) -> estimator`` with ``params`` complete (defaults merged).
    suggester : callable
        ``(space, context) -> params``: draws the searched parameters from a
        :class:`SearchSpace`.
    default_params : callable
        ``context -> params``: every parameter ``builder`` understands, with its default.
    portfolio_params : callable
        ``context -> list of params``: known-good configurations (overrides of the defaults).
    handles_sparse : bool
        Whether the learner accepts scipy sparse input.
    supports_sample_weight : bool
        Whether ``fit`` takes ``sample_weight``.
    native_categorical : {"one_hot", "ordinal", "native"}
        How the learner takes categorical columns.
    supports_monotone : bool
        Whether the builder honours ``context.monotone`` (monotone constraints per column).
    width_sensitive : bool
        Whether every row pays every input column (dense neural networks): on inputs wider
        than ``WIDTH_REFERENCE`` columns (TF-IDF) the cost grows with the width
        (:meth:`cost_at_width`).
    description : str
        One line for leaderboards and ``--help``.
    """

    name: str
    tasks: frozenset[Task]
    style: FeatureStyle
    relative_cost: float
    extra: str | None
    builder: Callable[[Params, BuildContext], Any] = field(repr=False)
    suggester: Callable[[SearchSpace, BuildContext], Params] = field(repr=False)
    default_params: Callable[[BuildContext], Params] = field(repr=False)
    portfolio_params: Callable[[BuildContext], list[Params]] = field(repr=False)
    modules: tuple[str, ...] = ()
    handles_sparse: bool = False
    supports_sample_weight: bool = True
    native_categorical: CategoricalHandling = "one_hot"
    supports_monotone: bool = False
    width_sensitive: bool = False
    description: str = ""

    def cost_at_width(self, n_features: int) -> float:
        """``relative_cost`` on an input of ``n_features`` columns.

        A width-sensitive family's cost grows in proportion beyond ``WIDTH_REFERENCE`` columns:
        a tabular ResNet's first fold on TMDB's 40,000 TF-IDF columns took 27.7 s where its
        relative cost, scaled from the boosters' folds, promised about 1.3 s (a 30 s fit ended
        after 39.6 s).
        """
        if not self.width_sensitive:
            return self.relative_cost
        return self.relative_cost * max(1.0, n_features / WIDTH_REFERENCE)

    def __post_init__(self) -> None:
        if self.relative_cost <= 0:
            raise ConfigError(f"ModelSpec {self.name!r}: relative_cost must be > 0, "
                              f"got {self.relative_cost}.")
        if self.native_categorical not in ("one_hot", "ordinal", "native"):
            raise ConfigError(f"ModelSpec {self.name!r}: native_categorical must be one of "
                              f"'one_hot', 'ordinal', 'native', got {self.native_categorical!r}.")
        if not self.tasks:
            raise ConfigError(f"ModelSpec {self.name!r} must handle at least one task.")

    def is_available(self) -> bool:
        """Whether the family's optional modules are installed."""
        return all(is_installed(module) for module in self.modules)

    def supports(self, task: Task) -> bool:
        """Whether the family handles ``task``."""
        return Task(task) in self.tasks

    def defaults(self, context: BuildContext) -> Params:
        """Every parameter the family understands, with its default for this data size."""
        return dict(self.default_params(context))

    def portfolio(self, context: BuildContext) -> list[Params]:
        """Known-good configurations to try before searching (full parameter sets).

        The first entry is always :meth:`defaults`; the others are zero-shot configurations
        that often win on other data (FLAML and AutoGluon portfolios).
        """
        base = self.defaults(context)
        configs = [base]
        for overrides in self.portfolio_params(context):
            config = {**base, **self._checked(overrides, base)}
            if config not in configs:
                configs.append(config)
        return configs

    def suggest(self, trial: optuna.Trial, context: BuildContext) -> Params:
        """Draw searched parameters from ``trial``, with ranges scaled to ``context``.

        Trial parameters are named ``"<name>.<parameter>"``; the returned dict uses the plain
        names and equals the family's part of ``trial.params`` with the prefix removed, so a
        finished trial is rebuilt with ``spec.build(spec.params_from_trial(trial.params), ...)``.
        Parameters not searched keep their defaults in :meth:`build`.
        """
        self._check_task(context)
        params = self.suggester(SearchSpace(trial, self.name), context)
        return self._checked(params, self.defaults(context))

    def params_from_trial(self, trial_params: Mapping[str, Any]) -> Params:
        """This family's parameters from a trial's ``params`` (prefix removed, others dropped)."""
        prefix = f"{self.name}."
        return {key[len(prefix):]: value for key, value in trial_params.items()
                if key.startswith(prefix)}

    def build(self, params: Mapping[str, Any], context: BuildContext) -> Any:
        """A fresh, unfitted scikit-learn estimator with ``params`` over the defaults.

        Raises
        ------
        ConfigError
            When the family does not handle ``context.task``, a parameter is unknown, or the
        context has monotone constraints the family cannot honour.
        MissingDependencyError
            When the family's extra is not installed.
        """
        self._check_task(context)
        if context.is_monotone and not self.supports_monotone:
            raise ConfigError(
                f"Model family {self.name!r} cannot honour monotone constraints. Hint: use a "
                "family with supports_monotone (lightgbm, xgboost, hist_gb) or drop the "
                "constraints.")
        base = self.defaults(context)
        merged = {**base, **self._checked(params, base)}
        for module in self.modules:
            require(module, extra=self.extra or module, purpose=f"the {self.name!r} model family")
        return self.builder(merged, context)

    def _check_task(self, context: BuildContext) -> None:
        if context.task not in self.tasks:
            handled = sorted(task.value for task in self.tasks)
            raise ConfigError(
                f"Model family {self.name!r} handles tasks {handled}, got "
                f"{context.task.value!r}. Hint: exclude it for this task.")

    def _checked(self, params: Mapping[str, Any], known: Mapping[str, Any]) -> Params:
        unknown = [key for key in params if key not in known]
        if unknown:
            hints = [_close_match(key, known) for key in unknown]
            hint = "; ".join(h for h in hints if h) or f"known parameters: {sorted(known)}"
            raise ConfigError(
                f"Model family {self.name!r} got unknown parameter(s) {unknown}. "
                f"Expected some of {sorted(known)}. Hint: {hint}.")
        return dict(params)


def _close_match(word: str, options: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, list(options), n=1)
    return f"did you mean {matches[0]!r} for {word!r}?" if matches else ""
