"""The ledger, suppression and restriction lists in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.consent.ledger import Channel, EventKind, EventRefused
from gardien.consent.subject import Subject
from gardien.registry.model import Registry
from gardien.store import audit, consent_history
from gardien.store import consent as ledger
from gardien.store import restrictions as restriction_book
from gardien.store import suppression as suppression_book
from gardien.store.database import open_store
from tests.consent.conftest import KEY, T0

JEANNE = {"email": "jeanne.martin@example.fr", "phone": "+33612345678"}


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> sa.Engine:
    if request.param == "sqlite":
        return open_store(f"sqlite:///{tmp_path / 'gardien.db'}")
    return open_store(request.getfixturevalue("postgres_url"))


def who(**identity: str) -> Subject:
    return Subject.of(identity, KEY)


def at(days: float) -> FixedClock:
    return FixedClock(T0 + timedelta(days=days))


def record(
    engine: sa.Engine,
    registry: Registry,
    subject: Subject,
    activity: str,
    kind: EventKind,
    days: float = 0,
    **kw: object,
) -> None:
    ledger.record_event(
        engine,
        at(days),
        registry,
        subject,
        activity,
        kind,
        channel=Channel.PORTAL,
        actor="dpo@test",
        **kw,  # type: ignore[arg-type]
    )


def count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_consent_then_withdrawal_answers_for_each_instant(
    engine: sa.Engine, registry: Registry
) -> None:
    jeanne = who(**JEANNE)
    record(engine, registry, jeanne, "satisfaction-survey", EventKind.CONSENT_GIVEN, 1)
    record(
        engine,
        registry,
        who(email=JEANNE["email"]),
        "satisfaction-survey",
        EventKind.CONSENT_WITHDRAWN,
        10,
    )
    by_phone = who(phone="+33 6 12 34 56 78")
    survey = "satisfaction-survey"
    assert ledger.status(engine, registry, by_phone, survey, T0 + timedelta(days=5)).allowed
    # the withdrawal was recorded under the e-mail only: the phone alone does not find it
    assert ledger.status(engine, registry, by_phone, survey, T0 + timedelta(days=11)).allowed
    answer = ledger.status(engine, registry, jeanne, survey, T0 + timedelta(days=11))
    assert not answer.allowed and "withdrawn" in answer.reason
    assert ledger.status(engine, registry, jeanne, survey, T0 + timedelta(days=5)).allowed
    assert not ledger.status(engine, registry, jeanne, survey, T0).allowed


def test_objection_to_prospecting_suppresses_every_identifier(
    engine: sa.Engine, registry: Registry
) -> None:
    # R-RGT-05: absolute, immediate, and the person is never prospected again.
    record(
        engine,
        registry,
        who(**JEANNE),
        "prospecting",
        EventKind.OBJECTION,
        prospecting_asserted=True,
    )
    for alone in (who(email=JEANNE["email"]), who(phone=JEANNE["phone"])):
        assert suppression_book.is_suppressed(engine, alone)
        assert not ledger.status(
            engine, registry, alone, "newsletter", T0 + timedelta(days=1)
        ).allowed
    assert sorted(e.kind for e in suppression_book.suppression_list(engine)) == ["email", "phone"]
    # a second objection adds nothing to the list
    record(engine, registry, who(email=JEANNE["email"]), "newsletter", EventKind.OBJECTION, 2)
    assert count(engine, "suppression") == 2
    with pytest.raises(EventRefused, match="suppression list"):
        record(
            engine, registry, who(email=JEANNE["email"]), "newsletter", EventKind.CONSENT_GIVEN, 3
        )


@pytest.mark.parametrize(
    ("identity", "suppressed"),
    [
        ({"email": " Jeanne.Martin@EXAMPLE.fr"}, True),  # same address, other spelling
        ({"phone": "+33 6 12 34 56 78"}, True),
        ({"phone": "+33.6.12.34.56.78"}, True),
        ({"phone": "06 12 34 56 78"}, True),  # national format (issue 10 §2)
        ({"phone": "0033 6 12 34 56 78"}, True),
        ({"phone": "06 12 34 56 79"}, False),  # one digit off
        ({"email": "jeanne.martin@example.com"}, False),
        ({"email": "jeanne.martln@example.fr"}, False),
        ({"email": "jeanne.martin@exаmple.fr"}, False),  # Cyrillic 'а': another domain
        ({"email": "jeanne-martin@example.fr"}, False),
        ({"phone": "+33612345679"}, False),
        ({"customer_number": "+33612345678"}, False),  # same characters, another kind
    ],
)
def test_suppression_with_near_identical_identifiers(
    engine: sa.Engine, registry: Registry, identity: dict[str, str], suppressed: bool
) -> None:
    record(engine, registry, who(**JEANNE), "prospecting", EventKind.OBJECTION)
    assert suppression_book.is_suppressed(engine, who(**identity)) is suppressed


def test_an_objection_recorded_in_e164_is_found_by_the_number_in_national_format(
    engine: sa.Engine, registry: Registry
) -> None:
    # Art. 21: the caller objected as +33198765432; the recorder asks with "01 98 76 54 32".
    record(engine, registry, who(phone="+33198765432"), "call-recording", EventKind.OBJECTION, 0)
    for typed in ("01 98 76 54 32", "0033 1 98 76 54 32", "+33 (0)1 98 76 54 32"):
        status = ledger.status(
            engine, registry, who(phone=typed), "call-recording", T0 + timedelta(days=1)
        )
        assert not status.allowed, typed
    other = who(phone="01 98 76 54 33")
    assert ledger.status(engine, registry, other, "call-recording", T0 + timedelta(days=1)).allowed


def test_refused_events_change_nothing(engine: sa.Engine, registry: Registry) -> None:
    jeanne = who(**JEANNE)
    with pytest.raises(EventRefused, match="does not apply"):
        record(engine, registry, jeanne, "call-recording-compliance", EventKind.OBJECTION)
    with pytest.raises(EventRefused, match="not on consent"):
        record(engine, registry, jeanne, "contract", EventKind.CONSENT_GIVEN)
    with pytest.raises(EventRefused, match="no objection in force"):
        record(engine, registry, jeanne, "call-recording", EventKind.OBJECTION_LIFTED, proof="x")
    assert count(engine, "consent_event") == 0 and count(engine, "audit_event") == 0


def test_objection_lifted_on_compelling_grounds(engine: sa.Engine, registry: Registry) -> None:
    caller = who(phone="+33198765432")
    record(engine, registry, caller, "call-recording", EventKind.OBJECTION, 0)
    assert not ledger.status(
        engine, registry, caller, "call-recording", T0 + timedelta(days=1)
    ).allowed
    record(
        engine,
        registry,
        caller,
        "call-recording",
        EventKind.OBJECTION_LIFTED,
        2,
        proof="claim 2026-17",
    )
    assert ledger.status(engine, registry, caller, "call-recording", T0 + timedelta(days=3)).allowed
    assert not ledger.status(
        engine, registry, caller, "call-recording", T0 + timedelta(days=1)
    ).allowed


def test_every_change_is_audited_without_identifiers_in_clear(
    engine: sa.Engine, registry: Registry
) -> None:
    jeanne = who(**JEANNE)
    record(
        engine,
        registry,
        jeanne,
        "prospecting",
        EventKind.OBJECTION,
        proof="mail from jeanne.martin@example.fr",
    )
    placed = restriction_book.place_restriction(
        engine, at(1), jeanne, reason="accuracy contested", request_id="req-1", actor="dpo"
    )
    restriction_book.lift_restriction(
        engine, at(2), jeanne, notice="told +33612345678 by phone", actor="dpo"
    )
    events = list(audit.events(engine))
    assert [e.action for e in events] == [
        "consent.objection",
        "suppression.added",
        "restriction.placed",
        "restriction.lifted",
    ]
    assert events[2].target == f"restriction:{placed.restriction_id}"
    trail = json.dumps([dict(e.details) for e in events] + [e.target for e in events])
    assert "jeanne" not in trail.lower() and "612345678" not in trail
    assert set(jeanne.digests) <= set(events[0].details["subject"])
    assert audit.verify_trail(engine).ok


def test_restriction_list_place_and_lift_with_notice(engine: sa.Engine, registry: Registry) -> None:
    # Art. 18, R-RGT-07
    jeanne = who(**JEANNE)
    first = restriction_book.place_restriction(
        engine, at(1), jeanne, reason="accuracy contested", request_id="req-1", actor="dpo"
    )
    second = restriction_book.place_restriction(
        engine,
        at(2),
        who(email=JEANNE["email"]),
        reason="objection being verified",
        request_id="req-2",
        actor="dpo",
    )
    assert restriction_book.is_restricted(engine, who(phone=JEANNE["phone"]))
    assert not restriction_book.is_restricted(engine, who(email="paul@example.fr"))
    assert not ledger.status(engine, registry, jeanne, "contract", T0 + timedelta(days=3)).allowed
    with pytest.raises(EventRefused, match=r"Art\. 18\(3\)"):
        restriction_book.lift_restriction(engine, at(3), jeanne, notice=" ", actor="dpo")
    lifted = restriction_book.lift_restriction(
        engine, at(3), jeanne, notice="letter", actor="dpo", restriction_id=first.restriction_id
    )
    assert [r.restriction_id for r in lifted] == [first.restriction_id]
    assert [r.restriction_id for r in restriction_book.restrictions(engine, jeanne)] == [
        second.restriction_id
    ]
    restriction_book.lift_restriction(engine, at(4), jeanne, notice="letter 2", actor="dpo")
    assert not restriction_book.is_restricted(engine, jeanne)
    assert restriction_book.is_restricted(engine, jeanne, T0 + timedelta(days=2, hours=1))
    assert ledger.status(engine, registry, jeanne, "contract", T0 + timedelta(days=5)).allowed
    with pytest.raises(EventRefused, match="nothing to lift"):
        restriction_book.lift_restriction(engine, at(5), jeanne, notice="again", actor="dpo")


def test_history_then_erasure_of_clear_identifiers_keeps_the_proof(
    engine: sa.Engine, registry: Registry
) -> None:
    jeanne = who(**JEANNE)
    record(engine, registry, jeanne, "newsletter", EventKind.CONSENT_GIVEN, 0, proof="form #12")
    restriction_book.place_restriction(
        engine, at(1), jeanne, reason="accuracy contested", request_id=None, actor="dpo"
    )
    entries = consent_history.history(engine, at(2), jeanne, actor="dpo")
    assert [e.what for e in entries] == ["consent_given", "restriction_placed"]
    assert (
        entries[0].identifiers == JEANNE
        and entries[0].notice_version == registry.controller.notice.version
    )
    assert consent_history.erase_identifiers(engine, at(3), jeanne, actor="dpo") == 2
    after = consent_history.history(engine, at(4), jeanne, actor="dpo")
    assert [e.identifiers for e in after] == [None, None] and after[0].detail == "form #12"
    assert ledger.status(engine, registry, jeanne, "newsletter", T0 + timedelta(hours=1)).allowed
    assert [e.action for e in audit.events(engine)][-3:] == [
        "consent.history_read",
        "consent.identifiers_erased",
        "consent.history_read",
    ]


def test_status_is_one_statement(engine: sa.Engine, registry: Registry) -> None:
    jeanne = who(**JEANNE)
    record(engine, registry, jeanne, "newsletter", EventKind.CONSENT_GIVEN)
    restriction_book.place_restriction(
        engine, at(1), jeanne, reason="r", request_id=None, actor="dpo"
    )
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    answer = ledger.status(engine, registry, jeanne, "newsletter", T0 + timedelta(days=2))
    assert not answer.allowed and "restricted" in answer.reason
    queries = [s for s in statements if not s.lstrip().upper().startswith(("PRAGMA", "BEGIN"))]
    assert len(queries) == 1


def test_status_looks_people_up_through_the_digest_indexes(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    query = ledger._RECORD_FOR_ACTIVITY.params(
        digests=[KEY.digest("email", "a@b.fr")], activity="newsletter"
    )
    with engine.connect() as conn:
        compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
    assert (
        "ix_consent_event_subject_digest" in plan
        or "sqlite_autoindex_consent_event_subject" in plan
    )
    assert "ix_restriction_subject_digest" in plan or "sqlite_autoindex_restriction_subject" in plan
    assert "SCAN consent_event_subject" not in plan and "SCAN restriction_subject" not in plan
