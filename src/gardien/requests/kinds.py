"""The kinds of rights request gardien handles, each with the provision it serves."""

from __future__ import annotations

from enum import StrEnum

from gardien.errors import UsageError


class RequestKind(StrEnum):
    """What the person asks for (R-RGT-01…10)."""

    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    RESTRICTION_LIFT = "restriction_lift"
    OBJECTION = "objection"
    OBJECTION_PROSPECTING = "objection_prospecting"
    PORTABILITY = "portability"
    CONSENT_WITHDRAWAL = "consent_withdrawal"
    POST_MORTEM_DIRECTIVE = "post_mortem_directive"

    @property
    def article(self) -> str:
        """The provision that grants the right, as a DPO would cite it."""
        return _ARTICLES[self]

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> RequestKind:
        """The kind named ``text`` (``-`` or ``_``, any case); raise listing every kind."""
        name = text.strip().lower().replace("-", "_")
        try:
            return cls(name)
        except ValueError:
            raise UnknownRequestKind(text) from None


_ARTICLES: dict[RequestKind, str] = {
    RequestKind.ACCESS: "GDPR Art. 15",
    RequestKind.RECTIFICATION: "GDPR Art. 16",
    RequestKind.ERASURE: "GDPR Art. 17",
    RequestKind.RESTRICTION: "GDPR Art. 18(1)",
    # Art. 18(3): the person is told before the restriction is lifted.
    RequestKind.RESTRICTION_LIFT: "GDPR Art. 18(3)",
    RequestKind.OBJECTION: "GDPR Art. 21(1)",
    RequestKind.OBJECTION_PROSPECTING: "GDPR Art. 21(2)-(3)",
    RequestKind.PORTABILITY: "GDPR Art. 20",
    RequestKind.CONSENT_WITHDRAWAL: "GDPR Art. 7(3)",
    RequestKind.POST_MORTEM_DIRECTIVE: "Loi n° 78-17 art. 85",
}

_LABELS: dict[RequestKind, str] = {
    RequestKind.ACCESS: "access to personal data",
    RequestKind.RECTIFICATION: "rectification of inaccurate data",
    RequestKind.ERASURE: "erasure",
    RequestKind.RESTRICTION: "restriction of processing",
    RequestKind.RESTRICTION_LIFT: "lifting of a restriction",
    RequestKind.OBJECTION: "objection on grounds of the person's situation",
    RequestKind.OBJECTION_PROSPECTING: "objection to prospecting",
    RequestKind.PORTABILITY: "data portability",
    RequestKind.CONSENT_WITHDRAWAL: "withdrawal of consent",
    RequestKind.POST_MORTEM_DIRECTIVE: "post-mortem directive",
}


class UnknownRequestKind(UsageError):
    """A kind gardien does not know; the message lists every kind."""

    code = "unknown_request_kind"

    def __init__(self, text: str) -> None:
        self.text = text
        kinds = ", ".join(k.value for k in RequestKind)
        super().__init__(f"unknown request kind {text!r}: the kinds are {kinds}")
