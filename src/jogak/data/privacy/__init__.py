"""Personal data: detection, pseudonymisation (keyed tokens, masks, generalisation,
suppression), k-anonymity and l-diversity, and the processing record.

Used by every solution: load, then pseudonymise before anything reaches logs, reports,
manifests or dashboards. See ``docs/privacy.md``.
"""

from __future__ import annotations

from jogak.data.privacy._anonymity import (
    AnonymityReport,
    k_anonymity,
    l_diversity,
    suppress_small_classes,
)
from jogak.data.privacy._checks import (
    is_valid_card_number,
    is_valid_resident_number,
    luhn_valid,
    resident_number_checksum_valid,
    resident_number_format_valid,
)
from jogak.data.privacy._detect import PiiFinding, PiiScan, kind_from_name, scan_pii
from jogak.data.privacy._key import MIN_KEY_BYTES, PseudonymKey, generate_key_file
from jogak.data.privacy._pseudonymizer import PseudonymizedFrame, Pseudonymizer, pseudonymize
from jogak.data.privacy._record import ProcessingRecord, ProcessingStep
from jogak.data.privacy._rules import ColumnRule, Generalization, rules_from_scan
from jogak.data.privacy._stream import pseudonymize_file
from jogak.data.privacy._tokens import Tokenizer
from jogak.data.privacy._transforms import (
    age_band,
    birth_year,
    mask,
    postal_prefix,
    region,
    suppress,
)
from jogak.data.privacy._vocabulary import (
    DEFAULT_ACTIONS,
    PII_CLASSES,
    Action,
    PiiClass,
    PiiKind,
)

__all__ = [
    "DEFAULT_ACTIONS",
    "MIN_KEY_BYTES",
    "PII_CLASSES",
    "Action",
    "AnonymityReport",
    "ColumnRule",
    "Generalization",
    "PiiClass",
    "PiiFinding",
    "PiiKind",
    "PiiScan",
    "ProcessingRecord",
    "ProcessingStep",
    "PseudonymKey",
    "PseudonymizedFrame",
    "Pseudonymizer",
    "Tokenizer",
    "age_band",
    "birth_year",
    "generate_key_file",
    "is_valid_card_number",
    "is_valid_resident_number",
    "k_anonymity",
    "kind_from_name",
    "l_diversity",
    "luhn_valid",
    "mask",
    "postal_prefix",
    "pseudonymize",
    "pseudonymize_file",
    "region",
    "resident_number_checksum_valid",
    "resident_number_format_valid",
    "rules_from_scan",
    "scan_pii",
    "suppress",
    "suppress_small_classes",
]
