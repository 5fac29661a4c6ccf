"""A synthetic table of people with every kind of personal data, and a key file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

_WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
_SURNAMES = ["김", "이", "박", "최", "정", "강", "조", "윤"]
_GIVEN = ["민준", "서연", "도윤", "하은", "지호", "수아", "예준", "지민"]
_CITIES = ["서울특별시 강남구", "부산광역시 해운대구", "경기도 성남시", "대전광역시 유성구"]


def rrn_with_checksum(front: str, back6: str) -> str:
    """An RRN ``front-back6c`` whose check digit ``c`` is computed by hand."""
    digits = [int(ch) for ch in front + back6]
    check = (11 - sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11) % 10
    return f"{front}-{back6}{check}"


def luhn_complete(prefix: str) -> str:
    """``prefix`` followed by its Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(prefix)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return prefix + str((10 - total % 10) % 10)


def make_people(n_rows: int, seed: int) -> pd.DataFrame:
    """People with names, RRNs, phones, emails, cards, addresses, ages, and an amount."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, max(2, n_rows // 3), n_rows)
    rows = []
    for i, person in enumerate(ids):
        year = 60 + int(person) % 40
        front = f"{year:02d}{1 + int(person) % 12:02d}{1 + int(person) % 28:02d}"
        rows.append({
            "customer_id": f"C{person:06d}",
            "name": _SURNAMES[person % 8] + _GIVEN[(person // 8) % 8],
            "rrn": rrn_with_checksum(front, f"{1 + person % 2}{person % 100000:05d}"),
            "phone": f"010-{3000 + person % 7000:04d}-{person % 10000:04d}",
            "email": f"member{person}@mail{person % 5}.co.kr",
            "card": luhn_complete(f"4{person:014d}"),
            "address": f"{_CITIES[person % 4]} 테헤란로 {100 + person}",
            "birth_date": f"19{year:02d}-{1 + int(person) % 12:02d}-{1 + int(person) % 28:02d}",
            "age": 2024 - (1900 + year),
            "gender": "F" if person % 2 else "M",
            "amount": round(float(rng.gamma(2.0, 30.0)), 2),
            "event": f"e{i}",
        })
    return pd.DataFrame(rows)


@pytest.fixture
def people(global_random_seed: int) -> pd.DataFrame:
    return make_people(300, global_random_seed)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "pseudonym.key"
    path.parent.mkdir()
    path.write_text("0123456789abcdef" * 4 + "\n")
    return path
