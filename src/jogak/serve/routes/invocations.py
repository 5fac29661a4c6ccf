"""MLflow-compatible ``POST /invocations`` for the default model."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from jogak.serve._json import JsonBytesResponse
from jogak.serve._models import LoadedModel
from jogak.serve._prediction_log import request_id
from jogak.serve._scoring import (
    RequestRefused,
    check_frame,
    check_record,
    frame_from_request,
    predict_rows,
)
from jogak.serve._state import AppState
from jogak.serve.dependencies import CallerDep, StateDep, require_model_right
from jogak.serve.routes._errors import ERRORS
from jogak.serve.schemas import InvocationsRequest, InvocationsResponse

__all__ = ["invoke_body", "router"]

router = APIRouter(tags=["mlflow"])


def _frame(body: InvocationsRequest, loaded: LoadedModel, max_rows: int) -> pd.DataFrame:
    schema = loaded.schema
    if body.dataframe_split is not None:
        split = body.dataframe_split
        widths = {len(row) for row in split.data}
        if widths - {len(split.columns)}:
            raise RequestRefused(422, [{
                "loc": ["body", "dataframe_split", "data"], "type": "schema.length",
                "rule": "length", "field": None, "count": None,
                "msg": f"Rows have {sorted(widths)} values but {len(split.columns)} columns "
                       "are named."}])
        columns = {name: [row[i] for row in split.data] for i, name in enumerate(split.columns)}
        return frame_from_request(records=None, columns=columns, schema=schema,
                                  max_rows=max_rows, where="dataframe_split")
    if body.dataframe_records is not None:
        return frame_from_request(records=body.dataframe_records, columns=None, schema=schema,
                                  max_rows=max_rows, where="dataframe_records")
    where = "instances" if body.instances is not None else "inputs"
    payload = body.instances if body.instances is not None else body.inputs
    if isinstance(payload, dict):
        return frame_from_request(records=None, columns=payload, schema=schema,
                                  max_rows=max_rows, where=where)
    assert payload is not None
    if all(isinstance(row, dict) for row in payload):
        return frame_from_request(records=payload, columns=None, schema=schema,
                                  max_rows=max_rows, where=where)
    if all(isinstance(row, list) and len(row) == len(schema.names) for row in payload):
        records = [dict(zip(schema.names, row, strict=True)) for row in payload]
        return frame_from_request(records=records, columns=None, schema=schema,
                                  max_rows=max_rows, where=where)
    raise RequestRefused(422, [{
        "loc": ["body", where], "type": "schema.shape", "rule": "shape", "field": None,
        "count": None,
        "msg": f"'{where}' must be a list of objects (column -> value), an object of columns "
               f"(column -> list), or a list of rows of {len(schema.names)} values in the "
               f"model's column order {schema.names}."}])


def _single_record(body: InvocationsRequest, names: list[str]) -> dict[str, Any] | None:
    """The one row of a one-row payload, for the single-row path (else None)."""
    if body.dataframe_records is not None and len(body.dataframe_records) == 1:
        return body.dataframe_records[0]
    split = body.dataframe_split
    if split is not None and len(split.data) == 1 and len(split.data[0]) == len(split.columns):
        return dict(zip(split.columns, split.data[0], strict=True))
    payload = body.instances if body.instances is not None else body.inputs
    if isinstance(payload, list) and len(payload) == 1:
        row = payload[0]
        if isinstance(row, dict):
            return row
        if isinstance(row, list) and len(row) == len(names):
            return dict(zip(names, row, strict=True))
    return None


def _invoke(loaded: LoadedModel, body: InvocationsRequest, state: AppState,
            request_id: str | None) -> dict[str, Any]:
    log = state.settings.prediction_log
    passthrough = frozenset() if log is None else log.passthrough
    record = _single_record(body, loaded.schema.names)
    sent: dict[str, Any] | pd.DataFrame
    if record is not None:
        rows, sent = check_record(loaded, record, state.settings, passthrough), record
    else:
        sent = _frame(body, loaded, state.settings.max_rows)
        rows = check_frame(loaded, sent, state.settings, "inputs", passthrough)
    predictions, _ = predict_rows(loaded, rows, probabilities=True, operating_point=None)
    if state.prediction_log is not None and request_id is not None:
        state.prediction_log.submit(loaded, request_id, sent, predictions)
    state.metrics.count_rows(loaded.name, loaded.version, rows.n_rows)
    out = []
    for item in predictions:
        row = {"prediction": item["prediction"]}
        for label, value in (item.get("probabilities") or {}).items():
            row[f"proba_{label}"] = value
        out.append(row)
    return {"predictions": out}


def invoke_body(state: AppState, loaded: LoadedModel, body: InvocationsRequest,
                request_id: str | None) -> dict[str, Any]:
    """The answer to a checked ``InvocationsRequest`` (the route's work, also the fast path's)."""
    return _invoke(loaded, body, state, request_id)


@router.post("/invocations", response_model=InvocationsResponse,
             summary="MLflow scoring protocol (default model)",
             responses={k: ERRORS[k] for k in (400, 401, 403, 404, 413, 422)})
async def invocations(body: InvocationsRequest, request: Request, state: StateDep,
                      caller: CallerDep) -> JsonBytesResponse:
    """Answers like ``mlflow models serve`` of the same model: ``{"predictions": [{"prediction":
    ..., "proba_<class>": ...}, ...]}``, for the ``--model`` given to ``jogak serve`` or the only
    registered model."""
    ref = state.settings.default_model or state.only_model
    if ref is None:
        ref = await run_in_threadpool(state.default_ref)
    if ref is None:
        raise HTTPException(404, "No default model: the registry holds several models (or "
                                 "none). Hint: start the service with jogak serve --model "
                                 "NAME[@alias], or call /v1/models/{name}/predict.")
    from jogak.registry import parse_ref

    require_model_right(caller, parse_ref(ref).name)
    loaded = state.cache.cached(ref)
    if loaded is None:  # first use: registry and disk
        loaded = await run_in_threadpool(state.cache.get, ref)
    request.state.jogak_log = {"model": loaded.name, "version": loaded.version}
    logged = None if state.prediction_log is None else \
        request_id(request.headers.get("x-request-id"))
    if _single_record(body, loaded.schema.names) is not None:
        result = _invoke(loaded, body, state, logged)  # the single-row path is cheaper inline
    else:
        result = await run_in_threadpool(_invoke, loaded, body, state, logged)
    request.state.jogak_log["n_rows"] = len(result["predictions"])
    return JsonBytesResponse(result, headers=None if logged is None else {"X-Request-ID": logged})
