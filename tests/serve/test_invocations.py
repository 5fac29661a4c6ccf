"""MLflow's /invocations payloads answer like the pyfunc of the same bundle."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from jogak.models import load_model

from .conftest import AUTH, frame_of, rows


def _payloads(records: list[dict[str, Any]], names: list[str]) -> dict[str, dict[str, Any]]:
    columns = {name: [r[name] for r in records] for name in names}
    return {
        "dataframe_split": {"dataframe_split": {"columns": names,
                                                "data": [[r[n] for n in names] for r in records]}},
        "dataframe_records": {"dataframe_records": records},
        "instances_records": {"instances": records},
        "instances_columns": {"instances": columns},
        "inputs_columns": {"inputs": columns},
        "inputs_rows_in_model_order": {"inputs": [[r[n] for n in names] for r in records]},
    }


def _expected(model: Any, frame: pd.DataFrame) -> list[dict[str, Any]]:
    proba = model.predict_proba(frame)
    out = []
    for label, row in zip(model.predict(frame), proba, strict=True):
        out.append({"prediction": label, **{f"proba_{c}": pytest.approx(p)
                                             for c, p in zip(model.classes_, row, strict=True)}})
    return out


def test_every_payload_form_gives_the_pyfunc_answer(client: TestClient,
                                                    bundles: dict[str, Path]) -> None:
    records = rows(6, seed=8)
    model = load_model(bundles["binary"])
    names = list(model.schema_.names)
    expected = _expected(model, frame_of(records)[names])
    for form, payload in _payloads(records, names).items():
        response = client.post("/invocations", json=payload, headers=AUTH)
        assert response.status_code == 200, (form, response.text)
        assert response.json()["predictions"] == expected, form


@pytest.mark.parametrize("n_rows", [1, 2], ids=["single_row_path", "frame_path"])
def test_one_row_payloads_take_the_row_path_with_the_same_answer(
        client: TestClient, bundles: dict[str, Path], n_rows: int) -> None:
    records = rows(n_rows, seed=12)
    model = load_model(bundles["binary"])
    names = list(model.schema_.names)
    expected = _expected(model, frame_of(records)[names])
    for form, payload in _payloads(records, names).items():
        body = client.post("/invocations", json=payload, headers=AUTH).json()
        assert body["predictions"] == expected, form


@pytest.mark.parametrize(("payload", "rule"), [
    ({"instances": [1, 2, 3]}, "shape"),
    ({"dataframe_split": {"columns": ["num"], "data": [[1.0, 2.0]]}}, "length"),
    ({"dataframe_records": [{"num": 1.0}]}, "missing_column"),
    ({"dataframe_records": [], "inputs": []}, "value_error"),
], ids=["scalars", "ragged_split", "missing_column", "two_forms"])
def test_bad_payloads_are_422(client: TestClient, payload: dict[str, Any], rule: str) -> None:
    response = client.post("/invocations", json=payload, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["detail"][0]["rule"] == rule


def test_default_model_is_the_only_one_or_the_one_given(
        make_client: Callable[..., TestClient], tmp_path: Path, bundles: dict[str, Path]) -> None:
    from jogak.registry import Registry

    payload = {"dataframe_records": rows(2)}
    several = make_client(default_model=None)  # tiny, multi and reg are registered
    response = several.post("/invocations", json=payload, headers=AUTH)
    assert response.status_code == 404
    assert "--model" in response.json()["detail"][0]["msg"]
    chosen = make_client(default_model="multi")
    assert set(chosen.post("/invocations", json=payload, headers=AUTH).json()["predictions"][0]
               ) == {"prediction", "proba_high", "proba_low", "proba_mid"}
    with Registry(tmp_path / "solo") as registry:
        registry.register(bundles["regression"], "only")
    solo = make_client(default_model=None, home=tmp_path / "solo")
    body = solo.post("/invocations", json=payload, headers=AUTH).json()
    assert list(body["predictions"][0]) == ["prediction"]
