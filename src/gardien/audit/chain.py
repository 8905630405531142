"""Hash chaining of audit events, and its verification.

Each event's hash covers its sequence number, time, actor, action, target, details and the
previous event's hash, so altering, removing or reordering any event breaks the chain from
that point on; ``verify`` names the first bad event.

Connection data (IP address, user agent) must not outlive six months (R-RET-07, CNIL guidance
on logs), but the trail must stay verifiable for years. So connection data is kept beside the
event and only its digest enters the hash: purging it later leaves the chain intact.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    details: Mapping[str, Any]
    prev_hash: str
    hash: str
    connection: Mapping[str, Any] | None = None
    connection_digest: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "details": dict(self.details),
            "connection_digest": self.connection_digest,
            "prev_hash": self.prev_hash,
        }


@dataclass(frozen=True)
class NewEvent:
    """What a caller records; the trail gives it its place and hash."""

    actor: str
    action: str
    target: str
    details: Mapping[str, Any] = field(default_factory=dict)
    connection: Mapping[str, Any] | None = None


def seal(new: NewEvent, *, seq: int, at: datetime, prev_hash: str) -> AuditEvent:
    conn_digest = digest(new.connection) if new.connection else None
    unsealed = AuditEvent(
        seq=seq,
        at=at,
        actor=new.actor,
        action=new.action,
        target=new.target,
        details=dict(new.details),
        prev_hash=prev_hash,
        hash="",
        connection=new.connection,
        connection_digest=conn_digest,
    )
    return AuditEvent(**{**unsealed.__dict__, "hash": digest(unsealed.payload())})


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    reason: str | None = None


def verify(events: Iterable[AuditEvent]) -> Verification:
    """Walk the trail in stored order; the first inconsistency is the first bad event."""
    expected_seq = 1
    prev = GENESIS
    count = 0
    for event in events:
        count += 1
        if event.seq != expected_seq:
            reason = f"expected event #{expected_seq} here, found #{event.seq}: " + (
                "events were removed"
                if event.seq > expected_seq
                else "events were reordered or duplicated"
            )
            return Verification(False, count, event.seq, reason)
        if event.prev_hash != prev:
            return Verification(False, count, event.seq, "its link to the previous event is broken")
        if event.hash != digest(event.payload()):
            return Verification(
                False, count, event.seq, "its content was altered after it was written"
            )
        if event.connection is not None and digest(event.connection) != event.connection_digest:
            return Verification(False, count, event.seq, "its connection data was altered")
        prev = event.hash
        expected_seq += 1
    return Verification(True, count)
