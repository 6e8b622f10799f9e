"""``python -m boostback.cli``: the same as the ``boostback`` command."""

from boostback.cli.main import main

main()
