from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.credit import TAIWAN_LAYOUT, CreditLayout, behaviour_features, detect_layout
from jogak.testing._credit import make_credit_frame

_LAYOUT = CreditLayout(limit="limit", status=("s1", "s2", "s3", "s4"), bills=("b1", "b2", "b3"),
                       payments=("p1", "p2", "p3"))


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"limit": [1000.0, 500.0, 0.0], "s1": [2, -1, 0], "s2": [1, 0, -2],
                         "s3": [0, 0, 3], "s4": [-2, 1, 0], "b1": [500.0, 100.0, 10.0],
                         "b2": [400.0, 0.0, 20.0], "b3": [200.0, -50.0, 30.0],
                         "p1": [100.0, 0.0, 5.0], "p2": [50.0, 10.0, 10.0],
                         "p3": [0.0, 0.0, 0.0]})


def test_behaviour_features_match_hand_computation() -> None:
    out = behaviour_features(_frame(), _LAYOUT)
    # utilisation = bill / limit; a limit of 0 gives missing (the Missing bin)
    np.testing.assert_allclose(out["utilization_1"], [0.5, 0.2, np.nan])
    np.testing.assert_allclose(out["utilization_mean"], [(0.5 + 0.4 + 0.2) / 3,
                                                         (0.2 + 0.0 - 0.1) / 3, np.nan])
    np.testing.assert_allclose(out["utilization_change"], [0.3, 0.3, np.nan])
    # payment k pays statement k+1; nothing owed -> missing
    np.testing.assert_allclose(out["payment_ratio_1"], [100 / 400, np.nan, 5 / 20])
    np.testing.assert_allclose(out["payment_ratio_mean"], [150 / 600, np.nan, 15 / 50])
    np.testing.assert_array_equal(out["months_late"], [2, 1, 1])
    np.testing.assert_array_equal(out["months_late_recent"], [2, 0, 1])
    np.testing.assert_array_equal(out["max_months_late"], [2, 1, 3])
    assert list(out.columns[:11]) == list(_frame().columns)  # originals kept, in order


def test_extended_behaviour_features_match_hand_computation() -> None:
    out = behaviour_features(_frame(), _LAYOUT)
    np.testing.assert_array_equal(out["months_since_late"], [0, 3, 2])
    np.testing.assert_array_equal(out["months_late_total"], [3, 1, 3])
    np.testing.assert_allclose(out["late_trend"], [1.5, -0.5, -1.5])  # recent half - older half
    assert out["status_roll"].tolist() == ["1>2", "0>-1", "-2>0"]
    np.testing.assert_allclose(out["utilization_max"], [0.5, 0.2, np.nan])
    np.testing.assert_allclose(out["headroom_1"], [500, 400, -10])
    np.testing.assert_allclose(out["headroom_mean"], [1000 - 1100 / 3, 500 - 50 / 3, -20])
    np.testing.assert_allclose(out["balance_growth"], [0.1, 0.2, np.nan])
    np.testing.assert_allclose(out["paid_to_limit"], [0.15, 0.02, np.nan])
    np.testing.assert_allclose(out["paid_1_to_limit"], [0.1, 0.0, np.nan])
    # payment k against statement k+1: ratios [.25, .25], [none owed], [.25, 1/3]
    np.testing.assert_allclose(out["payment_ratio_min"], [0.25, np.nan, 0.25])
    np.testing.assert_allclose(out["shortfall_1"], [300, 0, 15])
    np.testing.assert_allclose(out["shortfall_total"], [450, 0, 35])
    np.testing.assert_array_equal(out["months_balance_up"], [2, 2, 0])
    np.testing.assert_allclose(out["paid_1_to_bill_1"], [0.2, 0.0, 0.5])
    # purchases = statement - previous statement + payment between: [200, 250], [100, 60]
    np.testing.assert_allclose(out["spend_1"], [0.2, 0.2, np.nan])
    np.testing.assert_allclose(out["spend_mean"], [0.225, 0.16, np.nan])


def test_underpaid_unpaid_and_status_code_months_are_counted() -> None:
    layout = CreditLayout(status=("s1", "s2", "s3"), bills=("b1", "b2", "b3"),
                          payments=("p1", "p2"), status_codes={"paid_in_full": -1})
    frame = pd.DataFrame({"s1": [-1, 0], "s2": [-1, 2], "s3": [0, -1],
                          "b1": [100.0, 100.0], "b2": [100.0, 100.0], "b3": [50.0, 0.0],
                          "p1": [5.0, 50.0], "p2": [0.0, 0.0]})
    out = behaviour_features(frame, layout)
    np.testing.assert_array_equal(out["months_paid_in_full"], [2, 1])
    # row 0: 5 < 10 % of 100 and 0 of 50; row 1: 50 of 100 is fine, nothing was owed after
    np.testing.assert_array_equal(out["months_underpaid"], [2, 0])
    np.testing.assert_array_equal(out["months_unpaid"], [1, 0])


@pytest.mark.parametrize(("level", "present", "absent"), [
    ("none", [], ["utilization_1", "months_since_late"]),
    ("basic", ["utilization_1", "months_late"], ["months_since_late", "spend_1"]),
    ("extended", ["utilization_1", "months_since_late", "spend_1"], []),
], ids=["none", "basic", "extended"])
def test_feature_level_chooses_the_derived_columns(level: str, present: list[str],
                                                   absent: list[str]) -> None:
    out = CreditLayout(**{**_LAYOUT.__dict__, "features": level}).derive(_frame())
    assert set(present) <= set(out.columns)
    assert not set(absent) & set(out.columns)


def test_unknown_feature_level_is_refused() -> None:
    with pytest.raises(ConfigError, match="features must be one of"):
        CreditLayout(features="all")  # type: ignore[arg-type]


def test_all_missing_history_gives_missing_features_without_warnings() -> None:
    frame = _frame().astype("float64")
    frame.loc[0, :] = np.nan
    out = behaviour_features(frame, _LAYOUT)
    assert out.loc[0, ["utilization_mean", "max_months_late", "payment_ratio_1"]].isna().all()


def test_taiwan_layout_is_detected_for_uci_and_kaggle_names() -> None:
    assert detect_layout(make_credit_frame(10, uci_names=True).columns) is TAIWAN_LAYOUT
    assert detect_layout(make_credit_frame(10).columns) is TAIWAN_LAYOUT
    assert detect_layout(["a", "b"]) is None
    renamed = TAIWAN_LAYOUT.rename_columns(make_credit_frame(10, uci_names=True))
    assert {"LIMIT_BAL", "PAY_0", "BILL_AMT6", "PAY_AMT1", "Y"} <= set(renamed.columns)


def test_missing_layout_columns_and_clashes_are_refused() -> None:
    with pytest.raises(SchemaError, match="lacks column"):
        _LAYOUT.derive(_frame().drop(columns=["b2"]))
    with pytest.raises(SchemaError, match="already has a column 'months_late'"):
        behaviour_features(_frame().assign(months_late=1), _LAYOUT)
    with pytest.raises(SchemaError, match="must be numeric"):
        behaviour_features(_frame().assign(b1=["x", "y", "z"]), _LAYOUT)
    with pytest.raises(ConfigError, match="at least 2 bills"):
        CreditLayout(bills=("b1",), payments=("p1",))
