"""This checkout's speed against a baseline commit's, measured in one run on this machine.

    python -m benchmarks.compare [--baseline REV] [--rounds K] [--json FILE]   (make bench-compare)

The baseline (default: 95eff7a, the commit before the refactor) is checked out beside the
project with ``git worktree add --detach .bench-baseline/<sha> REV`` (git-ignored, reused on the
next run). Each side is timed by ``benchmarks/_driver.py`` in its own subprocess, with this same
interpreter and ``PYTHONPATH=<side>/src``, so each imports its own package. Rounds alternate
(baseline, ours, baseline, ours, ...) so that machine drift hits both sides alike; each round is a
fresh process per side, and the samples of all rounds are pooled per case.

Exit status: 0 when no case is more than 10 % slower than the baseline (ours median / baseline
median <= 1.10), 1 when one is, 2 when a side could not be measured. The first landing burn in a
fresh process is shown for information and does not decide the exit status: ``make bench`` does
not time it, and it mostly measures loading numba's cache from disk.

Nothing here imports boostback: "ours" may be mid-change while this runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DRIVER = Path(__file__).resolve().with_name("_driver.py")
WORKTREES = ".bench-baseline"
DEFAULT_BASELINE = "95eff7a"
THRESHOLD = 0.10
DEFAULT_ROUNDS = 16
# settings that would run a side's kernels interpreted (BOOSTBACK_JIT exists after 95eff7a)
INTERPRETED = ("BOOSTBACK_JIT", "NUMBA_DISABLE_JIT")
DRIVER_TIMEOUT_S = 900.0  # a first run compiles the baseline's numba kernels (~20 s)


@dataclass(frozen=True)
class Case:
    key: str  # the driver's name for it
    label: str
    repeats: int  # timed calls per side and round, after one warm-up call
    gating: bool = True  # decides the exit status


CASES = (
    Case("solve", "landing solve, N=50, fixed t_f", 100),
    Case("free_time", "free-final-time solve, N=50", 20),
    Case("landing", "closed-loop landing burn", 6),
    Case("flight", "full RTLS flight", 3),
    Case("first_landing", "first landing burn, fresh process (info)", 1, gating=False),
)
GATING = tuple(c for c in CASES if c.gating)


# ---- the pure part: statistics and verdicts -------------------------------------------------


def median(samples: Sequence[float]) -> float:
    """The median, NaN for no samples."""
    return statistics.median(samples) if samples else math.nan


def ratio(baseline_s: float, ours_s: float) -> float:
    """Ours over baseline (above 1: ours is slower); NaN when either is missing or not positive."""
    if not (baseline_s > 0 and ours_s > 0) or math.isinf(baseline_s) or math.isinf(ours_s):
        return math.nan
    return ours_s / baseline_s


def is_slower(r: float, threshold: float = THRESHOLD) -> bool:
    """More than ``threshold`` slower: ratio > 1 + threshold (exactly 1.10 passes)."""
    return not math.isnan(r) and r > 1.0 + threshold + 1e-12


def verdict(r: float, threshold: float = THRESHOLD, gating: bool = True) -> str:
    if math.isnan(r):
        return "no result"
    word = f"SLOWER > {threshold * 100:g} %" if is_slower(r, threshold) else "ok"
    return word if gating else f"{word.lower()} (info)"


def spread(values: Sequence[float]) -> tuple[float, float]:
    """The 25th and 75th percentiles (NaN for none; the value itself for one)."""
    if not values:
        return math.nan, math.nan
    if len(values) == 1:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[2]


@dataclass
class CaseResult:
    """One case's samples, round by round (a round is one process per side; an empty list is a
    round that failed on that side), its notes and its errors.

    The ratio pairs each round's two processes, which ran one after the other: it is the median
    over rounds of (ours' median / the baseline's median). Load on the machine that lasts longer
    than a round then slows both halves of a pair alike, where a ratio of pooled medians would
    depend on how many loaded rounds each side happened to get.
    """

    key: str
    label: str
    gating: bool
    baseline_rounds: list[list[float]] = field(default_factory=list)
    ours_rounds: list[list[float]] = field(default_factory=list)
    baseline_note: str = ""
    ours_note: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def baseline_samples_s(self) -> list[float]:
        return [x for r in self.baseline_rounds for x in r]

    @property
    def ours_samples_s(self) -> list[float]:
        return [x for r in self.ours_rounds for x in r]

    @property
    def baseline_median_s(self) -> float:
        return median(self.baseline_samples_s)

    @property
    def ours_median_s(self) -> float:
        return median(self.ours_samples_s)

    @property
    def round_ratios(self) -> list[float]:
        """Ours over baseline, per round in which both sides measured."""
        out = []
        for base, ours in zip(self.baseline_rounds, self.ours_rounds, strict=False):
            r = ratio(median(base), median(ours))
            if not math.isnan(r):
                out.append(r)
        return out

    @property
    def ratio(self) -> float:
        return median(self.round_ratios)

    def measured(self) -> bool:
        return bool(self.round_ratios)

    def verdict(self, threshold: float = THRESHOLD) -> str:
        if self.errors and not self.measured():
            return "ERROR"
        return verdict(self.ratio, threshold, self.gating)

    def slower(self, threshold: float = THRESHOLD) -> bool:
        return self.gating and is_slower(self.ratio, threshold)


def pool(
    cases: Iterable[Case],
    baseline_runs: Sequence[Mapping[str, Any]],
    ours_runs: Sequence[Mapping[str, Any]],
) -> list[CaseResult]:
    """Per case, each round's samples of each side (runs are rounds, in order), the last note,
    and every distinct error."""
    results = []
    for case in cases:
        res = CaseResult(case.key, case.label, case.gating)
        for side, runs in (("baseline", baseline_runs), ("ours", ours_runs)):
            rounds: list[list[float]] = getattr(res, f"{side}_rounds")
            for run in runs:
                entry = run.get("cases", {}).get(case.key) or {}
                if "error" in entry:
                    msg = f"{side}: {entry['error']}"
                    if msg not in res.errors:
                        res.errors.append(msg)
                rounds.append([float(x) for x in entry.get("samples_s", [])])
                if "note" in entry:
                    setattr(res, f"{side}_note", entry["note"])
        results.append(res)
    return results


def noisy_case(r: CaseResult, threshold: float = THRESHOLD) -> bool:
    """The middle half of its round-by-round ratios spans more than ``threshold``."""
    lo, hi = spread(r.round_ratios)
    return hi - lo > threshold


def exit_code(results: Iterable[CaseResult], threshold: float = THRESHOLD) -> int:
    """1 when a gating case is more than ``threshold`` slower, else 2 when a gating case has no
    result on a side, else 0."""
    results = list(results)
    if any(r.slower(threshold) for r in results):
        return 1
    if any(r.gating and not r.measured() for r in results):
        return 2
    return 0


def parse_driver_output(stdout: str) -> dict[str, Any]:
    """The driver's JSON object: the last line of its output that is one."""
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(data, dict) and "cases" in data:
                return data
    raise ValueError("the driver printed no result")


