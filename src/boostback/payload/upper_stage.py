"""The upper stage flown from separation to orbit: target orbits, the stage, the guided burns.

``fly_to_orbit`` takes the stack's Earth-fixed state at MECO (the booster's ascent ends there),
coasts it to the upper stage's ignition, and flies one PEG-guided burn to the target (low
orbits), or two with a coast between them: for GTO a burn to a circular parking orbit at the
transfer orbit's perigee altitude, a coast to the point where the perigee burn ending at the
requested argument of perigee starts, then the perigee burn; for an orbit flown in two burns (the
mission's ``upper_stage_burns``, or, when it is not given, a perigee higher than
``DIRECT_MAX_ALT_M``), a burn to a transfer orbit from a low perigee up to the target's perigee
altitude, a coast to its apogee and the burn there. The fairing is dropped at
a fixed altitude. The orbit plane is the one of the requested inclination through the stage's
position at ignition, on the pass it is flying (its node is free: launch time is not modelled);
the guidance's yaw channel flies into it. A GTO below the inclination reached at ignition parks
in that plane and turns it in the perigee burn.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from boostback.config.errors import KeyedValueError
from boostback.config.models import Vehicle
from boostback.environment.earth import WGS84_A_M, EarthModel, SphericalEarth, WGS84Earth
from boostback.environment.frames import ecef_to_eci
from boostback.environment.orbits import Elements, orbit_normal_eci, state_to_elements
from boostback.payload import peg

__all__ = [
    "Burn",
    "GuidanceSettings",
    "Insertion",
    "TargetOrbit",
    "UpperStageModel",
    "fly_to_orbit",
    "parse_orbit",
]

# Falcon 9 webcasts (e.g. SpaceX's Starlink launch webcasts): MECO near T+2:33, stage separation
# ~3 s later, second-stage engine start ~T+2:44: ~11 s from MECO to ignition. Estimate for
# Zhuque-3 (no published timeline): the same.
IGNITION_DELAY_S = 11.0
# Estimate: fairings are dropped once free-molecular heating is low, ~110 km on Falcon 9
# webcasts (fairing separation ~T+3:10 at ~110 km on LEO missions); the same for Zhuque-3.
FAIRING_ALT_M = 110_000.0
# Orbits whose perigee is above this are reached through a transfer orbit from a
# TRANSFER_PERIGEE_ALT_M perigee and a burn at its apogee: climbing under thrust to insert
# directly costs more the higher the orbit (Falcon 9 rideshare flights to ~500 km SSO coast to a
# second burn, as their webcasts show). Estimates of where that starts to pay.
DIRECT_MAX_ALT_M = 350_000.0
TRANSFER_PERIGEE_ALT_M = 200_000.0
# a transfer orbit needs its apogee (the target's perigee) clear of its own perigee
MIN_TWO_BURN_M = TRANSFER_PERIGEE_ALT_M + 20_000.0
# The transfer's apogee is re-aimed until the coast reaches the target's perigee radius to this
# (a tenth of a kilometre, well inside the 5 km insertion tolerance), in at most this many
# flights of the first burn.
APOGEE_AIM_TOL_M = 100.0
APOGEE_AIM_FLIGHTS = 6
# The Earth's sphere of influence about the Sun, a (m_Earth / m_Sun)^(2/5) = 1.496e8 km x
# (3.00e-6)^0.4: 925,000 km from the Earth's centre (Curtis, Orbital Mechanics for Engineering
# Students, 3rd ed., 2014, Table 8.1). Beyond it the Sun bends the path more than the Earth
# does, and the stage's two-body Earth model no longer stands for it: the highest apogee taken.
EARTH_SOI_RADIUS_M = 925_000e3
MAX_APOGEE_ALT_M = EARTH_SOI_RADIUS_M - WGS84_A_M


@dataclass(frozen=True)
class TargetOrbit:
    """Perigee x apogee altitudes (over the reference radius) x inclination; GTO-like targets
    give the argument of perigee (and are flown with a parking orbit and a perigee burn)."""

    perigee_alt_m: float
    apogee_alt_m: float
    inclination_deg: float
    argp_deg: float | None = None
    # the mission's number of upper-stage burns (public mission data), None for the rule
    burns: int | None = None

    def __post_init__(self) -> None:
        if not (self.perigee_alt_m >= 80e3 and self.apogee_alt_m >= self.perigee_alt_m):
            raise KeyedValueError(
                "target_orbit.perigee_km",
                f"orbit {self.label}: need perigee >= 80 km and apogee >= perigee",
            )
        if not self.apogee_alt_m <= MAX_APOGEE_ALT_M:
            most_km = math.floor(MAX_APOGEE_ALT_M / 1e3)
            raise KeyedValueError(
                "target_orbit.apogee_km",
                f"orbit {self.label}: apogee must be at most {most_km:,} km "
                f"(the Earth's sphere of influence, {EARTH_SOI_RADIUS_M / 1e3:,.0f} km from its "
                "centre: beyond it the Sun, not the Earth, steers the stage)",
            )
        if not 0.0 <= self.inclination_deg <= 180.0:
            raise KeyedValueError(
                "inclination_deg", f"orbit {self.label}: inclination must be within 0-180 deg"
            )
        if self.burns not in (None, 1, 2):
            raise KeyedValueError(
                "upper_stage_burns", f"orbit {self.label}: the upper stage flies 1 or 2 burns"
            )
        if self.burns == 1 and self.argp_deg is not None:
            raise KeyedValueError(
                "upper_stage_burns",
                f"orbit {self.label}: a transfer orbit with an argp takes 2 burns",
            )
        if self.burns == 2 and self.argp_deg is None and self.perigee_alt_m <= MIN_TWO_BURN_M:
            raise KeyedValueError(
                "upper_stage_burns",
                f"orbit {self.label}: two burns need a perigee above {MIN_TWO_BURN_M / 1e3:g} "
                f"km (the transfer orbit starts at {TRANSFER_PERIGEE_ALT_M / 1e3:g} km)",
            )

    @property
    def label(self) -> str:
        base = f"{self.perigee_alt_m / 1e3:g}x{self.apogee_alt_m / 1e3:g}x{self.inclination_deg:g}"
        return base if self.argp_deg is None else f"{base}x{self.argp_deg:g}"

    @property
    def plan(self) -> str:
        """``"perigee"``: parking orbit, coast, perigee burn (an argument of perigee is given);
        ``"apogee"``: a transfer orbit from a low perigee, coast, burn at its apogee (two burns
        asked for, or none asked for and the perigee above ``DIRECT_MAX_ALT_M``); ``"direct"``:
        one burn."""
        if self.argp_deg is not None:
            return "perigee"
        if self.burns is not None:
            return "apogee" if self.burns == 2 else "direct"
        return "apogee" if self.perigee_alt_m > DIRECT_MAX_ALT_M else "direct"

    @property
    def two_burns(self) -> bool:
        return self.plan != "direct"


_ORBIT = re.compile(r"^\s*([0-9.eE+]+)(?:\s*x\s*([0-9.eE+-]+)){2,3}\s*$")


def parse_orbit(text: str) -> TargetOrbit:
    """``"200x200x28.5"`` (perigee km x apogee km x inclination deg) or
    ``"185x35786x27x180"`` (x argument of perigee deg, flown with a parking orbit).

    Raises
    ------
    ValueError
        With a one-line message naming the problem.
    """
    parts = [p.strip() for p in str(text).lower().split("x")]
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        nums = []
    if len(nums) not in (3, 4) or not all(math.isfinite(v) for v in nums):
        raise ValueError(
            f"bad orbit '{text}': give PERIGEE_KMxAPOGEE_KMxINCLINATION_DEG[xARGP_DEG], "
            "e.g. 200x200x28.5 or 185x35786x27x180"
        )
    argp = nums[3] if len(nums) == 4 else None
    if argp is not None and not 0.0 <= argp < 360.0:
        raise ValueError(f"bad orbit '{text}': argument of perigee must be within 0-360 deg")
    try:
        return TargetOrbit(nums[0] * 1e3, nums[1] * 1e3, nums[2], argp)
    except ValueError as exc:
        raise ValueError(f"bad orbit '{text}': {exc}") from None


@dataclass(frozen=True)
class UpperStageModel:
    """The upper stage as the burns need it (vacuum thrust, mass flow, masses, relights)."""

    name: str
    dry_mass_kg: float
    propellant_kg: float
    thrust_n: float
    mass_flow_kgps: float
    restarts: int

    @classmethod
    def from_vehicle(cls, vehicle: Vehicle) -> UpperStageModel:
        """The vehicle file's ``[upper_stage]`` table (engines lumped, axial thrust)."""
        us = vehicle.upper_stage
        if us is None:
            raise ValueError(f"vehicle '{vehicle.key}' has no [upper_stage] table")
        e = us.engine
        return cls(
            us.name,
            us.dry_mass_kg,
            us.propellant_mass_kg,
            us.engine_count * e.thrust_vac_n * e.axial_fraction,
            us.engine_count * e.mass_flow_kgps,
            e.restarts,
        )

    @property
    def exhaust_mps(self) -> float:
        return self.thrust_n / self.mass_flow_kgps


