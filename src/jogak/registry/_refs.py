"""Model names, aliases and references (``name``, ``name@alias``, ``name@3``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from jogak.errors import ConfigError

__all__ = ["ModelRef", "check_alias", "check_name", "parse_ref"]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_ALIAS = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_VERSION = re.compile(r"v?([0-9]{1,9})")


def check_name(name: str) -> str:
    """``name`` if it is a valid model name, else a ConfigError saying what is allowed."""
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name in {".", ".."}:
        raise ConfigError(f"Invalid model name {name!r}: use 1 to 64 letters, digits, '_', '-' "
                          "and '.', starting with a letter or digit (e.g. 'telco-churn').")
    return name


def check_alias(alias: str) -> str:
    """``alias`` if it is a valid alias (``production``, ``staging``, ...), else a ConfigError."""
    if not isinstance(alias, str) or not _ALIAS.fullmatch(alias) or _VERSION.fullmatch(alias):
        raise ConfigError(f"Invalid alias {alias!r}: use 1 to 32 lower-case letters, digits, '_' "
                          "and '-', starting with a letter and not a version like 'v3' "
                          "(e.g. 'production', 'staging').")
    return alias


@dataclass(frozen=True)
class ModelRef:
    """A reference to one version: by number, by alias, or the default (``production`` if set,
    else the latest version)."""

    name: str
    version: int | None = None
    alias: str | None = None

    def __str__(self) -> str:
        if self.version is not None:
            return f"{self.name}@{self.version}"
        return f"{self.name}@{self.alias}" if self.alias else self.name


def parse_ref(text: str) -> ModelRef:
    """Read ``name``, ``name@alias`` or ``name@<version>`` (``name@3`` or ``name@v3``).

    Examples
    --------
    >>> parse_ref("churn@production")
    ModelRef(name='churn', version=None, alias='production')
    >>> parse_ref("churn@v3").version
    3
    """
    if not isinstance(text, str):
        raise ConfigError(f"A model reference must be a string like 'churn@production', got "
                          f"{type(text).__name__}.")
    name, sep, selector = text.partition("@")
    check_name(name)
    if not sep:
        return ModelRef(name)
    match = _VERSION.fullmatch(selector)
    if match:
        version = int(match.group(1))
        if version < 1:
            raise ConfigError(f"Model versions start at 1; got {text!r}.")
        return ModelRef(name, version=version)
    return ModelRef(name, alias=check_alias(selector))
