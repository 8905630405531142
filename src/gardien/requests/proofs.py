"""Which identifiers of a request may be searched: those proven, each with how (R-RGT-11).

A request names a person by several identifiers (``{email, phone, customer_number}``); the
one-time code proves only the identifier it was sent to. Searching every identifier on the
strength of one code would hand a person who controls their own mailbox the data found
through somebody else's phone number (GDPR Art. 15(4): the right of access must not adversely
affect the rights of others; Art. 12(6): the controller must be able to identify the person).
So each identifier carries its own proof:

- ``code``: the one-time code went to it (the request's channel) and was confirmed;
- ``attestation``: an agent attested it after checking a document, recorded with their name;
- ``pivot``: a row found through a proven identifier holds it (the same customer row holds the
  proven e-mail and this phone), decided when the request runs (``jobs.fulfil``).

:func:`search_scope` is the one rule every fulfilment path applies (``jobs.fulfil``, the
directive, the batch runs, the CLI, the API, the back office, the portal): what it leaves out
is never searched, erased, changed or restricted, and the result says which identifiers were
left out and why, so that the person or an agent can have them attested.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from gardien.errors import UsageError
from gardien.requests.states import Action


class ProofMethod(StrEnum):
    CODE = "code"
    """The one-time code was sent to this identifier and confirmed."""
    ATTESTATION = "attestation"
    """An agent checked a document and attested this identifier."""
    PIVOT = "pivot"
    """Held, with this very value, by a row found through a proven identifier: the controller's
    own records tie it to the same person (decided at each run, named in its result)."""


class UnknownIdentifier(UsageError):
    """An attestation names an identifier the request does not give."""

    code = "unknown_identifier"


@dataclass(frozen=True)
class IdentifierProof:
    """How one identifier of a request was proven, when and by whom."""

    method: ProofMethod
    at: datetime
    by: str
    """The actor: the person (through the portal) or the agent who attested."""
    attestation: str | None = None
    """For an attestation: which document was checked, in the agent's words."""

    def as_json(self) -> dict[str, Any]:
        return {
            "method": self.method.value,
            "at": self.at.isoformat(),
            "by": self.by,
            "attestation": self.attestation,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IdentifierProof:
        return cls(
            method=ProofMethod(data["method"]),
            at=datetime.fromisoformat(data["at"]),
            by=str(data["by"]),
            attestation=data.get("attestation"),
        )


Proofs = Mapping[str, IdentifierProof]
"""Identifier kind → its proof; a kind absent is unproven."""

NOT_PROVEN = (
    "not searched: this identifier is not proven (the one-time code proves only the identifier "
    "it was sent to); an agent can attest it after checking a document (R-RGT-11, GDPR Art. "
    "15(4))"
)


@dataclass(frozen=True)
class SearchScope:
    """What a request may search: its proven identifiers, and those left out with the reason."""

    identity: Mapping[str, str]
    """``{kind: value}``: the proven identifiers, the only ones any right searches."""
    proofs: Mapping[str, ProofMethod]
    """How each searched identifier was proven."""
    not_searched: Mapping[str, str]
    """Identifier kind → why it was not searched."""

    def as_json(self) -> dict[str, Any]:
        """For the request's stored result: kinds and methods only, never a value."""
        return {
            "searched": {kind: method.value for kind, method in sorted(self.proofs.items())},
            "not_searched": [
                {"identifier": kind, "reason": reason}
                for kind, reason in sorted(self.not_searched.items())
            ],
        }

    def summary(self) -> str | None:
        """``not searched: phone (not proven)``, or ``None`` when every identifier was searched."""
        if not self.not_searched:
            return None
        return f"not searched: {', '.join(sorted(self.not_searched))} (not proven)"


def search_scope(identity: Mapping[str, str], proofs: Proofs) -> SearchScope:
    """The one rule (R-RGT-11, Art. 15(4)): only the proven identifiers are searched."""
    searched = {kind: value for kind, value in sorted(identity.items()) if kind in proofs}
    return SearchScope(
        identity=searched,
        proofs={kind: proofs[kind].method for kind in searched},
        not_searched={kind: NOT_PROVEN for kind in sorted(identity) if kind not in proofs},
    )


def proven_by_code(
    proofs: Proofs, channel: str, *, at: datetime, by: str
) -> dict[str, IdentifierProof]:
    """``proofs`` with the code's channel proven (the code went to that identifier only)."""
    return {**proofs, channel: IdentifierProof(ProofMethod.CODE, at, by)}


def attested_kinds(identity: Mapping[str, str], named: Iterable[str] | None) -> list[str]:
    """The identifiers an attestation covers: those named, or all the request gives.

    An unknown kind is refused rather than ignored: an agent who believes they attested a
    phone the request does not hold would otherwise be misled.
    """
    if named is None:
        return sorted(identity)
    kinds = sorted({k.strip() for k in named if k.strip()})
    if not kinds:
        raise UnknownIdentifier(
            "an attestation names the identifiers it covers (or none, for all of them)",
            field="identifiers",
        )
    unknown = [k for k in kinds if k not in identity]
    if unknown:
        raise UnknownIdentifier(
            f"identifier {', '.join(unknown)}: the request does not give it "
            f"(it gives: {', '.join(sorted(identity))})",
            field="identifiers",
        )
    return kinds


def with_pivots(
    proofs: Proofs, kinds: Iterable[str], *, at: datetime, by: str
) -> dict[str, IdentifierProof]:
    """``proofs`` with ``kinds`` proven by pivot (never replacing a stronger proof)."""
    added = {k: IdentifierProof(ProofMethod.PIVOT, at, by) for k in kinds if k not in proofs}
    return {**proofs, **added}


def proofs_from_timeline(
    identity: Mapping[str, str], channel: str | None, timeline: Iterable[Any]
) -> dict[str, IdentifierProof]:
    """Proofs of a request recorded before proofs were kept per identifier (store upgrade).

    A code verification then proved the channel only (where the code went); an attestation
    was of the whole request as filed, so it covers every identifier it then held.
    """
    proofs: dict[str, IdentifierProof] = {}
    for entry in timeline:
        if entry.action is not Action.VERIFY:
            continue
        method = entry.details.get("method")
        if method == ProofMethod.CODE.value and channel in identity:
            proofs[str(channel)] = IdentifierProof(ProofMethod.CODE, entry.at, entry.actor)
        elif method == ProofMethod.ATTESTATION.value:
            for kind in entry.details.get("identifiers") or sorted(identity):
                proofs[kind] = IdentifierProof(
                    ProofMethod.ATTESTATION,
                    entry.at,
                    entry.actor,
                    entry.details.get("attestation"),
                )
    return proofs
