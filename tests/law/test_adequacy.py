from __future__ import annotations

import datetime as dt

import pytest

from gardien.law.adequacy import (
    TransferStatus,
    adequacy_decision,
    adequacy_list,
    in_eea,
    transfer_status,
)


def test_the_list_is_dated() -> None:
    law = adequacy_list()
    assert isinstance(law.reviewed, dt.date)
    assert all(isinstance(d.date, dt.date) for d in law.decisions.values())


def test_eea_is_the_eu27_plus_iceland_liechtenstein_norway() -> None:
    law = adequacy_list()
    assert len(law.eea) == 30
    assert {"IS", "LI", "NO", "FR", "DE", "GR"} <= law.eea
    assert "GB" not in law.eea and "CH" not in law.eea


@pytest.mark.parametrize(
    ("country", "status"),
    [
        ("FR", TransferStatus.INSIDE_EEA),
        ("no", TransferStatus.INSIDE_EEA),
        ("RE", TransferStatus.INSIDE_EEA),  # Réunion: an outermost region of the EU
        ("CH", TransferStatus.ADEQUATE),
        ("GB", TransferStatus.ADEQUATE),
        ("JP", TransferStatus.ADEQUATE),
        ("US", TransferStatus.ADEQUATE_IF_CERTIFIED),
        ("MA", TransferStatus.NEEDS_SAFEGUARD),  # R-XFR-01: Morocco has no decision
        ("IN", TransferStatus.NEEDS_SAFEGUARD),
        ("CN", TransferStatus.NEEDS_SAFEGUARD),
    ],
)
def test_transfer_status(country: str, status: TransferStatus) -> None:
    assert transfer_status(country) is status


def test_the_requirements_list_is_complete() -> None:
    expected = {"AD", "AR", "CA", "FO", "GG", "IL", "IM", "JP", "JE", "NZ", "KR", "CH", "GB"}
    assert set(adequacy_list().decisions) == expected | {"UY", "US"}


def test_a_decision_names_its_reference() -> None:
    decision = adequacy_decision("jp")
    assert decision is not None
    assert decision.reference.endswith("2019/419") and decision.date == dt.date(2019, 1, 23)
    assert not in_eea("JP")
