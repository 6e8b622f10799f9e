"""Landing reliability as a distribution, not a point.

From a campaign folder (``boostback mc run --out DIR``) the counts become a Beta posterior
``Beta(landed + 1, failed + 1)`` (uniform prior, Bayes-Laplace); a probability given with an
interval becomes the Beta of that mean whose central interval has the given width; a probability
alone is a point (no uncertainty). Failed landings are split into *damaged* (a hard landing: the
booster is recovered and refurbished at a price) and *lost* (tipped over, crashed, missed the
pad, ran dry, or never finished) from the campaign's outcomes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import optimize, stats

from boostback.config.errors import ConfigError
from boostback.config.vocab import Outcome

__all__ = [
    "DAMAGED_OUTCOMES",
    "LandingBelief",
    "from_campaign",
    "from_counts",
    "from_interval",
    "from_outcomes",
]

DAMAGED_OUTCOMES = frozenset({Outcome.HARD_LANDING})  # recovered, at a price
CONFIDENCE = 0.95


@dataclass(frozen=True)
class LandingBelief:
    """What is known about the landing probability ``p``.

    ``alpha``/``beta`` are the Beta parameters (``math.inf`` for a point at ``point``).
    ``interval`` is the 95 % interval to mark on plots (the campaign's Wilson interval when
    there is a campaign). ``damaged_share`` is the share of failed landings that keep the
    booster (``None``: the cost file's figure).
    """

    alpha: float
    beta: float
    point: float
    interval: tuple[float, float]
    source: str
    landed: int | None = None
    attempts: int | None = None
    damaged_share: float | None = None

    @property
    def mean(self) -> float:
        """The posterior mean of ``p``."""
        if math.isinf(self.alpha):
            return self.point
        return self.alpha / (self.alpha + self.beta)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws of ``p`` (all equal to the point for a point belief)."""
        if math.isinf(self.alpha):
            return np.full(n, self.point)
        return rng.beta(self.alpha, self.beta, size=n)

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "mean": self.mean,
            "alpha": None if math.isinf(self.alpha) else self.alpha,
            "beta": None if math.isinf(self.beta) else self.beta,
            "interval_95": list(self.interval),
            "landed": self.landed,
            "attempts": self.attempts,
            "damaged_share": self.damaged_share,
        }


def from_counts(
    landed: int, attempts: int, *, source: str = "counts", damaged_share: float | None = None
) -> LandingBelief:
    """The Beta posterior of ``landed`` landings in ``attempts`` under a uniform prior.

    Parameters
    ----------
    landed, attempts : int
        Counts (``0 <= landed <= attempts``).
    source : str
        Where the counts come from, for the report.
    damaged_share : float or None
        Share of the failures that kept the booster.

    Returns
    -------
    LandingBelief
    """
    if not 0 <= landed <= attempts:
        raise ConfigError(f"landed {landed} of {attempts} attempts is not a count", key="landing")
    a, b = landed + 1.0, attempts - landed + 1.0
    lo, hi = stats.beta.ppf([(1 - CONFIDENCE) / 2, (1 + CONFIDENCE) / 2], a, b)
    p = landed / attempts if attempts else 0.5
    return LandingBelief(a, b, p, (float(lo), float(hi)), source, landed, attempts, damaged_share)


def from_interval(
    probability: float,
    interval: tuple[float, float] | None = None,
    *,
    source: str = "given",
    damaged_share: float | None = None,
) -> LandingBelief:
    """A Beta of mean ``probability`` whose central 95 % interval is as wide as ``interval``.

    Without an interval (or a zero-width one, or ``probability`` at 0 or 1) the belief is a point.

    Parameters
    ----------
    probability : float
        The landing probability.
    interval : (float, float) or None
        Its 95 % interval.
    source : str
        Where the figure comes from.
    damaged_share : float or None
        Share of the failures that kept the booster.

    Returns
    -------
    LandingBelief
    """
    p = float(probability)
    if interval is None or interval[1] - interval[0] <= 0 or p <= 0.0 or p >= 1.0:
        iv = (p, p) if interval is None else (float(interval[0]), float(interval[1]))
        return LandingBelief(math.inf, math.inf, p, iv, source, damaged_share=damaged_share)
    width = float(interval[1] - interval[0])

    def gap(log_k: float) -> float:
        k = math.exp(log_k)
        lo, hi = stats.beta.ppf([(1 - CONFIDENCE) / 2, (1 + CONFIDENCE) / 2], p * k, (1 - p) * k)
        return float(hi - lo) - width

    lo_k, hi_k = math.log(max(2.0 / min(p, 1 - p), 1e-3)) - 5.0, math.log(1e9)
    if gap(hi_k) > 0:  # narrower than any Beta of this mean can be: a point
        return LandingBelief(math.inf, math.inf, p, interval, source, damaged_share=damaged_share)
    if gap(lo_k) < 0:  # wider than the widest: the most spread Beta with this mean
        k = math.exp(lo_k)
    else:
        k = math.exp(optimize.brentq(gap, lo_k, hi_k, xtol=1e-10))
    iv = (float(interval[0]), float(interval[1]))
    return LandingBelief(p * k, (1 - p) * k, p, iv, source, damaged_share=damaged_share)


def from_outcomes(outcomes: Iterable[str], *, source: str = "outcomes") -> LandingBelief:
    """The landing belief of a list of run outcomes (``Outcome`` values).

    Runs that raised (``error``) are left out, as ``mc summary`` does; hard landings count as
    damaged boosters, the other failures as lost ones. The interval to mark is the Wilson 95 %
    interval of the counts (the one ``mc summary`` prints).

    Parameters
    ----------
    outcomes : iterable of str
        One outcome per run.
    source : str
        Where they come from, for the report.

    Returns
    -------
    LandingBelief
    """
    from boostback.campaign.stats import wilson_interval

    done = [str(o) for o in outcomes if str(o) != Outcome.ERROR]
    landed = sum(o == Outcome.LANDED for o in done)
    failed = len(done) - landed
    damaged = sum(o in DAMAGED_OUTCOMES for o in done)
    share = damaged / failed if failed else None
    belief = from_counts(landed, len(done), source=source, damaged_share=share)
    interval = wilson_interval(landed, len(done))
    return LandingBelief(
        belief.alpha, belief.beta, belief.point, interval, source, landed, len(done), share
    )


def from_campaign(folder: str | Path) -> LandingBelief:
    """The landing belief of a finished (or partly run) campaign folder, read without flying
    (:func:`from_outcomes` of its runs).

    Parameters
    ----------
    folder : str or Path
        A ``boostback mc run --out`` folder.

    Returns
    -------
    LandingBelief
        The Beta posterior, with the campaign's Wilson interval to mark.
    """
    from boostback.campaign.store import load_results

    frame = load_results(folder)
    return from_outcomes(frame["outcome"], source=f"campaign {folder}")
