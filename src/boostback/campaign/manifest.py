"""The shard manifest: which Parquet shards of ``runs/`` belong to the campaign, and their bytes.

Every shard is listed with the SHA-256 and the length of its bytes, its row count and the runs
it holds as ranges (``[start, stop)`` pairs: a shard of 10,000 consecutive runs is one pair, so
the manifest grows with the shards, never with the runs). The list lives in two files beside the
shards:

- ``manifest.json``, a snapshot, only ever replaced whole (written to a temporary name, flushed
  to disk, renamed);
- ``manifest.jsonl``, a journal: one line appended (and flushed to disk) per shard written since
  the snapshot, so storing a shard costs one short append, not a rewrite of the whole list.

A line cut short by a crash or a full disk does not parse and is ignored (its shard is then
unlisted, so its runs are flown again). :func:`write_snapshot` folds the journal into the
snapshot; a shard listed in both is the same shard, so a crash between the two steps is
harmless. Manifests of format 1 (each run listed) are still read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SNAPSHOT = "manifest.json"
JOURNAL = "manifest.jsonl"
FORMAT = 2
READABLE_FORMATS = (1, 2)  # 1: every run listed; 2: runs as ranges

Ranges = tuple[tuple[int, int], ...]  # sorted, disjoint, non-touching [start, stop) pairs


def to_ranges(runs: Iterable[int] | np.ndarray) -> Ranges:
    """Run indices as sorted ``[start, stop)`` ranges (duplicates collapse)."""
    arr = np.unique(np.asarray(list(runs) if not isinstance(runs, np.ndarray) else runs, np.int64))
    if arr.size == 0:
        return ()
    breaks = np.flatnonzero(np.diff(arr) != 1)
    starts = np.concatenate([arr[:1], arr[breaks + 1]])
    stops = np.concatenate([arr[breaks] + 1, arr[-1:] + 1])
    return tuple((int(a), int(b)) for a, b in zip(starts, stops, strict=True))


def count(ranges: Ranges) -> int:
    """How many runs ``ranges`` hold."""
    return sum(b - a for a, b in ranges)


class RunSet:
    """A set of run indices kept as disjoint ranges: a million consecutive runs are one pair."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._stops: list[int] = []

    def overlaps(self, ranges: Ranges) -> bool:
        """Whether any run of ``ranges`` is already in the set."""
        for a, b in ranges:
            i = bisect_right(self._starts, a)
            if i and self._stops[i - 1] > a:
                return True
            if i < len(self._starts) and self._starts[i] < b:
                return True
        return False

    def add(self, ranges: Ranges) -> None:
        """Add the runs of ``ranges`` (merging with touching or overlapping ranges)."""
        for a, b in ranges:
            lo = bisect_left(self._stops, a)  # first range that ends at or after a
            hi = bisect_right(self._starts, b)  # ranges from lo to hi touch [a, b)
            if lo < hi:
                a, b = min(a, self._starts[lo]), max(b, self._stops[hi - 1])
            self._starts[lo:hi] = [a]
            self._stops[lo:hi] = [b]

    def ranges(self) -> Ranges:
        return tuple(zip(self._starts, self._stops, strict=True))

    def __len__(self) -> int:
        return sum(b - a for a, b in zip(self._starts, self._stops, strict=True))

    def __iter__(self) -> Iterator[int]:
        for a, b in zip(self._starts, self._stops, strict=True):
            yield from range(a, b)

    def __contains__(self, run: object) -> bool:
        if not isinstance(run, int):
            return False
        i = bisect_right(self._starts, run)
        return bool(i) and run < self._stops[i - 1]


