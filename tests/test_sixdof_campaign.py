"""6-DoF campaigns (issue #16): ``sim.dof = 6`` in a scenario file makes every run of a campaign
a rigid-body landing, with the rigid faults drawn like any other, and the table is identical to
the bit on one process, on two, and on a real Dask cluster (LocalCluster with worker
processes)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from boostback.campaign.campaign import run_campaign
from boostback.campaign.spec import load_campaign
from test_campaign import assert_identical

SCENARIO = """
name = "6-DoF landing for campaign tests"
vehicle = "falcon9"
[initial]
altitude_m = 3000.0
position_en_m = [400.0, 0.0]
velocity_enu_mps = [-15.0, 0.0, -250.0]
propellant_kg = 9000.0
[guidance]
nodes = 20
replan_hz = 1.0
[sim]
dt_s = 0.05
dof = 6
"""

CAMPAIGN = """
scenario = "rigid.toml"
runs = 6
seed = 11
[execution]
batch_size = 2
[[dispersions]]
path = "initial.altitude_m"
dist = "normal"
sigma = 100.0
[[faults]]
kind = "gimbal_stuck"
probability = 0.5
onset = { phase = "landing_burn", t_s = 4.0 }
[[faults]]
kind = "cg_offset"
lateral_m = { dist = "uniform", low = -0.2, high = 0.2 }
"""


def _campaign(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rigid.toml").write_text(SCENARIO)
    path = folder / "campaign.toml"
    path.write_text(CAMPAIGN)
    return path


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    folder = tmp_path_factory.mktemp("rigid_serial")
    spec, base = load_campaign(_campaign(folder))
    return run_campaign(spec, folder / "out", base_dir=base, workers=1)


def test_every_run_is_a_rigid_landing(serial: pd.DataFrame) -> None:
    assert (serial["outcome"] != "error").all(), serial["error"].unique()
    assert serial["fault0_gimbal_stuck"].isin([0.0, 1.0]).all()
    assert serial["fault1_lateral_m"].abs().max() <= 0.2
    assert serial["fault1_lateral_m"].nunique() == len(serial)


def test_two_processes_give_identical_table(serial: pd.DataFrame, tmp_path: Path) -> None:
    spec, base = load_campaign(_campaign(tmp_path))
    assert_identical(serial, run_campaign(spec, tmp_path / "out", base_dir=base, workers=2))


def test_a_dask_cluster_gives_identical_table(serial: pd.DataFrame, tmp_path: Path) -> None:
    spec, base = load_campaign(_campaign(tmp_path))
    frame = run_campaign(spec, tmp_path / "out", base_dir=base, dask_local=2)
    assert_identical(serial, frame)


def test_a_campaign_sets_the_fidelity_of_every_run(tmp_path: Path) -> None:
    """``dof = 6`` in the campaign file flies a 3-DoF scenario's runs as rigid bodies (the
    scenario itself says nothing); without it the scenario's own sim.dof holds."""
    from boostback.campaign.run import prepare

    path = tmp_path / "c.toml"
    path.write_text('scenario = "falcon9_landing"\nruns = 2\nseed = 1\ndof = 6\n')
    spec, base = load_campaign(path)
    assert prepare(spec, base).scenario["sim"]["dof"] == 6
    path.write_text('scenario = "falcon9_landing"\nruns = 2\nseed = 1\n')
    spec, base = load_campaign(path)
    assert prepare(spec, base).scenario["sim"]["dof"] == 3


@pytest.mark.parametrize(
    ("scenario", "problem"),
    [("mars_lander_landing", "rigid_body")],
)
def test_a_6dof_campaign_is_refused_before_any_run_when_it_cannot_fly(
    tmp_path: Path, scenario: str, problem: str
) -> None:
    from boostback.campaign.run import prepare
    from boostback.config.errors import ConfigError

    path = tmp_path / "c.toml"
    path.write_text(f'scenario = "{scenario}"\nruns = 2\nseed = 1\ndof = 6\n')
    spec, base = load_campaign(path)
    with pytest.raises(ConfigError, match=problem):
        prepare(spec, base, str(path))


FLIGHT_CAMPAIGN = """
scenario = "falcon9_rtls"
runs = 2
seed = 5
dof = 6
[[dispersions]]
path = "mission.payload_mass_kg"
dist = "normal"
sigma = 300.0
"""


def test_whole_flights_fly_6dof_identically_on_processes_and_dask(tmp_path: Path) -> None:
    """``dof = 6`` on a whole-flight campaign makes every run's booster a rigid body from
    separation; the table is the same to the bit on one process, two and a Dask cluster."""
    path = tmp_path / "flights.toml"
    path.write_text(FLIGHT_CAMPAIGN)
    spec, base = load_campaign(path)
    one = run_campaign(spec, tmp_path / "one", base_dir=base, workers=1)
    assert (one["outcome"] == "landed").all(), one[["outcome", "error"]]
    assert one["rigid_flip_s"].notna().all() and (one["rigid_gas_left_kg"] >= 0).all()
    assert_identical(one, run_campaign(spec, tmp_path / "two", base_dir=base, workers=2))
    assert_identical(one, run_campaign(spec, tmp_path / "dask", base_dir=base, dask_local=2))


def test_a_campaign_sets_the_guidance_of_every_run(tmp_path: Path) -> None:
    """``guidance = "scvx"`` plans every run by successive convexification; it needs a rigid
    body (``dof = 6``), and is refused in one line without one."""
    from boostback.campaign.run import prepare
    from boostback.config.errors import ConfigError

    path = tmp_path / "c.toml"
    base_text = 'scenario = "falcon9_landing"\nruns = 2\nseed = 1\n'
    path.write_text(base_text + 'dof = 6\nguidance = "scvx"\n')
    spec, base = load_campaign(path)
    scen = prepare(spec, base).scenario
    assert scen["guidance"]["method"] == "scvx" and scen["sim"]["dof"] == 6
    path.write_text(base_text + 'guidance = "scvx"\n')
    spec, base = load_campaign(path)
    with pytest.raises(ConfigError, match="dof = 6"):
        prepare(spec, base, str(path))
