"""``jogak sto``: the security-token offering ledger.

The ledger lives in ``JOGAK_DATABASE_URL`` or ``JOGAK_HOME/sto.sqlite``; investor ids are
turned into tokens with the key in ``JOGAK_STO_KEY_FILE`` or ``JOGAK_HOME/sto.key`` (created on
first use). Times are ISO 8601 with a time zone; ``--at`` defaults to now.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from jogak.cli._app import app
from jogak.errors import ConfigError

if TYPE_CHECKING:
    from jogak.solutions.sto import Ledger

__all__ = ["group"]

group = typer.Typer(help="The security-token offering ledger: create, subscribe, allocate, "
                         "transfer, distribute, holdings, audit.", no_args_is_help=True)
app.add_typer(group, name="sto")

_err = Console(stderr=True)
JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")]
DatabaseOption = Annotated[str | None, typer.Option(
    "--database", help="SQLAlchemy URL of the ledger (default: JOGAK_DATABASE_URL, else "
                       "JOGAK_HOME/sto.sqlite).")]
KeyFileOption = Annotated[Path | None, typer.Option(
    "--key-file", envvar="JOGAK_STO_KEY_FILE",
    help="Secret key that turns investor ids into tokens (default JOGAK_HOME/sto.key, created "
         "on first use; every writer of one ledger needs the same key).")]
AtOption = Annotated[str | None, typer.Option(
    "--at", help="When it happens, ISO 8601 with a time zone (default: now).")]
OfferingArg = Annotated[str, typer.Argument(help="The offering id, e.g. film-2024-017.")]
IdempotencyKeyOption = Annotated[str | None, typer.Option(help="Idempotency key (optional).")]


def _ledger(database: str | None, key_file: Path | None) -> Ledger:
    from jogak.config import Settings
    from jogak.solutions.sto import open_ledger

    settings = Settings.from_env()
    return open_ledger(settings.home, database or settings.database_url, key_file=key_file)


def _time(text: str | None, option: str) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConfigError(f"{option} must be an ISO 8601 time like 2024-05-01T09:00+09:00, got "
                          f"{text!r}.") from exc
    if value.tzinfo is None:
        raise ConfigError(f"{option} {text!r} has no time zone. Hint: add one, e.g. "
                          f"{text}+09:00 or {text}Z.")
    return value


def _emit(payload: dict[str, Any], as_json: bool, human: str) -> None:
    if as_json:
        typer.echo(json.dumps(payload, default=str))
    else:
        _err.print(human)


def _emit_table(payload: dict[str, Any], as_json: bool, title: str, columns: Sequence[str],
                rows: Iterable[Sequence[str]], *, right: Collection[str] = ()) -> None:
    """``payload`` as JSON on stdout, else a table on stderr (``right``: right-aligned)."""
    if as_json:
        typer.echo(json.dumps(payload, default=str))
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left")
    for row in rows:
        table.add_row(*row)
    _err.print(table)


@group.command()
def create(
    offering_id: OfferingArg,
    content: Annotated[str, typer.Option(help="The film, song or content id backing it.")],
    units: Annotated[int, typer.Option(help="Total units offered.")],
    price: Annotated[str, typer.Option(help="Price of one unit (exact decimal).")],
    opens: Annotated[str, typer.Option(help="Subscriptions open (ISO 8601 with time zone).")],
    closes: Annotated[str, typer.Option(help="Subscriptions close, exclusive.")],
    min_units: Annotated[int, typer.Option(help="Smallest order.")] = 1,
    max_units: Annotated[int | None, typer.Option(help="Most units per investor "
                                                       "(default: all).")] = None,
    rule: Annotated[str, typer.Option(help="pro-rata (allocate after close) or fcfs "
                                           "(fill on arrival).")] = "pro-rata",
    currency: Annotated[str, typer.Option(help="ISO 4217 code.")] = "KRW",
    decimals: Annotated[int, typer.Option(help="Digits of the currency's minor unit.")] = 0,
    at: AtOption = None,
    database: DatabaseOption = None,
    key_file: KeyFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an offering."""
    from jogak.solutions.sto import OfferingTerms

    terms = OfferingTerms(offering_id=offering_id, content_id=content, total_units=units,
                          unit_price=price, opens_at=_time(opens, "--opens"),
                          closes_at=_time(closes, "--closes"), min_units=min_units,
                          max_units=max_units, rule=rule.replace("-", "_"),  # type: ignore[arg-type]
                          currency=currency, decimals=decimals)
    with _ledger(database, key_file) as ledger:
        offering = ledger.create_offering(terms, at=_time(at, "--at"))
    _emit(offering.to_dict(), as_json,
          f"created [bold]{offering.offering_id}[/bold]: {offering.total_units:,} units at "
          f"{offering.unit_price} {offering.currency} ({offering.rule}), open "
          f"{offering.opens_at.isoformat()} – {offering.closes_at.isoformat()}")


