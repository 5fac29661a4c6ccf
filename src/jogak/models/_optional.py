"""Optional dependencies: import an extra's module, or say which extra to install."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from jogak.errors import MissingDependencyError

__all__ = ["is_installed", "require"]


def require(module: str, *, extra: str, purpose: str | None = None) -> ModuleType:
    """Import ``module``, or raise a :class:`~jogak.errors.MissingDependencyError` naming the extra.

    Parameters
    ----------
    module : str
        Importable module name, e.g. ``"lightgbm"``.
    extra : str
        The jogak extra that installs it, e.g. ``"lightgbm"`` or ``"deep"``.
    purpose : str, optional
        What needs it, for the message (e.g. ``"the 'lightgbm' model family"``).

    Returns
    -------
    types.ModuleType
        The imported module.

    Raises
    ------
    MissingDependencyError
        When the import fails; the message holds the ``pip install`` command.

    Examples
    --------
    >>> require("json", extra="core").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        needed_by = f" by {purpose}" if purpose else ""
        raise MissingDependencyError(
            f"The optional package {module!r} is needed{needed_by} but could not be imported "
            f"({exc}). Hint: install it with: pip install 'jogak[{extra}]'"
        ) from exc


def is_installed(module: str) -> bool:
    """Whether ``module`` can be found, without importing it.

    Examples
    --------
    >>> is_installed("json"), is_installed("surely_not_a_module_name")
    (True, False)
    """
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
