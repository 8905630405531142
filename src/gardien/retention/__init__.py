"""Retention: the pure policy that turns the registry, a clock and legal holds into a plan,
and the executor that carries a plan out through a connector, journaled and resumable."""
