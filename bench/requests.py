"""Rights requests on PostgreSQL: 1,000 access and 1,000 erasure requests over 1,000,000 people.

The ima-protect CRM is filled with N clients (default 1,000,000) and their sites and alarm
events; the other tables get a few thousand people. Then, in one process run:

- the bare database: the indexed look-ups of the same 1,000 identities (one ``email = ANY``
  per subject table, then the children by parent keys) — what any implementation must pay;
- gardien, batch: ``request run`` on 1,000 verified access requests at once (locate with one
  query per table, a package per request without the PDF letter, each request completed and
  audited in gardien's store), then on 1,000 erasure requests;
- gardien, one at a time: p50 / p95 of ``request run`` on a single access request.

Identifiers are matched in their normal form (issue 10 §2: ``lower(trim(email))``, phone
numbers in E.164), and one client in ten has its e-mail stored in capitals. Everything is
measured twice: without the index ``gardien systems check`` advises (the planner reads the
whole table for a normalised look-up), then with it; the bare SQL is given both ways too, the
exact ``email = ANY`` on the plain column index and the normalised expression.

    .venv/bin/python bench/requests.py [--people 1000000] [--requests 1000] [--single 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.connectors.sql import connectors_for
from gardien.jobs import filing
from gardien.jobs import identity as proof
from gardien.jobs.fulfil import run_requests
from gardien.jobs.stored_identifiers import survey_identity_columns
from gardien.registry.loader import load_registry
from gardien.registry.model import Registry
from gardien.requests.kinds import RequestKind
from gardien.store.database import open_store
from gardien.synthetic.people import fill_system
from gardien.synthetic.schema import create_system

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ima-protect.yaml"
SERVER = os.environ.get(
    "GARDIEN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def make_database(name: str) -> str:
    admin = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.make_url(SERVER).set(database=name).render_as_string(hide_password=False)


def fill(url: str, people: int) -> None:
    env = {"IMA_PROTECT_CRM_URL": url, "IMA_PROTECT_TELEPHONY_URL": url}
    registry = load_registry(EXAMPLE, environ=env)
    started = time.perf_counter()
    for system_id in registry.systems:
        create_system(registry, system_id, drop=True)
    fill_system(
        registry, "crm", people=people, seed=11, now=NOW, tables=["client", "site", "alarm_event"]
    )
    fill_system(
        registry,
        "crm",
        people=5000,
        seed=12,
        now=NOW,
        tables=["prospect", "trusted_person", "other_contact"],
    )
    fill_system(registry, "telephony", people=5000, seed=13, now=NOW)
    engine = sa.create_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    print(
        f"filled {people:,} clients (+ sites, alarm events, 5,000 of each other kind) in {time.perf_counter() - started:.0f} s"
    )


def sample_emails(url: str, count: int, offset: int) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT email FROM client ORDER BY id OFFSET :o LIMIT :n"),
            {"o": offset, "n": count},
        )
        emails = [str(r[0]) for r in rows]
    engine.dispose()
    return emails


def untidy(url: str) -> None:
    """One client in ten with the e-mail in capitals, as real CRMs hold them."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE client SET email = upper(email) WHERE id % 10 = 0"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE client")
    engine.dispose()


def advised_indexes(url: str, registry: Registry) -> float:
    """Create what ``gardien systems check`` advises for every identity column."""
    connectors = connectors_for(registry)
    started = time.perf_counter()
    for survey in survey_identity_columns(registry, connectors, sample=100):
        with connectors[survey.system].engine.begin() as conn:
            for statement in survey.index:
                conn.exec_driver_sql(statement)
    engine = sa.create_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    for connector in connectors.values():
        connector.dispose()
    return time.perf_counter() - started


def bare_lookups(url: str, emails: list[str], *, normalised: bool = False) -> float:
    engine = sa.create_engine(url)
    compared = "lower(trim(email))" if normalised else "email"
    emails = [e.lower() for e in emails] if normalised else emails
    started = time.perf_counter()
    with engine.connect() as conn:
        keys = [
            r[0]
            for r in conn.execute(
                sa.text(f"SELECT * FROM client WHERE {compared} = ANY(:e)"), {"e": emails}
            ).all()
        ]
        conn.execute(sa.text("SELECT * FROM site WHERE client_id = ANY(:k)"), {"k": keys}).all()
        conn.execute(
            sa.text("SELECT * FROM alarm_event WHERE client_id = ANY(:k)"), {"k": keys}
        ).all()
        for table in ("prospect", "other_contact"):
            conn.execute(
                sa.text(f"SELECT * FROM {table} WHERE {compared} = ANY(:e)"), {"e": emails}
            ).all()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def verified_requests(
    store: sa.Engine, registry: Registry, kind: RequestKind, emails: list[str]
) -> list[str]:
    clock = FixedClock(NOW)
    ids = []
    for email in emails:
        request = filing.submit(
            store, clock, actor="bench", kind=kind, identity={"email": email}, registry=registry
        )
        proof.attest(store, clock, request.id, actor="bench", attestation="checked")
        ids.append(request.id)
    return ids


