"""Campaign results on disk: Parquet shards, one row per run, written atomically.

Shards are written by the coordinating process as batches finish (workers need no shared disk),
each to a temporary name and then renamed, so a campaign killed at any moment leaves only whole
shards behind. Re-running the same command reads which runs exist and flies only the rest.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from boostback.campaign.spec import CampaignSpec
from boostback.config.errors import ConfigError

RUNS = "runs"
TRAJECTORIES = "trajectories"
META = "campaign.json"


def _spec_key(spec: CampaignSpec) -> dict[str, Any]:
    """The spec without ``runs``: extending a campaign keeps its earlier runs valid."""
    data = spec.model_dump(mode="json")
    data.pop("runs")
    return data


def open_store(out: Path, spec: CampaignSpec) -> None:
    """Create ``out`` or check that it holds results of this same campaign."""
    (out / RUNS).mkdir(parents=True, exist_ok=True)
    meta = out / META
    key = _spec_key(spec)
    if meta.exists():
        old = json.loads(meta.read_text())
        if old.get("spec") != key:
            raise ConfigError(
                "holds results of a different campaign (seed, scenario, dispersions or faults "
                "differ); use a new output folder",
                file=str(out),
            )
    else:
        tmp = meta.with_suffix(".tmp")
        tmp.write_text(json.dumps({"spec": key}, indent=2))
        os.replace(tmp, meta)


def completed_runs(out: Path) -> set[int]:
    done: set[int] = set()
    for part in sorted((out / RUNS).glob("part-*.parquet")):
        done.update(int(r) for r in pq.read_table(part, columns=["run"]).column("run").to_pylist())
    return done


def write_trajectory(out: Path, run: int, columns: dict[str, Any]) -> Path:
    """One run's trajectory as its own Parquet file (written before its summary row)."""
    folder = out / TRAJECTORIES
    folder.mkdir(exist_ok=True)
    path = folder / f"run-{run:08d}.parquet"
    tmp = path.with_suffix(".tmp")
    pd.DataFrame(columns).to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return path


def load_trajectory(out: str | Path, run: int) -> pd.DataFrame:
    """The stored trajectory of run ``run`` (campaigns run with ``save_trajectories``)."""
    path = Path(out) / TRAJECTORIES / f"run-{run:08d}.parquet"
    if not path.exists():
        raise ConfigError(f"no trajectory stored for run {run}", file=str(out))
    return pd.read_parquet(path)


def write_part(out: Path, rows: list[dict[str, Any]]) -> Path:
    runs = [r["run"] for r in rows]
    name = f"part-{min(runs):08d}-{max(runs):08d}-{uuid.uuid4().hex[:8]}.parquet"
    path = out / RUNS / name
    tmp = path.with_suffix(".tmp")
    pd.DataFrame(rows).to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return path


def load_results(out: str | Path) -> pd.DataFrame:
    """All runs of a campaign folder as one data frame, sorted by run index."""
    parts = sorted((Path(out) / RUNS).glob("part-*.parquet"))
    if not parts:
        raise ConfigError("no campaign results here", file=str(out))
    frame = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    frame = frame.drop_duplicates(subset="run", keep="first")
    return frame.sort_values("run").reset_index(drop=True)
