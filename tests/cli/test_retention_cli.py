"""The retention, hold, archive, audit and systems commands, as a DPO runs them."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from gardien.cli.app import app
from gardien.registry.loader import load_registry
from gardien.synthetic.people import fill_system
from gardien.synthetic.schema import create_system

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
NOW = "2026-11-22"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    db = tmp_path / "systems.db"
    values = {
        "IMA_PROTECT_CRM_URL": f"sqlite:///{db}",
        "IMA_PROTECT_TELEPHONY_URL": f"sqlite:///{db}",
        "GARDIEN_DATABASE_URL": f"sqlite:///{tmp_path / 'gardien.db'}",
        "GARDIEN_REGISTRY": str(EXAMPLE),
        "GARDIEN_ACTOR": "dpo@test",
    }
    registry = load_registry(EXAMPLE, environ=values)
    for system_id in registry.systems:
        create_system(registry, system_id)
        fill_system(registry, system_id, people=200, seed=1, now=datetime.fromisoformat(NOW))
    return values


def invoke(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_plan_json_then_run_then_nothing_left(env: dict[str, str]) -> None:
    code, output = invoke(env, "retention", "plan", "--now", NOW, "--json")
    assert code == 0
    plan = json.loads(output)
    assert set(plan) == {"now", "actions", "totals", "under_review"}
    assert {"system", "table", "action", "rows", "held", "stage"} <= set(plan["actions"][0])
    assert plan["totals"]["rows"] > 0
    code, output = invoke(env, "retention", "run", "--now", NOW, "--json")
    assert code == 0
    run = json.loads(output)
    assert run["totals"]["rows"] == plan["totals"]["rows"] and not run["resumed"]
    code, output = invoke(env, "retention", "plan", "--now", NOW, "--json")
    assert json.loads(output)["totals"]["rows"] == 0


def test_dry_run_changes_nothing(env: dict[str, str]) -> None:
    before = invoke(env, "retention", "plan", "--now", NOW, "--json")[1]
    code, _ = invoke(env, "retention", "run", "--dry-run", "--now", NOW, "--json")
    assert code == 0
    assert json.loads(invoke(env, "retention", "plan", "--now", NOW, "--json")[1]) == json.loads(
        before
    )


def test_hold_keeps_a_recording_and_shows_in_the_plan(env: dict[str, str]) -> None:
    engine = sa.create_engine(env["IMA_PROTECT_TELEPHONY_URL"])
    with engine.connect() as conn:
        number = conn.execute(
            sa.text(
                "SELECT caller_number FROM call_recording WHERE recorded_at < '2026-05-01' LIMIT 1"
            )
        ).scalar_one()
    code, output = invoke(
        env,
        "hold",
        "place",
        "--subject",
        f"phone={number}",
        "--reason",
        "litigation",
        "--case",
        "RG 26/42",
        "--now",
        NOW,
        "--json",
    )
    assert code == 0
    hold_id = json.loads(output)["id"]
    plan = json.loads(invoke(env, "retention", "plan", "--now", NOW, "--json")[1])
    recordings = [a for a in plan["actions"] if a["table"] == "call_recording"]
    assert recordings[0]["held"] >= 1
    invoke(env, "retention", "run", "--now", NOW)
    with engine.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT count(*) FROM call_recording WHERE caller_number = :n"),
                {"n": number},
            ).scalar_one()
            >= 1
        )
    code, output = invoke(env, "hold", "list", "--json")
    assert [h["id"] for h in json.loads(output)] == [hold_id]
    code, output = invoke(
        env, "hold", "release", hold_id, "--appeal-ends", "2027-03-31", "--now", NOW
    )
    assert code == 0 and "2027-03-31" in output


def test_bad_hold_requests_are_refused_clearly(env: dict[str, str]) -> None:
    code, output = invoke(env, "hold", "place", "--subject", "passport=X", "--reason", "r")
    assert code == 2 and "passport" in output and "email" in output
    code, output = invoke(
        env,
        "hold",
        "place",
        "--system",
        "crm",
        "--table",
        "site",
        "--where-key",
        "1",
        "--reason",
        "r",
    )
    assert code == 2 and "crm.client" in output
    code, output = invoke(env, "hold", "release", "no-such-hold")
    assert code == 1 and "no-such-hold" in output


def test_archive_read_is_audited_and_needs_a_reason(env: dict[str, str]) -> None:
    invoke(env, "retention", "run", "--now", NOW)
    engine = sa.create_engine(env["IMA_PROTECT_CRM_URL"])
    with engine.connect() as conn:
        email = conn.execute(
            sa.text("SELECT email FROM client_gardien_archive LIMIT 1")
        ).scalar_one()
    code, output = invoke(
        env,
        "archive",
        "read",
        "--system",
        "crm",
        "--table",
        "client",
        "--where",
        f"email={email}",
        "--reason",
        "   ",
    )
    assert code == 2
    code, output = invoke(
        env,
        "archive",
        "read",
        "--system",
        "crm",
        "--table",
        "client",
        "--where",
        f"email={email}",
        "--reason",
        "proof for claim 12",
    )
    assert code == 0 and json.loads(output)[0]["email"] == email
    log = json.loads(invoke(env, "audit", "log", "--action", "archive.*", "--json")[1])
    assert log[-1]["details"]["reason"] == "proof for claim 12" and log[-1]["actor"] == "dpo@test"


def test_audit_verify_detects_tampering(env: dict[str, str]) -> None:
    invoke(env, "retention", "run", "--now", NOW)
    assert invoke(env, "audit", "verify")[0] == 0
    store = sa.create_engine(env["GARDIEN_DATABASE_URL"])
    with store.begin() as conn:
        conn.execute(sa.text("UPDATE audit_event SET details = '{}' WHERE seq = 1"))
    code, output = invoke(env, "audit", "verify", "--json")
    assert code == 1 and json.loads(output)["first_bad_seq"] == 1


def test_systems_check_names_what_is_missing(env: dict[str, str]) -> None:
    assert invoke(env, "systems", "check")[0] == 0
    engine = sa.create_engine(env["IMA_PROTECT_CRM_URL"])
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE trusted_person"))
    code, output = invoke(env, "systems", "check")
    assert code == 1 and "crm.trusted_person" in output
    code, output = invoke(env, "retention", "run", "--now", NOW)
    assert code == 1 and "crm.trusted_person" in output


def test_unreachable_system_is_named_without_password(env: dict[str, str]) -> None:
    broken = {
        **env,
        "IMA_PROTECT_CRM_URL": "postgresql+psycopg://gardien:s3cret@127.0.0.1:1/nowhere",
    }
    code, output = invoke(broken, "retention", "plan", "--now", NOW)
    assert code == 1 and "crm" in output and "s3cret" not in output


def test_bad_now_is_a_usage_error(env: dict[str, str]) -> None:
    code, output = invoke(env, "retention", "plan", "--now", "yesterday")
    assert code == 2 and "--now" in output


def test_a_retention_run_anchors_the_audit_trail_when_it_ends(
    env: dict[str, str], tmp_path: Path
) -> None:
    anchors = tmp_path / "anchors.jsonl"
    env = {**env, "GARDIEN_AUDIT_ANCHOR_FILE": str(anchors)}
    code, _ = invoke(env, "retention", "run", "--now", NOW, "--json")
    assert code == 0
    (line,) = anchors.read_text().splitlines()
    _, output = invoke(env, "audit", "log", "--json")
    assert json.loads(line)["seq"] == json.loads(output)[-1]["seq"]
    assert invoke(env, "audit", "verify")[0] == 0


def test_plan_lists_recordings_without_a_date_under_review(env: dict[str, str]) -> None:
    # issue 10 §5: the example says if_unknown: review for recordings; such rows are never
    # touched, and never kept without the plan saying so.
    engine = sa.create_engine(env["IMA_PROTECT_TELEPHONY_URL"])
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO call_recording (id, caller_number, recorded_at) "
                "VALUES (900001, '+33699990001', NULL), (900002, '+33699990002', NULL)"
            )
        )
    code, output = invoke(env, "retention", "plan", "--now", NOW, "--json")
    assert code == 0
    [review] = json.loads(output)["under_review"]
    assert review["table"] == "call_recording" and review["rows"] == 2
    assert review["first_keys"] == ["900001", "900002"]
    assert any("if_unknown: review" in r for r in review["reasons"])
    code, output = invoke(env, "retention", "plan", "--now", NOW)
    assert "under review: telephony.call_recording: 2 row(s)" in output
    invoke(env, "retention", "run", "--now", NOW)
    with engine.connect() as conn:
        left = conn.execute(sa.text("SELECT count(*) FROM call_recording WHERE id > 900000"))
        assert left.scalar_one() == 2
