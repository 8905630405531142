"""Rules about how data is collected and used: sources, mandatory data, profiling (Art. 13–14, 22)."""

from __future__ import annotations

from collections.abc import Iterator

from gardien.registry.checker import CheckContext, Issue, rule
from gardien.registry.findings import Severity
from gardien.registry.model import AutomatedDecision, SourceKind


@rule(
    "GD303",
    "mandatory-consequence-missing",
    Severity.ERROR,
    article="GDPR Art. 13(2)(e); R-MIN-02",
    hint="add mandatory.consequence: what happens if the person does not provide the data",
)
def mandatory_consequence_missing(ctx: CheckContext) -> Iterator[Issue]:
    for aid, act in ctx.registry.activities.items():
        if act.mandatory is not None and act.mandatory.consequence is None:
            yield Issue(
                f"activity {aid} declares mandatory data without the consequence of not giving it",
                ("activities", aid, "mandatory"),
            )


@rule(
    "GD304",
    "mandatory-reason-missing",
    Severity.WARNING,
    article="GDPR Art. 13(2)(e)",
    hint="add mandatory.reason: statutory, contractual, or needed to enter into a contract",
)
def mandatory_reason_missing(ctx: CheckContext) -> Iterator[Issue]:
    for aid, act in ctx.registry.activities.items():
        if act.mandatory is not None and act.mandatory.reason is None:
            yield Issue(
                f"activity {aid} does not say whether its mandatory data is a statutory or "
                "contractual requirement",
                ("activities", aid, "mandatory"),
            )


@rule(
    "GD305",
    "indirect-source-undescribed",
    Severity.ERROR,
    article="GDPR Art. 14(2)(f); R-SRC-01",
    hint="add source.<subject>.description naming where the data comes from",
)
def indirect_source_undescribed(ctx: CheckContext) -> Iterator[Issue]:
    for aid, act in ctx.registry.activities.items():
        for sid, source in act.source.items():
            if source.kind is not SourceKind.DIRECT and source.description is None:
                yield Issue(
                    f"activity {aid} collects data on {sid} from elsewhere without saying from where",
                    ("activities", aid, "source", sid, "kind"),
                )


def _unstated_profiling_items(auto: AutomatedDecision) -> list[str]:
    return [
        name
        for name, text in (("logic", auto.logic), ("consequences", auto.consequences))
        if text is None
    ]


@rule(
    "GD306",
    "automated-decision-information-missing",
    Severity.ERROR,
    article="GDPR Art. 13(2)(f), 14(2)(g), 22; R-PRF-01",
    hint="add automated.logic and automated.consequences in each language",
)
def automated_decision_information_missing(ctx: CheckContext) -> Iterator[Issue]:
    for aid, act in ctx.registry.activities.items():
        auto = act.automated
        if auto is None or not auto.decision:
            continue
        if missing := _unstated_profiling_items(auto):
            yield Issue(
                f"activity {aid} takes automated decisions without stating "
                f"its {' and '.join(missing)}",
                ("activities", aid, "automated"),
            )


@rule(
    "GD309",
    "profiling-information-missing",
    Severity.WARNING,
    article="GDPR Art. 13(2)(f) ('at least' for Art. 22 decisions), 21(2); WP251 rev.01; R-PRF-01",
    hint="add automated.logic and automated.consequences: what the score uses and what it changes",
)
def profiling_information_missing(ctx: CheckContext) -> Iterator[Issue]:
    # Profiling without a decision under Art. 22(1) is not bound by Art. 13(2)(f), but the
    # person must understand it to object (Art. 21(2)); the EDPB recommends explaining it.
    for aid, act in ctx.registry.activities.items():
        auto = act.automated
        if auto is None or auto.decision or not auto.profiling:
            continue
        if missing := _unstated_profiling_items(auto):
            yield Issue(
                f"activity {aid} profiles or scores people without explaining its "
                f"{' and '.join(missing)}",
                ("activities", aid, "automated", "profiling"),
            )


@rule(
    "GD307",
    "automated-decision-safeguards-missing",
    Severity.ERROR,
    article="GDPR Art. 22(3)",
    hint="add automated.safeguards: human intervention, expressing one's view, contesting",
)
def automated_decision_safeguards_missing(ctx: CheckContext) -> Iterator[Issue]:
    for aid, act in ctx.registry.activities.items():
        auto = act.automated
        if auto is not None and auto.decision and auto.safeguards is None:
            yield Issue(
                f"activity {aid} takes automated decisions without stating the safeguards",
                ("activities", aid, "automated", "decision"),
            )


@rule(
    "GD308",
    "source-undeclared",
    Severity.WARNING,
    article="GDPR Art. 13, 14(1), 14(2)(f)",
    hint="add source: {<subject>: {kind: direct}} (or indirect/both with a description)",
)
def source_undeclared(ctx: CheckContext) -> Iterator[Issue]:
    # Whether Art. 13 or Art. 14 applies depends on it; the notice cannot guess.
    for aid, act in ctx.registry.activities.items():
        for index, sid in enumerate(act.subjects):
            if sid not in act.source:
                yield Issue(
                    f"activity {aid} does not say whether data on {sid} comes from them "
                    "or from elsewhere",
                    ("activities", aid, "subjects", index),
                )
