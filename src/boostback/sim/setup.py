from boostback.plant.setup import *  # noqa: F403  TEMPORARY during the move
from boostback.plant.setup import LandingSetup, aero_params, landing_setup, stage_propulsion  # noqa: F401
