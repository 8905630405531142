"""Why a retention run did not go on: another run holds the store, or this one lost it.

GardienError
├── RetentionRunInProgress   another run holds the lock: this one did nothing (a conflict)
└── RetentionLockLost        this run's lock went away mid-run: it stopped before its next
                             batch, leaving the run to be resumed (unavailable)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gardien.errors import GardienError, Kind


@dataclass(frozen=True)
class LockHolder:
    """Who holds a run's lock, as the holder wrote it down when it took the lock."""

    owner: str  # the actor, as in the audit trail
    host: str
    pid: int
    since: datetime  # wall-clock time (UTC) the lock was taken, whatever the run's --now
    run_id: str | None  # the run it executes, once it knows (new or resumed)

    def describe(self) -> str:
        run = f", run {self.run_id}" if self.run_id else ""
        return (
            f"{self.owner} (process {self.pid} on {self.host}) since "
            f"{self.since:%Y-%m-%d %H:%M:%S} UTC{run}"
        )


class RetentionRunInProgress(GardienError):
    """Another retention run on the same store is running: one run per store at a time."""

    code = "retention_run_in_progress"
    kind = Kind.CONFLICT

    def __init__(self, scope: str, holder: LockHolder | None, waited: float) -> None:
        self.scope, self.holder, self.waited = scope, holder, waited
        who = holder.describe() if holder else "another process (it has not said who yet)"
        after = f" after waiting {waited:.0f} s" if waited > 0 else ""
        super().__init__(
            f"a retention run is already in progress, held by {who}; this run did nothing"
            f"{after}. Let it finish (it resumes anything unfinished), or wait for it."
        )


class RetentionLockLost(GardienError):
    """The lock held for this run went away (its connection to the store dropped)."""

    code = "retention_lock_lost"
    kind = Kind.UNAVAILABLE

    def __init__(self, scope: str, why: str) -> None:
        self.scope = scope
        super().__init__(
            f"the retention run lost its lock on gardien's store ({why}); it stopped before "
            "its next batch so that no other run works at the same time. Run it again: it "
            "resumes where it stopped."
        )
