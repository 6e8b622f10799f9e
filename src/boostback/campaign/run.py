"""One run of a campaign, and a batch of them: the unit of work sent to an executor.

Everything a worker needs travels in a picklable ``CampaignContext``; a run never raises: an
exception becomes an ``error`` row, so one bad draw cannot stop a campaign.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boostback.campaign.sampling import Target, draw_run, resolve_targets
from boostback.campaign.spec import CampaignSpec
from boostback.config.loader import load_landing, scenario_from_dict, vehicle_from_dict
from boostback.sim.faults import FaultState
from boostback.sim.landing import fly_landing
from boostback.sim.setup import landing_setup

# Summary fields copied into each row (wall-clock timings are left out: rows must be identical
# whichever machine, worker count or backend ran them).
NUMERIC_FIELDS = (
    "ignition_t_s",
    "ignition_altitude_m",
    "burn_time_s",
    "touchdown_t_s",
    "touchdown_vertical_speed_mps",
    "touchdown_lateral_speed_mps",
    "touchdown_tilt_deg",
    "miss_distance_m",
    "propellant_used_kg",
    "propellant_left_kg",
    "replans",
    "guidance_solves",
)
WORKER_KILL_EXIT_CODE = 13


@dataclass(frozen=True)
class CampaignContext:
    spec: CampaignSpec
    scenario: dict[str, Any]
    vehicle: dict[str, Any]
    targets: list[Target]


def resolve_scenario(name: str, base_dir: Path | None) -> str:
    """A scenario given relative to the campaign file, or a built-in scenario name."""
    if base_dir is not None and (name.endswith(".toml") or "/" in name):
        candidate = (base_dir / name).resolve()
        if candidate.exists():
            return str(candidate)
    return name


def prepare(spec: CampaignSpec, base_dir: Path | None, file: str | None = None) -> CampaignContext:
    """Load the base scenario and vehicle, and check every dispersion path against them."""
    scenario, vehicle = load_landing(resolve_scenario(spec.scenario, base_dir))
    scen = scenario.model_dump(mode="python")
    # The vehicle is carried as data, so a dispersed vehicle setting needs no file.
    scen["vehicle"] = vehicle.key
    veh = vehicle.model_dump(mode="python")
    targets = resolve_targets(spec, scen, veh, file)
    return CampaignContext(spec, scen, veh, targets)


def run_one(ctx: CampaignContext, index: int, in_worker: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"run": index}
    try:
        d = draw_run(ctx.spec, ctx.targets, ctx.scenario, ctx.vehicle, index)
        row.update({f"input:{k}": v for k, v in d.inputs.items()})
        row.update(d.fault_columns)
        if index in ctx.spec.debug.raise_runs:
            raise RuntimeError(f"run {index} raised on purpose (debug.raise_runs)")
        if index in ctx.spec.debug.kill_worker_runs and in_worker:
            os._exit(WORKER_KILL_EXIT_CODE)  # simulate a worker process dying mid-run
        vehicle = vehicle_from_dict(d.vehicle)
        scen = dict(d.scenario)
        scen.pop("vehicle")
        scenario = scenario_from_dict({"vehicle": vehicle.key, **scen})
        result = fly_landing(
            landing_setup(vehicle, scenario),
            FaultState(d.faults, d.rng),
            wall_limit_s=ctx.spec.execution.wall_limit_s,
        )
        summary = result.summary()
        row["outcome"] = result.outcome.value
        for key in NUMERIC_FIELDS:
            row[key] = float(summary[key])
        end = result.trajectory.r_enu_m[-1]
        row["touchdown_east_m"] = float(end[0])
        row["touchdown_north_m"] = float(end[1])
        row["error"] = ""
    except Exception as exc:  # recorded, and the campaign goes on
        row["outcome"] = "error"
        row["error"] = f"{type(exc).__name__}: {exc}"
    return row


def run_batch(ctx: CampaignContext, indices: list[int], in_worker: bool = True) -> list[dict]:
    return [run_one(ctx, i, in_worker) for i in indices]
