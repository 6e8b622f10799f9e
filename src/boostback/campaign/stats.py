"""What a campaign says: landing probability with its intervals (Wilson, Clopper-Pearson),
outcomes, percentiles, the touchdown dispersion ellipse, and which inputs drive failures.

``print(summarize(frame))`` shows it as ``boostback mc summary`` does. :func:`summarize_store`
computes the same summary from a results folder without loading its rows: the counts, the
ellipse's moments and the worst runs shard by shard, then each percentile and each input's rank
test one column at a time (8 bytes a run), so a million runs need some tens of MB, not the
gigabytes of a million-row data frame."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
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
    return _ellipse(len(pts), pts.mean(axis=0), np.cov(pts, rowvar=False), confidence)


def _ellipse(n: int, mean: np.ndarray, cov: np.ndarray, confidence: float = 0.95) -> dict:
    vals, vecs = np.linalg.eigh(cov)
    k = float(stats.chi2.ppf(confidence, 2))
    major = int(np.argmax(vals))
    return {
        "n": n,
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
    failed = (runs["outcome"] != Outcome.LANDED).to_numpy()
    found = (_auc(c, _numbers(runs[c]), failed) for c in runs.columns if _is_input(c))
    return _ranked([row for row in found if row is not None])


def _is_input(column: str) -> bool:
    return column.startswith(("input:", "fault"))


def _numbers(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(float, na_value=np.nan)


def _auc(col: str, x: np.ndarray, failed: np.ndarray) -> dict[str, Any] | None:
    """One input's row of :func:`sensitivity` (``x``: its values over the completed runs)."""
    known = ~np.isnan(x)
    a, b = x[failed & known], x[~failed & known]
    if len(a) == 0 or len(b) == 0 or len(np.unique(x[known])) < 2:
        return None
    u = stats.mannwhitneyu(a, b, alternative="two-sided")
    auc = float(u.statistic) / (len(a) * len(b))
    return {
        "input": col,
        "auc": auc,
        "strength": abs(auc - 0.5) * 2.0,
        "direction": "high values fail" if auc > 0.5 else "low values fail",
        "p_value": float(u.pvalue),
    }


def _ranked(rows: list[dict[str, Any]]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["input", "auc", "strength", "direction", "p_value"])
    return out.sort_values("strength", ascending=False, kind="mergesort").reset_index(drop=True)


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


WORST_FIRST = (
    "run",
    "outcome",
    "touchdown_vertical_speed_mps",
    "miss_distance_m",
    "propellant_left_kg",
    "error",
)
WORST_ROWS = 10
SPEED = "touchdown_vertical_speed_mps"


def _worst_columns(columns: list[str]) -> list[str]:
    return [c for c in WORST_FIRST if c in columns] + [c for c in columns if _is_input(c)]


