"""Rules about how identity columns are compared (issue 10 §2)."""

from __future__ import annotations

from collections.abc import Iterator

from gardien.registry.checker import CheckContext, Issue, rule
from gardien.registry.findings import Severity
from gardien.registry.rules.tables import located_tables


@rule(
    "GD608",
    "normaliser-not-identity",
    Severity.ERROR,
    article="GDPR Art. 15, 17; R-RGT-01",
    hint="name the column under identity: {kind: column} first, or remove it from normalise",
)
def normaliser_not_identity(ctx: CheckContext) -> Iterator[Issue]:
    # A normaliser says how a person's identifier is compared; on any other column it would
    # never be used, and the declaration would promise a matching that does not happen.
    for located in located_tables(ctx.registry):
        identity = set(located.table.identity.values())
        for column in located.table.normalise:
            if column not in identity:
                yield Issue(
                    f"{located.label}.{column} has a normaliser but is not an identity column "
                    f"(identity columns: {', '.join(sorted(identity)) or 'none'})",
                    (*located.path, "normalise", column),
                )