# ---- git worktree and subprocesses ----------------------------------------------------------


class CompareError(RuntimeError):
    pass


def git(*args: str, cwd: Path = ROOT) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise CompareError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout.strip()


def baseline_worktree(sha: str) -> Path:
    """``.bench-baseline/<sha[:12]>``: a detached worktree at ``sha``, added or reused."""
    path = ROOT / WORKTREES / sha[:12]
    if path.exists():
        # path sits inside our own working tree: make sure git answers for the worktree itself
        top = Path(git("rev-parse", "--show-toplevel", cwd=path)).resolve()
        if top != path.resolve():
            raise CompareError(f"{path} exists but is not a git worktree; remove it")
        head = git("rev-parse", "HEAD", cwd=path)
        if head != sha:
            raise CompareError(f"{path} is at {head[:12]}, not {sha[:12]}; remove it")
        if git("status", "--porcelain", "--untracked-files=no", cwd=path):
            print(f"warning: {path} has local changes", file=sys.stderr)
        return path
    path.parent.mkdir(exist_ok=True)
    git("worktree", "add", "--detach", "--quiet", str(path), sha)
    return path


def source_fingerprint(src: Path) -> str:
    """A hash of the package sources (not the bytecode or numba caches), to notice edits made
    by others while the comparison runs."""
    h = hashlib.sha1()
    for p in sorted(src.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and ".egg-info" not in str(p):
            h.update(str(p.relative_to(src)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@dataclass
class Side:
    name: str  # "baseline" or "ours"
    root: Path
    describe: str

    @property
    def src(self) -> Path:
        return self.root / "src"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(self.src)
        env["PYTHONNOUSERSITE"] = "1"
        env["PYTHONHASHSEED"] = "0"  # the same set and dict orders on both sides
        for name in INTERPRETED:  # both sides compiled, whatever this shell says
            env.pop(name, None)
        return env

    def run(self, args: Sequence[str]) -> dict[str, Any]:
        """One driver process on this side; its JSON, checked to come from this side's src."""
        cmd = [sys.executable, "-P", str(DRIVER), *args]
        try:
            proc = subprocess.run(
                cmd,
                cwd=self.root,
                env=self.env(),
                capture_output=True,
                text=True,
                timeout=DRIVER_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired as exc:
            raise CompareError(f"{self.name}: the driver took over {exc.timeout:.0f} s") from None
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
            raise CompareError(f"{self.name}: the driver failed ({proc.returncode}):\n{tail}")
        try:
            data = parse_driver_output(proc.stdout)
        except ValueError as exc:
            raise CompareError(f"{self.name}: {exc}\n{proc.stderr[-2000:]}") from None
        pkg = data.get("package_file")
        if not pkg or not Path(pkg).resolve().is_relative_to(self.src.resolve()):
            raise CompareError(f"{self.name}: imported boostback from {pkg}, not from {self.src}")
        return data


def _repeat_args(cases: Iterable[Case]) -> list[str]:
    return ["--repeats", *(f"{c.key}={c.repeats}" for c in cases)]


def grouped_errors(results: Iterable[CaseResult]) -> list[str]:
    """Each distinct error once, with the cases it hit."""
    where: dict[str, list[str]] = {}
    for r in results:
        for msg in r.errors:
            where.setdefault(msg, []).append(r.key)
    return [f"{msg} (cases: {', '.join(keys)})" for msg, keys in where.items()]


# ---- the report -----------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return "–" if math.isnan(seconds) else f"{seconds * 1e3:.2f} ms"


def results_table(results: Sequence[CaseResult], title: str, threshold: float = THRESHOLD):
    from rich.table import Table

    table = Table(title=title)
    cols = ("case", "baseline median", "ours median", "ours / baseline", "rounds p25–p75")
    for col in (*cols, "verdict", "samples"):
        table.add_column(col, justify="left" if col in ("case", "verdict") else "right")
    table.add_column("work (baseline | ours)")
    for r in results:
        v = r.verdict(threshold)
        style = "bold red" if r.slower(threshold) or v == "ERROR" else ""
        work = (
            r.ours_note if r.ours_note == r.baseline_note else f"{r.baseline_note} | {r.ours_note}"
        )
        table.add_row(
            r.label,
            _ms(r.baseline_median_s),
            _ms(r.ours_median_s),
            "–" if math.isnan(r.ratio) else f"{r.ratio:.3f}",
            "–" if not r.measured() else "{:.3f}–{:.3f}".format(*spread(r.round_ratios)),
            f"[{style}]{v}[/]" if style else v,
            f"{len(r.baseline_samples_s)} | {len(r.ours_samples_s)}",
            work,
        )
    return table


def _finite(obj: Any) -> Any:
    """``obj`` with NaN and infinities as None, so that the file is strict JSON."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def _machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.compare",
        description="Time this checkout against a baseline commit, interleaved, in one run.",
    )
    ap.add_argument(
        "--baseline",
        default=DEFAULT_BASELINE,
        metavar="REV",
        help=f"baseline commit (default {DEFAULT_BASELINE}, before the refactor)",
    )
    ap.add_argument(
        "--rounds",
        type=int,
        default=DEFAULT_ROUNDS,
        metavar="K",
        help=f"baseline/ours process pairs (default {DEFAULT_ROUNDS}, about 3 min on 2 cores)",
    )
    ap.add_argument("--json", metavar="FILE", help="also write every sample and result here")
    ap.add_argument(
        "--threshold",
        type=float,
        default=THRESHOLD * 100,
        metavar="PERCENT",
        help="slower by more than this fails (default 10)",
    )
    args = ap.parse_args(argv)
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    threshold = args.threshold / 100.0

    from rich.console import Console

    console = Console(width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else 150)
    err = Console(stderr=True)
    say = err.print
    t_start = time.perf_counter()
    try:
        sha = git("rev-parse", "--verify", f"{args.baseline}^{{commit}}")
        base_root = baseline_worktree(sha)
        head = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no", "--", "src"))
        baseline = Side("baseline", base_root, f"{args.baseline} ({sha[:12]})")
        ours = Side(
            "ours", ROOT, f"working tree (HEAD {head[:12]}{', src/ modified' if dirty else ''})"
        )
        say(f"baseline: {baseline.describe} in {base_root.relative_to(ROOT)}")
        say(f"ours:     {ours.describe}")
        for name in INTERPRETED:
            if name in os.environ:
                say(f"[yellow]{name} is set here; the comparison runs both sides compiled[/]")
        fingerprint = source_fingerprint(ours.src)
        resolved = {}
        for side in (baseline, ours):  # fills numba's cache; checks imports and resolution
            say(f"priming {side.name} (the first run compiles its kernels)…")
            data = side.run(["--prime"])
            resolved[side.name] = data["resolved"]
            pair = ([data], []) if side is baseline else ([], [data])
            for line in grouped_errors(pool(CASES, *pair)):
                say(f"[red]{line}[/]", highlight=False, soft_wrap=True)
            if not any("error" not in data["cases"].get(c.key, {"error": ""}) for c in GATING):
                raise CompareError(f"{side.name}: no case runs; nothing to compare")
        runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "ours": []}
        changed_in = []
        rep = _repeat_args(CASES)
        for k in range(args.rounds):
            now = source_fingerprint(ours.src)
            if now != fingerprint:  # edited by others: compile the new version before timing it
                changed_in.append(k + 1)
                fingerprint = now
                ours.run(["--prime"])
            times = []
            for side in (baseline, ours):
                data = side.run(rep)
                runs[side.name].append(data)
                times.append(data["wall_s"])
            say(
                f"round {k + 1}/{args.rounds}: baseline {times[0]:.1f} s, ours {times[1]:.1f} s"
                + ("  [yellow](src/ changed: ours primed again)[/]" if k + 1 in changed_in else "")
            )
    except CompareError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        return 2

    results = pool(CASES, runs["baseline"], runs["ours"])
    title = f"boostback: {ours.describe} against {baseline.describe}"
    console.print(results_table(results, title, threshold))
    for line in grouped_errors(results):
        console.print(f"[red]{line}[/]", highlight=False, soft_wrap=True)
    moved = {
        name: (resolved["baseline"].get(name), where)
        for name, where in resolved["ours"].items()
        if resolved["baseline"].get(name) != where
    }
    if moved:
        console.print("Resolved from different places:")
    for name, (old, new) in moved.items():
        console.print(f"  {name}: baseline {old}, ours {new}", highlight=False)
    if changed_in:
        console.print(
            f"[yellow]warning: src/ changed during the run (seen before rounds {changed_in}, "
            "ours primed again each time): the rounds measured different versions of ours[/]"
        )
    noisy = [r.key for r in results if r.gating and noisy_case(r, threshold)]
    if noisy:
        console.print(
            f"[yellow]warning: the round-by-round ratios of {', '.join(noisy)} spread wider than "
            f"{args.threshold:g} % (p25–p75): the machine was busy; rerun when it is quiet, or "
            "with more --rounds[/]"
        )
    code = exit_code(results, threshold)
    elapsed = time.perf_counter() - t_start
    console.print(
        f"{args.rounds} rounds, {elapsed:.0f} s. ours / baseline: the median over rounds of the "
        "ratio of the two sides' medians in that round (the columns before it pool all rounds). "
        f"A case fails when ours is more than {args.threshold:g} % slower. Exit {code}."
    )
    if args.json:
        report = {
            "baseline": {"rev": args.baseline, "sha": sha, "worktree": str(base_root)},
            "ours": {"root": str(ROOT), "head": head, "src_modified": dirty},
            "src_changed_before_rounds": changed_in,
            "resolved": resolved,
            "machine": _machine(),
            "rounds": args.rounds,
            "threshold": threshold,
            "elapsed_s": elapsed,
            "exit_code": code,
            "cases": [
                {
                    **asdict(r),
                    "baseline_median_s": r.baseline_median_s,
                    "ours_median_s": r.ours_median_s,
                    "round_ratios": r.round_ratios,
                    "ratio": r.ratio,
                    "verdict": r.verdict(threshold),
                }
                for r in results
            ],
        }
        Path(args.json).write_text(json.dumps(_finite(report), indent=1) + "\n")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
