"""The shard manifest: which Parquet shards of ``runs/`` belong to the campaign, and their bytes.

Every shard is listed with the SHA-256 and the length of its bytes and the runs it holds. The
list lives in two files beside the shards:

- ``manifest.json``, a snapshot, only ever replaced whole (written to a temporary name, flushed
  to disk, renamed);
- ``manifest.jsonl``, a journal: one line appended (and flushed to disk) per shard written since
  the snapshot, so storing a shard costs one short append, not a rewrite of the whole list.

A line cut short by a crash or a full disk does not parse and is ignored (its shard is then
unlisted, so its runs are flown again). :func:`write_snapshot` folds the journal into the
snapshot; a shard listed in both is the same shard, so a crash between the two steps is
harmless.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SNAPSHOT = "manifest.json"
JOURNAL = "manifest.jsonl"
FORMAT = 1


@dataclass(frozen=True)
class ShardEntry:
    """One shard as the manifest lists it."""

    name: str  # file name inside runs/
    sha256: str  # of the file's bytes
    size_bytes: int
    runs: tuple[int, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "runs": list(self.runs),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ShardEntry:
        return cls(
            str(data["name"]),
            str(data["sha256"]),
            int(data["size_bytes"]),
            tuple(int(r) for r in data["runs"]),
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
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("unknown format")
            for item in data["shards"]:
                entry = ShardEntry.from_json(item)
                entries[entry.name] = entry
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"not a readable manifest of format {FORMAT} ({exc})") from None
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
