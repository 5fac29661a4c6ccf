"""Single-feature association with the target, to flag suspected leaks.

Each feature is cut into groups (its categories, or up to 64 quantile bins of a number, with
missing values as a group of their own). A lookup table from group to target mean (regression)
or class shares (classification) is fitted on two folds and scored on the third, so a
high-cardinality key that merely memorises rows scores like chance. Classification uses ROC AUC
(macro one-vs-rest for several classes), regression R^2. Numbers also get the rank AUC, or the
squared Pearson and Spearman correlations, of the raw value, which need no binning. A score
near 1 means the feature alone nearly determines the target: usually a leak (a field written
after the outcome).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from jogak.data._coerce import coerce_frame, datetime_seconds, target_numbers
from jogak.data._roles import ColumnRole, ColumnRoles, Task

__all__ = ["auc_score", "flag_leaks", "leak_scores"]

_N_BINS = 64
_N_FOLDS = 3


def leak_scores(features: pd.DataFrame, y: pd.Series, task: Task, *,
                seed: int = 0) -> dict[str, float]:
    """Cross-validated single-feature scores in [0, 1] (AUC or R^2), by column name.

    ``features`` holds coerced feature columns for the same rows as ``y``, which has no missing
    values. Columns whose score cannot be computed (e.g. one class only) are left out.
    """
    rng = np.random.default_rng(seed)
    n_rows = len(y)
    folds = rng.permutation(n_rows) % _N_FOLDS
    if task is Task.REGRESSION:
        # numbers stored as text ("1,234") are a regression target too (see detect_task)
        target = target_numbers(y)
        scale = np.max(np.abs(target)) if n_rows else 0.0
        target = target / scale if scale > 0 else target
    else:
        target, _ = pd.factorize(y, sort=True)
    scores: dict[str, float] = {}
    for name in features.columns:
        column = features[name]
        groups = _groups(column)
        if task is Task.REGRESSION:
            score = _r2(target, _oof_means(groups, target, folds))
        else:
            score = _class_auc(target, _oof_shares(groups, target, folds))
        numbers = _numbers(column)
        candidates = [score, _direct(numbers, target, task) if numbers is not None else np.nan]
        finite = [value for value in candidates if np.isfinite(value)]
        if finite:
            scores[str(name)] = float(np.clip(max(finite), 0.0, 1.0))
    return scores


def auc_score(positive: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC by the rank-sum formula (ties count one half); NaN without both labels."""
    positive = np.asarray(positive, dtype=bool)
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _numbers(column: pd.Series) -> np.ndarray | None:
    dtype = column.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return datetime_seconds(column)
    if pd.api.types.is_numeric_dtype(dtype):
        values = column.to_numpy(dtype="float64", na_value=np.nan)
        scale = np.nanmax(np.abs(values[np.isfinite(values)]), initial=0.0)
        return values / scale if scale > 0 else values
    return None


def _groups(column: pd.Series) -> np.ndarray:
    numbers = _numbers(column)
    if numbers is None or pd.Series(numbers).nunique() <= _N_BINS:
        codes = pd.factorize(column if numbers is None else numbers, use_na_sentinel=True)[0]
    else:
        finite = numbers[np.isfinite(numbers)]
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, _N_BINS + 1)[1:-1],
                                      method="lower"))
        codes = np.searchsorted(edges, numbers, side="right")
        codes[np.isnan(numbers)] = -1
    codes = codes.astype("int64")
    codes[codes < 0] = codes.max() + 1
    return codes


def _oof_means(groups: np.ndarray, target: np.ndarray, folds: np.ndarray) -> np.ndarray:
    n_groups = int(groups.max()) + 1
    pred = np.empty(len(target))
    for fold in range(_N_FOLDS):
        train = folds != fold
        if not train.any() or train.all():
            continue
        counts = np.bincount(groups[train], minlength=n_groups)
        sums = np.bincount(groups[train], weights=target[train], minlength=n_groups)
        means = np.full(n_groups, target[train].mean())
        seen = counts > 0
        means[seen] = sums[seen] / counts[seen]
        pred[~train] = means[groups[~train]]
    return pred


def _oof_shares(groups: np.ndarray, target: np.ndarray, folds: np.ndarray) -> np.ndarray:
    n_groups, n_classes = int(groups.max()) + 1, int(target.max()) + 1
    pred = np.empty((len(target), n_classes))
    for fold in range(_N_FOLDS):
        train = folds != fold
        if not train.any() or train.all():
            continue
        joint = np.bincount(groups[train] * n_classes + target[train],
                            minlength=n_groups * n_classes).reshape(n_groups, n_classes)
        totals = joint.sum(axis=1, keepdims=True)
        prior = np.bincount(target[train], minlength=n_classes) / train.sum()
        shares = np.where(totals > 0, joint / np.maximum(totals, 1), prior)
        pred[~train] = shares[groups[~train]]
    return pred


def _r2(target: np.ndarray, pred: np.ndarray) -> float:
    total = np.sum((target - target.mean()) ** 2)
    if total == 0:
        return float("nan")
    return float(1.0 - np.sum((target - pred) ** 2) / total)


def _class_auc(target: np.ndarray, shares: np.ndarray) -> float:
    n_classes = shares.shape[1]
    if n_classes == 2:
        return auc_score(target == 1, shares[:, 1])
    per_class = [auc_score(target == k, shares[:, k]) for k in range(n_classes)]
    valid = [value for value in per_class if np.isfinite(value)]
    return float(np.mean(valid)) if valid else float("nan")


def _direct(numbers: np.ndarray, target: np.ndarray, task: Task) -> float:
    present = np.isfinite(numbers)
    if present.sum() < 3:
        return float("nan")
    x, t = numbers[present], target[present]
    if task is Task.REGRESSION:
        # squared Pearson (linear) and Spearman (any monotone link) correlations
        linear = _squared_correlation(x, t)
        monotone = _squared_correlation(rankdata(x), rankdata(t))
        finite = [value for value in (linear, monotone) if np.isfinite(value)]
        return max(finite) if finite else float("nan")
    if task is Task.BINARY:
        auc = auc_score(t == 1, x)
        return max(auc, 1.0 - auc) if np.isfinite(auc) else float("nan")
    return float("nan")


def _squared_correlation(x: np.ndarray, t: np.ndarray) -> float:
    xc, tc = x - x.mean(), t - t.mean()
    denominator = np.sqrt(np.sum(xc**2) * np.sum(tc**2))
    return float((np.sum(xc * tc) / denominator) ** 2) if denominator > 0 else float("nan")


def flag_leaks(frame: pd.DataFrame, roles: ColumnRoles, target: str, task: Task,
               threshold: float, max_rows: int = 50_000) -> ColumnRoles:
    """``roles`` with ``leak_score`` set on scored features and ``suspected_leak`` from
    ``threshold``, computed on up to ``max_rows`` rows with a target."""
    scored = [name for name, item in roles.info.items() if item.role.is_feature
              and item.role is not ColumnRole.TEXT]
    present = np.flatnonzero(frame[target].notna().to_numpy())
    if not scored or len(present) < 10:
        return roles
    rng = np.random.default_rng(0)
    rows = np.sort(rng.choice(present, max_rows, replace=False)) if len(present) > max_rows \
        else present
    sample = frame.iloc[rows]
    features = coerce_frame(sample[scored], roles)
    scores = leak_scores(features, sample[target], task)
    info = dict(roles.info)
    for name, score in scores.items():
        info[name] = replace(info[name], suspected_leak=score >= threshold,
                             leak_score=round(score, 4))
    return ColumnRoles(info=info, target=roles.target)
