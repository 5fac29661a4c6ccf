"""Pseudonymising frames batch by batch: tokens, masks, generalisation and suppression."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import pyarrow as pa

from jogak.data.privacy._detect import scan_pii
from jogak.data.privacy._key import PseudonymKey
from jogak.data.privacy._record import ProcessingRecord, ProcessingStep
from jogak.data.privacy._rules import ColumnRule, rules_from_scan
from jogak.data.privacy._tokens import Tokenizer
from jogak.data.privacy._transforms import (
    age_band,
    birth_year,
    mask,
    postal_prefix,
    region,
    suppress,
)
from jogak.data.privacy._values import missing_mask
from jogak.data.privacy._vocabulary import PII_CLASSES, Action
from jogak.errors import ConfigError, SchemaError

__all__ = ["PseudonymizedFrame", "Pseudonymizer", "pseudonymize"]


@dataclass(frozen=True)
class PseudonymizedFrame:
    """A pseudonymised frame and the record of what was done to it."""

    frame: pd.DataFrame
    record: ProcessingRecord


class Pseudonymizer:
    """Pseudonymise the personal data of frames, batch after batch, the same way every time.

    Every rule is applied column by column with vectorised operations; tokens are computed
    once per distinct value (see :class:`Tokenizer`). Calling :meth:`transform` on successive
    batches of a large table gives the same result as on the whole table.

    Parameters
    ----------
    key : PseudonymKey, optional
        Needed when a rule tokenises.
    rules : sequence of ColumnRule, optional
        What to do to which column. When omitted, :meth:`plan` scans each frame for personal
        data (:func:`scan_pii`) and applies the default action of each kind found: pass
        explicit rules (e.g. ``pseudonymizer.plan(first_batch)``) to make every batch of a
        stream follow the same plan.
    columns : sequence of str, optional
        Without ``rules``: only these columns (found or not), with the default action of their
        detected kind (tokenise when none).
    names : sequence of str, default ()
        Columns declared to hold person names.
    token_length : int, default 32
        Hex digits per token (16-64).

    Raises
    ------
    ConfigError
        Rules that are not ColumnRule objects or name a column twice, a tokenising rule without
        a key, or a bad ``token_length``.

    Examples
    --------
    >>> key = PseudonymKey(b"k" * 32)
    >>> frame = pd.DataFrame({"email": ["Kim@Example.com", "kim@example.com "], "n": [1, 2]})
    >>> out = Pseudonymizer(key).transform(frame)
    >>> out["email"].nunique(), out["n"].tolist()
    (1, [1, 2])
    """

    def __init__(self, key: PseudonymKey | None = None,
                 rules: Sequence[ColumnRule] | None = None, *,
                 columns: Sequence[str] | None = None, names: Sequence[str] = (),
                 token_length: int = 32) -> None:
        if key is not None and not isinstance(key, PseudonymKey):
            raise ConfigError(f"key must be a PseudonymKey, got {type(key).__name__}. Hint: "
                              "PseudonymKey.from_file(path).")
        if rules is not None:
            rules = tuple(rules)
            if not all(isinstance(rule, ColumnRule) for rule in rules):
                raise ConfigError("rules must be ColumnRule objects. Hint: ColumnRule(column="
                                  "'email', action='tokenize', kind='email').")
            seen = [rule.column for rule in rules]
            if len(set(seen)) != len(seen):
                raise ConfigError(f"Each column may have one rule; repeated: "
                                  f"{sorted({c for c in seen if seen.count(c) > 1})}.")
            self._check_key(rules, key)
        if columns is not None and (isinstance(columns, str) or not columns):
            raise ConfigError(f"columns must be a non-empty list of column names, got "
                              f"{columns!r}.")
        self.key = key
        self.rules = rules
        self.columns = None if columns is None else tuple(columns)
        self.names = tuple([names] if isinstance(names, str) else names)
        self._tokenizer = Tokenizer(key, length=token_length) if key is not None else None
        self.token_length = token_length

    @staticmethod
    def _check_key(rules: Sequence[ColumnRule], key: PseudonymKey | None) -> None:
        tokenized = [rule.column for rule in rules if rule.action is Action.TOKENIZE]
        if tokenized and key is None:
            raise ConfigError(f"Columns {tokenized} are to be tokenised, which needs a key. "
                              "Hint: Pseudonymizer(PseudonymKey.from_file(path), ...).")

    def plan(self, frame: pd.DataFrame) -> tuple[ColumnRule, ...]:
        """The rules that apply to ``frame``: the given ones, or those of a scan of it."""
        if self.rules is not None:
            return self.rules
        scan = scan_pii(frame, names=self.names)
        rules = rules_from_scan(scan, columns=self.columns)
        self._check_key(rules, self.key)
        return rules

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with its personal data pseudonymised (other columns untouched).

        Raises
        ------
        SchemaError
            ``frame`` is not a DataFrame, lacks a rule's column, or a generalised column holds
            values that do not read as ages or dates (counted, never quoted).
        """
        return self.apply(frame)[0]

    def apply(self, frame: pd.DataFrame,
              rules: Sequence[ColumnRule] | None = None) -> tuple[pd.DataFrame, dict[str, int]]:
        """As :meth:`transform`, also counting the non-missing values processed per column."""
        if not isinstance(frame, pd.DataFrame):
            raise SchemaError(f"Expected a pandas DataFrame, got {type(frame).__name__}.")
        rules = self.plan(frame) if rules is None else tuple(rules)
        _check_columns(rules, list(frame.columns))
        out = frame.copy(deep=False)
        counts = {}
        for rule in rules:
            values = frame[rule.column]
            counts[rule.column] = int((~missing_mask(values)).sum())
            out[rule.column] = self._column(values, rule)
        return out, counts

    def apply_arrow(self, table: pa.Table,
                    rules: Sequence[ColumnRule]) -> tuple[pa.Table, dict[str, int]]:
        """As :meth:`apply`, for an Arrow table: untouched columns never leave Arrow."""
        _check_columns(rules, table.column_names)
        counts = {}
        for rule in rules:
            index = table.column_names.index(rule.column)
            column = table.column(index)
            is_text = pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
            if rule.action is Action.TOKENIZE and self._tokenizer is not None and is_text:
                values = self._tokenizer.tokenize_arrow(column, rule.kind)
                counts[rule.column] = int(len(values) - values.null_count)  # null iff missing
            else:
                series = column.to_pandas()
                counts[rule.column] = int((~missing_mask(series)).sum())
                values = pa.array(self._column(series, rule), from_pandas=True)
                if pa.types.is_large_string(values.type) or pa.types.is_null(values.type):
                    values = values.cast(pa.string())  # one schema for every batch
            table = table.set_column(index, rule.column, values)
        return table, counts

    def _column(self, values: pd.Series, rule: ColumnRule) -> pd.Series:
        if rule.action is Action.TOKENIZE:
            if self._tokenizer is None:
                raise ConfigError(f"Column {rule.column!r} is to be tokenised, which needs a key.")
            return self._tokenizer.tokenize(values, rule.kind)
        if rule.action is Action.MASK:
            return mask(values, rule.kind)
        if rule.action is Action.SUPPRESS:
            return suppress(values)
        if rule.action is Action.KEEP:
            return values
        if rule.generalization == "age_band":
            return age_band(values, width=rule.band_width, top=rule.top_age)
        if rule.generalization == "birth_year":
            return birth_year(values)
        if rule.generalization == "region":
            return region(values, level=rule.region_level)
        return postal_prefix(values, n_digits=rule.postal_digits)

    def record(self, rules: Sequence[ColumnRule], counts: dict[str, int], *, n_rows: int,
               all_columns: Sequence[str], when: datetime | None = None,
               source: str | None = None, destination: str | None = None,
               purpose: str | None = None, processor: str | None = None) -> ProcessingRecord:
        """The processing record of applying ``rules`` (``counts`` from :meth:`apply`)."""
        from jogak import __version__

        when = datetime.now(UTC) if when is None else when
        steps = tuple(self._step(rule, counts.get(rule.column, 0)) for rule in rules)
        tokenizes = any(rule.action is Action.TOKENIZE for rule in rules)
        touched = {rule.column for rule in rules}
        return ProcessingRecord(
            created_at=when.isoformat(timespec="seconds"), tool=f"jogak {__version__}",
            key_id=self.key.key_id if tokenizes and self.key is not None else None,
            n_rows=int(n_rows), steps=steps, source=source, destination=destination,
            purpose=purpose, processor=processor,
            untouched_columns=tuple(str(c) for c in all_columns if c not in touched))

    def _step(self, rule: ColumnRule, n_values: int) -> ProcessingStep:
        method = {
            Action.TOKENIZE: f"HMAC-SHA256 keyed token ({self.token_length * 4}-bit hex)",
            Action.MASK: f"mask ({rule.kind.value if rule.kind else 'generic'})",
            Action.SUPPRESS: "suppression (all values removed)",
            Action.KEEP: "kept as is",
        }.get(rule.action, str(rule.generalization))
        return ProcessingStep(
            column=rule.column, action=rule.action.value,
            kind=None if rule.kind is None else rule.kind.value,
            pii_class=None if rule.kind is None else PII_CLASSES[rule.kind].value,
            method=method, parameters=rule.parameters(),
            key_id=self.key.key_id if rule.action is Action.TOKENIZE and self.key else None,
            n_values=n_values)


