"""Jobs: the use cases the CLI, the API and workers call (plan and run retention, …).

They wire the pure domain to the store and the connectors; they run in-process today.
"""
