"""``boostback mc compact DIR`` (#20): a finished campaign's many small shards merged into few, in
run order, the table unchanged; an unfinished campaign, a damaged folder or one in use is refused
with exit status 2 and one line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from boostback.campaign.bench_store import synthetic_rows
from boostback.campaign.lock import folder_lock
from boostback.campaign.manifest import SNAPSHOT, read_manifest
from boostback.campaign.stats import summarize_store
from boostback.campaign.store import QUARANTINE, load_results, store_shard
from boostback.cli import app

runner = CliRunner()


def small_shards(out: Path, runs: int, batch: int = 7) -> None:
    """Shards of a few runs each, stored as batches finish: out of run order."""
    (out / "runs").mkdir(parents=True)
    starts = list(range(0, runs, batch))
    order = starts[1::2] + starts[0::2]
    for start in order:
        store_shard(out, synthetic_rows(start, min(start + batch, runs)))


def shard_files(out: Path) -> list[Path]:
    return sorted((out / "runs").glob("part-*.parquet"))


def test_compact_merges_shards_and_keeps_every_row(tmp_path: Path) -> None:
    out = tmp_path / "out"
    small_shards(out, 1_000)
    before = load_results(out)
    summary = summarize_store(out).as_dict()
    result = runner.invoke(app, ["mc", "compact", str(out), "--rows", "400"])
    assert result.exit_code == 0, result.output
    assert f"{len(range(0, 1_000, 7))} shards merged into 3" in result.output
    files = shard_files(out)
    assert len(files) == 3
    tables = [pd.read_parquet(p) for p in files]
    assert [list(t["run"]) for t in tables] == [
        list(range(0, 400)),
        list(range(400, 800)),
        list(range(800, 1000)),
    ]
    after = load_results(out)
    pd.testing.assert_frame_equal(before, after)
    expected = pa.Table.from_pandas(before, preserve_index=False)
    assert pa.Table.from_pandas(after, preserve_index=False).equals(expected)
    again = summarize_store(out).as_dict()
    ellipse, ellipse_before = again.pop("ellipse"), summary.pop("ellipse")
    assert again == summary  # the ellipse's moments merge shard by shard: equal to rounding
    for key, value in ellipse_before.items():
        assert np.allclose(ellipse[key], value, rtol=1e-12, atol=0), key
    assert set(read_manifest(out / "runs")) == {p.name for p in files}
    assert not (out / QUARANTINE).exists()
    again = runner.invoke(app, ["mc", "compact", str(out), "--rows", "400"])
    assert again.exit_code == 0 and "already compact" in again.output
    assert shard_files(out) == files  # nothing rewritten


def test_an_unfinished_campaign_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "runs").mkdir(parents=True)
    store_shard(out, synthetic_rows(0, 40))
    store_shard(out, synthetic_rows(50, 60))  # runs 40-49 not flown yet
    files = shard_files(out)
    result = runner.invoke(app, ["mc", "compact", str(out)])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert str(out) in line and "unfinished" in line and "10 missing" in line
    assert shard_files(out) == files


def test_a_damaged_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    small_shards(out, 30)
    victim = shard_files(out)[0]
    victim.write_bytes(victim.read_bytes()[:-8])
    result = runner.invoke(app, ["mc", "compact", str(out)])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert victim.name in line and "mc run" in line


def test_a_folder_in_use_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    small_shards(out, 30)
    with folder_lock(out):
        result = runner.invoke(app, ["mc", "compact", str(out)])
    assert result.exit_code == 2
    assert "in use" in result.output


@pytest.mark.parametrize("args", [["--rows", "0"], []])
def test_bad_input_is_one_line(tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "nowhere"
    result = runner.invoke(app, ["mc", "compact", str(missing), *args])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert not missing.exists()  # a mistyped folder is not created


def test_an_interrupted_compaction_leaves_the_old_shards_in_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cut short before the new snapshot is written: the old shards are still listed and whole;
    the new files are unlisted strays that readers name and leave out."""
    from boostback.campaign import store

    out = tmp_path / "out"
    small_shards(out, 100)
    before = load_results(out)
    snapshot = (out / "runs" / SNAPSHOT).read_bytes() if (out / "runs" / SNAPSHOT).exists() else b""

    def crash(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "write_snapshot", crash)
    with pytest.raises(KeyboardInterrupt):
        store.compact(out, 50)
    monkeypatch.undo()
    current = (out / "runs" / SNAPSHOT).read_bytes() if (out / "runs" / SNAPSHOT).exists() else b""
    assert current == snapshot
    pd.testing.assert_frame_equal(before, load_results(out))
