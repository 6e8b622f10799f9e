"""Failure boundary: the largest fault magnitude at which landings stay likely enough.

Bisection over campaigns: each magnitude is a full campaign with the fault always present at that
magnitude, flown on the same seed (common random numbers, so neighbouring magnitudes see the same
dispersions and the landing rate moves with the fault, not with the draw).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from boostback.campaign.campaign import Progress, run_campaign
from boostback.campaign.spec import CampaignSpec, bounds_text
from boostback.campaign.stats import summarize
from boostback.config.errors import ConfigError
from boostback.gnc.faults import FAULTS

# Each bisection step is a whole campaign and halves the interval: 30 narrow it a billion-fold.
MAX_ITERATIONS = 30
BOUNDARY_FILE = "boundary.json"  # what a sweep found, beside its campaigns


@dataclass(frozen=True)
class BoundaryResult:
    fault: str
    parameter: str
    threshold: float
    boundary: float | None  # largest magnitude that met the threshold (None: not even ``lo``)
    confident: bool  # the Wilson 95 % lower bound at the boundary is above the threshold too
    table: pd.DataFrame  # one row per magnitude flown
    # One line when the measured landing probability rises with the fault somewhere, else None.
    not_monotonic: str | None = None


def monotonic_note(table: pd.DataFrame, parameter: str) -> str | None:
    """Say (one line) where the landing probability measured rises with the fault's magnitude.

    Bisection assumes it only falls as the fault grows; where it rises, the boundary found may
    be one of several crossings of the threshold.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per magnitude flown, sorted by ``parameter``, with ``landing_probability``.
    parameter : str
        The column of magnitudes.

    Returns
    -------
    str or None
        The first rise found, or ``None`` when the probability never rises.
    """
    m = table[parameter].to_numpy()
    p = table["landing_probability"].to_numpy()
    for i in range(len(p) - 1):
        if p[i + 1] > p[i]:
            return (
                f"the landing probability is not monotonic in {parameter}: it rises from "
                f"{p[i]:.1%} at {m[i]:.4g} to {p[i + 1]:.1%} at {m[i + 1]:.4g}, so the boundary "
                "may not be the only crossing of the threshold (more --runs per magnitude "
                "narrow the noise)"
            )
    return None


def _with_magnitude(spec: CampaignSpec, fault: int, parameter: str, value: float) -> CampaignSpec:
    faults = list(spec.faults)
    params = {**faults[fault].params, parameter: value}
    faults[fault] = faults[fault].model_copy(update={"params": params, "probability": 1.0})
    return spec.model_copy(update={"faults": faults})


def _check_sweep(
    spec: CampaignSpec, fault: int, parameter: str, lo: float, hi: float, threshold: float
) -> None:
    """The sweep must make sense before any campaign flies: a scalar parameter of a fault of
    the campaign, finite magnitudes inside the parameter's bounds (``gnc.faults.Param``) with
    lo < hi, and a threshold that is a probability."""
    if not 0 <= fault < len(spec.faults):
        raise ConfigError(
            f"no fault number {fault}: the campaign has {len(spec.faults)}", key="--fault"
        )
    kind = spec.faults[fault].kind
    params = {p.name: p for p in FAULTS[kind].params if not p.vector}
    if parameter not in params:
        raise ConfigError(
            f"'{parameter}' is not a scalar parameter of a {kind} fault", key="--param"
        )
    p = params[parameter]
    for key, value in (("--lo", lo), ("--hi", hi), ("--threshold", threshold)):
        if not math.isfinite(value):
            raise ConfigError(f"must be a finite number, got {value}", key=key)
    for key, value in (("--lo", lo), ("--hi", hi)):
        if not p.low <= value <= p.high:
            raise ConfigError(
                f"'{parameter}' of a {kind} fault must lie in {bounds_text(p)}, got {value:g}",
                key=key,
            )
    if not lo < hi:
        raise ConfigError(f"need lo < hi, got --lo {lo:g} and --hi {hi:g}", key="--hi")
    if not 0.0 <= threshold <= 1.0:
        raise ConfigError(
            f"a landing probability must lie in [0, 1], got {threshold:g}", key="--threshold"
        )


def find_boundary(
    spec: CampaignSpec,
    out: str | Path,
    *,
    fault: int,
    parameter: str,
    lo: float,
    hi: float,
    threshold: float = 0.9,
    iterations: int = 4,
    base_dir: Path | None = None,
    runs: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    progress: Callable[[str, Progress], None] | None = None,
) -> BoundaryResult:
    """Bisect ``parameter`` of fault number ``fault`` over [lo, hi] for the largest magnitude
    whose landing probability is at least ``threshold``. Bad arguments (the command line's
    --lo, --hi, --threshold, --iterations) are a ``ConfigError`` keyed by their name, raised
    before anything flies."""
    _check_sweep(spec, fault, parameter, lo, hi, threshold)
    if not 0 <= iterations <= MAX_ITERATIONS:
        raise ConfigError(
            f"must lie in [0, {MAX_ITERATIONS}], got {iterations}", key="--iterations"
        )
    kind = spec.faults[fault].kind
    out = Path(out)
    rows: dict[float, dict] = {}

    def evaluate(m: float) -> bool:
        if m not in rows:
            label = f"{parameter}={m:.6g}"
            cb = (lambda p: progress(label, p)) if progress else None
            frame = run_campaign(
                _with_magnitude(spec, fault, parameter, m),
                out / label,
                base_dir=base_dir,
                runs=runs,
                workers=workers,
                scheduler=scheduler,
                dask_local=dask_local,
                progress=cb,
            )
            s = summarize(frame)
            rows[m] = {
                parameter: m,
                "runs": s.completed,
                "landed": s.landed,
                "landing_probability": s.landing_probability,
                "lower_95": s.interval_95[0],
                "upper_95": s.interval_95[1],
                "meets_threshold": s.landing_probability >= threshold,
            }
        return bool(rows[m]["meets_threshold"])

    boundary: float | None
    if not evaluate(lo):
        boundary = None
    elif evaluate(hi):
        boundary = hi
    else:
        good, bad = lo, hi
        for _ in range(iterations):
            mid = 0.5 * (good + bad)
            if evaluate(mid):
                good = mid
            else:
                bad = mid
        boundary = good
    table = pd.DataFrame(sorted(rows.values(), key=lambda r: r[parameter]))
    confident = boundary is not None and rows[boundary]["lower_95"] >= threshold
    note = monotonic_note(table, parameter)
    result = BoundaryResult(kind, parameter, threshold, boundary, confident, table, note)
    _write_summary(out, result, fault, lo, hi, iterations, runs)
    return result


def _write_summary(
    out: Path,
    res: BoundaryResult,
    fault: int,
    lo: float,
    hi: float,
    iterations: int,
    runs: int | None,
) -> None:
    """``OUT/boundary.json``: what was swept and what was found, for ``boostback report``."""
    data = {
        "fault": res.fault,
        "fault_index": fault,
        "parameter": res.parameter,
        "lo": lo,
        "hi": hi,
        "threshold": res.threshold,
        "boundary": res.boundary,
        "confident": res.confident,
        "monotonic": res.not_monotonic is None,
        "iterations": iterations,
        "runs": runs,
    }
    path = out / BOUNDARY_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    os.replace(tmp, path)
