"""Impact-point prediction: propagate the stage to the ground on the rotating Earth.

The predictor flies the rest of the descent without steering: a coast, optionally the entry burn
(retrograde, lit descending through its altitude, cut at its target speed), and the fall through
the atmosphere with drag to the height of the landing site. Steps are long in near-vacuum and
short in the air. It also reports the peak dynamic pressure and heating index on the way down.

The guidance calls it hundreds of times a flight, so ``predict_impact`` runs the whole
prediction as one call of the compiled loop (``flight.kernel_loops.predict``).
"""

from __future__ import annotations

from dataclasses import dataclass

from boostback.dynamics.point_mass import PropulsionParams
from boostback.flight import kernel_loops
from boostback.flight.dynamics import Body, State, World
from boostback.flight.kernel import flight_kernel
from boostback.flight.kernel_loops import SUTTON_GRAVES_K, heat_flux_wpm2

__all__ = [
    "SUTTON_GRAVES_K",
    "EntryBurnSpec",
    "Impact",
    "heat_flux_wpm2",
    "predict_impact",
]


@dataclass(frozen=True)
class EntryBurnSpec:
    prop: PropulsionParams
    start_altitude_m: float
    target_speed_mps: float
    throttle: float = 1.0  # fraction of ``prop``'s full thrust the burn is flown at

    def __post_init__(self) -> None:
        # the compiled predictor reads throttle 0 as "no entry burn"
        if not 0.0 < self.throttle <= 1.0:
            raise ValueError(f"entry-burn throttle must be in (0, 1], got {self.throttle}")


@dataclass(frozen=True)
class Impact:
    t_s: float
    state: State  # at the ground (or where the prediction stopped)
    peak_qbar_pa: float
    peak_heat_wpm2: float
    entry_burn_kg: float
    landed: bool  # reached the ground within the time limit


def predict_impact(
    x: State,
    t: float,
    body: Body,
    world: World,
    ground_alt_m: float,
    dry_mass_kg: float,
    entry: EntryBurnSpec | None = None,
    nose_radius_m: float = 1.0,
    fine_dt_s: float = 0.5,
    max_time_s: float = 1500.0,
) -> Impact:
    """Fly from ``x`` at time ``t`` to the ground; peaks are taken on the unpowered parts."""
    kernel = flight_kernel(body, world)
    burn = None
    if entry is not None:
        burn = (entry.prop, entry.start_altitude_m, entry.target_speed_mps, entry.throttle)
    t1, x1, peak_q, peak_heat, used, landed = kernel_loops.predict(
        kernel, x, t, ground_alt_m, dry_mass_kg, burn, nose_radius_m, fine_dt_s, max_time_s
    )
    return Impact(t1, x1, peak_q, peak_heat, used, landed)  # type: ignore[arg-type]
