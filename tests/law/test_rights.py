"""Rights per legal basis (REQUIREMENTS.md "Rights per legal basis", R-RGT-03…R-RGT-10)."""

from __future__ import annotations

import pytest

from gardien.law.rights import Right, activity_rights, rights_for
from gardien.registry.loader import load_registry
from gardien.registry.model import LegalBasis

ALWAYS = {Right.ACCESS, Right.RECTIFICATION, Right.RESTRICTION}


@pytest.mark.parametrize("basis", list(LegalBasis))
def test_access_rectification_and_restriction_apply_whatever_the_basis(basis: LegalBasis) -> None:
    assert set(rights_for(basis)) >= ALWAYS


def test_legal_obligation_gives_no_erasure_portability_or_objection() -> None:
    rights = set(rights_for(LegalBasis.LEGAL_OBLIGATION))
    assert rights.isdisjoint({Right.ERASURE, Right.PORTABILITY, Right.OBJECTION})


def test_legitimate_interest_gives_objection_and_erasure_but_no_portability() -> None:
    rights = set(rights_for(LegalBasis.LEGITIMATE_INTEREST))
    assert {Right.OBJECTION, Right.ERASURE} <= rights
    assert Right.PORTABILITY not in rights
    assert Right.OBJECTION_DIRECT_MARKETING not in rights


@pytest.mark.parametrize("basis", [LegalBasis.CONSENT, LegalBasis.CONTRACT])
def test_consent_and_contract_give_portability(basis: LegalBasis) -> None:
    assert Right.PORTABILITY in rights_for(basis)
    assert Right.OBJECTION not in rights_for(basis)


def test_only_consent_can_be_withdrawn() -> None:
    withdrawable = {b for b in LegalBasis if Right.CONSENT_WITHDRAWAL in rights_for(b)}
    assert withdrawable == {LegalBasis.CONSENT}


@pytest.mark.parametrize("basis", list(LegalBasis))
def test_objection_to_direct_marketing_is_absolute_whatever_the_basis(basis: LegalBasis) -> None:
    assert Right.OBJECTION_DIRECT_MARKETING in rights_for(basis, direct_marketing=True)


def test_public_task_allows_objection_but_not_erasure() -> None:
    rights = set(rights_for(LegalBasis.PUBLIC_TASK))
    assert Right.OBJECTION in rights
    assert Right.ERASURE not in rights


def test_post_mortem_directives_only_for_a_french_controller() -> None:
    assert Right.POST_MORTEM_DIRECTIVES in rights_for(LegalBasis.CONTRACT, controller_country="fr")
    assert Right.POST_MORTEM_DIRECTIVES not in rights_for(
        LegalBasis.CONTRACT, controller_country="DE"
    )


def test_a_solely_automated_decision_gives_human_intervention() -> None:
    assert Right.HUMAN_INTERVENTION in rights_for(LegalBasis.CONTRACT, automated_decision=True)
    assert Right.HUMAN_INTERVENTION not in rights_for(LegalBasis.CONTRACT)


def test_rights_come_in_gdpr_order_and_each_cites_its_article() -> None:
    rights = rights_for(LegalBasis.CONSENT, direct_marketing=True)
    assert list(rights) == sorted(rights, key=list(Right).index)
    assert Right.PORTABILITY.article == "GDPR Art. 20"
    assert Right.CONSENT_WITHDRAWAL.article == "GDPR Art. 7(3)"
    assert Right.OBJECTION_DIRECT_MARKETING.article.startswith("GDPR Art. 21")
    assert Right.POST_MORTEM_DIRECTIVES.article == "Loi n° 78-17 art. 85"
    assert all(right.article for right in Right)


def test_ima_protect_prospecting_allows_absolute_objection_and_recordings_for_the_law_no_erasure(
    examples_dir,
) -> None:
    registry = load_registry(examples_dir / "ima-protect.yaml")
    prospecting = activity_rights(registry.activities["prospecting"], "FR")
    assert Right.OBJECTION_DIRECT_MARKETING in prospecting
    compliance = activity_rights(registry.activities["call-recording-compliance"], "FR")
    assert Right.ERASURE not in compliance
    assert Right.OBJECTION not in compliance
