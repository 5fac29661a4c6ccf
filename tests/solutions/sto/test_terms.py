"""Offering terms and money: validated on creation, with messages naming the value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from jogak.errors import JogakError
from jogak.solutions.sto import LedgerError
from jogak.solutions.sto._money import from_minor, to_minor

from .conftest import T0, terms


def test_terms_normalise_price_and_default_max_units() -> None:
    made = terms(unit_price="12.5", decimals=2, currency="USD")
    assert made.unit_price == Decimal("12.50")
    assert made.unit_price_minor == 1250
    assert made.max_units == 100


@pytest.mark.parametrize(("overrides", "message"), [
    ({"total_units": 0}, "total_units must be from 1"),
    ({"total_units": -5}, "total_units must be from 1"),
    ({"total_units": 10**13}, "total_units must be from 1 to 1,000,000,000,000"),
    ({"total_units": 2.5}, "total_units must be a whole number"),
    ({"total_units": True}, "total_units must be a whole number"),
    ({"unit_price": -1}, "unit_price must be greater than 0"),
    ({"unit_price": 0}, "unit_price must be greater than 0"),
    ({"unit_price": 10.5}, "floats are inexact"),
    ({"unit_price": "abc"}, "unit_price must be a decimal number"),
    ({"unit_price": "NaN"}, "must be a finite number"),
    ({"unit_price": "10.5"}, r"more than 0 decimal place"),
    ({"unit_price": 10**16}, "too large"),
    ({"closes_at": T0}, "must be after opens_at"),
    ({"closes_at": T0 - timedelta(hours=1)}, "must be after opens_at"),
    ({"opens_at": datetime(2024, 5, 1)}, "must be timezone-aware"),
    ({"opens_at": "2024-05-01"}, "opens_at must be a datetime"),
    ({"min_units": 0}, "min_units must be from 1"),
    ({"min_units": 10, "max_units": 5}, "min_units <= max_units <= total_units"),
    ({"max_units": 101}, "min_units <= max_units <= total_units"),
    ({"rule": "lottery"}, r"rule must be one of \['pro_rata', 'fcfs'\]"),
    ({"currency": "won"}, "ISO 4217"),
    ({"decimals": 7}, "decimals must be an integer from 0 to 6"),
    ({"offering_id": "Film 1"}, "offering_id must be 1-64 lower-case"),
    ({"offering_id": ""}, "offering_id must be 1-64 lower-case"),
    ({"content_id": "  "}, "content_id must be 1-128 characters"),
], ids=["zero_units", "negative_units", "huge_units", "float_units", "bool_units",
        "negative_price", "zero_price", "float_price", "text_price", "nan_price",
        "too_precise_price", "huge_price", "empty_window", "reversed_window", "naive_time",
        "text_time", "zero_min", "min_above_max", "max_above_total", "unknown_rule",
        "bad_currency", "too_many_decimals", "bad_id", "empty_id", "blank_content"])
def test_terms_reject_bad_values(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(LedgerError, match=message):
        terms(**overrides)


def test_terms_compare_windows_across_time_zones() -> None:
    seoul = timezone(timedelta(hours=9))
    # 18:00 in Seoul is 09:00 UTC: the window would be empty
    with pytest.raises(LedgerError, match="must be after opens_at"):
        terms(opens_at=T0, closes_at=datetime(2024, 5, 1, 18, 0, tzinfo=seoul))
    assert terms(closes_at=datetime(2024, 5, 1, 18, 1, tzinfo=seoul)).closes_at.tzinfo is seoul


def test_ledger_errors_are_jogak_value_errors() -> None:
    with pytest.raises(ValueError, match="unit_price"):
        terms(unit_price=-1)
    assert issubclass(LedgerError, JogakError)


@pytest.mark.parametrize(("value", "decimals", "minor"), [
    (Decimal("0.10"), 2, 10), ("1234.5", 2, 123450), (7, 0, 7), ("-3", 0, -3),
    (Decimal("1E+3"), 0, 1000), ("0.000001", 6, 1),
], ids=["cents", "string", "int", "negative", "exponent", "micro"])
def test_to_minor_is_exact(value: Any, decimals: int, minor: int) -> None:
    assert to_minor(value, decimals=decimals, what="x") == minor
    assert to_minor(from_minor(minor, decimals), decimals=decimals, what="x") == minor


def test_from_minor_keeps_the_currency_places() -> None:
    assert str(from_minor(1050, 2)) == "10.50"
    assert str(from_minor(7, 0)) == "7"
    assert from_minor(1, 2) + from_minor(2, 2) == Decimal("0.03")


def test_timestamps_sort_in_time_order() -> None:
    from jogak.solutions.sto._terms import parse_timestamp, timestamp

    moments = [datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
               datetime(2000, 1, 1, tzinfo=UTC), datetime(2024, 5, 1, 9, tzinfo=UTC),
               datetime(2024, 5, 1, 9, 0, 0, 1, tzinfo=UTC)]
    texts = [timestamp(m, "t") for m in moments]
    assert texts == sorted(texts)
    assert [parse_timestamp(t) for t in texts] == moments
    with pytest.raises(LedgerError, match="between the years 1970 and 9999"):
        timestamp(datetime(1969, 12, 31, tzinfo=UTC), "t")
