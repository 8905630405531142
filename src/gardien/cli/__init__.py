"""The ``gardien`` command line (Typer). One module per command group; ``app.py`` assembles them."""
