"""The shard manifest lists runs as ranges (#20): the range arithmetic against Python's sets,
manifests of the first format still read, and a manifest that grows with the shards only."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from boostback.campaign.manifest import (
    FORMAT,
    SNAPSHOT,
    RunSet,
    ShardEntry,
    read_manifest,
    to_ranges,
    write_snapshot,
)

runs_lists = st.lists(st.integers(0, 300), max_size=60)


def expand(ranges: tuple[tuple[int, int], ...]) -> list[int]:
    return [r for a, b in ranges for r in range(a, b)]


@given(runs_lists)
def test_ranges_hold_exactly_the_runs(runs: list[int]) -> None:
    ranges = to_ranges(runs)
    assert expand(ranges) == sorted(set(runs))
    # disjoint and not touching: the fewest pairs
    assert all(b1 < a2 for (_, b1), (a2, _) in itertools.pairwise(ranges))


@given(st.lists(runs_lists, max_size=8), runs_lists)
def test_run_set_behaves_as_a_set(groups: list[list[int]], probe: list[int]) -> None:
    held, reference = RunSet(), set()
    for group in groups:
        ranges = to_ranges(group)
        assert held.overlaps(ranges) == bool(reference & set(group))
        held.add(ranges)
        reference |= set(group)
    assert set(held) == reference and len(held) == len(reference)
    assert held.ranges() == to_ranges(reference)
    assert [r in held for r in probe] == [r in reference for r in probe]


def test_a_format_1_manifest_still_reads(tmp_path: Path) -> None:
    """Folders written before ranges listed every run (format 1)."""
    old = {"name": "part-a.parquet", "sha256": "0" * 64, "size_bytes": 10, "runs": [4, 2, 3, 9]}
    (tmp_path / SNAPSHOT).write_text(json.dumps({"format": 1, "shards": [old]}))
    (entry,) = read_manifest(tmp_path).values()
    assert entry.ranges == ((2, 5), (9, 10)) and entry.row_count == 4


def test_a_million_runs_make_a_small_manifest(tmp_path: Path) -> None:
    """100 shards of 10,000 runs each, out of order as batches finish: the snapshot is a few
    kB (listing every run would take some 7 MB), and reads back the same."""
    entries = {}
    for k in range(100):
        runs = list(range(k * 10_000, (k + 1) * 10_000))
        runs[0], runs[-1] = runs[-1], runs[0]
        name = f"part-{k:03d}.parquet"
        entries[name] = ShardEntry(name, "f" * 64, 1_000_000, to_ranges(runs), len(runs))
    write_snapshot(tmp_path, entries)
    data = json.loads((tmp_path / SNAPSHOT).read_text())
    assert data["format"] == FORMAT
    assert (tmp_path / SNAPSHOT).stat().st_size < 20_000
    assert read_manifest(tmp_path) == entries
