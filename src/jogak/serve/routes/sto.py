"""``/v1/sto``: the security-token offering ledger over HTTP.

The ledger is opened on first use from the service's settings (``JOGAK_DATABASE_URL``, else
``JOGAK_HOME/sto.sqlite``; investor key ``JOGAK_HOME/sto.key``). Every route needs an API key
whose scope is ``all`` or lists ``sto``. Investor ids travel in request bodies only (never in
URLs, which end up in logs) and are stored as keyed tokens.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from jogak.serve._auth import Principal
from jogak.serve.dependencies import CallerDep, StateDep
from jogak.serve.routes._errors import ERRORS
from jogak.serve.schemas import ErrorResponse
from jogak.solutions.sto import (
    IdempotencyConflictError,
    Ledger,
    LedgerNotFoundError,
    LedgerUnavailableError,
    OfferingTerms,
    open_ledger,
)

__all__ = ["ClockDep", "LedgerDep", "router", "sto_clock", "sto_ledger"]

T = TypeVar("T")
SCOPE = "sto"
_OPENING = threading.Lock()

_ID = r"^[a-z0-9][a-z0-9._-]{0,63}$"
_KEY = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"


# -- dependencies (tests swap them with dependency_overrides) ----------------------------------

def sto_ledger(request: Request, state: StateDep) -> Ledger:
    """The app's ledger, opened on first use and closed with the app."""
    ledger: Ledger | None = getattr(request.app.state, "jogak_sto_ledger", None)
    if ledger is None:
        with _OPENING:
            ledger = getattr(request.app.state, "jogak_sto_ledger", None)
            if ledger is None:
                ledger = open_ledger(state.settings.home, state.settings.database_url)
                request.app.state.jogak_sto_ledger = ledger
                weakref.finalize(request.app, ledger.close)
    return ledger


def sto_clock() -> datetime:
    """Now, in UTC: the time every change is recorded at."""
    return datetime.now(UTC)


def sto_caller(caller: CallerDep) -> Principal:
    """403 unless the key's scope is ``all`` or lists ``sto``."""
    if not caller.allows(SCOPE):
        raise HTTPException(403, f"This API key ({caller.key_id}) may not use the STO ledger. "
                                 "Hint: use a key whose JOGAK_API_KEYS scope is 'all' or lists "
                                 "'sto'.")
    return caller


LedgerDep = Annotated[Ledger, Depends(sto_ledger)]
ClockDep = Annotated[datetime, Depends(sto_clock)]

router = APIRouter(prefix="/v1/sto", tags=["sto"], dependencies=[Depends(sto_caller)])

OfferingPath = Annotated[str, Path(description="The offering id.", pattern=_ID, max_length=64)]
IdempotencyHeader = Annotated[str | None, Header(
    description="Repeating a request with the same key returns its first result; the same key "
                "with another body is a 409.", pattern=_KEY, max_length=64)]


