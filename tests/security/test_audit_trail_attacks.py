"""Someone who can write to gardien's store, but holds neither the audit key nor the anchor
file, tries to rewrite the audit trail quietly (issue 9 §5). Each attack used to pass
``gardien audit verify`` (plain SHA-256 chain: the attacker re-chains); now each fails, naming
the first bad event, on SQLite, PostgreSQL and MariaDB.

The attacker knows the code: they recompute plain SHA-256 seals exactly as gardien used to.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from gardien.audit.chain import GENESIS, AuditEvent, NewEvent
from gardien.audit.keys import AuditKey
from gardien.cli.app import app
from gardien.clock import FixedClock
from gardien.jobs import audit as jobs
from gardien.jobs import audit_anchor
from gardien.settings import Settings
from gardien.store import audit as trail
from gardien.store.database import open_store
from gardien.store.schema import audit_event

AUDIT_KEY = "the audit key of this test store, kept out of the store"
DPO = "dpo@ima-protect.test"
EVENTS = 6


@dataclass
class Store:
    url: str
    settings: Settings
    engine: sa.Engine
    env: dict[str, str]


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'gardien.db'}"
    else:
        url = request.getfixturevalue(f"{request.param.replace('postgresql', 'postgres')}_url")
    anchors = tmp_path / "anchors" / "audit.jsonl"
    settings = Settings(database_url=url, audit_key=AUDIT_KEY, audit_anchor_file=anchors)
    engine = open_store(url, settings.keys)
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    for i in range(1, EVENTS + 1):
        actor = DPO if i % 2 else "clerk@ima-protect.test"
        clock = FixedClock(start + timedelta(minutes=i))
        trail.record(engine, clock, NewEvent(actor, "hold.placed", f"hold:{i}", {"n": i}))
    audit_anchor.anchor(engine, FixedClock(start + timedelta(hours=1)), settings.anchoring)
    env = {
        "GARDIEN_DATABASE_URL": url,
        "GARDIEN_AUDIT_KEY": AUDIT_KEY,
        "GARDIEN_AUDIT_ANCHOR_FILE": str(anchors),
    }
    yield Store(url, settings, engine, env)
    engine.dispose()


# --- the attacker: plain SQL on the store, and the SHA-256 of the old chain ------------------


def read_all(url: str) -> list[AuditEvent]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(audit_event).order_by(audit_event.c.seq)).all()
    engine.dispose()
    return [trail._from_row(row) for row in rows]


def rechain(events: list[AuditEvent], start: int) -> list[AuditEvent]:
    """Renumber and re-seal the events from index ``start`` on with plain SHA-256, as the old
    chain did (the ones before are left as they are)."""
    out: list[AuditEvent] = list(events[:start])
    prev = events[start - 1].hash if start else GENESIS
    for seq, event in enumerate(events[start:], start + 1):
        moved = replace(event, seq=seq, prev_hash=prev)
        sealed = replace(moved, hash=moved.expected_seal(None))
        out.append(sealed)
        prev = sealed.hash
    return out


def write_all(url: str, events: list[AuditEvent]) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(audit_event.delete())
        if events:
            conn.execute(audit_event.insert(), [trail._row(e) for e in events])
    engine.dispose()


def edit_and_rechain(url: str) -> int:
    events = read_all(url)
    events[2] = replace(events[2], details={"n": 3, "released": True})
    write_all(url, rechain(events, 2))
    return 3


def edit_downgrade_and_rechain(url: str) -> int:
    # Every seal turned into a "legacy" SHA-256 one: only the anchors can tell.
    events = [replace(e, key_id=None) for e in read_all(url)]
    events[2] = replace(events[2], details={"n": 3, "released": True})
    write_all(url, rechain(events, 0))
    return 1


def delete_and_renumber(url: str) -> int:
    events = read_all(url)
    del events[2]
    write_all(url, rechain(events, 2))
    return 3


def truncate_tail(url: str) -> int:
    write_all(url, read_all(url)[:4])
    return 5


def wipe(url: str) -> int:
    write_all(url, [])
    return 1


def forge_in_the_dpos_name(url: str) -> int:
    events = read_all(url)
    last = events[-1]
    forged = replace(
        last, seq=last.seq + 1, actor=DPO, action="hold.released", target="hold:1", details={}
    )
    write_all(url, rechain([*events, forged], len(events)))
    return EVENTS + 1


def forge_inside_the_trail(url: str) -> int:
    events = read_all(url)
    forged = replace(events[1], actor=DPO, action="hold.released", target="hold:1", details={})
    write_all(url, rechain([*events[:2], forged, *events[2:]], 2))
    return 3


def swap_two_events(url: str) -> int:
    events = read_all(url)
    events[1], events[3] = events[3], events[1]
    write_all(url, rechain(events, 1))
    return 2


def replace_the_key_id(url: str) -> int:
    # The attacker's own key, named in the event: a seal they can compute.
    theirs = AuditKey(b"the attacker's key")
    events = read_all(url)
    target = replace(events[3], key_id=theirs.key_id)
    events[3] = replace(target, hash=target.expected_seal(theirs))
    write_all(url, events)
    return 4


def drop_the_key_id(url: str) -> int:
    events = read_all(url)
    events[3] = replace(events[3], key_id=None)
    write_all(url, rechain(events, 3))
    return 4


ATTACKS: dict[str, Callable[[str], int]] = {
    "edit_and_rechain": edit_and_rechain,
    "edit_downgrade_and_rechain": edit_downgrade_and_rechain,
    "delete_and_renumber": delete_and_renumber,
    "truncate_tail": truncate_tail,
    "wipe": wipe,
    "forge_in_the_dpos_name": forge_in_the_dpos_name,
    "forge_inside_the_trail": forge_inside_the_trail,
    "swap_two_events": swap_two_events,
    "replace_the_key_id": replace_the_key_id,
    "drop_the_key_id": drop_the_key_id,
}


def cli_verify(env: dict[str, str]) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(app, ["audit", "verify", "--json"], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, json.loads(result.output)


def test_the_untouched_trail_verifies(store: Store) -> None:
    code, report = cli_verify(store.env)
    assert code == 0 and report["ok"] and report["events"] == EVENTS
    assert report["anchor"] is not None and report["anchor"]["seq"] == EVENTS  # type: ignore[index]


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_quiet_rewrite_of_the_trail_is_named(store: Store, attack: str) -> None:
    first_bad = ATTACKS[attack](store.url)
    code, report = cli_verify(store.env)
    assert code == 1 and report["ok"] is False
    assert report["first_bad_seq"] == first_bad, report["reason"]
    assert report["reason"]
    # What the API (/api/v1/audit/verify) and the back office (/office/audit) call.
    checked = jobs.verify(store.engine, store.settings.anchoring)
    assert not checked.ok and checked.first_bad_seq == first_bad
