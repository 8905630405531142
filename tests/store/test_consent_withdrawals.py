"""The consents withdrawn as of a run's moment, folded per identifier (Art. 7(3), issue 10 §6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from gardien.clock import FixedClock
from gardien.consent.keys import SubjectKey
from gardien.consent.ledger import Channel, EventKind
from gardien.consent.subject import Subject
from gardien.registry.loader import load_registry
from gardien.store.consent import record_event
from gardien.store.consent_withdrawals import withdrawals_at
from gardien.store.database import open_store

REGISTRY = Path(__file__).resolve().parents[1] / "retention" / "data" / "newsletter.yaml"
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
KEY = SubjectKey(b"test-key")


def test_a_consent_given_again_under_one_identifier_leaves_the_other_withdrawn(
    tmp_path: Path,
) -> None:
    registry = load_registry(REGISTRY, environ={"NEWSLETTER_URL": "sqlite://"})
    store = open_store(f"sqlite:///{tmp_path / 'gardien.db'}")
    both = Subject.of({"email": "Ann@Example.fr", "phone": "+33612345678"}, KEY)
    email = Subject.of({"email": "ann@example.fr"}, KEY)
    events = [
        (both, EventKind.CONSENT_GIVEN),
        (both, EventKind.CONSENT_WITHDRAWN),
        (email, EventKind.CONSENT_GIVEN),  # under the e-mail address only
    ]
    for n, (subject, kind) in enumerate(events):
        clock = FixedClock(T0 + timedelta(days=n))
        record_event(
            store, clock, registry, subject, "newsletter", kind, channel=Channel.PORTAL, actor="t"
        )
    after = withdrawals_at(store, ["newsletter", "contract"], T0 + timedelta(days=3))
    # gardien does not guess that the phone belongs to the e-mail's owner (consent.subject).
    assert after.of("newsletter") == (("phone", "+33612345678"),)
    assert after.of("contract") == ()
    between = withdrawals_at(store, ["newsletter"], T0 + timedelta(days=1, hours=1))
    assert set(between.of("newsletter")) == {("email", "ann@example.fr"), ("phone", "+33612345678")}
    assert withdrawals_at(store, ["newsletter"], T0).of("newsletter") == ()
