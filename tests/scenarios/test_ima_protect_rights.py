"""Every kind of rights request × every subject category of the ima-protect example, end to end.

Each scenario drives the command line as a DPO's team would (submit, verify by attestation,
run, show or export) against systems holding one person per category and a near twin of each
(see tests/scenarios/ima.py), and checks the outcome the law expects: what is erased, what is
kept and under which article, what a package holds, and that nothing of the twin ever appears
or changes. Every scenario runs on SQLite; one or two per kind also run on PostgreSQL (the
three databases are covered for each execution part in tests/cli and tests/rights).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.scenarios import ima
from tests.scenarios.ima import (
    CALLER,
    CLIENT,
    FORMER_CLIENT,
    OTHER_CONTACT,
    PROSPECT,
    TRUSTED_PERSON,
    Person,
)

LATER = "2026-11-23"  # the ledger is asked after the requests ran


@pytest.fixture
def systems(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'systems.db'}"
    else:
        url = str(request.getfixturevalue("postgres_url"))
    env = ima.env_for(tmp_path, url)
    ima.populate(env)
    return env


def cases(
    expected: dict[str, Any], postgres: tuple[Person, ...] = ()
) -> list[Any]:  # list of pytest.param
    """One case per person (their situation and the expected outcome name the test), on SQLite,
    and again on PostgreSQL for ``postgres``."""
    params = []
    for person in ima.PEOPLE:
        outcome = expected[person.situation]
        label = f"{person.situation}-{outcome[0]}"
        params.append(pytest.param(person, outcome[1], "sqlite", id=label))
        if person in postgres:
            params.append(pytest.param(person, outcome[1], "postgresql", id=f"{label}-postgresql"))
    return params


def parametrise(expected: dict[str, Any], postgres: tuple[Person, ...] = ()) -> Any:
    return pytest.mark.parametrize(
        ("person", "expected", "systems"), cases(expected, postgres), indirect=["systems"]
    )


def package(env: dict[str, str], request_id: str, tmp_path: Path) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(ima.export(env, request_id, tmp_path / "package.zip")))
    return {name: archive.read(name) for name in archive.namelist()}


def twin_appears(files: dict[str, bytes], person: Person) -> bool:
    return any(person.twin_marker.encode("utf-8") in content for content in files.values())


def rows_of(env: dict[str, str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row's key and marker, active and archived: what must not move when nothing may."""
    return {
        "client": ima.query(env, "SELECT id, last_name, restricted FROM client ORDER BY id"),
        "client_archive": ima.query(
            env, "SELECT id, last_name, restricted FROM client_gardien_archive ORDER BY id"
        ),
        "prospect": ima.query(env, "SELECT id, last_name FROM prospect ORDER BY id"),
        "trusted_person": ima.query(env, "SELECT id, last_name FROM trusted_person ORDER BY id"),
        "other_contact": ima.query(env, "SELECT id, last_name FROM other_contact ORDER BY id"),
        "call_recording": ima.query(env, "SELECT id, audio_uri FROM call_recording ORDER BY id"),
    }


def consent_status(env: dict[str, str], identity: str, activity: str) -> dict[str, Any]:
    code, output = ima.invoke(
        env, "consent", "status", "--identity", identity, "--activity", activity,
        "--at", LATER, "--json",
    )  # fmt: skip
    data: dict[str, Any] = json.loads(output)
    assert (code == 0) is data["allowed"]
    return data


def suppressed(env: dict[str, str], identity: str) -> bool:
    code, _ = ima.invoke(env, "consent", "suppressed", "--identity", identity)
    return code == 1


# --- access (Art. 15) ---------------------------------------------------------------------

