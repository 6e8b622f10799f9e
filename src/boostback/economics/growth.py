"""The price of learning: reliability growth of landings, fitted to the Falcon 9 history.

Crow-AMSAA (Duane's postulate as a non-homogeneous Poisson process, Crow 1974; IEC 61164): the
cumulative number of failed landings after ``t`` attempts is ``N(t) = lambda t^beta``, so the
chance that attempt ``t`` fails is about the intensity ``rho(t) = lambda beta t^(beta - 1)`` and
its landing reliability ``R(t) = exp(-rho(t))``. Attempts stand in for test time (a discrete
version; docs/economics.md). The maximum-likelihood fit of a history truncated at ``T`` attempts
with failures at attempts ``t_i`` is ``beta = n / sum ln(T / t_i)``, ``lambda = n / T^beta``.

For a new programme the fitted learning shape is kept and a design potential ``p_design`` (a
campaign's measured landing probability: what the design can reach once its teething failures
are gone) caps it: ``R_new(t) = p_design exp(-rho(t))``. Targets above ``p_design`` are never
reached.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from boostback.config.loader import _parse_toml

__all__ = ["GrowthFit", "LandingHistory", "fit_crow_amsaa", "load_history", "project"]


@dataclass(frozen=True)
class LandingHistory:
    """Attempts per year and the attempt number of each failure."""

    name: str
    years: list[int]
    attempts: list[int]
    landed: list[int]
    failure_attempts: list[int]
    failures: list[dict[str, str]]

    @property
    def total_attempts(self) -> int:
        return int(sum(self.attempts))

    def cumulative(self) -> list[dict[str, int]]:
        """Attempts and failures to the end of each year."""
        out, a, f = [], 0, 0
        for year, n, ok in zip(self.years, self.attempts, self.landed, strict=True):
            a, f = a + n, f + (n - ok)
            out.append({"year": year, "attempts": a, "failures": f})
        return out


def _attempt_number(before: int, attempts: int, date: str) -> int:
    """A failure's attempt number: spread through its year by date (day of year)."""
    day = datetime.date.fromisoformat(date)
    start = datetime.date(day.year, 1, 1)
    length = (datetime.date(day.year + 1, 1, 1) - start).days
    frac = ((day - start).days + 1) / length
    return before + min(max(math.ceil(frac * attempts), 1), attempts)


def load_history(name: str = "falcon9_landings") -> LandingHistory:
    """A landing-history file from ``economics/data``."""
    file = f"economics/data/{name}.toml"
    text = resources.files("boostback.economics").joinpath("data", f"{name}.toml").read_text()
    data = _parse_toml(text, file)
    years, attempts, landed, numbers, failures = [], [], [], [], []
    before = 0
    for row in data["years"]:
        years.append(int(row["year"]))
        attempts.append(int(row["attempts"]))
        landed.append(int(row["landed"]))
        if len(row["failures"]) != row["attempts"] - row["landed"]:
            raise ValueError(f"{file}: {row['year']}: failures listed do not match the counts")
        taken: set[int] = set()
        for fail in row["failures"]:
            if "in_year" in fail:
                n = before + int(fail["in_year"])
            else:
                n = _attempt_number(before, row["attempts"], fail["date"])
            while n in taken:  # two failures in one slot: the next attempt
                n += 1
            taken.add(n)
            numbers.append(n)
            failures.append({k: str(v) for k, v in fail.items()})
        before += row["attempts"]
    return LandingHistory(data["name"], years, attempts, landed, numbers, failures)


