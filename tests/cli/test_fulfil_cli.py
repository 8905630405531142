"""`gardien request run|export`: verified requests carried out in the ima-protect systems."""

from __future__ import annotations

import io
import json
import re
import zipfile
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


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'systems.db'}"
    else:
        url = str(
            request.getfixturevalue(
                "postgres_url" if request.param == "postgresql" else "mariadb_url"
            )
        )
    values = {
        "IMA_PROTECT_CRM_URL": url,
        "IMA_PROTECT_TELEPHONY_URL": url,
        "GARDIEN_DATABASE_URL": f"sqlite:///{tmp_path / 'gardien.db'}",
        "GARDIEN_REGISTRY": str(EXAMPLE),
        "GARDIEN_ACTOR": "agent@test",
        "GARDIEN_OUTBOX": str(tmp_path / "outbox"),
    }
    registry = load_registry(EXAMPLE, environ=values)
    for system_id in registry.systems:
        create_system(registry, system_id)
        fill_system(registry, system_id, people=120, seed=3, now=datetime.fromisoformat(NOW))
    return values


def invoke(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def query(env: dict[str, str], sql: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(env["IMA_PROTECT_CRM_URL"])
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.text(sql))]
    engine.dispose()
    return rows


def verified(env: dict[str, str], kind: str, identity: str, *extra: str) -> str:
    code, output = invoke(
        env,
        "request",
        "submit",
        "--kind",
        kind,
        "--identity",
        identity,
        "--no-code",
        "--json",
        *extra,
    )
    assert code == 0, output
    request_id = str(json.loads(output)["id"])
    assert invoke(env, "request", "verify", request_id, "--attest", "identity card checked")[0] == 0
    return request_id


def run(env: dict[str, str], *ids: str) -> list[dict[str, object]]:
    code, output = invoke(env, "request", "run", *ids, "--no-pdf", "--json")
    assert code == 0, output
    return list(json.loads(output))


def test_access_package_holds_the_persons_rows_only(env: dict[str, str], tmp_path: Path) -> None:
    [(email,)] = query(
        env, "SELECT email FROM client WHERE contract_ended_on IS NULL ORDER BY id LIMIT 1"
    )
    request_id = verified(env, "access", f"email={email}")
    [done] = run(env, request_id)
    assert done["state"] == "completed"
    target = tmp_path / "package.zip"
    code, _ = invoke(env, "request", "export", request_id, "-o", str(target))
    assert code == 0
    archive = zipfile.ZipFile(io.BytesIO(target.read_bytes()))
    clients = json.loads(archive.read("data/crm.client.json"))
    rows = clients["rows"] if isinstance(clients, dict) else clients
    assert len(rows) == 1 and email in json.dumps(rows)
    assert "letter.html" in archive.namelist()
    log = json.loads(invoke(env, "audit", "log", "--action", "request.package.*", "--json")[1])
    assert log and log[-1]["target"] == f"request:{request_id}"
    assert str(email) not in json.dumps(log)


def test_nobody_found_completes_with_a_no_data_letter(env: dict[str, str]) -> None:
    request_id = verified(env, "access", "email=nobody@nowhere.example")
    [done] = run(env, request_id)
    assert done["state"] == "completed" and "no data held" in str(done["summary"])


def test_erasure_of_a_prospect_erases_everything(env: dict[str, str]) -> None:
    [(email,)] = query(env, "SELECT email FROM prospect ORDER BY id LIMIT 1")
    code, _ = invoke(
        env,
        "consent",
        "record",
        "--identity",
        f"email={email}",
        "--activity",
        "prospecting",
        "--kind",
        "objection-prospecting",
    )
    assert code == 0
    [done] = run(env, verified(env, "erasure", f"email={email}"))
    assert done["state"] == "completed"
    assert query(env, f"SELECT count(*) FROM prospect WHERE email = '{email}'") == [(0,)]
    # The ledger keeps its proof as digests only once the person is erased.
    store = sa.create_engine(env["GARDIEN_DATABASE_URL"])
    with store.connect() as conn:
        kept = conn.execute(
            sa.text("SELECT count(*) FROM consent_event WHERE identifiers IS NOT NULL")
        ).scalar_one()
        proofs = conn.execute(sa.text("SELECT count(*) FROM consent_event")).scalar_one()
    assert kept == 0 and proofs == 1


def test_erasure_for_a_running_contract_keeps_it_with_the_reason(env: dict[str, str]) -> None:
    [(email,)] = query(
        env, "SELECT email FROM client WHERE contract_ended_on IS NULL ORDER BY id LIMIT 1"
    )
    request_id = verified(env, "erasure", f"email={email}")
    [done] = run(env, request_id)
    assert done["state"] == "partially_refused"
    assert query(env, f"SELECT count(*) FROM client WHERE email = '{email}'") == [(1,)]
    shown = json.loads(invoke(env, "request", "show", request_id, "--json")[1])
    assert "contract" in json.dumps(shown["timeline"]) and "Art. 17" in json.dumps(
        shown["timeline"]
    )


