"""The numeric columns every landing run's row carries: a light module (no kernels), read by
the runs that write them and by what builds rows without flying (the store's benchmark)."""

from __future__ import annotations

__all__ = ["NUMERIC_FIELDS", "TOUCHDOWN_COLUMNS"]

# Summary fields copied into each row (wall-clock timings are left out: rows must be identical
# whichever machine, worker count or backend ran them).
NUMERIC_FIELDS = (
    "ignition_t_s",
    "ignition_altitude_m",
    "burn_time_s",
    "touchdown_t_s",
    "touchdown_vertical_speed_mps",
    "touchdown_lateral_speed_mps",
    "touchdown_tilt_deg",
    "miss_distance_m",
    "propellant_used_kg",
    "propellant_left_kg",
    "replans",
    "guidance_solves",
)
TOUCHDOWN_COLUMNS = ("touchdown_east_m", "touchdown_north_m")  # where it came down
