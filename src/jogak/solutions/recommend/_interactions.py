"""User–item interactions: a validated frame turned into a sparse users × items matrix."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
import scipy.sparse as sp

from jogak.errors import ConfigError, SchemaError

__all__ = ["DuplicatePolicy", "InteractionData", "UnknownIdError", "build_interactions"]

DuplicatePolicy = Literal["last", "mean", "max", "sum", "error"]


class UnknownIdError(SchemaError, KeyError):
    """A user or item id is not in the trained model."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class InteractionData:
    """A users × items interaction matrix and the ids behind its rows and columns.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix of shape (n_users, n_items), float32
        Ratings (explicit data) or event counts (implicit data); zero means no interaction.
    user_ids, item_ids : numpy.ndarray
        The id of each row and of each column, in order.
    n_duplicates : int
        Rows that repeated an earlier (user, item) pair and were merged by the duplicate policy.
    """

    matrix: sp.csr_matrix
    user_ids: np.ndarray
    item_ids: np.ndarray
    n_duplicates: int = 0

    @property
    def n_users(self) -> int:
        """Number of users (rows)."""
        return int(self.matrix.shape[0])

    @property
    def n_items(self) -> int:
        """Number of items (columns), including catalogue items without interactions."""
        return int(self.matrix.shape[1])


def _close(name: str, options: Sequence[str]) -> str:
    match = difflib.get_close_matches(name, [str(o) for o in options], n=1)
    return f" Did you mean {match[0]!r}?" if match else ""


def check_columns(frame: pd.DataFrame, columns: dict[str, str | None], what: str) -> None:
    """Raise a SchemaError naming every missing column, with a close match."""
    for option, name in columns.items():
        if name is not None and name not in frame.columns:
            raise SchemaError(f"The {what} need a column {name!r} ({option}), but it is not there; "
                              f"columns are {list(frame.columns)[:30]}."
                              f"{_close(name, list(frame.columns))}")


def build_interactions(frame: pd.DataFrame, *, user_col: str, item_col: str,
                       rating_col: str | None = None, time_col: str | None = None,
                       duplicates: DuplicatePolicy = "last",
                       item_ids: Sequence[object] | None = None) -> InteractionData:
    """Turn an interaction frame into a sparse users × items matrix.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per interaction (a rating or an event).
    user_col, item_col : str
        Columns with the user and item ids.
    rating_col : str, optional
        Explicit ratings (numeric, > 0 counts as an interaction). Without it every row is one
        implicit event and repeated pairs are counted.
    time_col : str, optional
        Orders the rows before ``duplicates="last"`` keeps the latest rating.
    duplicates : {"last", "mean", "max", "sum", "error"}, default="last"
        How repeated (user, item) pairs with a rating are merged. Without a rating column
        events are always summed (counted).
    item_ids : sequence, optional
        The full catalogue: items listed here without interactions become empty columns (cold
        items that content can still recommend).

    Returns
    -------
    InteractionData

    Raises
    ------
    SchemaError
        For missing columns, missing ids, non-numeric or missing ratings, an empty frame, or
        duplicate pairs when ``duplicates="error"``.
    ConfigError
        For an unknown duplicate policy.

    Examples
    --------
    >>> frame = pd.DataFrame({"u": [1, 1, 2], "i": ["a", "b", "a"]})
    >>> data = build_interactions(frame, user_col="u", item_col="i")
    >>> data.matrix.toarray().tolist(), list(data.item_ids)
    ([[1.0, 1.0], [1.0, 0.0]], ['a', 'b'])
    """
    if duplicates not in get_args(DuplicatePolicy):
        raise ConfigError(f"duplicates must be one of {get_args(DuplicatePolicy)}, "
                          f"got {duplicates!r}.")
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"Interactions must be a pandas DataFrame, got {type(frame).__name__}.")
    check_columns(frame, {"user_col": user_col, "item_col": item_col, "rating_col": rating_col,
                          "time_col": time_col}, "interactions")
    if frame.empty:
        raise SchemaError("The interactions frame has no rows. Hint: check the file or filter.")
    for name in (user_col, item_col):
        n_missing = int(frame[name].isna().sum())
        if n_missing:
            raise SchemaError(f"Column {name!r} has {n_missing} missing ids. Hint: drop those "
                              "rows; an interaction needs both a user and an item.")
    cols = [user_col, item_col] + [c for c in (rating_col, time_col) if c is not None]
    rows = frame[cols]
    if time_col is not None:
        rows = rows.sort_values(time_col, kind="stable")
    if rating_col is None:
        values = pd.Series(1.0, index=rows.index)
    else:
        if not pd.api.types.is_numeric_dtype(rows[rating_col]) or \
                pd.api.types.is_bool_dtype(rows[rating_col]):
            raise SchemaError(f"Rating column {rating_col!r} must be numeric, got dtype "
                              f"{rows[rating_col].dtype}. Hint: leave --rating-col out for "
                              "implicit events.")
        values = rows[rating_col].astype("float64")
        n_missing = int(values.isna().sum())
        if n_missing:
            raise SchemaError(f"Rating column {rating_col!r} has {n_missing} missing values. "
                              "Hint: drop or fill them first.")
    pairs = pd.DataFrame({"user": rows[user_col].to_numpy(), "item": rows[item_col].to_numpy(),
                          "value": values.to_numpy()})
    n_duplicates = int(pairs.duplicated(["user", "item"]).sum())
    if n_duplicates and rating_col is not None and duplicates == "error":
        raise SchemaError(f"{n_duplicates} rows repeat a (user, item) pair. Hint: pass "
                          "duplicates='last', 'mean', 'max' or 'sum' to merge them.")
    how = "sum" if rating_col is None else ("last" if duplicates == "error" else duplicates)
    merged = pairs.groupby(["user", "item"], sort=False, as_index=False)["value"].agg(how)
    user_index = pd.Index(pd.unique(merged["user"]))
    catalogue = pd.unique(merged["item"]) if item_ids is None else \
        pd.unique(np.concatenate([np.asarray(item_ids, dtype=object),
                                  merged["item"].to_numpy(dtype=object)]))
    item_index = pd.Index(catalogue)
    users = user_index.get_indexer(merged["user"])
    items = item_index.get_indexer(merged["item"])
    data = merged["value"].to_numpy(dtype="float32")
    # a rating of 0 would vanish from a sparse matrix; keep it as a weak interaction
    data = np.where(data > 0, data, np.float32(1e-3))
    matrix = sp.csr_matrix((data, (users, items)), shape=(len(user_index), len(item_index)),
                           dtype=np.float32)
    matrix.sort_indices()
    return InteractionData(matrix, _plain(user_index), _plain(item_index), n_duplicates)


def _plain(index: pd.Index) -> np.ndarray:
    values = index.to_numpy()
    if values.dtype == object and all(isinstance(v, (int, np.integer)) for v in values):
        return values.astype("int64")
    return values
