"""The credentials a registry holds: which variables a URL may read, and how a URL is shown.

A system's URL carries a database password (``${CRM_PASSWORD}`` or written in the file).
Two rules keep it where it belongs (issue 9 §2, R-SEC):

- ``${VAR}`` in a URL reads only the variables meant for database connections: names ending
  in one of ``ALLOWED_SUFFIXES`` and outside gardien's own ``GARDIEN_`` settings, which hold
  its keys (``GARDIEN_SECRET_KEY``, ``GARDIEN_SUBJECT_KEY``…) and its store's URL. Otherwise a
  registry author could copy the secret key into a URL that errors and pages then show.
- A URL is never shown with its password: the model serialises ``mask_url(url)``, so the
  API, the back office, JSON output and published files cannot forget to mask it.

Pure: no SQLAlchemy here (the domain imports no framework); ``mask_url`` reads a URL the way
SQLAlchemy's ``make_url`` does (``scheme://user:password@host``, the password up to the first
``@``), and masks every query parameter that names a password.
"""

from __future__ import annotations

import re

MASK = "***"
ALLOWED_SUFFIXES = ("_URL", "_HOST", "_PORT", "_USER", "_PASSWORD", "_DATABASE")
RESERVED_PREFIX = "GARDIEN_"

# As sqlalchemy.engine.url._parse_url: the user stops at ':' or '/', the password at '@'.
_USERINFO = re.compile(r"^(?P<head>[\w+]+://[^:/]*:)(?P<password>[^@]*)@")
_QUERY_SECRET = re.compile(r"(?P<key>[?&](?:password|passwd|pwd|secret)=)(?P<value>[^&]*)", re.I)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def mask_url(url: str) -> str:
    """``url`` with its password, and any password in its query, replaced by ``***``."""
    masked = _USERINFO.sub(
        lambda m: f"{m['head']}{MASK if m['password'] else ''}@",
        url,
        count=1,
    )
    return _QUERY_SECRET.sub(lambda m: f"{m['key']}{MASK}", masked)


def refused_variable(name: str) -> str | None:
    """Why a registry URL may not read the variable ``name``, or None if it may."""
    if name.upper().startswith(RESERVED_PREFIX):
        return "a registry may not read gardien's own settings (GARDIEN_*: its keys, its store)"
    if not name.upper().endswith(ALLOWED_SUFFIXES):
        endings = ", ".join(ALLOWED_SUFFIXES)
        return f"a registry URL reads only variables whose name ends with {endings}"
    return None


def has_control_character(value: str) -> bool:
    """Whether ``value`` holds a control character (a NUL, a newline…): never in a URL."""
    return _CONTROL.search(value) is not None
