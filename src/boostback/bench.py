"""Speed measurements: each case runs the fast path and its baseline interleaved, in one process.

Used by ``make bench`` (``python -m benchmarks``) and by ``boostback bench`` for a user's vehicle.
Nothing here asserts a time: it measures and reports ratios against a baseline in the same run.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.table import Table

from boostback.config.models import LandingScenario, Vehicle
from boostback.guidance import kkt_store
from boostback.guidance.conic import ConicSolver
from boostback.guidance.ignition import ballistic_path, find_ignition
from boostback.guidance.ipm import KktShape
from boostback.guidance.lcvx import LcvxSolver
from boostback.guidance.lcvx_guidance import LcvxGuidance
from boostback.guidance.problem import LandingProblem
from boostback.guidance.search import Disturbance, solve_free_time
from boostback.mission.landing import fly_landing
from boostback.plant.setup import landing_setup
from boostback.timing import BenchRow


def _interleaved(
    fast: Callable[[], object], base: Callable[[], object] | None, repeats: int
) -> tuple[list[float], list[float], Any]:
    """Times of the fast path and its baseline, called alternately; and the fast path's last
    result, for the row's note. Without a baseline (its solver is not installed) its times are
    NaN: reported as missing, never timed."""
    fast()  # warm-up: first calls build structures and caches
    if base is not None:
        base()
    tf, tb = [], []
    last: Any = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        last = fast()
        tf.append(time.perf_counter() - t0)
        if base is None:
            tb.append(math.nan)
            continue
        t0 = time.perf_counter()
        base()
        tb.append(time.perf_counter() - t0)
    return tf, tb, last


def _ecos() -> str | None:
    """``None`` when CVXPY can call ECOS, else what to say in the baseline's place."""
    import cvxpy

    if "ECOS" in cvxpy.installed_solvers():
        return None
    return "CVXPY + ECOS: not installed (the dev extras have it: make test)"


def _row(
    case: str, baseline: str, tf: list[float], tb: list[float], target: float | None, note: str = ""
) -> BenchRow:
    return BenchRow(
        case=case,
        median_s=statistics.median(tf),
        p90_s=float(np.percentile(tf, 90)),
        baseline=baseline,
        baseline_median_s=statistics.median(tb),
        target_s=target,
        note=note,
    )


@dataclass(frozen=True)
class BenchProblem:
    """A landing problem as the executive poses it at ignition, drag included."""

    prob: LandingProblem
    tf_s: float
    drag: Disturbance

    def drag_at(self, tf_s: float, nodes: int) -> np.ndarray:
        t_mid = (np.arange(nodes) + 0.5) * tf_s / nodes
        return self.drag(t_mid, tf_s)


def ignition_problem(vehicle: Vehicle, scenario: LandingScenario) -> BenchProblem:
    """The guidance problem at the executive's ignition point, and its optimal time of flight.

    Full throttle is allowed (the ignition point sits at the edge of what the executive's throttle
    headroom allows) and drag enters as the executive models it, a known disturbance.
    """
    setup = landing_setup(vehicle, scenario)
    guidance = LcvxGuidance(setup)
    x0 = setup.initial_state()
    t_ig, _ = find_ignition(setup, guidance.feasible, x0)
    path = ballistic_path(setup, x0, scenario.sim.dt_s, t_ig + scenario.sim.dt_s)
    x = path[min(round(t_ig / scenario.sim.dt_s), len(path) - 1)]
    prob = guidance.problem(x, 1.0)
    drag = guidance.drag_now(x, 1.0)
    plan = solve_free_time(ConicSolver(50), prob, disturbance=drag)
    if not plan.feasible:
        raise RuntimeError(f"no feasible landing from the ignition state: {plan.message}")
    return BenchProblem(prob, plan.tf_s, drag)


