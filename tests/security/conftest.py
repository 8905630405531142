"""The API fixture of tests/api, for the attack scripts here."""

from tests.api.conftest import api

__all__ = ["api"]
