"""The single-row fast path: a fitted preprocessor compiled to plain Python and small numpy.

``preprocessor.transform(pd.DataFrame([record]))`` pays for a frame, scikit-learn's input
validation and pandas conversions in every step: tens of milliseconds for one row.
:func:`compile_row_transform` walks the fitted :class:`~sklearn.compose.ColumnTransformer` once
and copies what each step learned (fill values, fences, scales, level codes, target encodings,
date references, vocabularies, SVD components) into small arrays and dicts; a call then reads
the record's values, coerces each as :func:`jogak.data.coerce_frame` would, and applies them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from jogak.data import ColumnRole, ColumnRoles, coerce_frame
from jogak.errors import ConfigError, NotFittedError, SchemaError
from jogak.pipeline._rowpath_coerce import EXOTIC, RowFallback, coercer_for
from jogak.pipeline._rowpath_dates import compile_date_head
from jogak.pipeline._rowpath_steps import compile_categorical_head, compile_op, float_head
from jogak.pipeline._rowpath_text import compile_text_head

__all__ = ["RowTransform", "compile_row_transform"]

_FLOAT_ROLES = frozenset({ColumnRole.NUMERIC, ColumnRole.BOOLEAN})
_STRING_ROLES = frozenset({ColumnRole.CATEGORICAL_LOW, ColumnRole.CATEGORICAL_HIGH,
                           ColumnRole.TEXT})


@dataclass
class _Block:
    """One ColumnTransformer entry: its columns, output slice, and compiled form (if any)."""

    name: str
    transformer: Any  # the fitted step, for the exact route
    columns: list[str]
    positions: list[int]  # indices into RowTransform.columns
    start: int
    stop: int
    head: Any = None
    ops: tuple[Any, ...] = ()

    def exact(self, raw: list[Any], roles: ColumnRoles) -> np.ndarray:
        """The step on a one-row frame, through coerce_frame and scikit-learn."""
        frame = coerce_frame(pd.DataFrame([{name: raw[p] for name, p in
                                            zip(self.columns, self.positions, strict=True)}]),
                             roles)
        if isinstance(self.transformer, str):  # "passthrough"
            return frame[self.columns].to_numpy(dtype=np.float64, na_value=np.nan).ravel()
        out = self.transformer.transform(frame)
        out = out.toarray() if sp.issparse(out) else out
        return np.asarray(out, dtype=np.float64).ravel()


class RowTransform:
    """A fitted preprocessor compiled for one record at a time; build it with
    :func:`compile_row_transform`.

    Calling it maps one record (column -> value, as
    :meth:`jogak.data.FeatureSchema.validate_record` returns it) to the row
    ``preprocessor.transform(coerce_frame(pd.DataFrame([record]), roles))[0]`` (densified) as a
    1-D float64 array, without building a frame. Values the compiled path does not cover (odd
    types such as ``datetime.date`` in a date column, text such as ``"inf"`` in a numeric column)
    send their block through the fitted scikit-learn step on a one-row frame, so the result is
    the same either way; only the time differs.

    Attributes
    ----------
    columns : tuple of str
        The record keys read, in the preprocessor's input order.
    n_outputs : int
        Length of the output row.
    is_fully_compiled : bool
        Whether every step has a compiled form (False: some step always takes the exact route).
    fallback_steps : tuple of str
        Names of the steps without a compiled form.
    """

    def __init__(self, *, reads: list[tuple[str, Any, Any]], blocks: list[_Block],
                 tail: list[tuple[str, Any, Any]], n_outputs: int, roles: ColumnRoles) -> None:
        self._reads = reads
        self._blocks = blocks
        self._tail = tail
        self._width = max((block.stop for block in blocks), default=0)
        self._roles = roles
        self.columns = tuple(name for name, _, _ in reads)
        self.n_outputs = n_outputs
        self.fallback_steps = tuple(
            [block.name for block in blocks if block.head is None]
            + [name for name, _, op in tail if op is None])
        self.is_fully_compiled = not self.fallback_steps

    def __repr__(self) -> str:
        return (f"RowTransform(n_columns={len(self.columns)}, n_outputs={self.n_outputs}, "
                f"is_fully_compiled={self.is_fully_compiled})")

    def _read(self, record: Mapping[str, Any]) -> tuple[list[Any], list[Any], set[int]]:
        raw: list[Any] = []
        coerced: list[Any] = []
        exotic: set[int] = set()
        for position, (name, func, arg) in enumerate(self._reads):
            try:
                value = record[name]
            except KeyError:
                raise SchemaError(
                    f"The record has no column {name!r}; the preprocessor reads "
                    f"{list(self.columns)!r}. Hint: validate the record with the model's "
                    "FeatureSchema.validate_record first (missing values as None)."
                ) from None
            raw.append(value)
            if func is None:
                coerced.append(value)
                continue
            value = func(value, arg)
            if value is EXOTIC:
                exotic.add(position)
            coerced.append(value)
        return raw, coerced, exotic

    def __call__(self, record: Mapping[str, Any]) -> np.ndarray:
        """The preprocessed row of ``record``: a 1-D float64 array of length ``n_outputs``."""
        if not isinstance(record, Mapping):
            raise SchemaError(
                f"A RowTransform takes one record as a mapping column -> value, got "
                f"{type(record).__name__}. Hint: pass a dict; for many rows use the "
                "preprocessor's transform on a frame."
            )
        raw, coerced, exotic = self._read(record)
        out = np.empty(self._width)
        for block in self._blocks:
            out[block.start:block.stop] = self._block(block, raw, coerced, exotic)
        for _, step, op in self._tail:
            out = op(out) if op is not None else np.asarray(
                step.transform(out[None, :]), dtype=np.float64).ravel()
        return out

    def _tail_width(self) -> int:
        out = np.zeros(self._width)
        for _, step, op in self._tail:
            out = op(out) if op is not None else np.asarray(step.transform(out[None, :])).ravel()
        return int(out.shape[0])

    def _block(self, block: _Block, raw: list[Any], coerced: list[Any],
               exotic: set[int]) -> np.ndarray:
        if block.head is not None and not (exotic and exotic.intersection(block.positions)):
            try:
                values = block.head([coerced[p] for p in block.positions])
                for op in block.ops:
                    values = op(values)
                return values
            except RowFallback:
                pass
        return block.exact(raw, self._roles)


def _split(preprocessor: Any) -> tuple[ColumnTransformer, list[tuple[str, Any]]]:
    if isinstance(preprocessor, ColumnTransformer):
        return preprocessor, []
    if isinstance(preprocessor, Pipeline) and preprocessor.steps and \
            isinstance(preprocessor.steps[0][1], ColumnTransformer):
        tail = [(name, step) for name, step in preprocessor.steps[1:]
                if step is not None and not (isinstance(step, str) and step == "passthrough")]
        for name, step in tail:
            if not hasattr(step, "transform"):
                raise ConfigError(
                    f"compile_row_transform needs a preprocessor, but step {name!r} of the "
                    f"Pipeline ({type(step).__name__}) has no transform. Hint: pass the "
                    "preprocessing part only, e.g. pipeline[:-1]."
                )
        return preprocessor.steps[0][1], tail
    raise ConfigError(
        f"compile_row_transform needs a fitted ColumnTransformer (or a Pipeline starting with "
        f"one), got {type(preprocessor).__name__}. Hint: pass the result of "
        "jogak.pipeline.build_preprocessor after fit."
    )


def _chain(transformer: Any) -> list[Any]:
    steps = [step for _, step in transformer.steps] if isinstance(transformer, Pipeline) \
        else [transformer]
    return [step for step in steps
            if step is not None and not (isinstance(step, str) and step == "passthrough")]


def _compile_head(step: Any, roles: set[ColumnRole | None]) -> tuple[Any, list[Any]] | None:
    if roles <= _FLOAT_ROLES:
        op = compile_op(step)
        if op is not None:
            return float_head(), [op]
        if roles == {ColumnRole.BOOLEAN}:
            head = compile_categorical_head(step)  # BooleanEncoder on coerced 0/1 floats
            return None if head is None else (head, [])
        return None
    if roles <= _STRING_ROLES:
        head = compile_categorical_head(step)
        head = head if head is not None else compile_text_head(step)
        return None if head is None else (head, [])
    if roles == {ColumnRole.DATETIME}:
        head = compile_date_head(step)
        return None if head is None else (head, [])
    return None


def _compile_block(block: _Block, roles: set[ColumnRole | None]) -> None:
    if isinstance(block.transformer, str):  # "passthrough"
        if roles <= _FLOAT_ROLES:
            block.head = float_head()
        return
    steps = _chain(block.transformer)
    if not steps:
        return
    compiled = _compile_head(steps[0], roles)
    if compiled is None:
        return
    head, ops = compiled
    for step in steps[1:]:
        op = compile_op(step)
        if op is None:
            return
        ops.append(op)
    block.head, block.ops = head, tuple(ops)


def compile_row_transform(preprocessor: Any, roles: ColumnRoles) -> RowTransform:
    """Compile a fitted preprocessor into a fast function of one record.

    Parameters
    ----------
    preprocessor : ColumnTransformer or Pipeline
        Fitted on a frame coerced with ``coerce_frame(frame, roles)``: the result of
        :func:`build_preprocessor` (any style), or a Pipeline starting with it whose later steps
        map float arrays to float arrays (compiled when they are jogak scalers, imputers,
        clippers or feature selectors, else called on the row).
    roles : ColumnRoles
        The roles used to coerce the training frame.

    Returns
    -------
    RowTransform
        ``row(record)`` equals ``preprocessor.transform(coerce_frame(pd.DataFrame([record]),
        roles))[0]`` (densified), as a 1-D float64 array.

    Raises
    ------
    ConfigError
        ``preprocessor`` is not a ColumnTransformer fitted on a frame (or a Pipeline starting
        with one), or ``roles`` is not a ColumnRoles.
    NotFittedError
        ``preprocessor`` is not fitted.

    Examples
    --------
    >>> import pandas as pd
    >>> from jogak.data import coerce_frame, infer_roles
    >>> from jogak.pipeline import build_preprocessor
    >>> frame = pd.DataFrame({"age": [20.0, None, 50.0, 41.0], "plan": ["a", "b", "a", "b"]})
    >>> roles = infer_roles(frame)
    >>> pre = build_preprocessor(roles, "tree").fit(coerce_frame(frame, roles))
    >>> row = compile_row_transform(pre, roles)
    >>> row({"age": None, "plan": "b"}).tolist()
    [41.0, 1.0, 1.0]
    >>> row.is_fully_compiled
    True
    """
    if not isinstance(roles, ColumnRoles):
        raise ConfigError(
            f"compile_row_transform needs the ColumnRoles used to coerce the training frame, "
            f"got {type(roles).__name__}. Hint: jogak.data.infer_roles(frame)."
        )
    transformer, tail_steps = _split(preprocessor)
    try:
        check_is_fitted(transformer)
    except SklearnNotFittedError as exc:
        raise NotFittedError(
            "compile_row_transform needs a fitted preprocessor, but this ColumnTransformer is "
            "not fitted yet. Hint: call fit(coerce_frame(frame, roles), y) first."
        ) from exc
    names_in = getattr(transformer, "feature_names_in_", None)
    if names_in is None:
        raise ConfigError(
            "compile_row_transform needs a ColumnTransformer fitted on a DataFrame (it reads "
            "records by column name), but this one was fitted on an array. Hint: fit it on "
            "coerce_frame(frame, roles)."
        )
    names_in = [str(name) for name in names_in]
    positions: dict[str, int] = {}
    blocks: list[_Block] = []
    for name, step, _ in transformer.transformers_:
        where = transformer.output_indices_[name]
        if (isinstance(step, str) and step == "drop") or where.start == where.stop:
            continue
        columns = [names_in[i] for i in transformer._transformer_to_input_indices[name]]
        for column in columns:
            positions.setdefault(column, len(positions))
        block = _Block(name=name, transformer=step, columns=columns,
                       positions=[positions[column] for column in columns],
                       start=where.start, stop=where.stop)
        column_roles = {roles.info[c].role if c in roles.info else None for c in columns}
        _compile_block(block, column_roles)
        blocks.append(block)
    reads = [(column, *(coercer_for(roles.info.get(column)) or (None, None)))
             for column in positions]
    tail = [(name, step, compile_op(step)) for name, step in tail_steps]
    row = RowTransform(reads=reads, blocks=blocks, tail=tail, n_outputs=0, roles=roles)
    row.n_outputs = row._tail_width()
    return row
