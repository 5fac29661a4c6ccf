"""Preprocessing: scikit-learn transformers and their composition by feature style.

Every step is a scikit-learn estimator (``fit`` learns, ``transform`` applies training
statistics only), so anything learned sits inside the pipeline that cross-validation clones.
:func:`build_preprocessor` composes them for the feature columns of a table.
"""

from __future__ import annotations

from jogak.pipeline._binning import Binner
from jogak.pipeline._booleans import BooleanEncoder
from jogak.pipeline._builder import (
    build_preprocessor,
    native_categorical_indices,
    source_column_map,
)
from jogak.pipeline._composition import FastColumnTransformer, NumericColumns
from jogak.pipeline._dates import DATE_PARTS, DateFeatures
from jogak.pipeline._diagnostics import condition_number, variance_inflation
from jogak.pipeline._encoders import (
    FrequencyEncoder,
    OneHotCategoryEncoder,
    OrdinalCodeEncoder,
    RareLevelGrouper,
)
from jogak.pipeline._levels import RARE_LEVEL, UNKNOWN_LEVEL
from jogak.pipeline._missing import MissingImputer
from jogak.pipeline._outliers import OutlierClipper
from jogak.pipeline._rowpath import RowTransform, compile_row_transform
from jogak.pipeline._scaling import ColumnScaler
from jogak.pipeline._selection import ElasticNetSelector, RecursiveEliminator
from jogak.pipeline._sentence import PACKAGED_SENTENCE_MODELS, SentenceEmbedder
from jogak.pipeline._skew import SkewCorrector, signed_log1p, yeo_johnson
from jogak.pipeline._styles import FeatureStyle
from jogak.pipeline._target_encoding import CrossFitTargetEncoder
from jogak.pipeline._text import DEFAULT_TEXT_PATTERNS, TextFeatures, clean_text
from jogak.pipeline._textmemo import shared_text
from jogak.pipeline._texts import as_text_list

__all__ = [
    "PACKAGED_SENTENCE_MODELS",
    "SentenceEmbedder",
    "as_text_list",
    "shared_text",
    "RowTransform",
    "compile_row_transform",
    "DATE_PARTS",
    "DEFAULT_TEXT_PATTERNS",
    "RARE_LEVEL",
    "UNKNOWN_LEVEL",
    "Binner",
    "BooleanEncoder",
    "CrossFitTargetEncoder",
    "DateFeatures",
    "ElasticNetSelector",
    "FastColumnTransformer",
    "FeatureStyle",
    "FrequencyEncoder",
    "MissingImputer",
    "NumericColumns",
    "OneHotCategoryEncoder",
    "OrdinalCodeEncoder",
    "OutlierClipper",
    "RareLevelGrouper",
    "RecursiveEliminator",
    "ColumnScaler",
    "SkewCorrector",
    "TextFeatures",
    "build_preprocessor",
    "clean_text",
    "condition_number",
    "native_categorical_indices",
    "signed_log1p",
    "source_column_map",
    "variance_inflation",
    "yeo_johnson",
]
