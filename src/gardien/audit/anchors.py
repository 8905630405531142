"""Anchors: the head of the audit trail recorded outside the store (issue 9 §5).

A keyed chain cannot be re-sealed without the key, but an event at its tail can still be
removed, or the whole trail wiped, and what is left still verifies. An anchor records the head
(sequence number, seal, time, key id, and how many legacy events precede the keyed ones) where
whoever can write to the store cannot reach it (an append-only file on other storage, an
e-mail to the DPO); verification then requires every anchored event to be there, unchanged.

An anchor line is itself sealed with the audit key, so a line appended by someone without the
key is refused rather than trusted. One JSON object a line (``to_line`` / ``from_line``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gardien.audit.keys import AuditKey


class AnchorFormatError(ValueError):
    """A line that is not an anchor (the message says what is wrong)."""


@dataclass(frozen=True)
class Anchor:
    seq: int
    """The head's sequence number (0: an empty trail)."""
    digest: str
    """The head's seal (the chain's genesis for an empty trail)."""
    at: datetime
    """When the head was recorded."""
    key_id: str
    """The audit key that sealed this anchor (and, since keyed seals, the head)."""
    legacy: int
    """How many legacy (plain SHA-256) events start the trail: no later one is genuine."""
    mac: str = ""

    def content(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "digest": self.digest,
            "at": self.at.isoformat(),
            "key_id": self.key_id,
            "legacy": self.legacy,
        }

    def message(self) -> bytes:
        return b"gardien audit anchor\x00" + json.dumps(
            self.content(), sort_keys=True, separators=(",", ":")
        ).encode("utf-8")

    def sealed_by(self, key: AuditKey) -> bool:
        return bool(self.mac) and key.mac(self.message()) == self.mac


def make_anchor(*, seq: int, digest: str, at: datetime, legacy: int, key: AuditKey) -> Anchor:
    unsealed = Anchor(seq, digest, at, key.key_id, legacy)
    return Anchor(seq, digest, at, key.key_id, legacy, key.mac(unsealed.message()))


def to_line(anchor: Anchor) -> str:
    return json.dumps({**anchor.content(), "mac": anchor.mac}, sort_keys=True) + "\n"


def from_line(line: str) -> Anchor:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise AnchorFormatError(f"not JSON ({exc.msg})") from None
    if not isinstance(data, Mapping):
        raise AnchorFormatError("not a JSON object")
    try:
        seq, legacy = data["seq"], data["legacy"]
        digest, key_id, mac = data["digest"], data["key_id"], data["mac"]
        at = datetime.fromisoformat(data["at"])
    except KeyError as exc:
        raise AnchorFormatError(f"no {exc.args[0]!r}") from None
    except (TypeError, ValueError):
        raise AnchorFormatError("'at' is not an ISO datetime") from None
    if not (isinstance(seq, int) and isinstance(legacy, int) and seq >= 0 and legacy >= 0):
        raise AnchorFormatError("'seq' and 'legacy' must be whole numbers")
    if not all(isinstance(v, str) for v in (digest, key_id, mac)) or at.tzinfo is None:
        raise AnchorFormatError("'digest', 'key_id' and 'mac' must be text, 'at' in UTC")
    return Anchor(seq, digest, at, key_id, legacy, mac)
