"""Suite-wide settings.

Hypothesis draws a fixed set of examples (derandomized, no example database), so the suite
gives the same verdict on every run and on every machine, as the rest of boostback does.
``HYPOTHESIS_PROFILE=explore`` draws fresh examples each run, to look for new counterexamples.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
