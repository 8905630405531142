"""Plausible values for a column, chosen from its name and its data category.

Values are produced a column at a time for a chunk of rows (``random.choices`` over a pool is
far faster than one call per cell). Identifiers are derived from the row's key, so e-mails,
phone numbers and customer numbers are unique per table and a test can find one person.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from gardien.synthetic.pools import Pools

EMAIL_DOMAINS = (
    "orange.fr", "gmail.com", "free.fr", "laposte.net", "sfr.fr", "wanadoo.fr",
    "hotmail.fr", "yahoo.fr", "outlook.fr", "icloud.com", "bbox.fr", "neuf.fr",
)  # fmt: skip
EQUIPMENT = (
    "centrale d'alarme", "détecteur de mouvement", "détecteur d'ouverture",
    "caméra intérieure", "caméra extérieure", "sirène extérieure", "clavier à code",
    "détecteur de fumée", "télécommande", "badge d'accès", "détecteur de bris de vitre",
)  # fmt: skip
ALARM_EVENTS = (
    "Intrusion détectée", "Fausse alarme, code saisi trop tard", "Coupure secteur",
    "Batterie faible", "Détection de fumée", "Levée de doute vidéo", "Appel d'urgence",
    "Perte de supervision", "Ouverture de porte hors plage horaire", "Sabotage détecteur",
)  # fmt: skip
PLACES = ("zone 1", "zone 2", "garage", "entrée", "salon", "cuisine", "étage", "jardin")
PLANS = ("Formule Essentielle", "Formule Confort", "Formule Sérénité", "Formule Pro")
_MULTIPLIER = 73_939_133  # prime (not 2 or 5), so key ↦ (key·m + offset) mod 10⁸ is a bijection


class RandomStreams:
    """One ``random.Random`` per purpose (a column, the names, the dates), all from one seed.

    Each stream is consumed row after row, so a row's values do not depend on how the rows
    are split into chunks: the same seed gives the same rows with COPY or INSERT, in chunks
    of any size.
    """

    def __init__(self, seed: str) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def __call__(self, purpose: str) -> random.Random:
        stream = self._streams.get(purpose)
        if stream is None:
            stream = self._streams[purpose] = random.Random(f"{self.seed}/{purpose}")
        return stream


@dataclass
class Chunk:
    """The rows being generated: their keys, one person each, and the column being filled."""

    keys: range
    streams: RandomStreams
    pools: Pools
    now: dt.datetime
    offset: int  # per table, so two tables do not share phone numbers
    column: str = ""
    _people: dict[str, list[Any]] = field(default_factory=dict)  # shared by every column

    def for_column(self, column: str) -> Chunk:
        return replace(self, column=column)

    def rng(self, part: str = "") -> random.Random:
        """The column's stream; a column drawing several things uses one part for each."""
        return self.streams(f"column/{self.column}/{part}")

    @property
    def firsts(self) -> list[tuple[str, str, str]]:
        if "firsts" not in self._people:
            stream = self.streams("people/first")
            self._people["firsts"] = stream.choices(self.pools.first_names, k=len(self.keys))
        return self._people["firsts"]

    @property
    def lasts(self) -> list[tuple[str, str]]:
        if "lasts" not in self._people:
            stream = self.streams("people/last")
            self._people["lasts"] = stream.choices(self.pools.last_names, k=len(self.keys))
        return self._people["lasts"]

    def pick(self, pool: tuple[str, ...], part: str = "") -> list[str]:
        return self.rng(part).choices(pool, k=len(self.keys))

    def numbers(self, low: int, high: int, part: str = "") -> list[int]:
        random_ = self.rng(part).random
        span = high - low + 1
        return [low + int(random_() * span) for _ in self.keys]


Filler = Callable[[Chunk], list[object]]


def _first_name(c: Chunk) -> list[object]:
    return [f[1] for f in c.firsts]


def _last_name(c: Chunk) -> list[object]:
    return [n[0] for n in c.lasts]


def _title(c: Chunk) -> list[object]:
    return [f[0] for f in c.firsts]


def _full_name(c: Chunk) -> list[object]:
    return [f"{f[1]} {n[0]}" for f, n in zip(c.firsts, c.lasts, strict=True)]


def _email(c: Chunk) -> list[object]:
    domains = c.pick(EMAIL_DOMAINS)
    return [
        f"{f[2]}.{n[1]}.{k}@{d}"  # the key makes it unique in the table
        for f, n, k, d in zip(c.firsts, c.lasts, c.keys, domains, strict=True)
    ]


def _phone(c: Chunk) -> list[object]:
    prefixes = c.pick(("06", "07", "01", "02", "03", "04", "05", "09"))
    out: list[object] = []
    for prefix, key in zip(prefixes, c.keys, strict=True):
        digits = f"{(key * _MULTIPLIER + c.offset) % 100_000_000:08d}"
        # E.164, the form gardien.identity normalises to, so a request finds its person.
        out.append(f"+33{prefix[1]}{digits}")
    return out


def _code(prefix: str) -> Filler:
    def fill(c: Chunk) -> list[object]:
        return [f"{prefix}{k:09d}" for k in c.keys]

    return fill


