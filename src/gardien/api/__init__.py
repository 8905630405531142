"""gardien's HTTP API (issue 5 §1): ``create_app(settings)`` builds it; nothing at import time."""
