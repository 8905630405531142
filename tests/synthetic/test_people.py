from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from gardien.errors import UsageError
from gardien.registry.model import Registry
from gardien.synthetic import create_system, fill_system
from gardien.synthetic.people import TableProgress
from tests.synthetic.conftest import NOW
from tests.synthetic.helpers import read_system, read_table


def _fill(registry: Registry, system: str, url: str, **options: object) -> list[TableProgress]:
    create_system(registry, system, url, drop=True)
    options = {"people": 300, "seed": 7, "now": NOW, **options}
    return fill_system(registry, system, url, **options)  # type: ignore[arg-type]


def test_same_seed_and_now_give_identical_rows(ima: Registry, tmp_path: Path) -> None:
    a, b = f"sqlite:///{tmp_path}/a.db", f"sqlite:///{tmp_path}/b.db"
    _fill(ima, "crm", a)
    _fill(ima, "crm", b, chunk_size=37)  # chunking does not change the rows
    rows_a = read_system(ima, "crm", a)
    assert rows_a == read_system(ima, "crm", b)
    assert len(rows_a["client"]) == 300


def test_another_seed_gives_other_people(ima: Registry, tmp_path: Path) -> None:
    a, b = f"sqlite:///{tmp_path}/a.db", f"sqlite:///{tmp_path}/b.db"
    _fill(ima, "crm", a, seed=1)
    _fill(ima, "crm", b, seed=2)
    assert read_system(ima, "crm", a)["client"] != read_system(ima, "crm", b)["client"]


def test_every_subject_table_gets_the_people_and_reports_progress(
    ima: Registry, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/crm.db"
    steps: list[TableProgress] = []
    summaries = _fill(ima, "crm", url, chunk_size=100, progress=steps.append)
    counts = {s.table: s.rows for s in summaries}
    for name in ("client", "prospect", "trusted_person", "other_contact"):
        assert counts[name] == 300
    client_steps = [s.rows for s in steps if s.table == "client"]
    assert client_steps == [0, 100, 200, 300]
    assert all(s.done for s in summaries)


def test_emails_phones_and_customer_numbers_are_unique(ima: Registry, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/crm.db"
    _fill(ima, "crm", url, people=3000)
    for table, column in [
        ("client", "email"),
        ("client", "phone"),
        ("client", "customer_number"),
        ("prospect", "email"),
        ("other_contact", "email"),
    ]:
        [(total, distinct, nulls)] = read_table(
            url,
            f"SELECT count(*), count(DISTINCT {column}), count(*) - count({column}) FROM {table}",
        )
        assert (total, nulls) == (3000, 0)
        assert distinct == total, f"{table}.{column} has duplicates"
    [(email, first, last)] = read_table(
        url, "SELECT email, first_name, last_name FROM client WHERE id = 42"
    )
    assert email.endswith(("@orange.fr", "@gmail.com", "@free.fr", "@laposte.net", "@sfr.fr",
                           "@wanadoo.fr", "@hotmail.fr", "@yahoo.fr", "@outlook.fr",
                           "@icloud.com", "@bbox.fr", "@neuf.fr"))  # fmt: skip
    assert ".42@" in email and email.isascii()
    assert first and last


def test_children_link_to_existing_parents_zero_to_three_each(
    ima: Registry, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/crm.db"
    _fill(ima, "crm", url, people=1000)
    for child in ("site", "alarm_event"):
        [(orphans,)] = read_table(
            url,
            f"SELECT count(*) FROM {child} c LEFT JOIN client p ON p.id = c.client_id "
            "WHERE p.id IS NULL",
        )
        assert orphans == 0
        per_parent = Counter(
            n
            for (n,) in read_table(
                url,
                f"SELECT count(c.id) FROM client p LEFT JOIN {child} c ON c.client_id = p.id "
                "GROUP BY p.id",
            )
        )
        assert set(per_parent) == {0, 1, 2, 3}


def test_values_are_french_and_plausible(ima: Registry, tmp_path: Path) -> None:
    crm, tel = f"sqlite:///{tmp_path}/crm.db", f"sqlite:///{tmp_path}/tel.db"
    _fill(ima, "crm", crm)
    _fill(ima, "telephony", tel)
    [(title, phone, address, number)] = read_table(
        crm, "SELECT title, phone, postal_address, customer_number FROM client WHERE id = 1"
    )
    assert title in ("M.", "Mme")
    assert (
        phone[:4] in ("+331", "+332", "+333", "+334", "+335", "+336", "+337", "+339")
        and len(phone) == 12
    )
    assert address.split(" ", 1)[0].isdigit() and "," in address
    assert number == "CN000000001"
    [(uri, caller, seconds)] = read_table(
        tel, "SELECT audio_uri, caller_number, duration_s FROM call_recording WHERE id = 1"
    )
    assert uri.startswith("s3://") and uri.endswith(".ogg")
    assert caller.startswith("+33") and caller[1:].isdigit() and int(seconds) > 0


def test_a_second_fill_appends_new_people(ima: Registry, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/crm.db"
    _fill(ima, "crm", url, people=50)
    fill_system(ima, "crm", url, people=50, seed=7, now=NOW, tables=["client"])
    [(count, distinct)] = read_table(url, "SELECT count(*), count(DISTINCT email) FROM client")
    assert count == distinct == 100


def test_one_table_can_be_filled_alone_but_not_a_child_without_parent(
    ima: Registry, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/crm.db"
    create_system(ima, "crm", url)
    [summary] = fill_system(ima, "crm", url, people=10, now=NOW, tables=["prospect"])
    assert (summary.table, summary.rows) == ("prospect", 10)
    with pytest.raises(UsageError, match=r"crm\.site belongs to crm\.client"):
        fill_system(ima, "crm", url, people=10, now=NOW, tables=["site"])
    with pytest.raises(UsageError, match="no table 'nope'"):
        fill_system(ima, "crm", url, people=10, now=NOW, tables=["nope"])


def test_aware_now_is_taken_in_utc(ima: Registry, tmp_path: Path) -> None:
    a, b = f"sqlite:///{tmp_path}/a.db", f"sqlite:///{tmp_path}/b.db"
    _fill(ima, "telephony", a)
    paris = dt.timezone(dt.timedelta(hours=2))
    _fill(ima, "telephony", b, now=NOW.replace(tzinfo=dt.UTC).astimezone(paris))
    assert read_system(ima, "telephony", a) == read_system(ima, "telephony", b)
