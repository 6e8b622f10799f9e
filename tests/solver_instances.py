"""Seeded landing-guidance instances for comparing solvers (issue #14, solver verdicts).

Instance ``i`` of seed ``s`` is drawn from ``numpy.random.SeedSequence(s, spawn_key=(i,))``
(the project's ``SeedSequence(s).spawn(n)[i]``), so any subset of indices draws the same
instances whatever else is drawn. The index, not the generator, spreads the instances evenly
over the node counts, the two holds and the vehicle families; the generator draws the state,
the time of flight and what kind of instance it is:

* ``mars``: the Acikmese & Ploen lander (``mars_lander.random_instance``), states 800-2000 m up;
* ``falcon9`` and ``zhuque3``: the landing problem the executive poses for those boosters
  (``lcvx_guidance.landing_problem`` from the built-in landing scenario), from a drawn state at
  the start of a landing burn, half of them with a drag-like known disturbance.

Kinds: ``nominal`` (drawn to be mostly feasible, with edge cases either side), ``short_tf``
(too little time to stop), ``low_propellant`` (less than, or just about, what the velocity
change alone needs) and ``far_pad`` (a pad kilometres beyond reach). A kind says what the draw
aims at, not the verdict: the solvers give that.
"""

from __future__ import annotations

import enum
import functools
import math
from dataclasses import dataclass, replace

import numpy as np

from boostback.config.loader import load_landing
from boostback.guidance.lcvx_guidance import landing_problem
from boostback.guidance.problem import LandingProblem
from boostback.plant.setup import LandingSetup, landing_setup
from mars_lander import random_instance

NODE_COUNTS = (20, 50, 100, 200)
HOLDS = ("foh", "zoh")
FAMILIES = ("mars", "falcon9", "zhuque3")
BOOSTER_SCENARIOS = {"falcon9": "falcon9_landing", "zhuque3": "zhuque3_landing"}


class Kind(enum.Enum):
    """What an instance is drawn to test."""

    NOMINAL = "nominal"
    SHORT_TF = "short_tf"
    LOW_PROPELLANT = "low_propellant"
    FAR_PAD = "far_pad"


# Half the draws nominal, the rest split over the three ways a landing becomes infeasible.
KIND_WEIGHTS = {Kind.NOMINAL: 0.5, Kind.SHORT_TF: 0.5 / 3, Kind.LOW_PROPELLANT: 0.5 / 3}
KIND_WEIGHTS[Kind.FAR_PAD] = 1.0 - sum(KIND_WEIGHTS.values())


class Mode(enum.Enum):
    """The three problems both back ends pose (``LcvxSolver``'s ``mode`` argument)."""

    FUEL = "fuel"
    ERROR = "error"
    FUEL_BOUNDED = "fuel_bounded"


MODE_WEIGHTS = {Mode.FUEL: 0.8, Mode.ERROR: 0.1, Mode.FUEL_BOUNDED: 0.1}


@dataclass(frozen=True)
class Instance:
    """One fixed-time landing problem and how to solve it."""

    index: int
    family: str
    kind: Kind
    nodes: int
    discretization: str
    mode: Mode
    prob: LandingProblem
    tf_s: float
    error_bound_m: float = 0.0
    disturbance_enu_mps2: np.ndarray | None = None

    @property
    def label(self) -> str:
        """Enough to draw the instance again and see what it is."""
        return (
            f"#{self.index} {self.family}/{self.kind.value} N={self.nodes} "
            f"{self.discretization} {self.mode.value} tf={self.tf_s:.3f} s"
        )


def draw(seed: int, index: int) -> Instance:
    """Instance ``index`` of the set drawn from ``seed``."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
    nodes = NODE_COUNTS[index % len(NODE_COUNTS)]
    hold = HOLDS[(index // len(NODE_COUNTS)) % len(HOLDS)]
    family = FAMILIES[(index // (len(NODE_COUNTS) * len(HOLDS))) % len(FAMILIES)]
    kind = _pick(rng, KIND_WEIGHTS)
    mode = _pick(rng, MODE_WEIGHTS)
    if family == "mars":
        (prob, tf_s), dist = _mars(rng, kind), None
    else:
        prob, tf_s, dist = _booster(rng, family, kind, nodes)
    bound = 0.0
    if mode is Mode.FUEL_BOUNDED:
        # a landing-error bound from a few metres to a good part of the distance to go
        bound = float(rng.uniform(0.0, 0.3)) * _distance_to_go_m(prob)
    return Instance(index, family, kind, nodes, hold, mode, prob, tf_s, bound, dist)


def draw_set(seed: int, count: int) -> list[Instance]:
    """Instances ``0 .. count - 1`` of ``seed``."""
    return [draw(seed, i) for i in range(count)]


def _pick(rng: np.random.Generator, weights: dict) -> object:
    keys = list(weights)
    return keys[int(rng.choice(len(keys), p=np.array([weights[k] for k in keys])))]


def _distance_to_go_m(prob: LandingProblem) -> float:
    return float(np.linalg.norm(prob.r0_enu_m - prob.target_enu_m))


def min_propellant_kg(prob: LandingProblem, tf_s: float) -> float:
    """A lower bound on the propellant any landing in ``tf_s`` burns (no disturbance).

    The thrust must supply the velocity change ``vf - v0 - g tf``, so ``ln(m0 / mf)`` is at
    least ``alpha`` times its norm (the mass flow is ``alpha`` times the thrust, ``alpha |u| m``).
    """
    vf = np.array([0.0, 0.0, -prob.touchdown_speed_mps])
    dv = float(np.linalg.norm(vf - prob.v0_enu_mps - prob.g_enu_mps2 * tf_s))
    return prob.m0_kg * (1.0 - math.exp(-prob.alpha_s_per_m * dv))


# --- The Mars lander ----------------------------------------------------------------------------


def _mars(rng: np.random.Generator, kind: Kind) -> tuple[LandingProblem, float]:
    """The lander's random state (``mars_lander.random_instance``), then made what ``kind`` asks."""
    if kind is Kind.SHORT_TF:
        return random_instance(rng, (10.0, 45.0))
    prob, tf_s = random_instance(rng, (40.0, 90.0))
    if kind is Kind.LOW_PROPELLANT:
        need = min_propellant_kg(prob, tf_s)
        return _with_propellant(prob, need * float(rng.uniform(0.5, 1.1))), tf_s
    if kind is Kind.FAR_PAD:
        return _far_pad(rng, prob, (4000.0, 9000.0)), tf_s
    return prob, tf_s


