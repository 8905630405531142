"""Rules about the categories of people and data the registry declares (Art. 5(1)(c), 30(1)(c))."""

from __future__ import annotations

from collections.abc import Iterator

from gardien.registry.checker import CheckContext, Issue, rule
from gardien.registry.findings import Severity


@rule(
    "GD301",
    "data-category-unused",
    Severity.WARNING,
    article="GDPR Art. 5(1)(c), 30(1)(c)",
    hint="list the category in the data of the activities that process it, or remove it",
)
def data_category_unused(ctx: CheckContext) -> Iterator[Issue]:
    used = {did for act in ctx.registry.activities.values() for did in act.data}
    for did in ctx.registry.data:
        if did not in used:
            yield Issue(
                f"data category {did} is declared but no activity processes it", ("data", did)
            )


@rule(
    "GD302",
    "subject-category-unused",
    Severity.WARNING,
    article="GDPR Art. 30(1)(c)",
    hint="list the category in the subjects of the activities that concern it, or remove it",
)
def subject_category_unused(ctx: CheckContext) -> Iterator[Issue]:
    used = {sid for act in ctx.registry.activities.values() for sid in act.subjects}
    for sid in ctx.registry.subjects:
        if sid not in used:
            yield Issue(
                f"subject category {sid} is declared but no activity concerns it",
                ("subjects", sid),
            )