@dataclass(frozen=True)
class GuidanceSettings:
    """Integration step, major cycle, freeze time before cut-off, longest burn, coast step."""

    dt_s: float = 0.5
    cycle_s: float = 1.0
    freeze_s: float = 4.0
    max_burn_s: float = 1500.0
    coast_dt_s: float = 5.0
    ignition_delay_s: float = IGNITION_DELAY_S
    fairing_alt_m: float = FAIRING_ALT_M


@dataclass(frozen=True)
class Burn:
    name: str
    ignition_s: float
    cutoff_s: float
    propellant_kg: float
    status: int  # peg.STATUS_*: 0 cut off on the target energy

    @property
    def duration_s(self) -> float:
        return self.cutoff_s - self.ignition_s


@dataclass(frozen=True)
class Insertion:
    """The upper stage's flight and the orbit it reached."""

    target: TargetOrbit
    elements: Elements
    propellant_left_kg: float  # negative: the burns needed more than the stage carries
    burns: tuple[Burn, ...]
    t_s: float  # cut-off time, from liftoff
    state_eci: np.ndarray
    fairing_t_s: float
    trajectory: np.ndarray = field(repr=False)  # rows [t, r_eci (3), v_eci (3), m]

    @property
    def errors(self) -> dict[str, float]:
        """Achieved minus target: perigee, apogee (km), inclination and argp (deg)."""
        el, tg = self.elements, self.target
        out = {
            "perigee_km": (el.perigee_alt_m - tg.perigee_alt_m) / 1e3,
            "apogee_km": (el.apogee_alt_m - tg.apogee_alt_m) / 1e3,
            "inclination_deg": math.degrees(el.i_rad) - tg.inclination_deg,
        }
        if tg.argp_deg is not None:
            out["argp_deg"] = math.remainder(math.degrees(el.argp_rad) - tg.argp_deg, 360.0)
        return out

    @property
    def reached(self) -> bool:
        return all(b.status == peg.STATUS_CUTOFF for b in self.burns)


