"""``gardien audit anchor`` and ``gardien audit verify`` against the anchors, as a DPO runs them."""

from __future__ import annotations

import email
import json
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from gardien.audit.chain import NewEvent
from gardien.cli.app import app
from gardien.clock import FixedClock
from gardien.settings import Settings
from gardien.store import audit
from gardien.store.database import open_store

NOW = "2026-11-22T10:00"


def invoke(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def fill(env: dict[str, str], n: int) -> sa.Engine:
    settings = Settings.from_environment(env)
    engine = open_store(settings.database_url, settings.keys)
    clock = FixedClock(datetime.fromisoformat(NOW + "+00:00"))
    for i in range(n):
        audit.record(engine, clock, NewEvent("dpo", "hold.placed", f"hold:{i}"))
    return engine


def base_env(tmp_path: Path) -> dict[str, str]:
    return {
        "GARDIEN_DATABASE_URL": f"sqlite:///{tmp_path / 'gardien.db'}",
        "GARDIEN_AUDIT_KEY": "the audit key of this test",
        "GARDIEN_OUTBOX": str(tmp_path / "outbox"),
    }


def test_anchor_without_a_place_says_which_settings_to_set(tmp_path: Path) -> None:
    code, output = invoke(base_env(tmp_path), "audit", "anchor")
    assert code != 0 and "GARDIEN_AUDIT_ANCHOR_FILE" in output and "Traceback" not in output


def test_anchor_appends_a_line_and_verify_reports_it(tmp_path: Path) -> None:
    env = {**base_env(tmp_path), "GARDIEN_AUDIT_ANCHOR_FILE": str(tmp_path / "a" / "audit.jsonl")}
    fill(env, 3)
    code, output = invoke(env, "audit", "anchor", "--json", "--now", NOW)
    assert code == 0 and json.loads(output)["seq"] == 3
    fill(env, 2)
    assert invoke(env, "audit", "anchor", "--now", NOW)[0] == 0
    lines = (tmp_path / "a" / "audit.jsonl").read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [3, 5]
    code, output = invoke(env, "audit", "verify")
    assert code == 0 and "anchor" in output and "#5" in output


def test_a_forged_anchor_line_is_refused_with_its_place(tmp_path: Path) -> None:
    anchors = tmp_path / "audit.jsonl"
    env = {**base_env(tmp_path), "GARDIEN_AUDIT_ANCHOR_FILE": str(anchors)}
    fill(env, 2)
    assert invoke(env, "audit", "anchor")[0] == 0
    line = json.loads(anchors.read_text())
    with anchors.open("a") as file:
        file.write(json.dumps({**line, "seq": 1}) + "\n")
    code, output = invoke(env, "audit", "verify")
    assert code == 1 and f"{anchors}:2" in output and "not sealed" in output


def test_a_line_cut_short_by_a_crash_is_skipped(tmp_path: Path) -> None:
    anchors = tmp_path / "audit.jsonl"
    env = {**base_env(tmp_path), "GARDIEN_AUDIT_ANCHOR_FILE": str(anchors)}
    fill(env, 2)
    assert invoke(env, "audit", "anchor")[0] == 0
    with anchors.open("a") as file:
        file.write('{"seq": 2, "dig')
    assert invoke(env, "audit", "verify")[0] == 0


def test_the_dpos_anchor_email_catches_a_truncation_on_its_own(tmp_path: Path) -> None:
    env = {**base_env(tmp_path), "GARDIEN_AUDIT_ANCHOR_EMAIL": "dpo@ima-protect.test"}
    engine = fill(env, 4)
    assert invoke(env, "audit", "anchor", "--now", NOW)[0] == 0
    (sent,) = (tmp_path / "outbox").glob("*.eml")
    mail = email.message_from_bytes(sent.read_bytes())
    assert mail["To"] == "dpo@ima-protect.test" and "#4" in mail["Subject"]
    body = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    line = next(t for t in body.splitlines() if t.startswith("Anchor: "))[len("Anchor: ") :]
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_event WHERE seq >= 3"))
    assert invoke(env, "audit", "verify")[0] == 0  # no anchor file: the chain alone cannot tell
    code, output = invoke(env, "audit", "verify", "--json", "--anchor", line)
    report = json.loads(output)
    assert code == 1 and report["first_bad_seq"] == 3 and "truncated" in report["reason"]


def test_audit_log_filters_match_literally(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    fill(env, 2)
    assert json.loads(invoke(env, "audit", "log", "--json", "--action", "%")[1]) == []
    found = json.loads(invoke(env, "audit", "log", "--json", "--action", "hold.*")[1])
    assert [e["seq"] for e in found] == [1, 2]
