"""``boostback vehicles`` and ``boostback scenarios``: what is built in."""

from __future__ import annotations

from rich.table import Table

from boostback.cli.common import console, guarded
from boostback.config import list_vehicles, load_vehicle

__all__ = ["scenarios", "vehicles"]


@guarded
def vehicles() -> None:
    """List the built-in vehicles."""
    table = Table(title="Built-in vehicles")
    for col in ("key", "name", "landing engines", "dry mass", "throttle"):
        table.add_column(col)
    for key in list_vehicles():
        v = load_vehicle(key)
        b = v.booster
        e = b.engine
        table.add_row(
            key,
            v.name,
            f"{b.landing_engines} x {e.name}",
            f"{b.dry_mass_kg / 1000:.1f} t",
            f"{e.throttle_min:.0%}-{e.throttle_max:.0%}",
        )
    console.print(table)


@guarded
def scenarios() -> None:
    """List the built-in scenarios: whole flights (for 'fly') and landing burns (for 'land')."""
    from boostback.config.loader import scenario_catalogue

    table = Table(title="Built-in scenarios")
    for col in ("name", "kind", "vehicle", "description"):
        table.add_column(col, no_wrap=col != "description")
    for row in scenario_catalogue():
        table.add_row(*row)
    console.print(table)
