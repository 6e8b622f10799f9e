"""Reports of a flight: review plots (matplotlib ``Figure`` objects, no pyplot state)."""

from boostback.report.plots import save_landing_plots, time_histories, trajectory_views

__all__ = ["save_landing_plots", "time_histories", "trajectory_views"]

_HTML = {  # name -> the module that defines it
    "render_campaign_report": "campaign_html",
    "render_flight_report": "html",
    "write_boundary_report": "boundary_html",
    "write_campaign_report": "campaign_html",
    "write_flight_report": "html",
}
__all__ += list(_HTML)


def __getattr__(name: str) -> object:
    """The HTML reports load plotly and jinja2 on first use, not with the matplotlib plots."""
    if name in _HTML:
        import importlib

        return getattr(importlib.import_module(f"boostback.report.{_HTML[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
