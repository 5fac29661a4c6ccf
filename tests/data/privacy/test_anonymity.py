"""k-anonymity and l-diversity on a hand table."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from jogak.data.privacy import k_anonymity, l_diversity, suppress_small_classes
from jogak.errors import ConfigError, SchemaError

# classes on (age, region): (30-39, 서울) x4, (30-39, 부산) x2, (40-49, 서울) x3, (40-49, None) x1
HAND = pd.DataFrame({
    "age": ["30-39"] * 6 + ["40-49"] * 4,
    "region": ["서울"] * 4 + ["부산"] * 2 + ["서울"] * 3 + [None],
    "disease": ["flu", "flu", "cold", "asthma", "flu", "flu", "cold", "flu", "cold", "flu"],
})


def test_k_anonymity_on_a_hand_table() -> None:
    report = k_anonymity(HAND, ["age", "region"])
    assert (report.k, report.n_classes, report.n_rows) == (1, 4, 10)
    smallest = report.smallest_classes
    assert smallest["n_rows"].tolist() == [1, 2, 3, 4]
    assert smallest.iloc[0]["age"] == "40-49"
    assert pd.isna(smallest.iloc[0]["region"])
    assert smallest.iloc[1][["age", "region"]].tolist() == ["30-39", "부산"]
    assert report.n_rows_below(3) == 3
    assert k_anonymity(HAND, ["age"]).k == 4


def test_l_diversity_on_a_hand_table() -> None:
    report = l_diversity(HAND, ["age", "region"], "disease")
    # distinct sensitive values per class: 서울/30s {flu, cold, asthma} = 3, 부산/30s {flu} = 1,
    # 서울/40s {cold, flu} = 2, missing/40s {flu} = 1
    assert report.l_distinct == 1
    assert report.k == 1
    assert report.smallest_classes["n_distinct"].tolist() == [1, 1, 2, 3]
    assert report.smallest_classes["n_rows"].tolist()[:2] == [1, 2]  # ties: fewer rows first
    assert report.l_entropy == pytest.approx(1.0)  # a class with one value has entropy 0
    by_age = l_diversity(HAND, ["age"], "disease")
    # 30s: flu 4, cold 1, asthma 1 of 6; 40s: cold 2, flu 2 of 4
    p30 = [4 / 6, 1 / 6, 1 / 6]
    p40 = [2 / 4, 2 / 4]
    entropy = min(-sum(p * math.log(p) for p in p30), -sum(p * math.log(p) for p in p40))
    assert by_age.l_distinct == 2
    assert by_age.l_entropy == pytest.approx(math.exp(entropy))


def test_suppress_small_classes_makes_the_table_k_anonymous() -> None:
    kept = suppress_small_classes(HAND, ["age", "region"], k=3)
    assert len(kept) == 7
    assert k_anonymity(kept, ["age", "region"]).k == 3


def test_anonymity_reports_are_json_ready() -> None:
    data = l_diversity(HAND, ["age", "region"], "disease", n_smallest=2).to_dict()
    assert data["smallest_classes"][0] == {"age": "40-49", "region": None, "n_rows": 1,
                                           "n_distinct": 1, "entropy": 0.0}
    assert len(data["smallest_classes"]) == 2


def test_anonymity_rejects_bad_input() -> None:
    with pytest.raises(SchemaError, match=r"Columns \['sex'\] are not in the table"):
        k_anonymity(HAND, ["age", "sex"])
    with pytest.raises(SchemaError, match="the table is empty"):
        k_anonymity(HAND.iloc[:0], ["age"])
    with pytest.raises(ConfigError, match="at least one quasi-identifier"):
        k_anonymity(HAND, [])
    with pytest.raises(ConfigError, match="cannot also be a quasi-identifier"):
        l_diversity(HAND, ["age", "disease"], "disease")
    with pytest.raises(ConfigError, match="k must be a positive integer"):
        suppress_small_classes(HAND, ["age"], k=0)
