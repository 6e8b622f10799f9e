"""Which landing limit each failed run broke, and by how much; touchdown sigma ellipses.

Read from a campaign's runs table (one row per run, :func:`boostback.campaign.store.load_results`)
and the vehicle's landing limits (``booster.limits``: ``max_vertical_speed_mps``,
``max_lateral_speed_mps``, ``max_tilt_deg``, ``max_miss_m``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from boostback.config.vocab import Outcome
from boostback.report.labels import human_value

__all__ = ["LIMIT_CHECKS", "SIGMAS", "breach_summary", "breaches", "sigma_ellipses"]

# runs-table column, the limit key it is held to, label, unit
LIMIT_CHECKS = (
    ("touchdown_vertical_speed_mps", "max_vertical_speed_mps", "touchdown vertical speed", "m/s"),
    ("touchdown_lateral_speed_mps", "max_lateral_speed_mps", "touchdown lateral speed", "m/s"),
    ("touchdown_tilt_deg", "max_tilt_deg", "touchdown tilt", "°"),
    ("miss_distance_m", "max_miss_m", "miss distance", "m"),
)
SIGMAS = (1, 2, 3)
NO_TOUCHDOWN = "no touchdown to hold to a limit"  # ran dry, timed out: no touchdown numbers
NONE_BROKEN = "none of the touchdown limits"  # failed by another test (the outcome says which)


def _num(row: pd.Series, col: str) -> float:
    v = pd.to_numeric(row.get(col), errors="coerce")
    return float(v) if v is not None and np.isfinite(v) else math.nan


def _row_breaches(row: pd.Series, limits: dict[str, float]) -> list[dict[str, Any]]:
    out = []
    for col, key, label, unit in LIMIT_CHECKS:
        value, limit = _num(row, col), limits.get(key)
        if limit is None or not math.isfinite(value) or value <= limit:
            continue
        out.append(
            {
                "run": int(row["run"]) if "run" in row else None,
                "outcome": str(row["outcome"]).replace("_", " "),
                "limit broken": f"{label} ≤ {human_value(float(limit))} {unit}",
                "value": f"{human_value(value, 3)} {unit}",
                "over by": f"{human_value(value - limit, 3)} {unit}",
                "over by (%)": round(100.0 * (value - limit) / limit, 1) if limit else math.nan,
                "_key": key,
                "_excess": value - limit,
            }
        )
    return out


def breaches(frame: pd.DataFrame, limits: dict[str, float]) -> pd.DataFrame:
    """One row per limit each failed run broke: the run, its outcome, the limit, the value and
    the excess (absolute and in % of the limit). A failed run that broke no touchdown limit
    (it ran dry or timed out before touching down) gets one row saying so. Worst first."""
    if "outcome" not in frame:
        return pd.DataFrame()
    failed = frame[~frame["outcome"].isin([Outcome.LANDED, Outcome.ERROR])]
    rows: list[dict[str, Any]] = []
    for _, row in failed.iterrows():
        found = _row_breaches(row, limits)
        if not found:
            touched = math.isfinite(_num(row, LIMIT_CHECKS[0][0]))
            found = [
                {
                    "run": int(row["run"]) if "run" in row else None,
                    "outcome": str(row["outcome"]).replace("_", " "),
                    "limit broken": NONE_BROKEN if touched else NO_TOUCHDOWN,
                    "value": "",
                    "over by": "",
                    "over by (%)": math.nan,
                    "_key": "",
                    "_excess": math.nan,
                }
            ]
        rows += found
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.sort_values("over by (%)", ascending=False, na_position="last").reset_index(
        drop=True
    )


def breach_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per limit: how many failed runs broke it, and the median and largest excess (%)."""
    if table.empty:
        return pd.DataFrame()
    grp = table.groupby("limit broken", sort=False)["over by (%)"]
    out = pd.DataFrame(
        {
            "failed runs": grp.size(),
            "median over (%)": grp.median().round(1),
            "worst over (%)": grp.max().round(1),
        }
    ).reset_index()
    return out.sort_values("failed runs", ascending=False).reset_index(drop=True)


def sigma_ellipses(ellipse: dict[str, Any], k_points: int = 121) -> list[dict[str, Any]]:
    """The 1, 2 and 3σ ellipses of the touchdown points (from the covariance in ``ellipse``,
    :func:`boostback.campaign.stats.dispersion_ellipse`): ``k``, the share of a normal
    scatter inside (39.3, 86.5, 98.9 %), semi-axes (m), orientation and outline points."""
    cov = ellipse.get("cov_m2")
    if cov is None or "mean_east_m" not in ellipse:
        return []
    vals, vecs = np.linalg.eigh(np.asarray(cov, float))
    major = int(np.argmax(vals))
    th = math.atan2(vecs[1, major], vecs[0, major])
    a = np.linspace(0.0, 2 * math.pi, k_points)
    out = []
    for k in SIGMAS:
        s_maj = k * math.sqrt(max(vals[major], 0.0))
        s_min = k * math.sqrt(max(vals[1 - major], 0.0))
        u, v = s_maj * np.cos(a), s_min * np.sin(a)
        out.append(
            {
                "k": k,
                "inside": 1.0 - math.exp(-0.5 * k * k),
                "semi_major_m": s_maj,
                "semi_minor_m": s_min,
                "orientation_deg": math.degrees(th),
                "x": ellipse["mean_east_m"] + u * math.cos(th) - v * math.sin(th),
                "y": ellipse["mean_north_m"] + u * math.sin(th) + v * math.cos(th),
            }
        )
    return out
