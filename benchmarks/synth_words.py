"""The synthetic corpora's vocabulary (``words.yaml``, read once) and their entity registry.

The registry is deterministic from its random source: the real countries, their cities and
national organisations, and the international organisations of ``words.yaml`` first (when the
registry is that large), then invented people, organisations, towns, regions and facilities.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

WORDS = Path(__file__).resolve().parent / "words.yaml"
ELLIPSIS = " … "  # how a long span's text is abbreviated: "first words … last words"
Template = list[tuple[str, str]]  # ("lit", text) and (placeholder, argument) tokens


@dataclass(frozen=True)
class Words:
    lists: dict[str, list[Any]]  # every plain list of words.yaml, by its key
    hostile: list[str]
    publishers: list[dict[str, str]]
    events: list[dict[str, Any]]  # each with its "tokens"
    event_clauses: list[dict[str, Any]]
    quotes: dict[str, list[Template]]  # by kind
    mention_sentences: list[Template]
    raw: dict[str, Any]  # words.yaml as read


@cache
def words() -> Words:
    """``words.yaml``, its templates parsed."""
    import yaml_rs

    data = yaml_rs.loads(WORDS.read_text(encoding="utf-8"), parse_datetime=False)

    def parsed(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**item, "tokens": parse(item["template"])} for item in items]

    return Words(
        lists={
            k: v for k, v in data.items() if isinstance(v, list) and v and isinstance(v[0], str)
        },
        hostile=data["hostile"],
        publishers=data["publishers"],
        events=parsed(data["events"]),
        event_clauses=parsed(data["event_clauses"]),
        quotes={kind: [parse(t) for t in ts] for kind, ts in data["quotes"].items()},
        mention_sentences=[parse(t) for t in data["mention_sentences"]],
        raw=data,
    )


def parse(template: str) -> Template:
    """Split a template into ("lit", text) and (placeholder, argument) tokens."""
    out: Template = []
    i = 0
    while i < len(template):
        j = template.find("{", i)
        if j < 0:
            out.append(("lit", template[i:]))
            break
        if j > i:
            out.append(("lit", template[i:j]))
        k = template.index("}", j)
        kind, _, arg = template[j + 1 : k].partition(":")
        out.append((kind, arg))
        i = k + 1
    return out


_TRANSLIT = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "đ": "d", "ß": "ss"})


def slug(text: str) -> str:
    """Lower-case ASCII letters and digits, runs of anything else one hyphen."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    out, dash = [], False
    for ch in ascii_text:
        if ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-") or "x"


@dataclass(frozen=True)
class Entity:
    id: str
    name: str
    type: str
    aliases: tuple[str, ...]
    country: str | None
    sector: str | None
    wikidata: str | None

    @property
    def surfaces(self) -> tuple[str, ...]:
        """The ways a text names it."""
        return (self.name, *self.aliases)

    def doc(self) -> dict[str, Any]:
        """Its entry in entities.yaml."""
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "aliases": list(self.aliases),
            "country": self.country,
            "sector": self.sector,
            "wikidata": self.wikidata,
        }


class _Registry:
    def __init__(self, rng: random.Random, hostile: float) -> None:
        self.rng, self.hostile = rng, hostile
        self.out: list[Entity] = []
        self.seen: set[str] = set()

    def add(
        self, name: str, type_: str, aliases: list[str], country: str | None, sector: str | None
    ) -> None:
        rng = self.rng
        if self.hostile and rng.random() < self.hostile:
            name = f"{name} {rng.choice(words().hostile)}"
        base = slug(name)
        ident, k = base, 2
        while ident in self.seen:
            ident, k = f"{base}-{k}", k + 1
        self.seen.add(ident)
        qid = f"Q{rng.randint(1, 99_999_999)}" if rng.random() < 0.3 else None
        kept = tuple(a for a in dict.fromkeys(aliases) if a != name)
        self.out.append(Entity(ident, name, type_, kept, country, sector, qid))

    def known(self) -> None:
        """The real countries, cities and organisations of words.yaml."""
        data = words().raw
        for c in data["countries"]:
            self.add(c["name"], "GPE", c["aliases"], c["code"], None)
            for city in c["cities"]:
                upper = [city.upper()] if self.rng.random() < 0.2 else []
                self.add(city, "GPE", upper, c["code"], None)
            for org in data["national_organisations"]:
                names = [t.format(demonym=c["demonym"]) for t in (org["name"], *org["aliases"])]
                self.add(names[0], "ORG", names[1:], c["code"], org["sector"])
        for org in data["organisations"]:
            self.add(org["name"], "ORG", org["aliases"], None, org["sector"])

    def invented(self, n: int) -> None:
        """Invented entities until there are ``n``, of each type in words.yaml's shares."""
        data, rng = words().raw, self.rng
        types = data["entity_types"]
        countries = data["countries"]
        while len(self.out) < n:
            kind = rng.choices(list(types), list(types.values()))[0]
            country = rng.choice(countries)
            code = country["code"]
            root = "".join(
                rng.choice(data["syllables"]) for _ in range(rng.randint(2, 3))
            ).capitalize()
            fill = {"root": root, "ROOT": root[:3].upper(), "demonym": country["demonym"]}
            if kind == "PER":
                first, last = rng.choice(data["first_names"]), rng.choice(data["last_names"])
                aliases = [last] if rng.random() < 0.85 else []
                self.add(
                    f"{first} {last}", "PER", aliases, code, rng.choice(data["person_sectors"])
                )
            elif kind in ("ORG", "FAC"):
                form = rng.choice(data["organisation_forms" if kind == "ORG" else "facility_forms"])
                aliases = [a.format(**fill) for a in form["aliases"]]
                national = form.get("national", True)
                self.add(
                    form["name"].format(**fill),
                    kind,
                    aliases,
                    code if national else None,
                    form["sector"],
                )
            else:
                forms = data["place_forms" if kind == "GPE" else "location_forms"]
                self.add(rng.choice(forms).format(**fill), kind, [], code, None)


def registry(rng: random.Random, n: int, *, hostile: float = 0.0) -> list[Entity]:
    """``n`` entities with unique ids: the known ones first when ``n`` leaves room for them all,
    then invented ones; a share ``hostile`` of the names carries a hostile word."""
    r = _Registry(rng, hostile)
    r.known()
    if len(r.out) > n:
        r = _Registry(rng, hostile)
    r.invented(n)
    return r.out


def by_type(entities: list[Entity]) -> tuple[dict[str, list[Entity]], dict[str, list[float]]]:
    """Entities by type, with a weight for each: the first of a type are named most often."""
    grouped: dict[str, list[Entity]] = {}
    for e in entities:
        grouped.setdefault(e.type, []).append(e)
    weights = {k: [1.0 / (rank + 1) ** 0.7 for rank in range(len(v))] for k, v in grouped.items()}
    return grouped, weights