def run_benchmarks(
    vehicle: Vehicle,
    scenario: LandingScenario,
    *,
    solve_repeats: int = 40,
    search_repeats: int = 8,
    flight_repeats: int = 3,
    progress: Callable[[str], None] | None = None,
) -> list[BenchRow]:
    """Measure the landing solve, the free-final-time search and the closed-loop landing."""
    say = progress or (lambda _msg: None)
    bp = ignition_problem(vehicle, scenario)
    prob, tf, d50 = bp.prob, bp.tf_s, bp.drag_at(bp.tf_s, 50)
    fast, base = ConicSolver(50), LcvxSolver(50, solver="ECOS")
    missing = _ecos()
    rows = []
    say("step 1 of 5: fixed-time solve, fast path against CVXPY + ECOS")
    a, b, _ = _interleaved(
        lambda: fast.solve(prob, tf, disturbance_enu_mps2=d50),
        None if missing else (lambda: base.solve(prob, tf, disturbance_enu_mps2=d50)),
        solve_repeats,
    )
    inside = fast.last_solver_time_s  # of the last timed solve
    rows.append(
        _row(
            "landing solve, N=50, fixed t_f",
            missing or "CVXPY + ECOS",
            a,
            b,
            0.002,
            f"{fast.last_iterations} {fast.last_solver} iterations, "
            f"{inside * 1e3:.2f} ms inside the solver",
        )
    )
    say("step 2 of 5: free-final-time search")
    fast_s, base_s = ConicSolver(50), LcvxSolver(50, solver="ECOS")
    a, b, plan = _interleaved(
        lambda: solve_free_time(fast_s, prob, disturbance=bp.drag),
        None if missing else (lambda: solve_free_time(base_s, prob, disturbance=bp.drag)),
        search_repeats,
    )
    rows.append(
        _row(
            "free-final-time solve, N=50",
            missing or "same search, CVXPY + ECOS",
            a,
            b,
            0.030,
            f"{plan.solves} solves",
        )
    )
    say("step 3 of 5: closed-loop landing burns (about 20 s)")
    cvx = scenario.model_copy(
        update={"guidance": scenario.guidance.model_copy(update={"backend": "cvxpy"})}
    )
    fast_setup, base_setup = landing_setup(vehicle, scenario), landing_setup(vehicle, cvx)
    a, b, result = _interleaved(
        lambda: fly_landing(fast_setup), lambda: fly_landing(base_setup), flight_repeats
    )
    rows.append(
        _row(
            "closed-loop landing burn (incl. ignition search)",
            "same loop, CVXPY + Clarabel",
            a,
            b,
            0.2,
            f"{result.guidance_solves} solves, {result.replans} re-plans "
            f"({_latency(result.replan_times_s)}), {result.outcome.value}",
        )
    )
    say("step 4 of 5: per-shape analysis against Clarabel's set-up")
    rows.append(shape_analysis_row(bp))
    say("step 5 of 5: first solve in fresh processes (the interpreted one takes seconds)")
    rows.append(first_solve_row(bp))
    return rows


class _Recording(ConicSolver):
    """The fast path, keeping the shape and the conic data of its method's last solve."""

    seen: tuple[Any, np.ndarray, np.ndarray] | None = None

    def _run_ipm(self, kkt, st, data, b, scale, tol):  # type: ignore[no-untyped-def]
        self.seen = (st, data, b)
        return super()._run_ipm(kkt, st, data, b, scale, tol)


