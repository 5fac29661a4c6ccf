"""``/v1/sto``: the offering ledger over HTTP (auth, idempotency, errors, exact money)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from jogak.serve import ServeSettings, create_app, parse_api_keys
from jogak.serve.routes import sto
from jogak.solutions.sto import Ledger, open_ledger

ALL_KEY = "all-scopes-key-0123456789"
STO_KEY = "sto-only-key-0123456789ab"
MODEL_KEY = "model-only-key-0123456789"
KEYS = f"{ALL_KEY}:all,{STO_KEY}:sto,{MODEL_KEY}:tiny"
AUTH = {"Authorization": f"Bearer {STO_KEY}"}
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with open_ledger(tmp_path / "home") as opened:
        yield opened


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(tmp_path: Path, ledger: Ledger, clock: Clock) -> Iterator[TestClient]:
    app = create_app(ServeSettings(home=tmp_path / "home", api_keys=parse_api_keys(KEYS),
                                   reload_seconds=3600.0))
    app.dependency_overrides[sto.sto_ledger] = lambda: ledger
    app.dependency_overrides[sto.sto_clock] = clock
    with TestClient(app) as test_client:
        yield test_client


def offering(**overrides: Any) -> dict[str, Any]:
    body = {"offering_id": "film-1", "content_id": "movie-0001", "total_units": 10,
            "unit_price": "12.50", "currency": "USD", "decimals": 2,
            "opens_at": "2024-05-01T09:00:00Z", "closes_at": "2024-05-08T09:00:00+00:00"}
    body.update(overrides)
    return body


def post(client: TestClient, path: str, body: dict[str, Any], key: str | None = None,
         status: int = 200) -> dict[str, Any]:
    headers = {**AUTH, **({"Idempotency-Key": key} if key else {})}
    response = client.post(f"/v1/sto{path}", json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def test_offering_lifecycle_over_http(client: TestClient, clock: Clock, ledger: Ledger) -> None:
    created = post(client, "/offerings", offering(), status=201)
    assert (created["unit_price"], created["status"], created["rule"]) == \
        ("12.50", "open", "pro_rata")
    clock.now = T0 + timedelta(days=1)
    for n, (who, units) in enumerate([("ann@example.com", 5), ("ben@example.com", 4),
                                      ("cho@example.com", 6)]):
        order = post(client, "/offerings/film-1/subscriptions",
                     {"investor": who, "units": units}, key=f"order-{n}")
        assert order["status"] == "pending"
        assert "@" not in order["investor"]
    clock.now = T0 + timedelta(days=7)
    allocation = post(client, "/offerings/film-1/allocation", {})
    assert [o["units_allocated"] for o in allocation["orders"]] == [3, 3, 4]
    moved = post(client, "/offerings/film-1/transfers",
                 {"sender": "cho@example.com", "recipient": "dan@example.com", "units": 1},
                 key="t-1")
    assert moved["units"] == 1
    paid = post(client, "/offerings/film-1/distributions", {"amount": "100.00"}, key="d-1")
    assert sum(Decimal(p["amount"]) for p in paid["payouts"]) == Decimal("100.00")
    assert sorted((p["units"], p["amount"]) for p in paid["payouts"]) == \
        [(1, "10.00"), (3, "30.00"), (3, "30.00"), (3, "30.00")]
    mine = post(client, "/holdings/search", {"investor": "ann@example.com"})
    assert mine == {"holdings": [{"offering_id": "film-1",
                                  "investor": ledger.investor_token("ann@example.com"),
                                  "units": 3}]}
    holders = client.get("/v1/sto/offerings/film-1/holdings", headers=AUTH).json()["holdings"]
    assert sum(h["units"] for h in holders) == 10
    assert len(client.get("/v1/sto/offerings/film-1/orders", headers=AUTH).json()["orders"]) == 3
    assert client.get("/v1/sto/offerings/film-1/distributions",
                      headers=AUTH).json()["distributions"] == [paid]
    audit = client.get("/v1/sto/audit", params={"offering_id": "film-1"}, headers=AUTH).json()
    assert [e["action"] for e in audit["entries"]] == [
        "offering.create", "order.place", "order.place", "order.place", "offering.allocate",
        "transfer", "distribution"]
    assert client.get("/v1/sto/audit/verify", headers=AUTH).json() == {
        "ok": True, "n_entries": 11, "first_bad_seq": None, "reason": None,
        "invariant_violations": []}
    listed = client.get("/v1/sto/offerings", headers=AUTH).json()["offerings"]
    assert [(o["offering_id"], o["units_issued"]) for o in listed] == [("film-1", 10)]


def test_idempotent_subscription_replays_and_conflicts(client: TestClient) -> None:
    post(client, "/offerings", offering(), status=201)
    body = {"investor": "ann", "units": 2}
    first = post(client, "/offerings/film-1/subscriptions", body, key="same")
    assert post(client, "/offerings/film-1/subscriptions", body, key="same") == first
    conflict = post(client, "/offerings/film-1/subscriptions", {"investor": "ann", "units": 3},
                    key="same", status=409)
    assert "already used for a different subscription" in conflict["detail"][0]["msg"]
    orders = client.get("/v1/sto/offerings/film-1/orders", headers=AUTH).json()["orders"]
    assert len(orders) == 1


@pytest.mark.parametrize(("path", "body", "key", "status", "message"), [
    ("/offerings", offering(total_units=0), None, 422, "greater than or equal to 1"),
    ("/offerings", offering(unit_price="-1"), None, 422, "greater than 0"),
    ("/offerings", offering(unit_price="1.005"), None, 422, "more than 2 decimal place"),
    ("/offerings", offering(opens_at="2024-05-01T09:00:00"), None, 422, "timezone"),
    ("/offerings", offering(closes_at="2024-05-01T08:00:00Z"), None, 422,
     "must be after opens_at"),
    ("/offerings", offering(offering_id="film-0"), None, 422, "already exists"),
    ("/offerings/film-0/subscriptions", {"investor": "ann", "units": 0}, "k", 422,
     "greater than or equal to 1"),
    ("/offerings/film-0/subscriptions", {"investor": "ann", "units": 1}, None, 422,
     "Field required"),
    ("/offerings/film-0/subscriptions", {"investor": "ann", "units": 1}, "bad key!", 422,
     "String should match pattern"),
    ("/offerings/ghost/subscriptions", {"investor": "ann", "units": 1}, "k", 404,
     "No offering 'ghost'"),
    ("/offerings/film-0/transfers", {"sender": "a", "recipient": "b", "units": 1}, None, 422,
     "once it is allocated"),
    ("/offerings/film-0/allocation", {}, None, 422, "once its window closes"),
], ids=["zero_units", "negative_price", "too_precise_price", "naive_time", "empty_window",
        "duplicate", "zero_order", "no_idempotency_key", "bad_idempotency_key", "unknown",
        "transfer_too_early", "allocate_too_early"])
def test_bad_requests_get_4xx_naming_the_problem_and_write_nothing(
        client: TestClient, ledger: Ledger, path: str, body: dict[str, Any], key: str | None,
        status: int, message: str) -> None:
    post(client, "/offerings", offering(offering_id="film-0"), status=201)
    before = len(ledger.audit_log())
    refused = post(client, path, body, key=key, status=status)
    assert message in " ".join(item["msg"] for item in refused["detail"])
    assert len(ledger.audit_log()) == before


def test_subscription_outside_the_window_is_refused(client: TestClient, clock: Clock) -> None:
    post(client, "/offerings", offering(), status=201)
    clock.now = T0 + timedelta(days=7)
    refused = post(client, "/offerings/film-1/subscriptions", {"investor": "ann", "units": 1},
                   key="late", status=422)
    assert "end excluded" in refused["detail"][0]["msg"]


def test_routes_need_a_key_whose_scope_covers_sto(client: TestClient) -> None:
    assert client.get("/v1/sto/offerings").status_code == 401
    wrong = client.get("/v1/sto/offerings", headers={"Authorization": f"Bearer {MODEL_KEY}"})
    assert wrong.status_code == 403
    assert "may not use the STO ledger" in wrong.json()["detail"][0]["msg"]
    for key in (ALL_KEY, STO_KEY):
        ok = client.get("/v1/sto/offerings", headers={"Authorization": f"Bearer {key}"})
        assert ok.status_code == 200


def test_the_default_ledger_opens_in_the_service_home(tmp_path: Path, clock: Clock) -> None:
    home = tmp_path / "svc"
    app = create_app(ServeSettings(home=home, api_keys=parse_api_keys(KEYS),
                                   reload_seconds=3600.0))
    app.dependency_overrides[sto.sto_clock] = clock
    with TestClient(app) as test_client:
        assert post(test_client, "/offerings", offering(), status=201)["offering_id"] == "film-1"
    app.state.jogak_sto_ledger.close()
    assert (home / "sto.sqlite").exists()
    assert (home / "sto.key").stat().st_mode & 0o077 == 0
    with open_ledger(home) as reopened:
        assert [o.offering_id for o in reopened.offerings()] == ["film-1"]


try:  # a dev extra; the tests above do not need it
    import schemathesis
except ImportError:  # pragma: no cover
    schemathesis = None

if schemathesis is not None:
    def _fuzzed_app() -> object:
        import tempfile

        home = Path(tempfile.mkdtemp(prefix="jogak-sto-schemathesis-")) / "home"
        return create_app(ServeSettings(home=home, api_keys=parse_api_keys(KEYS),
                                        reload_seconds=3600.0, max_body_bytes=200_000))

    schema = schemathesis.openapi.from_asgi("/openapi.json", _fuzzed_app()).include(
        path_regex="^/v1/sto")

    @pytest.mark.slow
    @pytest.mark.filterwarnings("ignore::DeprecationWarning:schemathesis.*")
    @pytest.mark.filterwarnings("ignore::DeprecationWarning:hypothesis_graphql.*")
    @schema.parametrize()
    @settings(max_examples=15, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def test_sto_routes_answer_as_documented(case: Any) -> None:
        from schemathesis.checks import (
            content_type_conformance,
            not_a_server_error,
            response_schema_conformance,
            status_code_conformance,
        )

        case.call_and_validate(headers={"Authorization": f"Bearer {STO_KEY}"},
                               checks=[not_a_server_error, status_code_conformance,
                                       response_schema_conformance, content_type_conformance],
                               excluded_checks=[])
