"""The items frame (catalogue) aligned by id, and id lookups that forgive "42" for 42."""

from __future__ import annotations

import pandas as pd

from jogak.errors import SchemaError
from jogak.solutions.recommend._interactions import check_columns
from jogak.solutions.recommend._text import clean_texts

__all__ = ["align_catalogue", "lookup"]


def align_catalogue(items: pd.DataFrame, *, item_col: str, text_cols: tuple[str, ...],
                    title_col: str | None) -> pd.DataFrame:
    """One row per item id (first occurrence kept) with ``text`` and ``title`` columns.

    Raises
    ------
    SchemaError
        For missing columns, missing item ids, no text column, or an empty frame.
    """
    if not isinstance(items, pd.DataFrame):
        raise SchemaError(f"items must be a pandas DataFrame, got {type(items).__name__}.")
    if not text_cols:
        raise SchemaError("text_cols is empty: name at least one synopsis column of the items.")
    check_columns(items, {"item_col": item_col, "title_col": title_col,
                          **{f"text_cols[{i}]": c for i, c in enumerate(text_cols)}}, "items")
    if items.empty:
        raise SchemaError("The items frame has no rows. Hint: leave --items out to train "
                          "collaborative filtering only.")
    n_missing = int(items[item_col].isna().sum())
    if n_missing:
        raise SchemaError(f"The items frame has {n_missing} rows without an id in {item_col!r}. "
                          "Hint: drop them first.")
    parts = [clean_texts(items[col]) for col in text_cols]
    text = [". ".join(part for part in row if part) for row in zip(*parts, strict=True)]
    frame = pd.DataFrame({"text": text}, index=pd.Index(items[item_col].to_numpy(dtype=object)))
    frame["title"] = (items[title_col].astype("string").fillna("").to_numpy()
                      if title_col is not None else "")
    return frame[~frame.index.duplicated(keep="first")]


def lookup(index: pd.Index, value: object) -> int | None:
    """Position of ``value`` in ``index``, trying its integer form for text like ``"42"``."""
    candidates: list[object] = [value]
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            candidates.append(int(text))
    for candidate in candidates:
        try:
            position = index.get_loc(candidate)
        except (KeyError, TypeError):
            continue
        if isinstance(position, int):
            return position
    return None
