"""The keys a store is opened with, bound to its engine (issue 9 §7: settings own the keys).

gardien's store writes keyed digests of identifiers (``SubjectKey``) and seals its audit trail
(``AuditKey``). Both keys are read once, by ``Settings``, and bound to the engine when the
store is opened, as a SQLAlchemy execution option: every connection of that engine carries
them, so a store function finds the keys of the store it writes to (``keys_of(conn)``) and a
server built with other settings can never write digests with two keys.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Connection, Engine

from gardien.audit.keys import AuditKey
from gardien.consent.keys import (
    DEVELOPMENT_KEY,
    MIN_PRODUCTION_KEY_LENGTH,
    SecretKeyError,
    SubjectKey,
    key_from_environment,
)
from gardien.errors import GardienError, Kind

_OPTION = "gardien_keys"


@dataclass(frozen=True)
class StoreKeys:
    subject: SubjectKey
    """Keyed digests of identifiers (ledgers, lists, audit details)."""
    audit: AuditKey
    """The audit chain's MAC: seals every new event."""
    audit_retired: tuple[AuditKey, ...] = ()
    """Keys that sealed earlier events (rotation): they verify, they never seal."""

    def audit_ring(self) -> dict[str, AuditKey]:
        """The audit keys by id, the current one and the retired ones, for verification."""
        return {key.key_id: key for key in (*self.audit_retired, self.audit)}

    @classmethod
    def development(cls) -> StoreKeys:
        """The public development keys (refused in production by ``Settings``)."""
        subject = SubjectKey(DEVELOPMENT_KEY.encode())
        return cls(subject=subject, audit=AuditKey.derived_from(subject.secret))

    @classmethod
    def unconfigured(cls) -> StoreKeys:
        """The keys of a store opened without settings (tests, scripts): the development keys.

        A safety net, not a configuration: every command and the server open the store with
        the keys of their ``Settings``. A process with ``GARDIEN_ENV=production`` that opens a
        store without them is a mistake in gardien, refused here rather than writing digests
        with a public key (the one read of the environment outside ``gardien.settings``, of
        the mode only, never of a key).
        """
        if os.environ.get("GARDIEN_ENV", "").strip().lower() == "production":
            raise StoreKeysMissing(
                "a store is opened without the settings' keys while GARDIEN_ENV=production"
            )
        return cls.development()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> StoreKeys:
        """``GARDIEN_SECRET_KEY`` (rules of ``key_from_environment``) and ``GARDIEN_AUDIT_KEY``,
        or an audit key derived from the secret key when that one is not set;
        ``GARDIEN_AUDIT_RETIRED_KEYS``: earlier audit keys, separated by commas, to verify
        the events they sealed."""
        subject = key_from_environment(environ)
        audit_secret = environ.get("GARDIEN_AUDIT_KEY", "")
        production = environ.get("GARDIEN_ENV", "").strip().lower() == "production"
        if production and audit_secret and len(audit_secret) < MIN_PRODUCTION_KEY_LENGTH:
            # A short MAC key is guessed offline from any event, then the trail re-sealed.
            raise SecretKeyError(
                "GARDIEN_AUDIT_KEY is too weak for GARDIEN_ENV=production: use a random value "
                f"of at least {MIN_PRODUCTION_KEY_LENGTH} characters, or unset it to derive "
                "the audit key from GARDIEN_SECRET_KEY"
            )
        audit = (
            AuditKey(audit_secret.encode())
            if audit_secret
            else AuditKey.derived_from(subject.secret)
        )
        retired = tuple(
            AuditKey(part.strip().encode())
            for part in environ.get("GARDIEN_AUDIT_RETIRED_KEYS", "").split(",")
            if part.strip()
        )
        return cls(subject=subject, audit=audit, audit_retired=retired)


class StoreKeysMissing(GardienError):
    """A store function was handed an engine opened without its keys (a mistake in gardien)."""

    code = "store_keys_missing"
    kind = Kind.INTERNAL


def bind(engine: Engine, keys: StoreKeys) -> Engine:
    """The same engine (same pool) whose connections carry ``keys``."""
    return engine.execution_options(**{_OPTION: keys})


def keys_of(connectable: Connection | Engine) -> StoreKeys:
    keys = connectable.get_execution_options().get(_OPTION)
    if not isinstance(keys, StoreKeys):
        raise StoreKeysMissing(
            "this store engine was opened without its keys: open it with "
            "gardien.store.database.open_store(url, keys)"
        )
    return keys
