"""The request use cases against a real store: codes through the outbox, decisions, start/complete."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from gardien.clock import FixedClock
from gardien.errors import UsageError
from gardien.jobs import filing
from gardien.jobs import identity as proof
from gardien.jobs import requests as jobs
from gardien.notify import Message, NotificationError
from gardien.notify.outbox import OutboxNotifier
from gardien.registry.loader import load_registry
from gardien.requests.directive import DirectiveAction
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RequestDetails
from gardien.requests.states import IllegalTransition, RequestState, UnverifiedIdentity
from gardien.requests.verification import CodeRejected
from gardien.store import audit

T0 = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
IDENTITY = {"email": "o'brien+test@exämple.fr", "phone": "+33 6 12 34 56 78"}


@pytest.fixture
def outbox(tmp_path: Path) -> OutboxNotifier:
    return OutboxNotifier(tmp_path / "outbox", sender="dpo@ima.example")


def submit(store: Engine, kind: RequestKind = RequestKind.ACCESS, **kwargs: object) -> str:
    request = filing.submit(
        store,
        FixedClock(T0),
        actor="agent",
        kind=kind,
        identity=IDENTITY,
        **kwargs,  # type: ignore[arg-type]
    )
    return request.id


def code_in(path: str) -> str:
    mail = email.message_from_bytes(Path(path).read_bytes(), policy=email.policy.default)
    match = re.search(r"code : (\d{6})", mail.get_body().get_content())  # type: ignore[union-attr]
    assert match
    return match.group(1)


def test_code_sent_to_the_outbox_then_verified(store: Engine, outbox: OutboxNotifier) -> None:
    rid = submit(store)
    sent = proof.send_code(
        store, FixedClock(T0), rid, actor="agent", notifier=outbox, controller="IMA"
    )
    assert sent.channel == "email" and sent.to == "o…@exämple.fr"
    assert sent.expires_at == T0 + timedelta(minutes=15)
    mail = email.message_from_bytes(Path(sent.where).read_bytes(), policy=email.policy.default)
    assert mail["To"] == "o'brien+test@xn--exmple-cua.fr" and "IMA" in mail["Subject"]
    assert rid in mail.get_body().get_content()  # type: ignore[union-attr]
    assert jobs.show(store, rid).state is RequestState.AWAITING_IDENTITY
    later = FixedClock(T0 + timedelta(minutes=10))
    done = proof.verify_code(store, later, rid, code_in(sent.where), actor="portal")
    assert done.state is RequestState.VERIFIED
    assert done.timeline[-1].details == {
        "method": "code",
        "identifiers": ["email"],
        "identity_wait_seconds": 600,
    }
    assert jobs.as_json(done, later.now())["identity_wait_seconds"] == 600


def test_wrong_codes_use_attempts_that_are_kept(store: Engine, outbox: OutboxNotifier) -> None:
    rid = submit(store)
    sent = proof.send_code(store, FixedClock(T0), rid, actor="agent", notifier=outbox)
    right = code_in(sent.where)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(CodeRejected, match="wrong code"):
            proof.verify_code(store, FixedClock(T0), rid, wrong, actor="portal")
    with pytest.raises(CodeRejected, match="no attempt left"):
        proof.verify_code(store, FixedClock(T0), rid, right, actor="portal")
    assert jobs.show(store, rid).state is RequestState.AWAITING_IDENTITY
    rejected = list(audit.events(store, action="request.code_rejected"))
    assert [e.details["attempts"] for e in rejected] == [1, 2, 3, 4, 5, 5]
    # A new code starts afresh and the old one no longer works.
    again = proof.send_code(store, FixedClock(T0), rid, actor="agent", notifier=outbox)
    if code_in(again.where) != right:
        with pytest.raises(CodeRejected):
            proof.verify_code(store, FixedClock(T0), rid, right, actor="portal")
    assert proof.verify_code(store, FixedClock(T0), rid, code_in(again.where), actor="p").state is (
        RequestState.VERIFIED
    )


def test_expired_code_and_single_use(store: Engine, outbox: OutboxNotifier) -> None:
    rid = submit(store)
    sent = proof.send_code(store, FixedClock(T0), rid, actor="agent", notifier=outbox)
    with pytest.raises(CodeRejected, match="expired"):
        proof.verify_code(
            store, FixedClock(T0 + timedelta(minutes=15)), rid, code_in(sent.where), actor="p"
        )
    sent = proof.send_code(
        store, FixedClock(T0 + timedelta(minutes=20)), rid, actor="a", notifier=outbox
    )
    proof.verify_code(
        store, FixedClock(T0 + timedelta(minutes=21)), rid, code_in(sent.where), actor="p"
    )
    with pytest.raises(IllegalTransition, match="is verified: cannot verify"):
        proof.verify_code(
            store, FixedClock(T0 + timedelta(minutes=22)), rid, code_in(sent.where), actor="p"
        )


def test_verify_without_a_code_says_so(store: Engine) -> None:
    rid = submit(store)
    with pytest.raises(proof.NoCodeSent, match="attestation"):
        proof.verify_code(store, FixedClock(T0), rid, "123456", actor="p")


class BrokenNotifier:
    def send(self, message: Message) -> str:
        raise NotificationError("the mail server said no")


def test_a_failed_delivery_records_nothing(store: Engine) -> None:
    rid = submit(store)
    with pytest.raises(NotificationError):
        proof.send_code(store, FixedClock(T0), rid, actor="agent", notifier=BrokenNotifier())
    assert jobs.show(store, rid).state is RequestState.RECEIVED
    assert [e.action for e in audit.events(store)] == ["request.submit"]


def test_attest_start_complete(store: Engine) -> None:
    rid = submit(store, RequestKind.ERASURE)
    with pytest.raises(UnverifiedIdentity):
        jobs.start(store, FixedClock(T0), rid, actor="engine")
    proof.attest(store, FixedClock(T0), rid, actor="a.martin", attestation="passport checked")
    jobs.start(store, FixedClock(T0), rid, actor="engine")
    with pytest.raises(UsageError, match="JSON"):
        jobs.complete(store, FixedClock(T0), rid, actor="engine", result={"x": object()})
    result = {"crm": {"invoice": {"found": 3, "erased": 0, "kept": 3, "why": "Art. 17(3)(b)"}}}
    with pytest.raises(UsageError, match="reasons"):
        jobs.complete(
            store, FixedClock(T0), rid, actor="e", result=result, outcome="partially_refused"
        )
    done = jobs.complete(
        store,
        FixedClock(T0),
        rid,
        actor="engine",
        result=result,
        outcome="partially_refused",
        reasons="invoices kept ten years (Code de commerce L123-22)",
    )
    assert done.state is RequestState.PARTIALLY_REFUSED
    assert jobs.show(store, rid).result == result


def test_decisions(store: Engine) -> None:
    rid = submit(store)
    extended = jobs.extend(store, FixedClock(T0), rid, actor="dpo", reason="many systems")
    assert extended.answer_by == extended.extended_due
    assert jobs.refuse(store, FixedClock(T0), rid, actor="dpo", reason="excessive").state is (
        RequestState.REFUSED
    )
    other = submit(store)
    assert jobs.cancel(store, FixedClock(T0), other, actor="dpo", reason="withdrawn").state is (
        RequestState.CANCELLED
    )


def test_directive_and_declared_death(store: Engine) -> None:
    rid = submit(
        store,
        RequestKind.POST_MORTEM_DIRECTIVE,
        details=RequestDetails(
            directive="erase all",
            trusted_third_party="P. Martin",
            directive_action=DirectiveAction.ERASE,
        ),
    )
    later = FixedClock(T0 + timedelta(days=400))
    declared = jobs.declare_death(store, later, rid, actor="dpo", died_on=date(2027, 3, 1))
    assert declared.actionable and declared.due is not None
    assert jobs.as_json(declared, later.now())["death"]["died_on"] == "2027-03-01"


def test_submit_checks_the_registry_and_takes_its_country(store: Engine, tmp_path: Path) -> None:
    registry = load_registry(EXAMPLE, environ={})
    clock = FixedClock(T0)
    request = filing.submit(
        store, clock, actor="a", kind=RequestKind.ACCESS, identity=IDENTITY, registry=registry
    )
    assert request.country == registry.controller.country
    with pytest.raises(UsageError, match="declared: customer_number, email, phone"):
        filing.submit(
            store,
            clock,
            actor="a",
            kind=RequestKind.ACCESS,
            identity={"iban": "FR76"},
            registry=registry,
        )
    with pytest.raises(UsageError, match="activity 'nope' is not in the registry"):
        filing.submit(
            store,
            clock,
            actor="a",
            kind=RequestKind.OBJECTION,
            identity=IDENTITY,
            registry=registry,
            details=RequestDetails(activity="nope"),
        )
    with pytest.raises(UsageError, match="field 'shoe_size'"):
        filing.submit(
            store,
            clock,
            actor="a",
            kind=RequestKind.RECTIFICATION,
            identity=IDENTITY,
            registry=registry,
            details=RequestDetails(fields={"shoe_size": "44"}),
        )
    assert len(jobs.list_requests(store)) == 1


def test_list_overdue(store: Engine) -> None:
    rid = submit(store)
    assert jobs.list_requests(store, overdue_at=T0) == []
    (late,) = jobs.list_requests(store, overdue_at=T0 + timedelta(days=45))
    assert late.id == rid and jobs.as_json(late, T0 + timedelta(days=45))["overdue"] is True
