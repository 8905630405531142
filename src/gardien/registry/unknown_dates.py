"""What a retention rule does with a row whose start date is unknown (issue 10 §5).

A rule ``for: P2Y, from: latest(collected_at, last_contact_at)`` measures a duration from a
date; a row where every such date is NULL has no start, so no end: left alone it would be kept
for ever, silently, against storage limitation (GDPR Art. 5(1)(e)). Each rule therefore says
what an unknown start means (``if_unknown``):

- ``delete``: the row is past the rule (it gets the rule's end action at the next run);
- ``keep``: the row is kept, because the registry says so (a decision, written down);
- ``review``: the row is not touched, but every plan lists it with the reason, so that a person
  decides (the default: nothing is lost by mistake, nothing is kept without anyone knowing).

``until: EVENT`` rules are not concerned: there an empty date means the event has not
happened yet (the contract still runs), which is a known state, not an unknown one.
"""

from __future__ import annotations

from enum import StrEnum


class IfUnknown(StrEnum):
    DELETE = "delete"
    KEEP = "keep"
    REVIEW = "review"


# The protective default (Art. 5(1)(e)): never "for ever" without anyone knowing, never a
# deletion nobody decided.
DEFAULT_IF_UNKNOWN = IfUnknown.REVIEW
