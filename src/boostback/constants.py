"""Physical constants (SI)."""

G0_MPS2 = 9.80665  # standard gravity, exact by definition (CGPM 1901)
EARTH_MU_M3PS2 = 3.986004418e14  # WGS-84 / IERS gravitational parameter
EARTH_RADIUS_M = 6_371_008.8  # IUGG mean Earth radius
MARS_G_MPS2 = 3.7114  # Mars surface gravity used by Acikmese & Ploen 2007
SEA_LEVEL_PRESSURE_PA = 101_325.0  # US Standard Atmosphere 1976