def test_objection_to_prospecting_suppresses_and_erases(env: dict[str, str]) -> None:
    [(email,)] = query(env, "SELECT email FROM prospect ORDER BY id DESC LIMIT 1")
    [done] = run(env, verified(env, "objection_prospecting", f"email={email}"))
    assert done["state"] == "completed", done
    assert query(env, f"SELECT count(*) FROM prospect WHERE email = '{email}'") == [(0,)]
    code, output = invoke(
        env,
        "consent",
        "status",
        "--identity",
        f"email={email}",
        "--activity",
        "prospecting",
        "--json",
    )
    assert code == 1 and json.loads(output)["allowed"] is False
    assert invoke(env, "consent", "suppressed", "--identity", f"email={email.upper()}")[0] == 1


def test_rectification_and_restriction(env: dict[str, str]) -> None:
    [(email, key)] = query(env, "SELECT email, id FROM client ORDER BY id LIMIT 1")
    rectify = verified(
        env, "rectification", f"email={email}", "--field", "last_name=Dupont-Lefèvre"
    )
    restrict = verified(env, "restriction", f"email={email}")
    outcomes = run(env, rectify, restrict)
    assert [o["state"] for o in outcomes] == ["completed", "completed"]
    assert query(env, f"SELECT last_name, restricted FROM client WHERE id = {key}") == [
        ("Dupont-Lefèvre", 1)
    ]


def test_unverified_request_is_not_run_and_says_why(env: dict[str, str]) -> None:
    code, output = invoke(
        env,
        "request",
        "submit",
        "--kind",
        "access",
        "--identity",
        "email=a@b.fr",
        "--no-code",
        "--json",
    )
    request_id = json.loads(output)["id"]
    code, output = invoke(env, "request", "run", request_id, "--json")
    assert code == 1
    [outcome] = json.loads(output)
    assert outcome["error"] and outcome["state"] in ("received", "awaiting_identity")


def test_export_without_a_package_is_a_clear_error(env: dict[str, str], tmp_path: Path) -> None:
    code, output = invoke(
        env, "request", "export", "no-such-request", "-o", str(tmp_path / "x.zip")
    )
    assert code == 1 and "no-such-request" in output


def test_packages_expire_with_the_next_retention_run(env: dict[str, str], tmp_path: Path) -> None:
    [(email,)] = query(env, "SELECT email FROM client ORDER BY id LIMIT 1")
    request_id = verified(env, "access", f"email={email}")
    run(env, request_id)
    assert invoke(env, "retention", "run", "--now", "2027-02-01")[0] == 0  # > 30 days later
    code, output = invoke(env, "request", "export", request_id, "-o", str(tmp_path / "late.zip"))
    assert code == 1 and "run it first" in output


def test_a_request_the_law_refuses_is_refused_with_the_reason(env: dict[str, str]) -> None:
    # Objection under a contract basis: Art. 21 does not apply; running again cannot help.
    [(email,)] = query(env, "SELECT email FROM other_contact ORDER BY id LIMIT 1")
    request_id = verified(env, "objection", f"email={email}", "--activity", "contact-handling")
    code, output = invoke(env, "request", "run", request_id, "--no-pdf", "--json")
    [outcome] = json.loads(output)
    assert code == 1 and outcome["state"] == "refused" and outcome["error"]
    shown = json.loads(invoke(env, "request", "show", request_id, "--json")[1])
    assert shown["state"] == "refused"


def test_a_code_for_ones_own_email_does_not_open_someone_elses_phone(
    env: dict[str, str], tmp_path: Path
) -> None:
    """Issue 9 §1: only proven identifiers are searched; ``--attest --identifier`` proves more."""
    [(phone,)] = query(env, "SELECT phone FROM client WHERE phone IS NOT NULL ORDER BY id LIMIT 1")

    def confirmed() -> str:
        code, output = invoke(
            env, "request", "submit", "--kind", "erasure",
            "--identity", f"email=mallory@evil.example,phone={phone}", "--json",
        )  # fmt: skip
        assert code == 0, output
        request_id = str(json.loads(output)["id"])
        newest = max((tmp_path / "outbox").glob("*.eml"), key=lambda p: p.stat().st_mtime)
        sent = re.search(r"code : (\d{6})", newest.read_text())
        assert sent
        code, output = invoke(env, "request", "verify", request_id, "--code", sent[1])
        assert code == 0 and "not proven, so not searched: phone" in output, output
        return request_id

    held = query(env, f"SELECT count(*) FROM prospect WHERE phone = '{phone}'")
    [done] = run(env, confirmed())
    assert done["state"] == "partially_refused" and "not searched: phone" in str(done["summary"])
    assert query(env, f"SELECT count(*) FROM prospect WHERE phone = '{phone}'") == held

    request_id = confirmed()
    code, output = invoke(
        env,
        "request",
        "verify",
        request_id,
        "--attest",
        "passport checked",
        "--identifier",
        "phone",
    )
    assert code == 0 and "phone (attestation)" in output, output
    [done] = run(env, request_id)
    assert "not searched" not in str(done["summary"])
    result = done["result"]
    assert isinstance(result, dict) and result["found"]  # the phone's rows, once attested