def shape_analysis_row(bp: BenchProblem, repeats: int = 40) -> BenchRow:
    """The interior-point method's symbolic analysis of the N = 50 instance's problem shape
    (ordering, factor pattern, storage positions, update schedule), found afresh each time
    (``kkt_store`` bypassed), against Clarabel's whole set-up on the same conic data (its
    equilibration, KKT assembly and factorisation's analysis), interleaved; the note gives the
    same analysis read back from disk, as every process after the first gets it."""
    solver = _Recording(50)
    solver.solve(bp.prob, bp.tf_s, disturbance_enu_mps2=bp.drag_at(bp.tf_s, 50))
    assert solver.seen is not None
    st, data, b = solver.seen
    args = (st.lay.n_x, st.m, st.n_eq, st.n_ineq, st.soc_dims, st.indptr, st.indices)
    with kkt_store.bypassed():  # found afresh each time, as the first process to meet it does
        a, c, shape = _interleaved(
            lambda: KktShape(*args),
            lambda: ConicSolver._clarabel(st, data, b, solver.settings),
            repeats,
        )
    KktShape(*args)  # kept on disk (if it was not yet), then read back as later processes do
    read, _, _ = _interleaved(lambda: KktShape(*args), None, repeats)
    return _row(
        "per-shape KKT analysis, N=50",
        "Clarabel's set-up, same data",
        a,
        c,
        0.001,
        f"{shape.size} unknowns, {shape.nnz_l} nonzeros in L, {int(shape.tp[-1])} updates; "
        f"read back from disk {statistics.median(read) * 1e3:.2f} ms",
    )


_FIRST_SOLVE = (
    "import json, pickle, sys, time\n"
    "t0 = time.process_time()\n"
    "from boostback.guidance.conic import ConicSolver\n"
    "from boostback.aot import loaded, numba_started\n"
    "t1 = time.process_time()\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    prob, tf, d = pickle.load(f)\n"
    "solver, numba_s = ConicSolver(50), 0.0\n"
    "if sys.argv[2] == 'split':  # numba's own start-up, timed apart\n"
    "    from numba.core.registry import cpu_target\n"
    "    t = time.process_time()\n"
    "    cpu_target.target_context.refresh()\n"
    "    numba_s = time.process_time() - t\n"
    "t2 = time.process_time()\n"
    "plan = solver.solve(prob, tf, disturbance_enu_mps2=d)\n"
    "t3 = time.process_time()\n"
    "solver.solve(prob, tf, disturbance_enu_mps2=d)\n"
    "t4 = time.process_time()\n"
    "from hashlib import sha256\n"
    "import numpy as np\n"
    "data = np.column_stack([plan.r_enu_m, plan.v_enu_mps, plan.accel_enu_mps2, plan.mass_kg])\n"
    "print(json.dumps({'import_s': t1 - t0, 'first_s': t3 - t2 + numba_s, 'warm_s': t4 - t3,\n"
    "                  'numba_s': numba_s, 'aot': loaded(), 'status': str(plan.status),\n"
    "                  'plan': sha256(np.ascontiguousarray(data)).hexdigest() + plan.tf_s.hex(),\n"
    "                  'numba_started': numba_started()}))\n"
)


def _first_solve(
    path: str, mode: str = "whole", compiled: bool = True, aot: bool = True
) -> dict[str, Any]:
    """CPU times of one fresh process that imports the solver and solves the problem in
    ``path`` twice (``mode`` "split": numba's start-up timed apart, and counted in the first;
    ``aot`` False: the kernels built ahead of time left aside, ``BOOSTBACK_AOT=0``), with the
    kernels it ran from those modules, the plan's status and a hash of its bits, and whether
    numba's compiler started in it."""
    env = {**os.environ, "BOOSTBACK_JIT": "1" if compiled else "0"}
    env["BOOSTBACK_AOT"] = "1" if aot else "0"
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_SOLVE, path, mode],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def first_solve_row(bp: BenchProblem, repeats: int = 5, interpreted: bool = True) -> BenchRow:
    """The N = 50 fixed-time solve as the first one of a fresh process (CPU time of the call;
    the process has imported the solver; its kernels from the modules built ahead of time,
    ``python -m boostback.aot_build``, when they are built), against the same first solve with
    every kernel interpreted (``BOOSTBACK_JIT=0``; without ``interpreted`` that baseline is
    NaN). The note gives the same first solve through numba's dispatcher (``BOOSTBACK_AOT=0``)
    and numba's own start-up in it, and the import before it."""
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "problem.pkl")
        with open(path, "wb") as f:
            pickle.dump((bp.prob, bp.tf_s, bp.drag_at(bp.tf_s, 50)), f)
        _first_solve(path, aot=False)  # the kernels compiled into numba's cache if need be
        runs, numba = [], []
        for _ in range(repeats):  # interleaved: the machine's load falls on both alike
            runs.append(_first_solve(path))
            numba.append(_first_solve(path, aot=False)["first_s"])
        split = _first_solve(path, "split", aot=False)
        base = [_first_solve(path, compiled=False)["first_s"]] if interpreted else [math.nan]
    first = [r["first_s"] for r in runs]
    modules = min(len(r["aot"]) for r in runs)
    return _row(
        "time to first solve, fresh process (CPU)",
        "same, interpreted (BOOSTBACK_JIT=0)",
        first,
        base,
        0.1,
        f"{modules} kernels from modules built ahead of time; through numba's dispatcher "
        f"instead {statistics.median(numba) * 1e3:.0f} ms (numba's start-up "
        f"{split['numba_s']:.2f} s of it); then warm "
        f"{statistics.median(r['warm_s'] for r in runs) * 1e3:.1f} ms; importing the solver "
        f"{statistics.median(r['import_s'] for r in runs):.2f} s before it",
    )


