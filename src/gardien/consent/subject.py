"""A data subject as the ledger knows them: a set of normalised identifiers and their digests.

A person is named by one or more identifiers (``email=…``, ``phone=…``); each is normalised by
``gardien.identity`` (the one place that does it) and digested with the subject key. An event
recorded under ``email`` and ``phone`` is found again by either of them; an event recorded under
``email`` only is *not* found by ``phone`` alone: gardien does not guess that two identifiers
belong to the same person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gardien.consent.keys import SubjectKey
from gardien.identity import normalise_all


@dataclass(frozen=True)
class SubjectIdentifier:
    kind: str
    value: str  # normalised
    digest: str


@dataclass(frozen=True)
class Subject:
    identifiers: tuple[SubjectIdentifier, ...]

    @classmethod
    def of(cls, identity: Mapping[str, str], key: SubjectKey) -> Subject:
        """Normalise (refusing malformed values) and digest every identifier."""
        normalised = normalise_all(identity)
        return cls(
            tuple(
                SubjectIdentifier(kind, value, key.digest(kind, value))
                for kind, value in normalised.items()
            )
        )

    @property
    def digests(self) -> tuple[str, ...]:
        return tuple(i.digest for i in self.identifiers)

    def clear(self) -> dict[str, str]:
        return {i.kind: i.value for i in self.identifiers}

    def describe(self) -> str:
        """Kinds only, never values: safe for messages that may be logged."""
        return "+".join(i.kind for i in self.identifiers)
