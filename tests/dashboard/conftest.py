"""A tiny JOGAK_HOME: a Telco model (n_trials=2) registered as ``churn``, with its customers."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

APP_DIR = Path(__file__).resolve().parents[2] / "src" / "jogak" / "dashboard"


@pytest.fixture(scope="session")
def telco_rows(data_dir: Path) -> pd.DataFrame:
    from jogak.data import load

    frame = load(data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz")
    return frame.sample(240, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory, telco_rows: pd.DataFrame) -> Path:
    from jogak.models import AutoMLClassifier
    from jogak.registry import Registry

    root = tmp_path_factory.mktemp("jogak_home")
    X, y = telco_rows.drop(columns=["Churn"]), telco_rows["Churn"]
    # a two-family ensemble (the pages show members and weights); no serving limit, which
    # would keep the forest out
    model = AutoMLClassifier(n_trials=2, include_models=["linear", "random_forest"], cv=3,
                             random_state=0, infer_limit=None, infer_limit_row=None).fit(X, y)
    model.target_name_ = "Churn"
    bundle = model.save(root / "bundle", name="churn")
    with Registry(root) as registry:
        registry.register(bundle, "churn", alias="production")
    (root / "data").mkdir()
    telco_rows.head(60).to_csv(root / "data" / "churn.csv", index=False)
    return root


@pytest.fixture
def page(home: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """``page("why")``: an AppTest of one page file, run on the tiny home."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(sys, "argv", ["app.py", "--home", str(home)])

    def make(stem: str) -> AppTest:
        at = AppTest.from_file(str(APP_DIR / "pages" / f"{stem}.py"), default_timeout=120)
        return at.run()

    return make
