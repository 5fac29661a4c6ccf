"""Loading, column roles, profiling and schemas of tabular data."""

from __future__ import annotations

from jogak.data._coerce import coerce_frame
from jogak.data._infer import detect_task, infer_roles
from jogak.data._io import LARGE_FILE_BYTES, load
from jogak.data._profile import ColumnProfile, Profile, profile
from jogak.data._roles import ColumnInfo, ColumnRole, ColumnRoles, Task
from jogak.data._stream import iter_batches, scan

__all__ = [
    "LARGE_FILE_BYTES",
    "ColumnInfo",
    "ColumnProfile",
    "ColumnRole",
    "ColumnRoles",
    "Profile",
    "Task",
    "coerce_frame",
    "detect_task",
    "infer_roles",
    "iter_batches",
    "load",
    "profile",
    "scan",
]
