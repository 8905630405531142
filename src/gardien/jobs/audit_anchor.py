"""Anchoring the audit trail's head outside the store (issue 9 §5), and reading the anchors.

Two places, each configured in the settings, both written by every anchor:

- the anchor file (``GARDIEN_AUDIT_ANCHOR_FILE``): append-only JSON lines on storage the store's
  writers cannot rewrite; ``verify`` reads it, so truncation and a wipe are caught by the
  machine;
- an e-mail to the DPO (``GARDIEN_AUDIT_ANCHOR_EMAIL``) through the settings' notifier: a copy
  in a mailbox nobody on the server can recall, to check the file itself
  (``gardien audit verify --anchor LINE``).

``gardien audit anchor`` writes one; the server anchors when it starts, every
``GARDIEN_AUDIT_ANCHOR_SECONDS`` while the head moves, and when it stops; a retention run
anchors when it ends. Why these places and what they prove: docs/audit.md.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from gardien.audit.anchors import Anchor, AnchorFormatError, from_line, make_anchor, to_line
from gardien.clock import Clock
from gardien.errors import Unavailable, UsageError
from gardien.notify import Message, Notifier
from gardien.store import anchor_file
from gardien.store import audit as trail
from gardien.store.keys import keys_of

log = logging.getLogger(__name__)


class AnchorFailed(Unavailable):
    """An anchor could not be written where the settings say (the file, the DPO's e-mail)."""

    code = "audit_anchor_failed"


@dataclass(frozen=True)
class Anchoring:
    """Where anchors go (the settings' ``anchoring``)."""

    file: Path | None = None
    dpo_email: str = ""
    notifier: Notifier | None = None
    every_seconds: float = 3600.0
    """The server's period between two anchors, while the head moves."""

    @property
    def enabled(self) -> bool:
        return self.file is not None or bool(self.dpo_email and self.notifier)


@dataclass(frozen=True)
class AnchorsRead:
    anchors: list[Anchor]
    problem: str | None = None
    """Why the anchors cannot be trusted (a line that is not an anchor, a forged line…)."""


def anchor(engine: Engine, clock: Clock, anchoring: Anchoring) -> Anchor:
    """Record the head of the trail in every configured place; raise AnchorFailed naming the
    place that failed (the others are written)."""
    if not anchoring.enabled:
        raise UsageError(
            "no anchor is configured: set GARDIEN_AUDIT_ANCHOR_FILE (a file on separate, "
            "append-only storage) and/or GARDIEN_AUDIT_ANCHOR_EMAIL (the DPO's address)"
        )
    seq, seal, legacy = trail.head(engine)
    made = make_anchor(
        seq=seq, digest=seal, at=clock.now(), legacy=legacy, key=keys_of(engine).audit
    )
    failures: list[str] = []
    if anchoring.file is not None:
        try:
            anchor_file.append(anchoring.file, made)
        except OSError as exc:
            failures.append(f"the anchor file {anchoring.file}: {exc.strerror or exc}")
    if anchoring.dpo_email and anchoring.notifier is not None:
        try:
            anchoring.notifier.send(_message(made, anchoring.dpo_email))
        except Unavailable as exc:
            failures.append(f"the e-mail to {anchoring.dpo_email}: {exc}")
    if failures:
        raise AnchorFailed(
            f"the audit trail's head #{seq} was not anchored in " + "; ".join(failures)
        )
    return made


def anchor_if_moved(
    engine: Engine, clock: Clock, anchoring: Anchoring, last: Anchor | None
) -> Anchor | None:
    """Anchor unless the head is still ``last`` (the server's period: no e-mail an hour for
    a trail that did not change); the new anchor, or None."""
    seq, seal, _ = trail.head(engine)
    if last is not None and (last.seq, last.digest) == (seq, seal):
        return None
    return anchor(engine, clock, anchoring)


def anchor_quietly(engine: Engine, clock: Clock, anchoring: Anchoring | None) -> Anchor | None:
    """Anchor after a run that wrote to the trail, if anchoring is configured; a failure is
    logged, not raised: the run's work is done and stays done, the next anchor will cover it."""
    if anchoring is None or not anchoring.enabled:
        return None
    try:
        return anchor(engine, clock, anchoring)
    except AnchorFailed as exc:
        log.warning("%s", exc)
        return None


def _message(made: Anchor, to: str) -> Message:
    line = to_line(made).strip()
    body = (
        f"The audit trail of gardien reached event #{made.seq} at {made.at.isoformat()}.\n\n"
        "Keep this message where nobody who runs the server can change it. To check that no\n"
        "event up to this one was changed or removed since, run:\n\n"
        f"    gardien audit verify --anchor '{line}'\n\n"
        f"Anchor: {line}\n"
    )
    return Message(
        channel="email",
        to=to,
        subject=f"gardien audit trail: anchor #{made.seq}",
        body=body,
        at=made.at,
        reference=f"audit:{made.seq}",
    )


def read_anchors(
    engine: Engine, anchoring: Anchoring | None, extra: Sequence[str] = ()
) -> AnchorsRead:
    """The anchors of the file, and ``extra`` lines (from the DPO's e-mails), each checked:
    readable, and sealed by one of the store's audit keys."""
    ring = keys_of(engine).audit_ring()
    found: list[tuple[str, str]] = []
    if anchoring is not None and anchoring.file is not None:
        try:
            numbered = anchor_file.lines(anchoring.file)
        except OSError as exc:
            return AnchorsRead([], f"the anchor file {anchoring.file} cannot be read: {exc}")
        found += [(f"{anchoring.file}:{number}", text) for number, text in numbered]
    found += [(f"anchor given #{i}", text) for i, text in enumerate(extra, 1)]
    anchors: list[Anchor] = []
    for where, text in found:
        try:
            item = from_line(text)
        except AnchorFormatError as exc:
            return AnchorsRead(anchors, f"{where} is not an anchor: {exc}")
        key = ring.get(item.key_id)
        if key is None or not item.sealed_by(key):
            return AnchorsRead(
                anchors,
                f"{where} is not sealed by an audit key of these settings: it was not written "
                "by gardien (or a retired audit key is missing)",
            )
        anchors.append(item)
    return AnchorsRead(anchors)
