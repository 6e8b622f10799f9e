from boostback.gnc.faults import *  # noqa: F403  TEMPORARY during the move
from boostback.gnc.faults import Fault  # noqa: F401
