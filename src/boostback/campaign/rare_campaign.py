"""A campaign's failure probability by a rare-event method: the simulator as the limit state.

The limit state is the landing margin (``gnc.outcome.landing_margin``) of a run flown at each
point the method asks for (``campaign.rare_space``), through the same executors as ``mc run``
(this process, local worker processes, or Dask), so the methods do not know where runs fly.

The folder ``DIR`` keeps every run flown: ``DIR/evaluations/part-*.parquet`` (one row per
run, as a campaign row, with the point's coordinates as ``x:NAME`` columns) and the key
``DIR/rare.json`` (campaign, method, seed and the options that move points). The methods ask for
points in an order fixed by the seed, so run ``i`` of a restarted estimate is the same point: a
run already in ``DIR`` is reused (its point is checked to the bit), the rest are flown. The
result goes to ``DIR/rare_result.json``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from boostback.campaign.executor import dask_executor, default_workers, drive
from boostback.campaign.executor import process_executor_factory as _pool
from boostback.campaign.lock import folder_lock
from boostback.campaign.rare import RareOptions, RareResult, estimate
from boostback.campaign.rare_space import distribution, point_draw, variables
from boostback.campaign.run import TRAJECTORY_KEY, CampaignContext, prepare, run_batch
from boostback.campaign.spec import CampaignSpec
from boostback.config.errors import ConfigError
from boostback.config.vocab import Outcome

EVALUATIONS = "evaluations"
KEY_FILE = "rare.json"
RESULT_FILE = "rare_result.json"
TMP = ".tmp"


@dataclass
class RareProgress:
    """Where an estimate stands: runs asked for, of which reused from ``DIR``, and failed."""

    asked: int = 0
    reused: int = 0
    flown: int = 0
    failed: int = 0
    errors: int = 0


def rare_key(spec: CampaignSpec, base_sha256: str, opts: RareOptions, names: list[str]) -> dict:
    """What fixes the points and their runs (``target_cov`` and ``max_runs`` only stop sooner
    or later, so they may change between sessions)."""
    campaign = spec.model_dump(mode="json", exclude={"name", "runs", "execution"})
    return {
        "campaign": hashlib.sha256(json.dumps(campaign, sort_keys=True).encode()).hexdigest(),
        "base_sha256": base_sha256,
        "variables": names,
        "method": opts.method,
        "seed": opts.seed,
        "samples": opts.samples,
        "conditional_probability": opts.conditional_probability,
        "fd_step": opts.fd_step,
    }


def _check_key(out: Path, key: dict[str, Any]) -> None:
    path = out / KEY_FILE
    if path.exists():
        old = json.loads(path.read_text())
        differ = [k for k in key if old.get(k) != key[k]]
        if differ:
            raise ConfigError(
                f"holds a rare-event estimate with another {', '.join(differ)}; use another "
                "--out (or the same options) to reuse its runs",
                file=str(out),
            )
        return
    _write_atomic(path, json.dumps(key, indent=1).encode())


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + TMP)
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Evaluations:
    """The runs flown at points, on disk: read once, appended shard by shard."""

    def __init__(self, out: Path, names: list[str]) -> None:
        self.folder = out / EVALUATIONS
        self.folder.mkdir(parents=True, exist_ok=True)
        self.names = names
        self.points: dict[int, np.ndarray] = {}
        self.margins: dict[int, float] = {}
        self.outcomes: dict[int, str] = {}
        for path in sorted(self.folder.glob("part-*.parquet")):
            try:
                frame = pd.read_parquet(path)
                self._take(frame)
            except Exception as exc:  # a damaged shard: its runs are flown again
                why = f"{path}: unreadable ({type(exc).__name__}); its runs fly again"
                warnings.warn(why, stacklevel=2)
        for tmp in self.folder.glob(f"*{TMP}"):
            with contextlib.suppress(OSError):
                tmp.unlink()

    def _take(self, frame: pd.DataFrame) -> None:
        cols = [f"x:{n}" for n in self.names]
        x = frame[cols].to_numpy(float)
        margin = frame["landing_margin"] if "landing_margin" in frame else np.nan
        frame = frame.assign(landing_margin=margin)
        for i, run in enumerate(frame["run"].astype(int)):
            self.points[run] = x[i]
            self.margins[run] = float(frame["landing_margin"].iloc[i])
            self.outcomes[run] = str(frame["outcome"].iloc[i])

    def store(self, rows: list[dict[str, Any]], points: dict[int, tuple[float, ...]]) -> None:
        for row in rows:
            row.pop(TRAJECTORY_KEY, None)
            for name, value in zip(self.names, points[int(row["run"])], strict=True):
                row[f"x:{name}"] = float(value)
        runs = [int(r["run"]) for r in rows]
        path = self.folder / f"part-{min(runs):08d}-{max(runs):08d}.parquet"
        frame = pd.DataFrame(rows)
        buffer = frame.to_parquet(index=False)
        assert buffer is not None
        _write_atomic(path, buffer)
        self._take(frame)

    def load(self) -> pd.DataFrame:
        frames = [pd.read_parquet(p) for p in sorted(self.folder.glob("part-*.parquet"))]
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, ignore_index=True).sort_values("run").reset_index(drop=True)


def _flyer(
    workers: int | None, executor: Any
) -> Callable[[CampaignContext, list[list[int]], Callable[[list[dict]], None]], None]:
    """How batches of runs fly: in this process, on a local pool, or on a Dask executor."""

    def fly(ctx: CampaignContext, batches: list[list[int]], on_rows: Callable) -> None:
        if executor is not None:
            drive(lambda: executor, ctx, batches, on_rows, max_inflight=32)
            return
        n = workers or default_workers()
        if n == 1:
            for batch in batches:
                on_rows(run_batch(ctx, batch, in_worker=False))
        else:
            drive(_pool(n), ctx, batches, on_rows, max_inflight=2 * n)

    return fly


class SimulatorLimitState:
    """``g(X)``: the landing margins of runs at the points ``X``, numbered in the order asked."""

    def __init__(
        self,
        ctx: CampaignContext,
        store: Evaluations,
        fly: Callable,
        progress: Callable[[RareProgress], None] | None = None,
    ) -> None:
        self.ctx = replace(ctx, points={}, points_draw=point_draw)
        self.store, self.fly, self.progress = store, fly, progress
        self.next_run = 0
        self.state = RareProgress()

    def __call__(self, x: np.ndarray) -> np.ndarray:
        runs = list(range(self.next_run, self.next_run + len(x)))
        self.next_run += len(x)
        todo: dict[int, tuple[float, ...]] = {}
        for run, point in zip(runs, x, strict=True):
            held = self.store.points.get(run)
            if held is None:
                todo[run] = tuple(map(float, point))
            elif not np.array_equal(held, point):
                raise ConfigError(
                    f"run {run} is stored at another point than this estimate asks for (the "
                    "folder was written by another version or options); use another --out",
                    file=str(self.store.folder),
                )
        if todo:
            ctx = replace(self.ctx, points=todo)
            size = max(self.ctx.spec.execution.batch_size, 1)
            order = sorted(todo)
            batches = [order[k : k + size] for k in range(0, len(order), size)]

            def on_rows(rows: list[dict]) -> None:
                self.store.store(rows, todo)
                self.state.flown += len(rows)
                self._report()

            self.fly(ctx, batches, on_rows)
        self.state.asked += len(runs)
        self.state.reused += len(runs) - len(todo)
        margins = np.array([self.store.margins.get(r, math.nan) for r in runs])
        outcomes = [self.store.outcomes.get(r, "") for r in runs]
        self.state.errors += sum(o == Outcome.ERROR.value for o in outcomes)
        self.state.failed += int((np.nan_to_num(margins, nan=-1.0) < 0).sum())
        self._report()
        return margins

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self.state)


@contextlib.contextmanager
def _executor(scheduler: str | None, dask_local: int | None) -> Iterator[Any]:
    if scheduler is None and dask_local is None:
        yield None
        return
    with dask_executor(scheduler, dask_local) as ex:
        yield ex


def rare_estimate(
    spec: CampaignSpec,
    out: str | Path,
    opts: RareOptions,
    *,
    base_dir: Path | None = None,
    file: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    progress: Callable[[RareProgress], None] | None = None,
) -> tuple[RareResult, RareProgress]:
    """Estimate a campaign's failure probability by ``opts.method``; resumable in ``out``.

    Parameters
    ----------
    spec : CampaignSpec
        The campaign: its dispersions and faults are the inputs (``campaign.rare_space``);
        ``runs`` is not used, ``execution.batch_size`` is.
    out : str or Path
        The folder (locked while the estimate runs).
    opts : RareOptions
        Method and options.
    base_dir, file : Path, str
        Where the campaign file is (scenario paths are relative to it) and its name.
    workers, scheduler, dask_local
        The executor, as for ``mc run``.
    progress : callable
        Called with a :class:`RareProgress` as runs are asked for and stored.

    Returns
    -------
    RareResult, RareProgress
        The estimate (also written to ``out/rare_result.json``) and the runs it took.
    """
    out = Path(out)
    ctx = prepare(spec, base_dir, file)
    if ctx.kind != "landing":
        raise ConfigError(
            "rare-event estimates fly landing scenarios (a whole flight's margin is recorded, "
            "but its runs take minutes: use mc run)",
            file=file,
            key="scenario",
        )
    vs = variables(spec, ctx.targets)
    if not vs:
        raise ConfigError("nothing is random: add dispersions or faults", file=file)
    dist = distribution(vs)
    names = [v.name for v in vs]
    with folder_lock(out):
        out.mkdir(parents=True, exist_ok=True)
        _check_key(out, rare_key(spec, ctx.base_sha256, opts, names))
        store = Evaluations(out, names)
        with _executor(scheduler, dask_local) as ex:
            g = SimulatorLimitState(ctx, store, _flyer(workers, ex), progress)
            result = estimate(dist, g, opts)
        state = g.state
        if state.errors:
            result.notes.append(f"{state.errors} runs raised: counted as failures")
        payload = {**result.as_dict(), "reused": state.reused, "flown": state.flown}
        _write_atomic(out / RESULT_FILE, json.dumps(payload, indent=1, default=_json).encode())
    return result, state


def _json(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(type(value).__name__)


def load_rare(out: str | Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """A finished estimate: ``rare_result.json`` and the runs it flew (for reports)."""
    folder = Path(out)
    path = folder / RESULT_FILE
    if not path.exists():
        raise ConfigError("no rare-event result here (run boostback mc rare)", file=str(out))
    result = json.loads(path.read_text())
    names = json.loads((folder / KEY_FILE).read_text())["variables"]
    return result, Evaluations(folder, names).load()
