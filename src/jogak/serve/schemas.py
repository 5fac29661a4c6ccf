"""Request and response bodies of the HTTP API (they are the OpenAPI documentation too)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Contribution",
    "DataFrameSplit",
    "ErrorItem",
    "ErrorResponse",
    "ExplainRequest",
    "ExplainResponse",
    "ExplainedRow",
    "InvocationsRequest",
    "InvocationsResponse",
    "ModelSummary",
    "ModelsResponse",
    "OperatingPointInfo",
    "PredictRequest",
    "PredictResponse",
    "Prediction",
    "SchemaWarning",
]

Scalar = str | int | float | bool | None


class _Rows(BaseModel):
    """Exactly one of ``record`` (one row), ``records`` (rows) or ``columns`` (columnar)."""

    model_config = ConfigDict(extra="forbid")

    record: dict[str, Any] | None = Field(
        None, description="One row: column -> value. Uses the fast single-row path.",
        examples=[{"tenure": 12, "Contract": "Month-to-month"}])
    records: list[dict[str, Any]] | None = Field(
        None, description="Rows as objects (every row carries every feature; values may be "
                          "null).")
    columns: dict[str, list[Any]] | None = Field(
        None, description="Columnar rows: column -> list of values, all of one length.")

    @model_validator(mode="after")
    def _one_form(self) -> _Rows:
        given = [name for name in ("record", "records", "columns") if getattr(self, name)
                 is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'record', 'records' or 'columns'"
                             f" (got {given or 'none'})")
        return self


class PredictRequest(_Rows):
    """Rows to score, and what to return with each prediction."""

    probabilities: bool = Field(True, description="Class probabilities (classifiers).")
    operating_point: str | None = Field(
        None, description="Name of an operating point stored with the model (binary "
                          "classifiers); adds a yes/no `decision` per row.")
    explain: int = Field(0, ge=0, le=50, description="Top-k SHAP contributions per row (0: "
                                                     "none).")


class ExplainRequest(_Rows):
    """Rows to explain."""

    top_k: int = Field(5, ge=1, le=100, description="Contributions per row, largest first.")


class Contribution(BaseModel):
    """One source column's SHAP contribution to a row's prediction."""

    column: str
    contribution: float


class Prediction(BaseModel):
    """The prediction for one row."""

    prediction: Scalar
    probabilities: dict[str, float] | None = None
    confidence: float | None = Field(None, description="Probability of the predicted class.")
    decision: bool | None = Field(None, description="Positive at the operating point's "
                                                    "threshold.")
    explanation: list[Contribution] | None = None


class SchemaWarning(BaseModel):
    """A schema finding that did not stop the request (counts only)."""

    field: str
    rule: str
    count: int


class OperatingPointInfo(BaseModel):
    """The operating point used for decisions."""

    name: str
    threshold: float
    positive_class: Scalar


class PredictResponse(BaseModel):
    """Predictions in the order of the rows sent."""

    model: str
    version: int
    task: str
    n_rows: int
    predictions: list[Prediction]
    warnings: list[SchemaWarning] = []
    operating_point: OperatingPointInfo | None = None
    explanation_space: str | None = None


class ExplainedRow(BaseModel):
    """One row's explanation: base value + sum of contributions = prediction (in ``space``)."""

    prediction: float
    base_value: float
    contributions: list[Contribution]


class ExplainResponse(BaseModel):
    """Per-row explanations."""

    model: str
    version: int
    space: str
    rows: list[ExplainedRow]


class ModelSummary(BaseModel):
    """A registered version."""

    name: str
    version: int
    aliases: list[str]
    task: str | None
    created_at: str
    loaded: bool


class ModelsResponse(BaseModel):
    """Registered versions the caller's key may use."""

    models: list[ModelSummary]
    default: str | None = Field(None, description="The model answering /invocations.")


class DataFrameSplit(BaseModel):
    """pandas' ``split`` orientation."""

    columns: list[str]
    data: list[list[Any]]
    index: list[Any] | None = None


class InvocationsRequest(BaseModel):
    """MLflow's scoring payload: exactly one of its four forms."""

    dataframe_split: DataFrameSplit | None = None
    dataframe_records: list[dict[str, Any]] | None = None
    instances: list[Any] | dict[str, list[Any]] | None = None
    inputs: list[Any] | dict[str, list[Any]] | None = None
    params: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> InvocationsRequest:
        given = [name for name in ("dataframe_split", "dataframe_records", "instances", "inputs")
                 if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'dataframe_split', 'dataframe_records', "
                             f"'instances' or 'inputs' (got {given or 'none'})")
        return self


class InvocationsResponse(BaseModel):
    """As MLflow's scoring server answers: one object per row."""

    predictions: list[dict[str, Any]]


class ErrorItem(BaseModel):
    """One reason a request was refused."""

    loc: list[str | int]
    msg: str
    type: str
    field: str | None = None
    rule: str | None = None
    count: int | None = None


class ErrorResponse(BaseModel):
    """Every 4xx/5xx body."""

    detail: list[ErrorItem]
