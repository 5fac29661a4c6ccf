"""BG/NBD and Gamma-Gamma: repeat purchases and spend per customer ("buy till you die").

Both are fitted by maximum likelihood on the published likelihoods, with scipy.optimize:

* BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to
  the Pareto/NBD model", Marketing Science 24(2), eq. 6 (likelihood), eq. 10 (conditional
  expectation) and the P(alive) expression of their technical note.
* Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer
  base analysis", Journal of Marketing Research 42(4), and Fader & Hardie (2013), "The
  Gamma-Gamma model of monetary value".
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError, JogakError, SchemaError

__all__ = ["BetaGeoModel", "GammaGammaModel", "ModelFitError"]


class ModelFitError(JogakError, RuntimeError):
    """The likelihood could not be maximised (too few repeat buyers, or degenerate data)."""


def _columns(X: Any, names: tuple[str, ...]) -> np.ndarray:
    if isinstance(X, pd.DataFrame):
        absent = [n for n in names if n not in X.columns]
        if absent:
            raise SchemaError(f"Expected the columns {list(names)}; {absent} missing (got "
                              f"{list(X.columns)[:20]}). Hint: build them with clv_summary().")
        values = X[list(names)].to_numpy(dtype=float, na_value=np.nan)
    else:
        values = np.asarray(X, dtype=float)
        if values.ndim != 2 or values.shape[1] != len(names):
            raise SchemaError(f"Expected an array of shape (n_customers, {len(names)}) with "
                              f"columns {list(names)}, got shape {values.shape}.")
    if len(values) == 0:
        raise SchemaError("Expected at least one customer, got 0 rows.")
    if not np.isfinite(values).all():
        raise SchemaError(f"The columns {list(names)} must be finite numbers; found missing or "
                          "infinite values.")
    return values


def _summary(X: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    values = _columns(X, ("frequency", "recency", "T"))
    x, t_x, T = values.T
    if (x < 0).any() or (x != np.floor(x)).any():
        raise SchemaError("frequency (repeat purchases) must be a whole number >= 0.")
    if (t_x < 0).any() or (t_x > T + 1e-9).any():
        raise SchemaError("recency must be between 0 and T (age of the customer).")
    if ((x == 0) & (t_x != 0)).any():
        raise SchemaError("recency must be 0 for customers without repeat purchases "
                          "(frequency 0).")
    return x, t_x, T


def _check_penalizer(penalizer: float) -> None:
    if isinstance(penalizer, bool) or not isinstance(penalizer, int | float) or penalizer < 0:
        raise ConfigError(f"penalizer must be a number >= 0, got {penalizer!r}.")


def _maximise(negative_ll: Any, n_params: int) -> tuple[np.ndarray, optimize.OptimizeResult]:
    """Minimise over log-parameters with BFGS; if it stops short, restart from Nelder-Mead."""
    best = optimize.minimize(negative_ll, np.zeros(n_params), method="BFGS",
                             options={"gtol": 1e-9, "maxiter": 2000})
    if not best.success or not np.isfinite(best.fun):
        start = best.x if np.all(np.isfinite(best.x)) else np.zeros(n_params)
        simplex = optimize.minimize(negative_ll, start, method="Nelder-Mead",
                                    options={"maxiter": 4000, "xatol": 1e-7, "fatol": 1e-13})
        polished = optimize.minimize(negative_ll, simplex.x, method="BFGS",
                                     options={"gtol": 1e-9, "maxiter": 2000})
        best = min((r for r in (best, simplex, polished) if np.isfinite(r.fun)),
                   key=lambda r: r.fun, default=polished)
    if not np.isfinite(best.fun) or not np.all(np.isfinite(best.x)) or \
            np.abs(best.x).max() > 30:
        raise ModelFitError("The likelihood has no finite maximum on this data (parameters ran "
                            "off to 0 or infinity). Hint: check that enough customers bought "
                            "more than once, or set a small penalizer.")
    return np.exp(best.x), best


class BetaGeoModel(BaseEstimator):
    """BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005).

    While alive, a customer buys at a Poisson rate drawn from Gamma(r, alpha); after each
    purchase they drop out with a probability drawn from Beta(a, b).

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty on the parameters (as in ``lifetimes``), for small or degenerate data.

    Attributes
    ----------
    r_, alpha_, a_, b_ : float
        Fitted parameters; ``alpha_`` is in the time unit of ``recency`` and ``T``.
    log_likelihood_ : float
        Total log-likelihood at the optimum (without the penalty).
    n_customers_ : int
    n_iter_ : int
        Iterations of the final optimiser.

    Examples
    --------
    >>> X = pd.DataFrame({"frequency": [0, 1, 2, 0, 5, 3], "recency": [0, 10, 30, 0, 50, 20],
    ...                   "T": [40, 45, 50, 40, 55, 60]})
    >>> model = BetaGeoModel().fit(X)
    >>> bool(model.expected_purchases(X, t=30).ge(0).all())
    True
    """

    def __init__(self, *, penalizer: float = 0.0) -> None:
        self.penalizer = penalizer

    def fit(self, X: Any, y: None = None) -> BetaGeoModel:
        """Fit by maximum likelihood on ``frequency``, ``recency`` and ``T`` per customer.

        Parameters
        ----------
        X : DataFrame with columns frequency, recency, T, or array of shape (n_customers, 3)
            Repeat purchase periods, time from first to last purchase, and time from first
            purchase to the end of the calibration period (see :func:`clv_summary`).
        y : None
            Ignored.

        Returns
        -------
        self

        Raises
        ------
        SchemaError
            Columns missing or inconsistent (negative, recency beyond T, ...).
        ModelFitError
            No customer bought twice, or the optimiser found no finite maximum.
        """
        _check_penalizer(self.penalizer)
        x, t_x, T = _summary(X)
        if not (x > 0).any():
            raise ModelFitError("BG/NBD needs customers who bought more than once; every "
                                "frequency is 0.")
        # one term per distinct (x, t_x, T): CDNOW's 23,570 customers have ~7,000
        keys, counts = np.unique(np.column_stack([x, t_x, T]), axis=0, return_counts=True)
        ux, ut_x, uT = keys.T
        scale = 10.0 / uT.max()  # keeps alpha near 1 for the optimiser; undone below
        st_x, sT = ut_x * scale, uT * scale
        weights = counts / counts.sum()
        penalizer = float(self.penalizer)

        def negative_ll(log_params: np.ndarray) -> float:
            r, alpha, a, b = np.exp(log_params)
            ll = _bgnbd_ll(r, alpha, a, b, ux, st_x, sT)
            return float(-(weights * ll).sum() + penalizer * np.sum(np.exp(log_params) ** 2))

        with np.errstate(all="ignore"):
            params, result = _maximise(negative_ll, 4)
        self.r_, alpha, self.a_, self.b_ = (float(v) for v in params)
        self.alpha_ = float(alpha / scale)
        self.log_likelihood_ = float((counts * _bgnbd_ll(self.r_, self.alpha_, self.a_, self.b_,
                                                         ux, ut_x, uT)).sum())
        self.n_customers_ = int(counts.sum())
        self.n_iter_ = int(result.nit)
        return self

    @property
    def params_(self) -> dict[str, float]:
        """The fitted parameters by name (``r``, ``alpha``, ``a``, ``b``)."""
        check_is_fitted(self, "r_")
        return {"r": self.r_, "alpha": self.alpha_, "a": self.a_, "b": self.b_}

    def score(self, X: Any, y: None = None) -> float:
        """Mean log-likelihood per customer of ``X`` under the fitted parameters (eq. 6)."""
        check_is_fitted(self, "r_")
        x, t_x, T = _summary(X)
        return float(_bgnbd_ll(self.r_, self.alpha_, self.a_, self.b_, x, t_x, T).mean())

    def expected_purchases(self, X: Any, t: float) -> pd.Series:
        """Expected purchases of each customer in the next ``t`` time units (eq. 10).

        Parameters
        ----------
        X : DataFrame or array
            ``frequency``, ``recency``, ``T`` per customer, in the unit used in ``fit``.
        t : float
            Horizon, >= 0.
        """
        check_is_fitted(self, "r_")
        if not t >= 0:
            raise ConfigError(f"t must be >= 0, got {t!r}.")
        x, t_x, T = _summary(X)
        r, alpha, a, b = self.r_, self.alpha_, self.a_, self.b_
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            z = t / (alpha + T + t)
            head = (a + b + x - 1) / (a - 1)
            log_ratio = (r + x) * np.log((alpha + T) / (alpha + T + t))
            hyper = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
            numerator = head * (1 - np.exp(log_ratio) * hyper)
            expected = numerator * _alive(r, alpha, a, b, x, t_x, T)
        return _series(X, expected, "expected_purchases")

    def probability_alive(self, X: Any) -> pd.Series:
        """Probability that each customer is still active at the end of calibration."""
        check_is_fitted(self, "r_")
        x, t_x, T = _summary(X)
        return _series(X, _alive(self.r_, self.alpha_, self.a_, self.b_, x, t_x, T),
                       "probability_alive")

    def population_purchases(self, t: float) -> float:
        """Expected purchases in ``t`` time units of a customer just acquired (eq. 9)."""
        check_is_fitted(self, "r_")
        r, alpha, a, b = self.r_, self.alpha_, self.a_, self.b_
        hyper = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
        return float((a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyper))


def _bgnbd_ll(r: float, alpha: float, a: float, b: float, x: np.ndarray, t_x: np.ndarray,
              T: np.ndarray) -> np.ndarray:
    """Log-likelihood of each (x, t_x, T) under BG/NBD (eq. 6, in log space)."""
    log_a = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    log_beta = special.betaln(a, b)
    stay = special.betaln(a, b + x) - log_beta - (r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        drop = np.where(x > 0, special.betaln(a + 1, np.maximum(b + x - 1, 1e-300)) - log_beta
                        - (r + x) * np.log(alpha + t_x), -np.inf)
    return log_a + np.logaddexp(stay, drop)


def _alive(r: float, alpha: float, a: float, b: float, x: np.ndarray, t_x: np.ndarray,
           T: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + \
            (r + x) * np.log((alpha + T) / (alpha + t_x))
    return np.where(x > 0, special.expit(-log_odds), 1.0)


def _series(X: Any, values: np.ndarray, name: str) -> pd.Series:
    index = X.index if isinstance(X, pd.DataFrame) else None
    return pd.Series(np.asarray(values, dtype=float), index=index, name=name)


class GammaGammaModel(BaseEstimator):
    """Gamma-Gamma model of the average spend per purchase (Fader, Hardie & Lee 2005).

    A customer's purchase values are Gamma(p, nu) with nu drawn from Gamma(q, v); it assumes
    spend does not depend on purchase frequency (check ``frequency_monetary_corr_``).

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty on the parameters (as in ``lifetimes``).

    Attributes
    ----------
    p_, q_, v_ : float
        Fitted parameters (``v_`` in the currency unit).
    log_likelihood_ : float
    n_customers_ : int
        Customers used: ``frequency > 0`` and ``monetary_value > 0``.
    frequency_monetary_corr_ : float
        Pearson correlation of frequency and mean spend among them (near 0 is the premise).
    """

    def __init__(self, *, penalizer: float = 0.0) -> None:
        self.penalizer = penalizer

    def fit(self, X: Any, y: None = None) -> GammaGammaModel:
        """Fit on ``frequency`` and ``monetary_value`` (mean spend of the repeat purchases).

        Customers with no repeat purchase or a mean spend <= 0 carry no information about
        spend and are left out.

        Raises
        ------
        SchemaError
            Columns missing, negative or not finite.
        ModelFitError
            Fewer than 2 usable customers, or no finite maximum.
        """
        _check_penalizer(self.penalizer)
        values = _columns(X, ("frequency", "monetary_value"))
        x, m = values.T
        if (x < 0).any() or (m < 0).any():
            raise SchemaError("frequency and monetary_value must be >= 0.")
        use = (x > 0) & (m > 0)
        if use.sum() < 2:
            raise ModelFitError(f"Gamma-Gamma needs at least 2 customers with repeat purchases "
                                f"of positive value; found {int(use.sum())}.")
        x, m = x[use], m[use]
        scale = 1.0 / m.mean()  # v scales with the currency unit; undone below
        sm = m * scale
        penalizer = float(self.penalizer)

        def negative_ll(log_params: np.ndarray) -> float:
            p, q, v = np.exp(log_params)
            return float(-_gamma_gamma_ll(p, q, v, x, sm).mean()
                         + penalizer * np.sum(np.exp(log_params) ** 2))

        with np.errstate(all="ignore"):
            params, _ = _maximise(negative_ll, 3)
        self.p_, self.q_ = float(params[0]), float(params[1])
        self.v_ = float(params[2] / scale)
        self.log_likelihood_ = float(_gamma_gamma_ll(self.p_, self.q_, self.v_, x, m).sum())
        self.n_customers_ = int(use.sum())
        self.frequency_monetary_corr_ = float(np.corrcoef(x, m)[0, 1]) if len(x) > 2 and \
            np.std(x) > 0 and np.std(m) > 0 else float("nan")
        return self

    @property
    def params_(self) -> dict[str, float]:
        """The fitted parameters by name (``p``, ``q``, ``v``)."""
        check_is_fitted(self, "p_")
        return {"p": self.p_, "q": self.q_, "v": self.v_}

    def score(self, X: Any, y: None = None) -> float:
        """Mean log-likelihood per usable customer of ``X`` under the fitted parameters."""
        check_is_fitted(self, "p_")
        x, m = _columns(X, ("frequency", "monetary_value")).T
        use = (x > 0) & (m > 0)
        return float(_gamma_gamma_ll(self.p_, self.q_, self.v_, x[use], m[use]).mean())

    def expected_spend(self, X: Any) -> pd.Series:
        """Expected mean spend per purchase of each customer, given their history.

        Customers without repeat purchases get the population mean ``p v / (q - 1)``.
        """
        check_is_fitted(self, "p_")
        x, m = _columns(X, ("frequency", "monetary_value")).T
        p, q, v = self.p_, self.q_, self.v_
        spend = p * (v + x * m) / (p * x + q - 1)
        return _series(X, spend, "expected_spend")


def _gamma_gamma_ll(p: float, q: float, v: float, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    px = p * x
    return (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q)
            + q * np.log(v) + (px - 1) * np.log(m) + px * np.log(x)
            - (px + q) * np.log(v + x * m))
