"""The fast path against the CVXPY reference on thousands of random instances (issue #14).

"The 3,300-instance random comparison (fast path against CVXPY + Clarabel and CVXPY + ECOS) as a
slow test: zero verdict mismatches, zero objectives off by more than 1e-6 relative."

Each instance of ``solver_instances`` (Mars lander and Earth boosters; feasible, too short, too
little propellant, pad out of reach; N = 20, 50, 100, 200; first- and zero-order hold; the fuel,
minimum-error and error-bounded problems) is solved by ``ConicSolver`` (the interior-point method
with its Clarabel fallback, as the closed loop runs it) and by ``LcvxSolver`` with CVXPY calling
Clarabel and, separately, ECOS, all at their default tolerances. Per reference the pair is one
of the ``Outcome`` classes below. A reference SOLVER_ERROR is a solver that stopped without an
answer or a certificate: not a verdict, so it is counted on its own row of the table and never
compared. The fast path's own SOLVER_ERROR where a reference gives a verdict fails the test.
Objectives that differ by more than 1e-6 go to an arbiter (``arbitrate``: CVXPY + Clarabel at
1e-11) that says which side is off; a reference shown off (ECOS, on a few ill-conditioned
instances) is counted on its own row, never as agreement.

The fast path eliminates velocity (second differences of position), so a row residual of 1e-8 is
a velocity-dynamics residual of 1e-8/dt; at N = 100 and 200 that let five of the 3,300 answers
(#651, #802, #1775, #2579, #2879, minimum-error landings next to infeasibility and one fuel
landing) gain 1.0e-6 to 4.5e-6 of objective. ``ConicSolver`` now refines an answer whose velocity
residual exceeds ``conic.VELOCITY_TOL`` (``ConicSolver._refined``: 13 of the 3,300, those five
among them); the table's "fast path solved by" line counts those ("+refined"), and
``test_refined_answers_meet_the_arbiter`` keeps the five.

Run ``pytest -m slow -s tests/test_solver_comparison.py`` to see the table of the full set.
"""

from __future__ import annotations

import collections
import enum
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace

import pytest

from boostback.guidance.conic import ConicSolver
from boostback.guidance.discretize import discretize_nondimensional
from boostback.guidance.lcvx import LcvxSolver
from boostback.guidance.plan import LandingPlan, PlanStatus
from solver_instances import Instance, Kind, Mode, draw, draw_set

SEED = 20261206
FULL_COUNT = 3300
QUICK_SEED, QUICK_COUNT = 14, 60
REFERENCES = ("CLARABEL", "ECOS")
SHOW_SILENT = 20  # reference solver errors listed one by one in the summary (all are counted)
# The acceptance: objectives agree to 1e-6 relative.
OBJECTIVE_RTOL = 1e-6
# The arbiter of an objective mismatch: the CVXPY formulation (velocities explicit, so its
# tolerance is in the problem's own units) solved by Clarabel at tight tolerances. The two
# formulations agree to ~1e-7 there (the fast path's ``ConicSolver(tol=...)`` included), where
# ECOS, at its default or tight tolerances alike, stopped 1.5e-6 to 1.7e-5 away on three of the
# 3,300 instances, ill-conditioned minimum-error landings next to infeasibility (#651, #2113,
# #2579; its plans break the constraints by 1e-8 to 1.5e-7 where Clarabel's keep them to 1e-9,
# and the duals there are large). A reference whose objective is off the
# arbiter's by more than 1e-6 while the fast path's is within it is counted as
# REFERENCE_INACCURATE: not a failure of the fast path, and on its own row of the table.
ARBITER_TOL = 1e-11
FAST_TIGHT_TOL = 1e-10


class Verdict(enum.Enum):
    """What a solve says about the landing problem."""

    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    SOLVER_ERROR = "solver_error"

    @classmethod
    def of(cls, plan: LandingPlan) -> Verdict:
        if plan.feasible:
            return cls.FEASIBLE
        if plan.status is PlanStatus.INFEASIBLE:
            return cls.INFEASIBLE
        return cls.SOLVER_ERROR


