"""Churn from an event log (CDNOW): the cutoff protocol, labels and features."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.solutions.churn import event_log_churn_table, event_log_labels, prepare_telco

LOG = pd.DataFrame({
    "customer_id": ["00001", "00001", "00002", "00002", "00003", "00004", "00005"],
    "date": ["19970101", "19970320", "19970115", "19970501", "19970210", "19970405",
             "19970601"],
    "number_of_cds": [1, 2, 1, 3, 1, 1, 1],
    "dollar_value": [10.0, 25.0, 12.0, 40.0, 8.0, 15.0, 9.0],
})


def test_labels_follow_the_cutoff_protocol() -> None:
    labels = event_log_labels(LOG, key="customer_id", time="date", cutoff="1997-03-31",
                              horizon_days=60)
    # active by the cutoff: 1, 2, 3; only 2 buys again in (03-31, 05-30]
    assert labels.to_dict(orient="list") == {"customer_id": ["00001", "00002", "00003"],
                                             "is_churn": [1, 0, 1]}
    with pytest.raises(ConfigError, match="after the last event"):
        event_log_labels(LOG, key="customer_id", time="date", cutoff="1997-05-15",
                         horizon_days=60)
    with pytest.raises(ConfigError, match="precedes every event"):
        event_log_labels(LOG, key="customer_id", time="date", cutoff="1996-12-01",
                         horizon_days=30)
    with pytest.raises(SchemaError, match="no column"):
        event_log_labels(LOG, key="cust", time="date", cutoff="1997-03-31", horizon_days=30)
    mixed = LOG.assign(date=LOG["date"].where(LOG.index != 0, "1997-01-01"))
    with pytest.raises(SchemaError, match="mixes date formats: 6 rows as YYYYMMDD"):
        event_log_labels(mixed, key="customer_id", time="date", cutoff="1997-03-31",
                         horizon_days=30)


def test_table_has_point_in_time_features_and_labels() -> None:
    table = event_log_churn_table(LOG, key="customer_id", time="date", amount="dollar_value",
                                  quantity="number_of_cds", cutoff="1997-03-31",
                                  horizon_days=60)
    assert table["customer_id"].tolist() == ["00001", "00002", "00003"]  # zeros kept
    assert table["is_churn"].tolist() == [1, 0, 1]
    first = table.iloc[0]
    assert (first["orders_all"], first["spend_all"], first["recency_days_all"]) == (2, 35, 11)
    assert first["units_all"] == 3
    assert first["age_days_all"] == 89
    assert table.iloc[1]["spend_all"] == 12  # the May purchase is after the cutoff


@pytest.mark.slow
def test_cdnow_cohort_labels(data_dir: Path) -> None:
    log = pd.read_csv(data_dir / "cdnow_purchases" / "cdnow_master.csv.gz",
                      dtype={"customer_id": str, "date": str})
    table = event_log_churn_table(log, key="customer_id", time="date", amount="dollar_value",
                                  quantity="number_of_cds", cutoff="1997-09-30",
                                  horizon_days=180)
    assert len(table) == 23570  # the whole Q1-1997 cohort bought before the cutoff
    assert table["customer_id"].str.len().eq(5).all()
    # most of the cohort never comes back (Fader & Hardie): churn is the majority class
    assert 0.6 < table["is_churn"].mean() < 0.9
    assert (table["orders_all"] >= 1).all()


def test_telco_preparation(data_dir: Path) -> None:
    frame = pd.read_csv(data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz")
    X, y = prepare_telco(frame)
    assert int(y.sum()) == 1869
    assert len(y) == 7043
    assert X["TotalCharges"].dtype.kind == "f"
    assert X["TotalCharges"].notna().all()
    assert (X.loc[X["tenure"] == 0, "TotalCharges"] == 0).all()
    with pytest.raises(TargetError, match="Yes/No"):
        prepare_telco(frame.assign(Churn="maybe"))
    with pytest.raises(SchemaError, match="lacks"):
        prepare_telco(frame.drop(columns=["TotalCharges"]))
