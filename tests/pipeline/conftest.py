"""Fixtures for the pipeline tests: column roles built by hand (inference is tested elsewhere)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd
import pytest

from jogak.data import ColumnInfo, ColumnRole, ColumnRoles

MAKE_FRAME_ROLES = {
    "id": ColumnRole.IDENTIFIER, "num": ColumnRole.NUMERIC, "amount": ColumnRole.NUMERIC,
    "count": ColumnRole.NUMERIC, "flag": ColumnRole.BOOLEAN, "color": ColumnRole.CATEGORICAL_LOW,
    "city": ColumnRole.CATEGORICAL_HIGH, "const": ColumnRole.CONSTANT,
    "joined": ColumnRole.DATETIME, "joined_int": ColumnRole.DATETIME,
    "synopsis": ColumnRole.TEXT, "target": ColumnRole.TARGET,
}


def roles_of(frame: pd.DataFrame, spec: Mapping[str, ColumnRole],
             target: str | None = None) -> ColumnRoles:
    """ColumnRoles for the columns of ``frame`` named in ``spec``, in frame order."""
    info = {
        name: ColumnInfo(name, spec[name], str(frame[name].dtype), int(frame[name].nunique()),
                         float(frame[name].isna().mean()))
        for name in frame.columns if name in spec
    }
    return ColumnRoles(info=info, target=target)


@pytest.fixture
def make_roles() -> Callable[..., ColumnRoles]:
    """``make_roles(frame, spec=MAKE_FRAME_ROLES, target=None)``."""
    def build(frame: pd.DataFrame, spec: Mapping[str, ColumnRole] = MAKE_FRAME_ROLES,
              target: str | None = None) -> ColumnRoles:
        return roles_of(frame, spec, target)
    return build
