"""CNIL reference retention periods, where the CNIL states a clear figure.

The checker warns (never errs) when a registry keeps data longer than these references:
the CNIL's guidance is not the law itself, but exceeding it needs a stated reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from gardien.registry.duration import Duration


@dataclass(frozen=True)
class RetentionGuidance:
    kind: str  # direct_marketing | call_recording | connection_log
    limit: Duration
    source: str


@cache
def _load() -> tuple[dt.date, dict[str, RetentionGuidance]]:
    text = (
        resources.files("gardien.law").joinpath("data/retention_guidance.yaml").read_text("utf-8")
    )
    raw = yaml.safe_load(text)
    references = {
        kind: RetentionGuidance(kind, Duration.parse(entry["limit"]), str(entry["source"]))
        for kind, entry in raw["references"].items()
    }
    reviewed = raw["reviewed"]
    if not isinstance(reviewed, dt.date):
        raise ValueError("retention_guidance.yaml: 'reviewed' must be a date")
    return reviewed, references


def guidance_reviewed() -> dt.date:
    return _load()[0]


def retention_guidance(kind: str) -> RetentionGuidance | None:
    return _load()[1].get(kind)


def exceeds(duration: Duration, limit: Duration) -> bool:
    """Whether ``duration`` is longer than ``limit`` on the calendar (P36M is not beyond P3Y)."""
    start = dt.date(2001, 1, 31)  # a month end: the strictest case for month clamping
    return duration.add_to(start) > limit.add_to(start)
