"""Transfers outside the EEA (GDPR Art. 44–49): is a country adequate, and is a safeguard needed?

The list itself is dated data (``data/adequacy.yaml``), so a review of the Commission's
decisions is a data change with a visible date, not a code change. Countries are ISO 3166-1
alpha-2 codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class AdequacyDecision:
    """An Art. 45 decision: the Commission found the country's protection adequate."""

    country: str
    name: str
    date: dt.date
    reference: str
    scope: str | None = None
    # The US decision covers only organisations certified under the Data Privacy Framework:
    # a transfer relies on it only when the recipient says so (safeguard: adequacy).
    certification_required: bool = False


@dataclass(frozen=True)
class AdequacyList:
    reviewed: dt.date
    source: str
    eea: frozenset[str]
    eu_territories: frozenset[str]
    decisions: dict[str, AdequacyDecision]


class TransferStatus(StrEnum):
    """What a flow of data to a country needs (Art. 44–49)."""

    INSIDE_EEA = "inside_eea"  # not a transfer
    ADEQUATE = "adequate"  # Art. 45: no safeguard needed
    ADEQUATE_IF_CERTIFIED = "adequate_if_certified"  # US: only for DPF-certified recipients
    NEEDS_SAFEGUARD = "needs_safeguard"  # Art. 46, 47 or 49


def _date(value: Any, what: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    raise ValueError(f"adequacy.yaml: {what} must be a date (YYYY-MM-DD), got {value!r}")


@cache
def adequacy_list() -> AdequacyList:
    """The packaged list (read once)."""
    text = resources.files("gardien.law").joinpath("data/adequacy.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    decisions = {
        code: AdequacyDecision(
            country=code,
            name=str(entry["name"]),
            date=_date(entry["date"], f"{code}.date"),
            reference=str(entry["reference"]),
            scope=entry.get("scope"),
            certification_required=bool(entry.get("certification_required", False)),
        )
        for code, entry in raw["decisions"].items()
    }
    codes = [*raw["eea"], *raw["eu_territories"], *decisions]
    if not all(isinstance(c, str) and len(c) == 2 for c in codes):
        # YAML 1.1 reads a bare NO (Norway) as false: refuse rather than drop a country.
        raise ValueError(f"adequacy.yaml: every country must be a 2-letter code, got {codes!r}")
    return AdequacyList(
        reviewed=_date(raw["reviewed"], "reviewed"),
        source=str(raw["source"]),
        eea=frozenset(raw["eea"]),
        eu_territories=frozenset(raw["eu_territories"]),
        decisions=decisions,
    )


def in_eea(country: str) -> bool:
    """Whether data in ``country`` stays inside the EEA (EU27 + IS, LI, NO)."""
    law = adequacy_list()
    code = country.upper()
    return code in law.eea or code in law.eu_territories


def adequacy_decision(country: str) -> AdequacyDecision | None:
    return adequacy_list().decisions.get(country.upper())


def transfer_status(country: str) -> TransferStatus:
    if in_eea(country):
        return TransferStatus.INSIDE_EEA
    decision = adequacy_decision(country)
    if decision is None:
        return TransferStatus.NEEDS_SAFEGUARD
    if decision.certification_required:
        return TransferStatus.ADEQUATE_IF_CERTIFIED
    return TransferStatus.ADEQUATE
