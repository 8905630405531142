"""Adapters to the organisation's data stores. Driver errors are translated here, at the edge."""
