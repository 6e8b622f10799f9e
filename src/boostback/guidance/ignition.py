"""When to light the landing burn.

A booster that cannot hover at minimum throttle has to light late enough not to stop in mid-air
and early enough to stop at all, with thrust to spare for corrections. The search predicts the
unpowered fall, uses a one-dimensional stopping estimate to say roughly where the latest ignition
lies, then asks the convex guidance: it backs off from the estimate in doubling steps until a
pinpoint plan with throttle headroom exists, and bisects between the last feasible and first
infeasible candidates. About five guidance checks instead of a sweep over the whole fall.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from boostback.dynamics import State, drag_accel
from boostback.dynamics.fast import compile_kernel
from boostback.dynamics.state import MASS, POS, UP, VEL
from boostback.gnc.loop import RunTimeout
from boostback.guidance.plan import LandingPlan
from boostback.plant.flat import FallPath
from boostback.plant.setup import LandingSetup

Check = Callable[[State, float], LandingPlan]
"""Feasibility check: state and a guess of the time of flight in, a plan (feasible or not) out."""

BISECTIONS = 4
FIRST_BACKOFF_S = 0.5


def ballistic_path(
    setup: LandingSetup, x0: State, dt: float, t_max: float, deadline: float | None = None
) -> FallPath:
    """States every ``dt`` of the unpowered fall, ending at (or just before) the ground (stepped
    as far as they are read: ``plant.flat.FallPath``).

    ``deadline`` (a ``time.perf_counter()`` value): past it, ``RunTimeout`` (a tiny step would
    otherwise make this search unbounded in wall-clock time).
    """
    kernel = compile_kernel(setup.prop, setup.aero, setup.env)
    return FallPath(kernel, x0, dt, int(t_max / dt), deadline)


def stopping_estimate(
    setup: LandingSetup, x: State, throttle_fraction: float | None = None
) -> tuple[float, float]:
    """Altitude left over after a straight-line stop at planning thrust, and the stop's duration.

    One-dimensional and optimistic about steering (it ignores the divert), but it counts half the
    present drag as help, since drag falls away as the booster slows.
    """
    fraction = (
        setup.guidance.planning_throttle_max if throttle_fraction is None else throttle_fraction
    )
    p_pa = setup.env.pressure_pa(x[UP])
    thrust = setup.prop.thrust_n(p_pa, setup.prop.throttle_max * fraction)
    m = x[MASS]
    ve, vn, vu = x[VEL]
    speed = math.sqrt(ve * ve + vn * vn + vu * vu)
    drag = drag_accel(x, setup.aero, setup.env, thrust)
    drag_along = -(drag[0] * ve + drag[1] * vn + drag[2] * vu) / max(speed, 1e-9)
    decel = thrust / m - setup.env.gravity.surface_g + 0.5 * drag_along
    if decel <= 0.0:
        return -math.inf, math.inf
    return x[UP] - speed * speed / (2.0 * decel), max(speed / decel, 1.0)


def find_ignition(
    setup: LandingSetup,
    check: Check,
    x0: State,
    throttle_fraction: float | None = None,
    deadline: float | None = None,
    path: FallPath | None = None,
) -> tuple[float, float | None]:
    """Latest time after ``x0`` from which a pinpoint landing with headroom is still feasible.

    ``throttle_fraction`` is the headroom of the stopping estimate that seeds the search and
    gives ``check`` its guess of the time of flight (default: the planning limit); usually the
    headroom ``check`` plans with.

    A fall from high up can pass through a stretch where the stage is too fast to stop and then
    be braked by the thickening air until it can stop again: when no ignition up to the end of
    the first such stretch is feasible, the search starts again after it (lighting in the thin
    air only to run dry would waste the stage).

    ``path`` is the predicted fall from ``x0`` (``ballistic_path``; built here when not given).

    Returns that time and the time of flight of the plan found there (None when no candidate is
    feasible: then it lights at once and guidance does what it can).
    """
    dt = setup.sim.dt_s
    if path is None:
        path = ballistic_path(setup, x0, dt, setup.sim.max_time_s, deadline)

    def can_stop(k: int) -> bool:
        if deadline is not None and k % 1000 == 0 and time.perf_counter() > deadline:
            raise RunTimeout(f"the ignition search passed its wall-clock limit at {k} states")
        return stopping_estimate(setup, path[k], throttle_fraction)[0] >= 0.0

    def feasible(i: int) -> LandingPlan:
        return check(path[i], stopping_estimate(setup, path[i], throttle_fraction)[1])

    floor = 0
    while True:
        guess = _first(path, floor, lambda k: not can_stop(k))
        found = _search(path, feasible, guess, floor, dt)
        if found is not None:
            return found
        later = _first(path, guess + 1, can_stop)  # braked by the air: can it stop again?
        if later <= guess or not can_stop(later):
            return 0.0, None
        floor = later


def coast_drift_m(path: FallPath, dt: float, x: State, t_s: float, ignite_at_s: float) -> float:
    """How far from the predicted fall ``path`` (its first state at time 0, one every ``dt``)
    the coasting stage ``x`` at ``t_s`` will be at the ignition ``ignite_at_s``: its position
    and velocity errors against the prediction at ``t_s``, the velocity error carried over the
    coast that is left (m). Zero when the stage falls as predicted."""
    k = path.last(max(round(t_s / dt), 0))
    ref = path[k]
    lead = t_s - k * dt  # the prediction moved on to ``t_s`` along its velocity
    left = max(ignite_at_s - t_s, 0.0)
    err = 0.0
    for r, v, r_ref, v_ref in zip(x[POS], x[VEL], ref[POS], ref[VEL], strict=True):
        err += (r - (r_ref + v_ref * lead) + (v - v_ref) * left) ** 2
    return math.sqrt(err)


class CoastWatch:
    """The coast's watch over the predicted fall its ignition was decided on.

    Every ``period_s`` of the coast (from ``watch``), ``check`` asks ``coast_drift_m`` how far
    off that fall the stage will be at the ignition; beyond ``max_miss_m`` (the pad's radius) the
    ignition is decided again from the fix of the moment, by the guidance's own decision, and one
    note in its notes counts the re-decisions. Every landing guidance holds one (SCvx the one of
    the LCvx decision it reuses); the loop learns only the new ignition time, from the demand.

    Parameters
    ----------
    dt_s : float
        The predicted fall's step.
    period_s : float
        Time between two checks (the guidance's re-plan period).
    max_miss_m : float
        The drift at the ignition beyond which the ignition is decided again.
    """

    def __init__(self, dt_s: float, period_s: float, max_miss_m: float) -> None:
        self.dt_s, self.period_s, self.max_miss_m = dt_s, period_s, max_miss_m
        self.fall: FallPath | None = None  # the fall the ignition was decided on
        self.t0_s = 0.0  # and the time of its first state
        self.next_check_s = math.inf
        self.times = 0  # ignitions decided again
        self._note_at: int | None = None  # the index of the note that counts them

    def watch(self, fall: FallPath, t0_s: float) -> None:
        """An ignition decided at ``t0_s`` on ``fall``: checked from one period later on."""
        self.fall, self.t0_s, self.next_check_s = fall, t0_s, t0_s + self.period_s

    def due(self, t_s: float, ignition_t_s: float) -> bool:
        """A check is due at ``t_s``, in the coast before the ignition at ``ignition_t_s``."""
        return ignition_t_s - 1e-9 > t_s >= self.next_check_s - 1e-9

    def check(
        self,
        x: State,
        t_s: float,
        ignition_t_s: float,
        decide: Callable[[State, float], float],
        notes: list[str],
    ) -> float:
        """The ignition time after the check at ``t_s`` of the navigated ``x``: decided again by
        ``decide(x, t_s)`` (it watches the new fall) when the stage will be off the fall by more
        than ``max_miss_m`` at the ignition (what the point-mass prediction lacks: a rigid
        stage's lift and turns, wind, a rotating Earth), else ``ignition_t_s`` as it was."""
        self.next_check_s = t_s + self.period_s
        if self.fall is None:
            return ignition_t_s
        t0 = self.t0_s
        drift = coast_drift_m(self.fall, self.dt_s, x, t_s - t0, ignition_t_s - t0)
        if not drift > self.max_miss_m:
            return ignition_t_s
        t_ig = decide(x, t_s)
        index = len(notes) if self._note_at is None else self._note_at
        self.times += 1
        notes[index : index + 1] = [
            f"the coast left its predicted fall {self.times} time(s), last at t={t_s:.1f}s "
            f"({drift:.0f} m at ignition): ignition decided again, at t={t_ig:.2f}s"
        ]
        self._note_at = index
        return t_ig


def _first(path: FallPath, start: int, test: Callable[[int], bool]) -> int:
    """The first index from ``start`` whose state passes ``test``, else the path's last."""
    k = path.last(start)
    while not test(k):
        following = path.last(k + 1)
        if following == k:  # the last state above the ground
            break
        k = following
    return k


def _search(
    path: FallPath, feasible: Callable[[int], LandingPlan], guess: int, floor: int, dt: float
) -> tuple[float, float | None] | None:
    """From the stopping estimate's ``guess``: the latest feasible ignition no earlier than
    ``floor`` (its time and time of flight), or None when none from ``floor`` on is."""
    plan = feasible(guess)
    if plan.feasible:  # the estimate was conservative: look later, doubling the step
        ok, tf_ok = guess, plan.tf_s
        step = max(int(FIRST_BACKOFF_S / dt), 1)
        bad = None
        while bad is None and ok < path.last(ok + 1):  # the path steps only as far as asked
            cand = path.last(ok + step)
            plan = feasible(cand)
            if plan.feasible:
                ok, tf_ok = cand, plan.tf_s
                step *= 2
            else:
                bad = cand
        if bad is None:
            return ok * dt, tf_ok
    else:  # back off towards the floor, doubling the step, until a plan exists
        bad, ok, tf_ok = guess, None, None
        step = max(int(FIRST_BACKOFF_S / dt), 1)
        while ok is None:
            cand = max(bad - step, floor)
            plan = feasible(cand)
            if plan.feasible:
                ok, tf_ok = cand, plan.tf_s
            elif cand == floor:
                return None
            else:
                bad = cand
                step *= 2
    for _ in range(BISECTIONS):
        if bad - ok <= 1:
            break
        mid = (ok + bad) // 2
        plan = feasible(mid)
        if plan.feasible:
            ok, tf_ok = mid, plan.tf_s
        else:
            bad = mid
    return ok * dt, tf_ok