def access_batch(
    store: sa.Engine, registry: Registry, emails: list[str], bare: float, label: str
) -> None:
    ids = verified_requests(store, registry, RequestKind.ACCESS, emails)
    started = time.perf_counter()
    done = run_requests(registry, store, FixedClock(NOW), ids, actor="bench", pdf=False)
    elapsed = time.perf_counter() - started
    assert all(d.state == "completed" for d in done), [d.error for d in done if d.error][:3]
    n = len(emails)
    print(
        f"gardien, {label}: {n:,} access requests in batch: {elapsed:.2f} s, {n / elapsed:,.0f} requests/s ({elapsed / bare:.1f}x the bare normalised look-ups)"
    )


def singles(store: sa.Engine, registry: Registry, emails: list[str], label: str) -> None:
    connectors = connectors_for(registry)  # kept, as a server process keeps them
    timings = []
    for email in emails:
        [request_id] = verified_requests(store, registry, RequestKind.ACCESS, [email])
        started = time.perf_counter()
        run_requests(
            registry,
            store,
            FixedClock(NOW),
            [request_id],
            actor="bench",
            pdf=False,
            connectors=connectors,
        )
        timings.append(time.perf_counter() - started)
    for connector in connectors.values():
        connector.dispose()
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(
        f"gardien, {label}: one access request at a time: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms ({len(timings)} requests)"
    )


def bare(url: str, emails: list[str], label: str) -> float:
    exact = bare_lookups(url, emails)
    normalised = bare_lookups(url, emails, normalised=True)
    n = len(emails)
    print(
        f"bare SQL, {label}: {n:,} identities: exact email = ANY {exact * 1000:.0f} ms; lower(trim(email)) = ANY {normalised * 1000:.0f} ms"
    )
    return normalised


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--single", type=int, default=50)
    parser.add_argument(
        "--no-fill", action="store_true", help="reuse the gardien_bench_requests database"
    )
    args = parser.parse_args()
    name = "gardien_bench_requests"
    url = sa.make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    if not args.no_fill:
        url = make_database(name)
        fill(url, args.people)
        untidy(url)
    registry = load_registry(
        EXAMPLE, environ={"IMA_PROTECT_CRM_URL": url, "IMA_PROTECT_TELEPHONY_URL": url}
    )
    work = Path(tempfile.mkdtemp(prefix="gardien-bench-requests-"))
    store = open_store(f"sqlite:///{work / 'gardien.db'}")
    n = args.requests
    big = args.people > 600_000

    # Without the advised index: every normalised look-up reads the whole table.
    emails = sample_emails(url, n, 1000)
    cost = bare(url, emails, "no advised index")
    access_batch(store, registry, emails, cost, "no advised index")
    few = max(3, args.single // 10)
    singles(store, registry, sample_emails(url, few, 300_000 if big else n * 2), "no advised index")

    took = advised_indexes(url, registry)
    print(f"advised indexes created in {took:.0f} s")

    emails = sample_emails(url, n, 100_000 if big else n * 3)
    cost = bare(url, emails, "advised index")
    access_batch(store, registry, emails, cost, "advised index")

    erase_emails = sample_emails(url, n, 200_000 if big else n * 4)
    ids = verified_requests(store, registry, RequestKind.ERASURE, erase_emails)
    started = time.perf_counter()
    done = run_requests(registry, store, FixedClock(NOW), ids, actor="bench")
    elapsed = time.perf_counter() - started
    states = {s: sum(1 for d in done if d.state == s) for s in {d.state for d in done}}
    print(
        f"gardien, advised index: {n:,} erasure requests in batch: {elapsed:.2f} s, {n / elapsed:,.0f} requests/s; outcomes {states}"
    )

    singles(
        store, registry, sample_emails(url, args.single, 500_000 if big else n * 6), "advised index"
    )


if __name__ == "__main__":
    main()
