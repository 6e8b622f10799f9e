"""What a campaign says: landing probability with its interval, outcomes, percentiles, the
touchdown dispersion ellipse, and which inputs drive failures."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from boostback.config.vocab import Outcome

PERCENTILES = (5, 50, 95, 99)
METRICS = (
    "touchdown_vertical_speed_mps",
    "touchdown_lateral_speed_mps",
    "miss_distance_m",
    "propellant_left_kg",
)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927)."""
    if n == 0:
        return (0.0, 1.0)
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "completed": self.completed,
            "errors": self.errors,
            "landed": self.landed,
            "landing_probability": self.landing_probability,
            "interval_95": list(self.interval_95),
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
        outcomes=outcomes,
        percentiles=percentiles,
        ellipse=ellipse,
        sensitivity=sensitivity(frame),
        worst=failed[worst_cols].head(10).reset_index(drop=True),
    )
