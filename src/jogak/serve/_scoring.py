"""From request rows to checked inputs, predictions and JSON-ready answers.

Nothing reaches a model unchecked: every row is validated against the model's FeatureSchema with
the service's policies, and every refusal names the field and the rule. Single records take the
compiled single-row path (``predict_proba_row`` / ``predict_row``); batches the frame path.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jogak.data._schema import FeatureSchema, SchemaIssue, SchemaValidationError
from jogak.errors import JogakError, MissingDependencyError, SchemaError
from jogak.models import AutoMLClassifier, AutoMLRegressor
from jogak.serve._models import LoadedModel
from jogak.serve._settings import ServeSettings

__all__ = ["CheckedRows", "RequestRefused", "check_frame", "check_record", "frame_from_request",
           "predict_rows", "explain_rows"]


class RequestRefused(Exception):
    """A request the service answers with a 4xx and a list of reasons."""

    def __init__(self, status: int, items: list[dict[str, Any]]) -> None:
        super().__init__(items[0]["msg"] if items else str(status))
        self.status = status
        self.items = items


def _item(loc: Sequence[str | int], rule: str, msg: str, *, field: str | None = None,
          count: int | None = None) -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg, "type": f"schema.{rule}", "field": field,
            "rule": rule, "count": count}


@dataclass(frozen=True)
class CheckedRows:
    """Validated input: one record (fast path) or a frame, plus the warnings kept."""

    record: dict[str, Any] | None
    frame: pd.DataFrame | None
    warnings: list[dict[str, Any]]

    @property
    def n_rows(self) -> int:
        return 1 if self.frame is None else len(self.frame)


def _issues(issues: Sequence[SchemaIssue], settings: ServeSettings, where: str,
            error: SchemaValidationError | None) -> list[dict[str, Any]]:
    """Refusals (422 items) from schema issues; raises when any."""
    refused = [issue for issue in issues if issue.severity == "error" or
               (issue.rule == "out_of_range" and settings.out_of_range == "reject")]
    if not refused and error is None:
        return [{"field": issue.column, "rule": issue.rule, "count": issue.count}
                for issue in issues]
    items = []
    for issue in refused:
        message = issue.message
        if issue.rule == "out_of_range":
            message += " The service refuses values outside the training range (out_of_range=" \
                       "'reject'). Hint: check the value's unit, or retrain on data covering it."
        elif issue.rule == "unseen_category":
            message += " Hint: send a category seen in training, or null."
        items.append(_item(["body", where, issue.column], issue.rule, message,
                           field=issue.column, count=issue.count))
    raise RequestRefused(422, items)


def check_record(loaded: LoadedModel, record: dict[str, Any], settings: ServeSettings,
                 passthrough: frozenset[str] = frozenset()) -> CheckedRows:
    """Validate one record without building a frame; ``passthrough`` columns that are not
    features (an entity key for the prediction log) are set aside without an issue."""
    if passthrough:
        record = _without(record, passthrough, loaded.feature_names)
    try:
        result = loaded.schema.validate_record(record,
                                               unknown_categories=settings.unknown_categories,
                                               extra_columns=settings.extra_columns)
    except SchemaValidationError as exc:
        _issues(exc.issues, settings, "record", exc)
        raise  # pragma: no cover - _issues always raises here
    except (SchemaError, TypeError, ValueError, OverflowError) as exc:
        raise RequestRefused(422, [_item(["body", "record"], "unreadable",
                                         f"The record cannot be read: {exc}")]) from exc
    warnings = _issues(result.issues, settings, "record", None)
    return CheckedRows(result.record, None, warnings)


def frame_from_request(*, records: list[dict[str, Any]] | None,
                       columns: dict[str, list[Any]] | None, schema: FeatureSchema,
                       max_rows: int, where: str = "records") -> pd.DataFrame:
    """Rows or columns as a frame; every row must carry every feature (values may be null)."""
    if records is not None:
        if len(records) > max_rows:
            raise RequestRefused(413, [_item(["body", where], "max_rows", f"{len(records)} rows "
                                             f"sent; this service takes at most {max_rows} per "
                                             "request. Hint: split the batch.")])
        missing: dict[str, int] = {}
        for record in records:
            for name in schema.names:
                if name not in record:
                    missing[name] = missing.get(name, 0) + 1
        if missing:
            raise RequestRefused(422, [_item(["body", where, name], "missing_column",
                                             f"Column {name!r} is missing from {count} row(s). "
                                             "Hint: send every training column in every row "
                                             "(null for unknown values).", field=name,
                                             count=count) for name, count in missing.items()])
        frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    else:
        assert columns is not None
        lengths = {name: len(values) for name, values in columns.items()}
        if len(set(lengths.values())) > 1:
            raise RequestRefused(422, [_item(["body", "columns"], "length",
                                             f"Columns have different lengths: {lengths}. Hint: "
                                             "every column needs one value per row.")])
        n_rows = next(iter(lengths.values()), 0)
        if n_rows > max_rows:
            raise RequestRefused(413, [_item(["body", "columns"], "max_rows",
                                             f"{n_rows} rows sent; this service takes at most "
                                             f"{max_rows} per request. Hint: split the batch.")])
        frame = pd.DataFrame(columns)
    if len(frame) == 0:
        raise RequestRefused(422, [_item(["body", where], "empty", "No rows were sent. "
                                         "Expected at least one row.", field=where)])
    return frame


def _without(record: dict[str, Any], passthrough: frozenset[str],
             features: frozenset[str]) -> dict[str, Any]:
    aside = [name for name in passthrough if name in record and name not in features]
    return {k: v for k, v in record.items() if k not in aside} if aside else record


def check_frame(loaded: LoadedModel, frame: pd.DataFrame, settings: ServeSettings,
                where: str = "records", passthrough: frozenset[str] = frozenset()) -> CheckedRows:
    """Validate a frame of rows (``passthrough`` as in :func:`check_record`)."""
    if passthrough:
        aside = [c for c in frame.columns if c in passthrough and c not in loaded.feature_names]
        frame = frame.drop(columns=aside) if aside else frame
    try:
        result = loaded.schema.validate(frame, unknown_categories=settings.unknown_categories,
                                        extra_columns=settings.extra_columns)
    except SchemaValidationError as exc:
        _issues(exc.issues, settings, where, exc)
        raise  # pragma: no cover
    except (SchemaError, TypeError, ValueError, OverflowError) as exc:
        raise RequestRefused(422, [_item(["body", where], "unreadable",
                                         f"The rows cannot be read: {exc}")]) from exc
    warnings = _issues(result.issues, settings, where, None)
    return CheckedRows(None, result.frame, warnings)


def _number(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _label(value: Any) -> Any:
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def _operating_point(loaded: LoadedModel, name: str | None) -> tuple[Any, Any] | None:
    if name is None:
        return None
    points = loaded.operating_points
    if name not in points:
        available = ", ".join(sorted(points)) or "none (only binary classifiers have them)"
        raise RequestRefused(422, [_item(["body", "operating_point"], "unknown_operating_point",
                                         f"Unknown operating point {name!r}; model "
                                         f"{loaded.name!r} has: {available}.",
                                         field="operating_point")])
    assert loaded.classes is not None
    return points[name], loaded.classes[1]


def _proba_row(model: Any, record: dict[str, Any]) -> np.ndarray:
    """``model.predict_proba_row`` of a record the service has already validated: the AutoML
    classifier's compiled row path without its second validation of the same record."""
    if type(model) is AutoMLClassifier:
        proba = np.clip(np.asarray(model.ensemble_.predict_raw_row(record), dtype=np.float64),
                        0.0, 1.0)
        return proba / proba.sum()
    return np.asarray(model.predict_proba_row(record), dtype=np.float64)


