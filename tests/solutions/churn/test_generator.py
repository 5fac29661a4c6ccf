"""The KKBOX-schema generator: marginals fitted on the sample, consistent tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from jogak.testing._kkbox import (
    KKBOX_MARGINALS,
    fit_kkbox_marginals,
    make_kkbox,
    write_kkbox_user_logs,
)


def test_marginal_constants_are_the_fit_on_the_sample(data_dir: Path) -> None:
    fitted = fit_kkbox_marginals(data_dir / "kkbox_churn_sample")
    for key, value in KKBOX_MARGINALS.items():
        if isinstance(value, dict) and key != "log1p":
            assert set(fitted[key]) == set(value), key
            for level, share in value.items():
                assert fitted[key][level] == pytest.approx(share, abs=2e-3), (key, level)
        elif key == "log1p":
            for column, stats in value.items():
                assert fitted[key][column] == pytest.approx(stats, abs=2e-3), column
        else:
            assert fitted[key] == pytest.approx(value, abs=0.06), key


def test_generator_is_reproducible_and_schema_like_kkbox(global_random_seed: int) -> None:
    first = make_kkbox(80, seed=global_random_seed)
    again = make_kkbox(80, seed=global_random_seed)
    for name, frame in first.items():
        pd.testing.assert_frame_equal(frame, again[name])
    assert list(first["members"].columns) == ["msno", "city", "bd", "gender", "registered_via",
                                              "registration_init_time"]
    assert list(first["user_logs"].columns) == ["msno", "date", "num_25", "num_50", "num_75",
                                                "num_985", "num_100", "num_unq", "total_secs"]
    tx = first["transactions"]
    assert tx["transaction_date"].between(20150101, 20170331).all()  # long plans start early
    assert (tx["membership_expire_date"] >= tx["transaction_date"]).all()
    assert set(first["train"]["msno"]) == set(first["members"]["msno"])
    assert first["user_logs"]["msno"].isin(first["train"]["msno"]).all()
    assert first["members"]["msno"].str.len().eq(44).all()


def test_engagement_drives_listening_and_churn(global_random_seed: int) -> None:
    data = make_kkbox(600, seed=global_random_seed)
    truth = data["truth"].merge(data["train"], on="msno")
    days = data["user_logs"].groupby("msno").size().rename("days")
    truth = truth.join(days, on="msno").fillna({"days": 0})
    assert np.corrcoef(truth["engagement"], truth["days"])[0, 1] > 0.5
    churners = truth.loc[truth["is_churn"] == 1, "engagement"].mean()
    stayers = truth.loc[truth["is_churn"] == 0, "engagement"].mean()
    assert churners < stayers - 0.3
    assert 0.04 < truth["is_churn"].mean() < 0.25  # the sample's rate is 8.7 %


def test_negative_seconds_are_injected_on_request() -> None:
    logs = make_kkbox(60, seed=1, negative_secs_share=0.05)["user_logs"]
    share = (logs["total_secs"] < 0).mean()
    assert 0.02 < share < 0.09


def test_large_log_writer_streams_chunks(tmp_path: Path) -> None:
    path = write_kkbox_user_logs(tmp_path / "logs.parquet", 25_000, n_users=500, seed=2,
                                 chunk_rows=10_000)
    table = pq.read_table(path)
    assert table.num_rows == 25_000
    assert pq.ParquetFile(path).metadata.num_row_groups == 3
    frame = table.to_pandas()
    assert frame["msno"].nunique() <= 500
    assert frame["date"].between(20170101, 20170331).all()
    assert (frame["num_unq"] >= 1).all()
    assert (frame["total_secs"] > 0).all()
