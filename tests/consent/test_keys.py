"""The subject key: digests of identifiers, and the development key refused in production."""

from __future__ import annotations

import pytest

from gardien.consent.keys import DEVELOPMENT_KEY, SecretKeyError, SubjectKey, key_from_environment
from gardien.consent.subject import Subject
from gardien.identity import MalformedIdentifier

STRONG = "x" * 48


def test_without_a_key_development_uses_the_public_development_key() -> None:
    assert key_from_environment({}) == SubjectKey(DEVELOPMENT_KEY.encode())


def test_production_refuses_to_run_without_a_key() -> None:
    with pytest.raises(SecretKeyError, match="GARDIEN_SECRET_KEY is not set"):
        key_from_environment({"GARDIEN_ENV": "production"})


@pytest.mark.parametrize("weak", ["short", DEVELOPMENT_KEY])
def test_production_refuses_a_weak_or_public_key(weak: str) -> None:
    with pytest.raises(SecretKeyError, match="too weak"):
        key_from_environment({"GARDIEN_ENV": "Production", "GARDIEN_SECRET_KEY": weak})


def test_production_accepts_a_strong_key() -> None:
    key = key_from_environment({"GARDIEN_ENV": "production", "GARDIEN_SECRET_KEY": STRONG})
    assert key == SubjectKey(STRONG.encode())


def test_the_secret_never_appears_in_a_repr() -> None:
    assert STRONG not in repr(SubjectKey(STRONG.encode()))


def test_digests_depend_on_the_key_and_on_the_kind() -> None:
    one, other = SubjectKey(b"one"), SubjectKey(b"other")
    assert one.digest("email", "a@b.fr") == one.digest("email", "a@b.fr")
    assert one.digest("email", "a@b.fr") != other.digest("email", "a@b.fr")
    assert one.digest("customer_number", "123") != one.digest("phone", "123")
    assert len(one.digest("email", "a@b.fr")) == 64


def test_a_subject_is_normalised_before_digesting() -> None:
    key = SubjectKey(b"k")
    same = Subject.of({"email": " Jeanne.Martin@Example.FR "}, key)
    assert same.digests == Subject.of({"email": "jeanne.martin@example.fr"}, key).digests
    assert same.describe() == "email"


def test_a_malformed_identifier_is_refused() -> None:
    with pytest.raises(MalformedIdentifier):
        Subject.of({"email": "not an address"}, SubjectKey(b"k"))
