"""Times the fast paths of whichever boostback is first on ``sys.path``; prints one JSON object.

``benchmarks/compare.py`` runs this file by path (``python -P benchmarks/_driver.py``) once per
side and round, with ``PYTHONPATH=<side>/src``, so that the baseline's package is imported from
its worktree and ours from ours. It imports nothing from ``benchmarks/`` and uses the standard
library only, so the same measuring code runs on both sides.

The refactor moves modules, so every function is resolved through a list of candidate import
paths, new locations first and the pre-refactor ones last. When none of them holds it, the
package is searched for the one module that defines it (reported as "found by search": add that
path to the list). The JSON says which path each side used.

Cases (each gets one untimed warm-up call, so compilation and first-call structure building are
not timed):

- ``first_landing``: the first landing burn in this fresh process (one sample, no warm-up: this
  is what the warm-ups exclude elsewhere: loading numba's cached kernels, building the problem
  shapes);
- ``solve``: the landing guidance solve at N = 50, fixed final time, on the instance the executive
  poses at ignition (``bench.ignition_problem`` on ``falcon9_landing``);
- ``free_time``: the free-final-time search on that instance;
- ``landing``: the closed-loop landing burn of ``falcon9_landing``;
- ``flight``: a whole RTLS flight (``falcon9_rtls``), liftoff to touchdown.

Only the fast paths: the CVXPY / ECOS / pure-Python baselines of ``make bench`` are not timed.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import pkgutil
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

PACKAGE = "boostback"
LANDING_SCENARIO = "falcon9_landing"
FLIGHT_SCENARIO = "falcon9_rtls"
NODES = 50

# New locations first (the refactor's layout as docs/architecture.md describes it: landing burn
# in mission/, truth setup in plant/, flight/ later folded into mission/), the pre-refactor ones
# (commit 95eff7a) last. A function that is renamed, or whose signature changes, needs its case
# below adapted as well.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "load_landing": (
        "boostback.config:load_landing",
        "boostback.config.loader:load_landing",
    ),
    "load_flight": (
        "boostback.config:load_flight",
        "boostback.config.loader:load_flight",
    ),
    "landing_setup": (
        "boostback.plant.setup:landing_setup",
        "boostback.sim.setup:landing_setup",
    ),
    "fly_landing": (
        "boostback.mission.landing:fly_landing",
        "boostback.mission:fly_landing",
        "boostback.sim.landing:fly_landing",
    ),
    "ConicSolver": ("boostback.guidance.conic:ConicSolver",),
    "solve_free_time": ("boostback.guidance.search:solve_free_time",),
    "ignition_problem": ("boostback.bench:ignition_problem",),
    "fly_mission": (
        "boostback.mission.flight:fly_mission",
        "boostback.mission:fly_mission",
        "boostback.flight.executive:fly_mission",
    ),
}

CASES = ("first_landing", "solve", "free_time", "landing", "flight")


class ResolveError(LookupError):
    """No candidate path, and no module of the package, defines the name."""


def _missing_module(exc: ModuleNotFoundError, module: str) -> bool:
    """True when ``exc`` says that ``module`` (or a package on its path) does not exist, rather
    than that something it imports is missing."""
    name = exc.name or ""
    return module == name or module.startswith(name + ".")


def _split(candidate: str) -> tuple[str, str]:
    module, sep, attr = candidate.partition(":")
    if not sep or not module or not attr:
        raise ValueError(f"candidate must be 'module:attribute', got {candidate!r}")
    return module, attr


def _getattr_path(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def resolve_candidates(candidates: Sequence[str]) -> tuple[Any, str]:
    """The first ``module:attribute`` of ``candidates`` that exists, and its path.

    A module that does not exist, or lacks the attribute, is skipped. A module that exists but
    fails to import (a syntax error, a missing dependency, a broken import inside it) raises:
    that is a broken checkout, not a moved function.
    """
    tried = []
    for cand in candidates:
        module, attr = _split(cand)
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if not _missing_module(exc, module):
                raise
            tried.append(f"{cand} (no module {exc.name})")
            continue
        try:
            return _getattr_path(mod, attr), cand
        except AttributeError:
            tried.append(f"{cand} (no attribute)")
    raise ResolveError("none of the candidates exists: " + "; ".join(tried))


def find_definition(package: str, name: str) -> tuple[Any, str]:
    """The one module of ``package`` that defines ``name`` (its ``__module__`` is that module),
    imported by walking the package. Modules that fail to import are skipped."""
    pkg = importlib.import_module(package)
    found: dict[str, Any] = {}
    for info in pkgutil.walk_packages(pkg.__path__, package + "."):
        if info.name.rsplit(".", 1)[-1] == "__main__":
            continue
        try:
            mod = importlib.import_module(info.name)
        except Exception:
            continue
        obj = getattr(mod, name, None)
        if obj is not None and getattr(obj, "__module__", None) == info.name:
            found[info.name] = obj
    if len(found) != 1:
        where = ", ".join(sorted(found)) or "no module"
        raise ResolveError(f"{name}: defined in {where} of {package}")
    ((module, obj),) = found.items()
    return obj, f"{module}:{name}"


def resolve(
    name: str, candidates: Sequence[str] | None = None, package: str = PACKAGE
) -> tuple[Any, str]:
    """``name`` through its candidate paths, then by searching ``package`` for its definition.
    Returns the object and where it came from (``"module:attr"``, with " (found by search)")."""
    cands = CANDIDATES[name] if candidates is None else candidates
    try:
        return resolve_candidates(cands)
    except ResolveError as first:
        try:
            obj, where = find_definition(package, name.rpartition(".")[2])
        except ResolveError as second:
            raise ResolveError(f"{name}: {first}; {second}") from None
        return obj, f"{where} (found by search)"


class _Resolver:
    def __init__(self) -> None:
        self.used: dict[str, str] = {}
        self._cache: dict[str, Any] = {}

    def __call__(self, name: str) -> Any:
        if name not in self._cache:
            obj, where = resolve(name)
            self._cache[name] = obj
            self.used[name] = where
        return self._cache[name]


def _time(fn: Callable[[], Any], repeats: int, warmup: bool = True) -> tuple[list[float], Any]:
    last = fn() if warmup else None
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        last = fn()
        samples.append(time.perf_counter() - t0)
    return samples, last


def _landing_note(result: Any) -> str:
    outcome = getattr(result, "outcome", "?")
    outcome = getattr(outcome, "value", outcome)
    return (
        f"{getattr(result, 'guidance_solves', '?')} solves, "
        f"{getattr(result, 'replans', '?')} re-plans, {outcome}"
    )


def run_cases(repeats: dict[str, int], prime: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """Each case's samples and note (or its error). ``prime``: one untimed call per case, to
    fill numba's on-disk cache and check that everything resolves."""
    get = _Resolver()
    out: dict[str, Any] = {}
    state: dict[str, Any] = {}

    def n(case: str) -> int:
        return 0 if prime else repeats.get(case, 0)

    def landing_inputs() -> Any:
        if "landing" not in state:
            scenario, vehicle = get("load_landing")(LANDING_SCENARIO)
            state["landing"] = (scenario, vehicle, get("landing_setup")(vehicle, scenario))
        return state["landing"]

    def ignition() -> Any:
        if "ignition" not in state:
            scenario, vehicle, _ = landing_inputs()
            state["ignition"] = get("ignition_problem")(vehicle, scenario)
        return state["ignition"]

    def first_landing() -> tuple[list[float], str]:
        _, _, setup = landing_inputs()
        fly = get("fly_landing")
        t0 = time.perf_counter()
        result = fly(setup)
        return [time.perf_counter() - t0], _landing_note(result)

    def solve() -> tuple[list[float], str]:
        bp = ignition()
        solver = get("ConicSolver")(NODES)
        drag = bp.drag_at(bp.tf_s, NODES)
        samples, _ = _time(
            lambda: solver.solve(bp.prob, bp.tf_s, disturbance_enu_mps2=drag), n("solve")
        )
        which = getattr(solver, "last_solver", "")
        return samples, f"{getattr(solver, 'last_iterations', '?')} {which} iterations"

    def free_time() -> tuple[list[float], str]:
        bp = ignition()
        solver = get("ConicSolver")(NODES)
        search = get("solve_free_time")
        samples, plan = _time(lambda: search(solver, bp.prob, disturbance=bp.drag), n("free_time"))
        return samples, f"{getattr(plan, 'solves', '?')} solves"

    def landing() -> tuple[list[float], str]:
        _, _, setup = landing_inputs()
        fly = get("fly_landing")
        samples, result = _time(lambda: fly(setup), n("landing"))
        return samples, _landing_note(result)

    def flight() -> tuple[list[float], str]:
        scenario, vehicle = get("load_flight")(FLIGHT_SCENARIO)
        fly = get("fly_mission")
        samples, result = _time(lambda: fly(scenario, vehicle), n("flight"))
        outcome = getattr(result, "outcome", "?")
        outcome = getattr(outcome, "value", outcome)
        return samples, f"{outcome}, {getattr(result, 'predictions', '?')} impact predictions"

    runners = {
        "first_landing": first_landing,
        "solve": solve,
        "free_time": free_time,
        "landing": landing,
        "flight": flight,
    }
    for case in CASES:  # first_landing first: nothing may warm the process before it
        if not prime and case != "first_landing" and n(case) <= 0:
            continue
        try:
            samples, note = runners[case]()
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            out[case] = {"error": f"{type(exc).__name__}: {exc}"}
        else:
            out[case] = {"samples_s": [] if prime else samples, "note": note}
    return out, get.used


def _repeats(items: Sequence[str]) -> dict[str, int]:
    reps = {}
    for item in items:
        key, _, value = item.partition("=")
        if key not in CASES:
            raise SystemExit(f"unknown case {key!r} (cases: {', '.join(CASES)})")
        reps[key] = int(value)
    return reps


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--repeats", nargs="*", default=[], metavar="CASE=N", help="timed calls per case"
    )
    ap.add_argument("--prime", action="store_true", help="one untimed call per case")
    args = ap.parse_args(argv)
    reps = _repeats(args.repeats)
    real_stdout = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):  # anything the package prints stays off stdout
        t0 = time.perf_counter()
        cases, used = run_cases(reps, args.prime)
        wall = time.perf_counter() - t0
        pkg = sys.modules.get(PACKAGE)
    report = {
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "package_file": getattr(pkg, "__file__", None),
        "resolved": used,
        "wall_s": wall,
        "cases": cases,
    }
    real_stdout.write(json.dumps(report) + "\n")
    real_stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
