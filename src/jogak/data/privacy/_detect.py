"""Finding personal data in a table: by column name, by content, and where declared."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from jogak.data.privacy._checks import (
    CONTENT_PATTERNS,
    luhn_valid,
    resident_number_checksum_valid,
    resident_number_format_valid,
)
from jogak.data.privacy._values import canonical_text, missing_mask
from jogak.data.privacy._vocabulary import (
    DEFAULT_ACTIONS,
    PII_CLASSES,
    Action,
    PiiClass,
    PiiKind,
)
from jogak.errors import ConfigError, SchemaError

__all__ = ["PiiFinding", "PiiScan", "kind_from_name", "scan_pii"]

DetectedBy = Literal["declared", "name", "content", "name and content"]

# column names, lower-cased with everything but letters and digits removed
_NAME_PATTERNS: tuple[tuple[PiiKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern)) for kind, pattern in (
        (PiiKind.RESIDENT_NUMBER, r"(rrn|ssn|residentregistration(number|no)?|residentno|"
                                  r"jumin(no|bunho)?)$|주민"),
        (PiiKind.EMAIL, r"e?mail(address)?$|이메일"),
        (PiiKind.IP_ADDRESS, r"^(client|remote|user|source)?ip(address|addr|v4|v6)?$"),
        (PiiKind.CARD_NUMBER, r"(creditcard|card)(number|no|num)$|^(pan|ccnumber|ccno)$|카드번호"),
        (PiiKind.PHONE, r"(phone|mobile|cellphone|telephone|telno|^tel)(number|no|num)?$|전화|"
                        r"휴대폰|핸드폰|연락처"),
        (PiiKind.ADDRESS, r"(address|addr|street)(line)?\d?$|주소"),
        (PiiKind.PERSON_NAME, r"^(customer|member|buyer|person|user|full|first|last|given|"
                              r"family|sur)?name$|^(이름|성명|고객명|회원명|구매자명)$"),
        (PiiKind.ACCOUNT_ID, r"^(customer|cust|user|member|buyer|client|account|subscriber|"
                             r"consumer|patient|person)(unique)?(id|no|number|key|code|uid)$|"
                             r"^msno$|^(고객|회원|구매자)(번호|id|아이디)$"),
        (PiiKind.BIRTH_DATE, r"birth(day|date)?$|^dob$|^dateofbirth$|생년월일"),
        (PiiKind.AGE, r"^(customer|member|buyer|user)?age(years|group|band)?$|^(나이|연령)"),
        (PiiKind.GENDER, r"^(customer|member|buyer|user)?(gender|sex)$|^성별$"),
        (PiiKind.POSTAL_CODE, r"(zip|postal|post)(code)?(prefix)?$|우편번호"),
    )
)
_CONTENT_KINDS: tuple[PiiKind, ...] = (PiiKind.EMAIL, PiiKind.RESIDENT_NUMBER,
                                       PiiKind.CARD_NUMBER, PiiKind.PHONE, PiiKind.IP_ADDRESS,
                                       PiiKind.ADDRESS)
_COMPILED = {kind: re.compile(CONTENT_PATTERNS[kind.value]) for kind in
             (PiiKind.EMAIL, PiiKind.PHONE, PiiKind.IP_ADDRESS, PiiKind.ADDRESS)}


@dataclass(frozen=True)
class PiiFinding:
    """One column found to hold personal data. Never holds any of the column's values.

    Attributes
    ----------
    column : str
    kind : PiiKind
    pii_class : PiiClass
    detected_by : {"declared", "name", "content", "name and content"}
    match_share : float or None
        Share of the checked non-missing values that look like ``kind`` (None: not checked
        by content).
    n_checked : int
        Non-missing values checked by content.
    checksum_share : float or None
        For resident numbers: share of the matching values whose check digit is right (RRNs
        issued from October 2020 on have none).
    action : Action
        What pseudonymisation does by default.
    """

    column: str
    kind: PiiKind
    pii_class: PiiClass
    detected_by: DetectedBy
    match_share: float | None
    n_checked: int
    checksum_share: float | None
    action: Action

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"column": self.column, "kind": self.kind.value, "pii_class": self.pii_class.value,
                "detected_by": self.detected_by, "match_share": self.match_share,
                "n_checked": self.n_checked, "checksum_share": self.checksum_share,
                "action": self.action.value}


@dataclass(frozen=True)
class PiiScan:
    """The personal data found in a table, one finding per column, in column order."""

    findings: tuple[PiiFinding, ...]
    n_rows_scanned: int
    columns_scanned: tuple[str, ...]

    @property
    def pii_columns(self) -> list[str]:
        """Columns that hold personal data."""
        return [finding.column for finding in self.findings]

    def __getitem__(self, column: str) -> PiiFinding:
        for finding in self.findings:
            if finding.column == column:
                return finding
        raise KeyError(column)

    def __contains__(self, column: object) -> bool:
        return any(finding.column == column for finding in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"n_rows_scanned": self.n_rows_scanned,
                "n_columns_scanned": len(self.columns_scanned),
                "pii_columns": self.pii_columns,
                "findings": [finding.to_dict() for finding in self.findings]}

    def to_frame(self) -> pd.DataFrame:
        """One row per finding."""
        columns = list(PiiFinding.__dataclass_fields__)
        return pd.DataFrame([f.to_dict() for f in self.findings], columns=columns)


def _normalise_name(name: object) -> str:
    return re.sub(r"[^0-9a-z가-힣]", "", str(name).lower())


def kind_from_name(name: object) -> PiiKind | None:
    """The kind of personal data a column name announces, if any."""
    normalised = _normalise_name(name)
    for kind, pattern in _NAME_PATTERNS:
        if pattern.search(normalised):
            return kind
    return None


def _content_shares(text: pd.Series) -> tuple[PiiKind | None, float, float | None]:
    best: tuple[PiiKind | None, float, float | None] = (None, 0.0, None)
    values = text.tolist()
    for kind in _CONTENT_KINDS:
        checksum: float | None = None
        if kind is PiiKind.RESIDENT_NUMBER:
            hits = np.array([resident_number_format_valid(v) for v in values], dtype=bool)
            if hits.any():
                checksum = float(np.mean([resident_number_checksum_valid(v) for v, hit in
                                          zip(values, hits, strict=True) if hit]))
        elif kind is PiiKind.CARD_NUMBER:
            shaped = text.str.fullmatch(r"\d(?:[ -]?\d){12,18}").to_numpy(dtype=bool,
                                                                         na_value=False)
            hits = shaped & luhn_valid(values)
        else:
            hits = text.str.fullmatch(_COMPILED[kind]).to_numpy(dtype=bool, na_value=False)
        share = float(hits.mean()) if len(hits) else 0.0
        if share > best[1]:
            best = (kind, share, checksum)
    return best


def scan_pii(frame: pd.DataFrame, *, names: Sequence[str] = (), sample_size: int = 2000,
             min_share: float = 0.5) -> PiiScan:
    """Find the columns of ``frame`` that hold personal data.

    A column is personal data when it is declared in ``names`` (person names cannot be told
    from other words by content), when its name announces a kind (``email``, ``phone``,
    ``주민번호``, ``customer_id``, ``birth_date``, ``age``, ``gender``, ``zip_code``, …), or
    when at least ``min_share`` of the first ``sample_size`` non-missing values look like one:
    e-mail addresses, Korean resident registration numbers (a real birth date and a gender
    digit; the check digit is reported), card numbers passing the Luhn check, phone numbers
    (Korean mobiles and landlines, +82 and other international forms), IPv4 addresses, and
    street addresses (Korean: province then district; others: number, street, street type).
    Content wins over the name when both speak and disagree.

    Parameters
    ----------
    frame : pandas.DataFrame
    names : sequence of str, default ()
        Columns declared to hold person names.
    sample_size : int, default 2000
        Non-missing values checked by content per column.
    min_share : float, default 0.5
        Share of checked values that must match for a content finding.

    Returns
    -------
    PiiScan

    Raises
    ------
    SchemaError
        ``frame`` is not a DataFrame, or a declared column is absent.
    ConfigError
        ``sample_size`` or ``min_share`` out of range.

    Examples
    --------
    >>> frame = pd.DataFrame({"contact": ["a@b.kr", "c@d.com"], "amount": [3, 4]})
    >>> [(f.column, f.kind.value, f.detected_by) for f in scan_pii(frame).findings]
    [('contact', 'email', 'content')]
    """
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"Expected a pandas DataFrame, got {type(frame).__name__}.")
    if isinstance(sample_size, bool) or not isinstance(sample_size, int) or sample_size < 1:
        raise ConfigError(f"sample_size must be a positive integer, got {sample_size!r}.")
    if not 0.0 < min_share <= 1.0:
        raise ConfigError(f"min_share must be in (0, 1], got {min_share!r}.")
    declared = [names] if isinstance(names, str) else list(names)
    absent = [name for name in declared if name not in frame.columns]
    if absent:
        raise SchemaError(f"Columns declared as names are not in the table: {absent}. "
                          f"Expected some of {[str(c) for c in frame.columns][:20]}.")
    findings = [_scan_column(frame[name], name in declared, sample_size, min_share)
                for name in frame.columns]
    return PiiScan(findings=tuple(f for f in findings if f is not None),
                   n_rows_scanned=len(frame), columns_scanned=tuple(map(str, frame.columns)))


def _scan_column(values: pd.Series, is_declared: bool, sample_size: int,
                 min_share: float) -> PiiFinding | None:
    name = str(values.name)
    if is_declared:
        return _finding(name, PiiKind.PERSON_NAME, "declared", None, 0, None)
    by_name = kind_from_name(name)
    content: PiiKind | None = None
    share, checksum, n_checked = None, None, 0
    if not (pd.api.types.is_float_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype)
            or pd.api.types.is_datetime64_any_dtype(values.dtype)):
        present = values[~missing_mask(values)].head(sample_size)
        n_checked = len(present)
        if n_checked:
            kind, share, checksum = _content_shares(canonical_text(present))
            content = kind if share >= min_share else None
            if content is None and by_name is not None:
                share = float(_content_shares_for(canonical_text(present), by_name)) \
                    if by_name in _CONTENT_KINDS else None
                checksum = None
    if content is not None:
        detected: DetectedBy = "name and content" if by_name is content else "content"
        return _finding(name, content, detected, share, n_checked, checksum)
    if by_name is not None:
        return _finding(name, by_name, "name", share if n_checked else None, n_checked, None)
    return None


def _content_shares_for(text: pd.Series, kind: PiiKind) -> float:
    values = text.tolist()
    if kind is PiiKind.RESIDENT_NUMBER:
        return float(np.mean([resident_number_format_valid(v) for v in values]))
    if kind is PiiKind.CARD_NUMBER:
        return float(luhn_valid(values).mean())
    return float(text.str.fullmatch(_COMPILED[kind]).to_numpy(dtype=bool, na_value=False).mean())


def _finding(column: str, kind: PiiKind, detected_by: DetectedBy, share: float | None,
             n_checked: int, checksum: float | None) -> PiiFinding:
    return PiiFinding(column=column, kind=kind, pii_class=PII_CLASSES[kind],
                      detected_by=detected_by,
                      match_share=None if share is None else round(share, 6),
                      n_checked=n_checked,
                      checksum_share=None if checksum is None else round(checksum, 6),
                      action=DEFAULT_ACTIONS[kind])
