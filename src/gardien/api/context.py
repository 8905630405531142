"""What a running server builds once and shares between requests.

Everything here is immutable for the life of the process or safe to share: the registry (a
registry change means a restart, as for the CLI's long runs), the subject key (HMAC key,
derived once instead of per call), the store's engine and its connection pool, and the
connectors to the declared systems (created on first use, so that a system down at start does
not stop the consent API; they remember a passed schema check).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from gardien.clock import Clock
from gardien.connectors.sql import SqlConnector, connectors_for
from gardien.consent.keys import SubjectKey
from gardien.registry.model import Registry
from gardien.settings import Settings


@dataclass
class Context:
    settings: Settings
    engine: Engine
    registry: Registry
    key: SubjectKey
    clock: Clock
    _connectors: dict[str, SqlConnector] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

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
        self.engine.dispose()