@dataclass(frozen=True)
class ShardEntry:
    """One shard as the manifest lists it."""

    name: str  # file name inside runs/
    sha256: str  # of the file's bytes
    size_bytes: int
    ranges: Ranges  # the runs it holds
    rows: int = -1  # its row count (-1: as many as its runs)

    @property
    def row_count(self) -> int:
        return count(self.ranges) if self.rows < 0 else self.rows

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "rows": self.row_count,
            "ranges": [list(r) for r in self.ranges],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ShardEntry:
        if "ranges" in data:
            ranges = tuple((int(a), int(b)) for a, b in data["ranges"])
            if any(b <= a for a, b in ranges) or list(ranges) != sorted(ranges):
                raise ValueError("ranges out of order")
        else:  # format 1: every run listed
            ranges = to_ranges(int(r) for r in data["runs"])
        return cls(
            str(data["name"]),
            str(data["sha256"]),
            int(data["size_bytes"]),
            ranges,
            int(data.get("rows", -1)),
        )


def digest(data: bytes) -> str:
    """The SHA-256 of ``data``, as hexadecimal text."""
    return hashlib.sha256(data).hexdigest()


def _entries_from_lines(lines: list[str]) -> list[ShardEntry]:
    entries = []
    for line in lines:
        try:
            entries.append(ShardEntry.from_json(json.loads(line)))
        except (ValueError, KeyError, TypeError):  # a line cut short: its shard is unlisted
            continue
    return entries


def read_manifest(runs_dir: Path) -> dict[str, ShardEntry] | None:
    """The shards listed in ``runs_dir`` (snapshot, then journal), or ``None`` when the folder
    has no manifest at all (written before manifests existed).

    Raises
    ------
    ValueError
        The snapshot exists but is not a manifest this code can read.
    """
    snapshot, journal = runs_dir / SNAPSHOT, runs_dir / JOURNAL
    # The journal first: a writer folding it into a new snapshot renames the snapshot before
    # it empties the journal, so every shard is seen in one or the other.
    try:
        lines = journal.read_bytes().decode(errors="replace").splitlines()
    except FileNotFoundError:
        lines = None
    try:
        raw = snapshot.read_bytes()
    except FileNotFoundError:
        raw = None
    if raw is None and lines is None:
        return None
    entries: dict[str, ShardEntry] = {}
    if raw is not None:
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("format") not in READABLE_FORMATS:
                raise ValueError("unknown format")
            for item in data["shards"]:
                entry = ShardEntry.from_json(item)
                entries[entry.name] = entry
        except (ValueError, KeyError, TypeError) as exc:
            formats = " or ".join(map(str, READABLE_FORMATS))
            raise ValueError(f"not a readable manifest of format {formats} ({exc})") from None
    for entry in _entries_from_lines(lines or []):
        entries[entry.name] = entry
    return entries