def _with_propellant(prob: LandingProblem, propellant_kg: float) -> LandingProblem:
    return replace(prob, m0_kg=prob.m_dry_kg + max(propellant_kg, 1e-3 * prob.m_dry_kg))


def _far_pad(
    rng: np.random.Generator, prob: LandingProblem, offset_m: tuple[float, float]
) -> LandingProblem:
    """The pad moved a drawn distance away in a drawn direction."""
    bearing = float(rng.uniform(0.0, 2.0 * math.pi))
    dist = float(rng.uniform(*offset_m))
    target = prob.target_enu_m + dist * np.array([math.cos(bearing), math.sin(bearing), 0.0])
    return replace(prob, target_enu_m=target)


# --- Earth boosters -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def booster_setup(family: str) -> LandingSetup:
    """The built-in landing scenario of a booster, resolved (vehicle, engines, environment)."""
    scenario, vehicle = load_landing(BOOSTER_SCENARIOS[family])
    return landing_setup(vehicle, scenario)


def _booster(
    rng: np.random.Generator, family: str, kind: Kind, nodes: int
) -> tuple[LandingProblem, float, np.ndarray | None]:
    """A booster at the start of its landing burn: drawn speed, offset and propellant, at the
    height where braking at a drawn share of full thrust stops it at the pad."""
    setup = booster_setup(family)
    base = setup.initial_state()
    m_dry = setup.dry_mass_kg
    propellant = (base[6] - m_dry) * float(rng.uniform(0.6, 1.5))
    m0 = m_dry + propellant
    vz = -float(rng.uniform(80.0, 300.0))
    v_h = rng.uniform(-30.0, 30.0, 2)
    r_h = rng.uniform(-500.0, 500.0, 2)
    g = float(np.linalg.norm(setup.env.gravity.accel(np.zeros(3))))
    accel_max = setup.prop.thrust_n(setup.env.pressure_pa(0.0), setup.prop.throttle_max) / m0
    # net deceleration at 55-95 % of full thrust; never below 1 m/s^2
    brake = max(float(rng.uniform(0.55, 0.95)) * accel_max - g, 1.0)
    height = vz * vz / (2.0 * brake)
    x = (r_h[0], r_h[1], height, v_h[0], v_h[1], vz, m0)
    prob = landing_problem(setup, x, setup.env.pressure_pa(height))
    prob = _booster_limits(rng, prob)
    tf_stop = -vz / brake  # the time of that constant-deceleration stop
    tf_s = tf_stop * float(rng.uniform(0.9, 1.6))
    if kind is Kind.SHORT_TF:
        tf_s = tf_stop * float(rng.uniform(0.3, 0.9))
    elif kind is Kind.LOW_PROPELLANT:
        need = min_propellant_kg(prob, tf_s)
        prob = _with_propellant(prob, need * float(rng.uniform(0.5, 1.1)))
    elif kind is Kind.FAR_PAD:
        prob = _far_pad(rng, prob, (2000.0, 6000.0))
    dist = _drag_like(rng, nodes) if rng.uniform() < 0.5 else None
    return prob, tf_s, dist


def _booster_limits(rng: np.random.Generator, prob: LandingProblem) -> LandingProblem:
    """The vehicle's pointing limit and glide slope, or none; a terminal-descent variation."""
    tilt = prob.max_tilt_rad if rng.uniform() < 0.7 else math.pi / 2
    glide = prob.glide_slope_rad if rng.uniform() < 0.7 else 0.0
    vertical = float(rng.choice([0.0, prob.terminal_vertical_s, 5.0]))
    return replace(prob, max_tilt_rad=tilt, glide_slope_rad=glide, terminal_vertical_s=vertical)


def _drag_like(rng: np.random.Generator, nodes: int) -> np.ndarray:
    """A known disturbance per interval: an upward push fading as the booster slows (drag),
    with a little sideways component (wind)."""
    fade = np.linspace(1.0, 0.05, nodes) ** 2
    up = float(rng.uniform(0.5, 4.0)) * fade
    side = rng.uniform(-0.3, 0.3, 2)
    return np.column_stack([side[0] * fade, side[1] * fade, up])
