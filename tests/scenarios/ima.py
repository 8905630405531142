"""The people of the ima-protect example, one per subject category, each with a near twin.

Every person of a scenario has a "twin" whose identifiers differ by one character (or only by
what a careless comparison would fold: a trailing digit, a sub-domain), so that a package or
an erasure that reaches anyone but the person is seen at once. The data is written straight
into the example's systems (created from the registry), on SQLite, PostgreSQL or MariaDB;
gardien is then driven through its command line only.

Dates are fixed around NOW so that each person is in the phase their category needs:
- the client's contract runs (no end date);
- the former client's contract ended on 2025-06-30: `gardien retention run` moves their rows
  to the restricted archive, where the contract activity keeps them five years (R-RET-01);
- the prospect was collected on 2026-06-01 (two years of prospecting, R-RET-02);
- the trusted person is still named by a running contract (R-RET-03);
- the other contact deals with a running contract (R-RET-04);
- the caller's recording of 2026-04-01 is past its six months (R-RET-05) but under a legal
  hold placed with `gardien hold place --subject phone=…`: it outlives its period.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from typer.testing import CliRunner

from gardien.cli.app import app
from gardien.registry.loader import load_registry
from gardien.synthetic.schema import create_system

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
NOW = "2026-11-22T10:00"
HOLD_REASON = "litige prud'homal en cours (appel du 1er avril)"


@dataclass(frozen=True)
class Person:
    """One subject of the example: how they identify themselves, and where they live."""

    category: str  # the registry's subject id
    situation: str  # words for test ids
    identity: str  # --identity for gardien request submit
    table: str  # system.table of their own row
    marker: str  # a value only their rows hold (their last name, or their audio URI)
    twin_marker: str  # the same for their near twin


def env_for(tmp_path: Path, systems_url: str) -> dict[str, str]:
    return {
        "IMA_PROTECT_CRM_URL": systems_url,
        "IMA_PROTECT_TELEPHONY_URL": systems_url,
        "GARDIEN_DATABASE_URL": f"sqlite:///{tmp_path / 'gardien.db'}",
        "GARDIEN_REGISTRY": str(EXAMPLE),
        "GARDIEN_ACTOR": "dpo@ima.test",
        "GARDIEN_OUTBOX": str(tmp_path / "outbox"),
        "GARDIEN_SECRET_KEY": "scenario-secret-key-0123456789abcdef",
    }


CLIENT = Person(
    "client",
    "a_client_under_contract",
    "email=jeanne.martin@exemple.fr",
    "crm.client",
    "Martin-Lefèvre",
    "Martin-Lefebvre",
)
FORMER_CLIENT = Person(
    "client",
    "a_former_client_in_the_archive_phase",
    "email=paul.durand@exemple.fr",
    "crm.client",
    "Durand-Archive",
    "Durant-Actif",
)
PROSPECT = Person(
    "prospect",
    "a_prospect",
    "email=luc.petit@exemple.fr,phone=+33 6 20 00 00 01",
    "crm.prospect",
    "Petit-Prospect",
    "Petit-Jumeau",
)
TRUSTED_PERSON = Person(
    "trusted_person",
    "a_trusted_person",
    "phone=+33 6 30 00 00 01",
    "crm.trusted_person",
    "Confiance-Un",
    "Confiance-Dix",
)
OTHER_CONTACT = Person(
    "other_contact",
    "another_contact",
    "email=marie.blanc@exemple.fr",
    "crm.other_contact",
    "Blanc-Contact",
    "Blanc-Jumelle",
)
CALLER = Person(
    "caller",
    "a_caller_with_a_held_recording",
    "phone=+33 6 40 00 00 01",
    "telephony.call_recording",
    "s3://calls/2026/04/held-caller.wav",
    "s3://calls/2026/10/twin-caller.wav",
)
PEOPLE = (CLIENT, FORMER_CLIENT, PROSPECT, TRUSTED_PERSON, OTHER_CONTACT, CALLER)


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def populate(env: dict[str, str]) -> None:
    """Create the example's systems and write the six people and their twins."""
    registry = load_registry(EXAMPLE, environ=env)
    for system_id in registry.systems:
        create_system(registry, system_id)
    engine = sa.create_engine(env["IMA_PROTECT_CRM_URL"])
    meta = sa.MetaData()
    meta.reflect(engine)
    t = meta.tables
    with engine.begin() as conn:
        clients = [
            # id, number, last name, email, phone, contract end
            (1, "C-0001", CLIENT.marker, "jeanne.martin@exemple.fr", "+33612345678", None),
            (2, "C-00010", CLIENT.twin_marker, "jeanne.martin@exemple.fr.test", "+33612345679", None),
            (3, "C-0002", FORMER_CLIENT.marker, "paul.durand@exemple.fr", "+33611111111", _day("2025-06-30")),
            (4, "C-0003", FORMER_CLIENT.twin_marker, "paul.durant@exemple.fr", "+33611111112", None),
        ]  # fmt: skip
        conn.execute(
            t["client"].insert(),
            [
                {
                    "id": key, "customer_number": number, "title": "Mme", "last_name": name,
                    "first_name": "Prénom", "email": email, "phone": phone,
                    "postal_address": f"{key} rue des Lilas, 79000 Niort",
                    "contract_ended_on": ended, "restricted": False,
                }
                for key, number, name, email, phone, ended in clients
            ],
        )  # fmt: skip
        conn.execute(
            t["site"].insert(),
            [
                {"id": key, "client_id": key, "site_address": f"site of {name}", "equipment": "alarm"}
                for key, _, name, *_ in clients
            ],
        )  # fmt: skip
        conn.execute(
            t["alarm_event"].insert(),
            [
                {"id": key, "client_id": key, "occurred_at": "2025-01-0" + str(key),
                 "description": f"intrusion at {name}"}
                for key, _, name, *_ in clients
            ],
        )  # fmt: skip
        conn.execute(
            t["prospect"].insert(),
            [
                {"id": 1, "last_name": PROSPECT.marker, "first_name": "Luc",
                 "email": "luc.petit@exemple.fr", "phone": "+33620000001",
                 "site_address": "1 impasse du Port", "collected_at": _at("2026-06-01T09:00"),
                 "last_inbound_contact_at": None},
                {"id": 2, "last_name": PROSPECT.twin_marker, "first_name": "Luc",
                 "email": "luc.petit@exemple.fr.test", "phone": "+33620000010",
                 "site_address": "2 impasse du Port", "collected_at": _at("2026-06-01T09:00"),
                 "last_inbound_contact_at": None},
            ],
        )  # fmt: skip
        conn.execute(
            t["trusted_person"].insert(),
            [
                {"id": 1, "last_name": TRUSTED_PERSON.marker, "first_name": "Ana",
                 "phone": "+33630000001", "removed_at": None, "client_id": 1},
                {"id": 2, "last_name": TRUSTED_PERSON.twin_marker, "first_name": "Ana",
                 "phone": "+33630000010", "removed_at": None, "client_id": 1},
            ],
        )  # fmt: skip
        conn.execute(
            t["other_contact"].insert(),
            [
                {"id": 1, "last_name": OTHER_CONTACT.marker, "first_name": "Marie",
                 "email": "marie.blanc@exemple.fr", "phone": "+33650000001",
                 "client_id": 1},
                {"id": 2, "last_name": OTHER_CONTACT.twin_marker, "first_name": "Marie",
                 "email": "marie.blanc@exemple.fr.test", "phone": "+33650000010",
                 "client_id": 1},
            ],
        )  # fmt: skip
        conn.execute(
            t["call_recording"].insert(),
            [
                {"id": 1, "caller_number": "+33640000001", "audio_uri": CALLER.marker,
                 "duration_s": "312", "recorded_at": _at("2026-04-01T14:00")},
                {"id": 2, "caller_number": "+33640000010", "audio_uri": CALLER.twin_marker,
                 "duration_s": "95", "recorded_at": _at("2026-10-01T14:00")},
            ],
        )  # fmt: skip
    engine.dispose()
    code, output = invoke(
        env, "hold", "place", "--subject", "phone=+33 6 40 00 00 01", "--reason", HOLD_REASON,
        "--case", "RG 26/00412", "--now", "2026-04-02",
    )  # fmt: skip
    assert code == 0, output
    code, output = invoke(env, "retention", "run", "--now", NOW)
    assert code == 0, output


