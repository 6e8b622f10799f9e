"""The ``boostback`` typer app: every command group registered in one place."""

from __future__ import annotations

import inspect

import typer
from rich.markup import escape

from boostback.cli.bench import bench
from boostback.cli.catalogue import scenarios, vehicles
from boostback.cli.common import OneLineErrors
from boostback.cli.economics import deploy, economics
from boostback.cli.fly import compare, fly
from boostback.cli.land import land
from boostback.cli.mc import mc_app
from boostback.cli.mc_rare import rare
from boostback.cli.payload import payload
from boostback.cli.report import report
from boostback.jit import announce_compiles

__all__ = ["app", "main"]

app = typer.Typer(
    cls=OneLineErrors,
    add_completion=False,
    no_args_is_help=True,
    help="Fly reusable boosters to touchdown with convex guidance in the loop.",
    epilog="Exit statuses: 0 done (landed), 1 did not land, 2 bad input (one line naming the "
    "file or option, the key and the problem), 3 internal error (one line naming the log file "
    "with the traceback: $BOOSTBACK_LOG_DIR, else $XDG_STATE_HOME/boostback/logs, by default "
    "~/.local/state/boostback/logs), 130 interrupted.",
)
mc_app.command("rare")(rare)
# registration order is the order of `boostback --help`
app.add_typer(mc_app, name="mc")
app.command("bench")(bench)
app.command("report")(report)
app.command("fly")(fly)
app.command("compare")(compare)
app.command("vehicles")(vehicles)
app.command("scenarios")(scenarios)
app.command("land")(land)
app.command("economics")(economics)
app.command("deploy")(deploy)
app.command("payload")(payload)


def _paragraphs(doc: str) -> str:
    """A docstring as its paragraphs, each on one line: typer's rich help keeps a docstring's
    line breaks after the first paragraph and broke its sentences where the source did."""
    text = inspect.cleandoc(doc)
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n"))


def _reflow_help(group: typer.Typer) -> None:
    """Every command's docstring as its help, by paragraphs and with brackets as text (rich
    markup took ``[default: ...]`` for a style tag and dropped it)."""
    for command in group.registered_commands:
        if command.callback is None:
            continue
        if command.help is None and command.callback.__doc__:
            command.help = escape(_paragraphs(command.callback.__doc__))
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            _reflow_help(sub.typer_instance)


_reflow_help(app)


def main() -> None:  # pragma: no cover - console entry point
    """Run the ``boostback`` command line."""
    announce_compiles()  # one stderr line when a cold cache makes the kernels compile
    app()
