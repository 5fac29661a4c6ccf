"""The privacy vocabulary: kinds of personal data, their class, and what can be done to them.

The classes follow Korea's pseudonymisation guideline (가명정보 처리 가이드라인): *direct
identifiers* (식별자) single a person out on their own and are replaced by keyed tokens or
removed; *quasi-identifiers* (준식별자: age, gender, region, birth date, postal code) do so only
in combination and are generalised until every combination is shared by at least ``k`` rows;
*sensitive* values (민감정보) are what l-diversity protects.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["DEFAULT_ACTIONS", "PII_CLASSES", "Action", "PiiClass", "PiiKind"]


class PiiKind(StrEnum):
    """What kind of personal data a column holds."""

    RESIDENT_NUMBER = "resident_registration_number"  # 주민등록번호
    PHONE = "phone"
    EMAIL = "email"
    CARD_NUMBER = "card_number"
    ADDRESS = "address"
    PERSON_NAME = "person_name"
    ACCOUNT_ID = "account_id"  # customer, member, user or buyer number
    IP_ADDRESS = "ip_address"
    BIRTH_DATE = "birth_date"
    AGE = "age"
    GENDER = "gender"
    POSTAL_CODE = "postal_code"


class PiiClass(StrEnum):
    """How much a kind of value identifies a person (the guideline's classes)."""

    DIRECT_IDENTIFIER = "direct_identifier"
    QUASI_IDENTIFIER = "quasi_identifier"
    SENSITIVE = "sensitive"
    NONE = "none"


class Action(StrEnum):
    """What pseudonymisation does to a column."""

    TOKENIZE = "tokenize"  # HMAC-SHA256 keyed token: same input, same token; joins survive
    MASK = "mask"  # hide most characters, keep a recognisable part (last 4 digits, domain)
    GENERALIZE = "generalize"  # age -> band, birth date -> year, address -> region, zip -> prefix
    SUPPRESS = "suppress"  # every value becomes missing
    KEEP = "keep"  # left as is (a quasi-identifier left to the k-anonymity check)


PII_CLASSES: dict[PiiKind, PiiClass] = {
    PiiKind.RESIDENT_NUMBER: PiiClass.DIRECT_IDENTIFIER,
    PiiKind.PHONE: PiiClass.DIRECT_IDENTIFIER,
    PiiKind.EMAIL: PiiClass.DIRECT_IDENTIFIER,
    PiiKind.CARD_NUMBER: PiiClass.DIRECT_IDENTIFIER,
    PiiKind.PERSON_NAME: PiiClass.DIRECT_IDENTIFIER,
    PiiKind.ACCOUNT_ID: PiiClass.DIRECT_IDENTIFIER,
    PiiKind.IP_ADDRESS: PiiClass.DIRECT_IDENTIFIER,
    PiiKind.ADDRESS: PiiClass.QUASI_IDENTIFIER,
    PiiKind.BIRTH_DATE: PiiClass.QUASI_IDENTIFIER,
    PiiKind.AGE: PiiClass.QUASI_IDENTIFIER,
    PiiKind.GENDER: PiiClass.QUASI_IDENTIFIER,
    PiiKind.POSTAL_CODE: PiiClass.QUASI_IDENTIFIER,
}

#: What ``pseudonymize`` does to a detected column unless told otherwise.
DEFAULT_ACTIONS: dict[PiiKind, Action] = {
    PiiKind.RESIDENT_NUMBER: Action.TOKENIZE,
    PiiKind.PHONE: Action.TOKENIZE,
    PiiKind.EMAIL: Action.TOKENIZE,
    PiiKind.CARD_NUMBER: Action.TOKENIZE,
    PiiKind.PERSON_NAME: Action.TOKENIZE,
    PiiKind.ACCOUNT_ID: Action.TOKENIZE,
    PiiKind.IP_ADDRESS: Action.TOKENIZE,
    PiiKind.ADDRESS: Action.GENERALIZE,
    PiiKind.BIRTH_DATE: Action.GENERALIZE,
    PiiKind.AGE: Action.GENERALIZE,
    PiiKind.POSTAL_CODE: Action.GENERALIZE,
    PiiKind.GENDER: Action.KEEP,
}
