"""The notice and the Art. 30 record state each category's own period (issue 10 §6): bank card
data 13 months from the transaction, while the record holding it follows its purposes'."""

from __future__ import annotations

from gardien.publish.record import build_record
from gardien.publish.render import NoticeFormat, render_notice
from gardien.registry.model import DataCategory, Registry


def with_card(registry: Registry) -> Registry:
    card = DataCategory.model_validate(
        {
            "label": {"fr": "Données de carte bancaire", "en": "Bank card data"},
            "retention": {"for": "P13M", "from": "contract_end"},
        }
    )
    return registry.model_copy(update={"data": {**registry.data, "card": card}})


def test_the_notice_gives_a_category_period_shorter_than_its_record(
    ima_protect: Registry,
) -> None:
    registry = with_card(ima_protect)
    fr = render_notice(registry, "fr", NoticeFormat.MD).decode()
    en = render_notice(registry, "en", NoticeFormat.MD).decode()
    assert (
        "Données de carte bancaire : 13 mois à compter de la fin du contrat, puis effacement" in fr
    )
    assert "Bank card data: 13 months from the end of the contract, then erased" in en
    # a registry without a category period says nothing of the kind
    assert "puis effacement" not in render_notice(ima_protect, "fr", NoticeFormat.MD).decode()


def test_the_record_gives_a_category_period_with_the_activity_that_processes_it(
    ima_protect: Registry,
) -> None:
    registry = with_card(ima_protect)
    contract = registry.activities["contract"]
    contract = contract.model_copy(update={"data": [*contract.data, "card"]})
    registry = registry.model_copy(
        update={"activities": {**registry.activities, "contract": contract}}
    )
    record = build_record(registry, "en")
    [entry] = [e for e in record.entries if e.id == "contract"]
    [line] = entry.retention
    assert line.period is not None
    assert line.period.endswith(
        "; Bank card data: 13 months from the end of the contract, then erased"
    )
    [other] = [e for e in record.entries if e.id == "service-improvement"]
    assert all("Bank card data" not in (r.period or "") for r in other.retention)
