"""Regex clean-up of titles, artist, credit and company names, so one entity gets one key."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

__all__ = ["clean_company", "clean_person", "clean_title", "split_names"]

_SPACES = re.compile(r"\s+")
_CORPORATE = re.compile(
    r"\(주\)|\(유\)|\(사\)|㈜|주식회사|유한회사|\b(?:co\.?,?\s*)?ltd\.?|\binc\.?", re.IGNORECASE)
_BRACKETS = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]")
_FEATURING = re.compile(r"\s*[\(\[]?\s*(?:feat\.?|ft\.|with|prod\.?(?:\s*by)?)\s[^\)\]]*[\)\]]?",
                        re.IGNORECASE)
_PUNCT = re.compile(r"[^\w&+]+")
# The same company appears in several forms in box-office data; these stems map to one key.
_COMPANY_STEMS = (("cj", "cj"), ("쇼박스", "쇼박스"), ("showbox", "쇼박스"), ("롯데", "롯데"),
                  ("lotte", "롯데"), ("넥스트엔터테인먼트월드", "new"), ("메가박스", "메가박스"),
                  ("megabox", "메가박스"), ("워너브러더스", "워너브러더스"),
                  ("이십세기폭스", "이십세기폭스"), ("유니버설", "유니버설"),
                  ("소니픽쳐스", "소니픽쳐스"), ("월트디즈니", "월트디즈니"))


def _normalise(text: object) -> str:
    if text is None or (isinstance(text, float) and text != text) or text is pd.NA:
        return ""
    value = unicodedata.normalize("NFKC", str(text))
    return _SPACES.sub(" ", value).strip()


def clean_company(name: object) -> str:
    """A company key: NFKC, legal-form marks removed, lower case, no spaces or punctuation.

    Known majors written several ways (``CJ 엔터테인먼트``, ``CJ E&M 영화부문``) map to one stem.

    Examples
    --------
    >>> clean_company("(주)쇼박스"), clean_company("CJ E&M 영화부문"), clean_company("NEW")
    ('쇼박스', 'cj', 'new')
    """
    value = _CORPORATE.sub(" ", _normalise(name)).lower()
    value = _PUNCT.sub("", value)
    if value in {"new", "넥스트엔터테인먼트월드new"}:
        return "new"
    for stem, key in _COMPANY_STEMS:
        if value.startswith(stem):
            return key
    return value


def clean_person(name: object) -> str:
    """A person or artist key: NFKC, bracketed aliases dropped, lower case, single spaces.

    Examples
    --------
    >>> clean_person("BIGBANG (빅뱅)"), clean_person("  엠씨더맥스 (M.C the MAX) ")
    ('bigbang', '엠씨더맥스')
    """
    value = _BRACKETS.sub("", _normalise(name)).strip()
    return _SPACES.sub(" ", value).lower()


def clean_title(title: object) -> str:
    """A title without featuring/producer credits and bracketed notes, spaces collapsed.

    Examples
    --------
    >>> clean_title("Love Me (Feat. Crush)"), clean_title("  개를 훔치는 완벽한 방법")
    ('Love Me', '개를 훔치는 완벽한 방법')
    """
    value = _FEATURING.sub("", _normalise(title))
    value = _BRACKETS.sub("", value).strip()
    return value or _normalise(title)


def split_names(value: object, *, separator: str = ",") -> list[str]:
    """Cleaned, de-duplicated person keys of a credit field such as ``"A, B (비)"``.

    Examples
    --------
    >>> split_names("박진영, JYP (제이와이피), 박진영")
    ['박진영', 'jyp']
    """
    names: list[str] = []
    for part in _normalise(value).split(separator):
        key = clean_person(part)
        if key and key != "-" and key not in names:
            names.append(key)
    return names
