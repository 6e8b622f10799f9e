"""What a campaign says: landing probability with its intervals (Wilson, Clopper-Pearson),
outcomes, percentiles, the touchdown dispersion ellipse, and which inputs drive failures.

``print(summarize(frame))`` shows it as ``boostback mc summary`` does."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from boostback.config.vocab import Outcome
from boostback.mission.tables import campaign_tables, show, to_text

PERCENTILES = (5, 50, 95, 99)
METRICS = (
    "touchdown_vertical_speed_mps",
    "touchdown_lateral_speed_mps",
    "miss_distance_m",
    "propellant_left_kg",
)


def _proportion_ci(successes: int, n: int, confidence: float, method: str) -> tuple[float, float]:
    """``scipy.stats.binomtest(successes, n).proportion_ci`` as a tuple; ``(0, 1)`` with no
    runs (nothing is known)."""
    if n == 0:
        return (0.0, 1.0)
    ci = stats.binomtest(int(successes), int(n)).proportion_ci(
        confidence_level=confidence, method=method
    )
    return (float(ci.low), float(ci.high))


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927).

    Parameters
    ----------
    successes : int
        Runs that landed.
    n : int
        Runs that completed.
    confidence : float
        Confidence level.

    Returns
    -------
    tuple of float
        ``(low, high)``; ``(0, 1)`` when ``n`` is 0.
    """
    return _proportion_ci(successes, n, confidence, "wilson")