def _worst(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """The failed runs, fastest touchdown first (unknown speeds last), then by run."""
    failed = frame[frame["outcome"] != Outcome.LANDED]
    if SPEED in failed:
        failed = failed.sort_values([SPEED, "run"], ascending=[False, True], na_position="last")
    else:
        failed = failed.sort_values("run", kind="mergesort")
    return failed.reindex(columns=cols).head(WORST_ROWS).reset_index(drop=True)


def _outcomes(counts: dict[str, int]) -> pd.DataFrame:
    """The outcome breakdown, most frequent first (ties by name)."""
    total = sum(counts.values())
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    runs = np.array([n for _, n in items], dtype=np.int64)
    return pd.DataFrame({"outcome": [k for k, _ in items], "runs": runs, "fraction": runs / total})


def _percentiles(pct: dict[str, np.ndarray]) -> pd.DataFrame:
    rows = {
        m: [float(np.percentile(v, q)) if len(v) else math.nan for q in PERCENTILES]
        for m, v in pct.items()
    }
    return pd.DataFrame(rows, index=[f"p{q}" for q in PERCENTILES]).T


def _summary(
    counts: dict[str, int],
    pct: dict[str, np.ndarray],
    ellipse: dict,
    sens: pd.DataFrame,
    worst: pd.DataFrame,
) -> CampaignSummary:
    total = sum(counts.values())
    n = total - counts.get(Outcome.ERROR.value, 0)
    landed = counts.get(Outcome.LANDED.value, 0)
    return CampaignSummary(
        runs=total,
        completed=n,
        errors=total - n,
        landed=landed,
        landing_probability=landed / n if n else math.nan,
        interval_95=wilson_interval(landed, n),
        interval_95_clopper_pearson=clopper_pearson_interval(landed, n),
        outcomes=_outcomes(counts),
        percentiles=_percentiles(pct),
        ellipse=ellipse,
        sensitivity=sens,
        worst=worst,
    )


def summarize(frame: pd.DataFrame) -> CampaignSummary:
    """Landing probability over the runs that completed (errors are counted apart)."""
    completed = frame[frame["outcome"] != Outcome.ERROR]
    counts = {str(k): int(v) for k, v in frame["outcome"].value_counts().items()}
    pct = {}
    for m in METRICS:
        if m in completed:
            vals = _numbers(completed[m])
            pct[m] = vals[~np.isnan(vals)]
    ellipse = (
        dispersion_ellipse(
            completed["touchdown_east_m"].to_numpy(float),
            completed["touchdown_north_m"].to_numpy(float),
        )
        if "touchdown_east_m" in completed
        else {"n": 0}
    )
    worst = _worst(frame, _worst_columns(list(frame.columns)))
    return _summary(counts, pct, ellipse, sensitivity(frame), worst)


# --- the same summary, streamed from a results folder --------------------------------------


class _Moments:
    """Count, mean and co-moment of 2-D points, merged batch by batch (Chan et al. 1979)."""

    def __init__(self) -> None:
        self.n = 0
        self.mean = np.zeros(2)
        self.m2 = np.zeros((2, 2))

    def add(self, pts: np.ndarray) -> None:
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        k = len(pts)
        if not k:
            return
        mean = pts.mean(axis=0)
        dev = pts - mean
        delta = mean - self.mean
        n = self.n + k
        self.m2 = self.m2 + dev.T @ dev + np.outer(delta, delta) * (self.n * k / n)
        self.mean = self.mean + delta * (k / n)
        self.n = n

    def ellipse(self) -> dict:
        return {"n": self.n} if self.n < 3 else _ellipse(self.n, self.mean, self.m2 / (self.n - 1))


def _union_columns(shards: list[tuple[Path, Any]]) -> list[str]:
    """Every column of the shards, in order of first appearance (as ``load_results`` has it)."""
    seen: dict[str, None] = {}
    for path, _ in shards:
        seen.update(dict.fromkeys(pq.read_schema(path).names))
    seen.pop("__index_level_0__", None)
    return list(seen)


def _tables(shards: list[tuple[Path, Any]], columns: list[str]) -> Iterator[pa.Table]:
    """Each shard's table of those ``columns`` it has (a shard of error rows may lack some)."""
    for path, _ in shards:
        source = pq.ParquetFile(path)
        have = set(source.schema_arrow.names)
        yield source.read(columns=[c for c in columns if c in have])


def _column(shards: list[tuple[Path, Any]], name: str) -> np.ndarray:
    """One column over every shard as floats (NaN where a shard lacks it)."""
    parts = []
    for (_, entry), table in zip(shards, _tables(shards, [name]), strict=True):
        if name in table.column_names:
            parts.append(_numbers(table.column(name).to_pandas()))
        else:
            parts.append(np.full(entry.row_count, np.nan))
    return np.concatenate(parts)


def summarize_store(out: str | Path) -> CampaignSummary:
    """:func:`summarize` of a results folder, read shard by shard and column by column.

    The same figures as ``summarize(load_results(out))`` (the ellipse's moments merged batch by
    batch agree to rounding), with memory for one numeric column at a time instead of every
    row. Files the manifest does not vouch for are named and left out, as by ``load_results``.

    Parameters
    ----------
    out : str or Path
        A campaign results folder.

    Returns
    -------
    CampaignSummary
    """
    from boostback.campaign.store import verified_shards

    shards = verified_shards(out)
    columns = _union_columns(shards)
    worst_cols = _worst_columns(columns)
    where = [c for c in ("touchdown_east_m", "touchdown_north_m") if c in columns]
    counts: dict[str, int] = {}
    moments, worst, done_parts, failed_parts = _Moments(), [], [], []
    for table in _tables(shards, list(dict.fromkeys(["run", "outcome", *where, *worst_cols]))):
        frame = table.to_pandas()
        for k, v in frame["outcome"].value_counts().items():
            counts[str(k)] = counts.get(str(k), 0) + int(v)
        done = (frame["outcome"] != Outcome.ERROR).to_numpy()
        done_parts.append(done)
        failed_parts.append((frame["outcome"] != Outcome.LANDED).to_numpy())
        if len(where) == 2:
            pts = frame.reindex(columns=where).to_numpy(float, na_value=np.nan)
            moments.add(pts[done])
        worst.append(_worst(frame, worst_cols))
    done = np.concatenate(done_parts)
    failed = np.concatenate(failed_parts)[done]
    pct = {}
    for m in (m for m in METRICS if m in columns):
        vals = _column(shards, m)[done]
        pct[m] = vals[~np.isnan(vals)]
    found = (_auc(c, _column(shards, c)[done], failed) for c in columns if _is_input(c))
    sens = _ranked([row for row in found if row is not None])
    ellipse = moments.ellipse() if len(where) == 2 else {"n": 0}
    candidates = pd.concat(worst, ignore_index=True)
    return _summary(counts, pct, ellipse, sens, _worst(candidates, worst_cols))
