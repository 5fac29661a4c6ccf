"""RRN check digits and the Luhn check against known valid and invalid numbers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jogak.data.privacy import (
    is_valid_card_number,
    is_valid_resident_number,
    luhn_valid,
    resident_number_checksum_valid,
    resident_number_format_valid,
)


def _luhn_reference(number: str) -> bool:
    digits = [int(ch) for ch in number][::-1]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


# 900101-123456?: 9*2+0*3+0*4+1*5+0*6+1*7+1*8+2*9+3*2+4*3+5*4+6*5 = 124; 124 % 11 = 3;
# (11 - 3) % 10 = 8, so the check digit is 8
@pytest.mark.parametrize(("number", "expected"), [
    ("900101-1234568", True),
    ("9001011234568", True),
    ("900101-1234567", False),
    ("900101-1234569", False),
    # 850505-234567?: 8*2+5*3+0*4+5*5+0*6+5*7+2*8+3*9+4*2+5*3+6*4+7*5 = 216; 216 % 11 = 7;
    # (11 - 7) % 10 = 4
    ("850505-2345674", True),
    ("850505-2345678", False),
], ids=["valid", "valid_no_hyphen", "off_by_one_low", "off_by_one_high", "second_valid",
        "second_invalid"])
def test_resident_number_checksum_matches_hand_computation(number: str, expected: bool) -> None:
    assert resident_number_checksum_valid(number) is expected
    assert is_valid_resident_number(number) is expected


@pytest.mark.parametrize("number", ["901301-1234568", "900230-1234568", "900101-9234568",
                                    "90010-11234568", "900101-123456", "abcdef-1234568", ""],
                         ids=["month_13", "feb_30", "gender_9", "short_front", "short_back",
                              "letters", "empty"])
def test_resident_number_format_rejects_malformed(number: str) -> None:
    assert not resident_number_format_valid(number)
    assert not is_valid_resident_number(number)


def test_resident_number_format_accepts_post_2020_random_check_digit() -> None:
    # numbers issued from October 2020 on end in a random digit: the format still holds
    assert resident_number_format_valid("200101-3234561")
    assert not resident_number_checksum_valid("200101-3234561")


@pytest.mark.parametrize(("number", "expected"), [
    ("4111 1111 1111 1111", True),  # Visa test number
    ("5555-5555-5555-4444", True),  # Mastercard test number
    ("378282246310005", True),  # American Express test number
    ("6011111111111117", True),  # Discover test number
    ("4111 1111 1111 1112", False),
    ("1234 5678 9012 3456", False),
    ("4111 1111 1111", False),  # 12 digits: too short for a card
    ("4111-1111-1111-111x", False),
], ids=["visa", "mastercard", "amex", "discover", "visa_wrong_check", "sequence", "too_short",
        "letter"])
def test_card_numbers_pass_luhn_only_when_valid(number: str, expected: bool) -> None:
    assert is_valid_card_number(number) is expected


def test_luhn_on_the_textbook_example() -> None:
    # Wikipedia's worked example: 7992739871 plus check digit 3
    assert luhn_valid(["79927398713", "79927398710"]).tolist() == [True, False]


@given(st.lists(st.text(alphabet="0123456789", min_size=2, max_size=19), max_size=30))
def test_vectorised_luhn_equals_digit_by_digit_reference(numbers: list[str]) -> None:
    expected = np.array([_luhn_reference(n) for n in numbers], dtype=bool)
    np.testing.assert_array_equal(luhn_valid(numbers), expected)
