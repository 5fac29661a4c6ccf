"""One text, one TF-IDF per prediction, however many preprocessors hold the same vocabulary.

An ensemble served bagged keeps one preprocessor per fold and per feature style; when their
text steps share one fitted vocabulary (see ``FoldCache``: text is fitted once on all training
rows), each copy would clean, split and weigh the same text again. Inside :func:`shared_text`,
:func:`remembered` computes a value once per (owner, input) and hands the same object to every
later caller; outside it, it just computes. The memo lives in a context variable: each thread
and each prediction has its own, and it is dropped when the ``with`` block ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

__all__ = ["remembered", "shared_text"]

_T = TypeVar("_T")
# id(owner) -> (owner, key, value): the owner is kept so that its id cannot be reused
_MEMO: ContextVar[dict[int, tuple[Any, Any, Any]] | None] = ContextVar("jogak_text_memo",
                                                                       default=None)


@contextmanager
def shared_text() -> Iterator[None]:
    """Within this block, :func:`remembered` values are computed once (nested blocks share)."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def remembered(owner: Any, key: Any, compute: Callable[[], _T]) -> _T:
    """``compute()``, or the value it gave for the same ``owner`` and an equal ``key``.

    One entry per owner (the last key): the preprocessors of one prediction ask in turn for the
    same input. ``key`` is compared with ``is`` first, then ``==`` (a text, a list of texts).
    Callers must not modify the value they get.
    """
    memo = _MEMO.get()
    if memo is None:
        return compute()
    entry = memo.get(id(owner))
    if entry is not None and entry[0] is owner and (entry[1] is key or entry[1] == key):
        return entry[2]  # type: ignore[no-any-return]
    value = compute()
    memo[id(owner)] = (owner, key, value)
    return value
