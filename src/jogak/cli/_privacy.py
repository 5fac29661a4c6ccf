"""``jogak privacy``: PII detection, pseudonymisation, keys and k-anonymity checks.

Nothing printed here ever holds a data value: only column names, counts and settings.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from jogak.cli._app import app
from jogak.data import load

__all__ = ["group"]

group = typer.Typer(help="PII detection and pseudonymisation.", no_args_is_help=True)
app.add_typer(group, name="privacy")

_DATA_HELP = "A data file (CSV, Parquet, Excel, JSON; .gz, .zip) or 'duckdb:SELECT ...'."


def _split(values: list[str] | None) -> list[str] | None:
    """Options given repeatedly and/or comma-separated: ``--columns a,b --columns c``."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@group.command("scan")
def scan(
    data: Annotated[str, typer.Argument(help=_DATA_HELP)],
    name: Annotated[list[str] | None, typer.Option(
        "--name", help="A column holding person names (repeat or comma-separate).")] = None,
    rows: Annotated[int, typer.Option(help="Rows read for the scan.")] = 10_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")
                       ] = False,
) -> None:
    """Find the columns that hold personal data (by name and by content)."""
    from jogak.data.privacy import scan_pii

    result = scan_pii(load(data, nrows=rows), names=_split(name) or ())
    if as_json:
        typer.echo(json.dumps({"data": data, **result.to_dict()}, ensure_ascii=False,
                              allow_nan=False))
        return
    console = Console(stderr=True)
    console.print(f"[bold]{len(result.findings)}[/] of {len(result.columns_scanned)} columns "
                  f"hold personal data ({result.n_rows_scanned:,} rows scanned)")
    table = Table()
    for heading in ("column", "kind", "class", "found by", "match", "default action"):
        table.add_column(heading)
    for finding in result.findings:
        share = "-" if finding.match_share is None else f"{finding.match_share:.0%}"
        table.add_row(escape(finding.column), finding.kind.value, finding.pii_class.value,
                      finding.detected_by, share, finding.action.value)
    console.print(table)


@group.command("pseudonymize")
def pseudonymize(
    data: Annotated[str, typer.Argument(help=_DATA_HELP)],
    key_file: Annotated[Path, typer.Option(help="The secret key file (kept apart from the "
                                                "data; `jogak privacy keygen` makes one).")],
    out: Annotated[Path, typer.Option(help="Output file: .csv, .csv.gz, .tsv, .parquet or "
                                           ".jsonl.")],
    columns: Annotated[list[str] | None, typer.Option(
        "--columns", help="Only these columns (repeat or comma-separate); default: every "
                          "detected PII column.")] = None,
    name: Annotated[list[str] | None, typer.Option(
        "--name", help="A column holding person names (repeat or comma-separate).")] = None,
    record: Annotated[Path | None, typer.Option(
        help="Where to write the processing record (default: OUT.record.json).")] = None,
    purpose: Annotated[str | None, typer.Option(help="Purpose, for the record.")] = None,
    processor: Annotated[str | None, typer.Option(help="Who processes, for the record.")
                         ] = None,
    batch_size: Annotated[int, typer.Option(help="Rows per batch.")] = 250_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the record as one JSON object "
                                                         "on stdout.")] = False,
) -> None:
    """Pseudonymise a table into OUT, streaming, and write its processing record."""
    from jogak.data.privacy import PseudonymKey, pseudonymize_file

    key = PseudonymKey.from_file(key_file)  # a bad key fails before anything is written
    record_path = record if record is not None else out.with_name(out.name + ".record.json")
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=not console.is_terminal) as progress:
        task_id = progress.add_task("pseudonymising", total=None)

        def advance(n_rows: int) -> None:
            progress.update(task_id, description=f"pseudonymising: {n_rows:,} rows")

        result = pseudonymize_file(data, out, key, columns=_split(columns),
                                   names=_split(name) or (), batch_size=batch_size,
                                   when=datetime.now(UTC), purpose=purpose,
                                   processor=processor, progress=advance)
    result.write(record_path)
    if as_json:
        typer.echo(json.dumps({"out": str(out), "record": str(record_path),
                               **result.to_dict()}, ensure_ascii=False, allow_nan=False))
        return
    console.print(f"wrote [bold]{escape(str(out))}[/] ({result.n_rows:,} rows) and the record "
                  f"{escape(str(record_path))}; key id {result.key_id or '-'}")
    table = Table()
    for heading in ("column", "action", "method", "values"):
        table.add_column(heading)
    for step in result.steps:
        table.add_row(escape(step.column), step.action, escape(step.method),
                      f"{step.n_values:,}")
    console.print(table)


@group.command("keygen")
def keygen(
    key_file: Annotated[Path, typer.Argument(help="Where to write the new key (never "
                                                  "overwritten; readable by you only).")],
) -> None:
    """Create a new random pseudonymisation key file (256 bits)."""
    from jogak.data.privacy import generate_key_file

    key = generate_key_file(key_file)
    typer.echo(f"wrote {key_file} (key id {key.key_id}); keep it apart from the data", err=True)


@group.command("anonymity")
def anonymity(
    data: Annotated[str, typer.Argument(help=_DATA_HELP)],
    qi: Annotated[list[str], typer.Option(
        "--qi", help="A quasi-identifier column (repeat or comma-separate).")],
    sensitive: Annotated[str | None, typer.Option(
        help="A sensitive column, for l-diversity.")] = None,
    k: Annotated[int, typer.Option("--k", help="The k the table must reach; exit 1 below it.")
                 ] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")
                       ] = False,
) -> None:
    """k-anonymity (and l-diversity) on declared quasi-identifiers, smallest classes first."""
    from jogak.data.privacy import k_anonymity, l_diversity

    frame = load(data)
    quasi = _split(qi) or []
    report = l_diversity(frame, quasi, sensitive) if sensitive else k_anonymity(frame, quasi)
    if as_json:
        typer.echo(json.dumps({"data": data, "required_k": k, **report.to_dict()},
                              ensure_ascii=False, allow_nan=False))
    else:
        console = Console(stderr=True)
        line = (f"k = [bold]{report.k}[/] over {report.n_classes:,} classes of "
                f"{report.n_rows:,} rows")
        if report.l_distinct is not None:
            line += f"; distinct l = {report.l_distinct}, entropy l = {report.l_entropy:.3g}"
        console.print(line)
        table = Table(title="smallest classes")
        for column in report.smallest_classes.columns:
            table.add_column(escape(str(column)))
        for row in report.smallest_classes.itertuples(index=False):
            table.add_row(*(escape(str(v)) for v in row))
        console.print(table)
    if report.k < k:
        raise typer.Exit(1)
