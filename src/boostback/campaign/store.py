"""Campaign results on disk: Parquet shards, one row per run, listed with their checksums.

Layout of a results folder ``OUT``::

    OUT/.lock               the exclusive lock of the ``mc run`` writing here (campaign.lock)
    OUT/campaign.json       the campaign (its resume key, see below)
    OUT/runs/part-*.parquet the shards: up to 10,000 runs each, written by the coordinating process
    OUT/runs/manifest.json  which shards belong here, with each one's SHA-256 (campaign.manifest)
    OUT/runs/manifest.jsonl shards listed since the snapshot above
    OUT/quarantine/         files moved out of runs/ because they were damaged or foreign
    OUT/trajectories/       per-run trajectories (``execution.save_trajectories``)

Shards are written by the coordinating process (workers need no shared disk). Between
:func:`open_store` and :func:`close_store` the rows of finished batches wait in memory
(:class:`ShardWriter`) until a shard's worth is there (:class:`ShardLimits`: 10,000 rows or
64 MB by default, or rows that have waited long enough: 5 s for a session's first shard, twice as
long for each next one, at most 10 minutes), and are stored at the end and on Ctrl-C too; a
killed coordinator loses only the rows still waiting, which a resume flies again. A shard is
written to a temporary name, flushed to disk, renamed, then listed in the manifest. Only listed
shards whose bytes still match their checksum are read, by summaries, reports and resume alike. A
damaged, truncated or foreign file in ``runs/`` is named in one warning line; ``mc run`` (which
holds the folder's lock) moves it to ``quarantine/`` and flies its runs again, the readers leave
it out. A folder written before manifests existed is adopted: its shards that read back with the
columns of a results table are listed as they are.

The resume key: what changes results must match to resume; what only changes how they are
computed may differ. Results: ``scenario``, ``seed``, ``dispersions``, ``faults``, ``debug`` (it
makes runs fail on purpose) and the contents of the base scenario and vehicle. Execution only:
``runs`` (more extends the campaign), ``name``, ``execution.batch_size``, the worker count and
backend, ``execution.save_trajectories`` and ``trajectory_every`` (extra files, not rows), and
``execution.wall_limit_s``: a wall-clock limit only turns a run that hangs into an ``error`` row,
and which run hangs already depends on the machine, so it is not part of what is reproducible.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from boostback.campaign.designs import Sampling
from boostback.campaign.manifest import (
    JOURNAL,
    SNAPSHOT,
    RunSet,
    ShardEntry,
    ShardLimits,
    ShardWriter,
    append_entry,
    digest,
    read_manifest,
    to_ranges,
    write_bytes_durably,
    write_snapshot,
)
from boostback.config.errors import ConfigError

if TYPE_CHECKING:  # the spec's module pulls in the fault registry and the compiled kernels
    from boostback.campaign.spec import CampaignSpec

RUNS = "runs"
TRAJECTORIES = "trajectories"
QUARANTINE = "quarantine"
META = "campaign.json"
SHARD_GLOB = "part-*.parquet"
TMP_SUFFIX = ".tmp"
REQUIRED_COLUMNS = ("run", "outcome", "error")  # what every results table has

# The parts of a campaign file that change results (see the module docstring).
RESULT_PARTS = ("scenario", "seed", "dispersions", "faults", "debug")
BASE_PART = "base_sha256"

UNLISTED = "is not listed in the manifest (a foreign file, or a shard whose storing was cut short)"

log = logging.getLogger(__name__)


def _warn(message: str) -> None:
    """One line on standard error (logging's last-resort handler prints just the message)."""
    log.warning("warning: %s", message)


# --- the resume key ------------------------------------------------------------------------


def results_key(spec: CampaignSpec) -> dict[str, Any]:
    """The parts of ``spec`` that change results (:data:`RESULT_PARTS`, and the sampling design:
    a Latin hypercube's points depend on its run count too, so it cannot be extended)."""
    data = spec.model_dump(mode="json")
    key = {k: data[k] for k in RESULT_PARTS}
    key["sampling"] = data["sampling"]
    if spec.sampling is Sampling.LATIN_HYPERCUBE:
        key["runs"] = spec.runs
    return key


def _describe_difference(part: str, old: Any, new: Any) -> str:
    if part == "runs":
        return f"the run count of the Latin hypercube ({old} there, {new} here; it cannot grow)"
    if part in ("seed", "scenario", "sampling"):
        return f"the {part} ({json.dumps(old)} there, {json.dumps(new)} here)"
    if part == BASE_PART:
        return "the contents of the base scenario or vehicle"
    return f"the {part}"


def _check_key(out: Path, old: dict[str, Any], key: dict[str, Any], base: str) -> None:
    old_key = old.get("results_key")
    if not isinstance(old_key, dict):  # written before the key was split from execution
        spec = old.get("spec", {})
        old_key = {k: spec.get(k) for k in RESULT_PARTS}
    old_key = {"sampling": Sampling.RANDOM.value, **old_key}  # older folders drew at random
    differ = [
        _describe_difference(k, old_key.get(k), key.get(k))
        for k in (*RESULT_PARTS, "sampling", "runs")
        if old_key.get(k) != key.get(k)
    ]
    if old.get(BASE_PART) and base and old[BASE_PART] != base:
        differ.append(_describe_difference(BASE_PART, None, None))
    if differ:
        raise ConfigError(
            f"holds results of a different campaign: {' and '.join(differ)} differ; "
            "use a new output folder (batch size, workers and the run count may change)",
            file=str(out),
        )


def _record_campaign(out: Path, spec: CampaignSpec, base_sha256: str) -> None:
    """Check ``OUT/campaign.json`` against ``spec`` (if there is one), then record ``spec``."""
    meta = out / META
    key = results_key(spec)
    old: dict[str, Any] = {}
    if meta.exists():
        try:
            old = json.loads(meta.read_bytes())
            assert isinstance(old, dict)
        except (ValueError, AssertionError):
            raise ConfigError(
                f"{META} is damaged (not a JSON object); use a new output folder", file=str(out)
            ) from None
        _check_key(out, old, key, base_sha256)
    spec_data = spec.model_dump(mode="json")
    spec_data.pop("runs")
    new = {
        "spec": spec_data,
        "results_key": key,
        BASE_PART: base_sha256 or old.get(BASE_PART, ""),
    }
    if new != old:
        write_bytes_durably(meta, json.dumps(new, indent=2).encode())


# --- reading and checking shards -----------------------------------------------------------


def _parse(data: bytes, full: bool) -> tuple[pa.Table | None, str | None]:
    """A shard's table from its bytes (``full``: every column, else its ``run`` column), or why
    it is not a results shard."""
    try:
        source = pq.ParquetFile(pa.BufferReader(data))
        names = source.schema_arrow.names
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            return None, f"is not a results shard (no {', '.join(missing)} column)"
        table = source.read() if full else source.read(columns=["run"])
    except Exception as exc:  # pyarrow raises several types for a damaged file
        return None, f"is not a readable Parquet file ({type(exc).__name__})"
    if not pa.types.is_integer(table.schema.field("run").type):
        return None, "is not a results shard (its run column is not whole numbers)"
    return table, None


def _runs_of(table: pa.Table) -> np.ndarray:
    return table.column("run").to_numpy().astype(np.int64)


def _read_listed(path: Path, entry: ShardEntry, full: bool) -> tuple[pa.Table | None, str | None]:
    """A listed shard's table, or why it cannot be trusted."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, "is listed in the manifest but missing"
    if len(data) != entry.size_bytes:
        return None, (
            f"is {len(data)} bytes, the manifest says {entry.size_bytes} (truncated or damaged)"
        )
    if digest(data) != entry.sha256:
        return None, "does not match its SHA-256 checksum in the manifest (damaged)"
    table, problem = _parse(data, full)
    if table is not None:
        runs = _runs_of(table)
        if len(runs) != entry.row_count or to_ranges(runs) != entry.ranges:
            return None, "holds other runs than the manifest lists"
    return table, problem


def _adopt(path: Path, full: bool) -> tuple[ShardEntry | None, pa.Table | None, str | None]:
    """A shard of a folder without a manifest: listed if it reads back as a results shard."""
    data = path.read_bytes()
    table, problem = _parse(data, full)
    if table is None:
        return None, None, problem
    runs = _runs_of(table)
    if len(np.unique(runs)) != len(runs):
        return None, None, "is not a results shard (a run appears twice)"
    return ShardEntry(path.name, digest(data), len(data), to_ranges(runs), len(runs)), table, None


@dataclass
class Scan:
    """What ``runs/`` holds: the shards to trust and the files to leave out (with why)."""

    entries: dict[str, ShardEntry] = field(default_factory=dict)
    tables: dict[str, pa.Table] = field(default_factory=dict)
    bad: list[tuple[Path, str]] = field(default_factory=list)
    temporary: list[Path] = field(default_factory=list)
    claimed: RunSet = field(default_factory=RunSet)

    def runs(self) -> set[int]:
        return set(self.claimed)

    def keep(self, entry: ShardEntry, table: pa.Table | None, path: Path) -> None:
        """Trust a shard unless one already trusted holds one of its runs."""
        if self.claimed.overlaps(entry.ranges):
            self.bad.append((path, "holds runs that another shard already holds (a duplicate)"))
            return
        self.claimed.add(entry.ranges)
        self.entries[entry.name] = entry
        if table is not None:
            self.tables[entry.name] = table


def _listed(runs_dir: Path) -> tuple[dict[str, ShardEntry] | None, list[tuple[Path, str]]]:
    """The manifest's shards (``None``: no usable manifest, adopt the shards found)."""
    try:
        return read_manifest(runs_dir), []
    except ValueError as exc:
        return None, [(runs_dir / SNAPSHOT, f"is damaged: {exc}")]


def scan(out: Path, *, read: bool = True, keep: bool = True) -> Scan:
    """Check every file of ``OUT/runs`` against the manifest (``read=False``: list only;
    ``keep=False``: check each shard's bytes and runs, but keep none of its table)."""
    if not out.is_dir():
        what = "does not exist" if not out.exists() else "is not a folder"
        raise ConfigError(f"{what}: give a campaign results folder (mc run --out)", file=str(out))
    runs_dir = out / RUNS
    result = Scan()
    listed, result.bad = _listed(runs_dir)
    if listed is not None:
        for name in sorted(listed):
            path = runs_dir / name
            if not read:
                result.keep(listed[name], None, path)
                continue
            table, problem = _read_listed(path, listed[name], keep)
            if problem is None:
                result.keep(listed[name], table if keep else None, path)
            else:
                result.bad.append((path, problem))
    known = set(listed or ()) | {SNAPSHOT, JOURNAL}
    for path in sorted(runs_dir.iterdir()) if runs_dir.is_dir() else []:
        if path.name.endswith(TMP_SUFFIX):
            result.temporary.append(path)
        elif path.name in known:
            continue
        elif listed is None and path.is_file() and path.match(SHARD_GLOB):
            entry, table, problem = _adopt(path, read and keep)
            if entry is None:
                result.bad.append((path, str(problem)))
            else:
                result.keep(entry, table if read and keep else None, path)
        else:
            result.bad.append((path, UNLISTED))
    return result


# --- the writer's side: open, quarantine, shards --------------------------------------------


def _quarantine(out: Path, path: Path) -> Path:
    folder = out / QUARANTINE
    folder.mkdir(exist_ok=True)
    dest = folder / path.name
    n = 1
    while dest.exists():
        dest = folder / f"{path.name}.{n}"
        n += 1
    shutil.move(path, dest)
    return dest


def _remove_temporary(out: Path, found: list[Path]) -> None:
    """Temporary files a killed session left (only called while holding the folder's lock)."""
    stale = [*found, *out.glob(f"*{TMP_SUFFIX}"), *(out / TRAJECTORIES).glob(f"*{TMP_SUFFIX}")]
    for path in stale:
        with contextlib.suppress(OSError):
            path.unlink()


def open_store(out: Path, spec: CampaignSpec, base_sha256: str = "") -> set[int]:
    """Prepare ``out`` for ``spec`` and return the runs it already holds, checked.

    Call it holding the folder's lock (:func:`boostback.campaign.lock.folder_lock`).

    Parameters
    ----------
    out : Path
        The results folder (created if needed).
    spec : CampaignSpec
        The campaign to run into it.
    base_sha256 : str
        Digest of the base scenario and vehicle (``CampaignContext.base_sha256``).

    Returns
    -------
    set of int
        Runs held by shards that match their checksums. Damaged, truncated and foreign files
        are named (one warning line each) and moved to ``out/quarantine``.

    Raises
    ------
    ConfigError
        ``out`` holds results of a campaign whose results key differs; the message names the
        parts that differ.
    """
    (out / RUNS).mkdir(parents=True, exist_ok=True)
    _record_campaign(out, spec, base_sha256)
    found = scan(out)
    _remove_temporary(out, found.temporary)
    for path, problem in found.bad:
        if path.exists():
            dest = _quarantine(out, path)
            _warn(f"{path}: {problem}; moved to {dest}, any runs it held are flown again")
        else:
            _warn(f"{path}: {problem}; its runs are flown again")
    write_snapshot(out / RUNS, found.entries)
    try:
        limits = ShardLimits.from_env()
    except ValueError as exc:
        raise ConfigError(str(exc), file=str(out)) from None
    _writers[_key(out)] = ShardWriter(lambda rows: store_shard(out, rows), limits)
    return found.runs()


def close_store(out: Path) -> None:
    """Store the rows still waiting, then fold the journal into the snapshot.

    A full disk while storing the last rows raises (those runs are flown again on resume); one
    while folding leaves the (valid) journal as it is.
    """
    writer = _writers.get(_key(out))
    try:
        if writer is not None:
            writer.flush()
    finally:
        _writers.pop(_key(out), None)
    runs_dir = out / RUNS
    with contextlib.suppress(OSError):
        listed = read_manifest(runs_dir)
        if listed is not None and (runs_dir / JOURNAL).stat().st_size:
            write_snapshot(runs_dir, listed)


# The writers of the folders this process has open (between open_store and close_store).
_writers: dict[Path, ShardWriter] = {}


def _key(out: Path) -> Path:
    return Path(os.path.abspath(out))


def _waiting(out: Path) -> pa.Table | None:
    """The rows this process holds for ``out``, not stored yet, as a stored shard reads back."""
    writer = _writers.get(_key(out))
    if writer is None or not writer.waiting:
        return None
    return pq.read_table(pa.BufferReader(_frame_bytes(writer.held())))


def _frame_bytes(columns: dict[str, Any] | list[dict[str, Any]] | pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(columns).to_parquet(buffer, index=False)
    return buffer.getvalue()


def write_trajectory(out: Path, run: int, columns: dict[str, Any]) -> Path:
    """One run's trajectory as its own Parquet file (written before its summary row)."""
    folder = out / TRAJECTORIES
    folder.mkdir(exist_ok=True)
    path = folder / f"run-{run:08d}.parquet"
    write_bytes_durably(path, _frame_bytes(columns))
    return path


def load_trajectory(out: str | Path, run: int) -> pd.DataFrame:
    """The stored trajectory of run ``run`` (campaigns run with ``save_trajectories``)."""
    path = Path(out) / TRAJECTORIES / f"run-{run:08d}.parquet"
    if not path.exists():
        raise ConfigError(f"no trajectory stored for run {run}", file=str(out))
    return pd.read_parquet(path)


def write_part(out: Path, rows: list[dict[str, Any]]) -> Path | None:
    """Store the rows of a finished batch.

    Between :func:`open_store` and :func:`close_store` the rows wait in the folder's
    :class:`~boostback.campaign.manifest.ShardWriter` until a shard's worth is there; otherwise
    they are stored at once as a shard of their own (:func:`store_shard`).

    Returns
    -------
    Path or None
        The last shard written by this call, if any.
    """
    writer = _writers.get(_key(out))
    if writer is None:
        return store_shard(out, rows)
    written = writer.add(rows)
    return written[-1] if written else None


def _shard_name(runs: np.ndarray) -> str:
    return f"part-{int(runs.min()):08d}-{int(runs.max()):08d}-{uuid.uuid4().hex[:8]}.parquet"


def _store_bytes(out: Path, name: str, data: bytes, runs: np.ndarray) -> Path:
    """Write a shard's bytes durably, then list it with its checksum (the order that makes a
    shard on disk mean its runs are complete)."""
    path = out / RUNS / name
    write_bytes_durably(path, data)
    entry = ShardEntry(name, digest(data), len(data), to_ranges(runs), len(runs))
    try:
        append_entry(out / RUNS, entry)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return path


def store_shard(out: Path, rows: list[dict[str, Any]]) -> Path:
    """Store rows as a new shard: written durably, then listed with its checksum.

    A failure (a full disk) leaves no temporary file and no unlisted shard behind; the shards
    stored before are untouched. The exception is raised again.
    """
    runs = np.fromiter((int(r["run"]) for r in rows), np.int64, len(rows))
    return _store_bytes(out, _shard_name(runs), _frame_bytes(rows), runs)


# --- the readers' side ----------------------------------------------------------------------


def completed_runs(out: str | Path) -> set[int]:
    """The runs ``out`` holds, as its manifest lists them (without reading the shards)."""
    return scan(Path(out), read=False).runs()


def _checked(folder: Path, keep: bool, waiting: bool = False) -> Scan:
    """The folder's trusted shards, the others named in one warning line each (``waiting``:
    rows this process has not stored yet count as results)."""
    found = scan(folder, keep=keep)
    if found.bad:  # perhaps a shard an 'mc run' is storing right now: look once more
        found = scan(folder, keep=keep)
    for path, problem in found.bad:
        _warn(
            f"{path}: {problem}; left out of the results (the next 'mc run' on this folder "
            "moves it aside and flies its runs again)"
        )
    if not found.entries and not waiting:
        raise ConfigError("no campaign results here", file=str(folder))
    return found


def verified_shards(out: str | Path) -> list[tuple[Path, ShardEntry]]:
    """The shards of ``out`` to read, checked but not kept in memory (for streaming readers).

    Each listed shard's bytes are checked against the manifest one at a time; only their
    paths and entries are returned, in name order. Other files are named as
    :func:`load_results` names them.
    """
    folder = Path(out)
    found = _checked(folder, keep=False)
    return [(folder / RUNS / name, found.entries[name]) for name in sorted(found.entries)]


def load_results(out: str | Path) -> pd.DataFrame:
    """All runs of a campaign folder as one data frame, sorted by run index.

    Only shards the manifest lists and whose bytes match their checksums are read; any other
    file in ``runs/`` is named in one warning line and left out. The whole table is held in
    memory: :func:`boostback.campaign.stats.summarize_store` summarises a store of any size
    without it. Inside a campaign (between ``open_store`` and ``close_store``) the rows still
    waiting to be stored are included.
    """
    waiting = _waiting(Path(out))
    found = _checked(Path(out), keep=True, waiting=waiting is not None)
    tables = [found.tables[name] for name in sorted(found.tables)]
    tables += [waiting] if waiting is not None else []
    frame = pd.concat([t.to_pandas() for t in tables], ignore_index=True)
    return frame.sort_values("run").reset_index(drop=True)


# --- compaction -----------------------------------------------------------------------------


def compact(out: str | Path, rows_per_shard: int | None = None) -> tuple[int, int]:
    """Merge the shards of a finished campaign into shards of ``rows_per_shard`` runs in order.

    Holds the folder's lock. The new shards are listed in a new snapshot (replaced atomically)
    before the old ones are deleted: a compaction cut short leaves the old shards in force.

    Parameters
    ----------
    out : str or Path
        The results folder.
    rows_per_shard : int, optional
        Runs per merged shard (default: :class:`ShardLimits` ``rows``).

    Returns
    -------
    tuple of int
        The shard count before and after (equal: it was compact already, nothing rewritten).

    Raises
    ------
    ConfigError
        The folder is in use, holds no results, a damaged or foreign file, or an unfinished
        campaign (runs missing below its highest run).
    """
    from boostback.campaign.lock import folder_lock

    folder = Path(out)
    size = rows_per_shard or ShardLimits.from_env().rows
    if not (folder / RUNS).is_dir():
        scan(folder, read=False)  # names what the folder is not
        raise ConfigError("no campaign results here", file=str(folder))
    with folder_lock(folder):
        found = scan(folder, keep=False)
        if found.bad:
            path, problem = found.bad[0]
            raise ConfigError(
                f"{path.name} {problem}; run 'boostback mc run' on this folder first, it moves "
                "the file aside and flies its runs again",
                file=str(folder),
            )
        if not found.entries:
            raise ConfigError("no campaign results here", file=str(folder))
        held = found.claimed.ranges()
        if len(held) != 1 or held[0][0] != 0:
            top = held[-1][1]
            raise ConfigError(
                f"holds an unfinished campaign ({len(found.claimed)} of runs 0-{top - 1}, "
                f"{top - len(found.claimed)} missing); finish it with 'boostback mc run' first",
                file=str(folder),
            )
        old = dict(found.entries)
        windows = [((a, min(a + size, held[0][1])),) for a in range(0, held[0][1], size)]
        if sorted(e.ranges for e in old.values()) == windows:
            return len(old), len(old)  # already in shards of ``size`` runs
        new = _merge(folder, old, held[0][1], size)
        write_snapshot(folder / RUNS, {e.name: e for e in new})
        for name in old:
            with contextlib.suppress(OSError):
                (folder / RUNS / name).unlink()
    return len(old), len(new)


def _merge(folder: Path, old: dict[str, ShardEntry], total: int, size: int) -> list[ShardEntry]:
    """Write runs ``0..total-1`` as new shards of ``size`` runs (not listed yet)."""
    new = []
    for start in range(0, total, size):
        stop = min(start + size, total)
        pieces = [
            pq.read_table(
                folder / RUNS / name, filters=[("run", ">=", start), ("run", "<", stop)]
            ).to_pandas()
            for name, entry in sorted(old.items())
            if any(a < stop and start < b for a, b in entry.ranges)
        ]
        frame = pd.concat(pieces, ignore_index=True).sort_values("run", kind="mergesort")
        data = _frame_bytes(frame.reset_index(drop=True))
        runs = frame["run"].to_numpy(np.int64)
        name = _shard_name(runs)
        write_bytes_durably(folder / RUNS / name, data)
        new.append(ShardEntry(name, digest(data), len(data), to_ranges(runs), len(runs)))
    return new