def _check_columns(rules: Sequence[ColumnRule], available: list[str]) -> None:
    absent = [rule.column for rule in rules if rule.column not in available]
    if absent:
        raise SchemaError(f"Columns {absent} named in the pseudonymisation rules are not in the "
                          f"table. Expected some of {[str(c) for c in available][:20]}.")


def pseudonymize(frame: pd.DataFrame, key: PseudonymKey | None = None, *,
                 rules: Sequence[ColumnRule] | None = None,
                 columns: Sequence[str] | None = None, names: Sequence[str] = (),
                 when: datetime | None = None, purpose: str | None = None,
                 processor: str | None = None) -> PseudonymizedFrame:
    """Pseudonymise ``frame`` and return it with its processing record.

    Parameters are those of :class:`Pseudonymizer`; ``when`` (default: now, UTC), ``purpose``
    and ``processor`` go into the record.

    Examples
    --------
    >>> key = PseudonymKey(b"k" * 32)
    >>> frame = pd.DataFrame({"phone": ["010-1234-5678"], "age": [34]})
    >>> result = pseudonymize(frame, key)
    >>> result.frame["age"].tolist(), [s.action for s in result.record.steps]
    (['30-39'], ['tokenize', 'generalize'])
    """
    pseudonymizer = Pseudonymizer(key, rules, columns=columns, names=names)
    plan = pseudonymizer.plan(frame)
    out, counts = pseudonymizer.apply(frame, plan)
    record = pseudonymizer.record(plan, counts, n_rows=len(frame), all_columns=list(frame.columns),
                                  when=when, purpose=purpose, processor=processor)
    return PseudonymizedFrame(frame=out, record=record)

