"""Check digits and value patterns of personal data: RRN checksum, Luhn, phones, emails."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

import numpy as np

__all__ = [
    "CONTENT_PATTERNS",
    "is_valid_card_number",
    "is_valid_resident_number",
    "luhn_valid",
    "resident_number_checksum_valid",
    "resident_number_format_valid",
]

_RRN_WEIGHTS = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])
_RRN = re.compile(r"^(\d{2})(\d{2})(\d{2})-?([1-8])(\d{6})$")
_CARD = re.compile(r"^\d(?:[ -]?\d){12,18}$")

#: Full-match patterns of values, per kind (card numbers and RRNs also need their checks).
CONTENT_PATTERNS: dict[str, str] = {
    "email": r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}",
    # Korean mobiles (010, 011, 016-019), landlines (02, 031-064, 070), +82 forms, and
    # international numbers written with a leading + and separators
    "phone": (r"(?:(?:\+82[ -]?0?|0)(?:1[016789]|2|[3-6][1-5]|70)[ -.]?\d{3,4}[ -.]?\d{4})"
              r"|(?:\+\d{1,3}(?:[ -.]?\(?\d{1,4}\)?){2,4}\d)"),
    "ip_address": r"(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)",
    # Korean addresses name a province or metropolitan city and then a district; others start
    # with a house number and name a street type
    "address": (r"(?:(?:서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충청|충북|충남|전라|전북"
                r"|전남|경상|경북|경남|제주)\S*\s+\S+(?:시|군|구)(?:\s.*)?)"
                r"|(?i:\d+[A-Za-z]?\s+(?:[\w.'-]+\s+){0,5}(?:street|st|avenue|ave|road|rd|"
                r"boulevard|blvd|lane|ln|drive|dr|way|court|ct|place|pl)\.?(?:[\s,].*)?)"),
}


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def luhn_valid(numbers: Iterable[str]) -> np.ndarray:
    """Whether each digit string passes the Luhn check (separators ignored), vectorised.

    Strings of other characters than digits, spaces and hyphens, or with fewer than two
    digits, fail.

    Examples
    --------
    >>> luhn_valid(["4111 1111 1111 1111", "4111 1111 1111 1112"]).tolist()
    [True, False]
    """
    texts = [str(n) for n in numbers]
    out = np.zeros(len(texts), dtype=bool)
    cleaned = [_digits(t) if re.fullmatch(r"[\d -]+", t) else "" for t in texts]
    lengths = np.array([len(c) for c in cleaned], dtype=np.int64)
    for length in np.unique(lengths[lengths >= 2]):
        rows = np.flatnonzero(lengths == length)
        digits = np.frombuffer("".join(cleaned[i] for i in rows).encode("ascii"),
                               dtype=np.uint8).reshape(len(rows), int(length)) - ord("0")
        digits = digits[:, ::-1].astype(np.int64)  # from the check digit leftwards
        doubled = digits[:, 1::2] * 2
        doubled = np.where(doubled > 9, doubled - 9, doubled)
        total = digits[:, 0::2].sum(axis=1) + doubled.sum(axis=1)
        out[rows] = total % 10 == 0
    return out


def is_valid_card_number(number: str) -> bool:
    """A 13-19 digit card number (spaces or hyphens allowed) that passes the Luhn check.

    Examples
    --------
    >>> is_valid_card_number("5555-5555-5555-4444"), is_valid_card_number("1234 5678 9012 3456")
    (True, False)
    """
    return bool(_CARD.fullmatch(str(number).strip())) and bool(luhn_valid([number])[0])


def resident_number_format_valid(number: str) -> bool:
    """Whether ``number`` reads as a Korean RRN: a real birth date ``YYMMDD``, a gender/century
    digit 1-8, and six more digits (``900101-1234568`` or ``9001011234568``)."""
    match = _RRN.fullmatch(str(number).strip())
    if match is None:
        return False
    yy, mm, dd, gender = (int(match.group(i)) for i in range(1, 5))
    century = {1: 1900, 2: 1900, 5: 1900, 6: 1900, 3: 2000, 4: 2000, 7: 2000, 8: 2000}[gender]
    return _real_date(century + yy, mm, dd)


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def resident_number_checksum_valid(number: str) -> bool:
    """Whether the 13th digit of an RRN is its check digit.

    The check digit is ``(11 - sum(d_i * w_i) mod 11) mod 10`` over the first 12 digits with
    weights ``2..9, 2..5``. Numbers issued from October 2020 on have a random last digit, so
    a failing checksum does not prove a value is not an RRN.

    Examples
    --------
    >>> resident_number_checksum_valid("900101-1234568")
    True
    """
    digits = _digits(str(number))
    if len(digits) != 13:
        return False
    values = np.frombuffer(digits.encode("ascii"), dtype=np.uint8).astype(np.int64) - ord("0")
    return int((11 - int(values[:12] @ _RRN_WEIGHTS) % 11) % 10) == int(values[12])


def is_valid_resident_number(number: str) -> bool:
    """A well-formed RRN (birth date, gender digit) whose check digit is right.

    Examples
    --------
    >>> is_valid_resident_number("900101-1234568"), is_valid_resident_number("900101-1234567")
    (True, False)
    """
    return resident_number_format_valid(number) and resident_number_checksum_valid(number)
