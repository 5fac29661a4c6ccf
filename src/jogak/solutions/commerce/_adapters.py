"""Adapters: the Olist marketplace tables and the CDNOW purchase log as standard tables.

Adapters rename, join and reshape; they never repair values. A price that is not a number in
the source is still not a number in the standard table, so that validation reports it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np
import pandas as pd

from jogak.errors import SchemaError

__all__ = [
    "OLIST_PAYMENT_METHODS",
    "cdnow_behaviour",
    "cdnow_buyers",
    "olist_behaviour",
    "olist_buyers",
    "olist_products",
]

#: Olist ``payment_type`` -> the standard's ``payment_method``.
OLIST_PAYMENT_METHODS = {"credit_card": "card", "debit_card": "card", "boleto": "bank_transfer",
                         "voucher": "voucher", "not_defined": "other"}
_OLIST_CANCELLED = ("canceled", "unavailable")
_OLIST_ATTRIBUTES = {"product_name_lenght": "name_length",
                     "product_description_lenght": "description_length",
                     "product_photos_qty": "photos", "product_weight_g": "weight_g",
                     "product_length_cm": "length_cm", "product_height_cm": "height_cm",
                     "product_width_cm": "width_cm"}


def _need(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise SchemaError(f"The {what} table lacks column(s) {absent}; it has "
                          f"{list(frame.columns)[:20]}. Hint: pass the original {what} file.")


def _text(values: pd.Series) -> pd.Series:
    """Values as text, keeping missing values missing (ids and codes must not become 1.0)."""
    def one(value: object) -> object:
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return values.astype(object).map(one)


def _date_text(values: pd.Series, source_format: str | None = None) -> pd.Series:
    """ISO dates where the source parses; the raw text where it does not (validation flags it)."""
    text = _text(values)
    stamps = pd.to_datetime(text, format=source_format or "ISO8601", errors="coerce")
    return stamps.dt.strftime("%Y-%m-%d").astype(object).where(stamps.notna(), text)


def olist_buyers(customers: pd.DataFrame, orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """Olist customers as the standard's buyer table (one row per ``customer_unique_id``).

    ``region`` is the state (UF); city and zip prefix are finer than the standard allows and
    are dropped. ``join_date`` is the date of the buyer's first order when ``orders`` is given
    (Olist has no sign-up date).

    Examples
    --------
    >>> customers = pd.DataFrame({"customer_id": ["c1", "c2"], "customer_unique_id": ["u1", "u1"],
    ...                           "customer_state": ["SP", "SP"]})
    >>> olist_buyers(customers).to_dict("records")
    [{'buyer_id': 'u1', 'region': 'SP'}]
    """
    _need(customers, ["customer_id", "customer_unique_id", "customer_state"], "Olist customers")
    ids = _text(customers["customer_unique_id"])
    buyers = pd.DataFrame({"buyer_id": ids, "region": _text(customers["customer_state"])})
    if orders is not None:
        _need(orders, ["customer_id", "order_purchase_timestamp"], "Olist orders")
        stamps = pd.to_datetime(_text(orders["order_purchase_timestamp"]), format="ISO8601",
                                errors="coerce")
        first_order = stamps.groupby(_text(orders["customer_id"]).to_numpy()).min()
        joined = pd.to_datetime(_text(customers["customer_id"]).map(first_order))
        joined = joined.groupby(ids.to_numpy()).transform("min")
        buyers["join_date"] = joined.dt.strftime("%Y-%m-%d").astype(object).where(
            joined.notna(), None)
    # one row per buyer; rows without an id stay, for validation to report
    return buyers[~(ids.duplicated() & ids.notna())].reset_index(drop=True)


def olist_behaviour(orders: pd.DataFrame, items: pd.DataFrame, customers: pd.DataFrame,
                    payments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Olist order items as behaviour events: one row per item, in the items' order.

    ``event_type`` is ``cancel`` for items of orders that ended ``canceled`` or
    ``unavailable``, else ``purchase``; ``event_id`` is ``<order_id>-<order_item_id>``;
    ``amount`` the item price (BRL, freight excluded); ``payment_method`` the order's first
    payment, recoded with :data:`OLIST_PAYMENT_METHODS`; ``quantity`` is 1 (Olist has one row
    per unit).
    """
    _need(orders, ["order_id", "customer_id", "order_status", "order_purchase_timestamp"],
          "Olist orders")
    _need(items, ["order_id", "order_item_id", "product_id", "price"], "Olist order items")
    _need(customers, ["customer_id", "customer_unique_id"], "Olist customers")
    order_ids = _text(items["order_id"])
    by_order = orders.assign(order_id=_text(orders["order_id"])).drop_duplicates(
        "order_id").set_index("order_id")
    unique_ids = customers.assign(customer_id=_text(customers["customer_id"])).drop_duplicates(
        "customer_id").set_index("customer_id")["customer_unique_id"]
    status = order_ids.map(by_order["order_status"])
    events = pd.DataFrame({
        "event_id": order_ids + "-" + _text(items["order_item_id"]),
        "buyer_id": _text(order_ids.map(_text(by_order["customer_id"])).map(unique_ids)),
        "timestamp": order_ids.map(by_order["order_purchase_timestamp"]),
        "event_type": np.where(status.isin(_OLIST_CANCELLED), "cancel", "purchase"),
        "product_id": _text(items["product_id"]),
        "order_id": order_ids,
        "quantity": 1,
        "amount": items["price"],
        "currency": "BRL",
    })
    if payments is not None:
        _need(payments, ["order_id", "payment_sequential", "payment_type"],
              "Olist order payments")
        first = payments.sort_values("payment_sequential", kind="stable").drop_duplicates(
            "order_id")
        method = first.set_index(_text(first["order_id"]))["payment_type"]
        events["payment_method"] = order_ids.map(method).map(
            lambda v: OLIST_PAYMENT_METHODS.get(v, v))
    return events.reset_index(drop=True)


