"""The Arrow readers of numbers and time stamps only read what pandas reads, to the same value,
and the streaming validator that uses them reports exactly what validate_table reports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from jogak.solutions.commerce import StreamValidator, validate_table
from jogak.solutions.commerce._arrow_parsing import read_numbers, read_stamps, text_bytes
from jogak.testing._commerce import make_behaviour_events

_STAMPS = ["2024-02-29 00:00:00", "2023-02-29 00:00:00", "2024-02-30 12:00:00",
           "2024-04-31 00:00:00", "2024-01-01T10:00:00", "2024-01-01", "2024-13-01 00:00:00",
           "2024-00-10 00:00:00", "2024-01-00 00:00:00", "2024-01-01 24:00:00",
           "2024-01-01 23:60:00", "2024-01-01 23:59:60", "1969-12-31 23:59:59",
           "1970-01-01 00:00:00", "2100-12-31 00:00:00", "2100-12-31 00:00:01",
           "1600-01-01 00:00:00", "2300-01-01 00:00:00", " 2024-01-01 00:00:00",
           "2024-1-1 00:00:00", "2024-01-01 00:00:00+09:00", "2024-01-01 00:00:00.5",
           "2024-01-01 10:00", "2024/01/01 00:00:00", "2024-01-01x00:00:00", "NA", "", "abc",
           "２０２４-01-01 00:00:00", "2024-01-01 00:00:0a", "1900-02-29 00:00:00",
           "2000-02-29 23:59:59"]
_NUMBERS = ["1", "1.5", "+1", "-0", ".5", "5.", "1e3", " 7 ", "inf", "-inf", "nan", "1_000",
            "0000000000000012", "123456789012345", "1234567890123456", "9007199254740993",
            "-1", "100000", "100001", "0", "abc", "", "NA", "１", "1,5", "2.0", "2.50",
            "10000000000", "10000000000.5", "-.5", "+", "-", ".", "1.2.3", "0x10", "1e"]


@pytest.mark.parametrize("batch_size", [7, 1000], ids=["batch7", "whole"])
def test_edge_values_get_the_verdicts_of_validate_table(batch_size: int,
                                                        global_random_seed: int) -> None:
    n_rows = len(_STAMPS) + len(_NUMBERS)
    frame = make_behaviour_events(n_rows, seed=global_random_seed, with_emails=False)
    frame = frame.astype(object)
    frame.loc[:len(_STAMPS) - 1, "timestamp"] = _STAMPS
    frame.loc[len(_STAMPS):, "quantity"] = _NUMBERS
    frame.loc[:len(_NUMBERS) - 1, "amount"] = _NUMBERS
    frame.loc[3, "event_id"] = " " * 30  # long padding is blank too
    frame.loc[4, "buyer_id"] = "\t null \t"
    frame = frame.astype(str)  # text, as read from a CSV file
    expected = validate_table(frame, "behaviour")
    validator = StreamValidator("behaviour")
    for start in range(0, n_rows, batch_size):
        validator.update(frame.iloc[start:start + batch_size])
    got = {r.rule.id: r.failed_rows.tolist() for r in validator.report().failures}
    assert got == {r.rule.id: r.failed_rows.tolist() for r in expected.failures}
    assert {"behaviour.timestamp.type", "behaviour.timestamp.range", "behaviour.quantity.type",
            "behaviour.quantity.range", "behaviour.amount.type", "behaviour.amount.range",
            "behaviour.event_id.required", "behaviour.buyer_id.required"} <= set(got)


def test_read_stamps_reads_only_real_times_and_agrees_with_pandas(global_random_seed: int
                                                                  ) -> None:
    rng = np.random.default_rng(global_random_seed)
    n = 20_000
    texts = [f"{y:04d}-{m:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}" for y, m, d, sep, h, mi, s in
             zip(rng.integers(1600, 2300, n), rng.integers(0, 14, n), rng.integers(0, 33, n),
                 rng.choice([" ", "T"], n), rng.integers(0, 25, n), rng.integers(0, 61, n),
                 rng.integers(0, 61, n), strict=True)]
    read, seconds = read_stamps(pa.array(texts), with_time=True)
    pandas = pd.to_datetime(pd.Series(texts).str.replace("T", " "), format="%Y-%m-%d %H:%M:%S",
                            errors="coerce")
    real = pandas.notna().to_numpy() & np.array([t[17:] != "60" for t in texts]) & \
        pandas.dt.year.between(1678, 2261).to_numpy()
    assert 0.2 < read.mean() < 0.8
    np.testing.assert_array_equal(read, real)
    expected = (pandas[read] - pd.Timestamp(0)) // pd.Timedelta(seconds=1)
    np.testing.assert_array_equal(seconds[read], expected.to_numpy())
    dates, day_seconds = read_stamps(pa.array(["2024-03-01", "2024-03-01 00:00:00", None]),
                                     with_time=False)
    assert dates.tolist() == [True, False, False]
    assert day_seconds[0] == (pd.Timestamp("2024-03-01") - pd.Timestamp(0)).total_seconds()


def test_read_numbers_reads_plain_decimals_as_pandas_does() -> None:
    read, numbers = read_numbers(pa.array(_NUMBERS + [None]))
    plain = {"1", "1.5", "+1", "-0", ".5", "5.", "123456789012345", "-1", "100000", "100001",
             "0", "2.0", "2.50", "10000000000", "10000000000.5", "-.5"}
    assert [text for text, ok in zip(_NUMBERS, read, strict=False) if ok] == \
        [text for text in _NUMBERS if text in plain]
    assert not read[-1]
    expected = pd.to_numeric(pd.Series(_NUMBERS + [None])[read], errors="coerce")
    np.testing.assert_array_equal(numbers[read], expected.to_numpy(dtype=float))
    assert np.isnan(numbers[~read]).all()
    all_read, values = read_numbers(pa.array(["1", "2.5"]))
    assert all_read.all()
    assert values.tolist() == [1.0, 2.5]


def test_text_bytes_follow_slices_and_large_strings() -> None:
    array = pa.array(["ab", "", "cde", "한"]).slice(1)
    for values in (array, array.cast(pa.large_string())):
        data, offsets = text_bytes(values)
        assert [bytes(data[a:b]).decode() for a, b in zip(offsets[:-1], offsets[1:],
                                                          strict=True)] == ["", "cde", "한"]
