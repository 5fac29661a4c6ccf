""":func:`~jogak.pipeline._text.clean_text`'s default clean-up, compiled (numba), on code points.

With the default patterns a text is cleaned by four regular-expression substitutions, 1.1e-5 s a
row in Python, as much as the TF-IDF itself once that is compiled. Here the same steps run on
arrays of code points (see :func:`~jogak.pipeline._tfidf_native._codepoints`):

1. ``\\([^)]*\\)`` -> " ": a "(" up to the first ")" after it; a "(" with no ")" stays,
2. ``\\[[^\\]]*\\]`` -> " ", the same with square brackets, on the result of 1.,
3. ``[^\\w\\s]`` -> " ": \\w is ``str.isalnum()`` or "_", \\s ``str.isspace()`` (as ``re``
   reads them in str patterns),
4. runs of whitespace -> one " ", stripped.

Lowercasing stays in Python (``str.lower`` is one C call per text).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

__all__ = ["astral_words", "clean_codepoints", "is_space", "lower_bound", "word_table"]

try:
    import numba
except ImportError:  # pragma: no cover - exercised where numba is not installed
    numba = None  # type: ignore[assignment]

_BMP = 0x10000
_TABLE: list[np.ndarray] = []
_TABLE_LOCK = threading.Lock()


def word_table() -> np.ndarray:
    """``\\w`` for every code point of the basic multilingual plane (built once, ~20 ms)."""
    with _TABLE_LOCK:
        if not _TABLE:
            table = np.fromiter((chr(c).isalnum() for c in range(_BMP)), dtype=np.bool_,
                                count=_BMP)
            table[ord("_")] = True
            _TABLE.append(table)
        return _TABLE[0]


def astral_words(chars: np.ndarray) -> np.ndarray:
    """The sorted code points above the basic plane in ``chars`` that are ``\\w``."""
    high = chars[chars >= _BMP]
    if not high.size:
        return np.zeros(0, dtype=np.uint32)
    return np.array([c for c in np.unique(high).tolist() if chr(c).isalnum()], dtype=np.uint32)


if numba is not None:
    _jit = numba.njit(cache=True, nogil=True)

    @_jit
    def is_space(c: np.uint32) -> bool:  # str.isspace(), as re's \s in str patterns
        if c == 32 or (9 <= c <= 13) or (28 <= c <= 31):
            return True
        if c < 0x85:
            return False
        return bool(c == 0x85 or c == 0xA0 or c == 0x1680 or (0x2000 <= c <= 0x200A)
                    or c == 0x2028 or c == 0x2029 or c == 0x202F or c == 0x205F
                    or c == 0x3000)

    @_jit
    def _drop_enclosed(source: np.ndarray, n: int, target: np.ndarray, opening: int,
                       closing: int) -> int:
        """``re.sub(r"\\(<[^)]*\\)", " ")`` for one pair of brackets; the new length."""
        out = 0
        k = 0
        unclosed = False  # no closing bracket after some opening one: none after later ones
        while k < n:
            c = source[k]
            if c == opening and not unclosed:
                end = k + 1
                while end < n and source[end] != closing:
                    end += 1
                if end < n:
                    target[out] = 32
                    out += 1
                    k = end + 1
                    continue
                unclosed = True
            target[out] = c
            out += 1
            k += 1
        return out

    @_jit
    def lower_bound(keys: np.ndarray, key: Any) -> int:
        """The first position in sorted ``keys`` whose key is not below ``key``."""
        low, high = 0, keys.size
        while low < high:
            middle = (low + high) // 2
            if keys[middle] < key:
                low = middle + 1
            else:
                high = middle
        return low

    @_jit
    def _is_word(c: np.uint32, table: np.ndarray, astral: np.ndarray) -> bool:
        if c < table.size:
            return bool(table[c])
        low = lower_bound(astral, c)
        return low < astral.size and astral[low] == c

    @_jit
    def clean_codepoints(chars: np.ndarray, starts: np.ndarray, table: np.ndarray,
                         astral: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The default clean-up of each text in ``chars`` (text k: ``starts[k]:starts[k+1]``)."""
        n_docs = starts.size - 1
        out = np.empty(chars.size, dtype=np.uint32)
        out_starts = np.zeros(n_docs + 1, dtype=np.int64)
        longest = 0
        for d in range(n_docs):
            longest = max(longest, starts[d + 1] - starts[d])
        first = np.empty(longest, dtype=np.uint32)
        second = np.empty(longest, dtype=np.uint32)
        at = 0
        for d in range(n_docs):
            n = _drop_enclosed(chars[starts[d]:starts[d + 1]], starts[d + 1] - starts[d],
                               first, 40, 41)  # ( )
            n = _drop_enclosed(first, n, second, 91, 93)  # [ ]
            pending = False  # whitespace (or a removed symbol) since the last kept character
            begun = False
            for k in range(n):
                c = second[k]
                if is_space(c) or not _is_word(c, table, astral):
                    pending = True
                    continue
                if pending and begun:
                    out[at] = 32
                    at += 1
                out[at] = c
                at += 1
                pending = False
                begun = True
            out_starts[d + 1] = at
        return out[:at].copy(), out_starts

else:  # pragma: no cover
    def clean_codepoints(*args: Any) -> Any:
        raise RuntimeError("numba is not installed")

    def is_space(*args: Any) -> Any:
        raise RuntimeError("numba is not installed")

    def lower_bound(*args: Any) -> Any:
        raise RuntimeError("numba is not installed")
