"""validate_table: each rule finds exactly the rows that break it; samples never leak ids."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.commerce import (
    ColumnMapping,
    load_mapping,
    standard_table,
    validate_source,
    validate_table,
)
from jogak.testing._commerce import make_behaviour_events


def _events(n: int = 12) -> pd.DataFrame:
    frame = make_behaviour_events(n, seed=3, with_emails=False)
    return frame


def _failed(report: object) -> dict[str, list[int]]:
    return {r.rule.id: r.failed_rows.tolist() for r in report.failures}  # type: ignore[attr-defined]


def test_valid_events_pass_every_rule() -> None:
    report = validate_table(_events(200), "behaviour")
    assert report.passed, _failed(report)
    assert report.n_rows == 200
    assert {r.status for r in report.results} == {"passed"}
    assert report.to_frame()["failures"].sum() == 0


@pytest.mark.parametrize(("column", "values", "rule"), [
    ("amount", {2: "12,000원", 5: "abc"}, "behaviour.amount.type"),
    ("amount", {1: -1.0, 7: 2e10}, "behaviour.amount.range"),
    ("amount", {4: float("inf")}, "behaviour.amount.range"),
    ("quantity", {3: 1.5}, "behaviour.quantity.type"),
    ("quantity", {0: 0}, "behaviour.quantity.range"),
    ("timestamp", {6: "2024-02-30 10:00:00", 8: "yesterday"}, "behaviour.timestamp.type"),
    ("timestamp", {9: "1969-12-31 23:59:59"}, "behaviour.timestamp.range"),
    ("timestamp", {2: None}, "behaviour.timestamp.required"),
    ("event_type", {1: "buy", 10: "PURCHASE"}, "behaviour.event_type.allowed"),
    ("event_id", {4: "e1"}, "behaviour.event_id.unique"),
    ("event_id", {11: "e 12"}, "behaviour.event_id.pattern"),
    ("buyer_id", {5: ""}, "behaviour.buyer_id.required"),
    ("currency", {3: "won"}, "behaviour.currency.pattern"),
    ("device", {0: "smart fridge"}, "behaviour.device.allowed"),
], ids=["amount_text", "amount_range", "amount_inf", "quantity_fraction", "quantity_zero",
        "bad_dates", "date_range", "missing_timestamp", "event_type", "duplicate_id",
        "id_pattern", "blank_buyer", "currency", "device"])
def test_each_planted_fault_fails_its_rule_and_nothing_else(column: str, values: dict[int, object],
                                                            rule: str) -> None:
    frame = _events()
    frame[column] = frame[column].astype(object)
    for row, value in values.items():
        frame.loc[row, column] = value
    report = validate_table(frame, "behaviour")
    assert _failed(report) == {rule: sorted(values)}
    result = report.result(rule)
    assert result.n_failed == len(values)
    assert result.share == pytest.approx(len(values) / len(frame))
    assert result.samples["row"].tolist() == sorted(values)[:5]


def test_product_events_need_a_product_but_searches_do_not() -> None:
    frame = _events()
    frame["event_type"] = ["search", "purchase", "view", "checkout"] * 3
    frame["product_id"] = frame["product_id"].astype(object)
    frame.loc[[0, 1, 2, 3], "product_id"] = None
    assert _failed(validate_table(frame, "behaviour")) == {
        "behaviour.product_id.product_event": [1, 2]}


def test_missing_and_unknown_columns_fail_the_column_rules() -> None:
    frame = _events().drop(columns=["timestamp", "device"]).assign(coupon="X1")
    report = validate_table(frame, "behaviour")
    assert _failed(report) == {"behaviour.columns.present": [],
                               "behaviour.columns.known": []}
    assert report.result("behaviour.columns.present").columns == ("timestamp",)
    assert report.result("behaviour.columns.known").columns == ("coupon",)
    assert report.result("behaviour.timestamp.type").status == "skipped"
    assert report.result("behaviour.device.allowed").status == "skipped"


def test_wrong_type_in_a_required_column_counts_once() -> None:
    frame = _events()
    frame["timestamp"] = frame["timestamp"].astype(object)
    frame.loc[3, "timestamp"] = "not a date"
    report = validate_table(frame, "behaviour")
    assert report.result("behaviour.timestamp.type").n_failed == 1
    assert report.result("behaviour.timestamp.required").n_failed == 0


def test_empty_table_with_the_columns_passes_and_reports_zero_shares() -> None:
    report = validate_table(_events().iloc[:0], "behaviour")
    assert report.passed
    assert report.n_rows == 0
    assert all(r.share == 0.0 for r in report.results)


def test_one_row_table_and_parsed_dtypes_are_accepted() -> None:
    frame = _events(1)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    assert validate_table(frame, "behaviour").passed
    products = pd.DataFrame({"product_id": [1001, 1002], "price": [9900.0, 0.0],
                             "attributes": [{"colour": "red"}, None]})
    assert validate_table(products, "product").passed


def test_json_attributes_must_be_objects() -> None:
    products = pd.DataFrame({"product_id": ["a", "b", "c"], "price": [1, 2, 3],
                             "attributes": ['{"w": 1}', "[1, 2]", "{oops"]})
    assert _failed(validate_table(products, "product")) == {"product.attributes.type": [1, 2]}


def test_timezones_and_t_separator_parse() -> None:
    frame = _events(3)
    frame["timestamp"] = ["2024-01-01T10:00:00+09:00", "2024-01-01T01:00:00Z",
                          "2024-01-01 10:00:00.123"]
    assert validate_table(frame, "behaviour").passed


def test_samples_mask_direct_identifiers_and_the_report_holds_no_raw_id() -> None:
    frame = make_behaviour_events(40, seed=2, with_emails=True)
    report = validate_table(frame, "behaviour", n_samples=40)
    result = report.result("behaviour.buyer_id.pattern")
    assert result.n_failed == 40
    emails = set(frame["buyer_id"])
    assert not emails & set(result.samples["buyer_id"])
    assert result.samples["buyer_id"].str.fullmatch(r"u\*+").all()  # first character only
    text = json.dumps(report.to_dict(), ensure_ascii=False)
    assert not [email for email in emails if email in text]


def test_n_samples_limits_and_is_checked() -> None:
    frame = _events(30)
    frame["amount"] = -1.0
    assert len(validate_table(frame, "behaviour", n_samples=3).result(
        "behaviour.amount.range").samples) == 3
    assert validate_table(frame, "behaviour", n_samples=0).result(
        "behaviour.amount.range").samples.empty
    with pytest.raises(ConfigError, match="n_samples must be a non-negative integer"):
        validate_table(frame, "behaviour", n_samples=-1)


def test_report_to_dict_is_json_and_counts_failed_rules() -> None:
    frame = _events()
    frame.loc[0, "amount"] = -5
    data = json.loads(json.dumps(validate_table(frame, "behaviour").to_dict()))
    assert data["passed"] is False
    assert data["n_failed_rules"] == 1
    failed = [r for r in data["rules"] if r["status"] == "failed"]
    assert failed[0]["rule"] == "behaviour.amount.range"
    assert failed[0]["samples"][0]["row"] == 0
    assert failed[0]["hint"]


def test_unknown_rule_and_table_are_config_errors() -> None:
    report = validate_table(_events(), "behaviour")
    with pytest.raises(ConfigError, match="No rule 'behaviour.nope'"):
        report.result("behaviour.nope")
    with pytest.raises(ConfigError, match="tables"):
        validate_table(_events(), "orders")


# -- mappings --------------------------------------------------------------------------------

def _shop_export() -> pd.DataFrame:
    return pd.DataFrame({"sku": ["A-1", "A-2"], "list_price": ["9900", "15000"],
                         "maker": ["Acme", None], "ignored": [1, 2]})


def test_mapping_renames_recodes_and_adds_constants() -> None:
    mapping = ColumnMapping(table="product", columns={"product_id": "sku", "price": "list_price",
                                                      "brand": "maker"},
                            values={"brand": {"Acme": "ACME"}}, constants={"currency": "KRW"})
    out = mapping.apply(_shop_export())
    assert list(out.columns) == ["product_id", "price", "currency", "brand"]
    assert out["brand"].tolist()[0] == "ACME"
    assert out["currency"].tolist() == ["KRW", "KRW"]
    assert validate_table(_shop_export(), "product", mapping=mapping).passed


def test_mapping_naming_absent_columns_lists_them_all() -> None:
    mapping = ColumnMapping(columns={"product_id": "skuu", "price": "price_krw"})
    with pytest.raises(SchemaError, match=r"\['skuu', 'price_krw'\].*did you mean 'sku'"):
        validate_table(_shop_export(), "product", mapping=mapping)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"table": "orders"}, "Mapping 'table' must be one of"),
    ({"table": "product", "columns": {"sku": "sku"}}, r"item\(s\) \['sku'\]"),
    ({"columns": {"product_id": 3}}, "must name a source column"),
    ({"values": {"brand": "ACME"}}, "must map source values"),
    ({"columns": ["sku"]}, "must be a mapping"),
], ids=["table", "unknown_item", "column_type", "values_type", "columns_list"])
def test_bad_mappings_are_config_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ColumnMapping(**kwargs)  # type: ignore[arg-type]


def test_mapping_for_another_table_is_refused() -> None:
    with pytest.raises(ConfigError, match="mapping is for the 'buyer' table"):
        validate_table(_shop_export(), "product", mapping=ColumnMapping(table="buyer"))


def test_mapping_files_yaml_and_json_read_the_same(tmp_path: Path) -> None:
    yaml_file = tmp_path / "map.yaml"
    yaml_file.write_text("table: product\ncolumns:\n  product_id: sku\n  price: list_price\n"
                         "constants:\n  currency: KRW\n", encoding="utf-8")
    json_file = tmp_path / "map.json"
    json_file.write_text(json.dumps({"table": "product", "columns": {"product_id": "sku",
                                                                    "price": "list_price"},
                                     "constants": {"currency": "KRW"}}), encoding="utf-8")
    a, b = load_mapping(yaml_file), load_mapping(json_file)
    assert a == b
    data = tmp_path / "shop.csv"
    _shop_export().to_csv(data, index=False)
    assert validate_source(str(data), "product", mapping=yaml_file).passed


@pytest.mark.parametrize(("name", "text", "message"), [
    ("m.yaml", "table: [unclosed", "could not be parsed"),
    ("m.json", "[1, 2]", "must hold a mapping"),
    ("m.yaml", "colums:\n  a: b\n", r"unknown key\(s\) \['colums'\]"),
    ("m.txt", "table: product", r"must end in \.yaml, \.yml or \.json"),
], ids=["bad_yaml", "not_a_mapping", "typo_key", "suffix"])
def test_bad_mapping_files_are_config_errors(tmp_path: Path, name: str, text: str,
                                             message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_mapping(path)


def test_missing_mapping_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_mapping(tmp_path / "nope.yaml")


def test_standard_table_checks_the_mapping_before_reading_data(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="has no 'product' table"):
        standard_table(tmp_path / "missing.csv", "product", mapping="cdnow")
    with pytest.raises(ConfigError, match=r"item\(s\) \['sku'\]"):
        standard_table(tmp_path / "missing.csv", "product",
                       mapping=ColumnMapping(columns={"sku": "x"}))


def test_failed_rows_are_int_positions_after_reset_index() -> None:
    frame = _events().set_index(np.arange(100, 112))
    frame.loc[105, "amount"] = -1
    assert _failed(validate_table(frame, "behaviour")) == {"behaviour.amount.range": [5]}
