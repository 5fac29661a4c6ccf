"""Binning of numeric columns: explicit edges with labels (age bands) or training quantiles."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError
from jogak.pipeline._stats import nan_quantiles
from jogak.pipeline._validation import (
    NumericColumnsMixin,
    check_choice,
    column_names,
    numeric_array,
)

__all__ = ["Binner"]


class Binner(NumericColumnsMixin, TransformerMixin, BaseEstimator):
    """Put each value in a bin: ``edges[k] <= x < edges[k + 1]`` is bin ``k``.

    With ``edges`` the same bins apply to every column, and values outside
    ``[edges[0], edges[-1])`` (or missing) get ``unknown_label`` (code NaN). Without ``edges``,
    ``n_bins`` quantile bins are learned per column; their outer bins are open, so only missing
    values are unknown. Tied quantiles are merged, so a column may get fewer bins.

    Parameters
    ----------
    edges : sequence of float or None, default=None
        Strictly increasing bin edges.
    labels : sequence of str or None, default=None
        One label per bin (``len(edges) - 1``); default ``"[a, b)"`` for explicit edges,
        ``"q0", "q1", ...`` for quantile bins.
    n_bins : int, default=5
        Number of quantile bins when ``edges`` is None.
    unknown_label : str, default="unknown"
    output : {"label", "code"}, default="label"
        ``"label"``: an object array of labels; ``"code"``: bin numbers as floats (NaN for
        unknown).

    Attributes
    ----------
    edges_ : list of ndarray
        Edges per column.
    labels_ : list of list of str
        Labels per column.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> bands = Binner(edges=range(10, 90, 10),
    ...                labels=["10s", "20s", "30s", "40s", "50s", "60s", "70s"])
    >>> bands.fit_transform(np.array([[15], [29], [70], [95], [np.nan]])).ravel().tolist()
    ['10s', '20s', '70s', 'unknown', 'unknown']
    """

    def __init__(self, *, edges: Sequence[float] | None = None,
                 labels: Sequence[str] | None = None, n_bins: int = 5,
                 unknown_label: str = "unknown", output: str = "label") -> None:
        self.edges = edges
        self.labels = labels
        self.n_bins = n_bins
        self.unknown_label = unknown_label
        self.output = output

    def _explicit_edges(self) -> np.ndarray:
        try:
            edges = np.asarray(list(self.edges), dtype=np.float64)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"The 'edges' parameter of Binner must be numbers: {exc}.") from exc
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise ConfigError(
                f"The 'edges' parameter of Binner must be at least two strictly increasing "
                f"numbers. Got {self.edges!r} instead. Hint: e.g. [10, 20, 30] for two bins."
            )
        return edges

    def fit(self, X: Any, y: object = None) -> Binner:
        """Fix the edges (explicit) or learn the quantile edges of each column."""
        check_choice(self, "output", self.output, ("label", "code"))
        values = numeric_array(self, X, reset=True)
        if self.edges is not None:
            edges = self._explicit_edges()
            default = [f"[{low:g}, {high:g})" for low, high in zip(edges[:-1], edges[1:],
                                                                   strict=True)]
            self.edges_ = [edges] * values.shape[1]
        else:
            if not isinstance(self.n_bins, Integral) or self.n_bins < 2:
                raise ConfigError(
                    f"The 'n_bins' parameter of Binner must be an int >= 2. Got "
                    f"{self.n_bins!r} instead. Hint: 4 for quartiles, 10 for deciles."
                )
            cuts = nan_quantiles(values, np.linspace(0, 1, self.n_bins + 1)[1:-1])
            self.edges_ = [np.concatenate([[-np.inf], np.unique(cuts[~np.isnan(cuts[:, j]), j]),
                                           [np.inf]]) for j in range(values.shape[1])]
        labels = None if self.labels is None else [str(label) for label in self.labels]
        self.labels_ = []
        for edges in self.edges_:
            n_bins = edges.size - 1
            if labels is not None:
                if len(labels) != n_bins:
                    raise ConfigError(
                        f"The 'labels' parameter of Binner must hold one label per bin "
                        f"({n_bins}). Got {len(labels)} labels. Hint: len(labels) must be "
                        "len(edges) - 1."
                    )
                self.labels_.append(labels)
            else:
                self.labels_.append(default if self.edges is not None
                                    else [f"q{k}" for k in range(n_bins)])
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Labels (object) or codes (float) of shape ``(n_samples, n_features_in_)``."""
        check_is_fitted(self)
        return self._transform_array(numeric_array(self, X, reset=False))

    def _transform_array(self, values: np.ndarray) -> np.ndarray:
        codes = np.empty(values.shape)
        for j, edges in enumerate(self.edges_):
            column = values[:, j]
            code = np.searchsorted(edges, column, side="right").astype(np.float64) - 1.0
            inside = (column >= edges[0]) & (column < edges[-1])
            codes[:, j] = np.where(inside, code, np.nan)
        if self.output == "code":
            return codes
        out = np.full(values.shape, self.unknown_label, dtype=object)
        for j, labels in enumerate(self.labels_):
            known = ~np.isnan(codes[:, j])
            out[known, j] = np.asarray(labels, dtype=object)[codes[known, j].astype(np.int64)]
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``<column>__bin`` per column."""
        check_is_fitted(self)
        return np.asarray([f"{name}__bin" for name in column_names(self, input_features)],
                          dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
