"""Operating points of binary classifiers: threshold curves and named decision thresholds.

A decision flags a row when its positive-class probability is ``>= threshold``. Curves and points
are computed from out-of-fold predictions, so they describe data the models did not train on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import ConfigError, SchemaError, TargetError

__all__ = ["POINT_NAMES", "OperatingPoint", "decide", "operating_points", "threshold_curve"]

POINT_NAMES = ("recall_first", "precision_first", "max_profit")
#: A threshold above every probability: flag nobody (the best choice when every contact loses).
NOBODY = float(np.nextafter(1.0, 2.0))


@dataclass(frozen=True, kw_only=True)
class OperatingPoint:
    """A named decision threshold and what it achieved on out-of-fold predictions.

    Parameters
    ----------
    name : str
        ``recall_first``, ``precision_first`` or ``max_profit``.
    threshold : float
        Rows with positive-class probability ``>= threshold`` are flagged.
    precision, recall, f1 : float
        Achieved on the out-of-fold predictions (precision is NaN when nobody is flagged).
    flagged_share : float
        Share of rows flagged (the contact rate of a campaign).
    profit : float, optional
        ``benefit_tp * TP - cost_contact * flagged`` in the data's rows (``max_profit`` and any
        point computed with economics).
    target : float, optional
        The recall or precision target the point was chosen for.
    """

    name: str
    threshold: float
    precision: float
    recall: float
    f1: float
    flagged_share: float
    profit: float | None = None
    target: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError(f"An operating point needs a name, got {self.name!r}.")
        if not math.isfinite(self.threshold):
            raise ConfigError(f"Operating point {self.name!r} needs a finite threshold, got "
                              f"{self.threshold!r}.")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields (NaN becomes ``None``)."""
        return {k: (None if isinstance(v, float) and math.isnan(v) else v)
                for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OperatingPoint:
        """The inverse of :meth:`to_dict` (``None`` metrics become NaN)."""
        def number(key: str) -> float:
            value = data.get(key)
            return float("nan") if value is None else float(value)

        try:
            return cls(name=str(data["name"]), threshold=float(data["threshold"]),
                       precision=number("precision"), recall=number("recall"), f1=number("f1"),
                       flagged_share=number("flagged_share"),
                       profit=None if data.get("profit") is None else float(data["profit"]),
                       target=None if data.get("target") is None else float(data["target"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"Not an operating point: {dict(data)!r} ({exc}).") from exc


def _binary_inputs(y: Any, proba: Any) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(proba, dtype=np.float64)
    if scores.ndim == 2 and scores.shape[1] == 2:
        scores = scores[:, 1]
    if scores.ndim != 1:
        raise SchemaError(f"proba must be positive-class probabilities of shape (n,) or (n, 2), "
                          f"got shape {scores.shape}.")
    labels = np.asarray(y)
    if labels.shape != scores.shape:
        raise SchemaError(f"y has {labels.shape[0] if labels.ndim else 0} rows but proba has "
                          f"{scores.shape[0]}; they must match.")
    keep = np.isfinite(scores)
    labels, scores = labels[keep], scores[keep]
    values = set(np.unique(labels).tolist())
    if not values <= {0, 1}:
        raise TargetError(f"y must hold 0/1 (or False/True) labels, got values like "
                          f"{sorted(map(str, values))[:5]}. Hint: encode the positive class as 1.")
    if labels.size == 0:
        raise SchemaError("No rows with a finite probability; a threshold curve needs at least "
                          "one.")
    if not labels.astype(bool).any():
        raise TargetError("y has no positive row; precision and recall are undefined.")
    return labels.astype(np.int64), scores


def _check_money(benefit_tp: float | None, cost_contact: float | None) -> bool:
    if (benefit_tp is None) != (cost_contact is None):
        raise ConfigError("benefit_tp and cost_contact go together; give both or neither.")
    if benefit_tp is None or cost_contact is None:
        return False
    for label, value in (("benefit_tp", benefit_tp), ("cost_contact", cost_contact)):
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value) or value < 0:
            raise ConfigError(f"{label} must be a finite number >= 0, got {value!r}.")
    return True


def threshold_curve(y: Any, proba: Any, *, benefit_tp: float | None = None,
                    cost_contact: float | None = None) -> pd.DataFrame:
    """Precision, recall, F1, contact share (and profit) at every distinct threshold.

    Parameters
    ----------
    y : array-like of shape (n,)
        True labels as 0/1 (1 = positive class).
    proba : array-like of shape (n,) or (n, 2)
        Positive-class probabilities (or both columns). Rows with NaN are left out.
    benefit_tp : float, optional
        Money gained per true positive (a flagged positive), e.g. a retained customer's value.
    cost_contact : float, optional
        Money spent per flagged row (every contact costs, right or wrong).

    Returns
    -------
    pandas.DataFrame
        One row per distinct score, highest threshold first, with columns ``threshold, tp, fp,
        fn, tn, flagged, flagged_share, precision, recall, f1`` and ``profit`` when economics
        are given. Row ``i`` flags exactly the rows with ``proba >= threshold``.

    Examples
    --------
    >>> curve = threshold_curve([1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1])
    >>> curve[["threshold", "precision", "recall"]].round(3).to_numpy().tolist()
    [[0.9, 1.0, 0.5], [0.8, 0.5, 0.5], [0.4, 0.667, 1.0], [0.1, 0.5, 1.0]]
    """
    with_money = _check_money(benefit_tp, cost_contact)
    labels, scores = _binary_inputs(y, proba)
    order = np.argsort(-scores, kind="stable")
    ranked, hits = scores[order], labels[order]
    # the last position of each run of equal scores: thresholds are the distinct scores
    ends = np.flatnonzero(np.r_[ranked[1:] != ranked[:-1], True])
    tp = np.cumsum(hits)[ends]
    flagged = ends + 1
    fp = flagged - tp
    positives, n = int(labels.sum()), labels.size
    fn = positives - tp
    tn = n - positives - fp
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = tp / flagged
        recall = tp / positives
        f1 = 2 * tp / (2 * tp + fp + fn)
    curve = pd.DataFrame({"threshold": ranked[ends], "tp": tp, "fp": fp, "fn": fn, "tn": tn,
                          "flagged": flagged, "flagged_share": flagged / n,
                          "precision": precision, "recall": recall, "f1": f1})
    if with_money:
        curve["profit"] = float(benefit_tp) * tp - float(cost_contact) * flagged  # type: ignore[arg-type]
    return curve


def _point(name: str, row: pd.Series, *, target: float | None = None,
           profit: bool = False) -> OperatingPoint:
    return OperatingPoint(name=name, threshold=float(row["threshold"]),
                          precision=float(row["precision"]), recall=float(row["recall"]),
                          f1=float(row["f1"]), flagged_share=float(row["flagged_share"]),
                          profit=float(row["profit"]) if profit else None, target=target)


def _check_target(label: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise ConfigError(f"{label} must be in (0, 1], got {value!r}.")
    return float(value)


def operating_points(y: Any, proba: Any, *, recall_target: float = 0.95,
                     precision_target: float = 0.95, benefit_tp: float | None = None,
                     cost_contact: float | None = None) -> dict[str, OperatingPoint]:
    """The named operating points reachable on ``(y, proba)``.

    - ``recall_first``: the highest threshold whose recall is ``>= recall_target``.
    - ``precision_first``: the lowest threshold whose precision is ``>= precision_target``
      (absent when no threshold reaches it).
    - ``max_profit`` (only with ``benefit_tp`` and ``cost_contact``): the threshold with the
      highest ``benefit_tp * TP - cost_contact * flagged``; ties go to the higher threshold
      (fewer contacts). When every contact loses money it flags nobody (threshold just above 1).

    Parameters
    ----------
    y, proba
        As for :func:`threshold_curve` (use out-of-fold predictions).
    recall_target, precision_target : float, default 0.95
        Targets in (0, 1].
    benefit_tp, cost_contact : float, optional
        Economics for ``max_profit`` (both or neither).

    Returns
    -------
    dict of str to OperatingPoint
        In the order ``recall_first``, ``precision_first``, ``max_profit``.

    Examples
    --------
    >>> points = operating_points([1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1], recall_target=0.5,
    ...                           precision_target=0.6)
    >>> points["recall_first"].threshold, points["precision_first"].threshold
    (0.9, 0.4)
    """
    recall_goal = _check_target("recall_target", recall_target)
    precision_goal = _check_target("precision_target", precision_target)
    curve = threshold_curve(y, proba, benefit_tp=benefit_tp, cost_contact=cost_contact)
    points: dict[str, OperatingPoint] = {}
    # floating-point sums can land a hair under a target they meet exactly
    reach = curve[curve["recall"] >= recall_goal - 1e-12]
    points["recall_first"] = _point("recall_first", reach.iloc[0], target=recall_goal)
    precise = curve[curve["precision"] >= precision_goal - 1e-12]
    if len(precise):
        points["precision_first"] = _point("precision_first", precise.iloc[-1],
                                           target=precision_goal)
    if "profit" in curve:
        best = int(np.argmax(curve["profit"].to_numpy()))  # first maximum = highest threshold
        if curve["profit"].iloc[best] > 0:
            points["max_profit"] = _point("max_profit", curve.iloc[best], profit=True)
        else:
            points["max_profit"] = OperatingPoint(
                name="max_profit", threshold=NOBODY, precision=float("nan"), recall=0.0,
                f1=0.0, flagged_share=0.0, profit=0.0)
    return points


def decide(proba: Any, points: Mapping[str, OperatingPoint], name: str, *,
           classes: Sequence[Any] | None = None) -> np.ndarray:
    """Decisions at the operating point ``name``: flag rows with probability ``>= threshold``.

    Parameters
    ----------
    proba : array-like of shape (n,) or (n, 2)
        Positive-class probabilities (or both columns).
    points : Mapping[str, OperatingPoint]
        The model's operating points (``model.operating_points_``).
    name : str
        Which point to use.
    classes : sequence of two labels, optional
        ``(negative, positive)``: decisions are returned as these labels instead of booleans.

    Returns
    -------
    numpy.ndarray of shape (n,)
        Booleans (``True`` = flagged), or the class labels when ``classes`` is given.

    Raises
    ------
    ConfigError
        When ``name`` is not one of ``points``; the message lists the available ones.

    Examples
    --------
    >>> point = OperatingPoint(name="p", threshold=0.5, precision=1.0, recall=1.0, f1=1.0,
    ...                        flagged_share=0.5)
    >>> decide([0.2, 0.5, 0.9], {"p": point}, "p").tolist()
    [False, True, True]
    >>> decide([0.2, 0.9], {"p": point}, "p", classes=["No", "Yes"]).tolist()
    ['No', 'Yes']
    """
    if name not in points:
        available = ", ".join(sorted(points)) or "none (the model is not a binary classifier)"
        hint = ""
        if name == "max_profit":
            hint = (" Hint: max_profit needs economics: model.set_operating_points("
                    "benefit_tp=..., cost_contact=...) or 'jogak train --benefit-tp B "
                    "--cost-contact C'.")
        elif name == "precision_first":
            hint = " Hint: no threshold reached the precision target; lower it."
        raise ConfigError(f"Unknown operating point {name!r}; available: {available}.{hint}")
    scores = np.asarray(proba, dtype=np.float64)
    if scores.ndim == 2 and scores.shape[1] == 2:
        scores = scores[:, 1]
    if scores.ndim != 1:
        raise SchemaError(f"proba must have shape (n,) or (n, 2), got {scores.shape}.")
    flagged = scores >= points[name].threshold
    if classes is None:
        return flagged
    labels = np.asarray(classes, dtype=object)
    if labels.size != 2:
        raise ConfigError(f"classes must hold (negative, positive), got {list(labels)}.")
    return np.where(flagged, labels[1], labels[0])