class Outcome(enum.Enum):
    """How the fast path's answer compares with one reference's."""

    AGREE_FEASIBLE = "both feasible, objectives agree"
    AGREE_INFEASIBLE = "both infeasible"
    REFERENCE_NO_VERDICT = "reference solver error (no certificate; not compared)"
    FAST_NO_VERDICT = "fast path solver error where the reference has a verdict"
    VERDICT_MISMATCH = "verdicts differ"
    REFERENCE_INACCURATE = "objectives differ, the reference is off (arbiter)"
    OBJECTIVE_MISMATCH = "objectives differ, not the reference's fault (arbiter)"


FAILURES = (Outcome.FAST_NO_VERDICT, Outcome.VERDICT_MISMATCH, Outcome.OBJECTIVE_MISMATCH)


@dataclass(frozen=True)
class Record:
    """One instance compared with one reference."""

    instance: Instance
    reference: str
    fast: Verdict
    ref: Verdict
    ref_status: str  # CVXPY's status of the reference solve
    fast_solver: str  # "IPM", "IPM+Clarabel", or "" (no solve: the vertical certificate)
    objective_fast: float
    objective_ref: float
    outcome: Outcome
    objective_arbiter: float = math.nan  # only on a mismatch (``arbitrate``)
    objective_fast_tight: float = math.nan  # the fast path at FAST_TIGHT_TOL, on a mismatch

    @property
    def rel_diff(self) -> float:
        """Relative difference of the objectives (NaN unless both are feasible)."""
        return _rel_diff(self.objective_fast, self.objective_ref, self.instance)

    def describe(self) -> str:
        return (
            f"{self.instance.label} vs {self.reference}: fast {self.fast.value} "
            f"({self.fast_solver or 'certificate'}), reference {self.ref.value} "
            f"({self.ref_status}); objectives {self.objective_fast!r} / {self.objective_ref!r}"
            + (
                ""
                if math.isnan(self.objective_arbiter)
                else f"; arbiter {self.objective_arbiter!r}, fast path at tol "
                f"{FAST_TIGHT_TOL:g} {self.objective_fast_tight!r}"
            )
        )


def objective(plan: LandingPlan, mode: Mode) -> float:
    """The quantity the problem optimises: propellant burnt, or the landing error."""
    if not plan.feasible:
        return math.nan
    return plan.landing_error_m if mode is Mode.ERROR else plan.propellant_kg


def _rel_diff(a: float, b: float, inst: Instance) -> float:
    """``|a - b|`` relative to the reference's objective.

    The minimum-error problem's objective is zero whenever the pad is reachable, where a relative
    difference means nothing; both back ends solve it in units of the distance to go (``L``,
    ``LandingProblem.nondimensional``), so there the difference is taken relative to
    ``max(|b|, L)``: the same 1e-6, of the larger of the error and the problem's own length.
    Propellant (the other problems) is never near zero on a landing: plain relative.
    """
    if math.isnan(a) or math.isnan(b):
        return math.nan
    scale = abs(b)
    if inst.mode is Mode.ERROR:
        sc = inst.prob.nondimensional()[1]
        scale = max(scale, sc.length_m)
    return abs(a - b) / max(scale, 1e-300)


def classify(fast: Verdict, ref: Verdict, rel_diff: float) -> Outcome:
    """The outcome of one comparison (reference solver errors are not verdicts)."""
    if ref is Verdict.SOLVER_ERROR:
        return Outcome.REFERENCE_NO_VERDICT
    if fast is Verdict.SOLVER_ERROR:
        return Outcome.FAST_NO_VERDICT
    if fast is not ref:
        return Outcome.VERDICT_MISMATCH
    if fast is Verdict.INFEASIBLE:
        return Outcome.AGREE_INFEASIBLE
    return Outcome.AGREE_FEASIBLE if rel_diff <= OBJECTIVE_RTOL else Outcome.OBJECTIVE_MISMATCH


class Bench:
    """One solver of each kind per node count and hold, built once and reused, as a campaign
    does (the fast path's kept state is part of what is compared)."""

    def __init__(self) -> None:
        self._fast: dict[tuple[int, str], ConicSolver] = {}
        self._ref: dict[tuple[str, int, str], LcvxSolver] = {}

    def fast(self, inst: Instance) -> ConicSolver:
        key = (inst.nodes, inst.discretization)
        if key not in self._fast:
            self._fast[key] = ConicSolver(inst.nodes, inst.discretization)
        return self._fast[key]

    def ref(self, name: str, inst: Instance) -> LcvxSolver:
        key = (name, inst.nodes, inst.discretization)
        if key not in self._ref:
            self._ref[key] = LcvxSolver(inst.nodes, name, inst.discretization)
        return self._ref[key]


