"""boostback: reusable-booster recovery simulation with convex landing guidance in the loop."""

__version__ = "0.1.0"
