"""Why a request run did not go on: another run holds the store, this one lost it, or a
system failed under one request (which a re-run resumes).

GardienError
├── RequestRunInProgress     another request run holds the lock: this one did nothing (conflict)
├── RequestRunLockLost       this run's lock went away: it stopped before its next request
│                            (unavailable); a re-run resumes what it left in progress
└── Unavailable
    └── RequestSystemFailed  a system failed while a request was carried out there: the
                             request stays in progress, and a re-run resumes it (unavailable)
"""

from __future__ import annotations

from typing import Any

from gardien.errors import GardienError, Kind, Unavailable
from gardien.retention.errors import LockHolder


class RequestRunInProgress(GardienError):
    """Another request run on the same store is running: one request run per store at a time,
    so that no request is carried out twice at once (issue 9 §4)."""

    code = "request_run_in_progress"
    kind = Kind.CONFLICT

    def __init__(self, holder: LockHolder | None, waited: float) -> None:
        self.holder, self.waited = holder, waited
        who = holder.describe() if holder else "another process (it has not said who yet)"
        after = f" after waiting {waited:.0f} s" if waited > 0 else ""
        super().__init__(
            f"a request run is already in progress, held by {who}; this run did nothing"
            f"{after}. Let it finish, or wait for it: a request it leaves unfinished is "
            "resumed by the next run."
        )

    def details(self) -> dict[str, Any]:
        if self.holder is None:
            return {}
        return {"holder": self.holder.owner, "since": self.holder.since.isoformat()}


class RequestRunLockLost(GardienError):
    """The lock held for this request run went away (its connection to the store dropped)."""

    code = "request_run_lock_lost"
    kind = Kind.UNAVAILABLE

    def __init__(self, why: str) -> None:
        super().__init__(
            f"the request run lost its lock on gardien's store ({why}); it stopped before its "
            "next request so that no other run works at the same time. Run it again: the "
            "requests left in progress are resumed where they stopped."
        )


class RequestSystemFailed(Unavailable):
    """A system failed while one request was carried out in it: nothing is lost, since what
    was done is journaled, and the next run resumes the request where it stopped."""

    code = "request_system_failed"

    def __init__(self, where: str, cause: GardienError) -> None:
        self.where, self.cause = where, cause
        super().__init__(
            f"{where}: {cause}. The request stays in progress: run it again once the system "
            "answers, and it resumes where it stopped"
        )

    def details(self) -> dict[str, Any]:
        return {"where": self.where, "cause": self.cause.code}
