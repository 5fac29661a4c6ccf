"""The e-commerce data standard, customer grading (RFM, CLV) and repurchase (S5).

* The standard: buyer, behaviour and product tables declared item by item
  (:data:`STANDARD`), as pandera schemas, a Markdown/HTML spec and JSON Schema, versioned.
* Validation: :func:`validate_table` / :func:`validate_source` report every rule with its
  failures, share, masked sample rows and how to fix; adapters for Olist and CDNOW and
  column-mapping files for anyone else's data.
* Grading: :func:`rfm` (scores and named segments), :func:`customer_value` (BG/NBD +
  Gamma-Gamma CLV with holdout check) and :func:`repurchase_model` (AutoML propensity).
"""

from __future__ import annotations

from jogak.solutions.commerce._adapters import (
    OLIST_PAYMENT_METHODS,
    cdnow_behaviour,
    cdnow_buyers,
    olist_behaviour,
    olist_buyers,
    olist_products,
)
from jogak.solutions.commerce._btyd import BetaGeoModel, GammaGammaModel, ModelFitError
from jogak.solutions.commerce._clv import (
    CLVResult,
    clv_summary,
    customer_lifetime_value,
    customer_value,
)
from jogak.solutions.commerce._mapping import ColumnMapping, load_mapping
from jogak.solutions.commerce._prepare import PreparedTable, prepare_file
from jogak.solutions.commerce._repurchase import (
    RepurchaseResult,
    repurchase_features,
    repurchase_labels,
    repurchase_model,
)
from jogak.solutions.commerce._rfm import (
    SEGMENT_RULES,
    SEGMENTS,
    quintile_scores,
    rfm,
    rfm_segment,
)
from jogak.solutions.commerce._schemas import Rule, pandera_schema, table_rules
from jogak.solutions.commerce._sources import ADAPTERS, standard_table, validate_source
from jogak.solutions.commerce._spec import spec_frame, spec_json_schema, spec_markdown
from jogak.solutions.commerce._standard import (
    EVENT_TYPES,
    STANDARD,
    STANDARD_VERSION,
    Item,
    TableSpec,
    get_table,
)
from jogak.solutions.commerce._streaming import StreamValidator, validate_file
from jogak.solutions.commerce._validation import RuleResult, ValidationReport, validate_table

__all__ = [
    "ADAPTERS",
    "EVENT_TYPES",
    "OLIST_PAYMENT_METHODS",
    "SEGMENTS",
    "SEGMENT_RULES",
    "STANDARD",
    "STANDARD_VERSION",
    "BetaGeoModel",
    "CLVResult",
    "ColumnMapping",
    "GammaGammaModel",
    "Item",
    "ModelFitError",
    "PreparedTable",
    "RepurchaseResult",
    "Rule",
    "RuleResult",
    "StreamValidator",
    "TableSpec",
    "ValidationReport",
    "cdnow_behaviour",
    "cdnow_buyers",
    "clv_summary",
    "customer_lifetime_value",
    "customer_value",
    "get_table",
    "load_mapping",
    "olist_behaviour",
    "olist_buyers",
    "olist_products",
    "pandera_schema",
    "prepare_file",
    "quintile_scores",
    "repurchase_features",
    "repurchase_labels",
    "repurchase_model",
    "rfm",
    "rfm_segment",
    "spec_frame",
    "spec_json_schema",
    "spec_markdown",
    "standard_table",
    "table_rules",
    "validate_file",
    "validate_source",
    "validate_table",
]
