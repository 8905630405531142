"""Synthetic people for the systems a registry declares: tables and realistic French rows.

This is a development and demonstration tool, not part of the privacy domain: it creates the
tables of a declared system from the registry alone (``schema``) and fills them with people
whose dates put them in every phase of their retention rules (``scenarios``, ``people``), so
that the retention engine, its tests, the demo and the benchmark run on believable data
(issue 3 §4). It talks to databases through SQLAlchemy Core and never prints.
"""

from gardien.synthetic.people import TableProgress, fill_registry, fill_system
from gardien.synthetic.scenarios import ScenarioMix
from gardien.synthetic.schema import build_metadata, create_system

__all__ = [
    "ScenarioMix",
    "TableProgress",
    "build_metadata",
    "create_system",
    "fill_registry",
    "fill_system",
]
