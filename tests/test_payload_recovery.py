"""The ascent design is bounded by the recovery predicted from each trial's MECO (issue #18,
docs/flights.md point 9): SAOCOM 1A's light payload on its one upper-stage burn gains upper-stage
margin all the way to the kick range's lofty end, where the entry burn the descent limits ask for
runs on below the hand-over altitude and the recovery cannot be flown."""

from __future__ import annotations

import math

import pytest

from boostback.config.loader import load_flight
from boostback.flight.setup import flight_setup
from boostback.payload.design import design_ascent, target_orbit
from boostback.payload.recovery import predict_recovery
from boostback.payload.solver import KICK_RANGE_DEG, evaluate, mode_problem, with_payload


@pytest.fixture(scope="module")
def saocom_keyless():
    sc, veh = load_flight("falcon9_saocom1a")
    asc = sc.ascent.model_copy(update={"meco_flight_path_deg": None})
    bb = sc.boostback.model_copy(update={"pitch_min_deg": -25.0, "pitch_max_deg": 25.0})
    return sc.model_copy(update={"ascent": asc, "boostback": bb}), veh


def test_the_lofty_end_of_the_kick_range_is_not_flyable(saocom_keyless) -> None:
    sc, veh = saocom_keyless
    setup = flight_setup(veh, sc)
    p = mode_problem(setup, setup.vehicle, target_orbit(sc))
    payload = sc.mission.payload_mass_kg
    margin, asc, _ins = evaluate(p, payload, math.radians(KICK_RANGE_DEG[0]))
    assert asc is not None and margin > 0.0  # the upper stage alone would take it
    rec = predict_recovery(with_payload(p, payload), p.reserve_model, asc)
    assert not rec.flyable
    assert rec.entry_speed_mps > 1_500.0  # a fast entry from the lofted apogee


def test_the_design_lofts_only_as_far_as_the_recovery_flies(saocom_keyless) -> None:
    sc, veh = saocom_keyless
    designed, design = design_ascent(sc, veh)
    assert design is not None and design.recovery is not None
    assert design.recovery.flyable, design.recovery.why
    assert design.recovery.need_kg <= design.recovery.aboard_kg
    assert design.kick_deg > KICK_RANGE_DEG[0] * 1.05  # not the kick range's end
    assert design.margin_kg >= 0.0
    assert designed.ascent.pitch_kick_deg == pytest.approx(design.kick_deg)
