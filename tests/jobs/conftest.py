"""The back office's fixture (the real app, signed-in clients) for the use cases' cross-edge
tests."""

from tests.web.office.conftest import office

__all__ = ["office"]
