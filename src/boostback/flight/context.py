"""What every post-MECO phase shares: the setup, the recorder, the target and the predictor."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from boostback.dynamics.state import POS, VEL
from boostback.environment.frames import Site, enu_basis
from boostback.flight.dynamics import State
from boostback.flight.predict import EntryBurnSpec, Impact, predict_impact
from boostback.flight.record import FlightRecorder
from boostback.flight.reserve import ReserveModel
from boostback.flight.setup import FlightSetup
from boostback.gnc.faults import FaultState
from boostback.guidance.entry import EntryTarget

__all__ = ["FlightContext", "make_context"]


@dataclass
class FlightContext:
    setup: FlightSetup
    rec: FlightRecorder
    reserve_model: ReserveModel
    entry_nominal: EntryBurnSpec  # entry burn with the planned target speed (for predictions)
    target: Site | None
    target_ecef: np.ndarray | None
    target_basis: np.ndarray | None  # rows: east, north, up at the target (ECEF)
    predictions: int = 0
    faults: FaultState = field(default_factory=FaultState)
    # time.perf_counter() past which the flight raises RunTimeout (None: no wall-clock limit)
    deadline: float | None = None

    def predict(self, x: State, t: float, entry: EntryBurnSpec | None) -> Impact:
        self.predictions += 1
        s = self.setup
        hw = s.booster.recovery
        return predict_impact(
            x,
            t,
            s.descent_body,
            s.world,
            s.ground_alt_m,
            s.dry_mass_kg,
            entry,
            hw.nose_radius_m if hw else 1.0,
        )

    def coast_to(self, x: State, t: float, altitude_m: float) -> Impact:
        """Unpowered flight from ``x`` until it descends through ``altitude_m``."""
        s = self.setup
        self.predictions += 1
        return predict_impact(x, t, s.descent_body, s.world, altitude_m, s.dry_mass_kg)

    def entry_target(self, x: State, t: float) -> tuple[EntryTarget, float] | None:
        """Entry target speed (from the limits) for the descent from ``x``, and the speed at
        which the stage reaches the entry altitude; None if it never gets there."""
        s = self.setup
        hw = s.booster.recovery
        if hw is None:
            return None
        spec = self.entry_nominal
        probe = self.coast_to(x, t, spec.start_altitude_m)
        if not probe.landed:
            return None
        xe, te = probe.state, probe.t_s
        speed = float(np.linalg.norm(xe[VEL]))

        def peaks(v: float) -> tuple[float, float]:
            imp = self.predict(
                xe,
                te,
                replace(spec, start_altitude_m=spec.start_altitude_m + 1.0, target_speed_mps=v),
            )
            return imp.peak_qbar_pa, imp.peak_heat_wpm2

        return s.entry_target(peaks, speed), speed

    def plan_entry(self, x: State, t: float) -> EntryTarget | None:
        """Re-plan the entry burn's target speed from a prediction of the state at its start.

        The boostback and the drone ship's station are then aimed with the entry burn the stage
        will actually fly, not with a typical one.
        """
        found = self.entry_target(x, t)
        if found is None:
            return None
        spec = self.entry_nominal
        self.entry_nominal = replace(spec, target_speed_mps=found[0].speed_mps)
        return found[0]

    def miss_en(self, impact: State) -> np.ndarray:
        """East/north offset of a point from the target (m), in the target's ENU frame."""
        assert self.target_ecef is not None and self.target_basis is not None
        return self.target_basis[:2] @ (np.asarray(impact[POS]) - self.target_ecef)

    def miss_ecef(self, impact: State) -> np.ndarray:
        """Horizontal offset (at the target) of a point from the target, in ECEF axes."""
        assert self.target_basis is not None
        en = self.miss_en(impact)
        return en[0] * self.target_basis[0] + en[1] * self.target_basis[1]


def make_context(
    setup: FlightSetup,
    rec: FlightRecorder,
    reserve_model: ReserveModel,
    entry_nominal: EntryBurnSpec,
    faults: FaultState | None = None,
) -> FlightContext:
    fs = faults if faults is not None else FaultState()
    target = setup.target
    if target is None:
        return FlightContext(setup, rec, reserve_model, entry_nominal, None, None, None, faults=fs)
    return FlightContext(
        setup,
        rec,
        reserve_model,
        entry_nominal,
        target,
        setup.site_ecef(target),
        enu_basis(target.lat_rad, target.lon_rad),
        faults=fs,
    )
