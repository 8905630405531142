"""Wrong one-time codes in the store, so that a cap holds across codes, requests, processes
and restarts (issue 9 §3; the rules are ``gardien.requests.verification``'s)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gardien.requests.verification import GUESS_WINDOW, WrongCodes
from gardien.store.keys import keys_of
from gardien.store.schema_guesses import code_failure


def identifier_digest(conn: Connection, channel: str, value: str) -> str:
    """The keyed digest of the identifier a code goes to (nobody is named in the table)."""
    return keys_of(conn).subject.digest(channel, value)


def counted(conn: Connection, request_id: str, digest: str, now: datetime) -> WrongCodes:
    """Wrong codes for the request (ever) and for the identifier (within the window)."""
    for_request = conn.execute(
        sa.select(sa.func.count()).where(code_failure.c.request_id == request_id)
    ).scalar_one()
    for_identifier = conn.execute(
        sa.select(sa.func.count()).where(
            code_failure.c.identifier_digest == digest,
            code_failure.c.at > now - GUESS_WINDOW,
        )
    ).scalar_one()
    return WrongCodes(request=int(for_request), identifier=int(for_identifier))


def record(conn: Connection, request_id: str, digest: str, now: datetime) -> None:
    conn.execute(
        code_failure.insert().values(request_id=request_id, identifier_digest=digest, at=now)
    )
