"""A file or a name given to the wrong command, or a scenario file missing its keys: one line
that says what the file is and which command takes it, or which key is missing (exit 2).
Before, a landing scenario without its [initial] table was read as a vehicle file ("vehicle:
unknown key") and an empty file was reported against the vehicle's field "key"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from boostback.cli import app
from boostback.config.loader import file_kind, reference_kind
from boostback.config.vocab import FileKind

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "boostback"
EXAMPLES = ROOT / "examples"
FLIGHT = (PACKAGE / "scenarios" / "falcon9_rtls.toml").read_text()
LANDING = (PACKAGE / "scenarios" / "falcon9_landing.toml").read_text()
VEHICLE = (PACKAGE / "vehicles" / "falcon9.toml").read_text()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ({"vehicle": "falcon9", "mission": {}}, FileKind.FLIGHT),
        ({"key": "x", "booster": {}}, FileKind.VEHICLE),
        ({"booster": {}}, FileKind.VEHICLE),
        ({"vehicle": "falcon9", "initial": {}}, FileKind.LANDING),
        ({"scenario": "falcon9_landing", "runs": 4, "seed": 1}, FileKind.CAMPAIGN),
        ({"cost": "falcon9"}, FileKind.ECONOMICS),
        ({"cost": "falcon9", "constellation": "guowang"}, FileKind.DEPLOY),
        ({"key": "x", "hardware": {}}, FileKind.COST),
        ({"key": "x", "satellite_mass_kg": 800.0}, FileKind.CONSTELLATION),
        ({"vehicle": "falcon9", "cost": "falcon9"}, None),  # a scenario: checked as one
        ({"vehicle": "falcon9"}, None),  # says neither: each command checks its own keys
        ({}, None),
    ],
)
def test_file_kind_from_contents(data: dict, kind: FileKind | None) -> None:
    assert file_kind(data) is kind


def test_reference_kind_of_names_and_files(tmp_path: Path) -> None:
    assert reference_kind("falcon9_rtls") is FileKind.FLIGHT
    assert reference_kind("falcon9_landing") is FileKind.LANDING
    assert reference_kind("falcon9") is FileKind.VEHICLE
    assert reference_kind("no_such_thing") is None
    (tmp_path / "v.toml").write_text(VEHICLE)
    assert reference_kind(str(tmp_path / "v.toml")) is FileKind.VEHICLE
    (tmp_path / "falcon9_rtls").mkdir()  # a folder shadows the built-in name, as load_flight
    assert reference_kind(str(tmp_path / "falcon9_rtls")) is None


def _refused(args: list[str], *words: str) -> str:
    result = runner.invoke(app, args)
    message = result.output.strip()
    assert result.exit_code == 2, (args, message)
    assert "\n" not in message and message.startswith("error:"), message
    for word in words:
        assert word in message, (word, message)
    return message


@pytest.mark.parametrize(
    ("command", "name", "text", "words"),
    [
        ("land", "flight.toml", FLIGHT, ("whole-flight scenario", "boostback fly")),
        ("fly", "landing.toml", LANDING, ("landing-burn scenario", "boostback land")),
        ("land", "noinit.toml", 'vehicle = "falcon9"\n', ("initial: missing required key",)),
        ("fly", "noinit.toml", 'vehicle = "falcon9"\n', ("mission: missing required key",)),
        ("land", "empty.toml", "", ("vehicle: missing required key",)),
        ("fly", "empty.toml", "", ("vehicle: missing required key",)),
    ],
)
def test_files_given_to_the_wrong_command_or_incomplete(
    tmp_path: Path, command: str, name: str, text: str, words: tuple[str, ...]
) -> None:
    path = tmp_path / name
    path.write_text(text)
    message = _refused([command, str(path)], *words)
    assert "unknown key" not in message


def test_builtin_names_given_to_the_wrong_command() -> None:
    _refused(["land", "falcon9_rtls"], "whole-flight scenario", "boostback fly falcon9_rtls")
    _refused(["fly", "falcon9_landing"], "landing-burn scenario", "boostback land falcon9_landing")


@pytest.mark.parametrize("command", ["land", "fly"])
def test_missing_file_is_called_missing_by_every_command(tmp_path: Path, command: str) -> None:
    _refused([command, str(tmp_path / "nosuch.toml")], "nosuch.toml: file not found")
    _refused([command, str(tmp_path / "sub" / "nosuch")], "file not found")


def test_unknown_vehicle_given_to_fly_names_the_ones_that_fly() -> None:
    _refused(["fly", "nosuch"], "'nosuch'", "falcon9", "zhuque3")


def test_flight_file_given_as_land_state_file(tmp_path: Path) -> None:
    path = tmp_path / "flight.toml"
    path.write_text(FLIGHT)
    _refused(["land", "falcon9", "--from", str(path)], "whole-flight scenario")


def test_bad_campaign_found_while_preparing_prints_no_progress_bar(tmp_path: Path) -> None:
    """A dispersion path is checked against the scenario while the campaign is prepared, after
    the command has started: the one error line comes alone, without a progress bar before it."""
    campaign = tmp_path / "c.toml"
    campaign.write_text(
        'scenario = "falcon9_landing"\nruns = 4\nseed = 1\n'
        '[[dispersions]]\npath = "initial.nosuch"\ndist = "normal"\nsigma = 5.0\n'
    )
    message = _refused(["mc", "run", str(campaign), "--out", str(tmp_path / "out")])
    assert "initial.nosuch" in message and "landed" not in message


def test_help_paragraphs_are_not_broken_where_the_source_breaks_them() -> None:
    """Typer's rich help kept a docstring's line breaks after its first paragraph ("...3
    internal error (one line" / "naming the log file..."); each paragraph now wraps as one."""
    result = runner.invoke(app, ["land", "--help"], env={"COLUMNS": "200", "TERMINAL_WIDTH": "200"})
    assert result.exit_code == 0
    lines = [line.strip(" │") for line in result.output.splitlines()]
    status = [line for line in lines if line.startswith("Exit status:")]
    assert status and "130 interrupted" in status[0], status


def _commands() -> list[tuple[list[str], Any]]:
    import typer

    found: list[tuple[list[str], Any]] = []

    def walk(command: Any, path: list[str]) -> None:
        if hasattr(command, "commands"):  # a group (typer carries its own click)
            for name, sub in command.commands.items():
                walk(sub, [*path, name])
        else:
            found.append((path, command))

    walk(typer.main.get_command(app), [])
    return found


def test_every_help_text_survives_rich_markup() -> None:
    """Rich markup reads ``[word ...]`` as a style tag and drops it: option help wrote
    ``[default: ...]`` and ``[booster.rigid_body]`` and the help showed "needs a  section) ."."""
    from rich.text import Text

    commands = _commands()
    assert len(commands) >= 12
    for path, command in commands:
        for param in command.params:
            text = getattr(param, "help", None) or ""
            assert Text.from_markup(text).plain == text, (path, param.name, text)


def _kind_models() -> dict[FileKind, type]:
    from boostback.campaign.spec import CampaignSpec
    from boostback.config.models import Vehicle
    from boostback.economics.models import Constellation, CostFile, DeployStudy, EconomicsStudy

    return {
        FileKind.CAMPAIGN: CampaignSpec,
        FileKind.DEPLOY: DeployStudy,
        FileKind.ECONOMICS: EconomicsStudy,
        FileKind.COST: CostFile,
        FileKind.CONSTELLATION: Constellation,
        FileKind.VEHICLE: Vehicle,
    }


def test_each_kind_is_told_by_a_key_its_model_requires() -> None:
    """The classifier's keys follow the models: a key that became optional (or was renamed)
    would let a file of that kind pass as 'does not say'."""
    from boostback.config.flight_models import FlightScenario
    from boostback.config.loader import _KIND_KEYS
    from boostback.config.models import LandingScenario

    models = _kind_models()
    for kind, key in _KIND_KEYS:
        assert models[kind].model_fields[key].is_required(), (kind, key)
    assert FlightScenario.model_fields["mission"].is_required()
    assert LandingScenario.model_fields["initial"].is_required()
    assert set(models) | {FileKind.FLIGHT, FileKind.LANDING} == set(FileKind)


def _shipped_kind(path: Path) -> FileKind | None:
    """What each shipped file is, by where it lives and its name."""
    if path.parent.name == "vehicles":
        return FileKind.VEHICLE
    if path.parent.name == "data":
        return {"guowang": FileKind.CONSTELLATION, "qianfan": FileKind.CONSTELLATION}.get(
            path.stem, None if path.stem.endswith("_landings") else FileKind.COST
        )
    if path.parent.name == "scenarios":
        return FileKind.LANDING if "landing" in path.stem or "case" in path.stem else None
    if path.stem.startswith("deploy_"):
        return FileKind.DEPLOY
    if path.stem.startswith("economics_"):
        return FileKind.ECONOMICS
    return FileKind.LANDING if path.stem == "falcon9_high_state" else FileKind.CAMPAIGN


SHIPPED = sorted(
    [
        *EXAMPLES.glob("*.toml"),
        *(PACKAGE / "vehicles").glob("*.toml"),
        *(PACKAGE / "economics" / "data").glob("*.toml"),
        *(PACKAGE / "scenarios").glob("*.toml"),
    ]
)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_file_is_told_its_kind(path: Path) -> None:
    from boostback.config.loader import list_flights

    expected = _shipped_kind(path)
    if path.parent.name == "scenarios" and path.stem in list_flights():
        expected = FileKind.FLIGHT
    if path.parent.name == "scenarios" and expected is None:
        expected = FileKind.LANDING  # zhuque3_y1: a landing burn with faults
    assert reference_kind(str(path)) is expected


CAMPAIGN_FILE = str(EXAMPLES / "falcon9_landing_dispersions.toml")
RTLS_CAMPAIGN = str(EXAMPLES / "falcon9_rtls_campaign.toml")
ECONOMICS_FILE = str(EXAMPLES / "economics_falcon9.toml")
DEPLOY_FILE = str(EXAMPLES / "deploy_qianfan_falcon9.toml")
VEHICLE_FILE = str(PACKAGE / "vehicles" / "falcon9.toml")
LANDING_FILE = str(PACKAGE / "scenarios" / "falcon9_landing.toml")
FLIGHT_FILE = str(PACKAGE / "scenarios" / "falcon9_rtls.toml")
COST_FILE = str(PACKAGE / "economics" / "data" / "falcon9.toml")
CONSTELLATION_FILE = str(PACKAGE / "economics" / "data" / "guowang.toml")
OUT = "/nonexistent-out-never-written"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        # the first-hour review's table: each named a wrong key ("scenario: unknown key"...)
        (["land", "--from", CAMPAIGN_FILE], ("is a campaign file", "boostback mc run")),
        (["land", "--from", VEHICLE_FILE], ("is a vehicle", f"boostback land {VEHICLE_FILE}")),
        (["fly", RTLS_CAMPAIGN], ("is a campaign file", f"mc run {RTLS_CAMPAIGN} --out DIR")),
        (
            ["mc", "run", LANDING_FILE, "--out", OUT],
            ("landing-burn scenario", "boostback land", "campaign file's scenario"),
        ),
        (["mc", "run", ECONOMICS_FILE, "--out", OUT], ("economics study", "boostback economics")),
        (["deploy", ECONOMICS_FILE], ("economics study", f"boostback economics {ECONOMICS_FILE}")),
        (["economics", DEPLOY_FILE], ("deployment study", f"boostback deploy {DEPLOY_FILE}")),
        # and the other pairs
        (
            ["mc", "run", "falcon9_rtls", "--out", OUT],
            ("whole-flight scenario", "fly falcon9_rtls"),
        ),
        (["mc", "boundary", DEPLOY_FILE, "--out", OUT], ("deployment study",)),
        (["mc", "rare", FLIGHT_FILE, "--out", OUT], ("whole-flight scenario", "boostback fly")),
        (["land", ECONOMICS_FILE], ("economics study",)),
        (["land", "--from", COST_FILE], ("is a cost file", "boostback economics")),
        (["fly", COST_FILE], ("is a cost file", "boostback economics")),
        (["fly", DEPLOY_FILE], ("deployment study", "boostback deploy")),
        (["economics", VEHICLE_FILE], ("is a vehicle", "boostback fly")),
        (["economics", CAMPAIGN_FILE], ("is a campaign file",)),
        (["economics", "guowang"], ("'guowang' is a constellation file", "deployment study")),
        (["deploy", "falcon9"], ("'falcon9' is a cost file", "boostback economics falcon9")),
        (["deploy", CONSTELLATION_FILE], ("is a constellation file",)),
        (["payload", CAMPAIGN_FILE], ("is a campaign file",)),
        (["payload", "falcon9_landing"], ("landing-burn scenario", "boostback land")),
        (["payload", VEHICLE_FILE], ("is a vehicle file", "built-in vehicle", "falcon9, zhuque3")),
        (["report", CAMPAIGN_FILE], ("is a campaign file", "boostback mc run")),
    ],
    ids=lambda v: " ".join(Path(a).name for a in v) if isinstance(v, list) else None,
)
def test_a_file_given_to_the_wrong_command_says_what_it_is(
    args: list[str], words: tuple[str, ...]
) -> None:
    message = _refused(args, *words)
    assert "unknown key" not in message and "missing required key" not in message
    assert not Path(OUT).exists()


