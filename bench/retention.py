"""Retention on PostgreSQL: gardien against the hand-written SQL a DBA would run.

A client table of N rows (default 1,000,000), about half past its retention, is rebuilt before
every measurement. For the delete rule and for the archive rule, in the same process run and
alternating rounds, we time:

- the bare database: one ``DELETE … WHERE`` (or ``WITH moved AS (DELETE … RETURNING *)
  INSERT INTO archive SELECT …``), the statement a DBA would write for the same rule;
- gardien: ``retention run`` through the job layer (plan, systems check, journal, audit,
  batches of 50,000 rows in their own transactions).

Then gardien's peak memory (max RSS of a ``gardien retention run`` process) at N/10 and N rows,
to show it does not grow with the table.

    .venv/bin/python bench/retention.py [--rows 1000000] [--rounds 3] [--url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.jobs import retention as job
from gardien.registry.loader import load_registry
from gardien.store.database import open_store

NOW = datetime(2026, 11, 22, tzinfo=UTC)
SERVER = os.environ.get(
    "GARDIEN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

REGISTRY = """
gardien: 1
controller: {{name: Bench, notice: {{version: "1", languages: [en]}}}}
subjects: {{client: {{en: Client}}}}
data: {{identity: {{en: Identity}}, contact: {{en: Contact}}}}
activities:
  contract:
    name: {{en: Contract}}
    purpose: {{en: Managing the contract}}
    legal_basis: contract
    subjects: [client]
    data: [identity, contact]
    retention:
      client:
        active: {{until: contract_end}}
        {archive}
        then: delete
systems:
  db:
    url: ${{BENCH_URL}}
    tables:
      client:
        subject: client
        activities: [contract]
        identity: {{email: email}}
        events: {{contract_end: contract_ended_on}}
        columns: {{last_name: identity, first_name: identity, email: contact, phone: contact, postal_address: contact}}
"""

# Half the rows expired: for the delete rule, contracts ended > 0 days ago; for the archive rule,
# ended within the 5-year archive phase. The other half are running contracts.
FILL = """
INSERT INTO client (id, last_name, first_name, email, phone, postal_address, contract_ended_on)
SELECT g, 'Nom' || (g % 5000), 'Prénom' || (g % 700), 'person' || g || '@example.fr',
       '+336' || lpad((g % 100000000)::text, 8, '0'), g || ' rue de la République, 75011 Paris',
       CASE WHEN g % 2 = 0 THEN DATE '2026-11-22' - ((g % 1500) + 1) ELSE NULL END
