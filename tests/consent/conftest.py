"""The ima-protect example, plus two consent-based activities it does not have.

ima-protect bases nothing on consent; a newsletter (consent, direct marketing) and a
satisfaction survey (consent) are added beside it, as a second file of a directory registry,
so that every legal basis is exercised on the same organisation.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gardien.consent.keys import SubjectKey
from gardien.registry.loader import load_registry
from gardien.registry.model import Registry

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"

CONSENT_ACTIVITIES = """\
activities:
  newsletter:
    name: {fr: Lettre d'information, en: Newsletter}
    purpose: {fr: Vous envoyer nos offres par e-mail., en: To send you our offers by e-mail.}
    legal_basis: consent
    consent:
      withdrawal: {fr: Lien de désinscription dans chaque e-mail., en: Unsubscribe link in every e-mail.}
    direct_marketing: true
    subjects: [client, prospect]
    data: [identity, contact]
    source:
      client: {kind: direct}
      prospect: {kind: direct}
    recipients: [staff, it-processors]
    retention:
      client: {active: {until: contract_end}, then: delete}
      prospect: {active: {for: P2Y, from: "latest(collected_at, last_contact_at)"}, then: delete}
  satisfaction-survey:
    name: {fr: Enquête de satisfaction, en: Satisfaction survey}
    purpose: {fr: Recueillir votre avis sur nos services., en: To ask for your opinion of our services.}
    legal_basis: consent
    consent:
      withdrawal: {fr: Par e-mail au DPO., en: By e-mail to the DPO.}
    subjects: [client]
    data: [identity, contact]
    source:
      client: {kind: direct}
    recipients: [staff, field-providers]
    retention:
      client: {active: {until: contract_end}, then: delete}
"""

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
KEY = SubjectKey(b"test key for consent digests, 32+ characters")


def write_registry(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLE, directory / "ima-protect.yaml")
    (directory / "consent-activities.yaml").write_text(CONSENT_ACTIVITIES, encoding="utf-8")
    return directory


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    return load_registry(write_registry(tmp_path_factory.mktemp("registry") / "ima"))
