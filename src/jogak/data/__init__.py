"""Loading, column roles, profiling and schemas of tabular data."""

from __future__ import annotations

from jogak.data._roles import ColumnInfo, ColumnRole, ColumnRoles, Task

__all__ = ["ColumnInfo", "ColumnRole", "ColumnRoles", "Task"]