def write_bytes_durably(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through ``path.tmp``, flushed to disk, then renamed.

    On any failure (a full disk) the temporary file is removed and ``path`` is untouched.
    """
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _sync_dir(path.parent)


def _sync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every system opens folders)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def append_entry(runs_dir: Path, entry: ShardEntry) -> None:
    """List a shard: append its line to the journal and flush it to disk.

    A write that fails part-way (a full disk) is cut back off, so the journal never keeps half
    a line; the exception is raised again.
    """
    line = (json.dumps(entry.as_json(), separators=(",", ":")) + "\n").encode()
    fd = os.open(runs_dir / JOURNAL, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
    try:
        start = os.lseek(fd, 0, os.SEEK_END)
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)
            raise
    finally:
        os.close(fd)


def write_snapshot(runs_dir: Path, entries: dict[str, ShardEntry]) -> None:
    """Replace the snapshot with ``entries`` (atomically), then empty the journal."""
    shards = [json.dumps(entries[name].as_json()) for name in sorted(entries)]
    text = f'{{"format": {FORMAT}, "shards": [\n' + ",\n".join(shards) + "\n]}\n"
    write_bytes_durably(runs_dir / SNAPSHOT, text.encode())
    journal = runs_dir / JOURNAL
    if journal.exists():
        os.truncate(journal, 0)


# --- writing shards: sized by rows, bytes or waiting time ------------------------------------

SHARD_ROWS_ENV = "BOOSTBACK_SHARD_ROWS"
SHARD_MB_ENV = "BOOSTBACK_SHARD_MB"
SHARD_WAIT_ENV = "BOOSTBACK_SHARD_WAIT_S"


@dataclass(frozen=True)
class ShardLimits:
    """When the rows waiting in a :class:`ShardWriter` are stored as a shard.

    At ``rows`` rows, at about ``bytes`` bytes of values (8 per number, the length of each
    text), or once the oldest has waited: ``first_wait_s`` for a session's first shard, twice as
    long for each next one, at most ``max_wait_s`` (a killed coordinator loses at most that much
    work; a slow campaign still writes few shards).
    """

    rows: int = 10_000
    bytes: int = 64 * 2**20
    first_wait_s: float = 5.0
    max_wait_s: float = 600.0

    @classmethod
    def from_env(cls) -> ShardLimits:
        """The defaults, or ``BOOSTBACK_SHARD_ROWS``, ``BOOSTBACK_SHARD_MB`` and
        ``BOOSTBACK_SHARD_WAIT_S`` (the longest wait) where set.

        Raises
        ------
        ValueError
            A variable that is not a positive number (the message names it).
        """
        base = cls()

        def read(name: str, default: float) -> float:
            text = os.environ.get(name, "").strip()
            if not text:
                return default
            try:
                value = float(text)
            except ValueError:
                value = -1.0
            if not value > 0 or value != value or value == float("inf"):
                raise ValueError(f"{name} must be a positive number, got {text!r}")
            return value

        wait = read(SHARD_WAIT_ENV, base.max_wait_s)
        return cls(
            rows=max(int(read(SHARD_ROWS_ENV, base.rows)), 1),
            bytes=max(int(read(SHARD_MB_ENV, base.bytes / 2**20) * 2**20), 1),
            first_wait_s=min(base.first_wait_s, wait),
            max_wait_s=wait,
        )


def _row_bytes(row: dict[str, Any]) -> int:
    return sum(len(v) if isinstance(v, str | bytes) else 8 for v in row.values())


class ShardWriter:
    """Rows waiting in memory, stored as a shard when :class:`ShardLimits` say so.

    Parameters
    ----------
    store : callable
        Stores a list of rows as one shard (``campaign.store.store_shard``); returns its path.
    limits : ShardLimits
        When to store.
    clock : callable
        Seconds, monotonic (tests give their own).
    """

    def __init__(
        self,
        store: Callable[[list[dict[str, Any]]], Path],
        limits: ShardLimits | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._store = store
        self.limits = limits or ShardLimits()
        self._clock = clock or time.monotonic
        self._rows: list[dict[str, Any]] = []
        self._bytes = 0
        self._since: float | None = None
        self._wait = self.limits.first_wait_s
        self.written: list[Path] = []

    @property
    def waiting(self) -> int:
        """Rows held, not yet stored."""
        return len(self._rows)

    def held(self) -> list[dict[str, Any]]:
        """The rows held (a copy of the list)."""
        return list(self._rows)

    def add(self, rows: list[dict[str, Any]]) -> list[Path]:
        """Hold ``rows``; store what the limits call for; return the shards written."""
        if self._since is None:
            self._since = self._clock()
        self._rows.extend(rows)
        self._bytes += sum(_row_bytes(r) for r in rows)
        waited = self._clock() - self._since
        full = len(self._rows) >= self.limits.rows or self._bytes >= self.limits.bytes
        if full or waited >= self._wait:
            return self.flush()
        return []

    def flush(self) -> list[Path]:
        """Store every row held, in shards of at most ``limits.rows`` rows.

        A failure (a full disk) keeps the rows not stored and raises again.
        """
        paths = []
        while self._rows:
            chunk = self._rows[: self.limits.rows]
            paths.append(self._store(chunk))
            del self._rows[: len(chunk)]
        self._bytes = sum(_row_bytes(r) for r in self._rows)
        if paths:
            self._since = None
            self._wait = min(2.0 * self._wait, self.limits.max_wait_s)
        self.written += paths
        return paths