CLIENT_TABLES = ["crm.alarm_event", "crm.client", "crm.site"]
ACCESS = {
    CLIENT.situation: ("gets_the_contract_site_and_alarm_rows", (CLIENT_TABLES, False)),
    FORMER_CLIENT.situation: ("gets_the_archived_rows_marked_archived", (CLIENT_TABLES, True)),
    PROSPECT.situation: ("gets_the_prospect_row", (["crm.prospect"], False)),
    TRUSTED_PERSON.situation: ("gets_the_trusted_person_row", (["crm.trusted_person"], False)),
    OTHER_CONTACT.situation: ("gets_the_contact_row", (["crm.other_contact"], False)),
    CALLER.situation: ("gets_the_held_recording", (["telephony.call_recording"], False)),
}
ACTIVITIES = {  # Art. 15(1)(a): the purposes the letter names, as the notice words them (fr)
    CLIENT.situation: ["Gestion du contrat de télésurveillance", "Amélioration de nos prestations"],
    FORMER_CLIENT.situation: ["Gestion du contrat de télésurveillance"],
    PROSPECT.situation: ["Prospection commerciale"],
    TRUSTED_PERSON.situation: ["Sollicitation des personnes de confiance"],
    OTHER_CONTACT.situation: ["Échanges avec les autres interlocuteurs"],
    CALLER.situation: [
        "Enregistrement des appels",
        "Utilisation des enregistrements pour nos obligations légales",
    ],
}


@parametrise(ACCESS, postgres=(CLIENT, CALLER))
def test_access_by(person: Person, expected: Any, systems: dict[str, str], tmp_path: Path) -> None:
    tables, archived = expected
    request_id = ima.submit_verified(systems, "access", person.identity)
    done = ima.run(systems, request_id)
    assert done["state"] == "completed"
    assert sorted(done["result"]["tables"]) == tables
    files = package(systems, request_id, tmp_path)
    assert sorted(n for n in files if n.startswith("data/")) == [
        f"data/{t}.{ext}" for t in tables for ext in ("csv", "json")
    ]
    own = json.loads(files[f"data/{person.table}.json"])
    assert [r["archived"] for r in own["rows"]] == [archived]
    assert person.marker in json.dumps(own, ensure_ascii=False)
    assert not twin_appears(files, person), "a near twin's data is in the package"
    letter = files["letter.html"].decode("utf-8")
    for name in ACTIVITIES[person.situation]:
        assert name in letter
    others = {n for names in ACTIVITIES.values() for n in names} - set(ACTIVITIES[person.situation])
    assert not [n for n in others if n in letter], "the letter names activities not theirs"
    assert "CNIL" in letter  # Art. 15(1)(f): the right to complain


# --- portability (Art. 20) ----------------------------------------------------------------

PORTABILITY = {
    # Their details, premises and the alarm events their use of the service produced: data
    # "provided" includes what is observed of the person's activity (WP29, WP242 rev.01).
    CLIENT.situation: ("gets_what_they_provided_under_the_contract", CLIENT_TABLES),
    FORMER_CLIENT.situation: ("gets_nothing_from_the_archive", []),
    PROSPECT.situation: ("gets_nothing_as_prospecting_rests_on_legitimate_interest", []),
    TRUSTED_PERSON.situation: ("gets_nothing_as_alarm_calls_rest_on_legitimate_interest", []),
    OTHER_CONTACT.situation: (
        "gets_the_contact_row_as_the_registry_declares_a_contract",
        ["crm.other_contact"],
    ),
    CALLER.situation: ("gets_nothing_as_recordings_rest_on_interest_and_law", []),
}


@parametrise(PORTABILITY, postgres=(CLIENT,))
def test_portability_by(
    person: Person, expected: Any, systems: dict[str, str], tmp_path: Path
) -> None:
    request_id = ima.submit_verified(systems, "portability", person.identity)
    assert ima.run(systems, request_id)["state"] == "completed"
    files = package(systems, request_id, tmp_path)
    assert list(files) == ["data.json"]
    data = json.loads(files["data.json"])
    tables = [f"{t['system']}.{t['table']}" for t in data["tables"] if t["rows"]]
    assert sorted(tables) == expected
    if expected:
        assert person.marker in files["data.json"].decode("utf-8")
    assert not twin_appears(files, person)


# --- erasure (Art. 17) --------------------------------------------------------------------