def _earth_params(earth: EarthModel) -> np.ndarray:
    """The Earth kernels' parameters of a model they know (the flight kernel's rule)."""
    if isinstance(earth, WGS84Earth | SphericalEarth):
        return earth.kernel_params
    raise TypeError(f"the upper stage flies on WGS84Earth or SphericalEarth, not {earth!r}")


def _first_plane_deg(x: np.ndarray, target: TargetOrbit) -> float:
    """Inclination of the first burn's plane: the target's, except that a GTO whose
    inclination is below the plane at ignition parks in that plane and leaves the plane change
    to the perigee burn, where it costs less (it adds to a large velocity change)."""
    if not target.two_burns:
        return target.inclination_deg
    h = np.cross(x[:3], x[3:6])
    now_deg = math.degrees(math.acos(max(-1.0, min(1.0, h[2] / float(np.linalg.norm(h))))))
    return max(target.inclination_deg, now_deg)


def _plane_normal(r: np.ndarray, v: np.ndarray, inclination_deg: float) -> np.ndarray:
    """The orbit normal of the given inclination for the plane through the stage's position
    whose normal is nearest the current angular momentum (the pass, north- or south-going, the
    stage is on); where the stage is at a latitude above the inclination, the normal nearest
    the angular momentum in node alone.

    The node is free (launch time is not modelled), so the plane is taken through the stage:
    one at the angular momentum's node missed the stage by up to ~500 km on a lofted polar
    ascent (the Earth's rotation turns the inertial plane of a slow, steep MECO by degrees), a
    dogleg the burn paid for."""
    h = np.cross(r, v)
    i = math.radians(inclination_deg)
    u = r / float(np.linalg.norm(r))
    rho = math.hypot(u[0], u[1])
    best = None
    if rho > 1e-9 and math.sin(i) > 1e-9:
        c = -math.cos(i) * u[2] / (math.sin(i) * rho)
        if abs(c) <= 1.0:
            beta, d = math.atan2(u[1], u[0]), math.acos(c)
            for alpha in (beta + d, beta - d):
                n = np.array(
                    [math.sin(i) * math.cos(alpha), math.sin(i) * math.sin(alpha), math.cos(i)]
                )
                if best is None or float(n @ h) > float(best @ h):
                    best = n
    if best is not None:
        return best
    phi = math.atan2(h[1], h[0])
    return np.array([math.sin(i) * math.cos(phi), math.sin(i) * math.sin(phi), math.cos(i)])


