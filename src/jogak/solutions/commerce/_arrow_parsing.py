"""Reading the common layouts of numbers and time stamps straight from Arrow text, vectorised.

Each reader returns which values it read and their values; values it did not read (another
layout, blanks, faults) are left to :func:`jogak.solutions.commerce._parsing.parse_column`, so
the verdicts are those of the pandas path by construction: a value is only read here when the
pandas path reads it to the same value (or, for numbers, to one that no bound of the standard
can tell apart).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["read_numbers", "read_stamps", "text_bytes"]

# plain decimals: at most 15 bytes, so at most 15 significant digits, which every double keeps
# apart and which pandas' own reader rounds to within one unit in the last place of Arrow's
_PLAIN_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$"
_MAX_NUMBER_BYTES = 15
# years the pandas path reads without leaving nanosecond time stamps
_FIRST_YEAR, _LAST_YEAR = 1678, 2261


def text_bytes(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of a string array and each value's start and end offsets in them."""
    if pa.types.is_large_string(values.type):
        width: type[np.signedinteger] = np.int64
    else:
        width = np.int32
    _, offset_buffer, data_buffer = values.buffers()[:3]
    offsets = np.frombuffer(offset_buffer, dtype=width, count=len(values) + 1,
                            offset=values.offset * np.dtype(width).itemsize).astype(np.int64)
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else \
        np.zeros(0, dtype=np.uint8)
    return data, offsets


def read_numbers(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Plain decimal numbers (``-12``, ``3.50``, ``.5``) of a string array, as float64.

    Returns
    -------
    read : ndarray of bool
        True where the value was read.
    numbers : ndarray of float64
        The values (NaN where not read).
    """
    short = pc.less_equal(pc.binary_length(values), _MAX_NUMBER_BYTES)
    plain = pc.and_(short, pc.match_substring_regex(values, _PLAIN_NUMBER))
    read = plain.fill_null(False).to_numpy(zero_copy_only=False)
    if read.all():
        return read, pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
    numbers = np.full(len(values), np.nan)
    if read.any():
        where = np.flatnonzero(read)
        numbers[where] = pc.cast(values.take(pa.array(where)), pa.float64()).to_numpy(
            zero_copy_only=False)
    return read, numbers


def read_stamps(values: pa.Array, *, with_time: bool) -> tuple[np.ndarray, np.ndarray]:
    """``YYYY-MM-DD`` (and, ``with_time``, ``YYYY-MM-DD HH:MM:SS`` or with ``T``) values.

    Only real calendar dates and times of day are read (no 30 February, no second 60), in
    the years 1678-2261; everything else is left to the pandas path.

    Returns
    -------
    read : ndarray of bool
        True where the value was read.
    seconds : ndarray of int64
        Seconds since 1970-01-01 00:00:00 (0 where not read).
    """
    data, offsets = text_bytes(values)
    lengths = np.diff(offsets)
    valid = ~values.is_null().to_numpy(zero_copy_only=False)
    read = np.zeros(len(values), dtype=bool)
    seconds = np.zeros(len(values), dtype=np.int64)
    for length in (10, 19) if with_time else (10,):
        rows = np.flatnonzero(valid & (lengths == length))
        if not len(rows):
            continue
        if len(rows) == len(values):  # every value has this width: the bytes are a matrix
            chars = data[offsets[0]:offsets[-1]].reshape(len(rows), length)
        else:
            chars = data[offsets[rows, None] + np.arange(length)]
        ok, day_seconds = _calendar(chars)
        read[rows[ok]] = True
        seconds[rows[ok]] = day_seconds[ok]
    return read, seconds


def _calendar(chars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which rows of fixed-width date (and time) characters are real, and their seconds."""
    digits = chars - np.uint8(ord("0"))  # wraps around: anything but 0-9 is above 9
    with_time = chars.shape[1] == 19
    pairs = ((0, 4), (5, 7), (8, 10)) + (((11, 13), (14, 16), (17, 19)) if with_time else ())
    ok = (chars[:, 4] == ord("-")) & (chars[:, 7] == ord("-"))
    if with_time:
        ok &= ((chars[:, 10] == ord(" ")) | (chars[:, 10] == ord("T"))) & \
            (chars[:, 13] == ord(":")) & (chars[:, 16] == ord(":"))
    fields = []
    for first, last in pairs:
        field = np.zeros(len(chars), dtype=np.int32)
        for place in range(first, last):
            digit = digits[:, place]
            ok &= digit <= 9
            field = field * 10 + digit
        fields.append(field)
    year, month, day = fields[:3]
    ok &= (year >= _FIRST_YEAR) & (year <= _LAST_YEAR) & (month >= 1) & (month <= 12)
    months = np.where(ok, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    first_day = months.astype("datetime64[D]")
    n_days = ((months + 1).astype("datetime64[D]") - first_day).astype(np.int64)
    ok &= (day >= 1) & (day <= n_days)
    seconds = (first_day.astype(np.int64) + day - 1) * 86_400
    if with_time:
        hour, minute, second = fields[3:]
        ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
        seconds += hour * 3_600 + minute * 60 + second
    return ok, seconds
