"""What a running server builds once and shares between requests.

Everything here is immutable for the life of the process or safe to share: the registry (a
registry change means a restart, as for the CLI's long runs), the store's keys (the settings',
built once; both store engines carry them, ``gardien.store.keys``), the notifier (the
settings'), the store's engine and its connection pool, and the connectors to the declared
systems (created on first use, so that a system down at start does not stop the consent API;
they remember a passed schema check).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.clock import Clock, SystemClock
from gardien.connectors.sql import SqlConnector, connectors_for
from gardien.consent.keys import SubjectKey
from gardien.notify import Notifier
from gardien.publish.publication import NoticeNotPublishable, NoticePublication, prepare_notice
from gardien.registry.loader import load_registry
from gardien.registry.model import Registry
from gardien.server.checks import BatchedChecks, connection_pool
from gardien.settings import Settings
from gardien.store.database import open_store
from gardien.store.keys import StoreKeys, bind


def read_engine(url: str, keys: StoreKeys) -> Engine:
    """A second pool on the store for the hot read-only checks (consent status, lists).

    In autocommit, each check is one statement and one round trip: no BEGIN before it, no
    ROLLBACK when the connection goes back to the pool (measured: 754 µs a check through the
    store's engine on PostgreSQL, most of it those two extra round trips). On SQLite it also
    skips the store's ``BEGIN IMMEDIATE``, which takes the write lock even to read: checks read
    the WAL snapshot side by side instead of queueing behind each other. A single SELECT sees
    one consistent snapshot either way.
    """
    engine = sa.create_engine(
        url,
        isolation_level="AUTOCOMMIT",
        pool_reset_on_return=None,
        **({} if url.startswith("sqlite") else {"pool_size": 20, "max_overflow": 20}),
    )
    return bind(engine, keys)


@dataclass
class Context:
    settings: Settings
    engine: Engine
    """The store, carrying the settings' keys."""
    registry: Registry
    keys: StoreKeys
    notifier: Notifier
    clock: Clock
    reads: Engine

    @property
    def key(self) -> SubjectKey:
        """The subject key: identifiers → digests (the settings' ``keys.subject``)."""
        return self.keys.subject

    @property
    def inline_reads(self) -> bool:
        """Whether a check may run on the event loop: SQLite reads are in-process CPU work."""
        return self.reads.dialect.name == "sqlite"

    _connectors: dict[str, SqlConnector] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _checks: BatchedChecks | None = field(default=None, repr=False)
    _notices: dict[str, NoticePublication | None] = field(default_factory=dict, repr=False)

    def published_notice(self, lang: str) -> NoticePublication | None:
        """The notice the portal may show in ``lang``, or None while it is not publishable
        (issue 11 §1): decided once per language, the registry being read once at start."""
        if lang not in self._notices:
            try:
                self._notices[lang] = prepare_notice(self.registry, lang)
            except NoticeNotPublishable:
                self._notices[lang] = None
        return self._notices[lang]

    async def open_checks(self) -> None:
        """At server start, on its event loop: start the batched consent checks (PostgreSQL;
        ``gardien.server.checks``). SQLite reads stay inline (``inline_reads``)."""
        if self.reads.dialect.name != "postgresql" or self._checks is not None:
            return
        checks = BatchedChecks(connection_pool(self.reads))
        await checks.start()
        self._checks = checks

    def checks(self) -> BatchedChecks | None:
        """The batched checks if they run on the running loop; None otherwise (SQLite, or an
        app driven without its lifespan, e.g. a test client used outside ``with``: psycopg
        async connections belong to the loop that opened them)."""
        if self._checks is None:
            return None
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            return None
        return self._checks if running is self._checks.loop else None

    async def close_checks(self) -> None:
        checks, self._checks = self._checks, None
        if checks is not None:
            await checks.close()

    def connectors(self) -> Mapping[str, SqlConnector]:
        with self._lock:
            if self._connectors is None:
                self._connectors = dict(connectors_for(self.registry))
            return self._connectors

    def close(self) -> None:
        with self._lock:
            for connector in (self._connectors or {}).values():
                connector.engine.dispose()
            self._connectors = None
        self.reads.dispose()
        self.engine.dispose()


def build_context(settings: Settings, clock: Clock | None = None) -> Context:
    """Everything a server shares, built once from ``settings`` (unsafe settings refused
    before anything is opened)."""
    settings.check()
    keys = settings.keys
    registry = load_registry(settings.registry_path())
    engine = open_store(settings.database_url, keys)
    reads = read_engine(settings.database_url, keys)
    return Context(
        settings, engine, registry, keys, settings.notifier, clock or SystemClock(), reads
    )
