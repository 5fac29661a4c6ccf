"""The kkbox preset, KKBOX's churn rule and S3's cleaning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.data.aggregate import FeatureSpec, Population, build_features
from jogak.errors import ConfigError, SchemaError
from jogak.solutions.churn import (
    clean_kkbox_features,
    find_kkbox_tables,
    kkbox_churn_labels,
    kkbox_spec,
    time_split,
)
from jogak.testing._kkbox import make_kkbox


@pytest.fixture(scope="module")
def synthetic() -> dict[str, pd.DataFrame]:
    return make_kkbox(150, seed=3)


def test_preset_on_the_real_sample_gives_one_row_per_user_with_no_log_flag(
        data_dir: Path) -> None:
    folder = data_dir / "kkbox_churn_sample"
    result = build_features(kkbox_spec(folder))
    frame = result.frame
    assert frame is not None
    train = pd.read_csv(folder / "train.csv.gz")
    logs = pd.read_csv(folder / "user_logs.csv.gz")
    assert len(frame) == len(train) == frame["msno"].nunique() == 19419
    assert set(frame["msno"]) == set(train["msno"])
    with_logs = set(logs["msno"]) & set(train["msno"])
    flagged = frame.set_index("msno")["no_log_flag"]
    assert len(with_logs) == 136  # SOURCE.md: 136 train users appear in user_logs
    assert (flagged.loc[sorted(with_logs)] == 0).all()
    assert int(flagged.sum()) == len(train) - 136
    # users without logs have their listening features filled with 0 (S3)
    no_logs = frame[frame["no_log_flag"] == 1]
    assert (no_logs["log_secs_all"] == 0).all()
    assert (no_logs["log_active_days_30d"] == 0).all()
    assert result.cutoff is not None
    assert str(result.cutoff) == "2017-03-31"
    # a user's listening seconds equal the sum of their log rows
    user = sorted(with_logs)[0]
    assert frame.set_index("msno").at[user, "log_secs_all"] == pytest.approx(
        logs.loc[logs["msno"] == user, "total_secs"].sum())


def test_preset_refuses_the_leaky_v1_members_table(synthetic: dict[str, pd.DataFrame]) -> None:
    v1 = synthetic["members"].assign(expiration_date=20170301)
    with pytest.raises(SchemaError, match="v1 members table.*leaks"):
        kkbox_spec({**synthetic, "members": v1})
    with pytest.raises(ConfigError, match="missing"):
        kkbox_spec({"members": synthetic["members"]})


def test_find_tables_in_a_folder(tmp_path: Path, synthetic: dict[str, pd.DataFrame]) -> None:
    synthetic["members"].to_csv(tmp_path / "members_v3.csv", index=False)
    synthetic["transactions"].to_parquet(tmp_path / "transactions.parquet", index=False)
    synthetic["user_logs"].to_csv(tmp_path / "user_logs_v2.csv.gz", index=False)
    found = find_kkbox_tables(tmp_path)
    assert {k: v.name for k, v in found.items()} == {
        "members": "members_v3.csv", "transactions": "transactions.parquet",
        "user_logs": "user_logs_v2.csv.gz"}
    (tmp_path / "transactions.parquet").unlink()
    with pytest.raises(ConfigError, match=r"lacks \['transactions'\]"):
        find_kkbox_tables(tmp_path)
    with pytest.raises(ConfigError, match="does not exist"):
        find_kkbox_tables(tmp_path / "nope")


def test_churn_rule_recovers_the_generated_labels(synthetic: dict[str, pd.DataFrame]) -> None:
    labels, counts = kkbox_churn_labels(synthetic["transactions"], month="2017-02",
                                        data_end="2017-03-31")
    truth = synthetic["train"].merge(synthetic["truth"], on="msno")
    merged = labels.merge(truth, on="msno", suffixes=("", "_true"))
    assert len(merged) == len(truth) == counts["n_users"]
    assert (merged["is_churn"] == merged["is_churn_true"]).all()
    assert (merged["expiry"].dt.strftime("%Y%m%d").astype(int) == merged["expiry_true"]).all()
    assert (merged["cutoff"] == merged["expiry"] - pd.Timedelta(days=1)).all()
    assert counts["n_churn"] == int(truth["is_churn"].sum())
    # without the data end, late-month expiries have no complete window: left out, counted
    _, partial = kkbox_churn_labels(synthetic["transactions"], month="2017-02")
    assert partial["n_users"] + partial["n_undecidable"] == len(truth)


def test_churn_rule_on_hand_made_histories() -> None:
    tx = pd.DataFrame({
        "msno": ["renews", "renews", "late", "late", "gone", "cancel", "cancel", "early",
                 "early"],
        "transaction_date": [20170101, 20170201, 20170101, 20170310, 20170110, 20170105,
                             20170120, 20170101, 20170125],
        "membership_expire_date": [20170201, 20170301, 20170201, 20170410, 20170210, 20170205,
                                   20170205, 20170201, 20170301],
        "is_cancel": [0, 0, 0, 0, 0, 0, 1, 0, 0]})
    labels, counts = kkbox_churn_labels(pd.concat([tx, tx.iloc[[0]]]), month="2017-02",
                                        data_end="2017-03-31")
    got = dict(zip(labels["msno"], labels["is_churn"], strict=True))
    # renews on the expiry day: stays; late renews after 37 days: churn; early renewer's
    # membership never expires in February (it runs to 03-01): not in the cohort
    assert got == {"renews": 0, "late": 1, "gone": 1, "cancel": 1}
    assert counts["n_duplicates"] == 1
    with pytest.raises(ConfigError, match="YYYY-MM"):
        kkbox_churn_labels(tx, month="February")
    with pytest.raises(SchemaError, match="is_cancel"):
        kkbox_churn_labels(tx.drop(columns=["is_cancel"]), month="2017-02")


def test_features_at_each_users_cutoff_ignore_the_renewal(
        synthetic: dict[str, pd.DataFrame]) -> None:
    """Per-user cutoffs (expiry - 1 day): the renewing transaction never enters a feature."""
    labels, _ = kkbox_churn_labels(synthetic["transactions"], month="2017-02",
                                   data_end="2017-03-31")
    preset = kkbox_spec(synthetic, population=False)
    spec = FeatureSpec(key="msno", events=preset.events, entities=preset.entities,
                       ratios=preset.ratios,
                       population=Population(source=labels, key="msno", cutoff="cutoff",
                                             keep=("is_churn", "cohort")))
    frame = build_features(spec).frame
    assert frame is not None
    assert len(frame) == len(labels)
    # the membership still runs on the cutoff day: one day to expiry for everyone
    assert (frame["tx_days_to_expiry_all"] == 1).all()
    # the label is not readable from the transactions before the cutoff
    stay = frame.groupby("is_churn")["tx_count_all"].mean()
    assert abs(stay.loc[0] - stay.loc[1]) < 3


def test_cleaning_follows_s3() -> None:
    frame = pd.DataFrame({"msno": list("abcdef"), "bd": [0, 25, 931, -7, 70, np.nan],
                          "city": ["1", None, "13", "4", "", "5"],
                          "gender": ["male", None, "female", None, None, "male"],
                          "registered_via": ["7", "9", None, "3", "4", "7"],
                          "registration_init_time_days": [10.0, -3.0, 100.0, 5.0, 1.0, 2.0]})
    clean, repairs = clean_kkbox_features(frame)
    assert clean["age_band"].tolist() == ["unknown", "20s", "unknown", "unknown", "70s",
                                          "unknown"]
    assert clean["bd"].isna().tolist() == [True, False, True, True, False, True]
    assert clean["city"].tolist() == ["1", "unknown", "13", "4", "unknown", "5"]
    assert clean["gender"].tolist()[:2] == ["male", "unknown"]
    assert clean["registration_init_time_days"].isna().tolist() == [False, True, False, False,
                                                                    False, False]
    counts = dict(zip(repairs["column"] + ":" + repairs["issue"], repairs["n_rows"],
                      strict=True))
    assert counts == {"bd:age outside 1-100": 3, "city:missing category": 2,
                      "gender:missing category": 3, "registered_via:missing category": 1,
                      "registration_init_time_days:registered after the cutoff": 1}
    with pytest.raises(SchemaError, match="needs the columns"):
        clean_kkbox_features(frame.drop(columns=["gender"]))


def test_time_split_is_never_random() -> None:
    frame = pd.DataFrame({"cohort": ["2017-01", "2017-02", "2017-01", "2017-03"],
                          "x": [1, 2, 3, 4]})
    train, valid = time_split(frame, time_column="cohort", valid_from="2017-02")
    assert train["x"].tolist() == [1, 3]
    assert valid["x"].tolist() == [2, 4]
    with pytest.raises(SchemaError, match="both need rows"):
        time_split(frame, time_column="cohort", valid_from="2018-01")
    with pytest.raises(SchemaError, match="no column"):
        time_split(frame, time_column="month", valid_from="2017-02")