def _address(c: Chunk) -> list[object]:
    numbers = c.numbers(1, 180, "number")
    streets, towns = c.pick(c.pools.streets, "street"), c.pick(c.pools.towns, "town")
    return [f"{n} {s}, {t}" for n, s, t in zip(numbers, streets, towns, strict=True)]


def _equipment(c: Chunk) -> list[object]:
    sample = c.rng("items").sample
    return [", ".join(sample(EQUIPMENT, n)) for n in c.numbers(1, 3, "count")]


def _alarm(c: Chunk) -> list[object]:
    return [
        f"{e} — {p}"
        for e, p in zip(c.pick(ALARM_EVENTS, "event"), c.pick(PLACES, "place"), strict=True)
    ]


def _past_datetime_text(c: Chunk) -> list[object]:
    seconds = c.numbers(0, 3 * 365 * 86400)
    return [(c.now - dt.timedelta(seconds=s)).isoformat(sep=" ") for s in seconds]


def _past_date_text(c: Chunk) -> list[object]:
    days = c.numbers(0, 3 * 365)
    return [(c.now.date() - dt.timedelta(days=d)).isoformat() for d in days]


def _birth_date_text(c: Chunk) -> list[object]:
    days = c.numbers(18 * 365, 90 * 365)
    return [(c.now.date() - dt.timedelta(days=d)).isoformat() for d in days]


def _audio_uri(c: Chunk) -> list[object]:
    bits = c.rng().getrandbits
    return [f"s3://call-recordings/{k % 997:03d}/{k}-{bits(48):012x}.ogg" for k in c.keys]


def _url(c: Chunk) -> list[object]:
    return [
        f"https://files.example.fr/{k}/{w}"
        for k, w in zip(c.keys, c.pick(c.pools.words), strict=True)
    ]


def _seconds_text(c: Chunk) -> list[object]:
    return [str(n) for n in c.numbers(8, 1800)]


def _words(c: Chunk) -> list[object]:
    return [
        f"{a} {b}"
        for a, b in zip(c.pick(c.pools.words, "a"), c.pick(c.pools.words, "b"), strict=True)
    ]


def _pool(attribute: str) -> Filler:
    def fill(c: Chunk) -> list[object]:
        return list(c.pick(getattr(c.pools, attribute)))

    return fill


def _constant_pool(pool: tuple[str, ...]) -> Filler:
    def fill(c: Chunk) -> list[object]:
        return list(c.pick(pool))

    return fill


# (fragment of a column or category name, filler), most specific first.
_BY_NAME: tuple[tuple[Callable[[str], bool], Filler | None], ...] = (
    (lambda n: "mail" in n, _email),
    (lambda n: "first_name" in n or "firstname" in n or "prenom" in n, _first_name),
    (lambda n: n in ("last_name", "lastname", "surname", "nom", "nom_de_famille"), _last_name),
    (lambda n: n in ("title", "civility", "civilite", "salutation"), _title),
    (lambda n: "phone" in n or "mobile" in n or n.startswith("tel") or "caller" in n, _phone),
    (lambda n: "fax" in n, _phone),
    (lambda n: "iban" in n, _pool("ibans")),
    (lambda n: "address" in n or "adresse" in n, _address),
    (lambda n: "postcode" in n or "zip" in n or "postal_code" in n, _pool("postcodes")),
    (lambda n: "city" in n or "town" in n or "ville" in n, _pool("cities")),
    (lambda n: "company" in n or "employer" in n or "societe" in n, _pool("companies")),
    (lambda n: "equipment" in n or "device" in n, _equipment),
    (lambda n: "plan" in n or "formula" in n or "offer" in n, _constant_pool(PLANS)),
    (lambda n: "audio" in n or "recording" in n, _audio_uri),
    (lambda n: n.endswith(("uri", "url", "path", "file")), _url),
    (lambda n: "birth" in n or "naissance" in n, _birth_date_text),
    (lambda n: n.endswith("_at") or "datetime" in n or "timestamp" in n, _past_datetime_text),
    (lambda n: n.endswith("_on") or "date" in n, _past_date_text),
    (lambda n: n.endswith("_s") or "duration" in n or "seconds" in n, _seconds_text),
    (lambda n: "name" in n, _full_name),
    (lambda n: n.endswith(("_number", "_no", "_num", "_ref", "_reference", "_id")), None),
    (lambda n: "alarm" in n or "intervention" in n or "incident" in n, _alarm),
    (lambda n: "description" in n or "comment" in n or "note" in n, _pool("sentences")),
)


_GENERIC = ("description", "comment", "note", "details", "label", "text")


def filler_for(column: str, category: str | None = None) -> Filler:
    """The filler for a column: by its name, else by its data category, else two words."""
    name = column.lower()
    if category is not None and any(g in name for g in _GENERIC):
        # "description" says little; "intervention" says it is an alarm's history.
        for test, fill in _BY_NAME:
            if fill is not None and fill is not _BY_NAME[-1][1] and test(category.lower()):
                return fill
    for test, fill in _BY_NAME:
        if test(name):
            return fill if fill is not None else _code(_initials(name))
    if category is not None:
        for test, fill in _BY_NAME:
            if fill is not None and test(category.lower()):
                return fill
    return _words


def _initials(name: str) -> str:
    return "".join(part[0] for part in name.split("_") if part).upper()