def _call(operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return operation(*args, **kwargs)
    except LedgerNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except IdempotencyConflictError as exc:
        raise HTTPException(409, str(exc)) from exc
    except LedgerUnavailableError as exc:
        raise HTTPException(503, str(exc)) from exc


def _responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    described = {
        404: {"model": ErrorResponse, "description": "No such offering."},
        409: {"model": ErrorResponse, "description": "The idempotency key was used for "
                                                     "another request body."},
        422: {"model": ErrorResponse, "description": "Invalid input or a ledger rule broken "
                                                     "(closed window, too few units, ...); "
                                                     "nothing was written."},
        503: {"model": ErrorResponse, "description": "The ledger database is unavailable; "
                                                     "retry with the same idempotency key."},
    }
    chosen: dict[int | str, dict[str, Any]] = {
        400: ERRORS[400], 401: ERRORS[401],
        403: {"model": ErrorResponse, "description": "The key may not use the STO ledger."},
        413: ERRORS[413]}
    chosen.update({code: described[code] for code in (422, 503, *codes)})
    return chosen


# -- bodies ------------------------------------------------------------------------------------

class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfferingCreate(_Body):
    """An offering's terms (see ``jogak.solutions.sto.OfferingTerms``)."""

    offering_id: str = Field(pattern=_ID, max_length=64, examples=["film-2024-017"])
    content_id: str = Field(min_length=1, max_length=128)
    total_units: int = Field(ge=1, le=10**12)
    unit_price: Decimal = Field(gt=0, description="Exact decimal; send a string such as "
                                                  "'10000' or '12.50'.")
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    min_units: int = Field(1, ge=1, le=10**12)
    max_units: int | None = Field(None, ge=1, le=10**12)
    rule: Literal["pro_rata", "fcfs"] = "pro_rata"
    currency: str = Field("KRW", pattern=r"^[A-Z]{3}$")
    decimals: int = Field(0, ge=0, le=6)


class SubscriptionCreate(_Body):
    investor: str = Field(min_length=1, max_length=256, description="Stored only as a token.")
    units: int = Field(ge=1, le=10**12)


class TransferCreate(_Body):
    sender: str = Field(min_length=1, max_length=256)
    recipient: str = Field(min_length=1, max_length=256)
    units: int = Field(ge=1, le=10**12)


class DistributionCreate(_Body):
    amount: Decimal = Field(gt=0, description="Exact decimal, e.g. '1250000' or '99.95'.")


class InvestorQuery(_Body):
    investor: str = Field(min_length=1, max_length=256)


class OfferingOut(BaseModel):
    offering_id: str
    content_id: str
    total_units: int
    unit_price: str
    currency: str
    decimals: int
    opens_at: str
    closes_at: str
    min_units: int
    max_units: int
    rule: str
    status: str
    units_requested: int
    units_issued: int
    created_at: str


class OfferingsOut(BaseModel):
    offerings: list[OfferingOut]


class OrderOut(BaseModel):
    order_id: int
    idempotency_key: str
    offering_id: str
    investor: str
    units_requested: int
    units_allocated: int | None
    status: str
    placed_at: str


class OrdersOut(BaseModel):
    orders: list[OrderOut]


class AllocationOut(BaseModel):
    offering_id: str
    rule: str
    units_requested: int
    units_issued: int
    oversubscribed: bool
    orders: list[OrderOut]


class TransferOut(BaseModel):
    transfer_id: int
    idempotency_key: str | None
    offering_id: str
    sender: str
    recipient: str
    units: int
    at: str


class PayoutOut(BaseModel):
    investor: str
    units: int
    amount: str


class DistributionOut(BaseModel):
    distribution_id: int
    idempotency_key: str | None
    offering_id: str
    amount: str
    currency: str
    units_outstanding: int
    at: str
    payouts: list[PayoutOut]


class DistributionsOut(BaseModel):
    distributions: list[DistributionOut]


class HoldingOut(BaseModel):
    offering_id: str
    investor: str
    units: int


class HoldingsOut(BaseModel):
    holdings: list[HoldingOut]


class AuditEntryOut(BaseModel):
    seq: int
    at: str
    action: str
    offering_id: str | None
    investor: str | None
    detail: dict[str, Any]
    prev_sha256: str
    sha256: str


class AuditOut(BaseModel):
    entries: list[AuditEntryOut]


class AuditVerifyOut(BaseModel):
    ok: bool
    n_entries: int
    first_bad_seq: int | None
    reason: str | None
    invariant_violations: list[str]


# -- routes ------------------------------------------------------------------------------------

@router.post("/offerings", response_model=OfferingOut, status_code=201,
             summary="Create an offering", responses=_responses())
def create_offering(body: OfferingCreate, ledger: LedgerDep, now: ClockDep) -> dict[str, Any]:
    """Record a new offering (``open`` until allocated); an id is never reused."""
    terms = OfferingTerms(**body.model_dump())
    return _call(ledger.create_offering, terms, at=now).to_dict()


@router.get("/offerings", response_model=OfferingsOut, summary="Every offering",
            responses=_responses())
def list_offerings(ledger: LedgerDep) -> dict[str, Any]:
    return {"offerings": [o.to_dict() for o in _call(ledger.offerings)]}


@router.get("/offerings/{offering_id}", response_model=OfferingOut, summary="One offering",
            responses=_responses(404))
def get_offering(offering_id: OfferingPath, ledger: LedgerDep) -> dict[str, Any]:
    return _call(ledger.offering, offering_id).to_dict()


@router.post("/offerings/{offering_id}/subscriptions", response_model=OrderOut,
             summary="Subscribe (idempotent)", responses=_responses(404, 409))
def subscribe(offering_id: OfferingPath, body: SubscriptionCreate, ledger: LedgerDep,
              now: ClockDep, idempotency_key: Annotated[str, Header(
                  description="Required: a retry with the same key and body returns the "
                              "first order; another body is a 409.",
                  pattern=_KEY, max_length=64)]) -> dict[str, Any]:
    """Place an order now: filled at once (``fcfs``) or pending allocation (``pro_rata``)."""
    return _call(ledger.subscribe, offering_id, body.investor, body.units,
                 idempotency_key=idempotency_key, at=now).to_dict()


@router.get("/offerings/{offering_id}/orders", response_model=OrdersOut,
            summary="An offering's orders", responses=_responses(404))
def list_orders(offering_id: OfferingPath, ledger: LedgerDep) -> dict[str, Any]:
    return {"orders": [o.to_dict() for o in _call(ledger.orders, offering_id)]}


@router.post("/offerings/{offering_id}/allocation", response_model=AllocationOut,
             summary="Allocate after the window closed", responses=_responses(404))
def allocate(offering_id: OfferingPath, ledger: LedgerDep, now: ClockDep) -> dict[str, Any]:
    """Settle every order (pro rata by the largest-remainder rule when oversubscribed)."""
    return _call(ledger.allocate, offering_id, at=now).to_dict()


@router.post("/offerings/{offering_id}/transfers", response_model=TransferOut,
             summary="Transfer units", responses=_responses(404, 409))
def transfer(offering_id: OfferingPath, body: TransferCreate, ledger: LedgerDep,
             now: ClockDep, idempotency_key: IdempotencyHeader = None) -> dict[str, Any]:
    return _call(ledger.transfer, offering_id, body.sender, body.recipient, body.units,
                 at=now, idempotency_key=idempotency_key).to_dict()


@router.post("/offerings/{offering_id}/distributions", response_model=DistributionOut,
             summary="Distribute revenue pro rata", responses=_responses(404, 409))
def distribute(offering_id: OfferingPath, body: DistributionCreate, ledger: LedgerDep,
               now: ClockDep, idempotency_key: IdempotencyHeader = None) -> dict[str, Any]:
    """Pay ``amount`` to the holders; the payouts sum to it exactly (largest remainder)."""
    return _call(ledger.distribute, offering_id, body.amount, at=now,
                 idempotency_key=idempotency_key).to_dict()


@router.get("/offerings/{offering_id}/distributions", response_model=DistributionsOut,
            summary="An offering's distributions", responses=_responses(404))
def list_distributions(offering_id: OfferingPath, ledger: LedgerDep) -> dict[str, Any]:
    return {"distributions": [d.to_dict() for d in _call(ledger.distributions, offering_id)]}


@router.get("/offerings/{offering_id}/holdings", response_model=HoldingsOut,
            summary="An offering's holders", responses=_responses(404))
def offering_holdings(offering_id: OfferingPath, ledger: LedgerDep) -> dict[str, Any]:
    _call(ledger.offering, offering_id)
    return {"holdings": [h.to_dict() for h in _call(ledger.holdings, offering_id)]}


@router.post("/holdings/search", response_model=HoldingsOut,
             summary="One investor's holdings", responses=_responses())
def investor_holdings(body: InvestorQuery, ledger: LedgerDep) -> dict[str, Any]:
    """Looked up by the investor's id in the body (ids stay out of URLs and access logs)."""
    return {"holdings": [h.to_dict() for h in _call(ledger.holdings, investor=body.investor)]}


@router.get("/audit", response_model=AuditOut, summary="The audit log",
            responses=_responses())
def audit_log(ledger: LedgerDep,
              offering_id: Annotated[str | None, Query(pattern=_ID, max_length=64)] = None,
              after_seq: Annotated[int, Query(ge=0, le=2**62)] = 0,
              limit: Annotated[int, Query(ge=1, le=10_000)] = 1000) -> dict[str, Any]:
    return {"entries": [e.to_dict() for e in _call(ledger.audit_log, offering_id,
                                                   after_seq=after_seq, limit=limit)]}


@router.get("/audit/verify", response_model=AuditVerifyOut,
            summary="Check the audit chain and the ledger's invariants", responses=_responses())
def verify(ledger: LedgerDep) -> dict[str, Any]:
    chain = _call(ledger.verify_audit)
    return {**chain.to_dict(), "invariant_violations": _call(ledger.invariant_violations)}