def solve(solver: ConicSolver | LcvxSolver, inst: Instance) -> LandingPlan:
    return solver.solve(
        inst.prob,
        inst.tf_s,
        inst.mode.value,
        error_bound_m=inst.error_bound_m,
        disturbance_enu_mps2=inst.disturbance_enu_mps2,
    )


def reference_status(ref: LcvxSolver, inst: Instance, plan: LandingPlan) -> str:
    """CVXPY's status of the reference's solve of ``inst`` (optimal, optimal_inaccurate,
    infeasible, ...; "SolverError" when CVXPY raised, as it does for a solver's numerical
    error): the plan keeps only the verdict."""
    if not plan.feasible:
        prefix = "solver status "
        return plan.message[len(prefix) :] if plan.message.startswith(prefix) else "SolverError"
    d = discretize_nondimensional(inst.prob, inst.tf_s, inst.nodes, inst.disturbance_enu_mps2)[2]
    return str(ref._get(inst.mode.value, math.isfinite(d.sigma_cap)).problem.status)


def arbitrate(rec: Record) -> Record:
    """Settle an objective mismatch with a tight solve (``ARBITER_TOL``): which side is off."""
    inst = rec.instance
    arb_solver = LcvxSolver(inst.nodes, "CLARABEL", inst.discretization, tol=ARBITER_TOL)
    arb = objective(solve(arb_solver, inst), inst.mode)
    tight = ConicSolver(inst.nodes, inst.discretization, tol=FAST_TIGHT_TOL)
    fast_tight = objective(solve(tight, inst), inst.mode)
    fast_ok = _rel_diff(rec.objective_fast, arb, inst) <= OBJECTIVE_RTOL
    ref_off = not _rel_diff(rec.objective_ref, arb, inst) <= OBJECTIVE_RTOL
    outcome = Outcome.REFERENCE_INACCURATE if fast_ok and ref_off else Outcome.OBJECTIVE_MISMATCH
    return replace(rec, outcome=outcome, objective_arbiter=arb, objective_fast_tight=fast_tight)


def compare(bench: Bench, inst: Instance) -> list[Record]:
    """Solve ``inst`` with the fast path and each reference; one record per reference."""
    fast_solver = bench.fast(inst)
    fast_plan = solve(fast_solver, inst)
    used = fast_solver.last_solver if fast_plan.solves else ""
    fast = Verdict.of(fast_plan)
    out = []
    for name in REFERENCES:
        ref_solver = bench.ref(name, inst)
        ref_plan = solve(ref_solver, inst)
        ref = Verdict.of(ref_plan)
        a, b = objective(fast_plan, inst.mode), objective(ref_plan, inst.mode)
        outcome = classify(fast, ref, _rel_diff(a, b, inst))
        status = reference_status(ref_solver, inst, ref_plan)
        rec = Record(inst, name, fast, ref, status, used, a, b, outcome)
        out.append(arbitrate(rec) if outcome is Outcome.OBJECTIVE_MISMATCH else rec)
    return out


def run(instances: Iterable[Instance]) -> list[Record]:
    bench = Bench()
    return [rec for inst in instances for rec in compare(bench, inst)]


# --- The summary table ---------------------------------------------------------------------------


def _table(title: str, rows: dict[str, collections.Counter], columns: list[str]) -> list[str]:
    width = max(len(title), *(len(r) for r in rows)) + 2
    lines = [title.ljust(width) + "".join(f"{c:>16}" for c in columns)]
    for name, counts in rows.items():
        lines.append(name.ljust(width) + "".join(f"{counts[c]:>16}" for c in columns))
    return lines


