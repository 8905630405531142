"""Legal rules of the checker, one module per theme. Importing this package registers them all."""

from gardien.registry.rules import controller, lawfulness  # noqa: F401
