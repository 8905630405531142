"""The legal checker: its rule catalogue, and a base registry every rule accepts.

Each rule is tested both ways in the ``test_rules_*.py`` modules: it fires on a registry broken
in exactly one way (``broken``), at the most precise key, and stays silent on ``GOOD``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from gardien.registry.checker import (
    RULES,
    CheckContext,
    CheckReport,
    Issue,
    Rule,
    all_rules,
    check_path,
)
from gardien.registry.findings import Finding, Severity

GOOD_TEXT = """\
gardien: 1
controller:
  name: Exemple SAS
  address: 1 rue de la Paix, 75002 Paris
  contact: {email: contact@exemple.fr}
  dpo: {email: dpo@exemple.fr}
  authority: {name: CNIL, url: "https://www.cnil.fr"}
  security_measures:
    - {fr: Contrôle d'accès, en: Access control}
  notice: {version: "1.0", date: 2024-01-01, languages: [fr, en]}
subjects:
  client: {fr: Client, en: Customer}
  prospect: {fr: Prospect, en: Prospect}
data:
  identity: {fr: Identité, en: Identity}
  contact: {fr: Coordonnées, en: Contact details}
  relationship: {fr: Suivi de la relation, en: Relationship tracking}
recipients:
  hosting:
    label: {fr: Hébergeur, en: Hosting provider}
    kind: processor
    country: FR
activities:
  contract:
    name: {fr: Contrat, en: Contract}
    purpose: {fr: Gérer le contrat, en: Managing the contract}
    legal_basis: contract
    subjects: [client]
    data: [identity, contact, relationship]
    source:
      client: {kind: direct}
    mandatory:
      data: [identity]
      reason: {fr: nécessaire au contrat, en: needed for the contract}
      consequence: {fr: pas de contrat, en: no contract}
    recipients: [hosting]
    retention:
      client:
        active: {until: contract_end}
        archive:
          for: P5Y
          reason: {fr: prescription, en: limitation period}
        then: delete
  prospecting:
    name: {fr: Prospection, en: Prospecting}
    purpose: {fr: Vous présenter nos offres, en: Presenting our offers}
    legal_basis: legitimate_interest
    legitimate_interest: {fr: faire connaître nos offres, en: promoting our offers}
    direct_marketing: true
    subjects: [prospect]
    data: [identity, contact, relationship]
    source:
      prospect:
        kind: indirect
        description: {fr: nos partenaires, en: our partners}
    recipients: [hosting]
    retention:
      prospect:
        active: {for: P2Y, from: "latest(collected_at, last_contact_at)"}
        then: delete
        if_unknown: delete
systems:
  crm:
    url: sqlite:///demo/exemple/crm.db
    tables:
      client:
        subject: client
        activities: [contract]
        identity: {email: email}
        events: {contract_end: ended_on}
        columns: {name: identity, email: contact, ended_on: relationship, restricted: relationship}
        erase: row
        restriction_flag: restricted
      order:
        belongs_to: {table: client, column: client_id}
        columns: {note: relationship}
        erase: row
      prospect:
        subject: prospect
        activities: [prospecting]
        identity: {email: email}
        events: {collected_at: collected_at, last_contact_at: last_contact_at}
        columns:
          email: contact
          collected_at: relationship
          last_contact_at: relationship
        erase: row
"""

GOOD: dict[str, Any] = yaml.safe_load(GOOD_TEXT)


def good() -> dict[str, Any]:
    return copy.deepcopy(GOOD)


def check(registry: dict[str, Any], tmp_path: Path) -> CheckReport:
    file = tmp_path / "registry.yaml"
    file.write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False), "utf-8")
    return check_path(file, environ={})


def findings(report: CheckReport, code: str) -> list[Finding]:
    return [f for f in report.findings if f.code == code]


def line_of(report: CheckReport, *path: str | int) -> int:
    position = report.reading.source.positions[tuple(path)]
    return position.line


Mutation = Callable[[dict[str, Any]], Any]


def broken(mutation: Mutation) -> dict[str, Any]:
    registry = good()
    mutation(registry)
    return registry


def assert_fires(
    code: str, mutation: Mutation, tmp_path: Path, at: tuple[str | int, ...] | None = None
) -> list[Finding]:
    """The rule fires on the broken registry (at the key ``at`` if given), not on GOOD."""
    assert not findings(check(good(), tmp_path), code), f"{code} fires on the good registry"
    report = check(broken(mutation), tmp_path)
    assert report.usable, [f.render() for f in report.findings]
    hits = findings(report, code)
    assert hits, f"{code} did not fire; got {[f.render() for f in report.findings]}"
    if at is not None:
        assert line_of(report, *at) in [f.line for f in hits]
    return hits


# --- the catalogue ----------------------------------------------------------------------------


def test_the_good_registry_has_no_finding(tmp_path: Path) -> None:
    report = check(good(), tmp_path)
    assert [f.render() for f in report.findings] == []


def test_at_least_25_legal_rules_with_article_and_hint() -> None:
    rules = all_rules()
    assert len(rules) >= 25
    for legal_rule in rules:
        assert re.fullmatch(r"GD[1-7]\d\d", legal_rule.code), legal_rule.code
        assert legal_rule.article and legal_rule.hint and legal_rule.name
        assert legal_rule.severity in (Severity.ERROR, Severity.WARNING)


def test_rule_names_are_unique() -> None:
    names = [r.name for r in all_rules()]
    assert len(names) == len(set(names))


def test_every_rule_is_tested_both_ways() -> None:
    here = Path(__file__).parent
    text = "".join(p.read_text("utf-8") for p in here.glob("test_rules_*.py"))
    untested = [r.code for r in all_rules() if f'"{r.code}"' not in text]
    assert untested == []


def test_a_rule_that_raises_is_reported_and_the_others_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The last-resort net of the rule framework: never a traceback, and the fuzzer's oracle
    # counts GD009 as a bug (tests/registry/mutator.py).
    def broken_rule(ctx: CheckContext) -> Iterator[Issue]:
        yield Issue("found before the failure", ("controller",))
        raise ZeroDivisionError("division by zero")

    rule = Rule("GD999", "broken-rule", Severity.ERROR, "none", "none", broken_rule)
    monkeypatch.setitem(RULES, "GD999", rule)
    registry = good()
    del registry["controller"]["dpo"]  # GD101 still fires
    report = check(registry, tmp_path)
    failed = findings(report, "GD009")
    assert [f.message for f in failed] == [
        "rule GD999 (broken-rule) failed on this registry (ZeroDivisionError), so it is not "
        "checked: this is a bug in gardien, please report it with the registry"
    ]
    assert failed[0].file == str(tmp_path / "registry.yaml") and failed[0].line == 1
    assert findings(report, "GD999") and findings(report, "GD101")