@dataclass(frozen=True)
class GrowthFit:
    """A Crow-AMSAA fit: ``N(t) = lam t^beta``."""

    lam: float
    beta: float
    attempts: int
    failures: int

    def cumulative_failures(self, t: np.ndarray | float) -> np.ndarray | float:
        return self.lam * np.asarray(t, dtype=float) ** self.beta

    def intensity(self, t: np.ndarray | float) -> np.ndarray | float:
        return self.lam * self.beta * np.asarray(t, dtype=float) ** (self.beta - 1.0)

    def reliability(self, t: np.ndarray | float) -> np.ndarray | float:
        return np.exp(-self.intensity(t))

    def attempts_to(self, target: float, potential: float = 1.0) -> float | None:
        """Attempts until ``potential exp(-rho(t))`` reaches ``target``; ``None``: never."""
        if target >= potential or self.beta >= 1.0:
            return None
        need = math.log(potential / target)
        return (need / (self.lam * self.beta)) ** (1.0 / (self.beta - 1.0))

    def beta_interval(self, confidence: float = 0.90) -> tuple[float, float]:
        """Confidence interval of ``beta``: for a history truncated at ``T``, given ``n``
        failures, ``2 n beta / beta_hat`` is chi-square with ``2 n`` degrees of freedom (Crow
        1974; IEC 61164)."""
        from scipy import stats

        n = self.failures
        lo, hi = stats.chi2.ppf([(1 - confidence) / 2, (1 + confidence) / 2], 2 * n)
        return (float(self.beta * lo / (2 * n)), float(self.beta * hi / (2 * n)))

    def with_beta(self, beta: float) -> GrowthFit:
        """The fit with ``beta`` changed and ``lambda`` refitted so ``N(T)`` stays ``n``."""
        return GrowthFit(self.failures / self.attempts**beta, beta, self.attempts, self.failures)

    def as_dict(self) -> dict[str, Any]:
        return {
            "lambda": self.lam,
            "beta": self.beta,
            "beta_interval_90": list(self.beta_interval()),
            "attempts": self.attempts,
            "failures": self.failures,
            "reliability_now": float(self.reliability(self.attempts)),
        }


def fit_crow_amsaa(failure_attempts: list[int], total_attempts: int) -> GrowthFit:
    """Maximum-likelihood Crow-AMSAA fit, time-truncated at ``total_attempts``.

    Parameters
    ----------
    failure_attempts : list of int
        Attempt number (1-based) of each failure.
    total_attempts : int
        Attempts in the history (``T``).

    Returns
    -------
    GrowthFit
    """
    t = np.asarray(failure_attempts, dtype=float)
    n = len(t)
    if n == 0:
        raise ValueError("no failures: the growth model cannot be fitted")
    beta = n / float(np.sum(np.log(total_attempts / t)))
    lam = n / total_attempts**beta
    return GrowthFit(lam, beta, total_attempts, n)


BETA_GRID = 21  # points of beta's interval the attempts' range is taken over


def project(
    fit: GrowthFit,
    *,
    potential: float,
    targets: tuple[float, ...] = (0.90, 0.99),
    lost_booster_usd: float,
) -> list[dict[str, Any]]:
    """Attempts, expected failed landings and their price until each target reliability.

    Parameters
    ----------
    fit : GrowthFit
        The learning shape (from the Falcon 9 history).
    potential : float
        The design's landing probability once learnt (a campaign's measured probability).
    targets : tuple of float
        Landing reliabilities to reach.
    lost_booster_usd : float
        What one failed landing costs (a booster and the extras).

    Returns
    -------
    list of dict
        Per target: ``attempts`` (None: never), ``failures`` expected by then, ``cost_usd``,
        and ``attempts_90`` (the fewest and most attempts over ``beta``'s 90 % interval: the
        attempts are not monotonic in ``beta`` once ``lambda`` is refitted to the history, so
        the interval is walked, its ends and the fit's own ``beta`` included).
    """
    out: list[dict[str, Any]] = []
    lo, hi = fit.beta_interval()
    betas = sorted({*np.linspace(lo, hi, BETA_GRID).tolist(), fit.beta})
    walk = [fit.with_beta(b) for b in betas]
    for target in targets:
        t = fit.attempts_to(target, potential)
        if t is None:
            out.append(
                {
                    "target": target,
                    "attempts": None,
                    "failures": None,
                    "cost_usd": None,
                    "attempts_90": None,
                }
            )
            continue
        n = max(math.ceil(t), 1)
        k = np.arange(1, n + 1, dtype=float)
        failures = float(np.sum(1.0 - potential * np.exp(-fit.intensity(k))))
        spread = [a for a in (f.attempts_to(target, potential) for f in walk) if a is not None]
        steps = [max(math.ceil(a), 1) for a in spread]
        out.append(
            {
                "target": target,
                "attempts": n,
                "failures": failures,
                "cost_usd": failures * lost_booster_usd,
                "attempts_90": [min(steps), max(steps)] if steps else [],
            }
        )
    return out
