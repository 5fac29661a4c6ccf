"""Text files: which encoding to read them with, and which delimiter separates their fields.

Korean public data often comes as CP949/EUC-KR, spreadsheets often add a UTF-8 byte order mark,
so a strict decode of a sample decides between ``utf-8-sig`` (which also reads plain UTF-8 and
drops the mark) and ``cp949`` (a superset of EUC-KR). When neither fits, charset-normalizer
guesses. Every candidate that fits the sample is kept in order: if the rest of the file does not
decode, the reader moves to the next one.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass

import charset_normalizer

from jogak.data._sources import Source
from jogak.errors import DataLoadError

__all__ = ["TextSample", "decode_error", "read_text_sample", "sniff_delimiter"]

SAMPLE_BYTES = 1 << 20
_STRICT_CANDIDATES = ("utf-8-sig", "cp949")
_DELIMITERS = (",", "\t", ";", "|")


@dataclass(frozen=True)
class TextSample:
    """The first bytes of a text file, the encodings that decode them, and the decoded text."""

    raw: bytes
    is_complete: bool
    encodings: tuple[str, ...]
    text: str


def read_text_sample(source: Source, encoding: str | None = None) -> TextSample:
    """Read up to 1 MiB of ``source`` and find the encodings that decode it.

    Raises
    ------
    DataLoadError
        No candidate decodes the sample, or ``encoding`` is unknown or does not fit.
    """
    with source.open_binary() as fh:
        raw = fh.read(SAMPLE_BYTES + 1)
    is_complete = len(raw) <= SAMPLE_BYTES
    raw = raw[:SAMPLE_BYTES]
    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except LookupError as exc:
            raise DataLoadError(
                f"Unknown encoding {encoding!r}. Expected a Python codec name such as 'utf-8', "
                "'cp949' or 'latin-1'. Hint: leave the encoding out to detect it."
            ) from exc
        candidates: list[str] = [name]
    else:
        candidates = _candidates(raw, is_complete)
    for enc in candidates:
        text = _decode(raw, enc, is_complete)
        if text is not None:
            kept = tuple(candidates[candidates.index(enc):])
            return TextSample(raw=raw, is_complete=is_complete, encodings=kept, text=text)
    raise decode_error(source.label, tuple(candidates) or _STRICT_CANDIDATES, explicit=encoding)


def decode_error(label: str, tried: tuple[str, ...], *, explicit: str | None = None,
                 detail: str = "") -> DataLoadError:
    """The error for text that none of ``tried`` decodes."""
    detail = f" ({detail})" if detail else ""
    if explicit is not None:
        return DataLoadError(
            f"Could not decode {label!r} with encoding={explicit!r}{detail}. Expected text in "
            "that encoding. Hint: leave the encoding out to detect it, or try 'cp949' (Korean) "
            "or 'latin-1'."
        )
    return DataLoadError(
        f"Could not decode {label!r} as text: tried {', '.join(tried)}{detail}. Expected UTF-8 "
        "or CP949/EUC-KR text. Hint: pass the file's encoding, e.g. encoding='latin-1' "
        "(--encoding on the command line)."
    )


def sniff_delimiter(text: str, *, is_complete: bool) -> str:
    """The delimiter among ``, \\t ; |`` that splits the header and rows most consistently."""
    head = text[: 1 << 16]
    if not is_complete or len(head) < len(text):
        head = head[: head.rfind("\n") + 1] or head
    best, best_key = ",", (False, 0, 0.0)
    for delimiter in _DELIMITERS:
        try:
            rows = [row for row in csv.reader(io.StringIO(head), delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        body = rows[1:-1] if len(rows) > 2 else rows[1:]
        share = (sum(len(row) == len(rows[0]) for row in body) / len(body)) if body else 1.0
        key = (share >= 0.9, len(rows[0]), share)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _candidates(raw: bytes, is_complete: bool) -> list[str]:
    if _decode(raw, "utf-8-sig", is_complete) is not None:
        candidates = ["utf-8-sig"]
        if _decode(raw, "cp949", is_complete) is not None:
            candidates.append("cp949")  # pure ASCII so far: later bytes may still be Korean
        return candidates
    guess = _guess(raw)
    korean = _decode(raw, "cp949", is_complete)
    ordered: list[str | None] = [guess]
    if korean is not None:
        # Latin-1 text can decode as CP949 by accident, but then into rare syllables outside
        # KS X 1001 (EUC-KR); real Korean text stays almost entirely inside it.
        ordered.insert(0 if _looks_korean(korean) else 1, "cp949")
    return list(dict.fromkeys(enc for enc in ordered if enc is not None))


def _looks_korean(text: str) -> bool:
    wide = re.sub(r"[\x00-\x7f]+", "", text)
    if not wide:
        return True
    return len(wide.encode("euc_kr", errors="ignore")) / 2 >= 0.9 * len(wide)


def _decode(raw: bytes, encoding: str, is_complete: bool) -> str | None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return decoder.decode(raw, final=is_complete)
    except UnicodeDecodeError:
        return None


def _guess(raw: bytes) -> str | None:
    match = charset_normalizer.from_bytes(raw[: 1 << 16]).best()
    if match is None:
        return None
    try:
        return codecs.lookup(match.encoding).name
    except LookupError:
        return None