def summary(records: list[Record], elapsed_s: float) -> str:
    """Counts per class: outcomes per reference, verdicts per family and kind, solvers used."""
    n_inst = len({r.instance.index for r in records})
    lines = [f"{n_inst} instances, {len(records)} comparisons, {elapsed_s:.0f} s"]
    refs = list(REFERENCES)
    by_outcome = {o.value: collections.Counter() for o in Outcome}
    for r in records:
        by_outcome[r.outcome.value][r.reference] += 1
    lines += _table("outcome (per reference)", by_outcome, refs)
    first = [r for r in records if r.reference == REFERENCES[0]]
    verdicts = [v.value for v in Verdict]
    by_kind: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in first:
        by_kind[f"{r.instance.family}/{r.instance.kind.value}"][r.fast.value] += 1
        by_kind[f"N={r.instance.nodes} {r.instance.discretization}"][r.fast.value] += 1
        by_kind[f"mode {r.instance.mode.value}"][r.fast.value] += 1
    lines += ["", *_table("fast-path verdict", dict(sorted(by_kind.items())), verdicts)]
    ref_status = collections.defaultdict(collections.Counter)
    for r in records:
        ref_status[f"CVXPY status {r.ref_status}"][r.reference] += 1
    lines += ["", *_table("reference status", dict(sorted(ref_status.items())), refs)]
    used = collections.Counter(r.fast_solver or "certificate" for r in first)
    lines += ["", "fast path solved by: " + ", ".join(f"{k} {v}" for k, v in sorted(used.items()))]
    worst = max((r.rel_diff for r in records if r.outcome is Outcome.AGREE_FEASIBLE), default=0.0)
    lines.append(f"largest objective difference among agreeing pairs: {worst:.2e} (relative)")
    listed = (*FAILURES, Outcome.REFERENCE_INACCURATE)
    lines += [f"  {r.outcome.name}: {r.describe()}" for r in records if r.outcome in listed]
    silent = [r for r in records if r.outcome is Outcome.REFERENCE_NO_VERDICT]
    lines += [f"  no reference verdict: {r.describe()}" for r in silent[:SHOW_SILENT]]
    if len(silent) > SHOW_SILENT:
        lines.append(f"  ... and {len(silent) - SHOW_SILENT} more with no reference verdict")
    return "\n".join(lines)


def check_verdicts(records: list[Record]) -> None:
    """No verdict mismatch, and no fast-path solver error where a reference has a verdict."""
    bad = (Outcome.FAST_NO_VERDICT, Outcome.VERDICT_MISMATCH)
    failures = [r.describe() for r in records if r.outcome in bad]
    assert not failures, "\n".join(failures)


def check_objectives(records: list[Record]) -> None:
    """No objective off by more than 1e-6 relative on the fast path's side."""
    failures = [r.describe() for r in records if r.outcome is Outcome.OBJECTIVE_MISMATCH]
    assert not failures, "\n".join(failures)


def _run_and_report(seed: int, count: int) -> list[Record]:
    start = time.perf_counter()
    records = run(draw_set(seed, count))
    print("\n" + summary(records, time.perf_counter() - start))
    return records


# --- The tests -----------------------------------------------------------------------------------


def test_sixty_instances_agree() -> None:
    """The default-suite version: 60 instances over every family, kind, node count and hold."""
    records = _run_and_report(QUICK_SEED, QUICK_COUNT)
    check_verdicts(records)
    check_objectives(records)
    insts = {r.instance.index: r.instance for r in records}.values()
    assert {i.family for i in insts} == {"mars", "falcon9", "zhuque3"}
    assert {(i.nodes, i.discretization) for i in insts} == {
        (n, h) for n in (20, 50, 100, 200) for h in ("foh", "zoh")
    }
    outcomes = collections.Counter(r.outcome for r in records)
    # a comparison of answers, not of two failures: both verdicts occur, in numbers
    assert outcomes[Outcome.AGREE_FEASIBLE] >= 30 and outcomes[Outcome.AGREE_INFEASIBLE] >= 30


@pytest.fixture(scope="module")
def full_records() -> list[Record]:
    """The 3,300 instances compared once for the slow tests below (table printed)."""
    return _run_and_report(SEED, FULL_COUNT)


