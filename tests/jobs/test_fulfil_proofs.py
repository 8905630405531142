"""Issue 9 §1: a confirmed one-time code proves the identifier it went to, and nothing more.

A person files with their own e-mail (where the code goes) plus somebody else's phone,
customer number or, with their own phone as the channel, somebody else's e-mail; confirms
the code; and gets nothing of the other person, for every right: nothing returned, erased,
changed or restricted, and the result names the identifier left out. Once an agent attests
that identifier, the same request does reach those rows. On SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from gardien.clock import FixedClock
from gardien.jobs import consent as consent_jobs
from gardien.jobs import filing
from gardien.jobs import identity as proof
from gardien.jobs import requests as jobs
from gardien.jobs.fulfil import Fulfilment, run_requests
from gardien.notify.outbox import OutboxNotifier
from gardien.requests import verification
from gardien.requests.directive import DirectiveAction
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RequestDetails
from gardien.store import packages
from gardien.store.database import open_store
from gardien.store.keys import keys_of
from tests.rights.conftest import JEAN, World, build_world

NOW = datetime(2026, 6, 15, 10, 30, tzinfo=UTC)
CLOCK = FixedClock(NOW)
OWN_EMAIL = "mallory@evil.example"
OWN_PHONE = "+33700000001"

# The victim's identifier, by kind, and the identity the requester files with (own channel first).
VICTIMS: dict[str, tuple[str, dict[str, str]]] = {
    "phone": (JEAN["phone"], {"email": OWN_EMAIL, "phone": JEAN["phone"]}),
    "customer_number": ("C100002", {"email": OWN_EMAIL, "customer_number": "C100002"}),
    "email": ("zoe@example.fr", {"phone": OWN_PHONE, "email": "zoe@example.fr"}),
}
CHANNEL = {"phone": "email", "customer_number": "email", "email": "phone"}

KINDS: dict[RequestKind, RequestDetails] = {
    RequestKind.ACCESS: RequestDetails(),
    RequestKind.PORTABILITY: RequestDetails(),
    RequestKind.ERASURE: RequestDetails(),
    RequestKind.RECTIFICATION: RequestDetails(fields={"last_name": "Pirate"}),
    RequestKind.RESTRICTION: RequestDetails(),
    RequestKind.OBJECTION_PROSPECTING: RequestDetails(),
    # Loi 78-17 art. 85: carried out once the death is declared, through the same rule.
    RequestKind.POST_MORTEM_DIRECTIVE: RequestDetails(
        directive="erase everything", directive_action=DirectiveAction.ERASE
    ),
}


@pytest.fixture(autouse=True)
def cheap_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Codes hashed with argon2's smallest costs: a dozen codes per test, not a dozen seconds."""
    monkeypatch.setattr(
        verification, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def systems(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'systems.db'}"
    else:
        url = request.getfixturevalue(
            "postgres_url" if request.param == "postgresql" else "mariadb_url"
        )
    built = build_world(url, people=20)
    yield built
    for connector in built.connectors.values():
        connector.dispose()


@pytest.fixture
def store(tmp_path: Path) -> Engine:
    return open_store(f"sqlite:///{tmp_path / 'gardien.db'}")


def snapshot(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of every system, archives included, in a stable order."""
    seen: dict[str, list[tuple[Any, ...]]] = {}
    for sid, connector in world.connectors.items():
        names = sa.inspect(connector.engine).get_table_names()
        with connector.engine.connect() as conn:
            for name in names:
                rows = conn.execute(sa.text(f"SELECT * FROM {name}")).all()
                seen[f"{sid}.{name}"] = sorted((tuple(map(str, r)) for r in rows), key=str)
    return seen


def code_in(path: str) -> str:
    mail = email.message_from_bytes(Path(path).read_bytes(), policy=email.policy.default)
    match = re.search(r"code : (\d{6})", mail.get_body().get_content())  # type: ignore[union-attr]
    assert match
    return match.group(1)


def file_and_confirm(store: Engine, outbox: OutboxNotifier, kind: RequestKind, victim: str) -> str:
    """File with the requester's own channel plus the victim's identifier; confirm the code."""
    _, identity = VICTIMS[victim]
    filed = filing.submit(
        store, CLOCK, actor="portal", kind=kind, identity=identity, channel=CHANNEL[victim],
        details=KINDS[kind],
    )  # fmt: skip
    sent = proof.send_code(store, CLOCK, filed.id, actor="portal", notifier=outbox)
    proof.verify_code(store, CLOCK, filed.id, code_in(sent.where), actor="portal")
    if kind is RequestKind.POST_MORTEM_DIRECTIVE:
        jobs.declare_death(store, CLOCK, filed.id, actor="agent", died_on=NOW.date())
    return filed.id


def package_text(store: Engine, request_id: str) -> str:
    content = packages.export(store, CLOCK, request_id, actor="agent").content
    archive = zipfile.ZipFile(io.BytesIO(content))
    return "".join(archive.read(name).decode("utf-8") for name in archive.namelist() if "." in name)


def suppressed_victim(world: World, store: Engine, victim: str) -> bool:
    """Whether the victim's identifier is on the suppression list (an objection to prospecting)."""
    subject = consent_jobs.subject_for(
        world.registry, f"{victim}={VICTIMS[victim][0]}", keys_of(store).subject
    )
    return consent_jobs.suppressed_since(store, subject) is not None


def check_left_out(done: Fulfilment, victim: str) -> None:
    if done.state == "refused":
        # A rectification of fields none of the searched rows holds is refused; the reason
        # names the identifier left out all the same.
        assert done.error is not None and f"{victim} not searched: not proven" in done.error
        return
    assert done.error is None, done.error
    assert done.result["identifiers"]["searched"] == {CHANNEL[victim]: "code"}
    [left] = done.result["identifiers"]["not_searched"]
    assert left["identifier"] == victim and "not proven" in left["reason"]
    assert f"not searched: {victim}" in done.summary
    # Art. 12(4): what was not done is a partial refusal, with its reason.
    assert done.state == "partially_refused"


@pytest.mark.parametrize("kind", list(KINDS), ids=lambda k: k.value)
def test_a_confirmed_code_reaches_nothing_of_the_other_persons_identifiers(
    systems: World, store: Engine, tmp_path: Path, kind: RequestKind
) -> None:
    outbox = OutboxNotifier(tmp_path / "outbox", sender="dpo@ima.example")
    before = snapshot(systems)
    ids = {victim: file_and_confirm(store, outbox, kind, victim) for victim in VICTIMS}
    outcomes = run_requests(
        systems.registry, store, CLOCK, list(ids.values()), actor="agent", pdf=False,
        connectors=systems.connectors,
    )  # fmt: skip
    done = {f.request_id: f for f in outcomes}
    assert snapshot(systems) == before  # nothing erased, changed, restricted
    for victim, rid in ids.items():
        check_left_out(done[rid], victim)
        located = done[rid].result.get("tables") or done[rid].result.get("erasure", {})
        assert not done[rid].result.get("found"), located
        if kind in (RequestKind.ACCESS, RequestKind.PORTABILITY):
            text = package_text(store, rid)
            assert VICTIMS[victim][0] not in text and "Martin" not in text and "Dupre" not in text

    suppressed = {victim: suppressed_victim(systems, store, victim) for victim in VICTIMS}
    assert not any(suppressed.values())  # R-RGT-05: nobody else's phone on the list

    # Once an agent attests the identifier, the same request reaches its rows.
    attested = {}
    for victim in VICTIMS:
        rid = file_and_confirm(store, outbox, kind, victim)
        proof.attest(
            store, CLOCK, rid, actor="agent:a.martin", attestation="passport checked",
            identifiers=[victim],
        )  # fmt: skip
        attested[victim] = rid
    results = run_requests(
        systems.registry, store, CLOCK, list(attested.values()), actor="agent", pdf=False,
        connectors=systems.connectors,
    )  # fmt: skip
    for outcome in results:
        assert outcome.error is None, outcome.error
        assert outcome.result["identifiers"]["not_searched"] == []
        assert "attestation" in outcome.result["identifiers"]["searched"].values()
    if kind in (RequestKind.ACCESS, RequestKind.PORTABILITY):
        for victim, rid in attested.items():
            assert VICTIMS[victim][0] in package_text(store, rid)
    else:
        assert snapshot(systems) != before
    if kind is RequestKind.OBJECTION_PROSPECTING:
        assert all(suppressed_victim(systems, store, victim) for victim in VICTIMS)


def test_the_stored_result_names_the_kinds_only(
    systems: World, store: Engine, tmp_path: Path
) -> None:
    outbox = OutboxNotifier(tmp_path / "outbox", sender="dpo@ima.example")
    rid = file_and_confirm(store, outbox, RequestKind.ACCESS, "phone")
    [done] = run_requests(
        systems.registry, store, CLOCK, [rid], actor="agent", pdf=False,
        connectors=systems.connectors,
    )  # fmt: skip
    assert JEAN["phone"] not in json.dumps(done.result)
    assert OWN_EMAIL not in json.dumps(done.result)


def test_an_identifier_held_by_a_row_found_through_the_proven_one_is_searched_by_pivot(
    systems: World, store: Engine, tmp_path: Path
) -> None:
    """Jean's customer row holds his proven e-mail and his phone: the phone is searched (his
    call recordings come back); another customer's number typed beside it is not."""
    outbox = OutboxNotifier(tmp_path / "outbox", sender="dpo@ima.example")
    filed = filing.submit(
        store, CLOCK, actor="portal", kind=RequestKind.ACCESS, channel="email",
        identity={"email": JEAN["email"], "phone": JEAN["phone"], "customer_number": "C100002"},
    )  # fmt: skip
    sent = proof.send_code(store, CLOCK, filed.id, actor="portal", notifier=outbox)
    proof.verify_code(store, CLOCK, filed.id, code_in(sent.where), actor="portal")
    [done] = run_requests(
        systems.registry, store, CLOCK, [filed.id], actor="agent", pdf=False,
        connectors=systems.connectors,
    )  # fmt: skip
    assert done.result["identifiers"]["searched"] == {"email": "code", "phone": "pivot"}
    assert [i["identifier"] for i in done.result["identifiers"]["not_searched"]] == [
        "customer_number"
    ]
    assert "telephony.call_recording" in done.result["tables"]
    text = package_text(store, filed.id)
    assert "s3://rec/a.ogg" in text and "C100002" not in text and "3 rue de la Paix" not in text
