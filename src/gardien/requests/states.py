"""The life of a rights request: its states, the actions on it, and which action is legal when.

    received ──send_code──▶ awaiting_identity ──verify──▶ verified ──start──▶ in_progress
        └──────────────────────verify (attestation)─────────▲                  │
                                                             complete ─────────┤──▶ completed
                                                             partially_refuse ─┤──▶ partially_refused
    refuse (any open state) ──▶ refused                      refuse ───────────┘──▶ refused
    cancel (before in_progress) ──▶ cancelled

``extend`` (Art. 12(3)) and ``declare_death`` (Loi 78-17 art. 85) are not states: they mark an
open request (a flag with its reasoned notice, a recorded date) and leave its state as it is.
A request on an unverified identity never reaches ``in_progress`` (R-RGT-11). ``verify`` on a
verified request is an agent's attestation of more of its identifiers: each identifier is proven
on its own, and only proven ones are searched (``gardien.requests.proofs``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from gardien.errors import GardienError, Kind, UsageError


class RequestState(StrEnum):
    RECEIVED = "received"
    AWAITING_IDENTITY = "awaiting_identity"
    VERIFIED = "verified"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    PARTIALLY_REFUSED = "partially_refused"
    REFUSED = "refused"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        """Whether the controller still owes an answer (the deadline still runs)."""
        return self not in TERMINAL_STATES

    @classmethod
    def parse(cls, text: str) -> RequestState:
        name = text.strip().lower().replace("-", "_")
        try:
            return cls(name)
        except ValueError:
            states = ", ".join(s.value for s in cls)
            raise UsageError(f"unknown request state {text!r}: the states are {states}") from None


TERMINAL_STATES = frozenset(
    {
        RequestState.COMPLETED,
        RequestState.PARTIALLY_REFUSED,
        RequestState.REFUSED,
        RequestState.CANCELLED,
    }
)


class Action(StrEnum):
    SUBMIT = "submit"
    SEND_CODE = "send_code"
    VERIFY = "verify"
    START = "start"
    COMPLETE = "complete"
    PARTIALLY_REFUSE = "partially_refuse"
    REFUSE = "refuse"
    CANCEL = "cancel"
    EXTEND = "extend"
    DECLARE_DEATH = "declare_death"


_R, _A, _V, _P = (
    RequestState.RECEIVED,
    RequestState.AWAITING_IDENTITY,
    RequestState.VERIFIED,
    RequestState.IN_PROGRESS,
)

# state → action → next state. Anything absent is illegal.
TRANSITIONS: dict[RequestState, dict[Action, RequestState]] = {
    _R: {
        Action.SEND_CODE: _A,
        # An agent may attest a checked document as soon as the request arrives (R-RGT-11).
        Action.VERIFY: _V,
        Action.REFUSE: RequestState.REFUSED,
        Action.CANCEL: RequestState.CANCELLED,
        Action.EXTEND: _R,
        Action.DECLARE_DEATH: _R,
    },
    _A: {
        Action.SEND_CODE: _A,  # a new code replaces the previous one
        Action.VERIFY: _V,
        # Art. 12(2), 11(2): a controller that cannot identify the person may refuse to act.
        Action.REFUSE: RequestState.REFUSED,
        Action.CANCEL: RequestState.CANCELLED,
        Action.EXTEND: _A,
        Action.DECLARE_DEATH: _A,
    },
    _V: {
        # An agent attests further identifiers of a request verified by its code (R-RGT-11).
        Action.VERIFY: _V,
        Action.START: _P,
        Action.REFUSE: RequestState.REFUSED,
        Action.CANCEL: RequestState.CANCELLED,
        Action.EXTEND: _V,
        Action.DECLARE_DEATH: _V,
    },
    _P: {
        Action.COMPLETE: RequestState.COMPLETED,
        Action.PARTIALLY_REFUSE: RequestState.PARTIALLY_REFUSED,
        Action.REFUSE: RequestState.REFUSED,
        Action.EXTEND: _P,
        # Once execution has begun it runs to an outcome: erasures already done cannot be
        # undone by a cancellation, so an in-progress request is not cancellable.
    },
    RequestState.COMPLETED: {},
    RequestState.PARTIALLY_REFUSED: {},
    RequestState.REFUSED: {},
    RequestState.CANCELLED: {},
}


class IllegalTransition(GardienError):
    """An action that the request's state does not allow; names both."""

    code = "illegal_transition"
    kind = Kind.CONFLICT

    def __init__(
        self, request_id: str, state: RequestState, action: Action, why: str | None = None
    ) -> None:
        self.request_id = request_id
        self.state = state
        self.action = action
        allowed = ", ".join(a.value for a in TRANSITIONS[state]) or "none: the request is closed"
        reason = why or f"actions allowed in this state: {allowed}"
        super().__init__(
            f"request {request_id} is {state.value}: cannot {action.value} it ({reason})"
        )

    def details(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "state": self.state.value,
            "action": self.action.value,
        }


class UnverifiedIdentity(IllegalTransition):
    """R-RGT-11: nothing is done for a person whose identity is not verified."""

    code = "unverified_identity"

    def __init__(self, request_id: str, state: RequestState) -> None:
        super().__init__(
            request_id,
            state,
            Action.START,
            "the identity is not verified (R-RGT-11): verify it first with the one-time code "
            "sent to the person or an agent's attestation of a checked document",
        )


def next_state(request_id: str, state: RequestState, action: Action) -> RequestState:
    """The state after ``action``, or :class:`IllegalTransition` naming state and action."""
    target = TRANSITIONS[state].get(action)
    if target is None:
        if action is Action.START and state in (_R, _A):
            raise UnverifiedIdentity(request_id, state)
        raise IllegalTransition(request_id, state, action)
    return target