@pytest.mark.parametrize(
    ("ref", "takes"),
    [
        (CAMPAIGN_FILE, (FileKind.CAMPAIGN,)),
        (ECONOMICS_FILE, (FileKind.ECONOMICS, FileKind.COST)),
        (COST_FILE, (FileKind.ECONOMICS, FileKind.COST)),
        (DEPLOY_FILE, (FileKind.DEPLOY,)),
        (LANDING_FILE, (FileKind.LANDING, FileKind.VEHICLE)),
        ("falcon9", (FileKind.FLIGHT, FileKind.VEHICLE)),
        ("falcon9_rtls", (FileKind.FLIGHT, FileKind.VEHICLE)),
    ],
)
def test_a_file_of_a_kind_the_command_takes_passes(ref: str, takes: tuple[FileKind, ...]) -> None:
    from boostback.config.loader import check_kind

    assert check_kind(ref, *takes) in takes


def test_payload_of_a_flight_scenario_solves_its_vehicle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, 'payload falcon9_rtls.toml' said "no built-in flight scenario for vehicle
    '<path>'": it solves the scenario's vehicle now, and says the file's mission is not used."""
    from types import SimpleNamespace

    import boostback.payload.table as table

    asked: list[str] = []

    def solve_modes(key: str, *args: Any) -> SimpleNamespace:
        asked.append(key)
        return SimpleNamespace(as_dict=lambda: {"vehicle": key, "modes": []})

    monkeypatch.setattr(table, "solve_modes", solve_modes)
    result = runner.invoke(app, ["payload", FLIGHT_FILE, "--orbit", "200x200x51.6", "--json"])
    assert result.exit_code == 0, result.output
    assert asked == ["falcon9"]
    assert "whole-flight scenario" in result.stderr and "not used" in result.stderr
    assert json.loads(result.stdout)["vehicle"] == "falcon9"  # the note is not in the JSON
    (tmp_path / "own.toml").write_text(FLIGHT.replace('vehicle = "falcon9"', 'vehicle = "v.toml"'))
    (tmp_path / "v.toml").write_text(VEHICLE)
    _refused(["payload", str(tmp_path / "own.toml")], "vehicle 'v.toml'", "built-in vehicle")
    assert asked == ["falcon9"]


def test_a_payload_too_heavy_to_lift_off_is_named_not_the_throttle(tmp_path: Path) -> None:
    """A 500 t payload was refused under ascent.throttle, which no throttle could fix."""
    lines = [
        "payload_mass_kg = 500000.0" if line.startswith("payload_mass_kg") else line
        for line in FLIGHT.splitlines()
    ]
    assert "payload_mass_kg = 500000.0" in lines
    path = tmp_path / "heavy.toml"
    path.write_text("\n".join(lines))
    message = _refused(["fly", str(path)], "mission.payload_mass_kg", "500,000 kg", "at most")
    assert "ascent.throttle" not in message


def test_report_of_a_missing_folder_says_it_does_not_exist(tmp_path: Path) -> None:
    message = _refused(["report", str(tmp_path / "nosuch")], "nosuch: does not exist")
    assert "neither" not in message
