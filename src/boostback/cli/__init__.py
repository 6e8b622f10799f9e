"""The ``boostback`` command line.

One module per command group: :mod:`~boostback.cli.land` (``land``), :mod:`~boostback.cli.fly`
(``fly``, ``compare``), :mod:`~boostback.cli.mc` (``mc run|summary|boundary``),
:mod:`~boostback.cli.report` (``report``), :mod:`~boostback.cli.bench` (``bench``) and
:mod:`~boostback.cli.catalogue` (``vehicles``, ``scenarios``), registered on one typer app in
:mod:`~boostback.cli.main`. :mod:`~boostback.cli.common` holds what they share: consoles, JSON
output, output folders, and the exit statuses (0 landed or done, 1 did not land, 2 bad input
with a one-line message naming the file, the key and the problem, 3 internal error,
130 interrupted).
"""

from boostback.cli.main import app, main

__all__ = ["app", "main"]
