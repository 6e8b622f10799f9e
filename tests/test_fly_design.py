"""A flight file with a target orbit and no ascent override flies the ascent the tool designs
for that orbit (issue #18: the fitted keys are optional overrides), on ``fly`` and in campaigns;
a payload no ascent can carry there is bad input, said in one line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from boostback.campaign.run import prepare
from boostback.campaign.spec import load_campaign
from boostback.config.errors import ConfigError
from boostback.config.loader import load_flight
from boostback.payload.design import needs_design, target_orbit

SCENARIOS = Path(__file__).resolve().parents[1] / "src" / "boostback" / "scenarios"
FLY = [sys.executable, "-m", "boostback.cli", "fly"]


def keyless(folder: Path, payload_kg: float | None = None) -> Path:
    """The RTLS flight (CRS-11-like, its target orbit in the file) without its fitted MECO
    flight-path override, optionally with another payload."""
    text = (SCENARIOS / "falcon9_rtls.toml").read_text()
    text = re.sub(r"(?m)^meco_flight_path_deg = .*\n", "", text)
    if payload_kg is not None:
        text = re.sub(r"(?m)^payload_mass_kg = .*$", f"payload_mass_kg = {payload_kg}", text)
    path = folder / "flight.toml"
    path.write_text(text)
    return path


def test_the_keyless_file_names_a_target_orbit_and_needs_a_design(tmp_path: Path) -> None:
    scenario, _ = load_flight(str(keyless(tmp_path)))
    assert needs_design(scenario)
    assert not needs_design(load_flight(str(SCENARIOS / "falcon9_rtls.toml"))[0])


def test_a_transfer_orbit_in_the_file_carries_its_argument_of_perigee(tmp_path: Path) -> None:
    text = keyless(tmp_path).read_text()
    text = re.sub(
        r"(?m)^target_orbit = .*$",
        "target_orbit = { perigee_km = 185.0, apogee_km = 35_786.0, argp_deg = 180.0 }",
        text,
    )
    text = re.sub(r"(?m)^upper_stage_burns = .*\n", "", text)  # a parking orbit and a relight
    path = tmp_path / "gto.toml"
    path.write_text(text)
    scenario, _ = load_flight(str(path))
    target = target_orbit(scenario)
    assert target.argp_deg == 180.0 and target.plan == "perigee"
    assert target.label.endswith("x180")
    bad = path.with_name("bad.toml")
    bad.write_text(text.replace("argp_deg = 180.0", "argp_deg = 360.0"))
    with pytest.raises(ConfigError, match="argp_deg"):
        load_flight(str(bad))


@pytest.fixture(scope="module")
def designed_flight(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("designed")
    run = subprocess.run(
        [*FLY, str(keyless(folder)), "--json"], capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr
    return dict(json.loads(run.stdout))


def test_fly_designs_the_ascent_for_the_target_orbit_and_lands(designed_flight: dict) -> None:
    design, summary = designed_flight["ascent_design"], designed_flight["summary"]
    assert design is not None and design["target_orbit"] == "200x360x51.64"
    assert design["upper_stage_margin_kg"] >= 0.0  # the payload reaches the orbit
    assert summary["outcome"] == "landed"
    assert summary["pitch_kick_deg"] == pytest.approx(
        design["pitch_kick_deg"], rel=1e-6
    )  # JSON keeps 7 digits
    # the flown MECO is where the design's prediction put it
    assert summary["meco_flight_path_deg"] == pytest.approx(design["meco_flight_path_deg"], abs=1)
    # the upper stage's flight from that MECO reaches the orbit (issue #18: within 5 km, 0.1 deg)
    errors = design["insertion_errors"]
    assert abs(errors["perigee_km"]) < 5.0 and abs(errors["apogee_km"]) < 5.0
    assert abs(errors["inclination_deg"]) < 0.1


def test_a_payload_no_ascent_can_carry_is_one_line_and_status_2(tmp_path: Path) -> None:
    path = keyless(tmp_path, payload_kg=60_000.0)
    run = subprocess.run([*FLY, str(path)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 2, run.stderr
    (line,) = [x for x in run.stderr.splitlines() if x.strip()]
    assert line.startswith(f"error: {path}: mission.payload_mass_kg: ")
    assert "no pitch kick puts 60000 kg into 200x360x51.64" in line


def test_a_flight_campaign_flies_the_nominal_design(tmp_path: Path, designed_flight: dict) -> None:
    keyless(tmp_path)
    (tmp_path / "campaign.toml").write_text(
        'scenario = "flight.toml"\nruns = 2\nseed = 1\n'
        '[[dispersions]]\npath = "mission.payload_mass_kg"\ndist = "normal"\nsigma = 100.0\n'
    )
    spec, base = load_campaign(tmp_path / "campaign.toml")
    ctx = prepare(spec, base)
    kick = ctx.scenario["ascent"]["pitch_kick_deg"]  # designed once, before any run
    assert kick == pytest.approx(
        designed_flight["ascent_design"]["pitch_kick_deg"], rel=1e-6
    )  # JSON keeps 7 digits
