"""A file or a name given to the wrong command, or a scenario file missing its keys: one line
that says what the file is and which command takes it, or which key is missing (exit 2).
Before, a landing scenario without its [initial] table was read as a vehicle file ("vehicle:
unknown key") and an empty file was reported against the vehicle's field "key"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from boostback.cli import app
from boostback.config.loader import file_kind, reference_kind
from boostback.config.vocab import FileKind

runner = CliRunner()
PACKAGE = Path(__file__).resolve().parents[1] / "src" / "boostback"
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
