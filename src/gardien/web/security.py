"""Keys the pages derive from ``GARDIEN_SECRET_KEY``, one per purpose.

The subject key turns identifiers into digests; signing cookies and form tokens with the very
same bytes would let a value made for one purpose be replayed for another, so each purpose gets
its own HMAC-derived key (the usual key-separation practice; NIST SP 800-108 in spirit).
"""

from __future__ import annotations

import hashlib
import hmac

from gardien.consent.keys import SubjectKey


def derived_key(key: SubjectKey, purpose: str) -> bytes:
    return hmac.new(key.secret, f"gardien web: {purpose}".encode(), hashlib.sha256).digest()