def _target_array(r_t: float, r_other: float, normal: np.ndarray, mu: float) -> np.ndarray:
    """PEG target: insertion at radius ``r_t`` (a perigee or an apsis) with the other apsis."""
    a = 0.5 * (r_t + r_other)
    v_t = math.sqrt(mu * (2.0 / r_t - 1.0 / a))
    return np.array([r_t, 0.0, v_t, *normal, -mu / (2.0 * a), mu, 0.0])


def _fly_burn(
    name: str, x: np.ndarray, t: float, stage: UpperStageModel, empty_kg: float,
    fairing_kg: float, tgt: np.ndarray, earth: EarthModel, gs: GuidanceSettings,
) -> tuple[np.ndarray, float, Burn, np.ndarray, float]:  # fmt: skip
    """One guided burn; returns the state, time, the burn, its samples and the fairing time."""
    dv_guess = max(abs(tgt[peg.T_VT] - math.sqrt(max(float(x[3:6] @ x[3:6]), 0.0))), 50.0)
    t_guess = x[6] / stage.mass_flow_kgps * (1.0 - math.exp(-dv_guess / stage.exhaust_mps))
    eng = np.array([stage.thrust_n, stage.mass_flow_kgps, empty_kg, fairing_kg,
                    gs.fairing_alt_m, earth.equatorial_radius_m])  # fmt: skip
    par = np.array([gs.dt_s, gs.cycle_s, gs.freeze_s, gs.max_burn_s, t_guess])
    rec = np.zeros((int(gs.max_burn_s / gs.dt_s) + 2, 8))
    m0 = float(x[6])
    x1, t1, status, n, t_fair, _tgo = peg.burn(x, t, eng, tgt, par, _earth_params(earth), rec)
    used = m0 - float(x1[6]) - (fairing_kg if not math.isnan(t_fair) else 0.0)
    return x1, t1, Burn(name, t, t1, used, int(status)), rec[:n], t_fair


