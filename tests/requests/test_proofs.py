"""requests.proofs: which identifiers of a request are searched, and how each was proven."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from gardien.errors import UsageError
from gardien.requests import workflow as wf
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RightsRequest
from gardien.requests.proofs import ProofMethod, proofs_from_timeline, search_scope
from gardien.requests.states import IllegalTransition, RequestState

T0 = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
IDENTITY = {"email": "me@example.fr", "phone": "+33612345678", "customer_number": "C1"}


def filed() -> RightsRequest:
    return wf.new_request(
        request_id="r1", kind=RequestKind.ACCESS, identity=IDENTITY, received_at=T0, now=T0,
        actor="portal",
    )  # fmt: skip


def by_code(request: RightsRequest) -> RightsRequest:
    sent = wf.code_sent(request, now=T0, actor="portal", expires_at=T0)
    return wf.verified(sent, now=T0, actor="portal", method="code")


def test_nothing_is_searched_before_any_proof() -> None:
    scope = filed().scope
    assert scope.identity == {} and sorted(scope.not_searched) == sorted(IDENTITY)


def test_the_code_proves_its_channel_only() -> None:
    request = by_code(filed())
    assert request.state is RequestState.VERIFIED
    assert request.scope.identity == {"email": "me@example.fr"}
    assert request.scope.proofs == {"email": ProofMethod.CODE}
    assert sorted(request.scope.not_searched) == ["customer_number", "phone"]
    assert request.scope.summary() == "not searched: customer_number, phone (not proven)"
    assert request.timeline[-1].details["identifiers"] == ["email"]


def test_an_attestation_after_the_code_proves_the_identifiers_it_names() -> None:
    request = wf.verified(
        by_code(filed()), now=T0, actor="agent:a", method="attestation",
        attestation="passport checked", identifiers=["phone"],
    )  # fmt: skip
    assert request.state is RequestState.VERIFIED
    assert request.scope.proofs == {"email": ProofMethod.CODE, "phone": ProofMethod.ATTESTATION}
    assert request.proofs["phone"].by == "agent:a"
    assert request.proofs["phone"].attestation == "passport checked"
    assert list(request.scope.not_searched) == ["customer_number"]


def test_an_attestation_naming_nothing_proves_every_identifier() -> None:
    request = wf.verified(
        filed(), now=T0, actor="agent:a", method="attestation", attestation="ID card checked"
    )
    assert request.scope.identity == IDENTITY and request.scope.summary() is None


def test_an_attestation_of_an_identifier_the_request_lacks_is_refused() -> None:
    with pytest.raises(UsageError, match="ip_address: the request does not give it") as caught:
        wf.verified(
            filed(), now=T0, actor="a", method="attestation", attestation="passport",
            identifiers=["ip_address"],
        )  # fmt: skip
    assert caught.value.field == "identifiers"


def test_a_code_cannot_be_confirmed_twice() -> None:
    with pytest.raises(IllegalTransition, match="attestation"):
        wf.verified(by_code(filed()), now=T0, actor="p", method="code")


def test_a_request_without_proven_identifier_does_not_start() -> None:
    # Only possible for a request stored with no proof at all: refused rather than searching.
    request = by_code(filed())
    bare = dataclasses.replace(request, proofs={})
    with pytest.raises(IllegalTransition, match="none of its identifiers is proven"):
        wf.start(bare, now=T0, actor="agent")


def test_proofs_of_a_request_stored_before_they_were_kept() -> None:
    coded = by_code(filed())
    assert proofs_from_timeline(coded.identity, coded.channel, coded.timeline).keys() == {"email"}
    attested = wf.verified(
        filed(), now=T0, actor="agent:a", method="attestation", attestation="passport"
    )
    old = [
        e.__class__(**{**e.__dict__, "details": {"method": "attestation"}})
        for e in attested.timeline
    ]
    assert proofs_from_timeline(attested.identity, attested.channel, old).keys() == set(IDENTITY)


def test_the_scope_as_stored_holds_kinds_never_values() -> None:
    shown = str(search_scope(IDENTITY, by_code(filed()).proofs).as_json())
    assert "me@example.fr" not in shown and "+33612345678" not in shown and "phone" in shown
