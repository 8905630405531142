"""What a request run decided before acting is recorded once and kept to by its resumption."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from gardien.clock import FixedClock
from gardien.rights.locate import PersonLocation
from gardien.rights.pivot import Pivot, PivotedLocation
from gardien.store import rights_journal
from gardien.store.database import open_store

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_a_resumed_batch_gets_back_what_the_first_run_recorded(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'gardien.db'}")
    clock = FixedClock(T0)
    first = rights_journal.once_many(
        store, clock, kind="pivot", actor="t", outcomes={"r1": {"pivots": ["+33612345678"]}}
    )
    # The resumed run reads the person's rows again and finds less: it is given the first.
    again = rights_journal.once_many(
        store,
        clock,
        kind="pivot",
        actor="t",
        outcomes={"r1": {"pivots": []}, "r2": {"pivots": ["x"]}},
    )
    assert first == {"r1": {"pivots": ["+33612345678"]}}
    assert again == {"r1": {"pivots": ["+33612345678"]}, "r2": {"pivots": ["x"]}}
    journaled = rights_journal.find(store, "r2", "pivot")
    assert journaled is not None and journaled.status == "completed"


def test_a_pivot_journaled_by_a_killed_run_is_kept_once_its_rows_are_gone() -> None:
    base = PersonLocation("r1", {"email": "ann@example.fr"}, {})
    phone = Pivot("phone", "+33612345678", ("crm.client #5",), ("crm.call",))
    interrupted = PivotedLocation(base, (phone,), (), {})
    # The client row that held the phone was erased before the kill: nothing to read it from.
    resumed = PivotedLocation(base).kept_to(interrupted.journal())
    assert resumed.pivots == (phone,)
    assert resumed.location().tables == {}
