"""Consent status over HTTP: checks/s and latency of ``POST /api/v1/consent/status``.

Issue 5 §1 asks for >= 2,000 checks/s with p99 <= 20 ms, one server process on this 2-core
machine. This starts ``uvicorn`` (one process) in a subprocess on 127.0.0.1 with a fresh store,
fills the ledger, and drives it with ``wrk`` (Debian package ``wrk``) over loopback: a real
HTTP load generator, not an in-process client. Bounded in time (``--duration``) and in
connections. Prints checks/s, p50, p99 and the non-2xx count.

    .venv/bin/python bench/api.py                       # PostgreSQL (GARDIEN_TEST_POSTGRES_URL)
    .venv/bin/python bench/api.py --store sqlite        # SQLite store in a temporary folder
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from gardien.clock import FixedClock
from gardien.consent.keys import key_from_environment
from gardien.consent.ledger import Channel, EventKind
from gardien.consent.subject import Subject
from gardien.registry.loader import load_registry
from gardien.store import accounts
from gardien.store import consent as book
from gardien.store.database import open_store
from gardien.store.keys import StoreKeys

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = ROOT / "examples" / "ima-protect.yaml"
SECRET = "bench-" + "k" * 40
ACTIVITIES = ("prospecting", "service-improvement", "contract")

LUA = """
local bodies = {}
%s
local i = 0
request = function()
  i = i + 1
  local body = bodies[(i %% #bodies) + 1]
  return wrk.format("POST", "/api/v1/consent/status", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer %s"}, body)
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fill_ledger(url: str, people: int) -> list[str]:
    """``people`` persons with an event each (a third object to prospecting); their e-mails."""
    registry = load_registry(
        REGISTRY,
        environ={"IMA_PROTECT_CRM_URL": "sqlite://", "IMA_PROTECT_TELEPHONY_URL": "sqlite://"},
    )
    keys = StoreKeys.from_environment({"GARDIEN_SECRET_KEY": SECRET})  # the server's settings
    key = keys.subject
    engine = open_store(url, keys)
    clock = FixedClock(datetime(2026, 11, 1, tzinfo=UTC))
    emails = [f"person{n}@example.fr" for n in range(people)]
    for n, email in enumerate(emails):
        subject = Subject.of({"email": email}, key)
        # A third object to prospecting (suppressed), the others to service improvement.
        activity = "prospecting" if n % 3 == 0 else "service-improvement"
        book.record_event(
            engine, clock, registry, subject, activity, EventKind.OBJECTION,
            channel=Channel.API, actor="bench", prospecting_asserted=activity == "prospecting",
        )  # fmt: skip
    _, token = accounts.create(engine, clock, name="bench", role="agent", actor="bench")
    # Statistics, as a store in service has them (autovacuum): on a table never analysed,
    # PostgreSQL guesses that few rows match the activity and scans the whole ledger for each
    # check (0.9 ms instead of 0.04 ms a statement, measured); whether autovacuum had passed
    # made runs differ by half.
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return [token, *emails]


def bare_postgres(url: str, emails: list[str], duration: int, clients: int) -> str:
    """The baseline: pgbench sends the one-check statement gardien would send for a single
    check (``store.consent._RECORD_FOR_ACTIVITY``), prepared, for the same 1,000 (person,
    activity) pairs at the same concurrency: the bare database doing the same look-ups, with
    no HTTP, no Python and no batching. The pair is read by primary key from a small table
    (pgbench variables are numbers), a cost gardien does not pay."""
    from sqlalchemy.dialects import postgresql

    key = key_from_environment({"GARDIEN_SECRET_KEY": SECRET})
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE bench_check (n int PRIMARY KEY, digest text, activity text)"
        )
        conn.execute(
            sa.text("INSERT INTO bench_check VALUES (:n, :digest, :activity)"),
            [
                {
                    "n": n + 1,
                    "digest": Subject.of({"email": email}, key).digests[0],
                    "activity": ACTIVITIES[n % 3],
                }
                for n, email in enumerate(emails[:1000])
            ],
        )
        conn.exec_driver_sql("ANALYZE bench_check")
    engine.dispose()
    statement = str(
        book._RECORD_FOR_ACTIVITY.params(digests=["@D@"], activity="@A@").compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
        )
    )
    statement = statement.replace("'@D@'", "(SELECT digest FROM bench_check WHERE n = :n)").replace(
        "'@A@'", "(SELECT activity FROM bench_check WHERE n = :n)"
    )
    script = Path(tempfile.mkdtemp(prefix="gardien-bench-pgbench-")) / "check.sql"
    script.write_text("\\set n random(1, 1000)\n" + " ".join(statement.split()) + ";\n")
    where = make_url(url)
    output = subprocess.run(
        [
            "pgbench", "-n", "-M", "prepared", "-c", str(clients), "-j", "1",
            "-T", str(duration), "-f", str(script),
            "-h", where.host or "127.0.0.1", "-p", str(where.port or 5432),
            "-U", where.username or "postgres", where.database or "test",
        ],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    shutil.rmtree(script.parent, ignore_errors=True)
    return output


def temporary_postgres() -> tuple[str, str]:
    server = os.environ.get(
        "GARDIEN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    name = f"gardien_bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return server, make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_postgres(server: str, url: str) -> None:
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    admin.dispose()


def wait_ready(base: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"uvicorn exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/api/openapi.json", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("uvicorn did not start in time")


def run_wrk(base: str, script: Path, duration: int, connections: int, threads: int) -> str:
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "2s",
        "--latency", "-s", str(script), base,
    ]  # fmt: skip
    return subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=duration + 30
    ).stdout


def start_profile(pid: int, path: Path, duration: int) -> subprocess.Popen[bytes]:
    """py-spy (``pip install py-spy``) on the server, without pausing it (``--nonblocking``)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    command = [
        spy, "record", "--pid", str(pid), "--duration", str(duration), "--nonblocking",
        "--format", "raw", "--output", str(path),
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``): the server's cost per
    check varies less than checks/s on a shared machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def to_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--people", type=int, default=3000, help="persons in the ledger")
    parser.add_argument("--duration", type=int, default=15, help="seconds of load")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--profile",
        type=Path,
        help="also sample the server with py-spy during the load (collapsed stacks to this file)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="gardien-bench-api-"))
    server = None
    if args.store == "postgresql":
        server, url = temporary_postgres()
    else:
        url = f"sqlite:///{workdir / 'gardien.db'}"
    process = None
    try:
        started = time.perf_counter()
        token, *emails = fill_ledger(url, args.people)
        print(
            f"ledger: {args.people} persons in {time.perf_counter() - started:.1f} s ({args.store})"
        )
        bodies = "\n".join(
            f'bodies[{n + 1}] = \'{{"identity": {{"email": "{email}"}}, "activity": "{ACTIVITIES[n % 3]}"}}\''
            for n, email in enumerate(emails[:1000])
        )
        script = workdir / "status.lua"
        script.write_text(LUA % (bodies, token))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "GARDIEN_DATABASE_URL": url,
            "GARDIEN_REGISTRY": str(REGISTRY),
            "GARDIEN_SECRET_KEY": SECRET,
            "GARDIEN_ENV": "production",
            "IMA_PROTECT_CRM_URL": "sqlite://",
            "IMA_PROTECT_TELEPHONY_URL": "sqlite://",
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "gardien.server.app:app_from_environment",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                # What uvicorn[standard] picks by default, named so that a missing one fails.
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        wait_ready(base, process)
        check = httpx.post(
            f"{base}/api/v1/consent/status",
            json={"identity": {"email": emails[0]}, "activity": "prospecting"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert check.status_code == 200 and check.json()["allowed"] is False, check.text
        run_wrk(base, script, 2, args.connections, args.threads)  # warm-up
        spy = start_profile(process.pid, args.profile, args.duration) if args.profile else None
        cpu_before = cpu_seconds(process.pid)
        output = run_wrk(base, script, args.duration, args.connections, args.threads)
        cpu = cpu_seconds(process.pid) - cpu_before
        if spy is not None:
            spy.wait(timeout=60)
        process.terminate()
        process.wait(timeout=10)
        process = None
        bare = (
            bare_postgres(url, emails, args.duration, args.connections)
            if server is not None and shutil.which("pgbench")
            else None
        )
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)
        if server is not None:
            drop_postgres(server, url)
        shutil.rmtree(workdir, ignore_errors=True)

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    done = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    print(output)
    print(
        f"consent status over HTTP ({args.store}, {args.connections} connections, "
        f"{args.duration} s): {rate:,.0f} checks/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
        f"non-2xx {errors.group(1) if errors else 0}"
        + (f", socket errors {socket_errors.group(1)}" if socket_errors else "")
        + f"; server CPU {cpu / done * 1e6:.0f} µs a check"
    )
    if bare is not None:
        bare_rate = float(re.search(r"tps = ([\d.]+)", bare).group(1))  # type: ignore[union-attr]
        bare_latency = float(re.search(r"latency average = ([\d.]+) ms", bare).group(1))  # type: ignore[union-attr]
        print(
            f"bare PostgreSQL (pgbench, the same one-check statement, prepared, "
            f"{args.connections} clients): {bare_rate:,.0f} statements/s, latency average "
            f"{bare_latency:.1f} ms; gardien over HTTP / bare: {rate / bare_rate:.2f}x the "
            "throughput"
        )
    target = rate >= 2000 and p99 <= 20 and not errors
    print("target (>= 2,000 checks/s, p99 <= 20 ms, no error):", "met" if target else "NOT met")


if __name__ == "__main__":
    main()