FROM generate_series(1, :rows) AS g
"""


def make_database(name: str) -> str:
    admin = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.make_url(SERVER).set(database=name).render_as_string(hide_password=False)


def reset(engine: sa.Engine, rows: int) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS client_gardien_archive")
        conn.exec_driver_sql("DROP TABLE IF EXISTS client")
        conn.exec_driver_sql(
            "CREATE TABLE client (id integer PRIMARY KEY, last_name varchar(255), first_name varchar(255), "
            "email varchar(255), phone varchar(255), postal_address varchar(255), contract_ended_on date)"
        )
        conn.exec_driver_sql("CREATE INDEX ix_client_email ON client (email)")
        conn.execute(sa.text(FILL), {"rows": rows})
        # Same archive table for both sides, so both pay the same insert cost.
        conn.exec_driver_sql(
            "CREATE TABLE client_gardien_archive (id integer PRIMARY KEY, last_name varchar(255), first_name varchar(255), "
            "email varchar(255), phone varchar(255), postal_address varchar(255), contract_ended_on date, "
            "gardien_archived_at timestamp NOT NULL, gardien_run_id varchar(64) NOT NULL)"
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE client")


def bare_sql(engine: sa.Engine, archive: bool) -> tuple[float, int]:
    """The statements a DBA writes for the same rule (the archive rule needs all three)."""
    started = time.perf_counter()
    with engine.begin() as conn:
        if archive:
            conn.exec_driver_sql(  # past the five archive years: gone for good
                "DELETE FROM client WHERE contract_ended_on IS NOT NULL AND contract_ended_on <= DATE '2021-11-22'"
            )
            result = conn.exec_driver_sql(  # contract over, archive phase running: move
                "WITH moved AS (DELETE FROM client WHERE contract_ended_on IS NOT NULL AND contract_ended_on <= DATE '2026-11-22' "
                "AND contract_ended_on > DATE '2021-11-22' RETURNING *) "
                "INSERT INTO client_gardien_archive SELECT *, now(), 'dba' FROM moved"
            )
            conn.exec_driver_sql(  # archive phase over
                "DELETE FROM client_gardien_archive WHERE contract_ended_on IS NOT NULL AND contract_ended_on <= DATE '2021-11-22'"
            )
        else:
            result = conn.exec_driver_sql(
                "DELETE FROM client WHERE contract_ended_on IS NOT NULL AND contract_ended_on <= DATE '2026-11-22'"
            )
        rows = result.rowcount
    return time.perf_counter() - started, rows


def gardien_run(registry_path: Path, url: str, store_url: str) -> tuple[float, int]:
    registry = load_registry(registry_path, environ={"BENCH_URL": url})
    store = open_store(store_url)
    started = time.perf_counter()
    outcome = job.run(registry, store, FixedClock(NOW), NOW, actor="bench")
    elapsed = time.perf_counter() - started
    store.dispose()
    return elapsed, outcome.report.total_rows


def peak_rss_mib(registry_path: Path, url: str, store_url: str) -> float:
    """Max RSS of a separate ``gardien retention run`` process (Linux reports KiB)."""
    env = {**os.environ, "BENCH_URL": url, "GARDIEN_DATABASE_URL": store_url}
    command = [
        sys.executable,
        "-m",
        "gardien",
        "retention",
        "run",
        "--registry",
        str(registry_path),
        "--now",
        NOW.date().isoformat(),
        "--json",
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(
            f"gardien failed: {process.stderr.read().decode() if process.stderr else ''}"
        )
    return usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = make_database("gardien_bench")
    engine = sa.create_engine(url)
    work = Path(tempfile.mkdtemp(prefix="gardien-bench-"))
    print(
        f"PostgreSQL, client table of {args.rows:,} rows, ~half past retention; {args.rounds} rounds, median"
    )
    for label, archive in (("delete", False), ("archive", True)):
        registry_path = work / f"{label}.yaml"
        archive_line = "archive: {for: P5Y}" if archive else ""
        registry_path.write_text(REGISTRY.format(archive=archive_line), encoding="utf-8")
        bare, ours, moved = [], [], 0
        for round_no in range(args.rounds):
            reset(engine, args.rows)
            seconds, rows = bare_sql(engine, archive)
            bare.append(seconds)
            reset(engine, args.rows)
            store_url = f"sqlite:///{work / f'store-{label}-{round_no}.db'}"
            seconds, moved = gardien_run(registry_path, url, store_url)
            ours.append(seconds)
            if moved != rows:
                raise SystemExit(f"{label}: gardien changed {moved:,} rows, the bare SQL {rows:,}")
        b, g = statistics.median(bare), statistics.median(ours)
        print(
            f"{label:8} rows={moved:>9,}  bare SQL {b:6.2f} s  gardien {g:6.2f} s  ratio {g / b:4.2f}x  ({moved / g:,.0f} rows/s)"
        )
    registry_path = work / "delete.yaml"
    for rows in (args.rows // 10, args.rows):
        reset(engine, rows)
        rss = peak_rss_mib(registry_path, url, f"sqlite:///{work / f'store-rss-{rows}.db'}")
        print(f"peak RSS of 'gardien retention run' on {rows:>9,} rows: {rss:6.1f} MiB")
    engine.dispose()


if __name__ == "__main__":
    main()
