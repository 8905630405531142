"""The transition table: every legal transition lands where it should, every other one is refused."""

from __future__ import annotations

import itertools

import pytest

from gardien.errors import GardienError
from gardien.requests.states import (
    TERMINAL_STATES,
    TRANSITIONS,
    Action,
    IllegalTransition,
    RequestState,
    UnverifiedIdentity,
    next_state,
)

S = RequestState
A = Action

LEGAL = {
    (S.RECEIVED, A.SEND_CODE): S.AWAITING_IDENTITY,
    (S.RECEIVED, A.VERIFY): S.VERIFIED,
    (S.RECEIVED, A.REFUSE): S.REFUSED,
    (S.RECEIVED, A.CANCEL): S.CANCELLED,
    (S.RECEIVED, A.EXTEND): S.RECEIVED,
    (S.RECEIVED, A.DECLARE_DEATH): S.RECEIVED,
    (S.AWAITING_IDENTITY, A.SEND_CODE): S.AWAITING_IDENTITY,
    (S.AWAITING_IDENTITY, A.VERIFY): S.VERIFIED,
    (S.AWAITING_IDENTITY, A.REFUSE): S.REFUSED,
    (S.AWAITING_IDENTITY, A.CANCEL): S.CANCELLED,
    (S.AWAITING_IDENTITY, A.EXTEND): S.AWAITING_IDENTITY,
    (S.AWAITING_IDENTITY, A.DECLARE_DEATH): S.AWAITING_IDENTITY,
    (S.VERIFIED, A.VERIFY): S.VERIFIED,  # an attestation proves more identifiers
    (S.VERIFIED, A.START): S.IN_PROGRESS,
    (S.VERIFIED, A.REFUSE): S.REFUSED,
    (S.VERIFIED, A.CANCEL): S.CANCELLED,
    (S.VERIFIED, A.EXTEND): S.VERIFIED,
    (S.VERIFIED, A.DECLARE_DEATH): S.VERIFIED,
    (S.IN_PROGRESS, A.COMPLETE): S.COMPLETED,
    (S.IN_PROGRESS, A.PARTIALLY_REFUSE): S.PARTIALLY_REFUSED,
    (S.IN_PROGRESS, A.REFUSE): S.REFUSED,
    (S.IN_PROGRESS, A.EXTEND): S.IN_PROGRESS,
}


def test_the_table_is_exactly_the_documented_one() -> None:
    table = {(s, a): t for s, actions in TRANSITIONS.items() for a, t in actions.items()}
    assert table == LEGAL
    assert set(TRANSITIONS) == set(RequestState)


@pytest.mark.parametrize(("state", "action"), sorted(LEGAL))
def test_legal_transition(state: RequestState, action: Action) -> None:
    assert next_state("r1", state, action) is LEGAL[(state, action)]


ILLEGAL = sorted(set(itertools.product(RequestState, Action)) - set(LEGAL))


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_illegal_transition_names_state_and_action(state: RequestState, action: Action) -> None:
    with pytest.raises(IllegalTransition) as caught:
        next_state("r1", state, action)
    message = str(caught.value)
    assert isinstance(caught.value, GardienError)
    assert f"is {state.value}" in message and f"cannot {action.value}" in message
    assert "r1" in message
    assert caught.value.state is state and caught.value.action is action


@pytest.mark.parametrize("state", [S.RECEIVED, S.AWAITING_IDENTITY])
def test_starting_on_an_unverified_identity_says_to_verify(state: RequestState) -> None:
    with pytest.raises(UnverifiedIdentity, match="identity is not verified"):
        next_state("r1", state, A.START)


def test_closed_requests_allow_nothing() -> None:
    for state in TERMINAL_STATES:
        assert TRANSITIONS[state] == {}
        assert not state.is_open
    assert {s for s in RequestState if s.is_open} == {
        S.RECEIVED,
        S.AWAITING_IDENTITY,
        S.VERIFIED,
        S.IN_PROGRESS,
    }


def test_submit_is_never_a_transition() -> None:
    assert all(A.SUBMIT not in actions for actions in TRANSITIONS.values())
