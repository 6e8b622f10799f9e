"""The full recovery flight on a rotating Earth: liftoff to touchdown (3-DoF, ECEF)."""
