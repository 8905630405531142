"""``gardien request …`` as a DPO's team uses it: JSON shapes, exit codes, awkward identifiers."""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gardien.cli.app import app
from gardien.requests.kinds import RequestKind
from tests.scenarios import ima

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
NOW = "2026-03-05T09:30"
IDENTITY = "email=o'brien+test@exämple.fr,phone=+33 6 12 34 56 78"

SHOW_KEYS = {
    "id",
    "kind",
    "article",
    "state",
    "identity",
    "channel",
    "received_at",
    "country",
    "due",
    "extended_due",
    "extended",
    "extension_reason",
    "answer_by",
    "overdue",
    "identity_wait_seconds",
    "text",
    "details",
    "death",
    "actionable",
    "result",
    "proofs",
    "not_searched",
}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "GARDIEN_DATABASE_URL": f"sqlite:///{tmp_path / 'gardien.db'}",
        "GARDIEN_REGISTRY": str(EXAMPLE),
        "GARDIEN_OUTBOX": str(tmp_path / "outbox"),
        "GARDIEN_ACTOR": "dpo@test",
        "IMA_PROTECT_CRM_URL": f"sqlite:///{tmp_path / 'crm.db'}",
        "IMA_PROTECT_TELEPHONY_URL": f"sqlite:///{tmp_path / 'tel.db'}",
    }


def invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["request", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def submit(env: dict[str, str], *args: str, identity: str = IDENTITY) -> dict[str, Any]:
    code, stdout, stderr = invoke(
        env, "submit", "--identity", identity, "--now", NOW, "--json", *args
    )
    assert code == 0, stderr
    data: dict[str, Any] = json.loads(stdout)
    return data


def outbox_code(env: dict[str, str]) -> str:
    (path,) = sorted(Path(env["GARDIEN_OUTBOX"]).glob("*.eml"))[-1:]
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    match = re.search(r"code : (\d{6})", mail.get_body().get_content())  # type: ignore[union-attr]
    assert match
    return match.group(1)


def test_submit_prints_id_and_due_date_and_sends_a_code(env: dict[str, str]) -> None:
    data = submit(env, "--kind", "access")
    assert set(data) == {
        "id",
        "kind",
        "article",
        "state",
        "received_at",
        "due",
        "extended_due",
        "code",
    }
    assert data["kind"] == "access" and data["article"] == "GDPR Art. 15"
    assert data["state"] == "awaiting_identity"
    assert data["received_at"] == "2026-03-05T09:30:00+00:00"
    assert (data["due"], data["extended_due"]) == ("2026-04-07", "2026-06-05")
    assert data["code"]["channel"] == "email" and data["code"]["to"] == "o…@exämple.fr"
    assert data["code"]["expires_at"] == "2026-03-05T09:45:00+00:00"
    assert Path(data["code"]["where"]).parent == Path(env["GARDIEN_OUTBOX"])
    code, stdout, _ = invoke(
        env, "submit", "--kind", "erasure", "--identity", IDENTITY, "--now", NOW
    )
    assert code == 0 and "due 2026-04-07" in stdout and "code sent by email" in stdout


def test_identifiers_with_sql_metacharacters_and_unicode_round_trip(env: dict[str, str]) -> None:
    tricky = "customer_number=1'; DROP TABLE rights_request;--," + IDENTITY
    data = submit(env, "--kind", "access", "--no-code", "--channel", "phone", identity=tricky)
    assert data["state"] == "received" and data["code"] is None
    code, stdout, _ = invoke(env, "show", data["id"], "--json")
    assert code == 0
    shown = json.loads(stdout)
    assert shown["identity"] == {
        "customer_number": "1'; DROP TABLE rights_request;--",
        "email": "o'brien+test@exämple.fr",
        "phone": "+33612345678",
    }
    assert shown["channel"] == "phone"
    assert not Path(env["GARDIEN_OUTBOX"]).exists()


def test_verify_by_code_then_show_the_timeline(env: dict[str, str]) -> None:
    rid = submit(env, "--kind", "access")["id"]
    code, stdout, _ = invoke(
        env, "verify", rid, "--code", outbox_code(env), "--now", "2026-03-05T09:42", "--json"
    )
    assert code == 0
    shown = json.loads(stdout)
    assert set(shown) == SHOW_KEYS | {"timeline"}
    assert shown["state"] == "verified" and shown["identity_wait_seconds"] == 720
    assert [t["action"] for t in shown["timeline"]] == ["submit", "send_code", "verify"]
    assert set(shown["timeline"][0]) == {"at", "actor", "action", "from", "to", "reason", "details"}
    assert shown["timeline"][2]["details"]["method"] == "code"
    code, stdout, _ = invoke(env, "show", rid, "--now", "2026-03-06")
    assert code == 0 and "verified" in stdout and "12 min for proof of identity" in stdout


def test_a_wrong_code_is_refused_with_attempts_left(env: dict[str, str]) -> None:
    rid = submit(env, "--kind", "access")["id"]
    right = outbox_code(env)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    code, _, stderr = invoke(env, "verify", rid, "--code", wrong, "--now", NOW)
    assert code == 1 and "wrong code; 4 attempt(s) left" in stderr
    code, _, stderr = invoke(env, "verify", rid, "--code", "12ab56", "--now", NOW)
    assert code == 2 and "6 digits" in stderr
    code, _, stderr = invoke(env, "verify", rid, "--code", right, "--now", "2026-03-05T10:00")
    assert code == 1 and "expired" in stderr
    code, stdout, _ = invoke(env, "send-code", rid, "--now", "2026-03-05T10:01", "--json")
    assert code == 0 and json.loads(stdout)["expires_at"] == "2026-03-05T10:16:00+00:00"
    code, _, _ = invoke(env, "verify", rid, "--code", outbox_code(env), "--now", "2026-03-05T10:02")
    assert code == 0


def test_verify_by_attestation_records_the_agent(env: dict[str, str]) -> None:
    rid = submit(env, "--kind", "erasure", "--no-code")["id"]
    code, stdout, _ = invoke(
        env,
        "verify",
        rid,
        "--attest",
        "passport checked by A. Martin",
        "--actor",
        "a.martin",
        "--json",
    )
    assert code == 0
    last = json.loads(stdout)["timeline"][-1]
    assert last["details"]["attestation"] == "passport checked by A. Martin"
    assert last["details"]["attested_by"] == "a.martin" and last["actor"] == "a.martin"


def test_verify_needs_exactly_one_proof(env: dict[str, str]) -> None:
    rid = submit(env, "--kind", "access", "--no-code")["id"]
    assert invoke(env, "verify", rid)[0] == 2
    code, _, stderr = invoke(env, "verify", rid, "--code", "123456", "--attest", "passport")
    assert code == 2 and "either --code" in stderr


def test_unknown_kind_lists_the_kinds_and_exits_2(env: dict[str, str]) -> None:
    code, _, stderr = invoke(env, "submit", "--kind", "forget-me", "--identity", IDENTITY)
    assert code == 2
    assert "unknown request kind 'forget-me'" in stderr
    assert all(k.value in stderr for k in RequestKind)


def test_malformed_identifier_is_named_and_exits_2(env: dict[str, str]) -> None:
    code, _, stderr = invoke(env, "submit", "--kind", "access", "--identity", "phone=call me maybe")
    assert code == 2 and "phone" in stderr and "call me maybe" in stderr
    code, _, stderr = invoke(env, "submit", "--kind", "access", "--identity", "iban=FR76")
    assert code == 2 and "'iban'" in stderr and "declared: customer_number, email, phone" in stderr
    code, stdout, _ = invoke(env, "list", "--json")
    assert json.loads(stdout) == []  # nothing was recorded


def test_unknown_id_exits_1_naming_it(env: dict[str, str]) -> None:
    for args in (("show", "no-such-id"), ("extend", "no-such-id", "--reason", "x")):
        code, _, stderr = invoke(env, *args)
        assert code == 1 and "'no-such-id'" in stderr


def test_unverified_request_says_how_to_verify(env: dict[str, str]) -> None:
    rid = submit(env, "--kind", "access")["id"]
    code, stdout, _ = invoke(env, "show", rid)
    assert code == 0 and f"gardien request verify {rid} --code" in stdout


def test_rectification_and_objection_details(env: dict[str, str]) -> None:
    data = submit(
        env,
        "--kind",
        "rectification",
        "--field",
        "last_name=Ñúñez",
        "--field",
        "postal_address=1 rue de l’Église, Saint-Étienne",
    )
    code, stdout, _ = invoke(env, "show", data["id"], "--json")
    assert json.loads(stdout)["details"]["fields"] == {
        "last_name": "Ñúñez",
        "postal_address": "1 rue de l’Église, Saint-Étienne",
    }
    code, _, stderr = invoke(env, "submit", "--kind", "rectification", "--identity", IDENTITY)
    assert code == 2 and "--field" in stderr
    objection = submit(env, "--kind", "objection", "--activity", "prospecting")
    code, stdout, _ = invoke(env, "show", objection["id"], "--json")
    assert json.loads(stdout)["details"]["activity"] == "prospecting"
    code, _, stderr = invoke(
        env, "submit", "--kind", "objection", "--activity", "golf", "--identity", IDENTITY
    )
    assert code == 2 and "activity 'golf'" in stderr


def test_list_sorted_by_due_date_with_overdue_and_state_filters(env: dict[str, str]) -> None:
    first = submit(env, "--kind", "access", "--received-at", "2026-02-01")
    second = submit(env, "--kind", "erasure", "--received-at", "2026-01-10T08:00+01:00")
    third = submit(env, "--kind", "portability")
    code, stdout, _ = invoke(env, "list", "--json", "--now", NOW)
    listed = json.loads(stdout)
    assert [r["id"] for r in listed] == [second["id"], first["id"], third["id"]]
    assert set(listed[0]) == SHOW_KEYS
    assert [r["due"] for r in listed] == ["2026-02-10", "2026-03-02", "2026-04-07"]
    code, stdout, _ = invoke(env, "list", "--overdue", "--json", "--now", NOW)
    assert [r["id"] for r in json.loads(stdout)] == [second["id"], first["id"]]
    assert all(r["overdue"] for r in json.loads(stdout))
    invoke(env, "cancel", second["id"], "--reason", "withdrawn by the person")
    code, stdout, _ = invoke(env, "list", "--overdue", "--json", "--now", NOW)
    assert [r["id"] for r in json.loads(stdout)] == [first["id"]]
    code, stdout, _ = invoke(env, "list", "--state", "cancelled", "--json")
    assert [r["id"] for r in json.loads(stdout)] == [second["id"]]
    code, _, stderr = invoke(env, "list", "--state", "lost")
    assert code == 2 and "awaiting_identity" in stderr
    code, stdout, _ = invoke(env, "list", "--now", NOW)
    assert code == 0 and first["id"] in stdout and "OVERDUE" in stdout


def test_extend_refuse_cancel(env: dict[str, str]) -> None:
    rid = submit(env, "--kind", "access")["id"]
    code, stdout, _ = invoke(
        env,
        "extend",
        rid,
        "--reason",
        "12 systems to search",
        "--now",
        "2026-04-07T18:00",
        "--json",
    )
    assert code == 0
    shown = json.loads(stdout)
    assert shown["extended"] and shown["answer_by"] == shown["extended_due"] == "2026-06-05"
    assert shown["extension_reason"] == "12 systems to search"
    code, _, stderr = invoke(env, "extend", rid, "--reason", "again")
    assert code == 1 and "already extended" in stderr
    late = submit(env, "--kind", "access")["id"]
    code, _, stderr = invoke(env, "extend", late, "--reason", "late", "--now", "2026-04-08")
    assert code == 1 and "Art. 12(3)" in stderr
    code, _, stderr = invoke(env, "refuse", rid, "--reason", "  ")
    assert code == 2 and "Art. 12(4)-(5)" in stderr
    code, stdout, _ = invoke(env, "refuse", rid, "--reason", "sixth identical request this month")
    assert code == 0 and "refused" in stdout
    code, _, stderr = invoke(env, "cancel", rid, "--reason", "x")
    assert code == 1 and "is refused: cannot cancel" in stderr


def test_post_mortem_directive_and_declared_death(env: dict[str, str]) -> None:
    data = submit(
        env,
        "--kind",
        "post-mortem-directive",
        "--directive",
        "erase everything",
        "--directive-action",
        "erase",
        "--trusted-party",
        "Paul Martin",
        "--no-code",
    )
    assert data["due"] is None
    code, _, stderr = invoke(env, "declare-death", data["id"], "--date", "1 June")
    assert code == 2 and "ISO date" in stderr
    code, stdout, _ = invoke(
        env, "declare-death", data["id"], "--date", "2031-06-01", "--now", "2031-06-10", "--json"
    )
    assert code == 0
    shown = json.loads(stdout)
    assert shown["death"]["died_on"] == "2031-06-01" and shown["actionable"]
    assert shown["due"] == "2031-07-10"
    other = submit(env, "--kind", "access")["id"]
    code, _, stderr = invoke(env, "declare-death", other, "--date", "2026-03-05")
    assert code == 1 and "post-mortem directive" in stderr


def test_help_documents_the_json(env: dict[str, str]) -> None:
    for command in ("submit", "show", "list"):
        code, stdout, _ = invoke(env, command, "--help")
        assert code == 0 and "--json" in stdout and "prints" in stdout


# --- post-mortem directives carried out (Loi 78-17 art. 85) ---------------------------------


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def systems(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The ima-protect systems, with one person per subject category and their near twins."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'systems.db'}"
    else:
        url = str(request.getfixturevalue(f"{request.param.replace('postgresql', 'postgres')}_url"))
    env = ima.env_for(tmp_path, url)
    ima.populate(env)
    return env


def test_a_directive_before_a_declared_death_is_not_run(systems: dict[str, str]) -> None:
    request_id = ima.submit_directive(systems, ima.PROSPECT.identity, "erase")
    outcome = ima.run(systems, request_id, expect=1)
    assert outcome["state"] == "verified" and "death is declared" in str(outcome["error"])
    assert "Loi 78-17 art. 85" in str(outcome["error"])
    assert ima.query(systems, "SELECT count(*) FROM prospect WHERE id = 1") == [(1,)]


def test_a_directive_to_erase_erases_what_no_law_keeps(systems: dict[str, str]) -> None:
    prospect = ima.submit_directive(systems, ima.PROSPECT.identity, "erase")
    former = ima.submit_directive(systems, ima.FORMER_CLIENT.identity, "erase")
    for request_id in (prospect, former):
        ima.declare_death(systems, request_id)
    done = ima.run(systems, prospect)
    assert done["state"] == "completed" and done["result"]["erased"] == 1
    assert done["result"]["directive"] == {
        "action": "erase",
        "law_term": "effacement",
        "article": "Loi n° 78-17 art. 85",
        "died_on": ima.DIED_ON,
    }
    assert ima.query(systems, "SELECT id FROM prospect ORDER BY id") == [(2,)]  # the twin stays
    # The former client's contract is kept as proof until the archive phase ends (Art. 17(3)(e)).
    kept = ima.run(systems, former)
    assert kept["state"] == "partially_refused" and kept["result"]["erased"] == 0
    shown = ima.show(systems, former)
    assert shown["state"] == "partially_refused"
    reason = shown["timeline"][-1]["reason"]
    assert "GDPR Art. 17(3)(e)" in reason and "2030-06-30" in reason
    assert ima.query(systems, "SELECT count(*) FROM client_gardien_archive") == [(1,)]


def test_a_directive_to_communicate_sends_the_package_to_the_trusted_party(
    systems: dict[str, str], tmp_path: Path
) -> None:
    request_id = ima.submit_directive(
        systems, ima.CLIENT.identity, "communicate", "--trusted-party", "Théo Martin-Lefèvre"
    )
    ima.declare_death(systems, request_id)
    done = ima.run(systems, request_id)
    assert done["state"] == "completed"
    assert done["result"]["directive"]["addressed_to"] == "trusted_third_party"
    assert "Théo" not in json.dumps(done["result"])  # the result holds counts, not names
    archive = zipfile.ZipFile(io.BytesIO(ima.export(systems, request_id, tmp_path / "p.zip")))
    letter = archive.read("letter.html").decode("utf-8")
    assert "Théo Martin-Lefèvre" in letter and "directive post-mortem" in letter
    assert "15 novembre 2026" in letter  # the date of death, in the registry's language
    client = archive.read("data/crm.client.json").decode("utf-8")
    assert ima.CLIENT.marker in client and ima.CLIENT.twin_marker not in client
    assert sorted(n for n in archive.namelist() if n.startswith("data/")) == [
        f"data/crm.{t}.{ext}" for t in ("alarm_event", "client", "site") for ext in ("csv", "json")
    ]
    # Nothing was erased: communicating is not erasing.
    assert ima.query(systems, "SELECT count(*) FROM client") == [(3,)]


def test_a_directive_to_keep_changes_nothing(systems: dict[str, str]) -> None:
    request_id = ima.submit_directive(systems, ima.OTHER_CONTACT.identity, "keep")
    ima.declare_death(systems, request_id)
    done = ima.run(systems, request_id)
    assert done["state"] == "completed" and done["result"]["changed"] == 0
    assert "retention rules still apply" in str(done["summary"])
    assert ima.query(systems, "SELECT id, last_name FROM other_contact ORDER BY id") == [
        (1, ima.OTHER_CONTACT.marker),
        (2, ima.OTHER_CONTACT.twin_marker),
    ]
    code, stdout, _ = invoke(systems, "show", request_id)
    assert code == 0 and "carry out   keep (conservation, Loi 78-17 art. 85)" in stdout


def test_submit_needs_the_directive_action(env: dict[str, str]) -> None:
    base = ("--kind", "post_mortem_directive", "--directive", "tout effacer", "--no-code")
    code, _, stderr = invoke(env, "submit", "--identity", IDENTITY, *base)
    assert code == 2 and "--directive-action keep|erase|communicate" in stderr
    code, _, stderr = invoke(
        env, "submit", "--identity", IDENTITY, *base, "--directive-action", "archive"
    )
    assert code == 2 and "unknown directive action 'archive'" in stderr
    code, _, stderr = invoke(
        env, "submit", "--identity", IDENTITY, *base, "--directive-action", "communicate"
    )
    assert code == 2 and "--trusted-party" in stderr
    data = submit(env, *base, "--directive-action", "Erase")
    code, stdout, _ = invoke(env, "show", data["id"], "--json")
    assert json.loads(stdout)["details"]["directive_action"] == "erase"
