"""The one filter of the audit trail by action (issue 9 §6), for every reader: the API, the
back office and the command line.

The filter matches literally, except for ``*``, a wildcard (``hold.*``): ``%`` and ``_`` typed
in a filter are escaped, never SQL wildcards (``action=%`` used to match every event).
"""

from __future__ import annotations

import sqlalchemy as sa

from gardien.store.schema import audit_event

ESCAPE = "!"
"""Not a backslash: MySQL and MariaDB read a backslash in a string literal as an escape of its
own, which ``ESCAPE '\\'`` then has to survive; ``!`` means the same on every database."""


def action_pattern(action: str) -> str:
    """A LIKE pattern (escaped with ``ESCAPE``) matching ``action`` literally, ``*`` standing
    for any characters."""
    escaped = (
        action.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    )
    return escaped.replace("*", "%")


def action_matches(action: str | None) -> sa.ColumnElement[bool]:
    """The condition on ``audit_event.action`` for the filter ``action`` (none: every event)."""
    if not action:
        return sa.true()
    return audit_event.c.action.like(action_pattern(action), escape=ESCAPE)
