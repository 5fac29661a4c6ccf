"""detect_drift and reference_profile: test choice, decisions, profiles, Telco with one shift."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from jogak.errors import ConfigError, SchemaError
from jogak.monitor import DriftConfig, detect_drift, reference_profile


def _frames(n_ref: int, n_cur: int, seed: int, shift: float = 0.0) -> tuple[pd.DataFrame, ...]:
    rng = np.random.default_rng(seed)

    def frame(n: int, delta: float) -> pd.DataFrame:
        return pd.DataFrame({
            "amount": rng.normal(100 + delta * 15, 15, n),
            "plan": rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2]),
            "paid": rng.choice(["yes", "no"], n),
            "visits": rng.integers(0, 4, n),  # 4 distinct values: compared as categories
        })

    return frame(n_ref, 0.0), frame(n_cur, shift)


@pytest.mark.parametrize(("n_ref", "tests"), [
    (500, {"amount": "ks", "plan": "chi2", "paid": "z", "visits": "chi2"}),
    (3000, {"amount": "wasserstein", "plan": "jensenshannon", "paid": "jensenshannon",
            "visits": "jensenshannon"}),
], ids=["small_reference", "large_reference"])
def test_test_choice_follows_evidently_defaults(n_ref: int, tests: dict[str, str],
                                                global_random_seed: int) -> None:
    reference, current = _frames(n_ref, 800, global_random_seed)
    report = detect_drift(reference, current)
    assert dict(zip(report.columns["column"], report.columns["test"], strict=True)) == tests
    assert dict(zip(report.columns["column"], report.columns["kind"], strict=True)) == {
        "amount": "numeric", "plan": "categorical", "paid": "categorical",
        "visits": "categorical"}


@pytest.mark.parametrize("n_ref", [500, 3000], ids=["ks", "wasserstein"])
def test_a_shifted_numeric_column_drifts_alone(n_ref: int, global_random_seed: int) -> None:
    reference, current = _frames(n_ref, 800, global_random_seed, shift=1.0)
    report = detect_drift(reference, current)
    assert report.drifted_columns == ["amount"]
    row = report.columns.set_index("column").loc["amount"]
    assert row["psi_level"] == "major"
    assert row["psi"] > 0.25


def test_decision_values_equal_the_statistics(global_random_seed: int) -> None:
    reference, current = _frames(500, 400, global_random_seed, shift=0.2)
    table = detect_drift(reference, current).columns.set_index("column")
    ks = stats.ks_2samp(reference["amount"], current["amount"])
    assert table.loc["amount", "statistic"] == pytest.approx(ks.statistic)
    assert table.loc["amount", "p_value"] == pytest.approx(ks.pvalue)
    assert table.loc["amount", "drifted"] == (ks.pvalue < 0.05)
    ref_counts = reference["plan"].value_counts()
    cur_counts = current["plan"].value_counts().reindex(ref_counts.index)
    chi2 = stats.chi2_contingency(np.vstack([ref_counts, cur_counts]), correction=False)
    assert table.loc["plan", "p_value"] == pytest.approx(chi2.pvalue)
    w = stats.wasserstein_distance(reference["amount"], current["amount"]) / \
        np.std(reference["amount"])
    assert table.loc["amount", "wasserstein_norm"] == pytest.approx(w)


def test_profile_and_frame_give_the_same_small_reference_result(global_random_seed: int) -> None:
    reference, current = _frames(600, 500, global_random_seed, shift=0.3)
    from_frame = detect_drift(reference, current).columns
    from_profile = detect_drift(reference_profile(reference), current).columns
    pd.testing.assert_frame_equal(from_frame, from_profile)


def test_method_override_and_fallback(global_random_seed: int) -> None:
    reference, current = _frames(500, 500, global_random_seed)
    report = detect_drift(reference, current, config=DriftConfig(method="psi"))
    assert set(report.columns["test"]) == {"psi"}
    assert (report.columns["threshold"] == 0.25).all()
    ks_only = detect_drift(reference, current, config=DriftConfig(method="ks"))
    # KS does not fit categories: they fall back to the automatic choice
    assert ks_only.columns.set_index("column")["test"].to_dict() == {
        "amount": "ks", "plan": "chi2", "paid": "z", "visits": "chi2"}


def test_unseen_categories_and_all_missing_columns(global_random_seed: int) -> None:
    reference, current = _frames(500, 300, global_random_seed)
    current = current.assign(plan="enterprise", paid=None)
    table = detect_drift(reference, current).columns.set_index("column")
    assert table.loc["plan", "drifted"]
    assert table.loc["plan", "js_distance"] == pytest.approx(np.sqrt(np.log(2)))
    assert table.loc["paid", "test"] == "missing"
    assert table.loc["paid", "drifted"]
    assert table.loc["paid", "current_missing_share"] == 1.0


def test_summary_and_json(global_random_seed: int) -> None:
    reference, current = _frames(500, 300, global_random_seed, shift=1.0)
    current["plan"] = "pro"
    report = detect_drift(reference, current, config=DriftConfig(drift_share=0.5))
    assert report.summary.drifted_columns == ("amount", "plan")
    assert report.summary.share_drifted == 0.5
    assert report.summary.dataset_drift
    text = json.dumps(report.to_dict(), allow_nan=False)
    assert json.loads(text)["summary"]["n_drifted"] == 2
    assert report.histograms["plan"]["labels"] == ["basic", "plus", "pro"]


def test_reference_profile_is_small_json_and_leaves_out_identifiers(
        global_random_seed: int) -> None:
    reference, _ = _frames(6000, 1, global_random_seed)
    reference["customer"] = [f"c{i}" for i in range(len(reference))]
    profile = reference_profile(reference, sample_size=1000,
                                predictions=np.linspace(0, 1, len(reference)))
    json.dumps(profile, allow_nan=False)
    assert set(profile["columns"]) == {"amount", "plan", "paid", "visits", "__prediction__"}
    amount = profile["columns"]["amount"]
    assert len(amount["sample"]) == 1000
    assert sum(amount["bin_counts"]) == 6000
    assert len(amount["bin_edges"]) == 9
    assert amount["std"] == pytest.approx(np.std(reference["amount"]))
    assert profile["columns"]["visits"]["frequencies"].keys() == {"0", "1", "2", "3"}


def test_reference_profile_caps_categories() -> None:
    frame = pd.DataFrame({"city": ["a"] * 50 + ["b"] * 30 + ["c"] * 15 + ["d"] * 5})
    profile = reference_profile(frame, max_categories=2)["columns"]["city"]
    assert profile["frequencies"] == {"a": 50, "b": 30}
    assert profile["other_count"] == 20
    current = pd.DataFrame({"city": ["c"] * 60 + ["a"] * 40})
    table = detect_drift(reference_profile(frame, max_categories=2), current).columns
    assert table.loc[0, "n_current"] == 100
    assert table.loc[0, "drifted"]


def test_drift_rejects_bad_input(global_random_seed: int) -> None:
    reference, current = _frames(300, 300, global_random_seed)
    with pytest.raises(SchemaError, match=r"lacks the reference columns \['plan'\]"):
        detect_drift(reference, current.drop(columns=["plan"]))
    with pytest.raises(SchemaError, match="has no rows"):
        detect_drift(reference, current.iloc[:0])
    with pytest.raises(SchemaError, match=r"'amount' is numeric in the reference, but 300 of "
                                          "300 current values are not numbers"):
        detect_drift(reference, current.assign(amount="n/a-ish"))
    with pytest.raises(SchemaError, match="profile is malformed"):
        detect_drift({"columns": {}}, current)
    with pytest.raises(SchemaError, match="empty reference"):
        reference_profile(reference.iloc[:0])
    with pytest.raises(ConfigError, match=r"p_value must be a number in \(0, 1\)"):
        DriftConfig(p_value=1.5)
    with pytest.raises(ConfigError, match="method must be one of"):
        DriftConfig(method="kl")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="psi_moderate"):
        DriftConfig(psi_moderate=0.3, psi_major=0.2)


def test_one_row_current_and_huge_values(global_random_seed: int) -> None:
    reference, current = _frames(300, 1, global_random_seed)
    assert detect_drift(reference, current).summary.n_columns == 4
    current = current.assign(amount=1e300)
    row = detect_drift(reference, current).columns.set_index("column").loc["amount"]
    assert row["drifted"]
    assert np.isfinite(row["psi"])


@pytest.mark.parametrize("column", ["tenure", "MonthlyCharges", "TotalCharges", "Contract",
                                    "PaymentMethod", "InternetService"])
def test_telco_with_one_shifted_column_flags_that_column_only(
        telco_split: tuple[pd.DataFrame, pd.DataFrame], column: str) -> None:
    train, current = telco_split
    features = train.drop(columns=["customerID", "Churn"])
    current = current.copy()
    if column == "TotalCharges":
        current[column] = (pd.to_numeric(current[column], errors="coerce") * 1.3).astype(str)
    elif column in ("tenure", "MonthlyCharges"):
        current[column] = current[column] * 1.3
    else:
        top = current[column].value_counts().index[0]
        moved = current.index[current[column] != top][: len(current) // 4]
        current.loc[moved, column] = top
    assert detect_drift(features, current).drifted_columns == [column]
    assert detect_drift(reference_profile(features), current).drifted_columns == [column]


def test_telco_random_split_has_no_drift(telco_split: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, current = telco_split
    report = detect_drift(reference_profile(train.drop(columns=["customerID", "Churn"])),
                          current)
    assert report.drifted_columns == []
    assert report.summary.n_columns == 19
    assert (report.columns["psi_level"] == "none").all()
