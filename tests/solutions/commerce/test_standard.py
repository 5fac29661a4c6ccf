"""The standard's declarations, and the spec and schemas derived from them, agree."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from jogak.data.privacy import PiiClass
from jogak.errors import ConfigError
from jogak.solutions.commerce import (
    EVENT_TYPES,
    STANDARD,
    STANDARD_VERSION,
    Item,
    get_table,
    pandera_schema,
    spec_frame,
    spec_json_schema,
    spec_markdown,
    table_rules,
)

jsonschema_rs = pytest.importorskip("jsonschema_rs")


def test_standard_has_the_three_tables_with_the_issue_items() -> None:
    assert list(STANDARD) == ["buyer", "behaviour", "product"]
    assert {"buyer_id", "gender", "age_band", "region", "join_date", "channel", "grade"} <= set(
        get_table("buyer").names)
    assert {"event_id", "buyer_id", "timestamp", "event_type", "product_id", "quantity",
            "amount", "payment_method", "channel", "device"} <= set(get_table("behaviour").names)
    assert {"product_id", "category_path", "price", "brand", "attributes"} <= set(
        get_table("product").names)
    assert {"view", "cart", "purchase", "cancel", "return", "review"} <= set(EVENT_TYPES)
    assert re.fullmatch(r"\d+\.\d+\.\d+", STANDARD_VERSION)


def test_buyer_ids_are_direct_identifiers_and_demographics_quasi_identifiers() -> None:
    buyer = get_table("buyer")
    assert buyer.item("buyer_id").pii is PiiClass.DIRECT_IDENTIFIER
    assert get_table("behaviour").item("buyer_id").pii is PiiClass.DIRECT_IDENTIFIER
    for name in ("gender", "age_band", "region", "join_date"):
        assert buyer.item(name).pii is PiiClass.QUASI_IDENTIFIER
    assert all(item.pii is PiiClass.NONE for item in get_table("product").items)


def test_get_table_rejects_unknown_names() -> None:
    with pytest.raises(ConfigError, match=r"tables \['behaviour', 'buyer', 'product'\]"):
        get_table("orders")
    with pytest.raises(ConfigError, match="has no item 'sku'"):
        get_table("product").item("sku")
    with pytest.raises(ConfigError, match="needs its allowed values"):
        Item(name="x", type="category", description="", format="")


@pytest.mark.parametrize("table", list(STANDARD))
def test_spec_frame_and_markdown_list_every_item(table: str) -> None:
    frame = spec_frame(table)
    spec = get_table(table)
    assert frame["item"].tolist() == spec.names
    assert frame["required"].tolist() == ["yes" if i.required else "no" for i in spec.items]
    markdown = spec_markdown(table)
    assert f"version {STANDARD_VERSION}" in markdown
    for item in spec.items:
        assert f"| {item.name} | {item.type} |" in markdown
    assert ("### Purchase-behaviour taxonomy" in markdown) == (table == "behaviour")


def test_whole_spec_markdown_holds_all_tables() -> None:
    markdown = spec_markdown()
    assert [line for line in markdown.splitlines() if line.startswith("## ")][:3] == [
        "## Buyer (`buyer`)", "## Buyer behaviour (`behaviour`)", "## Product (`product`)"]


@pytest.mark.parametrize("table", list(STANDARD))
def test_item_examples_are_valid_json_schema_rows(table: str) -> None:
    schema = spec_json_schema(table)
    validator = jsonschema_rs.validator_for(schema)
    example = {}
    for item in get_table(table).items:
        value: object = item.example
        if item.type == "integer":
            value = int(item.example)
        elif item.type == "decimal":
            value = float(item.example)
        elif item.type == "json":
            value = json.loads(item.example)
        example[item.name] = value
    assert validator.is_valid(example), list(validator.iter_errors(example))
    required_only = {item.name: example[item.name] for item in get_table(table).items
                     if item.required}
    assert validator.is_valid(required_only)


@pytest.mark.parametrize(("table", "change", "path"), [
    ("product", {"price": -1.0}, "price"),
    ("product", {"product_id": "bad id with spaces"}, "product_id"),
    ("product", {"extra": 1}, ""),
    ("behaviour", {"event_type": "buy"}, "event_type"),
    ("behaviour", {"timestamp": "2024-13-01x"}, "timestamp"),
    ("buyer", {"age_band": "35"}, "age_band"),
    ("buyer", {"join_date": "01/02/2024"}, "join_date"),
], ids=["negative_price", "id_pattern", "unknown_column", "event_type", "timestamp",
        "age_band", "date_format"])
def test_json_schema_rejects_what_the_standard_forbids(table: str, change: dict[str, object],
                                                       path: str) -> None:
    rows = {"product": {"product_id": "p1", "price": 10.0},
            "behaviour": {"event_id": "e1", "buyer_id": "b1", "timestamp": "2024-01-01",
                          "event_type": "view"},
            "buyer": {"buyer_id": "b1"}}
    validator = jsonschema_rs.validator_for(spec_json_schema(table))
    row = {**rows[table]}
    assert validator.is_valid(row)
    row.update(change)
    errors = list(validator.iter_errors(row))
    assert errors
    assert any(path in "/".join(map(str, e.instance_path)) for e in errors)


def test_json_schema_of_the_whole_standard_names_version_and_tables() -> None:
    schema = spec_json_schema()
    assert schema["x-standard-version"] == STANDARD_VERSION
    assert set(schema["$defs"]) == {"buyer", "behaviour", "product"}
    assert STANDARD_VERSION in schema["$defs"]["buyer"]["$id"]
    jsonschema_rs.meta.validate(schema)
    buyer = schema["$defs"]["buyer"]
    assert buyer["properties"]["buyer_id"]["x-pii-class"] == "direct_identifier"
    assert buyer["properties"]["buyer_id"]["x-unique"] is True


@pytest.mark.parametrize("table", list(STANDARD))
def test_pandera_schema_has_one_column_per_item_and_a_rule_per_check(table: str) -> None:
    schema, numbering = pandera_schema(get_table(table))
    spec = get_table(table)
    assert list(schema.columns) == spec.names
    rule_ids = {rule.id for rule in table_rules(spec)}
    assert set(numbering.values()) <= rule_ids
    checked = {rule.id for rule in table_rules(spec) if rule.kind in ("pattern", "range",
                                                                      "allowed")}
    assert set(numbering.values()) == checked
    for item in spec.items:
        column = schema.columns[item.name]
        assert column.nullable is (not item.required)
        assert column.unique is item.unique


def test_table_rules_have_unique_ids_and_hints() -> None:
    for spec in STANDARD.values():
        rules = table_rules(spec)
        assert len({r.id for r in rules}) == len(rules)
        assert all(r.hint and r.description for r in rules)
        assert all(r.id.startswith(f"{spec.name}.") for r in rules)


def test_spec_frame_rows_render_ranges() -> None:
    product = spec_frame("product").set_index("item")
    assert product.loc["price", "range / values"] == "0 .. 1e+10"
    assert pd.notna(product.loc["attributes", "format"])
