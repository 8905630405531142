"""Proving who asks (R-RGT-11): one-time codes sent to the request's channel, checked, and
agents' attestations of a checked document. A code proves the identifier it went to, an
attestation the identifiers it names: each is recorded per identifier (``requests.proofs``).

The CLI, the API, the portal and the back office call these. A code is stored hashed, the
previous one superseded; a wrong code uses one of its attempts, recorded in the audit trail
even though refused, and counts towards the caps per request and per identifier
(``verification.WrongCodes``, stored in ``code_failure``): once one is reached no code is
checked or sent, and only an attestation proves the identity.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection, Engine

from gardien.audit.chain import NewEvent
from gardien.clock import Clock
from gardien.errors import GardienError
from gardien.identity import mask_identifier
from gardien.jobs.requests import change
from gardien.notify import Message, Notifier
from gardien.requests import verification
from gardien.requests import workflow as wf
from gardien.requests.model import RightsRequest
from gardien.requests.states import Action, IllegalTransition, RequestState, next_state
from gardien.requests.verification import CodeOutcome, CodesLocked, WrongCodes
from gardien.store import audit, code_failures
from gardien.store import requests as book


class NoCodeSent(GardienError):
    """A code is checked for a request to which none was sent."""

    code = "no_code_sent"


@dataclass(frozen=True)
class CodeDelivery:
    channel: str
    to: str
    """The destination, masked (``j…@example.fr``, ``+33…78``): enough to recognise, not to copy."""
    expires_at: datetime
    where: str
    """Where the notifier put it (outbox file, SMTP server)."""


def mask(channel: str, value: str) -> str:
    return mask_identifier(channel, value)


def _code_message(
    request: RightsRequest, code: str, expires_at: datetime, controller: str, now: datetime
) -> Message:
    assert request.channel is not None
    minutes = int(verification.CODE_LIFETIME.total_seconds() // 60)
    body = (
        f"{controller} a reçu votre demande ({request.kind.label}, {request.kind.article}).\n"
        f"Pour confirmer votre identité, communiquez ce code : {code}\n"
        f"Il est valable {minutes} minutes et ne sert qu'une fois.\n"
        f"Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n\n"
        f"{controller} received your request ({request.kind.label}).\n"
        f"To confirm your identity, give this code: {code}\n"
        f"It is valid for {minutes} minutes and can be used once.\n"
        f"If you did not make this request, ignore this message.\n\n"
        f"Reference: {request.id}\n"
        f"Valid until: {expires_at.isoformat(timespec='minutes')}\n"
    )
    return Message(
        channel=request.channel,
        to=request.identity[request.channel],
        subject=f"{controller} — code de vérification / verification code",
        body=body,
        at=now,
        reference=f"request:{request.id}",
    )


def _wrong_codes(conn: Connection, request: RightsRequest, now: datetime) -> tuple[WrongCodes, str]:
    """The wrong codes counted for ``request`` and its channel's identifier, and its digest."""
    assert request.channel is not None
    digest = code_failures.identifier_digest(
        conn, request.channel, request.identity[request.channel]
    )
    return code_failures.counted(conn, request.id, digest, now), digest


def codes_locked(engine: Engine, clock: Clock, request: RightsRequest) -> bool:
    """Whether no code will be checked or sent for ``request`` any more (too many wrong ones)."""
    if request.channel is None:
        return False
    with engine.connect() as conn:
        return _wrong_codes(conn, request, clock.now())[0].locked


def send_code(
    engine: Engine,
    clock: Clock,
    request_id: str,
    *,
    actor: str,
    notifier: Notifier,
    controller: str = "gardien",
) -> CodeDelivery:
    """Send a new one-time code to the request's declared channel (R-RGT-11).

    The code is stored hashed, the previous one superseded, and the message handed to the
    notifier inside the same transaction: if delivery fails, nothing is recorded. Refused
    (``CodesLocked``) once too many wrong codes were given for the request or its identifier:
    a new code would be a new set of guesses, and one more message to the person.
    """
    now = clock.now()
    with engine.begin() as conn:
        before = book.load(conn, request_id, lock=True)
        next_state(before.id, before.state, Action.SEND_CODE)
        if before.channel is None:
            raise wf.InvalidRequest(
                f"request {request_id} gives no e-mail or phone to send a code to: the identity "
                "is verified by an agent's attestation of a checked document",
                field="channel",
            )
        if _wrong_codes(conn, before, now)[0].locked:
            raise CodesLocked()
        code, record = verification.issue(str(uuid.uuid4()), before.id, before.channel, now)
        after = wf.code_sent(before, now=now, actor=actor, expires_at=record.expires_at)
        book.add_code(conn, record)
        book.save(conn, clock, before, after)
        where = notifier.send(_code_message(after, code, record.expires_at, controller, now))
    return CodeDelivery(
        channel=before.channel,
        to=mask(before.channel, before.identity[before.channel]),
        expires_at=record.expires_at,
        where=where,
    )


def verify_code(
    engine: Engine, clock: Clock, request_id: str, code: str, *, actor: str
) -> RightsRequest:
    """Check the code the person gave; a wrong code uses an attempt, recorded even though refused."""
    now = clock.now()
    with engine.begin() as conn:
        before = book.load(conn, request_id, lock=True)
        if before.state is RequestState.VERIFIED:
            # Only an attestation proves more of a verified request (its code proved its channel).
            raise IllegalTransition(before.id, before.state, Action.VERIFY, wf.CODE_ALREADY_USED)
        next_state(before.id, before.state, Action.VERIFY)
        record = book.latest_code(conn, request_id)
        if record is None:
            raise NoCodeSent(
                f"no code was sent for request {request_id}: a code must be sent before it can "
                "be checked, or the identity verified by an agent's attestation",
                field="code",
            )
        wrong, digest = _wrong_codes(conn, before, now)
        if wrong.locked:
            # Not compared at all: past the cap a right guess must prove nothing.
            verification.clean_code(code)
            updated, outcome = record, CodeOutcome.LOCKED
        else:
            updated, outcome = verification.attempt(record, code, now)
            book.update_code(conn, updated)
        if outcome is CodeOutcome.ACCEPTED:
            after = wf.verified(before, now=now, actor=actor, method="code")
            book.save(conn, clock, before, after)
            return after
        if outcome is CodeOutcome.WRONG:
            code_failures.record(conn, request_id, digest, now)
            wrong = wrong.plus_one()
        audit.append(
            conn,
            clock,
            NewEvent(
                actor,
                "request.code_rejected",
                f"request:{request_id}",
                {
                    "outcome": outcome.value,
                    "attempts": updated.attempts,
                    "wrong_codes": wrong.request,
                    "identifier_wrong_codes": wrong.identifier,
                    "attestation_needed": wrong.locked,
                },
            ),
        )
    raise verification.rejection(updated, outcome, wrong)


def attest(
    engine: Engine,
    clock: Clock,
    request_id: str,
    *,
    actor: str,
    attestation: str,
    identifiers: Iterable[str] | None = None,
) -> RightsRequest:
    """An agent attests having checked a document (``passport checked by …``) for the
    ``identifiers`` named, or all the request gives; recorded with their name, per identifier,
    and in the audit trail (``request.verify``). Only proven identifiers are searched
    (``requests.proofs``); attesting more identifiers of a verified request is allowed."""
    now = clock.now()
    return change(
        engine,
        clock,
        request_id,
        lambda r: wf.verified(
            r,
            now=now,
            actor=actor,
            method="attestation",
            attestation=attestation,
            identifiers=identifiers,
        ),
    )
