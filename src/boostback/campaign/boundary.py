"""Failure boundary: the largest fault magnitude at which landings stay likely enough.

Bisection over campaigns: each magnitude is a full campaign with the fault always present at that
magnitude, flown on the same seed (common random numbers, so neighbouring magnitudes see the same
dispersions and the landing rate moves with the fault, not with the draw).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from boostback.campaign.campaign import Progress, run_campaign
from boostback.campaign.spec import CampaignSpec
from boostback.campaign.stats import summarize
from boostback.config.errors import ConfigError
from boostback.gnc.faults import FAULTS


@dataclass(frozen=True)
class BoundaryResult:
    fault: str
    parameter: str
    threshold: float
    boundary: float | None  # largest magnitude that met the threshold (None: not even ``lo``)
    confident: bool  # the Wilson 95 % lower bound at the boundary is above the threshold too
    table: pd.DataFrame  # one row per magnitude flown


def _with_magnitude(spec: CampaignSpec, fault: int, parameter: str, value: float) -> CampaignSpec:
    faults = list(spec.faults)
    params = {**faults[fault].params, parameter: value}
    faults[fault] = faults[fault].model_copy(update={"params": params, "probability": 1.0})
    return spec.model_copy(update={"faults": faults})


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
    if not 0 <= fault < len(spec.faults):
        raise ConfigError(f"no fault number {fault}: the campaign has {len(spec.faults)}")
    kind = spec.faults[fault].kind
    scalars = [p.name for p in FAULTS[kind].params if not p.vector]
    if parameter not in scalars:
        raise ConfigError(f"'{parameter}' is not a scalar parameter of a {kind} fault")
    if not lo < hi:
        raise ConfigError(f"need lo < hi, got {lo:g} and {hi:g}")
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
    return BoundaryResult(kind, parameter, threshold, boundary, confident, table)
