"""``gardien consent …`` as a DPO's team runs it: JSON shapes and exit codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gardien.cli.app import app
from tests.consent.conftest import write_registry

JEANNE = "email=jeanne.martin@example.fr,phone=+33612345678"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "GARDIEN_DATABASE_URL": f"sqlite:///{tmp_path / 'gardien.db'}",
        "GARDIEN_REGISTRY": str(write_registry(tmp_path / "registry")),
        "GARDIEN_ACTOR": "dpo@test",
        "GARDIEN_SECRET_KEY": "a test key that is long enough for production use",
        "GARDIEN_ENV": "production",
    }


def invoke(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["consent", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_record_then_status_then_withdraw_for_the_future_only(env: dict[str, str]) -> None:
    code, output = invoke(
        env, "record", "--identity", JEANNE, "--activity", "newsletter", "--kind", "given",
        "--channel", "portal", "--proof", "form 12", "--now", "2026-03-01T09:00", "--json",
    )  # fmt: skip
    assert code == 0
    recorded = json.loads(output)
    assert recorded["kind"] == "consent_given" and recorded["notice_version"]
    assert set(recorded) == {
        "event",
        "kind",
        "activity",
        "at",
        "channel",
        "notice_version",
        "suppressed",
    }
    code, output = invoke(
        env, "status", "--identity", "email=Jeanne.Martin@example.fr", "--activity", "newsletter",
        "--at", "2026-03-02", "--json",
    )  # fmt: skip
    assert code == 0
    answer = json.loads(output)
    assert set(answer) == {"allowed", "reason", "basis", "activity", "at"}
    assert answer["allowed"] is True and answer["basis"] == "consent"
    assert answer["at"] == "2026-03-02T00:00:00+00:00"
    code, _ = invoke(
        env, "withdraw", "--identity", JEANNE, "--activity", "newsletter", "--now", "2026-03-10"
    )
    assert code == 0
    code, output = invoke(
        env, "status", "--identity", JEANNE, "--activity", "newsletter", "--at", "2026-03-11"
    )
    assert code == 1 and "allowed: no" in output and "R-RGT-10" in output
    code, _ = invoke(
        env, "status", "--identity", JEANNE, "--activity", "newsletter", "--at", "2026-03-05"
    )
    assert code == 0


def test_objection_to_prospecting_suppresses_and_exports_digests(
    env: dict[str, str], tmp_path: Path
) -> None:
    code, output = invoke(
        env, "record", "--identity", JEANNE, "--activity", "prospecting",
        "--kind", "objection-prospecting", "--channel", "phone",
    )  # fmt: skip
    assert code == 0 and "suppression list" in output
    code, output = invoke(env, "suppressed", "--identity", "phone=+33 6 12 34 56 78", "--json")
    assert code == 1 and json.loads(output)["suppressed"] is True
    code, output = invoke(env, "suppressed", "--identity", "phone=+33612345679")
    assert code == 0 and "not suppressed" in output
    target = tmp_path / "suppression.csv"
    code, _ = invoke(env, "suppressed", "--export", str(target))
    assert code == 0
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert sorted(r["kind"] for r in rows) == ["email", "phone"]
    assert all(len(r["digest"]) == 64 for r in rows)
    assert "jeanne" not in target.read_text(encoding="utf-8")
    code, output = invoke(
        env, "status", "--identity", "email=jeanne.martin@example.fr", "--activity", "newsletter"
    )
    assert code == 1 and "suppression list" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--activity", "call-recording-compliance", "--kind", "objection"), "does not apply"),
        (("--activity", "contract", "--kind", "given"), "not on consent"),
        (
            ("--activity", "service-improvement", "--kind", "objection-prospecting"),
            "not direct marketing",
        ),
        (("--activity", "prospecting", "--kind", "objection-lifted", "--proof", "x"), "absolute"),
        (("--activity", "nowhere", "--kind", "objection"), "not declared"),
        (
            ("--activity", "prospecting", "--kind", "opt-out"),
            "event kind 'opt-out': use one of given",
        ),
        (
            ("--activity", "prospecting", "--kind", "objection", "--channel", "fax"),
            "channel 'fax': use one of portal",
        ),
    ],
)
def test_events_the_law_or_the_input_refuses_exit_2(
    env: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    code, output = invoke(env, "record", "--identity", JEANNE, *args)
    assert code == 2 and message in " ".join(output.split())
    code, output = invoke(env, "history", "--identity", JEANNE, "--json")
    assert code == 0 and json.loads(output) == []


@pytest.mark.parametrize(
    ("identity", "message"),
    [("email=not-an-address", "not an e-mail address"), ("emial=a@b.fr", "no table declares")],
)
def test_bad_identities_exit_2(env: dict[str, str], identity: str, message: str) -> None:
    code, output = invoke(env, "status", "--identity", identity, "--activity", "contract")
    assert code == 2 and message in output


def test_production_without_a_secret_key_refuses_to_run(env: dict[str, str]) -> None:
    del env["GARDIEN_SECRET_KEY"]
    code, output = invoke(env, "status", "--identity", JEANNE, "--activity", "contract")
    assert code == 2 and "GARDIEN_SECRET_KEY" in output


def test_legal_obligation_status_says_objection_does_not_apply(env: dict[str, str]) -> None:
    code, output = invoke(
        env,
        "status",
        "--identity",
        "phone=+33198765432",
        "--activity",
        "call-recording-compliance",
        "--json",
    )
    answer = json.loads(output)
    assert code == 0 and answer["allowed"] and "does not apply" in answer["reason"]


def test_restrict_and_unrestrict_with_notice_and_recipients(env: dict[str, str]) -> None:
    code, output = invoke(
        env, "restrict", "--identity", JEANNE, "--reason", "accuracy contested",
        "--request", "req-7", "--activity", "contract", "--now", "2026-03-01", "--json",
    )  # fmt: skip
    assert code == 0
    placed = json.loads(output)
    assert placed["notify"] == ["field-providers", "it-processors", "prescriber"]
    assert (
        placed["restrictions"][0]["kind"] == "placed"
        and placed["restrictions"][0]["request"] == "req-7"
    )
    code, output = invoke(
        env,
        "status",
        "--identity",
        "phone=+33612345678",
        "--activity",
        "contract",
        "--at",
        "2026-03-02",
    )
    assert code == 1 and "Art. 18(2)" in output
    code, output = invoke(
        env, "unrestrict", "--identity", JEANNE, "--notice", " ", "--now", "2026-03-05"
    )
    assert code == 2 and "Art. 18(3)" in output
    code, output = invoke(
        env, "unrestrict", "--identity", JEANNE, "--notice", "letter of 2026-03-04",
        "--activity", "contract", "--now", "2026-03-05",
    )  # fmt: skip
    assert code == 0 and "lifted" in output and "field-providers" in output
    code, _ = invoke(
        env, "status", "--identity", JEANNE, "--activity", "contract", "--at", "2026-03-06"
    )
    assert code == 0


def test_history_lists_every_event_with_its_proof(env: dict[str, str]) -> None:
    invoke(
        env,
        "record",
        "--identity",
        JEANNE,
        "--activity",
        "call-recording",
        "--kind",
        "objection",
        "--now",
        "2026-03-01",
    )
    invoke(
        env, "record", "--identity", JEANNE, "--activity", "call-recording", "--kind", "objection-lifted",
        "--proof", "claim 2026-17", "--now", "2026-03-02",
    )  # fmt: skip
    code, output = invoke(env, "history", "--identity", JEANNE, "--json")
    entries = json.loads(output)
    assert code == 0 and [e["event"] for e in entries] == ["objection", "objection_lifted"]
    assert (
        entries[1]["detail"] == "claim 2026-17"
        and entries[0]["identifiers"]["phone"] == "+33612345678"
    )
    code, output = invoke(env, "history", "--identity", JEANNE)
    assert code == 0 and "Consent history (email+phone)" in output and "claim" in output


def test_bad_at_exits_2(env: dict[str, str]) -> None:
    code, output = invoke(
        env, "status", "--identity", JEANNE, "--activity", "contract", "--at", "yesterday"
    )
    assert code == 2 and "--at 'yesterday'" in output
