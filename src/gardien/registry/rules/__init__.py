"""Legal rules of the checker, one module per theme. Importing this package registers them all.

GD1xx controller and notice · GD2xx lawfulness · GD3xx data, subjects, collection ·
GD4xx recipients and transfers · GD5xx retention · GD6xx systems and tables ·
GD7xx transparency (texts in each language).
"""

from gardien.registry.rules import (  # noqa: F401
    categories,
    category_retention,
    collection,
    controller,
    identity,
    languages,
    lawfulness,
    retention,
    systems,
    transfers,
)