ERASURE = {
    CLIENT.situation: (
        "keeps_the_running_contract",
        {"state": "partially_refused", "erased": 0, "kept": 3, "grounds": ["contract"]},
    ),
    FORMER_CLIENT.situation: (
        "keeps_the_archive_as_proof_until_2030",
        {"state": "partially_refused", "erased": 0, "kept": 3, "grounds": ["2030-06-30"]},
    ),
    PROSPECT.situation: (
        "erases_everything",
        {"state": "completed", "erased": 1, "kept": 0, "grounds": []},
    ),
    TRUSTED_PERSON.situation: (
        "erases_the_trusted_person_row",
        {"state": "completed", "erased": 1, "kept": 0, "grounds": []},
    ),
    OTHER_CONTACT.situation: (
        "keeps_the_contact_while_the_contract_runs",
        {"state": "partially_refused", "erased": 0, "kept": 1, "grounds": ["contact-handling"]},
    ),
    CALLER.situation: (
        "under_litigation_keeps_the_recording",
        {"state": "partially_refused", "erased": 0, "kept": 1, "grounds": ["legal hold"]},
    ),
}
GONE_AFTER_ERASURE = {  # (table, key) of the person's own row, when the erasure removes it
    PROSPECT.situation: ("prospect", 1),
    TRUSTED_PERSON.situation: ("trusted_person", 1),
}


def check_erasure(
    env: dict[str, str], person: Person, request_id: str, done: dict[str, Any], expected: Any
) -> None:
    result = done["result"]
    assert done["state"] == expected["state"]
    assert (result["erased"], result["kept"]) == (expected["erased"], expected["kept"])
    shown = ima.show(env, request_id)
    assert shown["state"] == expected["state"]
    reason = shown["timeline"][-1]["reason"] or ""
    for ground in expected["grounds"]:
        assert ground in reason, reason
    if expected["kept"]:
        assert "GDPR Art. 17" in reason  # Art. 12(4): the person is told why
    for table in result["tables"]:
        for why in table["kept_because"]:
            assert why["article"].startswith("GDPR Art. 17")


@parametrise(ERASURE, postgres=(CALLER, FORMER_CLIENT))
def test_erasure_by(person: Person, expected: Any, systems: dict[str, str]) -> None:
    before = rows_of(systems)
    request_id = ima.submit_verified(systems, "erasure", person.identity)
    done = ima.run(systems, request_id)
    check_erasure(systems, person, request_id, done, expected)
    after = rows_of(systems)
    gone = GONE_AFTER_ERASURE.get(person.situation)
    if gone is not None:
        table, key = gone
        before[table] = [row for row in before[table] if row[0] != key]
    # Only the person's erased row is gone; the twin and everyone else are untouched.
    assert after == before
    if person is CALLER:
        assert after["call_recording"] == [(1, CALLER.marker), (2, CALLER.twin_marker)]
        assert "litige prud'homal" in done["result"]["tables"][0]["kept_because"][0]["ground"]


# --- rectification (Art. 16) --------------------------------------------------------------

RECTIFICATION = {
    CLIENT.situation: ("corrects_the_name_and_lists_the_recipients_to_tell", ("client", 1)),
    FORMER_CLIENT.situation: ("leaves_the_archived_proof_as_it_is", None),
    PROSPECT.situation: ("corrects_the_name", ("prospect", 1)),
    TRUSTED_PERSON.situation: ("corrects_the_name", ("trusted_person", 1)),
    OTHER_CONTACT.situation: ("corrects_the_name", ("other_contact", 1)),
    CALLER.situation: ("is_refused_as_a_recording_holds_no_name", None),
}
RECIPIENTS = {  # Art. 19: the recipients of the tables rectified
    CLIENT.situation: ["field-providers", "it-processors", "prescriber"],
    PROSPECT.situation: ["it-processors"],
    TRUSTED_PERSON.situation: [],
    OTHER_CONTACT.situation: ["it-processors"],
}
CORRECTED = "Corrigé-d'Après"  # an apostrophe and a diacritic, on purpose


@parametrise(RECTIFICATION, postgres=(CLIENT,))
def test_rectification_by(person: Person, expected: Any, systems: dict[str, str]) -> None:
    before = rows_of(systems)
    request_id = ima.submit_verified(
        systems, "rectification", person.identity, "--field", f"last_name={CORRECTED}"
    )
    if person is CALLER:
        done = ima.run(systems, request_id, expect=1)
        assert "call_recording" in str(done["error"]) and "last_name" in str(done["error"])
        assert rows_of(systems) == before
        return
    done = ima.run(systems, request_id)
    # Archived proof is not rewritten, and the person is told so (Art. 12(4)).
    assert done["state"] == ("partially_refused" if expected is None else "completed")
    [change] = done["result"]["changes"]
    after = rows_of(systems)
    if expected is None:  # the former client: their archived row is evidence, left unchanged
        assert (change["rows"], change["archived_rows"]) == (0, 1)
        assert after == before
        return
    table, key = expected
    assert change == {**change, "field": f"crm.{table}.last_name", "rows": 1}
    assert CORRECTED not in json.dumps(done["result"], ensure_ascii=False)  # digests only
    assert done["result"]["recipients"] == RECIPIENTS[person.situation]
    changed = {t: [r for r in after[t] if r not in before[t]] for t in after}
    assert {t: rows for t, rows in changed.items() if rows} == {
        table: [r for r in after[table] if r[0] == key]
    }
    assert [r[1] for r in after[table] if r[0] == key] == [CORRECTED]