def _value_row(model: Any, record: dict[str, Any]) -> float:
    """``model.predict_row`` of an already validated record (see :func:`_proba_row`)."""
    if type(model) is AutoMLRegressor:
        raw = float(model.ensemble_.predict_raw_row(record))
        return float(np.expm1(raw)) if model.log_target else raw
    return float(model.predict_row(record))


def predict_rows(loaded: LoadedModel, rows: CheckedRows, *, probabilities: bool,
                 operating_point: str | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Predictions (one dict per row, matching ``schemas.Prediction``) and the point used."""
    point = _operating_point(loaded, operating_point)
    model = loaded.model
    if not loaded.is_classifier:
        if rows.record is not None:
            values = np.array([_value_row(model, rows.record)], dtype=np.float64)
        else:
            values = np.asarray(model.predict(rows.frame), dtype=np.float64)
        return [{"prediction": _number(v)} for v in values], None
    assert loaded.classes is not None
    if rows.record is not None:
        proba = _proba_row(model, rows.record)[None, :]
    else:
        proba = np.asarray(model.predict_proba(rows.frame), dtype=np.float64)
    labels = [_label(c) for c in loaded.classes]
    keys = [str(c) for c in labels]
    best = np.argmax(proba, axis=1)
    flagged = None if point is None else proba[:, 1] >= float(point[0].threshold)
    out = []
    for i in range(proba.shape[0]):
        item: dict[str, Any] = {"prediction": labels[best[i]],
                                "confidence": float(proba[i, best[i]])}
        if probabilities:
            item["probabilities"] = dict(zip(keys, map(float, proba[i]), strict=True))
        if flagged is not None:
            item["decision"] = bool(flagged[i])
        out.append(item)
    info = None if point is None else {"name": operating_point,
                                       "threshold": float(point[0].threshold),
                                       "positive_class": _label(point[1])}
    return out, info


def _typical_row(schema: FeatureSchema) -> dict[str, Any]:
    """A reference row: the most frequent category, the middle of the training range."""
    row: dict[str, Any] = {}
    for column in schema.columns:
        value: Any = None
        if column.categories:
            value = column.categories[0]
        elif column.minimum is not None and column.maximum is not None:
            value = (column.minimum + column.maximum) / 2
            value = round(value) if column.is_integer else value
        row[column.name] = value
    return row


def explain_rows(loaded: LoadedModel, rows: CheckedRows,
                 top_k: int) -> tuple[list[dict[str, Any]], str]:
    """Per row: prediction, base value and the ``top_k`` largest contributions, in a space.

    Tree learners need no reference (path-dependent Tree SHAP); linear and model-agnostic paths
    measure contributions against a typical row built from the schema (most frequent category,
    middle of the training range), so a single row gets meaningful values.
    """
    try:
        from jogak.explain import explain
    except ImportError as exc:  # pragma: no cover - explain ships with jogak; shap is the extra
        raise MissingDependencyError("Explanations need jogak's explain extra: pip install "
                                     "'jogak[explain]'.") from exc
    frame = rows.frame if rows.frame is not None else \
        loaded.schema.validate_record(rows.record or {}).to_frame()
    background = loaded.schema.validate_record(_typical_row(loaded.schema)).to_frame()
    try:
        explanation = explain(loaded.model, frame, background=background)
    except MissingDependencyError:
        raise
    except (JogakError, ValueError) as exc:
        raise RequestRefused(422, [_item(["body"], "explain", f"These rows cannot be explained: "
                                         f"{exc}")]) from exc
    if explanation.is_multiclass:  # explain the predicted class of each row
        proba = np.asarray(explanation.predictions)
        per_class = {str(c): explanation.for_class(c) for c in explanation.classes}
        chosen = [per_class[str(explanation.classes[k])] for k in np.argmax(proba, axis=1)]
    else:
        chosen = [explanation] * len(frame)
    out = []
    for i, single in enumerate(chosen):
        contributions = single.values.iloc[i].to_numpy(dtype=np.float64)
        order = np.argsort(-np.abs(contributions), kind="stable")[:top_k]
        out.append({"prediction": float(single.predictions[i]),
                    "base_value": float(single.base_values[i]),
                    "contributions": [{"column": str(single.values.columns[j]),
                                       "contribution": float(contributions[j])}
                                      for j in order]})
    return out, explanation.space


