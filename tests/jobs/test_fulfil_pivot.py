"""Issue 10 §3: the person, not the identifier they typed.

Jean proves his e-mail only; his client row holds his phone, and the call recordings are keyed
by caller number. An access request returns the recordings and its letter says what it was
searched with and where each identifier was found; an erasure erases them; an objection to
prospecting suppresses the phone. A phone held by two people's client rows is pivoted for
neither (Art. 15(4)): withheld, named for review, nobody's recordings disclosed or
suppressed. On SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.clock import FixedClock
from gardien.jobs import consent as consent_jobs
from gardien.jobs import filing, holds
from gardien.jobs import identity as proof
from gardien.jobs import requests as jobs
from gardien.jobs import retention as retention_jobs
from gardien.jobs.fulfil import Fulfilment, run_requests
from gardien.requests.kinds import RequestKind
from gardien.requests.masking import masked
from gardien.requests.states import Action
from gardien.store import packages
from gardien.store.database import open_store
from gardien.store.keys import keys_of
from tests.rights.conftest import JEAN, World, build_world

NOW = datetime(2026, 6, 15, 10, 30, tzinfo=UTC)
CLOCK = FixedClock(NOW)
FAMILY_PHONE = "+33655500011"
ANNE = {"email": "anne.roux@x.fr", "phone": FAMILY_PHONE}
BRUNO = {"email": "bruno.roux@x.fr", "phone": FAMILY_PHONE}


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def systems(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'systems.db'}"
    else:
        url = request.getfixturevalue(
            "postgres_url" if request.param == "postgresql" else "mariadb_url"
        )
    built = build_world(url, people=5)
    crm, telephony = built.connectors["crm"], built.connectors["telephony"]
    with crm.engine.begin() as conn:
        conn.execute(
            crm.table("client").insert(),
            [
                {"id": 100101, "customer_number": "C100101", "first_name": "Anne",
                 "last_name": "Roux", **ANNE},
                {"id": 100102, "customer_number": "C100102", "first_name": "Bruno",
                 "last_name": "Roux", **BRUNO},
            ],
        )  # fmt: skip
    with telephony.engine.begin() as conn:
        conn.execute(
            telephony.table("call_recording").insert(),
            [{"id": 100101, "caller_number": FAMILY_PHONE, "audio_uri": "s3://rec/family.ogg",
              "duration_s": "30", "recorded_at": datetime(2026, 5, 5, 8, 0)}],
        )  # fmt: skip
    yield built
    for connector in built.connectors.values():
        connector.dispose()


@pytest.fixture
def store(tmp_path: Path) -> Engine:
    return open_store(f"sqlite:///{tmp_path / 'gardien.db'}")


def proven_by_email(store: Engine, kind: RequestKind, email: str) -> str:
    """A request naming the person by e-mail only, attested by an agent."""
    filed = filing.submit(store, CLOCK, actor="agent", kind=kind, identity={"email": email})
    proof.attest(store, CLOCK, filed.id, actor="agent:a.martin", attestation="passport checked")
    return filed.id


def run(world: World, store: Engine, *ids: str) -> dict[str, Fulfilment]:
    done = run_requests(
        world.registry, store, CLOCK, list(ids), actor="agent", pdf=False,
        connectors=world.connectors,
    )  # fmt: skip
    return {f.request_id: f for f in done}


def package(store: Engine, request_id: str) -> dict[str, str]:
    content = packages.export(store, CLOCK, request_id, actor="agent").content
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {n: archive.read(n).decode("utf-8") for n in archive.namelist() if "." in n}


def recordings(world: World) -> dict[int, str]:
    with world.connectors["telephony"].engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, caller_number FROM call_recording")).all()
    return {int(r[0]): str(r[1]) for r in rows}


def searched_with(store: Engine, request_id: str) -> list[dict[str, Any]]:
    request = jobs.show(store, request_id)
    [entry] = [
        e for e in request.timeline if e.action in (Action.COMPLETE, Action.PARTIALLY_REFUSE)
    ]
    return list(entry.details["searched_with"])


def suppressed(world: World, store: Engine, identity: str) -> bool:
    subject = consent_jobs.subject_for(world.registry, identity, keys_of(store).subject)
    return consent_jobs.suppressed_since(store, subject) is not None


def test_an_access_by_email_returns_the_recordings_of_the_clients_phone_and_says_searched_with(
    systems: World, store: Engine
) -> None:
    rid = proven_by_email(store, RequestKind.ACCESS, JEAN["email"])
    done = run(systems, store, rid)[rid]
    assert done.error is None, done.error
    assert "telephony.call_recording" in done.result["tables"]
    files = package(store, rid)
    assert "s3://rec/a.ogg" in "".join(files.values())  # Jean's recording, by his phone
    assert "s3://rec/b.ogg" not in "".join(files.values())  # not the one-digit-off caller's
    letter = files["letter.html"]
    assert JEAN["phone"] in letter and "crm.client #100001" in letter
    [phone] = [s for s in searched_with(store, rid) if s["identifier"] == "phone"]
    assert phone["value"] == JEAN["phone"] and phone["how"] == "pivot"
    assert "crm.client #100001" in phone["found_in"]
    assert "telephony.call_recording" in phone["rows_in"]
    # The stored result names kinds and places, never a value.
    assert JEAN["phone"] not in str(done.result)
    # A role that does not see people reads the timeline with the phone masked.
    view = masked(jobs.show(store, rid))
    shown = [e.details.get("searched_with") for e in view.timeline if e.details]
    assert JEAN["phone"] not in str(shown) and "+33…78" in str(shown)


def test_an_erasure_by_email_decides_on_the_recordings_of_the_clients_phone(
    systems: World, store: Engine
) -> None:
    rid = proven_by_email(store, RequestKind.ERASURE, JEAN["email"])
    done = run(systems, store, rid)[rid]
    assert done.error is None, done.error
    [calls] = [t for t in done.result["tables"] if t["table"] == "call_recording"]
    # Found through the pivot, then erased or kept with its ground like any row: seed 001
    # keeps a recording six months for the anti-corruption obligation (Art. 17(3)(b)).
    assert calls["found"] == 1 and calls["erased"] + calls["kept"] == 1
    assert calls["kept_because"][0]["article"] == "GDPR Art. 17(3)(b)"
    assert 100002 in recordings(systems)  # the one-digit-off caller's is not touched


def test_an_objection_to_prospecting_by_email_suppresses_the_phone_of_the_same_row(
    systems: World, store: Engine
) -> None:
    rid = proven_by_email(store, RequestKind.OBJECTION_PROSPECTING, JEAN["email"])
    done = run(systems, store, rid)[rid]
    assert done.error is None, done.error
    assert suppressed(systems, store, f"phone={JEAN['phone']}")  # Art. 21(3): the person
    assert not suppressed(systems, store, "phone=+33612345679")


def test_a_phone_in_two_peoples_rows_is_pivoted_for_neither_and_withheld_for_review(
    systems: World, store: Engine
) -> None:
    access = proven_by_email(store, RequestKind.ACCESS, ANNE["email"])
    objection = proven_by_email(store, RequestKind.OBJECTION_PROSPECTING, BRUNO["email"])
    done = run(systems, store, access, objection)
    for rid in (access, objection):
        assert done[rid].error is None, done[rid].error
        [withheld] = done[rid].result["identifiers"]["withheld"]
        assert withheld["identifier"] == "phone"
        assert done[rid].result["identifiers"]["pivoted"] == [
            {"identifier": "customer_number", "found_in": [p], "rows_in": ["crm.client"]}
            for p in [f"crm.client #{100101 if rid == access else 100102}"]
        ]
    files = package(store, access)
    assert "s3://rec/family.ogg" not in "".join(files.values())  # Art. 15(4)
    assert "Bruno" not in "".join(files.values())
    assert "autre personne" in files["letter.html"] or "another person" in files["letter.html"]
    assert not suppressed(systems, store, f"phone={FAMILY_PHONE}")  # Anne's number too
    assert 100101 in recordings(systems)


def test_a_shared_phone_is_withheld_even_when_the_other_person_is_in_no_request_of_the_batch(
    systems: World, store: Engine
) -> None:
    rid = proven_by_email(store, RequestKind.ERASURE, ANNE["email"])
    done = run(systems, store, rid)[rid]
    assert done.error is None, done.error
    [withheld] = done.result["identifiers"]["withheld"]
    assert withheld["identifier"] == "phone"
    assert 100101 in recordings(systems)  # the family's recording is nobody's alone to erase
    with systems.connectors["crm"].engine.connect() as conn:
        left = conn.execute(sa.text("SELECT id FROM client WHERE id = 100102")).all()
    assert left  # Bruno's row, met by the phone, untouched


def test_a_hold_by_email_keeps_the_recording_of_the_clients_phone(
    systems: World, store: Engine
) -> None:
    hold = holds.place(
        store, CLOCK, systems.registry, actor="dpo", reason="litigation 2026-17",
        person=("email", JEAN["email"].upper()), systems=systems.connectors,
    )  # fmt: skip
    [phone] = [p for p in hold.pivoted if p.kind == "phone"]
    assert phone.value == JEAN["phone"] and "crm.client #100001" in phone.found_in
    # Stored on the hold when placed: read back the same, whatever the rows become.
    [stored] = holds.all_holds(store)
    assert stored.pivoted == hold.pivoted
    later = datetime(2027, 9, 1, tzinfo=UTC)  # every recording of May 2026 is past its period
    retention_jobs.run(
        systems.registry, store, FixedClock(later), later, actor="gardien",
        connectors=systems.connectors,
    )  # fmt: skip
    left = recordings(systems)
    assert 100001 in left  # Jean's, held through the phone of his client row
    assert 100002 not in left  # the one-digit-off caller's went at its end


def test_a_hold_by_email_adds_no_phone_shared_with_another_persons_row(
    systems: World, store: Engine
) -> None:
    hold = holds.place(
        store, CLOCK, systems.registry, actor="dpo", reason="litigation 2026-18",
        person=("email", ANNE["email"]), systems=systems.connectors,
    )  # fmt: skip
    assert [p.kind for p in hold.pivoted] == ["customer_number"]