# --- restriction (Art. 18) and its lifting ------------------------------------------------

RESTRICTION = {
    CLIENT.situation: ("flags_the_client_row_and_lists_the_rest", ("client", 1)),
    FORMER_CLIENT.situation: ("flags_the_archived_row", ("client_archive", 3)),
    PROSPECT.situation: ("puts_the_person_on_the_restriction_list", None),
    TRUSTED_PERSON.situation: ("puts_the_person_on_the_restriction_list", None),
    OTHER_CONTACT.situation: ("puts_the_person_on_the_restriction_list", None),
    CALLER.situation: ("puts_the_person_on_the_restriction_list", None),
}


def flags(env: dict[str, str]) -> dict[str, list[tuple[Any, ...]]]:
    rows = rows_of(env)
    return {t: [(r[0], bool(r[2])) for r in rows[t]] for t in ("client", "client_archive")}


@parametrise(RESTRICTION, postgres=(FORMER_CLIENT,))
def test_restriction_and_its_lifting_by(
    person: Person, expected: Any, systems: dict[str, str]
) -> None:
    before = flags(systems)
    restrict = ima.submit_verified(systems, "restriction", person.identity)
    done = ima.run(systems, restrict)
    assert done["state"] == "completed" and done["result"]["lifted"] is False
    listed = [
        t["table"] for t in done["result"]["tables"] if t["protected_by"] != "restriction flag"
    ]
    assert sorted(listed) == sorted(
        t.split(".")[1] for t in done["result"]["only_restriction_list"]
    )
    marked = flags(systems)
    if expected is None:
        assert marked == before and listed == [person.table.split(".")[1]]
    else:
        table, key = expected
        assert marked == {
            t: [(k, flag or (t == table and k == key)) for k, flag in rows]
            for t, rows in before.items()
        }
        assert sorted(listed) == ["alarm_event", "site"]  # no flag column: the list protects them
    # Art. 18(3): lifting needs the notice given to the person, and clears what was set.
    lift = ima.submit_verified(
        systems, "restriction_lift", person.identity,
        "--text", "courrier du 20 novembre 2026 annonçant la levée",
    )  # fmt: skip
    lifted = ima.run(systems, lift)
    assert lifted["state"] == "completed" and lifted["result"]["lifted"] is True
    assert flags(systems) == before


# --- objection (Art. 21) ------------------------------------------------------------------

OBJECTION = {
    CLIENT.situation: ("stops_service_improvement_not_the_contract", "service-improvement"),
    FORMER_CLIENT.situation: ("stops_service_improvement", "service-improvement"),
    PROSPECT.situation: ("to_prospecting_is_absolute", "prospecting"),
    TRUSTED_PERSON.situation: ("stops_alarm_calls_unless_compelling_grounds", "alarm-handling"),
    OTHER_CONTACT.situation: ("does_not_apply_to_a_contract", "contact-handling"),
    CALLER.situation: ("stops_recording_use_but_not_the_legal_obligation", "call-recording"),
}


