"""Reports of a flight: review plots (matplotlib ``Figure`` objects, no pyplot state)."""

from boostback.report.plots import save_landing_plots, time_histories, trajectory_views

__all__ = ["save_landing_plots", "time_histories", "trajectory_views"]