def invoke(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def query(env: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(env["IMA_PROTECT_CRM_URL"])
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.text(sql))]
    engine.dispose()
    return rows


def submit_verified(env: dict[str, str], kind: str, identity: str, *extra: str) -> str:
    code, output = invoke(
        env, "request", "submit", "--kind", kind, "--identity", identity, "--no-code",
        "--json", "--now", NOW, *extra,
    )  # fmt: skip
    assert code == 0, output
    request_id = str(json.loads(output)["id"])
    code, output = invoke(
        env, "request", "verify", request_id, "--attest", "carte d'identité vérifiée par A. Agent",
        "--now", NOW,
    )  # fmt: skip
    assert code == 0, output
    return request_id


def run(env: dict[str, str], request_id: str, *, expect: int = 0) -> dict[str, Any]:
    code, output = invoke(env, "request", "run", request_id, "--no-pdf", "--json", "--now", NOW)
    assert code == expect, output
    [outcome] = json.loads(output)
    return dict(outcome)


def show(env: dict[str, str], request_id: str) -> dict[str, Any]:
    code, output = invoke(env, "request", "show", request_id, "--json", "--now", NOW)
    assert code == 0, output
    return dict(json.loads(output))


def export(env: dict[str, str], request_id: str, target: Path) -> bytes:
    code, output = invoke(env, "request", "export", request_id, "-o", str(target), "--now", NOW)
    assert code == 0, output
    return target.read_bytes()


DIRECTIVE_RECEIVED = "2026-01-15T10:00"  # a directive is given long before the death
DIED_ON = "2026-11-15"
WORDS = {
    "keep": "Je souhaite que mes données soient conservées comme la loi le prévoit.",
    "erase": "Je demande l'effacement de toutes mes données après mon décès.",
    "communicate": "Je souhaite que mes données soient communiquées à mon fils.",
}


def submit_directive(env: dict[str, str], identity: str, action: str, *extra: str) -> str:
    """A verified post-mortem directive, recorded on DIRECTIVE_RECEIVED (Loi 78-17 art. 85)."""
    code, output = invoke(
        env, "request", "submit", "--kind", "post_mortem_directive", "--identity", identity,
        "--directive", WORDS[action], "--directive-action", action, "--no-code", "--json",
        "--now", DIRECTIVE_RECEIVED, *extra,
    )  # fmt: skip
    assert code == 0, output
    request_id = str(json.loads(output)["id"])
    code, output = invoke(
        env, "request", "verify", request_id, "--attest", "carte d'identité vérifiée par A. Agent",
        "--now", DIRECTIVE_RECEIVED,
    )  # fmt: skip
    assert code == 0, output
    return request_id


def declare_death(env: dict[str, str], request_id: str) -> None:
    code, output = invoke(
        env, "request", "declare-death", request_id, "--date", DIED_ON, "--now", NOW
    )
    assert code == 0, output
