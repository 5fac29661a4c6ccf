"""scan_pii: by name, by content, declared names; no values in its output; no false alarms."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from jogak.data import load
from jogak.data.privacy import Action, PiiClass, PiiKind, kind_from_name, scan_pii
from jogak.errors import ConfigError, SchemaError


def test_scan_finds_every_kind_in_the_people_table(people: pd.DataFrame) -> None:
    scan = scan_pii(people, names=["name"])
    kinds = {f.column: f.kind for f in scan.findings}
    assert kinds == {
        "customer_id": PiiKind.ACCOUNT_ID, "name": PiiKind.PERSON_NAME,
        "rrn": PiiKind.RESIDENT_NUMBER, "phone": PiiKind.PHONE, "email": PiiKind.EMAIL,
        "card": PiiKind.CARD_NUMBER, "address": PiiKind.ADDRESS,
        "birth_date": PiiKind.BIRTH_DATE, "age": PiiKind.AGE, "gender": PiiKind.GENDER,
    }
    assert scan["rrn"].checksum_share == 1.0
    assert scan["card"].detected_by == "content"  # "card" alone is no announcing name
    assert scan["name"].detected_by == "declared"
    assert scan["email"].detected_by == "name and content"
    assert scan["phone"].pii_class is PiiClass.DIRECT_IDENTIFIER
    assert scan["age"].action is Action.GENERALIZE
    assert scan["gender"].action is Action.KEEP
    assert "amount" not in scan
    assert "event" not in scan


def test_scan_finds_content_under_meaningless_names() -> None:
    frame = pd.DataFrame({
        "c1": ["010-1234-5678", "02-123-4567", "+82 10-9876-5432", "031 555 1234"],
        "c2": ["a.b@example.com", "x@y.co.kr", "k_m+1@mail.net", "z@q.io"],
        "c3": ["900101-1234568", "850505-2345674", "9001011234568", "200101-3234561"],
        "c4": ["4111 1111 1111 1111", "5555555555554444", "378282246310005",
               "6011111111111117"],
        "c5": ["서울 강남구 테헤란로 1", "부산광역시 해운대구 우동 2", "경기도 성남시 분당구 3",
               "12 Main St, Springfield"],
        "c6": ["192.168.0.1", "10.0.0.255", "8.8.8.8", "172.16.4.20"],
        "c7": ["apple", "pear", "plum", "fig"],
    })
    scan = scan_pii(frame)
    assert {f.column: f.kind for f in scan.findings} == {
        "c1": PiiKind.PHONE, "c2": PiiKind.EMAIL, "c3": PiiKind.RESIDENT_NUMBER,
        "c4": PiiKind.CARD_NUMBER, "c5": PiiKind.ADDRESS, "c6": PiiKind.IP_ADDRESS}
    assert scan["c3"].checksum_share == 0.75  # the post-2020 number has a random last digit
    assert all(f.detected_by == "content" and f.match_share == 1.0 for f in scan.findings)


def test_scan_needs_min_share_of_matching_values() -> None:
    frame = pd.DataFrame({"note": ["a@b.com", "hello", "world", "again"]})
    assert scan_pii(frame).findings == ()
    assert scan_pii(frame, min_share=0.25)["note"].match_share == 0.25


def test_random_sixteen_digit_ids_are_not_card_numbers(global_random_seed: int) -> None:
    import numpy as np

    rng = np.random.default_rng(global_random_seed)
    ids = [str(v) for v in rng.integers(10**15, 10**16 - 1, 500)]  # ~10 % pass Luhn by chance
    assert scan_pii(pd.DataFrame({"order_ref": ids})).findings == ()


@pytest.mark.parametrize(("name", "kind"), [
    ("customerID", PiiKind.ACCOUNT_ID), ("customer_unique_id", PiiKind.ACCOUNT_ID),
    ("msno", PiiKind.ACCOUNT_ID), ("회원번호", PiiKind.ACCOUNT_ID), ("E-Mail", PiiKind.EMAIL),
    ("휴대폰번호", PiiKind.PHONE), ("mobile_no", PiiKind.PHONE),
    ("주민등록번호", PiiKind.RESIDENT_NUMBER),
    ("card_number", PiiKind.CARD_NUMBER), ("home_address", PiiKind.ADDRESS),
    ("주소", PiiKind.ADDRESS), ("customer_name", PiiKind.PERSON_NAME),
    ("성명", PiiKind.PERSON_NAME),
    ("date_of_birth", PiiKind.BIRTH_DATE), ("생년월일", PiiKind.BIRTH_DATE), ("AGE", PiiKind.AGE),
    ("SEX", PiiKind.GENDER), ("customer_zip_code_prefix", PiiKind.POSTAL_CODE),
    ("ip_address", PiiKind.IP_ADDRESS),
    ("product_name", None), ("usage", None), ("mileage", None), ("page", None),
    ("product_id", None), ("seller_id", None), ("tel_count", None), ("emailed", None),
])
def test_kind_from_name(name: str, kind: PiiKind | None) -> None:
    assert kind_from_name(name) is kind


def test_scan_output_holds_no_values(people: pd.DataFrame) -> None:
    text = json.dumps(scan_pii(people, names=["name"]).to_dict(), ensure_ascii=False)
    for column in ("customer_id", "name", "rrn", "phone", "email", "card", "address"):
        for value in people[column].head(20):
            assert value not in text


def test_scan_of_telco_flags_only_the_customer_id_and_gender(data_dir: Path) -> None:
    frame = load(data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz")
    scan = scan_pii(frame)
    assert {f.column: f.kind for f in scan.findings} == {
        "customerID": PiiKind.ACCOUNT_ID, "gender": PiiKind.GENDER}


def test_scan_of_olist_customers_flags_ids_and_zip(data_dir: Path) -> None:
    folder = data_dir / "olist_ecommerce"
    path = next(p for p in folder.iterdir() if "customers" in p.name)
    scan = scan_pii(load(path))
    assert scan["customer_id"].kind is PiiKind.ACCOUNT_ID
    assert scan["customer_unique_id"].kind is PiiKind.ACCOUNT_ID
    assert scan["customer_zip_code_prefix"].kind is PiiKind.POSTAL_CODE


def test_scan_rejects_bad_input(people: pd.DataFrame) -> None:
    with pytest.raises(SchemaError, match=r"declared as names are not in the table: \['nom'\]"):
        scan_pii(people, names=["nom"])
    with pytest.raises(SchemaError, match="Expected a pandas DataFrame, got list"):
        scan_pii([1, 2])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"min_share must be in \(0, 1\]"):
        scan_pii(people, min_share=0)
    with pytest.raises(ConfigError, match="sample_size must be a positive integer"):
        scan_pii(people, sample_size=0)


def test_scan_of_all_missing_and_one_row_frames() -> None:
    frame = pd.DataFrame({"email": [None, None], "x": [float("nan")] * 2})
    scan = scan_pii(frame)
    assert scan.pii_columns == ["email"]
    assert scan["email"].n_checked == 0
    assert scan["email"].match_share is None
    assert scan_pii(pd.DataFrame({"v": ["010-1111-2222"]}))["v"].kind is PiiKind.PHONE
