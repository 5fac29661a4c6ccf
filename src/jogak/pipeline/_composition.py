"""A ColumnTransformer that assembles its output in place and transforms frames on a fast path."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn import get_config
from sklearn.compose import ColumnTransformer
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError, SchemaError
from jogak.pipeline._assembly import (
    fit_blocks,
    supports_columns,
    transform_columns,
    transform_rows_into,
)
from jogak.pipeline._numeric_columns import NumericColumns
from jogak.pipeline._sparse import side_by_side

__all__ = ["FastColumnTransformer", "NumericColumns"]


class FastColumnTransformer(ColumnTransformer):
    """:class:`~sklearn.compose.ColumnTransformer` with lean ``fit_transform`` and fast
    ``transform`` for frames.

    Same parameters, fitting and output as its parent, plus ``dtype``. When given a DataFrame
    with named column selections, numpy output and no transformer weights:

    - ``fit_transform`` writes every step's output straight into one preallocated array instead
      of keeping all blocks and stacking them. Numeric steps that learn per-column statistics
      are fitted a column at a time, and row-wise steps transform blocks of rows, so no full
      intermediate array exists; the peak is the output plus a few columns (see
      ``jogak.pipeline._assembly``). Steps and output are those of the parent.
    - ``transform`` (when every step is a jogak transformer, or a Pipeline starting with one)
      takes each needed column out of the frame once and hands it to the fitted steps as arrays,
      skipping pandas sub-frames and repeated input validation (one-row predictions on the
      serving path); large frames are transformed a block of rows at a time into the output.

    Anything else goes through ``ColumnTransformer``'s own methods.

    Parameters
    ----------
    dtype : {"float64", "float32"}, default="float64"
        Dtype of dense outputs. ``"float32"`` halves the output's memory; values are the
        float64 results rounded.
    """

    def __init__(self, transformers: list[tuple[str, Any, Any]], *, remainder: Any = "drop",
                 sparse_threshold: float = 0.3, n_jobs: int | None = None,
                 transformer_weights: dict[str, float] | None = None, verbose: bool = False,
                 verbose_feature_names_out: bool = True, dtype: Any = "float64") -> None:
        super().__init__(transformers, remainder=remainder, sparse_threshold=sparse_threshold,
                         n_jobs=n_jobs, transformer_weights=transformer_weights,
                         verbose=verbose, verbose_feature_names_out=verbose_feature_names_out)
        self.dtype = dtype

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("dtype", "float64")  # pickled before the parameter existed
        super().__setstate__(state)

    def _output_dtype(self) -> np.dtype:
        try:
            dtype = None if self.dtype is None else np.dtype(self.dtype)
        except TypeError:
            dtype = None
        if dtype is None or dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
            raise ConfigError(f"The 'dtype' parameter of {type(self).__name__} must be "
                              f"'float64' or 'float32'. Got {self.dtype!r} instead.")
        return dtype

    def _numpy_output(self) -> bool:
        output = getattr(self, "_sklearn_output_config", {}).get(
            "transform", get_config()["transform_output"])
        return output == "default"

    def _fast_steps(self, X: Any) -> list[tuple[Any, list[str], slice]] | None:
        if not isinstance(X, pd.DataFrame) or not X.columns.is_unique or \
                not self._numpy_output():
            return None
        steps: list[tuple[Any, list[str], slice]] = []
        for name, step, columns in self.transformers_:
            if isinstance(step, str) and step == "drop":
                continue
            if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
                return None
            if not columns:
                continue
            if isinstance(step, str) or not supports_columns(step):
                return None
            steps.append((step, columns, self.output_indices_[name]))
        available = set(X.columns)
        missing = sorted({column for _, columns, _ in steps for column in columns
                          if column not in available})
        if missing:
            raise SchemaError(
                f"The preprocessor was fitted with columns {missing!r}, which this frame lacks "
                f"(it has {len(available)} columns). Hint: pass every feature column used in "
                "fit; extra columns are ignored."
            )
        return steps

    def _require_frame(self, X: Any) -> None:
        named = any(isinstance(columns, list) and columns and isinstance(columns[0], str)
                    for _, _, columns in self.transformers)
        if named and not isinstance(X, pd.DataFrame):
            raise SchemaError(
                f"{type(self).__name__} selects columns by name and needs a pandas DataFrame, "
                f"got {type(X).__name__}. Hint: pd.DataFrame(X, columns=names)."
            )

    def _lean_fit(self, X: Any, params: dict[str, Any]) -> bool:
        if params or not isinstance(X, pd.DataFrame) or not X.columns.is_unique or \
                self.transformer_weights or self.sparse_threshold != 0 or \
                not self._numpy_output():
            return False
        for _, step, columns in self.transformers:
            if isinstance(step, str) and step != "drop":
                return False
            if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
                return False
        return self.remainder == "drop"

    def fit_transform(self, X: Any, y: Any = None, **params: Any) -> Any:
        """Fit every step on its columns and return their outputs side by side."""
        self._require_frame(X)
        dtype = self._output_dtype()
        self._lean_dtype = dtype if self._lean_fit(X, params) else None
        try:
            result = super().fit_transform(X, y, **params)
        finally:
            self.__dict__.pop("_lean_dtype", None)
            self.__dict__.pop("_lean_output", None)
        return _as_dtype(result, dtype)

    def _call_func_on_transformers(self, X: Any, y: Any, func: Any, column_as_labels: bool,
                                   routed_params: Any) -> Any:
        dtype = getattr(self, "_lean_dtype", None)
        if dtype is None or getattr(func, "__name__", "") != "_fit_transform_one":
            return super()._call_func_on_transformers(X, y, func, column_as_labels,
                                                      routed_params)
        steps = [(step, columns) for _, step, columns, _ in self._iter(
            fitted=False, column_as_labels=False, skip_drop=True, skip_empty_columns=True)]
        blocks = fit_blocks(steps, X, y)
        bounds = np.cumsum([0] + [block.width for block in blocks])
        out = np.empty((X.shape[0], int(bounds[-1])), dtype=dtype)
        for block, start in zip(blocks, bounds[:-1], strict=True):
            if block.output is not None:
                out[:, start:start + block.width] = block.output
                block.output = None
            else:
                transform_rows_into(out, int(start), block.step, X, block.columns)
        self._lean_output = out
        return [(out[:, start:start + block.width], block.step)
                for block, start in zip(blocks, bounds[:-1], strict=True)]

    def _hstack(self, Xs: list[Any], *, n_samples: int) -> Any:
        out = self.__dict__.pop("_lean_output", None)
        if out is not None:
            return out  # the blocks are already side by side in it
        if self.sparse_output_:
            # scikit-learn checks every sparse block and refuses one 0 columns wide (a text
            # column whose values all clean away, e.g. JSON lists of ids): leave those out
            Xs = [X for X in Xs if X.shape[1]] or Xs
        return super()._hstack(Xs, n_samples=n_samples)

    def transform(self, X: Any, **params: Any) -> Any:
        """Transform ``X`` (see the class description for the fast path)."""
        check_is_fitted(self)
        self._require_frame(X)
        dtype = self._output_dtype()
        steps = None if params else self._fast_steps(X)
        if steps is None:
            return _as_dtype(super().transform(X, **params), dtype)
        if self.sparse_output_ or X.shape[0] <= 1:
            arrays: dict[str, np.ndarray] = {}
            blocks = []
            for step, columns, _ in steps:
                for column in columns:
                    if column not in arrays:
                        arrays[column] = X[column].to_numpy()
                blocks.append(transform_columns(step, [arrays[column] for column in columns]))
            if self.sparse_output_:
                return side_by_side(blocks)
            dense = [block.toarray() if sp.issparse(block) else block for block in blocks]
            return _as_dtype(np.hstack(dense) if dense else np.empty((X.shape[0], 0)), dtype)
        width = max((where.stop for _, _, where in steps), default=0)
        out = np.empty((X.shape[0], width), dtype=dtype)
        for step, columns, where in steps:
            transform_rows_into(out, where.start, step, X, columns)
        return out


def _as_dtype(result: Any, dtype: np.dtype) -> Any:
    if dtype == np.float64 or sp.issparse(result) or not isinstance(result, np.ndarray):
        return result
    return result.astype(dtype, copy=False)
