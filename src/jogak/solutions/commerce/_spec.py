"""The standard as a readable spec (Markdown, item tables) and as JSON Schema."""

from __future__ import annotations

from typing import Any

import pandas as pd

from jogak.solutions.commerce._standard import (
    EVENT_TYPES,
    STANDARD,
    STANDARD_VERSION,
    Item,
    TableSpec,
    get_table,
)

__all__ = ["spec_frame", "spec_json_schema", "spec_markdown"]

_JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_SCHEMA_ID = "https://jogak.dev/schemas/commerce/{version}/{table}.json"


def _tables(table: str | None) -> list[TableSpec]:
    return list(STANDARD.values()) if table is None else [get_table(table)]


def spec_frame(table: str) -> pd.DataFrame:
    """One row per item of ``table``: item, type, format, range, required, unique, PII class.

    Examples
    --------
    >>> spec_frame("product").loc[0, ["item", "required", "unique"]].tolist()
    ['product_id', 'yes', 'yes']
    """
    spec = get_table(table)
    return pd.DataFrame([{
        "item": item.name, "type": item.type, "format": item.format,
        "range / values": item.range_text, "required": "yes" if item.required else "no",
        "unique": "yes" if item.unique else "no", "PII class": item.pii.value,
        "description": item.description, "example": item.example} for item in spec.items])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def spec_markdown(table: str | None = None) -> str:
    """The standard (or one table of it) as Markdown: purpose, item tables, event taxonomy."""
    lines = [f"# jogak e-commerce data standard, version {STANDARD_VERSION}", "",
             "Three tables for machine-learning purchase-pattern analysis (S5): buyer, buyer "
             "behaviour and product. Every item has a type, format, range, required flag and "
             "PII class. Direct identifiers hold keyed HMAC-SHA256 tokens only (see "
             "`jogak privacy pseudonymize`); quasi-identifiers are generalised (age band, "
             "region). Values are UTF-8 text; dates are ISO 8601.", ""]
    for spec in _tables(table):
        frame = spec_frame(spec.name)
        lines += [f"## {spec.title} (`{spec.name}`)", "", spec.description, "",
                  "| " + " | ".join(frame.columns) + " |",
                  "|" + "---|" * len(frame.columns)]
        for row in frame.itertuples(index=False):
            lines.append("| " + " | ".join(_cell(str(v)) for v in row) + " |")
        lines.append("")
        if spec.name == "behaviour":
            lines += ["### Purchase-behaviour taxonomy (`event_type`)", "",
                      "| event_type | meaning |", "|---|---|"]
            lines += [f"| {name} | {meaning} |" for name, meaning in EVENT_TYPES.items()]
            lines.append("")
    lines += ["## Rules", "",
              "Each item implies the rules `type` (the value parses as the item's type), "
              "`required`, `unique` (rows after the first with a value fail), `pattern`, "
              "`range` (inclusive) and `allowed`, as it declares them. Each table also has "
              "`columns.present` (required items are columns) and `columns.known` (no other "
              "columns); the behaviour table has `product_id.product_event` (product events "
              "name their product). `jogak commerce validate` reports each rule.", ""]
    return "\n".join(lines)


def _item_schema(item: Item) -> dict[str, Any]:
    schema: dict[str, Any] = {"description": item.description, "x-format": item.format,
                              "x-pii-class": item.pii.value}
    if item.pii_kind is not None:
        schema["x-pii-kind"] = item.pii_kind.value
    if item.unique:
        schema["x-unique"] = True
    if item.example:
        schema["examples"] = [item.example]
    kind = item.type
    if kind == "integer":
        schema["type"] = "integer"
    elif kind == "decimal":
        schema["type"] = "number"
    elif kind == "json":
        schema["type"] = "object"
    else:
        schema["type"] = "string"
    if kind == "date":
        schema["format"] = "date"
        schema["pattern"] = r"^\d{4}-\d{2}-\d{2}$"
    elif kind == "datetime":
        schema["pattern"] = (r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?"
                             r"(Z|[+-]\d{2}:?\d{2})?$")
    if item.pattern is not None:
        schema["pattern"] = item.pattern
    if item.allowed:
        schema["enum"] = list(item.allowed)
    if kind in ("integer", "decimal"):
        if item.minimum is not None:
            schema["minimum"] = item.minimum
        if item.maximum is not None:
            schema["maximum"] = item.maximum
    elif kind in ("date", "datetime"):
        schema["x-minimum"] = item.minimum
        schema["x-maximum"] = item.maximum
    if not item.required:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def _table_schema(spec: TableSpec) -> dict[str, Any]:
    return {
        "$schema": _JSON_SCHEMA_DIALECT,
        "$id": _SCHEMA_ID.format(version=STANDARD_VERSION, table=spec.name),
        "title": f"{spec.title} (jogak e-commerce standard {STANDARD_VERSION})",
        "description": spec.description + " One JSON object per row.",
        "type": "object",
        "properties": {item.name: _item_schema(item) for item in spec.items},
        "required": [item.name for item in spec.items if item.required],
        "additionalProperties": False,
        "x-standard-version": STANDARD_VERSION,
    }


def spec_json_schema(table: str | None = None) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one row of ``table``, or of all three under ``$defs``.

    Uniqueness and date ranges cannot be said in JSON Schema; they are kept as ``x-unique``,
    ``x-minimum`` and ``x-maximum`` annotations, with ``x-pii-class`` and ``x-format``.

    Examples
    --------
    >>> spec_json_schema("product")["required"]
    ['product_id', 'price']
    """
    if table is not None:
        return _table_schema(get_table(table))
    return {"$schema": _JSON_SCHEMA_DIALECT,
            "$id": _SCHEMA_ID.format(version=STANDARD_VERSION, table="standard"),
            "title": f"jogak e-commerce data standard {STANDARD_VERSION}",
            "x-standard-version": STANDARD_VERSION,
            "$defs": {spec.name: _table_schema(spec) for spec in STANDARD.values()}}