@group.command()
def subscribe(
    offering_id: OfferingArg,
    investor: Annotated[str, typer.Option(help="The investor's id (stored only as a token).")],
    units: Annotated[int, typer.Option(help="Units requested.")],
    key: Annotated[str | None, typer.Option(help="Idempotency key: repeating a request with "
                                                 "the same key returns its first result "
                                                 "(default: a new UUID).")] = None,
    at: AtOption = None,
    database: DatabaseOption = None,
    key_file: KeyFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Place a subscription order."""
    idempotency_key = key or str(uuid.uuid4())
    with _ledger(database, key_file) as ledger:
        order = ledger.subscribe(offering_id, investor, units, idempotency_key=idempotency_key,
                                 at=_time(at, "--at"))
    filled = "pending allocation" if order.units_allocated is None else \
        f"{order.units_allocated} allocated"
    _emit(order.to_dict(), as_json, f"order {order.order_id} (key {order.idempotency_key}): "
                                    f"{order.units_requested} units of {offering_id}, {filled}")


@group.command()
def allocate(
    offering_id: OfferingArg,
    at: AtOption = None,
    database: DatabaseOption = None,
    key_file: KeyFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close an offering after its window and allocate its orders."""
    with _ledger(database, key_file) as ledger:
        result = ledger.allocate(offering_id, at=_time(at, "--at"))
    _emit(result.to_dict(), as_json,
          f"{offering_id}: {result.units_issued:,} units issued to {len(result.orders)} "
          f"order(s); {result.units_requested:,} requested"
          f"{' (oversubscribed, pro rata)' if result.oversubscribed else ''}")


@group.command()
def transfer(
    offering_id: OfferingArg,
    sender: Annotated[str, typer.Option("--from", help="The investor giving units.")],
    recipient: Annotated[str, typer.Option("--to", help="The investor receiving them.")],
    units: Annotated[int, typer.Option(help="Units to move.")],
    key: IdempotencyKeyOption = None,
    at: AtOption = None,
    database: DatabaseOption = None,
    key_file: KeyFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move units of an allocated offering between investors."""
    with _ledger(database, key_file) as ledger:
        moved = ledger.transfer(offering_id, sender, recipient, units, at=_time(at, "--at"),
                                idempotency_key=key)
    _emit(moved.to_dict(), as_json, f"transfer {moved.transfer_id}: {moved.units} units of "
                                    f"{offering_id}, {moved.sender[:8]}… → "
                                    f"{moved.recipient[:8]}…")


@group.command()
def distribute(
    offering_id: OfferingArg,
    amount: Annotated[str, typer.Option(help="Revenue to pay out (exact decimal).")],
    key: IdempotencyKeyOption = None,
    at: AtOption = None,
    database: DatabaseOption = None,
    key_file: KeyFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Pay revenue out to the holders, pro rata to their units (exact to the minor unit)."""
    with _ledger(database, key_file) as ledger:
        paid = ledger.distribute(offering_id, amount, at=_time(at, "--at"),
                                 idempotency_key=key)
    amount = f"amount ({paid.currency})"
    _emit_table(paid.to_dict(), as_json,
                f"distribution {paid.distribution_id} of {offering_id}: {paid.amount} "
                f"{paid.currency} over {paid.units_outstanding:,} units",
                ("investor token", "units", amount),
                ((p.investor, f"{p.units:,}", str(p.amount)) for p in paid.payouts),
                right=("units", amount))


@group.command()
def holdings(
    offering_id: Annotated[str | None, typer.Argument(help="Only this offering.")] = None,
    investor: Annotated[str | None, typer.Option(help="Only this investor.")] = None,
    database: DatabaseOption = None,
    key_file: KeyFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Units held, by offering and investor token."""
    with _ledger(database, key_file) as ledger:
        held = ledger.holdings(offering_id, investor=investor)
    _emit_table({"holdings": [h.to_dict() for h in held]}, as_json, f"{len(held)} holding(s)",
                ("offering", "investor token", "units"),
                ((h.offering_id, h.investor, f"{h.units:,}") for h in held), right=("units",))


@group.command()
def offerings(
    database: DatabaseOption = None,
    key_file: KeyFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every offering with its state."""
    with _ledger(database, key_file) as ledger:
        listed = ledger.offerings()
    _emit_table({"offerings": [o.to_dict() for o in listed]}, as_json,
                f"{len(listed)} offering(s)",
                ("offering", "content", "rule", "status", "price", "requested", "issued",
                 "total", "window (UTC)"),
                ((o.offering_id, o.content_id, o.rule, o.status, f"{o.unit_price} {o.currency}",
                  f"{o.units_requested:,}", f"{o.units_issued:,}", f"{o.total_units:,}",
                  f"{o.opens_at:%Y-%m-%d %H:%M} – {o.closes_at:%Y-%m-%d %H:%M}")
                 for o in listed))


@group.command()
def audit(
    offering: Annotated[str | None, typer.Option(help="Only this offering's lines.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many lines.")] = None,
    verify: Annotated[bool, typer.Option(help="Recompute the hash chain and the ledger's "
                                              "invariants; exit 1 if anything is broken.")
                      ] = False,
    database: DatabaseOption = None,
    key_file: KeyFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """The append-only audit log (and, with --verify, its integrity)."""
    with _ledger(database, key_file) as ledger:
        lines = ledger.audit_log(offering, limit=limit)
        chain = ledger.verify_audit() if verify else None
        problems = ledger.invariant_violations() if verify else []
    payload: dict[str, Any] = {"entries": [e.to_dict() for e in lines]}
    broken: list[str] = []
    if chain is not None:
        payload["verify"] = {**chain.to_dict(), "invariant_violations": problems}
        broken = ([f"audit line {chain.first_bad_seq}: {chain.reason}"] if not chain.ok
                  else []) + problems
    _emit_table(payload, as_json, f"{len(lines)} audit line(s)",
                ("seq", "at (UTC)", "action", "offering", "investor", "detail"),
                ((str(e.seq), f"{e.at:%Y-%m-%d %H:%M:%S}", e.action, e.offering_id or "",
                  (e.investor or "")[:12], json.dumps(e.detail, sort_keys=True))
                 for e in lines))
    if chain is not None and not as_json:
        _err.print("audit chain and invariants: " + (
            "[red]BROKEN[/red] " + "; ".join(broken) if broken else "[green]ok[/green]"))
    if broken:
        raise typer.Exit(1)
