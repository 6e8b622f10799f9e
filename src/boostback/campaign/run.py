"""One run of a campaign, and a batch of them: the unit of work sent to an executor.

Everything a worker needs travels in a picklable ``CampaignContext``; a run never raises: an
exception becomes an ``error`` row, so one bad draw cannot stop a campaign.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boostback.campaign.columns import NUMERIC_FIELDS
from boostback.campaign.sampling import Target, draw_run, resolve_targets
from boostback.campaign.scenario_faults import scenario_faults
from boostback.campaign.spec import CampaignSpec, Execution
from boostback.config.errors import ConfigError
from boostback.config.loader import (
    flight_from_dict,
    load_flight,
    load_landing,
    names_flight,
    scenario_from_dict,
    vehicle_from_dict,
)
from boostback.config.vocab import Outcome
from boostback.gnc.faults import FaultState
from boostback.gnc.outcome import NO_TOUCHDOWN_MARGIN, landing_margin
from boostback.mission.landing import fly_landing
from boostback.plant.setup import landing_setup
from boostback.plant.sixdof_setup import sixdof_params

WORKER_KILL_EXIT_CODE = 13


@dataclass(frozen=True)
class CampaignContext:
    spec: CampaignSpec
    scenario: dict[str, Any]
    vehicle: dict[str, Any]
    targets: list[Target]
    kind: str = "landing"  # "landing" (a landing burn) or "flight" (a whole mission)
    base_sha256: str = ""  # digest of the base scenario and vehicle: part of the resume key
    # Runs flown at given points instead of their own draws (rare-event methods choose the
    # points): run index -> the point, read by ``points_draw`` (``campaign.rare_space``).
    points: dict[int, tuple[float, ...]] | None = None
    points_draw: Any = None  # (ctx, point) -> Draw; set together with ``points``


def resolve_scenario(name: str, base_dir: Path | None) -> str:
    """A scenario given relative to the campaign file, or a built-in scenario name."""
    if base_dir is not None and (name.endswith(".toml") or "/" in name):
        candidate = (base_dir / name).resolve()
        if candidate.exists():
            return str(candidate)
    return name


def _at_fidelity(scenario: Any, vehicle: Any, dof: int, kind: str, file: str | None) -> Any:
    """The scenario flown at the campaign's ``dof`` (a landing burn's ``sim.dof``, or a whole
    flight's: its booster a rigid body from separation). A rigid body needs the vehicle's
    ``[booster.rigid_body]``: refused before any run if it has none."""
    if dof == 6:
        try:
            sixdof_params(vehicle)
        except ConfigError as exc:
            raise exc.with_context(file=file) from None
    return scenario.model_copy(update={"sim": scenario.sim.model_copy(update={"dof": dof})})


def _with_guidance(scenario: Any, method: str, kind: str, file: str | None) -> Any:
    """The scenario's landing burn guided by the campaign's ``guidance`` method (SCvx plans a
    rigid body: it needs ``dof = 6``, in the campaign or the scenario)."""
    if method == "scvx" and scenario.sim.dof != 6:
        raise ConfigError("scvx plans a rigid body: add dof = 6", file=file, key="guidance")
    key = "landing" if kind == "flight" else "guidance"  # a flight's landing-burn guidance
    guidance = getattr(scenario, key).model_copy(update={"method": method})
    return scenario.model_copy(update={key: guidance})


def prepare(spec: CampaignSpec, base_dir: Path | None, file: str | None = None) -> CampaignContext:
    """Load the base scenario and vehicle, and check every dispersion path against them."""
    ref = resolve_scenario(spec.scenario, base_dir)
    kind = "flight" if names_flight(ref) else "landing"
    scenario: Any
    scenario, vehicle = load_flight(ref) if kind == "flight" else load_landing(ref)
    if spec.dof is not None:
        scenario = _at_fidelity(scenario, vehicle, spec.dof, kind, file)
    if spec.guidance is not None:
        scenario = _with_guidance(scenario, spec.guidance, kind, file)
    if kind == "flight":  # designed once, on the nominal vehicle and payload, as a mission's
        # trajectory is before launch: every run flies that pitch programme under its dispersions
        from boostback.payload.design import design_ascent

        scenario = design_ascent(scenario, vehicle, file or str(ref))[0]
    scen = scenario.model_dump(mode="python")
    # The vehicle is carried as data, so a dispersed vehicle setting needs no file.
    scen["vehicle"] = vehicle.key
    veh = vehicle.model_dump(mode="python")
    targets = resolve_targets(spec, scen, veh, file)
    # What the files say (settings left at their defaults are left out, so a boostback that
    # adds a setting does not make every earlier campaign folder look like another campaign).
    files = [m.model_dump_json(exclude_defaults=True) for m in (scenario, vehicle)]
    base = hashlib.sha256("\n".join(files).encode()).hexdigest()
    return CampaignContext(spec, scen, veh, targets, kind, base)


def run_one(ctx: CampaignContext, index: int, in_worker: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"run": index}
    try:
        if ctx.points is not None and index in ctx.points:
            d = ctx.points_draw(ctx, ctx.points[index])
        else:
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
        fixed = scenario_faults(scen.pop("faults", []) or []) if ctx.kind != "flight" else ()
        faults = FaultState(fixed + d.faults, d.rng)
        if ctx.kind == "flight":
            scenario_f = flight_from_dict({"vehicle": vehicle.key, **scen})
            row.update(_fly_mission(scenario_f, vehicle, faults, ctx.spec.execution))
        else:
            scenario = scenario_from_dict({"vehicle": vehicle.key, **scen})
            setup = landing_setup(vehicle, scenario)
            result = fly_landing(setup, faults, wall_limit_s=ctx.spec.execution.wall_limit_s)
            summary = result.summary()
            row["outcome"] = result.outcome.value
            for key in NUMERIC_FIELDS:
                row[key] = float(summary[key])
            row["landing_margin"] = landing_margin(
                result.touchdown, setup.stage.limits, scenario.initial.propellant_kg
            )
            end = result.trajectory.r_enu_m[-1]
            row["touchdown_east_m"] = float(end[0])
            row["touchdown_north_m"] = float(end[1])
            _keep_trajectory(row, result.trajectory.columns(), ctx.spec.execution)
        row["error"] = ""
    except Exception as exc:  # recorded, and the campaign goes on
        row["outcome"] = Outcome.ERROR.value
        row["error"] = f"{type(exc).__name__}: {exc}"
    return row


TRAJECTORY_KEY = "_trajectory"  # carried back to the coordinator, stored apart from the row


def _keep_trajectory(row: dict[str, Any], columns: dict[str, Any], ex: Execution) -> None:
    if ex.save_trajectories:
        row[TRAJECTORY_KEY] = {k: v[:: ex.trajectory_every] for k, v in columns.items()}


def _fly_mission(scenario: Any, vehicle: Any, faults: FaultState, ex: Execution) -> dict[str, Any]:
    """One whole flight as a row: its outcome, every numeric summary figure, touchdown point."""
    from boostback.flight.executive import fly_mission

    result = fly_mission(scenario, vehicle, faults=faults, wall_limit_s=ex.wall_limit_s)
    row: dict[str, Any] = {"outcome": Outcome(result.outcome).value}
    for key, value in result.summary().items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            row[key] = float(value)
    landing = result.landing
    if landing is not None:
        td = landing.touchdown
        end = landing.trajectory.r_enu_m[-1]
        row["touchdown_east_m"], row["touchdown_north_m"] = float(end[0]), float(end[1])
        row["propellant_left_kg"] = float(td.propellant_kg) if td else float("nan")
        row["landing_margin"] = _flight_margin(vehicle, landing)
    else:
        row["touchdown_east_m"] = row["touchdown_north_m"] = float("nan")
        # no landing at all: -1 when one was meant (it never got there), NaN when expended
        failed = Outcome(result.outcome) is not Outcome.EXPENDED
        row["landing_margin"] = NO_TOUCHDOWN_MARGIN if failed else float("nan")
    _keep_trajectory(row, result.trajectory.columns(), ex)
    return row


def _flight_margin(vehicle: Any, landing: Any) -> float:
    """A whole flight's landing margin: its landing burn's, with the propellant it began with."""
    mass_kg = landing.trajectory.mass_kg
    propellant0_kg = float(mass_kg[0] - vehicle.booster.dry_mass_kg) if len(mass_kg) else 0.0
    return landing_margin(landing.touchdown, vehicle.booster.limits, propellant0_kg)


def run_batch(ctx: CampaignContext, indices: list[int], in_worker: bool = True) -> list[dict]:
    return [run_one(ctx, i, in_worker) for i in indices]
