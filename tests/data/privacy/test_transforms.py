"""Masks, generalisation and suppression, against hand-written expectations."""

from __future__ import annotations

import pandas as pd
import pytest

from jogak.data.privacy import PiiKind, age_band, birth_year, mask, postal_prefix, region, suppress
from jogak.errors import SchemaError


@pytest.mark.parametrize(("kind", "value", "expected"), [
    (PiiKind.PHONE, "010-1234-5678", "010-****-5678"),
    (PiiKind.PHONE, "01012345678", "010****5678"),
    (PiiKind.CARD_NUMBER, "4111 1111 1111 1111", "**** **** **** 1111"),
    (PiiKind.RESIDENT_NUMBER, "900101-1234568", "900101-1******"),
    (PiiKind.EMAIL, "kim.minsu@example.com", "k***@example.com"),
    (PiiKind.PERSON_NAME, "홍길동", "홍*동"),
    (PiiKind.PERSON_NAME, "남궁민수", "남**수"),
    (PiiKind.PERSON_NAME, "김철", "김*"),
    (None, "secret", "s*****"),
], ids=["phone", "phone_compact", "card", "rrn", "email", "name3", "name4", "name2", "generic"])
def test_mask(kind: PiiKind | None, value: str, expected: str) -> None:
    assert mask(pd.Series([value, None]), kind).tolist()[0] == expected
    assert pd.isna(mask(pd.Series([value, None]), kind)[1])


def test_age_band_edges_and_top_code() -> None:
    ages = pd.Series([0, 9, 10, 39, 40, 89, 90, 104, None])
    assert age_band(ages, top=90).tolist()[:8] == ["0-9", "0-9", "10-19", "30-39", "40-49",
                                                  "80-89", "90+", "90+"]
    assert age_band(pd.Series(["34", "35.5"]), width=5).tolist() == ["30-34", "35-39"]
    assert pd.isna(age_band(ages)[8])


def test_age_band_refuses_text_and_negative_ages_without_quoting_them() -> None:
    with pytest.raises(SchemaError, match="2 values are not numbers") as info:
        age_band(pd.Series(["thirty", "forty", "50"], name="age"))
    assert "thirty" not in str(info.value)
    with pytest.raises(SchemaError, match="negative ages"):
        age_band(pd.Series([-1, 20], name="age"))


def test_birth_year_reads_every_common_form() -> None:
    values = pd.Series(["1990-05-17", "19851231", "2001/02/03", None, "1977-01-01T00:00:00"])
    assert birth_year(values).tolist() == [1990, 1985, 2001, pd.NA, 1977]
    assert birth_year(pd.Series([19900517, 20001231])).tolist() == [1990, 2000]
    assert birth_year(pd.Series(pd.to_datetime(["1960-06-06"]))).tolist() == [1960]


def test_birth_year_refuses_unreadable_dates_without_quoting_them() -> None:
    with pytest.raises(SchemaError, match="1 values do not read as dates") as info:
        birth_year(pd.Series(["1990-01-01", "someday"], name="dob"))
    assert "someday" not in str(info.value)


def test_region_keeps_the_province_or_city() -> None:
    addresses = pd.Series(["서울 강남구 테헤란로 123", "서울시 서초구 반포대로 1",
                           "경기도 성남시 분당구 판교로 2", "전라남도 여수시 3",
                           "12 Main St, Springfield, IL", None])
    assert region(addresses).tolist()[:5] == ["서울특별시", "서울특별시", "경기도", "전라남도",
                                              "IL"]
    assert region(addresses, level=2).tolist()[:3] == ["서울특별시 강남구", "서울특별시 서초구",
                                                      "경기도 성남시"]
    assert pd.isna(region(addresses)[5])


def test_postal_prefix_and_suppress() -> None:
    assert postal_prefix(pd.Series(["06236", "01001", None])).tolist()[:2] == ["062", "010"]
    assert postal_prefix(pd.Series([12345]), n_digits=2).tolist() == ["12"]
    out = suppress(pd.Series(["a", "b"], name="x"))
    assert out.isna().all()
    assert out.name == "x"
    assert len(out) == 2
