"""One text per row from whatever a user passes as a text column: the input check of text models."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import SchemaError

__all__ = ["as_text_list"]


def as_text_list(X: Any, *, reader: str, hint: str) -> list[str]:
    """Return one string per row of ``X``; missing values become empty strings.

    ``X`` is a 1-D sequence, a one-column array or a one-column DataFrame. ``reader`` names what
    reads the texts and ``hint`` says what to pass instead, both for the error messages.

    Raises
    ------
    SchemaError
        On a single string, several columns, a 2-D array or a non-string value.
    """
    if isinstance(X, str):
        raise SchemaError(f"{reader} expects a sequence of texts, got a single string. "
                          "Hint: wrap it in a list.")
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise SchemaError(f"{reader} expects one text column, got {X.shape[1]} columns "
                              f"{list(X.columns)[:5]}. Hint: select the text column.")
        values = X.iloc[:, 0].tolist()
    else:
        array = np.asarray(X, dtype=object)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim != 1:
            raise SchemaError(f"{reader} expects a 1-D sequence of texts (or one column), got "
                              f"an array of shape {array.shape}.")
        values = array.tolist()
    texts = []
    for position, value in enumerate(values):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            texts.append("")
        elif isinstance(value, str):
            texts.append(value)
        else:
            raise SchemaError(f"Row {position} is {type(value).__name__} {value!r}, not a "
                              f"string. Hint: {hint}")
    return texts
