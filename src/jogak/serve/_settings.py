"""Service settings and API keys (``JOGAK_API_KEYS``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from jogak.errors import ConfigError
from jogak.registry import parse_ref
from jogak.serve._prediction_log import PredictionLogSettings

if TYPE_CHECKING:
    from jogak.config import Settings

__all__ = ["ApiKey", "ServeSettings", "parse_api_keys"]

UnknownCategories = Literal["allow", "strict"]
OutOfRange = Literal["reject", "warn"]
ExtraColumns = Literal["drop", "error"]
MIN_KEY_LENGTH = 16


@dataclass(frozen=True)
class ApiKey:
    """One API key and the models it may use (``None``: every model)."""

    key: str = field(repr=False)
    models: frozenset[str] | None = None

    def allows(self, model: str) -> bool:
        return self.models is None or model in self.models


def parse_api_keys(text: str | None) -> tuple[ApiKey, ...]:
    """Read ``JOGAK_API_KEYS``: comma-separated ``KEY:SCOPE`` entries.

    ``SCOPE`` is ``all`` (every model, and every route) or model names joined by ``|``; a bare
    ``KEY`` means ``all``. Keys are at least 16 characters of letters, digits, ``-``, ``_``,
    ``.`` or ``~``.

    Examples
    --------
    >>> keys = parse_api_keys("k3y-for-everything-0001:all,k3y-for-churn-only-0002:churn|credit")
    >>> [sorted(k.models) if k.models else "all" for k in keys]
    ['all', ['churn', 'credit']]
    """
    if text is None or not text.strip():
        return ()
    keys = []
    for position, entry in enumerate(text.split(","), start=1):
        entry = entry.strip()
        if not entry:
            continue
        key, _, scope = entry.partition(":")
        key, scope = key.strip(), scope.strip()
        allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~")
        if len(key) < MIN_KEY_LENGTH or not set(key) <= allowed:
            raise ConfigError(f"JOGAK_API_KEYS entry {position} has an invalid key (it is not "
                              "repeated here): expected at least 16 characters of letters, "
                              "digits, '-', '_', '.', '~'. Hint: generate one with "
                              "python -c \"import secrets; print(secrets.token_urlsafe(32))\".")
        if scope in ("", "all", "*"):
            keys.append(ApiKey(key))
            continue
        names = frozenset(name.strip() for name in scope.split("|") if name.strip())
        for name in names:
            parse_ref(name)  # a ConfigError names the bad model name
        if not names:
            raise ConfigError(f"JOGAK_API_KEYS entry {position} has an empty scope; use 'all' or "
                              "model names joined by '|'.")
        keys.append(ApiKey(key, names))
    if len({k.key for k in keys}) != len(keys):
        raise ConfigError("JOGAK_API_KEYS lists the same key twice; give each key one entry.")
    return tuple(keys)


def _check_literal(name: str, value: Any, kind: Any) -> None:
    options = get_args(kind)
    if value not in options:
        raise ConfigError(f"{name} must be one of {list(options)}, got {value!r}.")


@dataclass(frozen=True, kw_only=True)
class ServeSettings:
    """How the service runs; validated on creation.

    Parameters
    ----------
    home : pathlib.Path
        ``JOGAK_HOME`` (the registry lives there).
    database_url : str, optional
        The registry index (``JOGAK_DATABASE_URL``); default SQLite in ``home``.
    api_keys : tuple of ApiKey
        From :func:`parse_api_keys`. Required unless ``auth=False``.
    auth : bool, default=True
        ``False`` serves without keys (local development only).
    default_model : str, optional
        ``NAME[@alias|@version]`` answering ``/invocations``; default: the only registered
        model.
    max_body_bytes : int, default=16 MiB
        Larger request bodies get 413.
    max_rows : int, default=100_000
        More rows in one request get 413.
    unknown_categories : {"allow", "strict"}, default="allow"
        ``strict``: a category never seen in training gets 422.
    out_of_range : {"reject", "warn"}, default="warn"
        ``reject``: a number outside the training range gets 422; ``warn``: it is predicted and
        the response lists a warning (field, rule, count). The default is ``warn`` because the
        range is the one *seen* in training (a tenure of 73 months after training up to 72 is
        not an error); ``jogak serve --strict`` refuses both such numbers and unseen
        categories.
    extra_columns : {"drop", "error"}, default="drop"
    reload_seconds : float, default=2.0
        How often alias moves are checked (then the new version is loaded and swapped in).
    table_prefix : str, default="jogak_registry_"
    prediction_log : PredictionLogSettings, optional
        Log every predicted row (pseudonymised entity key, prediction, score, chosen columns)
        to a table, off the request path; off by default.
    """

    home: Path
    database_url: str | None = None
    api_keys: tuple[ApiKey, ...] = ()
    auth: bool = True
    default_model: str | None = None
    max_body_bytes: int = 16 * 1024 * 1024
    max_rows: int = 100_000
    unknown_categories: UnknownCategories = "allow"
    out_of_range: OutOfRange = "warn"
    extra_columns: ExtraColumns = "drop"
    reload_seconds: float = 2.0
    table_prefix: str = "jogak_registry_"
    prediction_log: PredictionLogSettings | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "home", Path(self.home).expanduser())
        _check_literal("unknown_categories", self.unknown_categories, UnknownCategories)
        _check_literal("out_of_range", self.out_of_range, OutOfRange)
        _check_literal("extra_columns", self.extra_columns, ExtraColumns)
        for name in ("max_body_bytes", "max_rows"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}.")
        if not self.reload_seconds > 0:
            raise ConfigError(f"reload_seconds must be > 0, got {self.reload_seconds!r}.")
        if self.default_model is not None:
            parse_ref(self.default_model)
        if self.prediction_log is not None and \
                not isinstance(self.prediction_log, PredictionLogSettings):
            raise ConfigError(f"prediction_log must be a PredictionLogSettings, got "
                              f"{type(self.prediction_log).__name__}.")
        if self.auth and not self.api_keys:
            raise ConfigError("The service needs API keys: set JOGAK_API_KEYS (e.g. "
                              "'<key>:all,<key2>:churn'), or turn authentication off "
                              "explicitly for local development (jogak serve --no-auth).")

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> ServeSettings:
        """From :class:`jogak.config.Settings` (the environment), plus keyword overrides."""
        values: dict[str, Any] = {"home": settings.home, "database_url": settings.database_url,
                                  "api_keys": parse_api_keys(settings.api_keys)}
        values.update(overrides)
        return cls(**values)