def fly_to_orbit(
    r_ecef_m: np.ndarray,
    v_ecef_mps: np.ndarray,
    t_s: float,
    stage: UpperStageModel,
    payload_kg: float,
    fairing_kg: float,
    target: TargetOrbit,
    earth: EarthModel,
    settings: GuidanceSettings | None = None,
) -> Insertion:
    """Fly the upper stage from the stack's Earth-fixed state at MECO to the target orbit.

    Parameters
    ----------
    r_ecef_m, v_ecef_mps : ndarray
        Position and Earth-relative velocity at MECO (the flight's ECEF).
    t_s : float
        MECO time from liftoff (ECI and ECEF coincide at liftoff).
    stage : UpperStageModel
        The stage, fully loaded at MECO.
    payload_kg, fairing_kg : float
        Payload, and the fairing still aboard (0 if none).
    target : TargetOrbit
    earth : EarthModel
        Gravity (with J2 on WGS-84), ``mu`` and the reference radius of the altitudes.
    settings : GuidanceSettings, optional

    Returns
    -------
    Insertion
        Propellant left may be negative: the burns then needed more than the stage carries
        (the stage is flown on regardless, so that a payload search sees a smooth shortfall).
    """
    gs = settings or GuidanceSettings()
    if target.two_burns and stage.restarts < 1:
        raise ValueError(f"{stage.name} cannot relight: no coast-and-burn to {target.label}")
    mu, ref = earth.mu_m3ps2, earth.equatorial_radius_m
    wp = _earth_params(earth)
    r, v = ecef_to_eci(r_ecef_m, v_ecef_mps, t_s, earth.omega_radps)
    empty_kg = stage.dry_mass_kg + payload_kg
    x = np.array([*r, *v, empty_kg + stage.propellant_kg + fairing_kg], dtype=np.float64)
    x = peg.coast_for(x, t_s, gs.ignition_delay_s, wp, 0.5)
    t = t_s + gs.ignition_delay_s
    normal = _plane_normal(x[:3], x[3:6], _first_plane_deg(x, target))
    r_p, r_a = ref + target.perigee_alt_m, ref + target.apogee_alt_m
    plan = target.plan
    if plan == "perigee":  # a circular parking orbit at the perigee altitude
        first = _target_array(r_p, r_p, normal, mu)
    else:
        first = _target_array(r_p, r_a, normal, mu)
    if plan == "apogee":
        x, t, burns, recs, t_fair = _transfer_plan(x, t, stage, empty_kg, fairing_kg, target,
                                                   normal, earth, gs)  # fmt: skip
    else:
        x, t, b1, rec1, t_fair = _fly_burn("burn 1", x, t, stage, empty_kg, fairing_kg, first,
                                           earth, gs)  # fmt: skip
        burns, recs = [b1], [rec1]
    if plan == "perigee":
        x, t, b2, rec2 = _perigee_burn(x, t, stage, empty_kg, target, earth, gs)
        burns.append(b2)
        recs.append(rec2)
    left = float(x[6]) - empty_kg - (fairing_kg if math.isnan(t_fair) else 0.0)
    return Insertion(
        target=target,
        elements=state_to_elements(x[:3], x[3:6], mu, ref),
        propellant_left_kg=left,
        burns=tuple(burns),
        t_s=t,
        state_eci=x,
        fairing_t_s=t_fair,
        trajectory=np.concatenate(recs) if recs else np.zeros((0, 8)),
    )


def _burn_s(x: np.ndarray, stage: UpperStageModel, dv_mps: float) -> float:
    """Burn time for ``dv_mps`` from mass ``x[6]`` (rocket equation)."""
    return float(x[6]) / stage.mass_flow_kgps * (1.0 - math.exp(-dv_mps / stage.exhaust_mps))


def _transfer_plan(
    x0: np.ndarray, t0: float, stage: UpperStageModel, empty_kg: float, fairing_kg: float,
    target: TargetOrbit, normal: np.ndarray, earth: EarthModel, gs: GuidanceSettings,
) -> tuple[np.ndarray, float, list[Burn], list[np.ndarray], float]:  # fmt: skip
    """Burn to a transfer orbit, coast to its apogee, burn there. The transfer's apogee is aimed
    until the coast reaches the target's perigee radius to ``APOGEE_AIM_TOL_M``: J2 moves the
    radius the coast reaches from the two-body apogee by kilometres, and on a high transfer
    (100,000 km) the reached apogee moves by ~150 km per m/s at cut-off, so one correction
    left it 60-140 km off, which the velocity-only apogee burn cannot take out (the orbit's
    eccentricity is at least the radius miss over the radius). The second aim corrects the first
    by the miss it measured, later ones by secant."""
    mu, ref = earth.mu_m3ps2, earth.equatorial_radius_m
    r_p = ref + target.perigee_alt_m
    aims: list[float] = []
    misses: list[float] = []
    aim = r_p
    for k in range(APOGEE_AIM_FLIGHTS):
        first = _target_array(ref + TRANSFER_PERIGEE_ALT_M, aim, normal, mu)
        x, t, b1, rec1, t_fair = _fly_burn("burn 1", x0, t0, stage, empty_kg, fairing_kg,
                                           first, earth, gs)  # fmt: skip
        x_c, t_c, _n = _coast_to_apogee(x, t, stage, target, earth, gs)
        miss = float(np.linalg.norm(x_c[:3])) - r_p
        if abs(miss) < APOGEE_AIM_TOL_M:
            break
        aims.append(aim)
        misses.append(miss)
        slope = 1.0
        if k > 0 and misses[-1] != misses[-2]:
            slope = (misses[-1] - misses[-2]) / (aims[-1] - aims[-2])
            slope = slope if 0.2 < slope < 5.0 else 1.0  # the reached radius follows the aim
        aim -= miss / slope
    # the plane as J2 has turned it during the coast (its node), at the target's inclination
    h = np.cross(x_c[:3], x_c[3:6])
    n = orbit_normal_eci(math.radians(target.inclination_deg), math.atan2(h[0], -h[1]))
    tgt = _target_array(r_p, ref + target.apogee_alt_m, n, mu)
    r_now = float(np.linalg.norm(x_c[:3]))
    tgt[peg.T_R] = r_now
    tgt[peg.T_VT] = math.sqrt(mu * (2.0 / r_now + 2.0 * tgt[peg.T_ENERGY] / mu))
    tgt[peg.T_VEL_ONLY] = 1.0
    x, t2, b2, rec2, _ = _fly_burn("apogee burn", x_c, t_c, stage, empty_kg, 0.0, tgt, earth, gs)
    return x, t2, [b1, b2], [rec1, rec2], t_fair


