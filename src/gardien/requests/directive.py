"""What a post-mortem directive asks for its author's data (Loi n° 78-17, art. 85, R-RGT-09).

Art. 85 I lets a person define directives on "la conservation, l'effacement et la
communication" of their personal data after their death: the three actions gardien carries
out once the death is declared. The directive's text stays as the person wrote it; the action
is what the controller's agent read in it, recorded at submission so that execution never has
to interpret free text.
"""

from __future__ import annotations

from enum import StrEnum

from gardien.errors import UsageError


class DirectiveAction(StrEnum):
    KEEP = "keep"
    """Conservation: nothing changes; the retention rules keep running their course."""
    ERASE = "erase"
    """Effacement: erased like an erasure request, except what the law obliges to keep."""
    COMMUNICATE = "communicate"
    """Communication: a copy of the data, as for access, to the designated third party."""

    @property
    def law_term(self) -> str:
        """The word of Loi 78-17 art. 85 I, as a DPO would quote it."""
        return _LAW_TERMS[self]

    @classmethod
    def parse(cls, text: str) -> DirectiveAction:
        """The action named ``text`` (any case); raise listing the three actions."""
        name = text.strip().lower()
        try:
            return cls(name)
        except ValueError:
            raise UnknownDirectiveAction(text) from None


_LAW_TERMS: dict[DirectiveAction, str] = {
    DirectiveAction.KEEP: "conservation",
    DirectiveAction.ERASE: "effacement",
    DirectiveAction.COMMUNICATE: "communication",
}


class UnknownDirectiveAction(UsageError):
    """An action Loi 78-17 art. 85 does not name; the message lists the three it does."""

    code = "unknown_directive_action"

    def __init__(self, text: str) -> None:
        self.text = text
        actions = ", ".join(a.value for a in DirectiveAction)
        super().__init__(
            f"unknown directive action {text!r}: a post-mortem directive asks to {actions} "
            "the data (Loi 78-17 art. 85: conservation, effacement, communication)"
        )
