"""Erasure requests carried out on SQLite, PostgreSQL and MariaDB (issue 4 §3, §5; R-RGT-03).

Each scenario is a person of one ima-protect subject category asking for erasure: the rows are
found with ``gardien.rights.locate``, decided, journaled and written; the test reads the
databases back. Interrupted runs are resumed to the state an uninterrupted run reaches.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.connectors.sql import ARCHIVE_RUN, ARCHIVED_AT, SqlConnector
from gardien.consent.keys import SubjectKey
from gardien.jobs.erasure import ErasureRun, erase
from gardien.registry.loader import load_registry
from gardien.registry.model import ErasureStrategy, Registry
from gardien.rights.erasure import ANONYMISED, hashed, located_rows
from gardien.rights.locate import locate
from gardien.store import audit, holds, rights_journal
from gardien.store.database import open_store
from gardien.synthetic.schema import create_system

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
NOW = datetime(2026, 6, 15, 10, 30, tzinfo=UTC)
KEY = SubjectKey(b"erasure-test-key")

CLIENT = {"email": "jean.martin@x.fr", "phone": "+33612345678"}
FORMER = {"email": "paul.durand@x.fr"}
PROSPECT = {"email": "pia@x.fr"}
TRUSTED = {"phone": "+33611111111"}
CALLER = {"phone": "+33699999991"}


@dataclass
class World:
    registry: Registry
    connectors: dict[str, SqlConnector]
    store: sa.Engine

    def keys(self, table: str, system: str = "crm") -> set[Any]:
        with self.connectors[system].engine.connect() as conn:
            if not sa.inspect(conn).has_table(table):
                return set()
            return {r[0] for r in conn.execute(sa.text(f"SELECT id FROM {table}"))}

    def row(self, table: str, key: Any, system: str = "crm") -> dict[str, Any]:
        with self.connectors[system].engine.connect() as conn:
            found = conn.execute(sa.text(f"SELECT * FROM {table} WHERE id = :k"), {"k": key})
            return dict(found.one()._mapping)

    def rows_of(self, request_id: str, identity: Mapping[str, str]) -> list[Any]:
        found = locate(self.registry, [(request_id, identity)], self.connectors)
        return located_rows(found[request_id])

    def erase(
        self,
        request_id: str,
        identity: Mapping[str, str],
        writers: Mapping[str, Any] | None = None,
        chunk_size: int = 500,
    ) -> ErasureRun:
        return erase(
            self.registry,
            self.store,
            FixedClock(NOW),
            request_id,
            self.rows_of(request_id, identity),
            writers or self.connectors,
            actor="dpo",
            key=KEY,
            chunk_size=chunk_size,
        )


def registry_on(url: str, registry: Registry | None = None) -> Registry:
    base = registry or load_registry(EXAMPLE, environ={})
    systems = {sid: s.model_copy(update={"url": url}) for sid, s in base.systems.items()}
    return base.model_copy(update={"systems": systems})


def _insert(connector: SqlConnector, table: str, rows: Sequence[dict[str, Any]]) -> None:
    target = connector.table(table)
    columns = {c for row in rows for c in row}
    with connector.engine.begin() as conn:
        conn.execute(target.insert(), [{c: row.get(c) for c in columns} for row in rows])


def build(url: str, tmp_path: Path, registry: Registry | None = None) -> World:
    registry = registry_on(url, registry)
    for system_id in registry.systems:
        create_system(registry, system_id, drop=True)
    connectors = {sid: SqlConnector(sid, url) for sid in registry.systems}
    crm, telephony = connectors["crm"], connectors["telephony"]
    for name in ("client", "site", "alarm_event"):
        crm.ensure_archive(name)
    archived = {ARCHIVED_AT: datetime(2026, 1, 1), ARCHIVE_RUN: "run-1"}
    # A client under contract, with a site and an alarm event; also once a prospect.
    _insert(crm, "client", [{"id": 1, "last_name": "Martin", "contract_ended_on": None, **CLIENT}])
    _insert(crm, "site", [{"id": 10, "client_id": 1, "site_address": "1 rue de la Paix"}])
    _insert(crm, "alarm_event", [{"id": 20, "client_id": 1, "description": "intrusion"}])
    # A former client: one contract in the archive for five years, an older one past it.
    _insert(
        crm,
        "client_gardien_archive",
        [
            {"id": 2, "contract_ended_on": date(2025, 11, 22), "restricted": False, **FORMER, **archived},
            {"id": 3, "contract_ended_on": date(2019, 1, 1), "restricted": False, **FORMER, **archived},
        ],
    )  # fmt: skip
    _insert(
        crm,
        "site_gardien_archive",
        [
            {"id": 11, "client_id": 2, "site_address": "2 rue Neuve", **archived},
            {"id": 12, "client_id": 3, "site_address": "3 rue Vieille", **archived},
        ],
    )
    _insert(
        crm,
        "prospect",
        [
            {"id": 1, "last_name": "Martin", "collected_at": datetime(2026, 1, 5), **CLIENT},
            {"id": 2, "last_name": "Petit", "phone": "+33655555555", "collected_at": datetime(2026, 2, 1), **PROSPECT},
            {"id": 3, "last_name": "Autre", "email": "pia1@x.fr", "collected_at": datetime(2026, 2, 1)},
            # The same prospect again, from another partner's list.
            {"id": 4, "last_name": "Petit", "collected_at": datetime(2026, 3, 1), **PROSPECT},
        ],
    )  # fmt: skip
    _insert(
        crm,
        "trusted_person",
        [{"id": 1, "last_name": "Confiance", "removed_at": None, **TRUSTED}],
    )
    _insert(
        telephony,
        "call_recording",
        [
            {"id": 1, "audio_uri": "s3://rec/1.ogg", "recorded_at": datetime(2026, 5, 3, 8, 0), "caller_number": CALLER["phone"]},
            {"id": 2, "audio_uri": "s3://rec/2.ogg", "recorded_at": datetime(2025, 9, 1, 8, 0), "caller_number": CALLER["phone"]},
            {"id": 3, "audio_uri": "s3://rec/3.ogg", "recorded_at": datetime(2025, 10, 1, 8, 0), "caller_number": CALLER["phone"]},
            {"id": 4, "audio_uri": "s3://rec/4.ogg", "recorded_at": datetime(2025, 10, 1, 8, 0), "caller_number": "+33699999992"},
        ],
    )  # fmt: skip
    store = open_store(f"sqlite:///{tmp_path / 'gardien.db'}")
    return World(registry, connectors, store)


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[World]:
    built = build(db_url, tmp_path)
    yield built
    for connector in built.connectors.values():
        connector.dispose()


def tables(run: ErasureRun) -> dict[str, Any]:
    return {t.where: t for t in run.outcome.tables}


def test_client_under_contract_keeps_contract_data_and_loses_prospect_data(world: World) -> None:
    run = world.erase("r-client", CLIENT)
    found = tables(run)
    client = found["crm.client"]
    assert (client.kept, client.erased) == (1, 0)
    [reason] = client.kept_because
    assert (reason.reason.activity, reason.reason.until_event) == ("contract", "contract_end")
    assert client.no_longer_used_for == ("service-improvement",)
    assert found["crm.prospect"].erased == 1
    assert world.keys("client") == {1} and world.keys("site") == {10}
    assert world.keys("alarm_event") == {20}
    assert world.keys("prospect") == {2, 3, 4}  # the prospect data is gone, nobody else's
    assert audit.verify_trail(world.store).ok


def test_former_client_archive_is_kept_until_it_ends(world: World) -> None:
    run = world.erase("r-former", FORMER)
    archive = tables(run)["crm.client (archive)"]
    assert (archive.found, archive.kept, archive.erased) == (2, 1, 1)
    [reason] = archive.kept_because
    assert reason.reason.article == "GDPR Art. 17(3)(e)"
    assert reason.reason.until == date(2030, 11, 22)
    assert world.keys("client_gardien_archive") == {2}
    assert world.keys("site_gardien_archive") == {11}  # the child followed, before its parent


def test_prospect_is_erased_entirely(world: World) -> None:
    run = world.erase("r-prospect", PROSPECT)
    assert run.outcome.complete and run.outcome.erased == 2
    assert world.keys("prospect") == {1, 3}  # pia1@x.fr is someone else


def test_trusted_person_is_erased(world: World) -> None:
    run = world.erase("r-trusted", TRUSTED)
    assert run.outcome.complete
    assert world.keys("trusted_person") == set()


def test_caller_with_a_held_recording(world: World) -> None:
    holds.place(
        world.store,
        FixedClock(NOW),
        actor="dpo",
        reason="dispute over a call",
        case="RG 26/007",
        rows=("telephony", "call_recording", ("3",)),
    )
    run = world.erase("r-caller", CALLER)
    [table] = run.outcome.tables
    assert (table.found, table.kept, table.erased) == (3, 2, 1)
    reasons = {(k.reason.activity, k.reason.article, k.reason.until) for k in table.kept_because}
    assert reasons == {
        # Under the legal-obligation activity: kept until six months after the call.
        ("call-recording-compliance", "GDPR Art. 17(3)(b)", date(2026, 11, 3)),
        # Under the hold, as evidence.
        (None, "GDPR Art. 17(3)(e)", None),
    }
    assert world.keys("call_recording", "telephony") == {1, 3, 4}


def test_a_second_run_of_the_request_changes_nothing(world: World) -> None:
    first = world.erase("r-client", CLIENT)
    before = (world.keys("client"), world.keys("prospect"))
    again = world.erase("r-client", CLIENT)
    assert again.replayed and again.outcome == first.outcome
    assert (world.keys("client"), world.keys("prospect")) == before
    # A new request by the same person finds only what is kept, and erases nothing more.
    later = world.erase("r-client-2", CLIENT)
    assert later.outcome.erased == 0 and later.outcome.kept == 3


class Crashing:
    """A connector that fails at its ``fail_at``-th write, before or after carrying it out."""

    def __init__(self, inner: SqlConnector, counter: list[int], fail_at: int, after: bool) -> None:
        self.inner, self.counter, self.fail_at, self.after = inner, counter, fail_at, after

    def _tick(self) -> None:
        self.counter[0] += 1
        if self.counter[0] == self.fail_at:
            raise RuntimeError("killed")

    def delete_keys(self, *args: Any, **kwargs: Any) -> int:
        if not self.after:
            self._tick()
        rows = self.inner.delete_keys(*args, **kwargs)
        if self.after:
            self._tick()
        return rows

    def update_keys(self, *args: Any, **kwargs: Any) -> int:
        if not self.after:
            self._tick()
        rows = self.inner.update_keys(*args, **kwargs)
        if self.after:
            self._tick()
        return rows


def crashing(world: World, fail_at: int, after: bool) -> dict[str, Any]:
    counter = [0]
    return {s: Crashing(c, counter, fail_at, after) for s, c in world.connectors.items()}


def test_an_erasure_killed_midway_is_resumed_to_the_same_end_state(world: World) -> None:
    people = {**CLIENT, "email": FORMER["email"]}  # the former client's e-mail, the client's phone
    with pytest.raises(RuntimeError):
        world.erase("r-crash", people, crashing(world, 3, after=False), chunk_size=1)
    execution = rights_journal.find(world.store, "r-crash", "erasure")
    assert execution is not None and execution.status == "running"
    resumed = world.erase("r-crash", people)
    assert resumed.resumed
    assert world.keys("client_gardien_archive") == {2}
    assert world.keys("site_gardien_archive") == {11}
    assert world.keys("prospect") == {2, 3, 4}
    assert world.keys("client") == {1}
    done = rights_journal.find(world.store, "r-crash", "erasure")
    assert done is not None and done.status == "completed"
    assert audit.verify_trail(world.store).ok


def hashing_registry() -> Registry:
    """ima-protect with prospects erased column by column (hash, null, anonymise)."""
    base = load_registry(EXAMPLE, environ={})
    crm = base.systems["crm"]
    strategy = ErasureStrategy.model_validate(
        {"columns": {"email": "hash", "phone": "null", "last_name": "anonymise"}}
    )
    prospect = crm.tables["prospect"].model_copy(update={"erase": strategy})
    tables_ = {**crm.tables, "prospect": prospect}
    return base.model_copy(
        update={"systems": {**base.systems, "crm": crm.model_copy(update={"tables": tables_})}}
    )


@pytest.mark.parametrize("fail_at", [1, 2])
def test_a_crash_after_a_hash_committed_never_hashes_twice(
    db_url: str, tmp_path: Path, fail_at: int
) -> None:
    world = build(db_url, tmp_path, hashing_registry())
    try:
        with pytest.raises(RuntimeError):
            world.erase("r-hash", PROSPECT, crashing(world, fail_at, after=True), chunk_size=1)
        run = world.erase("r-hash", PROSPECT)
        assert run.resumed
        for key in (2, 4):
            row = world.row("prospect", key)
            assert row["email"] == hashed(KEY, PROSPECT["email"])  # hashed once, not twice
            assert row["phone"] is None and row["last_name"] == ANONYMISED
            assert row["collected_at"] is not None  # a date that drives retention stays
        assert world.row("prospect", 3)["last_name"] == "Autre"
        # The hashed row no longer answers to the e-mail address: found nowhere, erased.
        assert world.rows_of("r-again", PROSPECT) == []
    finally:
        for connector in world.connectors.values():
            connector.dispose()


def test_every_crash_point_resumes_to_the_uninterrupted_state(tmp_path: Path) -> None:
    """On SQLite, kill the erasure before each write in turn and resume it."""
    people = {**CLIENT, "email": FORMER["email"], "phone": CALLER["phone"]}
    reference = build(f"sqlite:///{tmp_path / 'ref.db'}", tmp_path / "ref")
    reference.erase("r", people, chunk_size=1)
    expected = {
        (s, t): reference.keys(t, s)
        for s, t in [
            ("crm", "client"),
            ("crm", "client_gardien_archive"),
            ("crm", "site_gardien_archive"),
            ("crm", "prospect"),
            ("telephony", "call_recording"),
        ]
    }
    execution = rights_journal.find(reference.store, "r", "erasure")
    assert execution is not None
    writes = sum(len(step.keys) for step in execution.steps)  # one write per key at chunk size 1
    assert writes == 4  # archived site and client, prospect, old recording
    for fail_at in range(1, writes + 1):
        for after in (False, True):
            where = tmp_path / f"crash-{fail_at}-{after}"
            world = build(f"sqlite:///{where / 'systems.db'}", where)
            with pytest.raises(RuntimeError):
                world.erase("r", people, crashing(world, fail_at, after), chunk_size=1)
            world.erase("r", people, chunk_size=1)
            assert {(s, t): world.keys(t, s) for s, t in expected} == expected
            for connector in world.connectors.values():
                connector.dispose()


def test_a_recording_dated_by_a_timestamptz_is_kept_to_its_last_day_in_paris(
    postgres_url: str, tmp_path: Path
) -> None:
    """psycopg returns aware datetimes for timestamptz: the erasure used to compare them with
    naive ones and crash, leaving the request in progress (issue 10 §1). A call at 00:30 in
    Paris on 1 June (22:30 UTC on 31 May) is of 1 June: kept all of 1 December."""
    world = build(postgres_url, tmp_path)
    try:
        telephony = world.connectors["telephony"]
        with telephony.engine.begin() as conn:
            conn.exec_driver_sql(
                "ALTER TABLE call_recording ALTER COLUMN recorded_at TYPE timestamptz"
                " USING recorded_at AT TIME ZONE 'UTC'"
            )
            conn.exec_driver_sql(
                "INSERT INTO call_recording (id, audio_uri, recorded_at, caller_number) VALUES"
                " (5, 's3://rec/5.ogg', '2026-05-31 22:30:00+00', %(caller)s)",
                {"caller": CALLER["phone"]},
            )
        telephony.dispose()
        world.connectors["telephony"] = SqlConnector("telephony", postgres_url)
        run = world.erase("r-caller-tz", CALLER)
        [table] = run.outcome.tables
        assert (table.found, table.kept, table.erased) == (4, 2, 2)
        kept_until = {k.reason.until for k in table.kept_because}
        assert kept_until == {date(2026, 11, 3), date(2026, 12, 1)}
        assert world.keys("call_recording", "telephony") == {1, 4, 5}
    finally:
        for connector in world.connectors.values():
            connector.dispose()


def test_another_contact_is_kept_as_proof_until_five_years_after_the_clients_contract(
    world: World,
) -> None:
    """The contact's own row has no date: the contract end is read on the client's row, here in
    the archive (issue 10 §4, R-RET-04), and the answer says the last day it is kept."""
    _insert(
        world.connectors["crm"],
        "other_contact",
        [{"id": 1, "last_name": "Tiers", "email": "oc@x.fr", "client_id": 2}],
    )
    run = world.erase("r-contact", {"email": "oc@x.fr"})
    contact = tables(run)["crm.other_contact"]
    assert (contact.found, contact.kept, contact.erased) == (1, 1, 0)
    [reason] = contact.kept_because
    assert reason.reason.until == date(2030, 11, 22)
    assert world.keys("other_contact") == {1}


def test_another_contact_of_a_client_under_contract_is_kept_while_it_runs(world: World) -> None:
    _insert(
        world.connectors["crm"],
        "other_contact",
        [{"id": 2, "last_name": "Tiers", "email": "oc2@x.fr", "client_id": 1}],
    )
    run = world.erase("r-contact-2", {"email": "oc2@x.fr"})
    contact = tables(run)["crm.other_contact"]
    assert (contact.kept, contact.erased) == (1, 0)
    [reason] = contact.kept_because
    assert (reason.reason.until_event, reason.reason.until) == ("contract_end", None)
