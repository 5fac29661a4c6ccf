"""Multicollinearity diagnostics: variance inflation factors and the condition number."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jogak.errors import SchemaError

__all__ = ["condition_number", "variance_inflation"]


def _numeric_complete(frame: pd.DataFrame, caller: str, *, min_columns: int) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(
            f"{caller} needs a pandas DataFrame, got {type(frame).__name__}. "
            "Hint: wrap arrays with pd.DataFrame(X, columns=names)."
        )
    numeric = frame.select_dtypes(include=["number", "bool"]).astype(np.float64)
    numeric = numeric.replace([np.inf, -np.inf], np.nan).dropna(axis=0, how="any")
    if numeric.shape[1] < min_columns:
        raise SchemaError(
            f"{caller} needs at least {min_columns} numeric column(s), got {numeric.shape[1]} "
            f"(of {frame.shape[1]}). Hint: encode categorical columns first."
        )
    if numeric.shape[0] < numeric.shape[1] + 1:
        raise SchemaError(
            f"{caller} needs more complete rows than numeric columns: got {numeric.shape[0]} "
            f"rows without missing values for {numeric.shape[1]} columns. Hint: impute first."
        )
    return numeric


def variance_inflation(frame: pd.DataFrame) -> pd.Series:
    """Variance inflation factor of each numeric column: ``1 / (1 - R²)``.

    ``R²`` comes from the least-squares regression (with intercept) of the column on all other
    numeric columns, over the rows with no missing numeric value. A VIF above 5-10 flags a
    column mostly explained by the others; a perfectly collinear column gets ``inf``. Non-numeric
    columns are ignored.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.Series
        Indexed by column name, named ``"vif"``.

    Raises
    ------
    SchemaError
        Fewer than 2 numeric columns, or fewer complete rows than columns.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=200)
    >>> frame = pd.DataFrame({"a": a, "b": a + rng.normal(scale=0.1, size=200),
    ...                       "c": rng.normal(size=200)})
    >>> (variance_inflation(frame) > 10).tolist()
    [True, True, False]
    """
    numeric = _numeric_complete(frame, "variance_inflation", min_columns=2)
    X = numeric.to_numpy()
    n_rows, n_columns = X.shape
    vif = np.empty(n_columns)
    for j in range(n_columns):
        target = X[:, j]
        design = np.column_stack([np.ones(n_rows), np.delete(X, j, axis=1)])
        coef, *_ = np.linalg.lstsq(design, target, rcond=None)
        residual = float(np.sum((target - design @ coef) ** 2))
        total = float(np.sum((target - target.mean()) ** 2))
        if total == 0.0:  # a constant column is fully explained by the intercept
            vif[j] = np.inf
            continue
        r_squared = 1.0 - residual / total
        vif[j] = np.inf if r_squared >= 1.0 - 1e-12 else 1.0 / (1.0 - r_squared)
    return pd.Series(vif, index=numeric.columns, name="vif")


def condition_number(frame: pd.DataFrame) -> float:
    """Condition number (2-norm) of the standardised numeric design matrix.

    Each numeric column is centred and divided by its standard deviation, over the rows with no
    missing numeric value; the result is the ratio of the largest to the smallest singular
    value. Around 1 means orthogonal columns; above ~30 signals harmful multicollinearity.
    A constant column makes the matrix singular: ``inf``.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame(rng.normal(size=(500, 3)), columns=list("abc"))
    >>> round(condition_number(frame), 1) < 1.5
    True
    """
    X = _numeric_complete(frame, "condition_number", min_columns=1).to_numpy()
    std = X.std(axis=0)
    if np.any(std == 0.0):
        return float("inf")
    standardised = (X - X.mean(axis=0)) / std
    singular = np.linalg.svd(standardised, compute_uv=False)
    return float(singular[0] / singular[-1]) if singular[-1] > 0 else float("inf")
