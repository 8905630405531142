"""Which rights a person has over one processing activity, from its legal basis and its flags.

The GDPR does not grant every right for every processing: it depends on the legal basis
(REQUIREMENTS.md, "Rights per legal basis"; W3C DPV ``legal_basis_rights_mapping``):

- access (Art. 15), rectification (Art. 16) and restriction (Art. 18) always apply;
- erasure (Art. 17) does not apply where the processing is needed to comply with a legal
  obligation or to perform a task in the public interest (Art. 17(3)(b));
- portability (Art. 20(1)(a)) applies only to processing based on consent or a contract;
- objection on grounds relating to the person's situation (Art. 21(1)) applies only to processing
  based on a public task or a legitimate interest;
- objection to direct marketing (Art. 21(2)–(3)) is absolute, whatever the basis (R-RGT-05);
- consent can be withdrawn at any time, for the future (Art. 7(3), R-RGT-10);
- a decision based solely on automated processing gives the right to human intervention
  (Art. 22(3));
- a French controller must honour post-mortem directives (Loi n° 78-17, art. 85, R-RGT-09).

Pure: no I/O, no framework, only the registry's vocabulary.
"""

from __future__ import annotations

from enum import StrEnum

from gardien.registry.model import LegalBasis, ProcessingActivity


class Right(StrEnum):
    """A right of the data subject, in the order the GDPR lists them."""

    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    PORTABILITY = "portability"
    OBJECTION = "objection"
    OBJECTION_DIRECT_MARKETING = "objection_direct_marketing"
    HUMAN_INTERVENTION = "human_intervention"
    CONSENT_WITHDRAWAL = "consent_withdrawal"
    POST_MORTEM_DIRECTIVES = "post_mortem_directives"

    @property
    def article(self) -> str:
        """The provision that grants the right, as a DPO would cite it."""
        return _ARTICLES[self]


_ARTICLES: dict[Right, str] = {
    Right.ACCESS: "GDPR Art. 15",
    Right.RECTIFICATION: "GDPR Art. 16",
    Right.ERASURE: "GDPR Art. 17",
    Right.RESTRICTION: "GDPR Art. 18",
    Right.PORTABILITY: "GDPR Art. 20",
    Right.OBJECTION: "GDPR Art. 21(1)",
    Right.OBJECTION_DIRECT_MARKETING: "GDPR Art. 21(2)-(3)",
    Right.HUMAN_INTERVENTION: "GDPR Art. 22(3)",
    Right.CONSENT_WITHDRAWAL: "GDPR Art. 7(3)",
    Right.POST_MORTEM_DIRECTIVES: "Loi n° 78-17 art. 85",
}

_ORDER = list(Right)

# Countries whose law gives post-mortem directives. Only France is modelled so far (R-RGT-09).
_POST_MORTEM_COUNTRIES = frozenset({"FR"})


def rights_for(
    basis: LegalBasis,
    *,
    direct_marketing: bool = False,
    automated_decision: bool = False,
    controller_country: str = "FR",
) -> tuple[Right, ...]:
    """The rights a person has over processing on ``basis``, in GDPR order."""
    rights = {Right.ACCESS, Right.RECTIFICATION, Right.RESTRICTION}
    # Art. 17(3)(b): erasure yields to a legal obligation or a task in the public interest.
    if basis not in (LegalBasis.LEGAL_OBLIGATION, LegalBasis.PUBLIC_TASK):
        rights.add(Right.ERASURE)
    # Art. 20(1)(a): portability only for consent or contract.
    if basis in (LegalBasis.CONSENT, LegalBasis.CONTRACT):
        rights.add(Right.PORTABILITY)
    # Art. 21(1): objection on grounds of one's particular situation, for (e) and (f) only.
    if basis in (LegalBasis.LEGITIMATE_INTEREST, LegalBasis.PUBLIC_TASK):
        rights.add(Right.OBJECTION)
    # Art. 21(2)-(3): objection to direct marketing is absolute, whatever the basis.
    if direct_marketing:
        rights.add(Right.OBJECTION_DIRECT_MARKETING)
    if automated_decision:
        rights.add(Right.HUMAN_INTERVENTION)
    if basis is LegalBasis.CONSENT:
        rights.add(Right.CONSENT_WITHDRAWAL)
    if controller_country.upper() in _POST_MORTEM_COUNTRIES:
        rights.add(Right.POST_MORTEM_DIRECTIVES)
    return tuple(sorted(rights, key=_ORDER.index))


def activity_rights(activity: ProcessingActivity, controller_country: str) -> tuple[Right, ...]:
    """The rights a person has over one declared processing activity."""
    automated = activity.automated
    return rights_for(
        activity.legal_basis,
        direct_marketing=activity.direct_marketing,
        automated_decision=bool(automated and automated.decision),
        controller_country=controller_country,
    )
