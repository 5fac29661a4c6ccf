"""drift_report: the sections, figures and aggregates of the HTML monitoring report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError
from jogak.monitor import detect_drift
from jogak.report._drift import drift_report


def test_drift_report_sections_and_figures(tmp_path: Path, global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    reference = pd.DataFrame({"amount": rng.normal(size=400),
                              "plan": rng.choice(["basic", "pro"], 400)})
    current = reference.assign(amount=reference["amount"] + 2)
    report = drift_report(detect_drift(reference, current), max_histograms=1)
    assert [s.heading for s in report.sections] == ["Summary", "Feature drift",
                                                    "Distributions"]
    assert list(report.figures) == ["drift_psi", "drift_00_amount"]
    bars = report.figures["drift_00_amount"].data
    assert [trace.name for trace in bars] == ["reference", "current"]
    assert sum(bars[0].y) == pytest.approx(1.0)
    path = report.write(tmp_path / "drift.html")
    text = path.read_text(encoding="utf-8")
    assert "feature drift: amount" in text
    assert "Data drift" in text


def test_drift_report_rejects_other_objects() -> None:
    with pytest.raises(ConfigError, match="expects a MonitorReport or DriftReport"):
        drift_report(pd.DataFrame())  # type: ignore[arg-type]
