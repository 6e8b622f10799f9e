"""Benchmarks: ``python -m benchmarks`` (or ``make bench``) prints the speed table."""