@pytest.mark.slow
def test_three_thousand_three_hundred_verdicts_agree(full_records: list[Record]) -> None:
    """Issue #14: zero verdict mismatches (and the fast path answers wherever a reference does)."""
    check_verdicts(full_records)
    first = [r for r in full_records if r.reference == REFERENCES[0]]
    kinds = collections.Counter(r.instance.kind for r in first)
    assert all(kinds[k] >= FULL_COUNT // 10 for k in Kind)
    outcomes = collections.Counter(r.outcome for r in full_records)
    assert outcomes[Outcome.AGREE_FEASIBLE] >= FULL_COUNT // 2
    assert outcomes[Outcome.AGREE_INFEASIBLE] >= FULL_COUNT // 2


@pytest.mark.slow
def test_three_thousand_three_hundred_objectives_agree(full_records: list[Record]) -> None:
    """Issue #14: zero objectives off by more than 1e-6 relative (the fast path's side)."""
    check_objectives(full_records)


# The instances whose default-tolerance answers missed 1e-6 before the refinement (issue #14).
REFINED = (651, 802, 1775, 2579, 2879)


def test_refined_answers_meet_the_arbiter(monkeypatch: pytest.MonkeyPatch) -> None:
    """The five answers that were off are refined and agree with the arbiter to 1e-6; with the
    refinement switched off, they do not (what the refinement fixes is still there to fix)."""
    insts = [draw(SEED, i) for i in REFINED]
    arbiter = [
        objective(
            solve(LcvxSolver(i.nodes, "CLARABEL", i.discretization, tol=ARBITER_TOL), i), i.mode
        )
        for i in insts
    ]
    for inst, arb in zip(insts, arbiter, strict=True):
        fast = ConicSolver(inst.nodes, inst.discretization)
        plan = solve(fast, inst)
        assert fast.refinements == 1 and fast.last_solver == "IPM+refined", inst.label
        assert _rel_diff(objective(plan, inst.mode), arb, inst) <= OBJECTIVE_RTOL, inst.label
    monkeypatch.setattr(ConicSolver, "_refined", lambda self, run, *args: run)
    unrefined = [
        _rel_diff(objective(solve(ConicSolver(i.nodes, i.discretization), i), i.mode), arb, i)
        for i, arb in zip(insts, arbiter, strict=True)
    ]
    # #1775 was 1.005e-6 off in the full run, 9.9e-7 when solved first by a fresh solver (the
    # glide-slope relaxation's state): the other four are off either way
    assert sum(diff > OBJECTIVE_RTOL for diff in unrefined) >= 4, unrefined


def test_classes() -> None:
    """The classification the tables count, on its edge cases."""
    F, N, E = Verdict.FEASIBLE, Verdict.INFEASIBLE, Verdict.SOLVER_ERROR
    assert classify(F, E, math.nan) is Outcome.REFERENCE_NO_VERDICT
    assert classify(E, E, math.nan) is Outcome.REFERENCE_NO_VERDICT
    assert classify(E, N, math.nan) is Outcome.FAST_NO_VERDICT
    assert classify(F, N, math.nan) is Outcome.VERDICT_MISMATCH
    assert classify(N, F, math.nan) is Outcome.VERDICT_MISMATCH
    assert classify(N, N, math.nan) is Outcome.AGREE_INFEASIBLE
    assert classify(F, F, 1e-6) is Outcome.AGREE_FEASIBLE
    assert classify(F, F, 1.1e-6) is Outcome.OBJECTIVE_MISMATCH
    assert classify(F, F, math.nan) is Outcome.OBJECTIVE_MISMATCH


def test_arbiter_names_the_side_that_is_off() -> None:
    """An objective mismatch goes to the tight arbiter: the reference is off when the fast path
    agrees with the arbiter and it does not; otherwise the mismatch stays the fast path's."""
    inst = next(
        i for i in draw_set(QUICK_SEED, 20) if i.mode is Mode.FUEL and i.kind is Kind.NOMINAL
    )
    rec = compare(Bench(), inst)[0]
    assert rec.outcome is Outcome.AGREE_FEASIBLE
    good, bad = rec.objective_fast, rec.objective_fast * (1 + 1e-4)
    ref_off = replace(rec, objective_ref=bad, outcome=Outcome.OBJECTIVE_MISMATCH)
    assert arbitrate(ref_off).outcome is Outcome.REFERENCE_INACCURATE
    fast_off = replace(rec, objective_fast=bad, objective_ref=good)
    judged = arbitrate(replace(fast_off, outcome=Outcome.OBJECTIVE_MISMATCH))
    assert judged.outcome is Outcome.OBJECTIVE_MISMATCH
    assert judged.objective_arbiter == pytest.approx(good, rel=1e-6)