def _latency(times_s: tuple[float, ...]) -> str:
    """Median and worst of the re-plans' wall times, for the closed-loop row's note."""
    if not times_s:
        return "none"
    return f"median {statistics.median(times_s) * 1e3:.1f} ms, max {max(times_s) * 1e3:.1f} ms"


_TIMED_FLIGHT = (
    "import sys, time\n"
    "from boostback.config.loader import load_flight\n"
    "from boostback.flight.executive import fly_mission\n"
    "scenario, vehicle = load_flight(sys.argv[1])\n"
    "t0 = time.perf_counter()\n"
    "fly_mission(scenario, vehicle)\n"
    "print(time.perf_counter() - t0)\n"
)


def _interpreted_s(code: str, scenario_name: str) -> float:
    """Wall time ``code`` prints for ``scenario_name`` with every kernel interpreted
    (``BOOSTBACK_JIT=0``), in a fresh process: the same source as compiled, as plain Python."""
    env = {**os.environ, "BOOSTBACK_JIT": "0"}
    out = subprocess.run(
        [sys.executable, "-c", code, scenario_name],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return float(out.stdout.split()[-1])


def interpreted_flight_s(scenario_name: str) -> float:
    """Wall time of one whole flight with every kernel interpreted (``BOOSTBACK_JIT=0``), in a
    fresh process: the same source as the compiled flight, run as plain Python."""
    return _interpreted_s(_TIMED_FLIGHT, scenario_name)


def flight_benchmark(
    scenario_name: str = "falcon9_rtls", repeats: int = 3, baseline: bool = True
) -> BenchRow:
    """A whole recovery flight, liftoff to touchdown, compiled; its baseline is the same flight
    interpreted (``BOOSTBACK_JIT=0``, once: it takes minutes). Without ``baseline`` the row's
    baseline is NaN."""
    from boostback.config.loader import load_flight
    from boostback.flight.executive import fly_mission

    scenario, vehicle = load_flight(scenario_name)
    fly_mission(scenario, vehicle)  # warm-up: compiled kernels loaded, structures built
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fly_mission(scenario, vehicle)
        times.append(time.perf_counter() - t0)
    base = [interpreted_flight_s(scenario_name)] if baseline else [math.nan]
    assert result is not None
    return _row(
        f"full recovery flight, liftoff to touchdown ({scenario_name})",
        "same flight interpreted (BOOSTBACK_JIT=0)",
        times,
        base,
        0.5,
        f"{result.outcome}, {result.predictions} impact predictions",
    )


LANDING_DISPERSIONS = [
    {"path": "initial.altitude_m", "dist": "normal", "sigma": 100.0},
    {"path": "environment.wind_enu_mps[0]", "dist": "uniform", "low": -5, "high": 5},
]
FLIGHT_DISPERSIONS = [{"path": "mission.payload_mass_kg", "dist": "normal", "sigma": 300.0}]


def campaign_throughput(
    scenario_name: str,
    folder: str,
    runs: int = 16,
    workers: tuple[int, ...] = (1, 2),
    dispersions: list[dict] | None = None,
) -> dict[int, float]:
    """Runs per second of a small dispersed campaign at each worker count."""
    import shutil
    import tempfile
    from pathlib import Path

    from boostback.campaign.campaign import run_campaign
    from boostback.campaign.spec import campaign_from_dict

    spec = campaign_from_dict(
        {
            "scenario": scenario_name,
            "runs": runs,
            "seed": 1,
            "execution": {"batch_size": 2},
            "dispersions": LANDING_DISPERSIONS if dispersions is None else dispersions,
        }
    )
    rates = {}
    root = Path(tempfile.mkdtemp(dir=folder))
    try:
        for n in workers:
            out = root / f"w{n}"
            t0 = time.perf_counter()
            run_campaign(spec, out, workers=n)
            rates[n] = runs / (time.perf_counter() - t0)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return rates


def bench_table(rows: list[BenchRow], title: str) -> Table:
    """The timings as a rich table: case, median, p90, target, baseline, ratio, note."""
    table = Table(title=title)
    for col in ("case", "median", "p90", "target", "baseline", "baseline median", "ratio", "note"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r.case,
            f"{r.median_s * 1e3:.2f} ms",
            f"{r.p90_s * 1e3:.2f} ms",
            f"{r.target_s * 1e3:.0f} ms" if r.target_s else "",
            r.baseline,
            "" if math.isnan(r.baseline_median_s) else f"{r.baseline_median_s * 1e3:.2f} ms",
            "" if math.isnan(r.ratio) else f"{r.ratio:.2f}x",
            r.note,
        )
    return table


# --- 6-DoF (issues #16 and #17): the closed-loop rigid landing burn against the 3-DoF one and
# against itself interpreted; the successive-convexification solves against CVXPY -------------

_TIMED_LANDING = (
    "import sys, time\n"
    "from boostback.config.loader import load_landing\n"
    "from boostback.mission.landing import fly_landing\n"
    "from boostback.plant.setup import landing_setup\n"
    "scenario, vehicle = load_landing(sys.argv[1])\n"
    "scenario = scenario.model_copy(update={'sim': scenario.sim.model_copy(update={'dof': 6})})\n"
    "setup = landing_setup(vehicle, scenario)\n"
    "t0 = time.perf_counter()\n"
    "fly_landing(setup)\n"
    "print(time.perf_counter() - t0)\n"
)


def _interpreted_landing_s(scenario_name: str) -> float:
    """Wall time of one 6-DoF landing burn with every kernel interpreted, in a fresh process."""
    return _interpreted_s(_TIMED_LANDING, scenario_name)


def sixdof_landing_rows(
    scenario_name: str = "falcon9_landing", repeats: int = 5, interpreted: bool = True
) -> list[BenchRow]:
    """The closed-loop 6-DoF landing burn against the 3-DoF one, and against itself interpreted.

    Parameters
    ----------
    scenario_name : str
        A built-in landing scenario whose vehicle has a ``[booster.rigid_body]`` section.
    repeats : int
        Timed flights of each (after one untimed warm-up).
    interpreted : bool
        Also time the interpreted flight (minutes); without it that row's baseline is NaN.

    Returns
    -------
    list of BenchRow
    """
    from boostback.config.loader import load_landing
    from boostback.mission.landing import fly_landing
    from boostback.plant.setup import landing_setup

    scenario, vehicle = load_landing(scenario_name)
    six = scenario.model_copy(update={"sim": scenario.sim.model_copy(update={"dof": 6})})
    setup3, setup6 = landing_setup(vehicle, scenario), landing_setup(vehicle, six)
    t6, t3, result = _interleaved(lambda: fly_landing(setup6), lambda: fly_landing(setup3), repeats)
    td = result.touchdown
    state = (
        f"{result.outcome.value}; touchdown {td.vertical_speed_mps:.2f} m/s down, "
        f"{td.lateral_speed_mps:.2f} m/s sideways, tilt {td.tilt_deg:.1f} deg, "
        f"rates {td.rates_dps:.1f} deg/s, miss {td.miss_m:.1f} m"
        if td is not None
        else result.outcome.value
    )
    versus_3dof = _row(
        f"closed-loop 6-DoF landing burn ({scenario_name})",
        "the 3-DoF landing burn of the same scenario (target: ratio >= 0.5)",
        t6,
        t3,
        None,
        state,
    )
    base = [_interpreted_landing_s(scenario_name)] if interpreted else [math.nan]
    versus_python = _row(
        f"closed-loop 6-DoF landing burn ({scenario_name})",
        "same flight interpreted (BOOSTBACK_JIT=0)",
        t6,
        base,
        None,
    )
    return [versus_3dof, versus_python]


_TIMED_FLIGHT6 = _TIMED_FLIGHT.replace(
    "t0 = time.perf_counter()\n",
    "scenario = scenario.model_copy(update={'sim': scenario.sim.model_copy(update={'dof': 6})})\n"
    "t0 = time.perf_counter()\n",
)


def sixdof_flight_rows(
    scenario_name: str = "falcon9_rtls", repeats: int = 3, interpreted: bool = True
) -> list[BenchRow]:
    """A whole 6-DoF flight (the booster a rigid body from separation) against the point-mass
    flight in the same run (target: under 1 s on a quiet 2-core machine), and against itself
    interpreted (``BOOSTBACK_JIT=0``, minutes; without ``interpreted`` that baseline is NaN)."""
    from boostback.config.loader import load_flight
    from boostback.flight.executive import fly_mission

    scenario, vehicle = load_flight(scenario_name)
    six = scenario.model_copy(update={"sim": scenario.sim.model_copy(update={"dof": 6})})
    t6, t3, result = _interleaved(
        lambda: fly_mission(six, vehicle), lambda: fly_mission(scenario, vehicle), repeats
    )
    s = result.summary()
    state = (
        f"{result.outcome}; touchdown {s['touchdown_vertical_speed_mps']:.2f} m/s down, "
        f"{s['touchdown_lateral_speed_mps']:.2f} m/s sideways, miss {s['miss_distance_m']:.1f} m; "
        f"flip {s['rigid_flip_s']:.1f} s"
    )
    case = f"whole 6-DoF flight, liftoff to touchdown ({scenario_name})"
    versus_3dof = _row(case, "the point-mass flight of the same scenario", t6, t3, 1.0, state)
    base = [_interpreted_s(_TIMED_FLIGHT6, scenario_name)] if interpreted else [math.nan]
    versus_python = _row(case, "same flight interpreted (BOOSTBACK_JIT=0)", t6, base, 1.0)
    return [versus_3dof, versus_python]


def scvx_rows(repeats: int = 10, baseline_repeats: int = 3) -> list[BenchRow]:
    """The published 6-DoF problem solved cold by PTR and by SCvx, against the same algorithm
    with every subproblem through CVXPY (target: 0.1 s per cold solve on a quiet machine), and
    a warm-started re-plan against the same re-plan from a cold start."""
    from boostback.guidance.scvx.bench import published_cold_solve, warm_replan

    rows = []
    for method in ("ptr", "scvx", "replan"):
        t0 = time.perf_counter()
        if method == "replan":
            timing, target = warm_replan(), None
        else:
            timing = published_cold_solve(
                method, repeats=repeats, baseline_repeats=baseline_repeats
            )
            target = 0.1
        rows.append(
            BenchRow(
                case=timing.case,
                median_s=timing.median_s,
                p90_s=timing.p90_s,
                baseline=timing.baseline,
                baseline_median_s=timing.baseline_median_s,
                target_s=target,
                note=f"{timing.note} ({time.perf_counter() - t0:.0f} s measuring)",
            )
        )
    return rows
