from __future__ import annotations

import re

import pandas as pd
import pytest

from jogak.solutions.credit import CreditConfig, CreditModel, fit_credit_model
from jogak.testing._credit import make_credit_frame

pytest.importorskip("plotly")
pytest.importorskip("lightgbm")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return make_credit_frame(1500, seed=8)


@pytest.fixture(scope="module")
def model(frame: pd.DataFrame) -> CreditModel:
    return fit_credit_model(frame, "default", config=CreditConfig(n_splits=3))


def test_report_has_every_section_and_the_whole_scorecard(model: CreditModel,
                                                          frame: pd.DataFrame) -> None:
    from jogak.report._credit import credit_report

    policy = model.policy(frame, grace_days=30)
    stability = model.stability(frame.iloc[:500])
    report = credit_report(model, policy=policy, stability=stability)
    headings = [section.heading for section in report.sections]
    assert headings == ["Discrimination and calibration", "Grades", "Scorecard",
                        "Grade stability", "Policies"]
    assert set(report.figures) == {"calibration", "bad_rate_by_grade", "information_value"}
    html = report.to_html()
    # every bin of the scorecard is in the table (no truncation)
    for label in model.scorecard.table_["bin"].unique():
        assert label.replace("<", "&lt;").replace(">", "&gt;") in html or label in html
    assert policy.best in html


def test_report_lists_the_identifier_only_as_an_excluded_column(model: CreditModel) -> None:
    from jogak.report._credit import credit_report

    html = credit_report(model).to_html()
    text = re.sub(r"<script.*?</script>", "", html, flags=re.DOTALL)
    assert text.count(">ID<") == 1
    assert "excluded by configuration" in text