def olist_products(products: pd.DataFrame, items: pd.DataFrame,
                   translation: pd.DataFrame | None = None) -> pd.DataFrame:
    """Olist products that were sold in ``items``, as the standard's product table.

    ``price`` is the price of the product's first item row (Olist's product table has no
    price); ``category_path`` the English category when ``translation`` is given; the size,
    weight and description statistics go into ``attributes`` as a JSON object.
    """
    _need(products, ["product_id", "product_category_name"], "Olist products")
    _need(items, ["product_id", "price"], "Olist order items")
    product_ids = _text(products["product_id"])
    first_price = items.assign(product_id=_text(items["product_id"])).drop_duplicates(
        "product_id").set_index("product_id")["price"]
    sold = product_ids.isin(first_price.index)
    chosen = products[sold.to_numpy()]
    category = _text(chosen["product_category_name"])
    if translation is not None:
        _need(translation, ["product_category_name", "product_category_name_english"],
              "Olist category translation")
        english = translation.set_index("product_category_name")[
            "product_category_name_english"]
        category = category.map(lambda v: english.get(v, v) if v is not None else None)
    attributes = [json.dumps({new: (int(v) if float(v).is_integer() else float(v))
                              for old, new in _OLIST_ATTRIBUTES.items()
                              if old in row and _is_number(v := row[old])})
                  for row in chosen.to_dict("records")]
    out = pd.DataFrame({"product_id": product_ids[sold.to_numpy()].to_numpy(),
                        "category_path": category.to_numpy(),
                        "price": product_ids[sold.to_numpy()].map(first_price).to_numpy(),
                        "currency": "BRL", "attributes": attributes})
    return out


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and bool(np.isfinite(value))


def cdnow_behaviour(purchases: pd.DataFrame) -> pd.DataFrame:
    """The CDNOW purchase log as behaviour events: one purchase row per log line.

    ``event_id`` is ``<customer_id>-<YYYYMMDD>-<n>`` (n counts the customer's lines of that
    day: CDNOW has several orders a day and fully duplicated lines); ``timestamp`` the ISO
    date; ``quantity`` the number of CDs; ``amount`` the dollar value (USD).

    Examples
    --------
    >>> log = pd.DataFrame({"customer_id": ["00001", "00001"], "date": [19970101, 19970101],
    ...                     "number_of_cds": [1, 2], "dollar_value": [11.77, 20.0]})
    >>> cdnow_behaviour(log)[["event_id", "timestamp", "amount"]].to_dict("records")[1]
    {'event_id': '00001-19970101-2', 'timestamp': '1997-01-01', 'amount': 20.0}
    """
    _need(purchases, ["customer_id", "date", "number_of_cds", "dollar_value"], "CDNOW")
    customer = _text(purchases["customer_id"])
    day = _text(purchases["date"])
    nth = purchases.groupby([customer, day], sort=False, dropna=False).cumcount() + 1
    return pd.DataFrame({
        "event_id": customer + "-" + day + "-" + nth.astype(str),
        "buyer_id": customer,
        "timestamp": _date_text(purchases["date"], "%Y%m%d"),
        "event_type": "purchase",
        "quantity": purchases["number_of_cds"],
        "amount": purchases["dollar_value"],
        "currency": "USD",
    }).reset_index(drop=True)


def cdnow_buyers(purchases: pd.DataFrame) -> pd.DataFrame:
    """CDNOW customers as buyers: ``buyer_id`` and ``join_date`` (the first purchase)."""
    _need(purchases, ["customer_id", "date"], "CDNOW")
    stamps = pd.to_datetime(_text(purchases["date"]), format="%Y%m%d", errors="coerce")
    first = stamps.groupby(_text(purchases["customer_id"]).to_numpy(), sort=False).min()
    return pd.DataFrame({"buyer_id": first.index.astype(str),
                         "join_date": first.dt.strftime("%Y-%m-%d").astype(object).where(
                             first.notna(), None).to_numpy()})


#: The standard tables each built-in adapter produces.
ADAPTER_TABLES: Mapping[str, tuple[str, ...]] = {"olist": ("buyer", "behaviour", "product"),
                                                 "cdnow": ("buyer", "behaviour")}
