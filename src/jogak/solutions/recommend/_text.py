"""Text analysis for synopses: English words, Korean morphemes (kiwipiepy) or character n-grams."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

from jogak.errors import SchemaError
from jogak.models._optional import is_installed, require

__all__ = ["Analyzer", "KiwiTokenizer", "clean_texts", "hangul_share", "make_vectorizer"]

Analyzer = Literal["auto", "word", "char", "kiwi"]

_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_LETTER = re.compile(r"[^\W\d_]")
# content words only: nouns, verb/adjective stems, roots, foreign words and numbers
_KIWI_TAGS = ("NNG", "NNP", "VV", "VA", "XR", "SL", "SH", "SN")


def clean_texts(texts: Sequence[object] | pd.Series) -> list[str]:
    """Strings with missing values as ``""`` (an empty synopsis), whitespace collapsed."""
    out = []
    for value in list(texts):
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            out.append("")
        elif isinstance(value, str):
            out.append(" ".join(value.split()))
        else:
            raise SchemaError(f"Synopses must be text, got a {type(value).__name__} value "
                              f"({value!r}). Hint: point --text-col at a text column.")
    return out


def hangul_share(texts: Sequence[str]) -> float:
    """Share of letters that are Hangul, over all texts (0 when there are no letters)."""
    letters = sum(len(_LETTER.findall(text)) for text in texts)
    hangul = sum(len(_HANGUL.findall(text)) for text in texts)
    return hangul / letters if letters else 0.0


class KiwiTokenizer:
    """Korean morphological tokenizer (kiwipiepy ships its model); keeps content morphemes.

    The analyser is built on first use and left out of pickles (it is rebuilt after loading).
    """

    def __init__(self) -> None:
        self._kiwi: Any = None

    def __call__(self, text: str) -> list[str]:
        if self._kiwi is None:
            kiwi = require("kiwipiepy", extra="recommend", purpose="Korean morphological analysis")
            # the typo and multi-word dictionaries only slow loading; synopses are edited text
            self._kiwi = kiwi.Kiwi(num_workers=1, load_typo_dict=False, load_multi_dict=False)
        return [token.form.lower() for token in self._kiwi.tokenize(text)
                if token.tag in _KIWI_TAGS]

    def __getstate__(self) -> dict[str, Any]:
        return {"_kiwi": None}


def resolve_analyzer(analyzer: Analyzer, texts: Sequence[str]) -> Literal["word", "char", "kiwi"]:
    """``auto``: Korean text (≥ 30 % Hangul letters) → kiwi if installed, else char n-grams."""
    if analyzer != "auto":
        return analyzer
    if hangul_share(texts) < 0.3:
        return "word"
    return "kiwi" if is_installed("kiwipiepy") else "char"


def make_vectorizer(analyzer: Literal["word", "char", "kiwi"], n_texts: int) -> TfidfVectorizer:
    """A TF-IDF vectorizer for the resolved analyser (sublinear tf, L2-normalised rows)."""
    max_df = 0.5 if n_texts >= 20 else 1.0
    if analyzer == "char":
        return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True,
                               max_df=max_df, dtype=np.float32)
    if analyzer == "kiwi":
        return TfidfVectorizer(tokenizer=KiwiTokenizer(), token_pattern=None, lowercase=False,
                               sublinear_tf=True, max_df=max_df, dtype=np.float32)
    return TfidfVectorizer(stop_words="english", sublinear_tf=True, max_df=max_df,
                           ngram_range=(1, 1), dtype=np.float32)
