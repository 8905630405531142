"""The cost of the keyed audit chain (issue 9 §5) against the plain SHA-256 chain it replaced.

Writing N events (default 100,000), in the same process and alternating rounds:

- sealing only (the chain's arithmetic, no database): ``seal`` with the audit key (HMAC-SHA-256
  over the previous seal and the canonical event) against ``seal`` without (SHA-256);
- writing to the store: ``append_many`` in transactions of ``--batch`` events (what a
  retention run or a batch of consent events does), keyed, against the same loop sealing
  with plain SHA-256 as the store did before, on SQLite and on PostgreSQL;
- verifying the N events (``verify_trail``), keyed against legacy.

    PYTHONPATH=. .venv/bin/python bench/audit.py [--events 100000] [--batch 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from tests.databases import temporary_database

from gardien.audit.chain import GENESIS, NewEvent, seal
from gardien.audit.keys import AuditKey
from gardien.clock import FixedClock
from gardien.store import audit
from gardien.store.database import open_store
from gardien.store.keys import StoreKeys
from gardien.store.schema import audit_event

KEY = AuditKey(b"bench audit key, 32 bytes long!!")
AT = datetime(2026, 11, 22, tzinfo=UTC)
CLOCK = FixedClock(AT)


def event(i: int) -> NewEvent:
    return NewEvent(
        f"staff:{i % 7}@example.fr",
        "consent.recorded",
        f"subject:{i:012x}",
        {"purpose": "newsletter", "state": "given", "channel": "portal", "n": i},
    )


def seal_all(n: int, key: AuditKey | None) -> None:
    prev = GENESIS
    for i in range(1, n + 1):
        prev = seal(event(i), seq=i, at=AT, prev_hash=prev, key=key).hash


def append_legacy(conn: sa.Connection, events: list[NewEvent]) -> None:
    """``append_many`` as it was before issue 9 §5: plain SHA-256 seals, no key id."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(0x6761726469656E)))
    head = conn.execute(
        sa.select(audit_event.c.seq, audit_event.c.hash).order_by(audit_event.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (head.seq + 1, head.hash) if head else (1, GENESIS)
    rows = []
    for item in events:
        sealed = seal(item, seq=seq, at=CLOCK.now(), prev_hash=prev, key=None)
        rows.append(audit._row(sealed))
        seq, prev = seq + 1, sealed.hash
    conn.execute(audit_event.insert(), rows)


def write_all(engine: sa.Engine, n: int, batch: int, keyed: bool) -> None:
    with engine.begin() as conn:
        conn.execute(audit_event.delete())
    for start in range(0, n, batch):
        events = [event(i) for i in range(start, min(n, start + batch))]
        with engine.begin() as conn:
            if keyed:
                audit.append_many(conn, CLOCK, events)
            else:
                append_legacy(conn, events)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def compare(
    name: str, n: int, rounds: int, old: Callable[[], object], new: Callable[[], object]
) -> None:
    olds, news = [], []
    for _ in range(rounds):
        olds.append(timed(old))
        news.append(timed(new))
    o, k = statistics.median(olds), statistics.median(news)
    print(
        f"{name:<28} SHA-256 {o:7.2f} s ({n / o:9,.0f}/s)   keyed {k:7.2f} s ({n / k:9,.0f}/s)"
        f"   keyed/SHA-256 {k / o:5.2f}x",
        flush=True,
    )


def store_rounds(url: str, label: str, n: int, batch: int, rounds: int) -> None:
    engine = open_store(url, StoreKeys(subject=StoreKeys.development().subject, audit=KEY))
    compare(
        f"write {label}", n, rounds,
        lambda: write_all(engine, n, batch, keyed=False),
        lambda: write_all(engine, n, batch, keyed=True),
    )  # fmt: skip
    write_all(engine, n, batch, keyed=False)
    old = timed(lambda: audit.verify_trail(engine))
    write_all(engine, n, batch, keyed=True)
    new = timed(lambda: audit.verify_trail(engine))
    print(f"{'verify ' + label:<28} SHA-256 {old:7.2f} s   keyed {new:7.2f} s   {new / old:5.2f}x")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    n = args.events
    print(f"{n:,} events, batches of {args.batch}, median of {args.rounds} rounds", flush=True)
    compare("seal only", n, args.rounds, lambda: seal_all(n, None), lambda: seal_all(n, KEY))
    with tempfile.TemporaryDirectory() as folder:
        store_rounds(
            f"sqlite:///{Path(folder) / 'gardien.db'}", "SQLite", n, args.batch, args.rounds
        )
    if not args.no_postgres:
        for url in temporary_database("postgresql"):
            store_rounds(url, "PostgreSQL", n, args.batch, args.rounds)


if __name__ == "__main__":
    sys.exit(main())