def _coast_to_apogee(
    x: np.ndarray, t: float, stage: UpperStageModel, target: TargetOrbit, earth: EarthModel,
    gs: GuidanceSettings,
) -> tuple[np.ndarray, float, np.ndarray]:  # fmt: skip
    """Coast up the transfer orbit to where the apogee burn starts (half of it, by the rocket
    equation, before the apogee); returns the state, the time and the orbit normal."""
    mu, ref = earth.mu_m3ps2, earth.equatorial_radius_m
    el = state_to_elements(x[:3], x[3:6], mu, ref)
    h = np.cross(x[:3], x[3:6])
    n = h / np.linalg.norm(h)
    node = np.array([-n[1], n[0], 0.0])
    node = node / np.linalg.norm(node)
    r_apo = el.apogee_radius_m
    a_t = ref + 0.5 * (target.perigee_alt_m + target.apogee_alt_m)
    v_apo = math.sqrt(mu * (2.0 / r_apo - 1.0 / el.a_m))
    burn_s = _burn_s(x, stage, max(math.sqrt(mu * (2.0 / r_apo - 1.0 / a_t)) - v_apo, 1.0))
    u_start = (el.argp_rad + math.pi - 0.5 * burn_s * v_apo / r_apo) % (2.0 * math.pi)
    x, t_ign, _coast = peg.coast_to_latitude_argument(
        x, t, u_start, node, n, _earth_params(earth), gs.coast_dt_s, 1.5 * el.period_s
    )
    return x, t_ign, n


def _perigee_burn(
    x: np.ndarray, t: float, stage: UpperStageModel, empty_kg: float, target: TargetOrbit,
    earth: EarthModel, gs: GuidanceSettings,
) -> tuple[np.ndarray, float, Burn, np.ndarray]:  # fmt: skip
    """Coast in the parking orbit, then the perigee burn centred on the target's argp."""
    mu, ref = earth.mu_m3ps2, earth.equatorial_radius_m
    assert target.argp_deg is not None
    h = np.cross(x[:3], x[3:6])
    n = h / np.linalg.norm(h)
    node = np.array([-n[1], n[0], 0.0])
    node = node / np.linalg.norm(node)
    r_p, r_a = ref + target.perigee_alt_m, ref + target.apogee_alt_m
    # the target plane turns about the line of nodes: the burn, near a node for an argp of 0 or
    # 180 deg, changes the inclination at little cost in position
    raan = math.atan2(n[0], -n[1])
    tgt = _target_array(r_p, r_a, orbit_normal_eci(math.radians(target.inclination_deg), raan), mu)
    # burn time from the rocket equation; PEG cuts off with no radial speed, so the cut-off
    # point is the perigee: start the burn that long (in angle at the parking orbit's rate) ahead
    v_now = float(np.linalg.norm(x[3:6]))
    dv = max(tgt[peg.T_VT] - v_now, 1.0)
    burn_s = _burn_s(x, stage, dv)
    rate = v_now / float(np.linalg.norm(x[:3]))
    u_start = (math.radians(target.argp_deg) - burn_s * rate) % (2.0 * math.pi)
    period = 2.0 * math.pi / rate
    x, t_ign, _coast = peg.coast_to_latitude_argument(
        x, t, u_start, node, n, _earth_params(earth), gs.coast_dt_s, 1.5 * period
    )
    x, t2, b2, rec, _ = _fly_burn("perigee burn", x, t_ign, stage, empty_kg, 0.0, tgt, earth, gs)
    return x, t2, b2, rec
