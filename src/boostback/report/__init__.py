"""Reports of a flight: review plots (matplotlib ``Figure`` objects, no pyplot state)."""

from boostback.report.plots import save_landing_plots, time_histories, trajectory_views

__all__ = ["save_landing_plots", "time_histories", "trajectory_views"]

_HTML = (
    "render_campaign_report",
    "render_flight_report",
    "write_campaign_report",
    "write_flight_report",
)
__all__ += list(_HTML)


def __getattr__(name: str) -> object:
    """The HTML reports load plotly and jinja2 on first use, not with the matplotlib plots."""
    if name in _HTML:
        from boostback.report import html

        return getattr(html, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
