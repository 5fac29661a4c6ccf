"""Olist and CDNOW through the adapters: clean data passes; corrupted copies fail exactly where
the faults were planted (wrong types, out-of-range prices, bad dates, duplicate ids)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.data import load
from jogak.solutions.commerce import (
    StreamValidator,
    cdnow_behaviour,
    cdnow_buyers,
    olist_behaviour,
    olist_buyers,
    olist_products,
    validate_source,
    validate_table,
)

pytestmark = pytest.mark.slow

_FILES = {"customers": "olist_customers_dataset", "orders": "olist_orders_dataset",
          "items": "olist_order_items_dataset", "payments": "olist_order_payments_dataset",
          "products": "olist_products_dataset",
          "translation": "product_category_name_translation"}


@pytest.fixture(scope="module")
def olist(data_dir: Path) -> dict[str, pd.DataFrame]:
    folder = data_dir / "olist_ecommerce"
    return {key: load(folder / f"{stem}.csv.gz") for key, stem in _FILES.items()}


def _tables(t: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {"buyer": olist_buyers(t["customers"], t["orders"]),
            "behaviour": olist_behaviour(t["orders"], t["items"], t["customers"], t["payments"]),
            "product": olist_products(t["products"], t["items"], t["translation"])}


def _failed(frame: pd.DataFrame, table: str) -> dict[str, list[int]]:
    report = validate_table(frame, table)
    found = {r.rule.id: r.failed_rows.tolist() for r in report.failures}
    streamed = StreamValidator(table)  # the streaming engine must find the same, batch or not
    for start in range(0, len(frame), 1500):
        streamed.update(frame.iloc[start:start + 1500])
    assert {r.rule.id: r.failed_rows.tolist() for r in streamed.report().failures} == found
    return found


def test_clean_olist_tables_map_onto_the_standard_and_pass(olist: dict[str, pd.DataFrame]
                                                           ) -> None:
    tables = _tables(olist)
    assert len(tables["behaviour"]) == len(olist["items"]) == 4519
    assert tables["buyer"]["buyer_id"].is_unique
    assert len(tables["buyer"]) == olist["customers"]["customer_unique_id"].nunique()
    assert set(tables["product"]["product_id"]) == set(olist["items"]["product_id"])
    assert set(tables["behaviour"]["event_type"]) == {"purchase", "cancel"}
    assert set(tables["behaviour"]["payment_method"].dropna()) <= {
        "card", "bank_transfer", "voucher", "other"}
    for table, frame in tables.items():
        assert _failed(frame, table) == {}, table


def test_corrupted_olist_copies_fail_exactly_the_planted_faults(
        olist: dict[str, pd.DataFrame], global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    t = {key: frame.copy() for key, frame in olist.items()}
    items, orders, customers, products = t["items"], t["orders"], t["customers"], t["products"]
    n_items = len(items)
    items["price"] = items["price"].astype(object)
    picked = rng.choice(n_items, size=8, replace=False)
    wrong_type, out_of_range, duplicated = picked[:3], picked[3:6], picked[6:]
    for row, value in zip(wrong_type, ["R$ 12,50", "abc", "12.5.1"], strict=True):
        items.loc[row, "price"] = value
    for row, value in zip(out_of_range, [-10.0, -0.01, 2e10], strict=True):
        items.loc[row, "price"] = value
    # bad dates (do not parse) and an out-of-range date, on orders that have items
    order_ids = rng.choice(items["order_id"].unique(), size=4, replace=False)
    orders["order_purchase_timestamp"] = orders["order_purchase_timestamp"].astype(object)
    bad_dates = dict(zip(order_ids, ["2018-02-30 10:00:00", "2018-13-01 00:00:00", "not a date",
                                     "1960-05-01 10:00:00"], strict=True))
    for order_id, value in bad_dates.items():
        orders.loc[orders["order_id"] == order_id, "order_purchase_timestamp"] = value
    # duplicate ids: copies of two item rows and two sold products, appended
    t["items"] = pd.concat([items, items.iloc[duplicated]], ignore_index=True)
    sold = products.index[products["product_id"].isin(items["product_id"])]
    copies = rng.choice(sold, size=2, replace=False)
    t["products"] = pd.concat([products, products.loc[copies]], ignore_index=True)
    # a buyer without id, and a region that is not a region
    customers["customer_unique_id"] = customers["customer_unique_id"].astype(object)
    customers["customer_state"] = customers["customer_state"].astype(object)
    blank, long_region = rng.choice(len(customers), size=2, replace=False)
    customers.loc[blank, "customer_unique_id"] = None
    customers.loc[long_region, "customer_state"] = "x" * 65

    tables = _tables(t)

    # expected, computed from the planted positions (the adapter keeps the items' order)
    item_orders = t["items"]["order_id"]
    bad_parse = [o for o, v in bad_dates.items() if not v.startswith("1960")]
    blank_customer = customers.loc[blank, "customer_id"]
    blank_orders = set(orders.loc[orders["customer_id"] == blank_customer, "order_id"])
    expected_behaviour = {
        "behaviour.amount.type": sorted(wrong_type.tolist()),
        "behaviour.amount.range": sorted(out_of_range.tolist()),
        "behaviour.event_id.unique": [n_items, n_items + 1],
        "behaviour.timestamp.type": np.flatnonzero(item_orders.isin(bad_parse)).tolist(),
        "behaviour.timestamp.range": np.flatnonzero(
            item_orders == [o for o, v in bad_dates.items() if v.startswith("1960")][0]).tolist(),
        "behaviour.buyer_id.required": np.flatnonzero(item_orders.isin(blank_orders)).tolist(),
    }
    expected_behaviour = {k: v for k, v in expected_behaviour.items() if v}
    assert _failed(tables["behaviour"], "behaviour") == expected_behaviour

    # product price = the price of the product's first item row
    first_rows = t["items"].drop_duplicates("product_id")
    product_rows = tables["product"].reset_index().set_index("product_id")["index"]
    expected_product: dict[str, list[int]] = {"product.product_id.unique": [
        len(tables["product"]) - 2, len(tables["product"]) - 1]}
    for rule, rows in (("product.price.type", wrong_type), ("product.price.range",
                                                            out_of_range)):
        hit = first_rows.loc[first_rows.index.isin(rows), "product_id"]
        positions = sorted(int(product_rows.loc[p].min()) if isinstance(
            product_rows.loc[p], pd.Series) else int(product_rows.loc[p]) for p in hit)
        if positions:
            expected_product[rule] = positions
    assert _failed(tables["product"], "product") == expected_product

    buyers = tables["buyer"]
    region_row = int(np.flatnonzero(buyers["region"] == "x" * 65)[0])
    blank_row = int(np.flatnonzero(buyers["buyer_id"].isna())[0])
    # the 1960 purchase also makes its buyer's join date (first purchase) out of range
    early_row = np.flatnonzero(buyers["join_date"] == "1960-05-01").tolist()
    assert len(early_row) == 1
    assert _failed(buyers, "buyer") == {"buyer.buyer_id.required": [blank_row],
                                        "buyer.region.pattern": [region_row],
                                        "buyer.join_date.range": early_row}


def test_olist_folder_validates_through_the_builtin_adapter(data_dir: Path) -> None:
    report = validate_source(data_dir / "olist_ecommerce", "product", mapping="olist")
    assert report.passed
    assert report.n_rows == 3132


def test_cdnow_maps_onto_behaviour_and_buyers_and_passes(data_dir: Path) -> None:
    log = load(data_dir / "cdnow_purchases" / "cdnow_master.csv.gz")
    events = cdnow_behaviour(log)
    assert len(events) == 69_659
    assert events["event_id"].is_unique
    assert events.loc[0, "timestamp"] == "1997-01-01"
    buyers = cdnow_buyers(log)
    assert len(buyers) == 23_570
    assert buyers["join_date"].min() == "1997-01-01"
    assert buyers["join_date"].max() <= "1997-03-31"
    assert validate_table(events, "behaviour").passed
    assert validate_table(buyers, "buyer").passed
