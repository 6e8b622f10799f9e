from boostback.gnc.navigation import NavigationFilter  # noqa: F401  TEMPORARY