@parametrise(OBJECTION, postgres=(TRUSTED_PERSON,))
def test_objection_by(person: Person, expected: Any, systems: dict[str, str]) -> None:
    activity = expected
    before = rows_of(systems)
    request_id = ima.submit_verified(systems, "objection", person.identity, "--activity", activity)
    if person is OTHER_CONTACT:
        done = ima.run(systems, request_id, expect=1)
        assert "Art. 21(1) covers only processing based on Art. 6(1)(e) or (f)" in str(
            done["error"]
        )
        assert consent_status(systems, person.identity, activity)["allowed"] is True
    else:
        done = ima.run(systems, request_id)
        assert done["state"] == "completed"
        status = consent_status(systems, person.identity, activity)
        assert status["allowed"] is False
        assert ("Art. 21(3)" if person is PROSPECT else "Art. 21(1)") in status["reason"]
    assert suppressed(systems, person.identity) is (person is PROSPECT)
    assert rows_of(systems) == before  # an objection stops uses; it erases nothing by itself
    if person in (CLIENT, FORMER_CLIENT):
        assert consent_status(systems, person.identity, "contract")["allowed"] is True
    if person is CALLER:  # a legal obligation is not open to objection
        assert consent_status(systems, person.identity, "call-recording-compliance")["allowed"]
    twin = {
        CLIENT: "email=jeanne.martin@exemple.fr.test",
        PROSPECT: "email=luc.petit@exemple.fr.test,phone=+33 6 20 00 00 10",
        TRUSTED_PERSON: "phone=+33 6 30 00 00 10",
        CALLER: "phone=+33 6 40 00 00 10",
    }.get(person)
    if twin is not None:
        assert consent_status(systems, twin, activity)["allowed"] is True
        assert not suppressed(systems, twin)


# --- objection to prospecting (Art. 21(2)-(3), R-RGT-05) ----------------------------------

PROSPECTING = {
    CLIENT.situation: ("suppresses_without_touching_the_contract", None),
    FORMER_CLIENT.situation: ("suppresses_without_touching_the_archive", None),
    PROSPECT.situation: ("suppresses_and_erases_the_prospect_data", ("prospect", 1)),
    TRUSTED_PERSON.situation: ("suppresses_without_touching_alarm_calls", None),
    OTHER_CONTACT.situation: ("suppresses_without_touching_the_contact", None),
    CALLER.situation: ("suppresses_without_touching_the_recording", None),
}


@parametrise(PROSPECTING, postgres=(PROSPECT,))
def test_objection_to_prospecting_by(
    person: Person, expected: Any, systems: dict[str, str]
) -> None:
    before = rows_of(systems)
    request_id = ima.submit_verified(systems, "objection_prospecting", person.identity)
    done = ima.run(systems, request_id)
    assert done["state"] == "completed"
    assert suppressed(systems, person.identity)
    assert consent_status(systems, person.identity, "prospecting")["allowed"] is False
    after = rows_of(systems)
    if expected is not None:
        table, key = expected
        before[table] = [row for row in before[table] if row[0] != key]
    assert after == before  # only prospect-only data goes; the twin is neither erased nor listed
    assert not suppressed(systems, "email=luc.petit@exemple.fr.test")


# --- consent withdrawal (Art. 7(3)) -------------------------------------------------------

WITHDRAWAL = {
    person.situation: ("finds_no_consent_to_withdraw", OBJECTION[person.situation][1])
    for person in ima.PEOPLE
}


@parametrise(WITHDRAWAL)
def test_consent_withdrawal_by(person: Person, expected: Any, systems: dict[str, str]) -> None:
    # No ima-protect activity rests on consent: there is nothing to withdraw, and the person
    # is told which basis applies instead (an objection, where Art. 21 allows one).
    before = rows_of(systems)
    request_id = ima.submit_verified(
        systems, "consent_withdrawal", person.identity, "--activity", expected
    )
    done = ima.run(systems, request_id, expect=1)
    assert "not on consent: there is no consent to give or withdraw" in str(done["error"])
    assert rows_of(systems) == before
    assert not suppressed(systems, person.identity)


# --- post-mortem directive (Loi 78-17 art. 85, R-RGT-09) ----------------------------------


@parametrise(ERASURE, postgres=(CLIENT,))
def test_post_mortem_directive_to_erase_by(
    person: Person, expected: Any, systems: dict[str, str]
) -> None:
    before = rows_of(systems)
    request_id = ima.submit_directive(systems, person.identity, "erase")
    waiting = ima.run(systems, request_id, expect=1)  # alive, as far as the controller knows
    assert waiting["state"] == "verified" and "death is declared" in str(waiting["error"])
    assert rows_of(systems) == before
    ima.declare_death(systems, request_id)
    done = ima.run(systems, request_id)
    # Erased as the person's own erasure request would have been: the law's grounds still hold.
    check_erasure(systems, person, request_id, done, expected)
    gone = GONE_AFTER_ERASURE.get(person.situation)
    if gone is not None:
        table, key = gone
        before[table] = [row for row in before[table] if row[0] != key]
    assert rows_of(systems) == before
