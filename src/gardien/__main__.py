"""``python -m gardien`` is the ``gardien`` command."""

from gardien.cli.app import main

main()
