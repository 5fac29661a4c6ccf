"""build_preprocessor on real tables: IBM Telco churn and Taiwan credit card default."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from jogak.data import ColumnRole
from jogak.pipeline import FeatureStyle, build_preprocessor, source_column_map

R = ColumnRole
STYLES = list(FeatureStyle)

TELCO_ROLES = {
    "customerID": R.IDENTIFIER, "gender": R.BOOLEAN, "SeniorCitizen": R.BOOLEAN,
    "Partner": R.BOOLEAN, "Dependents": R.BOOLEAN, "tenure": R.NUMERIC,
    "PhoneService": R.BOOLEAN, "MultipleLines": R.CATEGORICAL_LOW,
    "InternetService": R.CATEGORICAL_LOW, "OnlineSecurity": R.CATEGORICAL_LOW,
    "OnlineBackup": R.CATEGORICAL_LOW, "DeviceProtection": R.CATEGORICAL_LOW,
    "TechSupport": R.CATEGORICAL_LOW, "StreamingTV": R.CATEGORICAL_LOW,
    "StreamingMovies": R.CATEGORICAL_LOW, "Contract": R.CATEGORICAL_LOW,
    "PaperlessBilling": R.BOOLEAN, "PaymentMethod": R.CATEGORICAL_LOW,
    "MonthlyCharges": R.NUMERIC, "TotalCharges": R.NUMERIC, "Churn": R.TARGET,
}
TAIWAN_ROLES = {"ID": R.IDENTIFIER, "X2": R.BOOLEAN, "X3": R.CATEGORICAL_LOW,
                "X4": R.CATEGORICAL_LOW, "Y": R.TARGET,
                **{f"X{k}": R.NUMERIC for k in [1, *range(5, 24)]}}


@pytest.fixture(scope="module")
def telco(data_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz")
    # SOURCE.md: 11 TotalCharges cells are a single blank (brand-new customers).
    frame["TotalCharges"] = pd.to_numeric(frame["TotalCharges"], errors="coerce")
    return frame


@pytest.fixture(scope="module")
def taiwan(data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(data_dir / "taiwan_credit_default" / "default_of_credit_card_clients.csv.gz")


def _split(frame: pd.DataFrame, target: str) -> tuple[pd.DataFrame, ...]:
    train = frame.sample(frac=0.7, random_state=0)
    test = frame.drop(index=train.index)
    return (train.drop(columns=target), train[target], test.drop(columns=target), test[target])


def _dense(out: object) -> np.ndarray:
    return out.toarray() if sp.issparse(out) else np.asarray(out)


@pytest.mark.parametrize("style", STYLES, ids=[s.value for s in STYLES])
def test_telco_preprocessor_fits_and_transforms(style: FeatureStyle, telco, make_roles) -> None:
    assert telco["TotalCharges"].isna().sum() == 11
    roles = make_roles(telco, TELCO_ROLES, target="Churn")
    X_train, y_train, X_test, _ = _split(telco, "Churn")
    preprocessor = build_preprocessor(roles, style, random_state=0)
    train_out = _dense(preprocessor.fit_transform(X_train, y_train))
    test_out = _dense(preprocessor.transform(X_test))
    names = preprocessor.get_feature_names_out().tolist()
    assert train_out.shape == (len(X_train), len(names))
    assert test_out.shape == (len(X_test), len(names))
    assert "customerID" not in set(source_column_map(preprocessor).values())
    blank = np.concatenate([X_train["TotalCharges"].isna(), X_test["TotalCharges"].isna()])
    both = np.vstack([train_out, test_out])
    if style is FeatureStyle.NATIVE:
        total = both[:, names.index("TotalCharges")]
        np.testing.assert_array_equal(np.isnan(total), blank)
        assert np.isnan(np.delete(both, names.index("TotalCharges"), axis=1)).sum() == 0
    else:
        assert np.isfinite(both).all()
        indicator = both[:, names.index("TotalCharges__missing")]  # standardised in SCALED
        np.testing.assert_array_equal(indicator > indicator.min(), blank)
    if style is FeatureStyle.SCALED:
        assert "Contract__Month-to-month" in names
        assert "PaymentMethod__Electronic check" in names


@pytest.mark.parametrize("style", STYLES, ids=[s.value for s in STYLES])
def test_taiwan_credit_preprocessor_fits_and_transforms(style: FeatureStyle, taiwan,
                                                        make_roles) -> None:
    roles = make_roles(taiwan, TAIWAN_ROLES, target="Y")
    X_train, y_train, X_test, _ = _split(taiwan, "Y")
    preprocessor = build_preprocessor(roles, style, random_state=0)
    train_out = _dense(preprocessor.fit_transform(X_train, y_train))
    test_out = _dense(preprocessor.transform(X_test))
    names = preprocessor.get_feature_names_out().tolist()
    assert train_out.shape == (21000, len(names))
    assert test_out.shape == (9000, len(names))
    assert np.isfinite(train_out).all()
    assert np.isfinite(test_out).all()
    # SEX is coded 1 = male, 2 = female: 2 maps to 1, so the column mean is the share of 2s.
    sex = train_out[:, names.index("X2")]
    if style is FeatureStyle.SCALED:
        sex = sex - sex.min()
    assert sex.mean() == pytest.approx((X_train["X2"] == 2).mean())
    if style is FeatureStyle.NATIVE:
        assert names[:2] == ["X3__code", "X4__code"]
