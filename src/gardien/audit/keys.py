"""The key that seals the audit trail (issue 9 §5): never stored beside the trail it seals.

A plain SHA-256 chain proves nothing against someone who can write to the store: they edit an
event and re-chain everything after it. A keyed MAC can only be recomputed by whoever holds
the key, and the key lives in the server's environment (``GARDIEN_AUDIT_KEY``), not in the
store. Without an explicit audit key, one is derived from ``GARDIEN_SECRET_KEY`` with a domain
label, so the two keys are never the same bytes.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

_DERIVATION_LABEL = b"gardien audit chain v1"


@dataclass(frozen=True, repr=False)
class AuditKey:
    """The secret of the audit chain's MAC; never printed (no repr)."""

    secret: bytes

    @classmethod
    def derived_from(cls, secret_key: bytes) -> AuditKey:
        """A key of its own, derived from the subject key's secret (HMAC as a KDF)."""
        return cls(hmac.new(secret_key, _DERIVATION_LABEL, hashlib.sha256).digest())

    @property
    def key_id(self) -> str:
        """A public fingerprint of the key: tells which key sealed an event, reveals nothing."""
        return hashlib.sha256(b"key-id\x00" + self.secret).hexdigest()[:16]

    def mac(self, message: bytes) -> str:
        # hmac.digest: OpenSSL's one-shot HMAC, a quarter cheaper than an hmac.new object.
        return hmac.digest(self.secret, message, "sha256").hex()

    def __repr__(self) -> str:
        return f"AuditKey(<secret>, id={self.key_id})"
