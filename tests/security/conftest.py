"""The API and back-office fixtures of tests/api and tests/web/office, for the attack scripts."""

from tests.api.conftest import api
from tests.web.office.conftest import office

__all__ = ["api", "office"]
