"""Pools of French names, streets and towns, drawn once from a seeded Faker.

Faker costs tens of microseconds per call; a million rows need tens of millions of values. So
Faker is asked a few thousand times, once per seed, and rows combine the pools with a seeded
``random.Random`` (see ``values``). The pools depend only on the seed and the Faker version.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from faker import Faker


def slug(text: str) -> str:
    """ASCII, lower case, words joined by '-': 'Éloïse Le Gall' → 'eloise-le-gall'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


@dataclass(frozen=True)
class Pools:
    """Values to combine; each first name comes with its title and the slug used in e-mails."""

    first_names: tuple[tuple[str, str, str], ...]  # (title, first name, slug)
    last_names: tuple[tuple[str, str], ...]  # (last name, slug)
    streets: tuple[str, ...]  # "rue Martin"
    towns: tuple[str, ...]  # "79000 Niort"
    postcodes: tuple[str, ...]
    cities: tuple[str, ...]
    companies: tuple[str, ...]
    sentences: tuple[str, ...]
    words: tuple[str, ...]
    ibans: tuple[str, ...]

    @classmethod
    @functools.lru_cache(maxsize=4)
    def draw(cls, seed: int, size: int = 2000) -> Pools:
        fake = Faker("fr_FR")
        fake.seed_instance(seed)
        half = max(size // 2, 1)
        firsts = [("M.", fake.first_name_male()) for _ in range(half)]
        firsts += [("Mme", fake.first_name_female()) for _ in range(half)]
        first_names = tuple(dict.fromkeys((t, n, slug(n)) for t, n in firsts))
        last_names = tuple(
            dict.fromkeys((n, slug(n)) for n in (fake.last_name() for _ in range(size)))
        )
        postcodes = tuple(fake.postcode() for _ in range(size))
        cities = tuple(fake.city() for _ in range(size))
        return cls(
            first_names=first_names,
            last_names=last_names,
            streets=tuple(dict.fromkeys(fake.street_name() for _ in range(size))),
            towns=tuple(f"{p} {c}" for p, c in zip(postcodes, cities, strict=True)),
            postcodes=postcodes,
            cities=cities,
            companies=tuple(dict.fromkeys(fake.company() for _ in range(size // 4 or 1))),
            sentences=tuple(fake.sentence(nb_words=8) for _ in range(size // 4 or 1)),
            words=tuple(dict.fromkeys(fake.word() for _ in range(size // 4 or 1))),
            ibans=tuple(fake.iban() for _ in range(size // 4 or 1)),
        )
