"""The pure request workflow: deadlines, contents per kind, reasoned decisions, identity, directives."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from gardien.identity import MalformedIdentifier
from gardien.law.deadlines import UnknownCountryError, request_deadline
from gardien.requests import workflow as wf
from gardien.requests.directive import DirectiveAction, UnknownDirectiveAction
from gardien.requests.kinds import RequestKind, UnknownRequestKind
from gardien.requests.model import RequestDetails, RightsRequest
from gardien.requests.states import Action, IllegalTransition, RequestState, UnverifiedIdentity

T0 = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)


def submitted(
    kind: RequestKind = RequestKind.ACCESS,
    *,
    identity: dict[str, str] | None = None,
    received_at: datetime = T0,
    now: datetime = T0,
    country: str = "FR",
    details: RequestDetails | None = None,
    channel: str | None = None,
) -> RightsRequest:
    return wf.new_request(
        request_id="req-1",
        kind=kind,
        identity=identity or {"email": " Jeanne.Martin@Example.FR "},
        received_at=received_at,
        now=now,
        actor="agent",
        country=country,
        channel=channel,
        details=details,
    )


def verified(request: RightsRequest, at: datetime = T0) -> RightsRequest:
    return wf.verified(request, now=at, actor="agent", method="attestation", attestation="ID card")


# --- kinds --------------------------------------------------------------------------------


def test_every_kind_cites_its_article() -> None:
    assert RequestKind.ACCESS.article == "GDPR Art. 15"
    assert RequestKind.OBJECTION_PROSPECTING.article == "GDPR Art. 21(2)-(3)"
    assert RequestKind.POST_MORTEM_DIRECTIVE.article == "Loi n° 78-17 art. 85"
    assert all(k.article and k.label for k in RequestKind)


def test_unknown_kind_lists_the_kinds() -> None:
    assert RequestKind.parse("Objection-Prospecting") is RequestKind.OBJECTION_PROSPECTING
    with pytest.raises(UnknownRequestKind) as caught:
        RequestKind.parse("forget-me")
    assert "'forget-me'" in str(caught.value)
    assert all(k.value in str(caught.value) for k in RequestKind)


# --- deadlines ----------------------------------------------------------------------------


def test_deadlines_come_from_the_law_module_with_the_controllers_country() -> None:
    request = submitted()
    expected = request_deadline(T0, "FR")
    assert (request.due, request.extended_due) == (expected.due, expected.extended_due)
    assert request.due == date(2026, 4, 7)  # 5 April is a Sunday, 6 April Easter Monday
    assert request.answer_by == request.due and not request.extended


def test_a_countrys_holidays_move_the_due_date() -> None:
    received = datetime(2026, 12, 24, tzinfo=UTC)  # + 1 month = 24 Jan 2027 (Sunday)
    assert submitted(received_at=received, now=received).due == date(2027, 1, 25)
    received = datetime(2026, 4, 1, tzinfo=UTC)  # 1 May: Labour Day in FR and DE
    assert submitted(received_at=received, now=received, country="FR").due == date(2026, 5, 4)
    assert submitted(received_at=received, now=received, country="de").country == "DE"


def test_unknown_country_is_refused() -> None:
    with pytest.raises(UnknownCountryError):
        submitted(country="XX")


def test_receipt_may_precede_the_record_but_not_follow_it() -> None:
    earlier = submitted(received_at=T0 - timedelta(days=3), now=T0)
    assert earlier.due == request_deadline(T0 - timedelta(days=3)).due
    with pytest.raises(wf.InvalidRequest, match="future"):
        submitted(received_at=T0 + timedelta(hours=1), now=T0)


def test_overdue_only_after_the_last_day_and_only_while_open() -> None:
    request = submitted()
    assert request.due is not None
    assert not request.overdue(request.due)
    assert request.overdue(request.due + timedelta(days=1))
    closed = wf.cancel(request, now=T0, actor="agent", reason="withdrawn by phone")
    assert not closed.overdue(request.due + timedelta(days=1))


# --- identity and contents ----------------------------------------------------------------


def test_identifiers_are_normalised_and_the_channel_defaults_to_email() -> None:
    request = submitted(identity={"phone": "+33 6 12 34 56 78", "email": "O'Brien@EXÄMPLE.fr"})
    assert request.identity == {"email": "o'brien@exämple.fr", "phone": "+33612345678"}
    assert request.channel == "email"
    assert submitted(identity={"phone": "06 12 34 56 78"}).channel == "phone"
    assert submitted(identity={"customer_number": "C-1"}).channel is None


def test_malformed_identifier_is_named() -> None:
    with pytest.raises(MalformedIdentifier, match="email"):
        submitted(identity={"email": "not-an-address"})


def test_channel_must_be_a_declared_identifier() -> None:
    with pytest.raises(wf.InvalidRequest, match="no phone identifier"):
        submitted(channel="phone")
    with pytest.raises(wf.InvalidRequest, match="email or phone"):
        submitted(channel="pigeon")


def test_rectification_needs_fields_and_only_it_has_them() -> None:
    with pytest.raises(wf.InvalidRequest, match=r"Art\. 16"):
        submitted(RequestKind.RECTIFICATION)
    with pytest.raises(wf.InvalidRequest, match="only belong to a rectification"):
        submitted(RequestKind.ACCESS, details=RequestDetails(fields={"last_name": "Martin"}))
    request = submitted(
        RequestKind.RECTIFICATION,
        details=RequestDetails(fields={"last_name": "Martin", "email": " New@Example.fr"}),
    )
    assert request.details.fields == {"last_name": "Martin", "email": "new@example.fr"}
    with pytest.raises(MalformedIdentifier):
        submitted(RequestKind.RECTIFICATION, details=RequestDetails(fields={"phone": "call me"}))


def test_objection_names_its_target() -> None:
    with pytest.raises(wf.InvalidRequest, match=r"Art\. 21"):
        submitted(RequestKind.OBJECTION)
    request = submitted(RequestKind.OBJECTION, details=RequestDetails(activity=" prospecting "))
    assert request.details.activity == "prospecting"
    assert submitted(RequestKind.OBJECTION_PROSPECTING).details.activity is None
    with pytest.raises(wf.InvalidRequest, match="only belongs to an objection"):
        submitted(RequestKind.ERASURE, details=RequestDetails(activity="prospecting"))


# --- identity verification ----------------------------------------------------------------


def test_code_sent_then_verified_records_the_wait_and_keeps_the_due_date() -> None:
    request = submitted()
    sent = wf.code_sent(request, now=T0, actor="agent", expires_at=T0 + timedelta(minutes=15))
    assert sent.state is RequestState.AWAITING_IDENTITY
    later = T0 + timedelta(days=2, hours=1)
    done = wf.verified(sent, now=later, actor="portal", method="code")
    assert done.state is RequestState.VERIFIED
    assert done.timeline[-1].details["identity_wait_seconds"] == int(
        timedelta(days=2, hours=1).total_seconds()
    )
    assert done.due == request.due  # the clock keeps running (R-RGT-11)


def test_attestation_is_recorded_with_the_agents_name() -> None:
    done = wf.verified(
        submitted(), now=T0, actor="a.martin", method="attestation", attestation="passport"
    )
    entry = done.timeline[-1]
    assert entry.details["attestation"] == "passport"
    assert entry.details["attested_by"] == "a.martin"
    with pytest.raises(wf.ReasonRequired):
        wf.verified(submitted(), now=T0, actor="x", method="attestation", attestation="  ")


def test_no_code_without_a_channel() -> None:
    with pytest.raises(wf.InvalidRequest, match="attestation"):
        wf.code_sent(
            submitted(identity={"customer_number": "C-1"}), now=T0, actor="a", expires_at=T0
        )


def test_nothing_starts_on_an_unverified_identity() -> None:
    with pytest.raises(UnverifiedIdentity):
        wf.start(submitted(), now=T0, actor="agent")


# --- decisions ------------------------------------------------------------------------------


def test_the_full_happy_path_keeps_a_timeline() -> None:
    request = wf.start(verified(submitted()), now=T0, actor="engine")
    done = wf.complete(request, now=T0, actor="engine", result={"crm": {"customer": {"found": 1}}})
    assert done.state is RequestState.COMPLETED
    assert done.result == {"crm": {"customer": {"found": 1}}}
    assert [e.action for e in done.timeline] == [
        Action.SUBMIT,
        Action.VERIFY,
        Action.START,
        Action.COMPLETE,
    ]
    assert [e.to_state for e in done.timeline][-1] is RequestState.COMPLETED


def test_partial_refusal_needs_reasons() -> None:
    running = wf.start(verified(submitted(RequestKind.ERASURE)), now=T0, actor="engine")
    with pytest.raises(wf.ReasonRequired, match=r"Art\. 12\(4\)"):
        wf.complete(running, now=T0, actor="e", result={}, partially_refused=True)
    done = wf.complete(
        running, now=T0, actor="e", result={}, partially_refused=True, reasons="invoices: 10 y"
    )
    assert done.state is RequestState.PARTIALLY_REFUSED
    assert done.timeline[-1].reason == "invoices: 10 y"


def test_refusal_needs_a_written_reason() -> None:
    with pytest.raises(wf.ReasonRequired, match=r"Art\. 12\(4\)-\(5\)"):
        wf.refuse(submitted(), now=T0, actor="dpo", reason="   ")
    refused = wf.refuse(submitted(), now=T0, actor="dpo", reason="fifth identical request")
    assert refused.state is RequestState.REFUSED
    assert refused.timeline[-1].reason == "fifth identical request"


def test_cancel_needs_a_reason_and_not_once_running() -> None:
    with pytest.raises(wf.ReasonRequired):
        wf.cancel(submitted(), now=T0, actor="dpo", reason="")
    running = wf.start(verified(submitted()), now=T0, actor="engine")
    with pytest.raises(IllegalTransition, match="in_progress"):
        wf.cancel(running, now=T0, actor="dpo", reason="withdrawn")


def test_extension_is_reasoned_once_and_within_the_first_month() -> None:
    request = submitted()
    assert request.due is not None and request.extended_due is not None
    on_due_day = datetime.combine(request.due, datetime.min.time(), UTC) + timedelta(hours=20)
    extended = wf.extend(request, now=on_due_day, actor="dpo", reason="37 systems to search")
    assert extended.extended and extended.answer_by == request.extended_due
    assert extended.state is RequestState.RECEIVED  # a flag, not a state
    assert extended.extension is not None and extended.extension.reason == "37 systems to search"
    with pytest.raises(IllegalTransition, match="already extended"):
        wf.extend(extended, now=on_due_day, actor="dpo", reason="again")
    with pytest.raises(IllegalTransition, match=r"Art\. 12\(3\)"):
        wf.extend(request, now=on_due_day + timedelta(days=1), actor="dpo", reason="late")
    with pytest.raises(wf.ReasonRequired):
        wf.extend(request, now=T0, actor="dpo", reason=" ")
    closed = wf.refuse(request, now=T0, actor="dpo", reason="unfounded")
    with pytest.raises(IllegalTransition, match="is refused: cannot extend"):
        wf.extend(closed, now=T0, actor="dpo", reason="x")


# --- post-mortem directives -----------------------------------------------------------------


def directive() -> RightsRequest:
    return submitted(
        RequestKind.POST_MORTEM_DIRECTIVE,
        details=RequestDetails(
            directive="erase everything",
            trusted_third_party="Paul Martin",
            directive_action=DirectiveAction.ERASE,
        ),
    )


def test_a_directive_is_recorded_without_a_deadline_and_waits_for_a_death() -> None:
    request = verified(directive())
    assert request.due is None and not request.actionable and not request.overdue(date(2099, 1, 1))
    with pytest.raises(IllegalTransition, match="death"):
        wf.start(request, now=T0, actor="engine")
    with pytest.raises(wf.InvalidRequest, match="states what to do with the data") as refused:
        submitted(RequestKind.POST_MORTEM_DIRECTIVE)
    assert refused.value.field == "directive"  # the edges name their own input for it
    with pytest.raises(wf.InvalidRequest, match="post-mortem"):
        submitted(RequestKind.ACCESS, details=RequestDetails(trusted_third_party="Paul"))


def test_a_directive_records_one_of_the_three_actions_of_article_85() -> None:
    words = RequestDetails(directive="que tout soit effacé", trusted_third_party="Paul")
    with pytest.raises(wf.InvalidRequest, match="keep, erase or communicate") as refused:
        submitted(RequestKind.POST_MORTEM_DIRECTIVE, details=words)
    assert refused.value.field == "directive_action"
    erase = submitted(
        RequestKind.POST_MORTEM_DIRECTIVE,
        details=replace(words, directive_action=DirectiveAction.ERASE),
    )
    assert erase.details.directive_action is DirectiveAction.ERASE
    assert erase.details.directive == "que tout soit effacé"  # the person's words, kept
    keep = submitted(
        RequestKind.POST_MORTEM_DIRECTIVE,
        details=RequestDetails(directive="keep", directive_action=DirectiveAction.KEEP),
    )
    assert keep.details.trusted_third_party is None
    # Communicating the data needs someone to communicate it to.
    with pytest.raises(wf.InvalidRequest, match="names who receives it"):
        submitted(
            RequestKind.POST_MORTEM_DIRECTIVE,
            details=RequestDetails(
                directive="send it to my son", directive_action=DirectiveAction.COMMUNICATE
            ),
        )
    with pytest.raises(wf.InvalidRequest, match="only belong to a post-mortem directive"):
        submitted(
            RequestKind.ERASURE, details=RequestDetails(directive_action=DirectiveAction.ERASE)
        )


def test_directive_actions_are_parsed_and_round_trip_through_json() -> None:
    assert DirectiveAction.parse(" Communicate ") is DirectiveAction.COMMUNICATE
    assert DirectiveAction.ERASE.law_term == "effacement"
    with pytest.raises(UnknownDirectiveAction, match="keep, erase, communicate"):
        DirectiveAction.parse("archive")
    details = RequestDetails(
        directive="x", trusted_third_party="P", directive_action=DirectiveAction.COMMUNICATE
    )
    assert RequestDetails.from_json(details.as_json()) == details
    # A directive stored before actions were recorded reads back without one.
    assert RequestDetails.from_json({"directive": "x"}).directive_action is None


def test_declared_death_makes_the_directive_actionable_and_starts_its_period() -> None:
    told = datetime(2031, 6, 10, 8, tzinfo=UTC)
    declared = wf.declare_death(
        verified(directive()), now=told, actor="dpo", died_on=date(2031, 6, 1)
    )
    assert declared.actionable and declared.death is not None
    assert declared.death.died_on == date(2031, 6, 1)
    assert declared.due == request_deadline(told).due
    assert declared.state is RequestState.VERIFIED
    assert wf.start(declared, now=told, actor="engine").state is RequestState.IN_PROGRESS
    with pytest.raises(IllegalTransition, match="already declared"):
        wf.declare_death(declared, now=told, actor="dpo", died_on=date(2031, 6, 1))


def test_death_dates_are_checked_and_only_directives_take_one() -> None:
    with pytest.raises(wf.InvalidRequest, match="future"):
        wf.declare_death(directive(), now=T0, actor="dpo", died_on=date(2026, 3, 6))
    with pytest.raises(wf.InvalidRequest, match="before the directive was received"):
        wf.declare_death(directive(), now=T0, actor="dpo", died_on=date(2026, 3, 4))
    with pytest.raises(IllegalTransition, match="post-mortem directive"):
        wf.declare_death(submitted(), now=T0, actor="dpo", died_on=date(2026, 3, 5))
