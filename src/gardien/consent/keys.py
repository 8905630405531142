"""Keyed digests of identifiers: how the ledger and the lists find a person without naming them.

The ledger, the suppression list and the restriction list look people up by
HMAC-SHA256(key, kind + NUL + normalised value), never by the value itself:

- the suppression list must outlive the person's data (R-RGT-05: "never prospected again, even
  if the person reappears in a purchased list"), so it keeps only digests, which are of no use to
  someone who steals the store without the key (an unkeyed SHA-256 of an e-mail address is
  reversed by a dictionary in seconds);
- the audit trail may cite a person only by digest (issue 4: no identifier in clear).

The key comes from ``GARDIEN_SECRET_KEY``. Without it gardien uses a development key that is
public (it is in this file), and refuses to start when ``GARDIEN_ENV=production``. The key must
stay the same for the life of the store: a new key makes every stored digest unfindable (key
rotation is not built).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from gardien.errors import Kind, UsageError

DEVELOPMENT_KEY = "gardien-development-key: public, never use it in production"
MIN_PRODUCTION_KEY_LENGTH = 32


class SecretKeyError(UsageError):
    """The secret key for identifier digests is missing or unfit for this environment."""

    code = "secret_key_unfit"
    kind = Kind.INVALID_CONFIGURATION


@dataclass(frozen=True, repr=False)
class SubjectKey:
    """The secret that turns identifiers into look-up digests; never printed (no repr)."""

    secret: bytes

    def digest(self, kind: str, value: str) -> str:
        """Digest of an already *normalised* identifier (``gardien.identity.normalise``)."""
        message = f"{kind}\x00{value}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "SubjectKey(<secret>)"


def key_from_environment(environ: Mapping[str, str]) -> SubjectKey:
    """The key from ``GARDIEN_SECRET_KEY``; the development key is refused in production."""
    production = environ.get("GARDIEN_ENV", "").strip().lower() == "production"
    secret = environ.get("GARDIEN_SECRET_KEY", "")
    if not secret:
        if production:
            raise SecretKeyError(
                "GARDIEN_SECRET_KEY is not set and GARDIEN_ENV=production: the development key "
                "is public, so identifier digests would be reversible. Set GARDIEN_SECRET_KEY to "
                f"a random value of at least {MIN_PRODUCTION_KEY_LENGTH} characters "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`) and keep it."
            )
        secret = DEVELOPMENT_KEY
    elif production and (secret == DEVELOPMENT_KEY or len(secret) < MIN_PRODUCTION_KEY_LENGTH):
        raise SecretKeyError(
            "GARDIEN_SECRET_KEY is too weak for GARDIEN_ENV=production: use a random value of "
            f"at least {MIN_PRODUCTION_KEY_LENGTH} characters"
        )
    return SubjectKey(secret.encode())
