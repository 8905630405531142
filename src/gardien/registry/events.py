"""Business events that bound a retention phase: ``contract_end``, ``latest(a, b)``, ``earliest(a, b)``.

An event is a name the registry gives to a moment in a person's life with the organisation
(end of contract, last contact, removal as trusted person). Tables map each event to a column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_NAME = r"[a-z][a-z0-9_]*"
_SINGLE = re.compile(rf"^({_NAME})$")
_COMBINED = re.compile(rf"^(latest|earliest)\(\s*({_NAME}(?:\s*,\s*{_NAME})*)\s*\)$")


class EventSyntaxError(ValueError):
    """The text is not an event expression."""


class Combination(StrEnum):
    SINGLE = "single"
    LATEST = "latest"  # R-RET-02: "from collection or the last contact, whichever is later"
    EARLIEST = "earliest"  # R-RET-03: "while designated, or until the client's contract ends"


@dataclass(frozen=True)
class EventExpression:
    combination: Combination
    events: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> EventExpression:
        if not isinstance(text, str):
            raise EventSyntaxError(f"expected an event name, got {text!r}")
        text = text.strip()
        if match := _SINGLE.match(text):
            return cls(Combination.SINGLE, (match.group(1),))
        if match := _COMBINED.match(text):
            names = tuple(n.strip() for n in match.group(2).split(","))
            if len(set(names)) != len(names):
                raise EventSyntaxError(f"{text!r} names the same event twice")
            return cls(Combination(match.group(1)), names)
        raise EventSyntaxError(
            f"{text!r} is not an event: write a name such as contract_end, "
            "or latest(collected_at, last_contact_at), or earliest(removed_at, contract_end)"
        )

    def __str__(self) -> str:
        if self.combination is Combination.SINGLE:
            return self.events[0]
        return f"{self.combination.value}({', '.join(self.events)})"
