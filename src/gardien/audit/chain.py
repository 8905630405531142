"""Chaining of audit events with a keyed MAC, and its verification (issue 9 §5).

Each event's seal covers its sequence number, time, actor, action, target, details, the key
that sealed it and the previous event's seal, so altering, removing or reordering any event
breaks the chain from that point on; ``verify`` names the first bad event.

The seal is ``HMAC(key, previous seal + canonical event)`` (``gardien.audit.keys``): the key is
not in the store, so someone who can write to the store but does not hold the key cannot
re-seal what they changed. Each event names the key that sealed it (``key_id``), so the key can
rotate: verification looks the key up among the current and retired keys. Events written by
gardien before keyed seals (plain SHA-256, ``key_id`` empty) verify as a *legacy prefix*: they
may only precede keyed events, and the first keyed event's MAC covers the last legacy seal,
so the prefix is protected from then on. Truncation of the tail and a wiped trail leave no
broken link: they are caught against the anchors of the head kept outside the store
(``gardien.audit.anchors``).

Connection data (IP address, user agent) must not outlive six months (R-RET-07, CNIL guidance
on logs), but the trail must stay verifiable for years. So connection data is kept beside the
event and only its digest enters the seal: purging it later leaves the chain intact.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gardien.audit.anchors import Anchor
from gardien.audit.keys import AuditKey

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
    key_id: str | None = None
    """The key that sealed it (``AuditKey.key_id``); None for a legacy plain SHA-256 seal."""

    def payload(self) -> dict[str, Any]:
        content: dict[str, Any] = {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "details": dict(self.details),
            "connection_digest": self.connection_digest,
            "prev_hash": self.prev_hash,
        }
        if self.key_id is not None:  # legacy payloads stay byte for byte what they were
            content["key_id"] = self.key_id
        return content

    def expected_seal(self, key: AuditKey | None) -> str:
        """The seal this content should carry under ``key`` (None: the legacy SHA-256)."""
        if key is None:
            return digest(self.payload())
        return key.mac(self.prev_hash.encode("ascii") + canonical(self.payload()).encode("utf-8"))


@dataclass(frozen=True)
class NewEvent:
    """What a caller records; the trail gives it its place and seal."""

    actor: str
    action: str
    target: str
    details: Mapping[str, Any] = field(default_factory=dict)
    connection: Mapping[str, Any] | None = None


def seal(
    new: NewEvent, *, seq: int, at: datetime, prev_hash: str, key: AuditKey | None
) -> AuditEvent:
    """The event at ``seq`` after ``prev_hash``, sealed with ``key`` (None only to write a
    legacy plain SHA-256 seal, as gardien did before issue 9: tests and the bench)."""
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
        key_id=key.key_id if key is not None else None,
    )
    return AuditEvent(**{**unsealed.__dict__, "hash": unsealed.expected_seal(key)})


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    reason: str | None = None
    legacy_events: int = 0
    """How many events at the start carry a legacy plain SHA-256 seal."""
    anchor: Anchor | None = None
    """The latest anchor the trail was checked against; None when there is none."""


def _anchor_name(anchor: Anchor) -> str:
    return f"the anchor of {anchor.at.isoformat(timespec='seconds')} (#{anchor.seq})"


def verify(
    events: Iterable[AuditEvent],
    keys: Mapping[str, AuditKey],
    anchors: Sequence[Anchor] = (),
) -> Verification:
    """Walk the trail in stored order; the first inconsistency is the first bad event.

    ``keys`` are the audit keys by id (current and retired); ``anchors`` the heads recorded
    outside the store: each must still be in the trail with the same seal, and none may lie
    beyond its end (a truncated or wiped trail).
    """
    by_seq: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        by_seq.setdefault(anchor.seq, []).append(anchor)
    latest = max(anchors, key=lambda a: (a.seq, a.at), default=None)
    # Anchors record how many legacy events there were; later ones can only be forgeries.
    legacy_limit = min((a.legacy for a in anchors), default=None)
    expected_seq = 1
    prev = GENESIS
    count = 0
    legacy = 0
    first_keyed: int | None = None

    def bad(seq: int | None, reason: str) -> Verification:
        return Verification(False, count, seq, reason, legacy, latest)

    for event in events:
        count += 1
        if event.seq != expected_seq:
            reason = f"expected event #{expected_seq} here, found #{event.seq}: " + (
                "events were removed"
                if event.seq > expected_seq
                else "events were reordered or duplicated"
            )
            return bad(event.seq, reason)
        if event.prev_hash != prev:
            return bad(event.seq, "its link to the previous event is broken")
        if event.key_id is None:
            if first_keyed is not None:
                return bad(
                    event.seq,
                    f"it carries a plain SHA-256 seal after keyed seals (from #{first_keyed}): "
                    "its keyed seal was replaced",
                )
            if legacy_limit is not None and event.seq > legacy_limit:
                return bad(
                    event.seq,
                    "it carries a plain SHA-256 seal, but the anchors record keyed seals from "
                    f"#{legacy_limit + 1}: the trail was re-sealed without the key",
                )
            if event.hash != event.expected_seal(None):
                return bad(event.seq, "its content was altered after it was written")
            legacy += 1
        else:
            key = keys.get(event.key_id)
            if key is None:
                return bad(
                    event.seq,
                    f"it names the audit key {event.key_id!r}, which is none of the audit keys "
                    "of these settings (GARDIEN_AUDIT_KEY, GARDIEN_AUDIT_RETIRED_KEYS): its key "
                    "id was replaced, or a retired key is missing",
                )
            if event.hash != event.expected_seal(key):
                return bad(
                    event.seq,
                    "its seal does not match its content: it was altered after it was written "
                    "(or re-sealed without the audit key)",
                )
            first_keyed = first_keyed or event.seq
        if event.connection is not None and digest(event.connection) != event.connection_digest:
            return bad(event.seq, "its connection data was altered")
        for anchor in by_seq.get(event.seq, ()):
            if anchor.digest != event.hash:
                return bad(
                    event.seq,
                    f"its seal differs from {_anchor_name(anchor)}: the trail was rewritten "
                    "at or before this event",
                )
        prev = event.hash
        expected_seq += 1
    last = expected_seq - 1
    if latest is not None and latest.seq > last:
        what = "the trail was wiped" if last == 0 else "the tail was truncated"
        return bad(
            last + 1,
            f"the trail ends at #{last} but {_anchor_name(latest)} records #{latest.seq}: "
            f"events #{last + 1} to #{latest.seq} were removed ({what})",
        )
    return Verification(True, count, None, None, legacy, latest)