def clopper_pearson_interval(
    successes: int, n: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Clopper-Pearson ("exact") interval for a binomial proportion (Clopper & Pearson 1934).

    Its coverage is never below ``confidence``, whatever the true probability (Wilson's dips
    a little below it for some); it is the conservative figure to quote beside Wilson's (0
    failures in 300 runs: at least 98.8 % with 95 % confidence).

    Parameters
    ----------
    successes : int
        Runs that landed.
    n : int
        Runs that completed.
    confidence : float
        Confidence level.

    Returns
    -------
    tuple of float
        ``(low, high)``; ``(0, 1)`` when ``n`` is 0.
    """
    return _proportion_ci(successes, n, confidence, "exact")


def dispersion_ellipse(east: np.ndarray, north: np.ndarray, confidence: float = 0.95) -> dict:
    """Mean, covariance and the ``confidence`` ellipse of 2-D points (chi-square, 2 dof)."""
    pts = np.column_stack([east, north])
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if len(pts) < 3:
        return {"n": len(pts)}
    mean = pts.mean(axis=0)
    cov = np.cov(pts, rowvar=False)
    vals, vecs = np.linalg.eigh(cov)
    k = float(stats.chi2.ppf(confidence, 2))
    major = int(np.argmax(vals))
    return {
        "n": len(pts),
        "confidence": confidence,
        "mean_east_m": float(mean[0]),
        "mean_north_m": float(mean[1]),
        "cov_m2": cov.tolist(),
        "semi_major_m": float(math.sqrt(k * max(vals[major], 0.0))),
        "semi_minor_m": float(math.sqrt(k * max(vals[1 - major], 0.0))),
        "orientation_deg": float(math.degrees(math.atan2(vecs[1, major], vecs[0, major]))),
    }


def sensitivity(frame: pd.DataFrame) -> pd.DataFrame:
    """Rank inputs by how well each alone separates failed from landed runs.

    For each dispersed input and fault column: the area under the ROC curve of that input as a
    predictor of failure (Mann-Whitney U / n1 n2), 0.5 meaning no information. Ranked by
    |AUC - 0.5|; ``direction`` says whether failures come with high or low values.
    """
    runs = frame[frame["outcome"] != Outcome.ERROR]
    failed = runs["outcome"] != Outcome.LANDED
    cols = [c for c in runs.columns if c.startswith(("input:", "fault"))]
    rows = []
    for col in cols:
        x = pd.to_numeric(runs[col], errors="coerce")
        a, b = x[failed].dropna(), x[~failed].dropna()
        if len(a) == 0 or len(b) == 0 or x.nunique() < 2:
            continue
        u = stats.mannwhitneyu(a, b, alternative="two-sided")
        auc = float(u.statistic) / (len(a) * len(b))
        rows.append(
            {
                "input": col,
                "auc": auc,
                "strength": abs(auc - 0.5) * 2.0,
                "direction": "high values fail" if auc > 0.5 else "low values fail",
                "p_value": float(u.pvalue),
            }
        )
    out = pd.DataFrame(rows, columns=["input", "auc", "strength", "direction", "p_value"])
    return out.sort_values("strength", ascending=False).reset_index(drop=True)


@dataclass(frozen=True)
class CampaignSummary:
    runs: int
    completed: int
    errors: int
    landed: int
    landing_probability: float
    interval_95: tuple[float, float]
    outcomes: pd.DataFrame
    percentiles: pd.DataFrame
    ellipse: dict
    sensitivity: pd.DataFrame
    worst: pd.DataFrame
    interval_95_clopper_pearson: tuple[float, float] = (0.0, 1.0)

    def tables(self, where: str = "campaign") -> list:
        """The tables ``boostback mc summary`` prints (rich renderables).

        Parameters
        ----------
        where : str
            What the results are, for the first line (the CLI gives the results folder).

        Returns
        -------
        list of rich renderables
        """
        return campaign_tables(self, where)

    def __str__(self) -> str:
        """The summary as ``boostback mc summary`` prints it, in plain text (no colour)."""
        return to_text(self.tables())

    def info(self, where: str = "campaign") -> None:
        """Print the summary as ``boostback mc summary`` does (in colour on a terminal).

        Parameters
        ----------
        where : str
            What the results are, for the first line.
        """
        show(self.tables(where))

    def as_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "completed": self.completed,
            "errors": self.errors,
            "landed": self.landed,
            "landing_probability": self.landing_probability,
            "interval_95": list(self.interval_95),
            "interval_95_clopper_pearson": list(self.interval_95_clopper_pearson),
            "outcomes": self.outcomes.to_dict(orient="records"),
            "percentiles": self.percentiles.reset_index().to_dict(orient="records"),
            "ellipse": self.ellipse,
            "sensitivity": self.sensitivity.to_dict(orient="records"),
        }


def summarize(frame: pd.DataFrame) -> CampaignSummary:
    """Landing probability over the runs that completed (errors are counted apart)."""
    completed = frame[frame["outcome"] != Outcome.ERROR]
    n = len(completed)
    landed = int((completed["outcome"] == Outcome.LANDED).sum())
    counts = frame["outcome"].value_counts()
    outcomes = pd.DataFrame(
        {"outcome": counts.index, "runs": counts.values, "fraction": counts.values / len(frame)}
    )
    pct = {}
    for m in METRICS:
        if m in completed:
            vals = pd.to_numeric(completed[m], errors="coerce").dropna()
            pct[m] = [float(np.percentile(vals, q)) if len(vals) else math.nan for q in PERCENTILES]
    percentiles = pd.DataFrame(pct, index=[f"p{q}" for q in PERCENTILES]).T
    ellipse = (
        dispersion_ellipse(
            completed["touchdown_east_m"].to_numpy(float),
            completed["touchdown_north_m"].to_numpy(float),
        )
        if "touchdown_east_m" in completed
        else {"n": 0}
    )
    worst_cols = [
        c
        for c in (
            "run",
            "outcome",
            "touchdown_vertical_speed_mps",
            "miss_distance_m",
            "propellant_left_kg",
            "error",
        )
        if c in frame
    ]
    worst_cols += [c for c in frame.columns if c.startswith(("input:", "fault"))]
    failed = frame[frame["outcome"] != Outcome.LANDED].copy()
    if "touchdown_vertical_speed_mps" in failed:
        failed = failed.sort_values("touchdown_vertical_speed_mps", ascending=False)
    return CampaignSummary(
        runs=len(frame),
        completed=n,
        errors=len(frame) - n,
        landed=landed,
        landing_probability=landed / n if n else math.nan,
        interval_95=wilson_interval(landed, n),
        interval_95_clopper_pearson=clopper_pearson_interval(landed, n),
        outcomes=outcomes,
        percentiles=percentiles,
        ellipse=ellipse,
        sensitivity=sensitivity(frame),
        worst=failed[worst_cols].head(10).reset_index(drop=True),
    )
