# ruff: noqa: SIM905  (word lists read best as one string split on spaces)
"""Synthetic dataset projects for benchmarks: N realistic, valid-by-construction news articles.

    python benchmarks/synth.py OUT --articles N [--seed S] [--workers W]

writes a dataset project (``articlepack init`` skeleton with its schemas) whose corpus has:

- ``corpus/entities.yaml``: a shared registry of ~2,000 entities (PER ORG GPE LOC FAC) with
  aliases, ISO 3166-1 alpha-3 country codes, PLOVER sectors and some Wikidata QIDs;
- ``corpus/articles/<id>/raw.txt``: 2-8 KB of English-like text with boilerplate before and
  after the body (banner, headline, date line, byline, related links, share line, copyright
  footer, an occasional advertisement line between paragraphs), some of it non-ASCII;
- ``corpus/articles/<id>/article.yaml``: the exact corpus format (block style, one flow mapping
  per list item) with ~40 mentions, ~5 events, ~3 quotes, one body segment per paragraph,
  title/date/publisher evidence and the file's sha256.

Every offset is computed from the generated text, so the project validates with no errors and no
warnings. Output is a pure function of ``(n, seed)``: byte-identical whatever the worker count.
YAML is written with string formatting (JSON string escapes are valid YAML double-quoted
strings); no YAML library is involved.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import shutil
import sys
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from json.encoder import encode_basestring as _q  # type: ignore[attr-defined]
from pathlib import Path

GENERATOR_VERSION = "1"
N_ENTITIES = 2000
ELLIPSIS = " … "
ABBREVIATE_FROM = 200

# -- vocabulary ----------------------------------------------------------------------------------

COUNTRIES = [  # name, ISO 3166-1 alpha-3, demonym, aliases, cities
    (
        "Russia",
        "RUS",
        "Russian",
        ["Russian Federation", "Moscow"],
        ["Moscow", "Saint Petersburg", "Sochi", "Kazan"],
    ),
    (
        "Syria",
        "SYR",
        "Syrian",
        ["Syrian Arab Republic", "Damascus"],
        [
            "Damascus",
            "Aleppo",
            "Homs",
            "Hama",
            "Idlib",
            "Latakia",
            "Deir ez-Zor",
            "Raqqa",
            "Palmyra",
        ],
    ),
    (
        "Turkey",
        "TUR",
        "Turkish",
        ["Türkiye", "Ankara"],
        ["Ankara", "Istanbul", "Gaziantep", "Şanlıurfa"],
    ),
    (
        "Iran",
        "IRN",
        "Iranian",
        ["Islamic Republic of Iran", "Tehran"],
        ["Tehran", "Isfahan", "Mashhad"],
    ),
    ("Iraq", "IRQ", "Iraqi", ["Baghdad"], ["Baghdad", "Mosul", "Erbil", "Basra"]),
    ("Lebanon", "LBN", "Lebanese", ["Beirut"], ["Beirut", "Tripoli", "Sidon"]),
    ("Jordan", "JOR", "Jordanian", ["Amman"], ["Amman", "Zarqa"]),
    ("Israel", "ISR", "Israeli", [], ["Jerusalem", "Tel Aviv", "Haifa"]),
    ("Egypt", "EGY", "Egyptian", ["Cairo"], ["Cairo", "Alexandria"]),
    ("Saudi Arabia", "SAU", "Saudi", ["Riyadh", "the Kingdom"], ["Riyadh", "Jeddah"]),
    ("Qatar", "QAT", "Qatari", ["Doha"], ["Doha"]),
    ("United Arab Emirates", "ARE", "Emirati", ["UAE", "Abu Dhabi"], ["Abu Dhabi", "Dubai"]),
    ("United States", "USA", "American", ["US", "U.S.", "Washington"], ["Washington", "New York"]),
    ("United Kingdom", "GBR", "British", ["Britain", "UK", "London"], ["London", "Manchester"]),
    ("France", "FRA", "French", ["Paris"], ["Paris", "Marseille"]),
    ("Germany", "DEU", "German", ["Berlin"], ["Berlin", "Munich"]),
    ("China", "CHN", "Chinese", ["Beijing", "People's Republic of China"], ["Beijing", "Shanghai"]),
    ("Ukraine", "UKR", "Ukrainian", ["Kyiv"], ["Kyiv", "Kharkiv", "Odesa"]),
    ("Kazakhstan", "KAZ", "Kazakh", ["Astana"], ["Astana", "Almaty"]),
    ("Switzerland", "CHE", "Swiss", ["Bern"], ["Geneva", "Zürich", "Bern"]),
    ("Austria", "AUT", "Austrian", ["Vienna"], ["Vienna"]),
    ("Italy", "ITA", "Italian", ["Rome"], ["Rome", "Milan"]),
    ("Spain", "ESP", "Spanish", ["Madrid"], ["Madrid", "Barcelona"]),
    ("Poland", "POL", "Polish", ["Warsaw"], ["Warsaw", "Kraków", "Łódź"]),
    ("Greece", "GRC", "Greek", ["Athens"], ["Athens", "Thessaloniki"]),
    ("Cyprus", "CYP", "Cypriot", ["Nicosia"], ["Nicosia", "Limassol"]),
    ("Algeria", "DZA", "Algerian", ["Algiers"], ["Algiers", "Oran"]),
    ("Libya", "LBY", "Libyan", ["Tripoli"], ["Benghazi", "Misrata"]),
    ("Tunisia", "TUN", "Tunisian", ["Tunis"], ["Tunis", "Sfax"]),
    ("Morocco", "MAR", "Moroccan", ["Rabat"], ["Rabat", "Casablanca"]),
    ("Yemen", "YEM", "Yemeni", ["Sanaa"], ["Sanaa", "Aden", "Hodeidah"]),
    ("Oman", "OMN", "Omani", ["Muscat"], ["Muscat"]),
    ("Kuwait", "KWT", "Kuwaiti", [], ["Kuwait City"]),
    ("Bahrain", "BHR", "Bahraini", ["Manama"], ["Manama"]),
    ("Armenia", "ARM", "Armenian", ["Yerevan"], ["Yerevan", "Gyumri"]),
    ("Azerbaijan", "AZE", "Azerbaijani", ["Baku"], ["Baku", "Ganja"]),
    ("Georgia", "GEO", "Georgian", ["Tbilisi"], ["Tbilisi", "Batumi"]),
    ("India", "IND", "Indian", ["New Delhi"], ["New Delhi", "Mumbai"]),
    ("Pakistan", "PAK", "Pakistani", ["Islamabad"], ["Islamabad", "Karachi"]),
    ("Afghanistan", "AFG", "Afghan", ["Kabul"], ["Kabul", "Kandahar"]),
    ("Brazil", "BRA", "Brazilian", ["Brasília"], ["Brasília", "São Paulo"]),
    ("Japan", "JPN", "Japanese", ["Tokyo"], ["Tokyo", "Osaka"]),
    ("Belarus", "BLR", "Belarusian", ["Minsk"], ["Minsk"]),
    ("Serbia", "SRB", "Serbian", ["Belgrade"], ["Belgrade", "Niš"]),
]

FIRST_NAMES = [
    "Sergei",
    "Sergey",
    "Vladimir",
    "Dmitry",
    "Maria",
    "Anna",
    "Olga",
    "Alexander",
    "Mikhail",
    "Nikolai",
    "Bashar",
    "Walid",
    "Fahd",
    "Fahed",
    "Ali",
    "Ahmed",
    "Mohammed",
    "Omar",
    "Hassan",
    "Hussein",
    "Khaled",
    "Youssef",
    "Leila",
    "Fatima",
    "Rania",
    "Samir",
    "Nabil",
    "Tariq",
    "Bouthaina",
    "Imad",
    "Recep",
    "Mevlüt",
    "Ahmet",
    "Hakan",
    "Çağlar",
    "Ayşe",
    "Emine",
    "İbrahim",
    "Hulusi",
    "Ömer",
    "Javad",
    "Hossein",
    "Mahmoud",
    "Hassan",
    "Zahra",
    "Ebrahim",
    "Mojtaba",
    "Abbas",
    "Reza",
    "Hamid",
    "John",
    "Mike",
    "Antony",
    "Hillary",
    "Rex",
    "Susan",
    "James",
    "Robert",
    "Linda",
    "Barbara",
    "Emmanuel",
    "François",
    "Jean-Yves",
    "Laurent",
    "Annalena",
    "Frank-Walter",
    "Heiko",
    "Angela",
    "Wang",
    "Li",
    "Zhang",
    "Staffan",
    "Geir",
    "Kofi",
    "Lakhdar",
    "António",
    "Ban",
    "Jens",
    "Josep",
    "Ayman",
    "Nayef",
    "Saud",
    "Adel",
    "Abdullah",
    "Tamim",
    "Hamad",
    "Anwar",
    "Jamil",
    "Salim",
]
LAST_NAMES = [
    "Lavrov",
    "Shoigu",
    "Putin",
    "Peskov",
    "Zakharova",
    "Medvedev",
    "Bogdanov",
    "Ryabkov",
    "Patrushev",
    "Nebenzia",
    "Lavrentiev",
    "Gerasimov",
    "Kozak",
    "Ushakov",
    "Matviyenko",
    "Volodin",
    "Naryshkin",
    "al-Assad",
    "al-Moallem",
    "al-Freij",
    "Mekdad",
    "Shaaban",
    "al-Jaafari",
    "Sabbagh",
    "Makhlouf",
    "Khamis",
    "Arnous",
    "Ayoub",
    "al-Ali",
    "Haddad",
    "Jaber",
    "Kassem",
    "Nasrallah",
    "Berri",
    "Mikati",
    "Erdoğan",
    "Çavuşoğlu",
    "Davutoğlu",
    "Fidan",
    "Akar",
    "Kalın",
    "Yıldırım",
    "Gül",
    "Soylu",
    "Zarif",
    "Rouhani",
    "Larijani",
    "Velayati",
    "Soleimani",
    "Amir-Abdollahian",
    "Raisi",
    "Araghchi",
    "Kerry",
    "Pompeo",
    "Blinken",
    "Tillerson",
    "Clinton",
    "Rice",
    "Jeffrey",
    "McGurk",
    "Ratney",
    "Macron",
    "Le Drian",
    "Fabius",
    "Baerbock",
    "Steinmeier",
    "Maas",
    "Merkel",
    "Johnson",
    "Hammond",
    "Wang",
    "Yi",
    "Zhai",
    "de Mistura",
    "Pedersen",
    "Annan",
    "Brahimi",
    "Guterres",
    "Stoltenberg",
    "al-Jubeir",
    "bin Farhan",
    "al-Thani",
    "bin Zayed",
    "Safadi",
    "Shoukry",
    "Aboul Gheit",
    "Abdul-Mahdi",
    "Hakimi",
    "Nouri",
    "Saleh",
    "Mansour",
    "Khoury",
    "Darwish",
    "Rahimi",
    "Karimi",
    "Petrov",
    "Ivanov",
    "Smirnov",
    "Kuznetsov",
    "Popov",
    "Sokolov",
    "Morozov",
    "Novikov",
    "Fedorov",
    "Orlov",
    "Volkov",
]
SYLLABLES = [
    "al",
    "ba",
    "dar",
    "ka",
    "mi",
    "ra",
    "sha",
    "tal",
    "zor",
    "qa",
    "na",
    "hu",
    "ye",
    "ko",
    "vo",
    "gra",
    "sel",
    "man",
    "ber",
    "tu",
    "ri",
    "dun",
    "has",
    "lak",
    "ze",
    "ob",
    "is",
    "an",
]
SECTIONS = [
    "World",
    "Middle East",
    "Politics",
    "Europe",
    "Security",
    "Diplomacy",
    "Conflict",
    "Russia",
    "Syria",
    "Economy",
    "Energy",
    "Analysis",
    "Region",
    "Defence",
    "Asia",
]
PUBLISHERS = [  # name, domain
    ("Levant Daily Monitor", "levantmonitor.example"),
    ("Eurasia Wire", "eurasiawire.example"),
    ("The Gulf Observer", "gulfobserver.example"),
    ("Caspian Times", "caspiantimes.example"),
    ("Mediterranean Herald", "medherald.example"),
    ("Northern Star Gazette", "northernstar.example"),
    ("Al-Manar Review", "almanar-review.example"),
    ("Orient Press Online", "orientpress.example"),
    ("Baltic & Black Sea News", "bbsnews.example"),
    ("Crossroads Report", "crossroads.example"),
    ("Capital Ledger", "capitalledger.example"),
    ("The Frontier Post Daily", "frontierdaily.example"),
    ("Silk Road Dispatch", "silkroad.example"),
    ("Anatolia Courier", "anatoliacourier.example"),
    ("Persian Gulf Echo", "pgecho.example"),
    ("Tigris Tribune", "tigristribune.example"),
    ("Nile Evening News", "nileevening.example"),
    ("Atlas Chronicle", "atlaschronicle.example"),
    ("Continental Digest", "contdigest.example"),
    ("Meridian World Service", "meridianws.example"),
    ("Harbour Street Journal", "harbourjournal.example"),
    ("Euphrates Today", "euphratestoday.example"),
    ("Steppe Bulletin", "steppebulletin.example"),
    ("Cedar Coast Mail", "cedarcoast.example"),
    ("Riviera Courrier International", "courrier-riviera.example"),
    ("Kraków Voice", "krakowvoice.example"),
    ("São Tomé Globe", "stglobe.example"),
    ("Zürcher Weltblatt", "weltblatt.example"),
    ("Pacific Rim Bulletin", "pacrim.example"),
    ("Independent Levant", "indlevant.example"),
]
AGENCIES = [
    "AFP",
    "Reuters",
    "AP",
    "TASS",
    "SANA",
    "Xinhua",
    "Anadolu",
    "IRNA",
    "RIA Novosti",
    "dpa",
]
ANNOTATORS = [
    "A. Karimova",
    "B. Osei",
    "C. Lindqvist",
    "D. Haddad",
    "E. Moreau",
    "F. Nakamura",
    "G. Petrenko",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

ADJ = (
    "senior regional military economic diplomatic fragile lengthy new recent joint bilateral "
    "international humanitarian political strategic temporary permanent local northern southern "
    "eastern western central key major minor possible final initial broad narrow formal informal "
    "urgent direct indirect technical legal public private official unofficial armed civilian "
    "peaceful heavy limited detailed careful cautious rare frequent annual special independent "
    "renewed stalled disputed agreed proposed"
).split()
NOUN = (
    "talks ceasefire agreement delegation ministry border convoy negotiations proposal "
    "settlement council committee government opposition coalition meeting summit statement "
    "spokesman envoy ambassador embassy offensive operation region province district city "
    "village checkpoint corridor pipeline contract deal framework roadmap plan process dialogue "
    "position policy reform election constitution parliament budget economy market investment "
    "trade supply delivery shipment route crossing airport base port harbour bridge refinery "
    "station hospital school camp refugees residents families workers officials observers "
    "monitors inspectors experts analysts diplomats troops units forces fighters militias "
    "groups factions parties leaders members representatives sources reports documents "
    "sanctions restrictions measures guarantees commitments obligations concerns tensions "
    "clashes strikes attacks shelling incidents violations casualties losses damage aid "
    "assistance reconstruction recovery security stability sovereignty integrity"
).split()
VERB = (
    "discussed reviewed examined considered rejected welcomed supported opposed criticised "
    "praised endorsed announced confirmed denied reported described signed extended suspended "
    "resumed delayed postponed approved adopted drafted prepared presented outlined questioned "
    "challenged defended followed monitored observed expanded reduced increased restored "
    "secured protected blocked reopened closed visited inspected delivered received sent"
).split()
PREP = (
    "in on over near after before during for with about across along against beyond within".split()
)
ADV = (
    "Meanwhile However Separately Earlier Later Nevertheless Moreover Previously Initially "
    "Elsewhere Officially Publicly Privately Subsequently"
).split()
SUBORD = [
    "while the {n} {v} the {a} {n}",
    "as the {n} {v} the {n} {p} the {a} {n}",
    "according to {a} {n}",
    "although the {n} {v} the {a} {n} {p} the {n}",
    "after the {a} {n} {v} the {n}",
    "amid growing {n} {p} the {n}",
]

# -- event, quote and mention templates ----------------------------------------------------------
# Placeholders: {A:T|T} actor, {R:T} recipient, {L:T} location, {M:T} other mention (all mentions),
# {T:word} trigger, {D} past date evidence, {F} future date evidence, {x} filler noun phrase.
# Each entry: (type, mode, realis, contexts, template)

EVENTS = [
    (
        "CONSULT",
        "visit",
        "actual",
        ["diplomatic"],
        "{A:PER} {T:met} {R:PER} in {L:GPE} {D}, according to a statement from {M:ORG}.",
    ),
    (
        "CONSULT",
        "phone",
        "actual",
        ["diplomatic"],
        "{A:PER} {T:spoke} by telephone with {R:PER} {D} about the {x} in {L:GPE|LOC}.",
    ),
    (
        "CONSULT",
        "visit",
        "planned",
        ["diplomatic"],
        "{A:PER} {T:will travel} to {L:GPE} {F} for talks with {R:PER}, {M:ORG} said.",
    ),
    (
        "CONSULT",
        "multilateral",
        "actual",
        ["diplomatic", "international"],
        "Delegations from {A:GPE} and {R:GPE} {T:held talks} in {L:GPE} {D} on the {x}.",
    ),
    (
        "CONSULT",
        "meet",
        "negated",
        ["diplomatic"],
        "{A:PER} did not {T:meet} {R:PER} during the visit to {L:GPE}, {M:ORG} said.",
    ),
    (
        "AGREE",
        None,
        "actual",
        ["diplomatic", "economic"],
        "{A:GPE} and {R:GPE} {T:agreed} {D} to expand cooperation on the {x}, officials in {L:GPE} said.",
    ),
    (
        "ACCUSE",
        None,
        "actual",
        ["military"],
        "{A:PER} {T:accused} {R:ORG} of violating the ceasefire near {L:LOC|GPE} {D}.",
    ),
    (
        "THREATEN",
        None,
        "actual",
        ["military", "retaliation"],
        "{A:ORG} {T:warned} {R:GPE} {D} that any further attack on {L:FAC|LOC} would bring a response.",
    ),
    (
        "REQUEST",
        None,
        "actual",
        ["humanitarian"],
        "{A:PER} {T:called on} {R:ORG} to allow aid convoys into {L:GPE} {D}.",
    ),
    (
        "SANCTION",
        None,
        "actual",
        ["economic"],
        "{A:GPE} {T:imposed} new sanctions on {R:ORG} {D}, {M:PER} said.",
    ),
    (
        "SANCTION",
        None,
        "hypothetical",
        ["economic"],
        "{A:GPE} could {T:impose} sanctions on {R:ORG} if the talks in {L:GPE} fail, {M:PER} said.",
    ),
    (
        "AID",
        None,
        "actual",
        ["humanitarian"],
        "{A:ORG} {T:delivered} food and medicine to residents of {L:GPE} {D}, a spokesman for {M:ORG} said.",
    ),
    (
        "SUPPORT",
        None,
        "actual",
        ["diplomatic"],
        "{A:PER} {T:praised} the role of {R:GPE} in the talks in {L:GPE} {D}.",
    ),
    (
        "ASSAULT",
        "aerial",
        "actual",
        ["military"],
        "Aircraft of {A:ORG} {T:struck} positions held by {R:ORG} near {L:GPE|LOC|FAC} {D}.",
    ),
    (
        "REJECT",
        None,
        "actual",
        ["diplomatic"],
        "{A:PER} {T:rejected} the proposal put forward by {R:PER} {D}.",
    ),
    (
        "PROTEST",
        "demonstrate",
        "actual",
        ["protest"],
        "Supporters of {A:ORG} {T:protested} in {L:GPE} {D} against the policies of {R:GPE}.",
    ),
    (
        "COOPERATE",
        None,
        "actual",
        ["economic", "diplomatic"],
        "{A:ORG} and {R:ORG} {T:signed} a memorandum on the {x} in {L:GPE} {D}.",
    ),
    (
        "MOBILIZE",
        "troops",
        "actual",
        ["military"],
        "{A:ORG} {T:moved} additional troops to {L:LOC|FAC} {D}, {M:PER} told {M:ORG}.",
    ),
    (
        "COERCE",
        "arrest",
        "actual",
        ["legal", "human_rights"],
        "{A:ORG} {T:detained} {R:PER} at {L:FAC} {D}.",
    ),
    (
        "RETREAT",
        "withdraw",
        "actual",
        ["military", "territory"],
        "{A:ORG} {T:withdrew} from {L:LOC|GPE} {D}, {M:PER} said.",
    ),
    (
        "CONCEDE",
        None,
        "actual",
        ["diplomatic"],
        "{A:PER} {T:acknowledged} {D} that {R:GPE} had legitimate concerns about the {x}.",
    ),
]
DIRECT_QUOTES = [
    '"{c}" {S:PER} {C:said}.',  # the quoted words carry their closing comma, as in PARC
    '"{c}" {S:PER} {C:told reporters} in {M:GPE}.',
    '{S:PER} {C:said}: "{c}"',
    '"{c}" {S:PER} {C:said in a statement}.',
    '"{c}" {S:PER} {C:added}.',
    '"{c}" a senior official {C:said} on condition of anonymity.',
]
INDIRECT_QUOTES = [
    "{S:PER} {C:said} {c}.",
    "{S:ORG} {C:said in a statement} {c}.",
    "{C:According to} {S:PER}, {c}.",
]
MIXED_QUOTES = [
    '{S:PER} {C:described} the {x} as "{c}".',
]
MENTION_SENTENCES = [
    "{M:PER}, who heads {M:ORG}, has visited {M:GPE} several times this year.",
    "Relations between {M:GPE} and {M:GPE} have been strained for years.",
    "{M:ORG} has maintained a presence in {M:LOC} since the start of the {x}.",
    "The {M:FAC} lies about {num} kilometres from {M:GPE}.",
    "{M:PER} is expected to brief {M:ORG} on the {x}.",
    "Officials in {M:GPE} declined to comment on the {x}.",
    "The {x} was also discussed with {M:PER} of {M:ORG}.",
    "{M:PER} and {M:PER} have met at least {num} times since the {x} began.",
    "Observers from {M:ORG} were present at the {M:FAC}.",
    "Residents of {M:GPE} reported {a} {n} near the {M:FAC}.",
    "{M:GPE} has long backed {M:ORG}, while {M:GPE} has opposed it.",
    "The {a} {n} {v} the {x} {p} {M:GPE}.",
    "{M:PER} {v} the {a} {n} {p} the {n}, {s}.",
]


def _parse(template: str) -> list[tuple[str, str]]:
    """Split a template into ("lit", text) and (kind, arg) tokens."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(template):
        j = template.find("{", i)
        if j < 0:
            out.append(("lit", template[i:]))
            break
        if j > i:
            out.append(("lit", template[i:j]))
        k = template.index("}", j)
        body = template[j + 1 : k]
        kind, _, arg = body.partition(":")
        out.append((kind, arg))
        i = k + 1
    return out


_EVENTS = [(t, m, r, c, _parse(s)) for t, m, r, c, s in EVENTS]
_DIRECT = [_parse(s) for s in DIRECT_QUOTES]
_INDIRECT = [_parse(s) for s in INDIRECT_QUOTES]
_MIXED = [_parse(s) for s in MIXED_QUOTES]
_MENTIONS = [_parse(s) for s in MENTION_SENTENCES]

# -- the entity registry -------------------------------------------------------------------------


_TRANSLIT = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "đ": "d", "ß": "ss"})


def _slug(text: str) -> str:
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


class Entity:
    __slots__ = ("aliases", "country", "id", "name", "sector", "surfaces", "type", "wikidata")

    def __init__(
        self,
        id: str,
        name: str,
        type: str,
        aliases: list[str],
        country: str | None,
        sector: str | None,
        wikidata: str | None,
    ) -> None:
        self.id, self.name, self.type, self.aliases = id, name, type, aliases
        self.country, self.sector, self.wikidata = country, sector, wikidata
        self.surfaces = [name, *aliases]


def _place_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def entities(seed: int = 0, n: int = N_ENTITIES) -> list[Entity]:
    """The shared registry: deterministic from ``seed``, ``n`` entities with unique slugs."""
    rng = random.Random(f"articlepack-synth-entities:{seed}")
    out: list[Entity] = []
    seen: set[str] = set()

    def add(
        name: str, type_: str, aliases: list[str], country: str | None, sector: str | None
    ) -> None:
        base = _slug(name)
        ident, k = base, 2
        while ident in seen:
            ident, k = f"{base}-{k}", k + 1
        seen.add(ident)
        qid = f"Q{rng.randint(1, 99_999_999)}" if rng.random() < 0.3 else None
        aliases = [a for a in dict.fromkeys(aliases) if a != name]
        out.append(Entity(ident, name, type_, aliases, country, sector, qid))

    for name, code, demonym, aliases, cities in COUNTRIES:
        add(name, "GPE", aliases, code, None)
        for city in cities:
            add(city, "GPE", [city.upper()] if rng.random() < 0.2 else [], code, None)
        add(
            f"{demonym} Ministry of Foreign Affairs",
            "ORG",
            [f"{demonym} Foreign Ministry", "the Foreign Ministry"],
            code,
            "GOV",
        )
        add(
            f"{demonym} Ministry of Defence",
            "ORG",
            [f"{demonym} Defence Ministry", "the Defence Ministry"],
            code,
            "GOV",
        )
        add(
            f"{demonym} Armed Forces",
            "ORG",
            [f"the {demonym} army", f"{demonym} troops"],
            code,
            "MIL",
        )
        add(f"{demonym} Parliament", "ORG", [], code, "GOV")
    for name, aliases, sector in [
        ("United Nations", ["UN", "U.N."], "IGO"),
        ("United Nations Security Council", ["Security Council", "UNSC"], "IGO"),
        ("World Food Programme", ["WFP"], "IGO"),
        ("International Committee of the Red Cross", ["ICRC", "Red Cross"], "NGO"),
        ("Organisation for the Prohibition of Chemical Weapons", ["OPCW"], "IGO"),
        ("European Union", ["EU"], "IGO"),
        ("Arab League", ["League of Arab States"], "IGO"),
        ("North Atlantic Treaty Organization", ["NATO"], "IGO"),
        ("Médecins Sans Frontières", ["MSF"], "NGO"),
        ("Syrian Observatory for Human Rights", ["the Observatory", "SOHR"], "NGO"),
        ("Islamic State", ["IS", "ISIS", "Daesh"], "REB"),
        ("Syrian Democratic Forces", ["SDF"], "REB"),
        ("Free Syrian Army", ["FSA"], "REB"),
        ("Hezbollah", [], "REB"),
        ("Gazprom", [], "BUS"),
    ]:
        add(name, "ORG", aliases, None, sector)
    kinds = [("PER", 0.45), ("ORG", 0.2), ("GPE", 0.12), ("LOC", 0.12), ("FAC", 0.11)]
    codes = [c[1] for c in COUNTRIES]
    demonyms = {c[1]: c[2] for c in COUNTRIES}
    while len(out) < n:
        kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        code = rng.choice(codes)
        if kind == "PER":
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            sector = rng.choice(
                ["GOV", "GOV", "GOV", "MIL", "OPP", "REB", "MED", "BUS", "IGO", "NGO", "REL", "JUD"]
            )
            add(f"{first} {last}", "PER", [last] if rng.random() < 0.85 else [], code, sector)
        elif kind == "ORG":
            root = _place_name(rng)
            form = rng.randrange(6)
            if form == 0:
                add(f"{root} Brigade", "ORG", [f"the {root} group"], code, "REB")
            elif form == 1:
                add(f"National {root} Party", "ORG", [f"{root} Party"], code, "PTY")
            elif form == 2:
                add(f"{root} News Agency", "ORG", [root[:3].upper() + "NA"], code, "MED")
            elif form == 3:
                add(f"{root} Bank", "ORG", [], code, "BUS")
            elif form == 4:
                add(f"{root} Relief Foundation", "ORG", [f"the {root} Foundation"], None, "NGO")
            else:
                add(f"{demonyms[code]} {root} Committee", "ORG", [], code, "GOV")
        elif kind == "GPE":
            root = _place_name(rng)
            add(
                rng.choice([root, f"Al-{root}", f"{root}abad", f"{root}sk", f"Tell {root}"]),
                "GPE",
                [],
                code,
                None,
            )
        elif kind == "LOC":
            root = _place_name(rng)
            add(
                rng.choice(
                    [
                        f"{root} Valley",
                        f"{root} River",
                        f"{root} Mountains",
                        f"{root} Plain",
                        f"Gulf of {root}",
                        f"{root} Desert",
                    ]
                ),
                "LOC",
                [],
                code,
                None,
            )
        else:
            root = _place_name(rng)
            suffix = rng.choice(
                [
                    "Air Base",
                    "International Airport",
                    "Bridge",
                    "Dam",
                    "Refinery",
                    "Border Crossing",
                    "Military Hospital",
                    "Power Station",
                    "Port",
                ]
            )
            add(
                f"{root} {suffix}",
                "FAC",
                [root] if suffix in ("Air Base", "Dam") else [],
                code,
                "MIL" if suffix in ("Air Base", "Military Hospital") else None,
            )
    return out[:n]


def entities_yaml(ents: list[Entity]) -> str:
    lines = ["# The entity registry (synthetic benchmark data).", "entities:"]
    for e in ents:
        aliases = ", ".join(_q(a) for a in e.aliases)
        lines.append(
            f"  - {{id: {e.id}, name: {_q(e.name)}, type: {e.type}, aliases: [{aliases}], "
            f"country: {e.country or 'null'}, sector: {e.sector or 'null'}, wikidata: {e.wikidata or 'null'}}}"
        )
    return "\n".join(lines) + "\n"


# -- one article ---------------------------------------------------------------------------------


class Sentence:
    """Text built piece by piece; spans are [start, end, text, ...] lists, offsets relative."""

    __slots__ = ("n", "parts", "spans")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.n = 0
        self.spans: list[list] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.n += len(text)

    def span(self, text: str, *extra: object) -> list:
        sp = [self.n, self.n + len(text), text, *extra]
        self.add(text)
        self.spans.append(sp)
        return sp

    @property
    def text(self) -> str:
        return "".join(self.parts)


class _Article:
    """Everything needed to build one article: its rng, cast and dates."""

    def __init__(
        self,
        rng: random.Random,
        by_type: dict[str, list[Entity]],
        weights: dict[str, list[float]],
        published: dt.date,
    ) -> None:
        self.rng = rng
        self.published = published
        self.mentions: list[list] = []  # [start, end, text, entity_id]
        self.events: list[dict] = []
        self.quotes: list[dict] = []
        cast: dict[str, list[Entity]] = {}
        sizes = {
            "PER": rng.randint(3, 6),
            "ORG": rng.randint(2, 4),
            "GPE": rng.randint(2, 4),
            "LOC": rng.randint(1, 2),
            "FAC": rng.randint(1, 2),
        }
        for kind, k in sizes.items():
            picked: dict[str, Entity] = {}
            pool, w = by_type[kind], weights[kind]
            while len(picked) < k:
                for e in rng.choices(pool, w, k=k):
                    picked.setdefault(e.id, e)
            cast[kind] = list(picked.values())[:k]
        self.cast = cast

    # words
    def filler(self) -> str:
        r = self.rng
        form = r.randrange(4)
        if form == 0:
            s = (
                f"the {r.choice(ADJ)} {r.choice(NOUN)} {r.choice(VERB)} the {r.choice(NOUN)} "
                f"{r.choice(PREP)} the {r.choice(ADJ)} {r.choice(NOUN)}"
            )
        elif form == 1:
            s = (
                f"{r.choice(ADV)}, the {r.choice(NOUN)} {r.choice(VERB)} the {r.choice(ADJ)} {r.choice(NOUN)} and "
                f"{r.choice(VERB)} the {r.choice(NOUN)} {r.choice(PREP)} the {r.choice(NOUN)}"
            )
        elif form == 2:
            s = (
                f"the {r.choice(NOUN)} of the {r.choice(NOUN)} {r.choice(VERB)} the {r.choice(ADJ)} "
                f"{r.choice(NOUN)}, {self.subord()}"
            )
        else:
            s = (
                f"at least {r.randint(2, 90)} {r.choice(NOUN)} {r.choice(VERB)} the {r.choice(ADJ)} {r.choice(NOUN)} "
                f"{r.choice(PREP)} the {r.choice(NOUN)} {r.choice(PREP)} the {r.choice(ADJ)} {r.choice(NOUN)}"
            )
        return s[0].upper() + s[1:] + "."

    def subord(self) -> str:
        r = self.rng
        t = r.choice(SUBORD)
        return t.format(n=r.choice(NOUN), v=r.choice(VERB), a=r.choice(ADJ), p=r.choice(PREP))

    def phrase(self) -> str:
        r = self.rng
        return f"{r.choice(ADJ)} {r.choice(NOUN)}" if r.random() < 0.6 else r.choice(NOUN)

    def pick(self, kinds: str, avoid: set[str]) -> Entity:
        r = self.rng
        options = [e for k in kinds.split("|") for e in self.cast[k] if e.id not in avoid]
        if not options:
            options = [e for k in kinds.split("|") for e in self.cast[k]]
        return r.choice(options)

    def mention(self, s: Sentence, e: Entity) -> list:
        surface = (
            e.surfaces[0]
            if len(e.surfaces) == 1 or self.rng.random() < 0.55
            else self.rng.choice(e.surfaces[1:])
        )
        sp = s.span(surface, e.id)
        self.mentions.append(sp)
        return sp

    # dates
    def past_date(self) -> tuple[str, str]:
        """(evidence text, resolved ISO date) for a date on or before publication."""
        r, pub = self.rng, self.published
        form = r.randrange(6)
        if form == 0:
            return "today", pub.isoformat()
        if form == 1:
            return "yesterday", (pub - dt.timedelta(days=1)).isoformat()
        if form == 2:
            back = r.randint(1, 6)
            day = pub - dt.timedelta(days=back)
            return f"on {WEEKDAYS[day.weekday()]}", day.isoformat()
        if form == 3:
            day = pub - dt.timedelta(days=r.randint(1, 40))
            return f"on {MONTHS[day.month - 1]} {day.day}", day.isoformat()
        if form == 4:
            return "earlier this month", pub.isoformat()[:7]
        return "last year", str(pub.year - 1)

    def future_date(self) -> tuple[str, str]:
        r, pub = self.rng, self.published
        if r.random() < 0.5:
            nxt = (pub.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            return "next month", nxt.isoformat()[:7]
        return "next year", str(pub.year + 1)

    # sentences
    def render(
        self,
        tokens: list[tuple[str, str]],
        event: dict | None = None,
        quote: dict | None = None,
        content: Sentence | None = None,
    ) -> Sentence:
        r = self.rng
        s = Sentence()
        used: set[str] = set()
        for kind, arg in tokens:
            if kind == "lit":
                s.add(arg)
            elif kind in ("A", "R", "L", "M", "S"):
                e = self.pick(arg, used)
                used.add(e.id)
                sp = self.mention(s, e)
                if event is not None and kind == "A":
                    event["actors"].append(sp)
                elif event is not None and kind == "R":
                    event["recipients"].append(sp)
                elif event is not None and kind == "L":
                    event["location"] = sp
                elif quote is not None and kind == "S":
                    quote["speaker"] = sp
            elif kind == "T":
                assert event is not None
                event["trigger"] = s.span(arg)
            elif kind in ("D", "F"):
                assert event is not None
                text, date = self.past_date() if kind == "D" else self.future_date()
                if r.random() < 0.15:  # no date in the text: the date stays unknown
                    s.parts[-1] = s.parts[-1].rstrip(" ")  # the literal " " before {D}
                    s.n = sum(map(len, s.parts))
                    continue
                event["date"] = date
                event["date_evidence"] = s.span(text)
            elif kind == "C":
                assert quote is not None
                quote["cue"] = s.span(arg)
            elif kind == "c":
                assert quote is not None and content is not None
                base = s.n
                quote["content"] = s.span(content.text)
                for sp in content.spans:  # mentions inside the quoted words
                    sp[0] += base
                    sp[1] += base
                    s.spans.append(sp)
            elif kind == "x":
                s.add(self.phrase())
            elif kind == "num":
                s.add(str(r.randint(2, 60)))
            elif kind == "a":
                s.add(r.choice(ADJ))
            elif kind == "n":
                s.add(r.choice(NOUN))
            elif kind == "v":
                s.add(r.choice(VERB))
            elif kind == "p":
                s.add(r.choice(PREP))
            elif kind == "s":
                s.add(self.subord())
            else:  # pragma: no cover
                raise ValueError(kind)
        return s

    def event_sentence(self) -> Sentence:
        type_, mode, realis, context, tokens = self.rng.choice(_EVENTS)
        event = {
            "type": type_,
            "mode": mode,
            "realis": realis,
            "context": context,
            "actors": [],
            "recipients": [],
            "location": None,
            "date": None,
            "date_evidence": None,
            "trigger": None,
        }
        s = self.render(tokens, event=event)
        self.events.append(event)
        return s

    def quote_content(self, kind: str, lead: str = "that the ", end: str = ",") -> Sentence:
        r = self.rng
        c = Sentence()
        if kind == "indirect":
            c.add(lead)
            c.add(f"{r.choice(NOUN)} {r.choice(VERB)} the {r.choice(ADJ)} {r.choice(NOUN)}")
            if r.random() < 0.4:
                c.add(" in ")
                self.mention(c, self.pick("GPE|LOC", set()))
            c.add(f" {self.subord()}")
            return c
        if kind == "mixed":
            c.add(f"a {r.choice(ADJ)} {r.choice(NOUN)}")
            return c
        words = self.filler()[:-1]
        c.add(words)
        if r.random() < 0.5:
            c.add(f" and we will not accept any {r.choice(ADJ)} {r.choice(NOUN)} in ")
            self.mention(c, self.pick("GPE", set()))
        if r.random() < 0.4:
            c.add(f". {self.filler()[:-1]}")
        c.add(end)
        return c

    def quote_sentence(self) -> Sentence:
        r = self.rng
        kind = r.choices(["direct", "indirect", "mixed"], [0.6, 0.3, 0.1])[0]
        quote = {"kind": kind, "speaker": None, "cue": None, "content": None}
        tokens = r.choice(
            _DIRECT if kind == "direct" else _INDIRECT if kind == "indirect" else _MIXED
        )
        # '{S} said: "{c}"' ends the quoted words with a full stop; 'According to {S}, {c}.' has no "that"
        end = "." if tokens[-1] == ("lit", '"') else ","
        lead = "the " if tokens[0] == ("C", "According to") else "that the "
        content = self.quote_content(kind, lead, end)
        s = self.render(tokens, quote=quote, content=content)
        self.quotes.append(quote)
        return s

    def mention_sentence(self) -> Sentence:
        return self.render(self.rng.choice(_MENTIONS))

    def filler_sentence(self) -> Sentence:
        s = Sentence()
        s.add(self.filler())
        return s


def _span_text(text: str) -> str:
    """The YAML `text` of a span: abbreviated as 'first … last' words when longer than 200."""
    if len(text) > ABBREVIATE_FROM:
        words = text.split(" ")
        if len(words) > 10 and all(words[:5]) and all(words[-5:]):
            return " ".join(words[:5]) + ELLIPSIS + " ".join(words[-5:])
    return text


def _span(sp: list | None) -> str:
    if sp is None:
        return "null"
    return f"{{start: {sp[0]}, end: {sp[1]}, text: {_q(_span_text(sp[2]))}}}"


def _headline(a: _Article) -> str:
    r = a.rng
    p1, p2 = a.pick("PER", set()), a.pick("PER", set())
    g = a.pick("GPE", set())
    forms = [
        f"{p1.name} and {p2.name} discuss {a.phrase()} in {g.name}",
        f"{g.name}: {r.choice(NOUN).capitalize()} {r.choice(VERB)} as {p1.name} meets {p2.name}",
        f"{p1.name} warns of {a.phrase()} over {g.name}",
        f"Talks on {a.phrase()} resume in {g.name}",
        f"{p1.name} says {r.choice(NOUN)} in {g.name} {r.choice(VERB)}",
    ]
    return r.choice(forms)


def article(
    i: int, seed: int, by_type: dict[str, list[Entity]], weights: dict[str, list[float]]
) -> tuple[str, str, str]:
    """(article id, raw.txt, article.yaml) of article number ``i``."""
    rng = random.Random(f"articlepack-synth:{seed}:{i}")
    start = dt.date(2012, 1, 1).toordinal()
    published = dt.date.fromordinal(start + rng.randrange(12 * 365))
    a = _Article(rng, by_type, weights, published)
    publisher, domain = rng.choice(PUBLISHERS)
    pub_basis = rng.choices(["stated", "inferred", "unknown"], [0.8, 0.15, 0.05])[0]
    date_basis = "stated" if rng.random() < 0.93 else "inferred"
    agency = rng.choice(AGENCIES) if rng.random() < 0.5 else None
    tags = rng.sample(SECTIONS, rng.randint(1, 4))
    target = rng.randint(2000, 8000)

    # -- sentences of the body
    body: list[Sentence] = []
    n_events, n_quotes, n_mentions = rng.randint(3, 7), rng.randint(2, 4), rng.randint(30, 50)
    body += [a.event_sentence() for _ in range(n_events)]
    body += [a.quote_sentence() for _ in range(n_quotes)]
    while len(a.mentions) < n_mentions:
        body.append(a.mention_sentence())
    rng.shuffle(body)
    dateline = None
    if agency:
        dateline = Sentence()
        city = a.pick("GPE", set())
        a.mentions.append(dateline.span(city.name.upper(), city.id))
        dateline.add(f" ({agency}) -")
    size = sum(s.n + 1 for s in body)
    boiler = 700
    while size + boiler < target:
        s = a.filler_sentence()
        body.insert(rng.randrange(len(body) + 1), s)
        size += s.n + 1

    # -- lay out raw.txt
    parts: list[str] = []
    pos = 0

    def emit(text: str) -> int:
        nonlocal pos
        at = pos
        parts.append(text)
        pos += len(text)
        return at

    pub_str = f"{MONTHS[published.month - 1]} {published.day}, {published.year}"
    pub_sp = [0, len(publisher), publisher]
    emit(publisher)
    emit(
        " | "
        + " | ".join(tags)
        + " | Home | World | Politics | Business | Opinion | Video\nSkip to main content\n\n"
    )
    headline = _headline(a)
    t0 = emit(headline)
    title_sp = [t0, t0 + len(headline), headline]
    emit("\n\n")
    date_sp = None
    if date_basis == "stated":
        emit("Published: ")
        d0 = emit(pub_str)
        date_sp = [d0, d0 + len(pub_str), pub_str]
        emit(f" {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d} GMT\n")
    else:
        emit("Updated: a few days ago\n")
    author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    emit(f"By {author}" + (f" | {agency}" if agency else "") + "\n\n")

    segments: list[list] = []
    k = 0
    first = True
    while k < len(body):
        take = rng.choices([1, 2, 3, 4], [0.2, 0.35, 0.3, 0.15])[0]
        para = body[k : k + take]
        k += take
        if first and dateline is not None:
            para = [dateline, *para]
        first = False
        s0 = pos
        for j, s in enumerate(para):
            if j:
                emit(" ")
            base = emit(s.text)
            for sp in s.spans:
                sp[0] += base
                sp[1] += base
        segments.append([s0, pos])
        if k < len(body):
            emit("\n\nAdvertisement\n\n" if rng.random() < 0.05 else "\n\n")
    emit("\n\nRelated articles\n")
    emit(" | ".join(_headline(a) for _ in range(rng.randint(2, 4))))
    emit("\nTags: " + ", ".join(tags) + "\nShare: Facebook | X | WhatsApp | Telegram | Email\n\n")
    rights = f"Copyright (c) {published.year} {publisher}. All rights reserved."
    c0 = emit(f"Copyright (c) {published.year}")
    if date_basis == "inferred":
        y = str(published.year)
        date_sp = [c0 + len("Copyright (c) "), c0 + len("Copyright (c) ") + len(y), y]
    emit(f" {publisher}. All rights reserved.\n")
    raw = "".join(parts)
    raw_bytes = raw.encode("utf-8")
    for seg in segments:
        seg.append(raw[seg[0] : seg[1]])

    # -- ids in reading order
    a.mentions.sort(key=lambda sp: sp[0])
    mid = {id(sp): f"m{n}" for n, sp in enumerate(a.mentions, 1)}
    a.events.sort(key=lambda ev: ev["trigger"][0])
    a.quotes.sort(key=lambda q: min(q["cue"][0], q["content"][0]))

    slug_words = [w[:12] for w in _slug(headline).split("-") if len(w) > 2][:4] or ["news"]
    article_id = (
        f"{published.isoformat()}-{_slug(publisher)[:24].strip('-')}-{'-'.join(slug_words)}-{i:06d}"
    )
    record = f"{i:06d}_{hashlib.sha256(f'{seed}:{i}'.encode()).hexdigest()[:16]}"
    url = (
        f"https://www.{domain}/{published.year}/{published.month:02d}/{published.day:02d}/{'-'.join(slug_words)}"
        if rng.random() < 0.6
        else None
    )
    date_value = published.isoformat() if date_basis == "stated" else str(published.year)
    distribution = "full" if rng.random() < 0.8 else "standoff"

    out = [
        f"id: {article_id}",
        "source:",
        f"  record: {_q(record)}",
        f"  publisher: {_q(publisher) if pub_basis != 'unknown' else 'null'}",
        f"  publisher_basis: {pub_basis}",
        f"  publisher_evidence: {_span(pub_sp if pub_basis == 'stated' else None)}",
        f"  url: {_q(url) if url else 'null'}",
        f"  credited: [{_q(agency) if agency else ''}]",
        f"raw: {{sha256: {hashlib.sha256(raw_bytes).hexdigest()}}}",
        "published:",
        f'  date: "{date_value}"',
        f"  basis: {date_basis}",
        f"  evidence: {_span(date_sp)}",
        f"title: {_span(title_sp)}",
        "language: en",
        f"rights: {{statement: {_q(rights)}, distribution: {distribution}}}",
        f"tags: [{', '.join(_q(t) for t in tags)}]",
        f"annotators: [{', '.join(_q(x) for x in rng.sample(ANNOTATORS, rng.randint(1, 2)))}]",
        "body:",
    ]
    out += [f"  - {_span(sp)}" for sp in segments]
    out.append("mentions:")
    out += [
        f"  - {{id: {mid[id(sp)]}, start: {sp[0]}, end: {sp[1]}, text: {_q(sp[2])}, entity: {sp[3]}}}"
        for sp in a.mentions
    ]
    out.append("events:" if a.events else "events: []")
    for n, ev in enumerate(a.events, 1):
        out += [
            f"  - id: e{n}",
            f"    type: {ev['type']}",
            f"    mode: {ev['mode'] or 'null'}",
            f"    realis: {ev['realis']}",
            f"    trigger: {_span(ev['trigger'])}",
            f"    actors: [{', '.join(mid[id(sp)] for sp in ev['actors'])}]",
            f"    recipients: [{', '.join(mid[id(sp)] for sp in ev['recipients'])}]",
            f"    location: {mid[id(ev['location'])] if ev['location'] else 'null'}",
            f"    date: {_q(ev['date']) if ev['date'] else 'null'}",
            f"    date_evidence: {_span(ev['date_evidence'])}",
            f"    context: [{', '.join(ev['context'])}]",
        ]
    out.append("quotes:" if a.quotes else "quotes: []")
    for n, q in enumerate(a.quotes, 1):
        out += [
            f"  - id: q{n}",
            f"    speaker: {mid[id(q['speaker'])] if q['speaker'] else 'null'}",
            f"    kind: {q['kind']}",
            f"    cue: {_span(q['cue'])}",
            f"    content: {_span(q['content'])}",
        ]
    return article_id, raw, "\n".join(out) + "\n"


# -- the project ---------------------------------------------------------------------------------

_STATE: dict[str, object] = {}


def _init_worker(seed: int) -> None:
    ents = entities(seed)
    by_type: dict[str, list[Entity]] = {}
    for e in ents:
        by_type.setdefault(e.type, []).append(e)
    weights = {k: [1.0 / (rank + 1) ** 0.7 for rank in range(len(v))] for k, v in by_type.items()}
    _STATE.update(by_type=by_type, weights=weights, seed=seed)


def _write_range(root: str, lo: int, hi: int) -> list[str]:
    by_type, weights, seed = _STATE["by_type"], _STATE["weights"], _STATE["seed"]
    base = os.path.join(root, "corpus", "articles")
    ids = []
    for i in range(lo, hi):
        article_id, raw, yaml_text = article(i, seed, by_type, weights)  # type: ignore[arg-type]
        folder = os.path.join(base, article_id)
        os.mkdir(folder)
        with open(os.path.join(folder, "raw.txt"), "wb") as fh:
            fh.write(raw.encode("utf-8"))
        with open(os.path.join(folder, "article.yaml"), "wb") as fh:
            fh.write(yaml_text.encode("utf-8"))
        ids.append(article_id)
    return ids


def fingerprint(seed: int = 0, sample: int = 20) -> str:
    """A hash of what the generator writes (the registry and the first articles) for ``seed``.

    Caches of generated projects are keyed by it, so reformatting this file keeps them while any
    change to the output invalidates them.
    """
    _init_worker(seed)
    digest = hashlib.sha256(GENERATOR_VERSION.encode())
    digest.update(entities_yaml(entities(seed)).encode())
    for i in range(sample):
        for part in article(i, seed, _STATE["by_type"], _STATE["weights"]):  # type: ignore[arg-type]
            digest.update(part.encode() + b"\0")
    return digest.hexdigest()[:16]


def dataset_yaml(n: int, seed: int) -> str:
    return (
        f"name: synthetic-news-{n}\n"
        f"title: Synthetic News Corpus ({n:,} articles, seed {seed})\n"
        "version: 1.0.0\n"
        "description: >-\n"
        "  Synthetic annotated news articles generated by benchmarks/synth.py for articlepack's\n"
        "  performance benchmarks. Names, texts and events are invented.\n"
        "license: CC-BY-4.0\n"
        "text_rights: >-\n"
        "  The texts are machine-generated and carry no third-party rights.\n"
        "contributors:\n"
        "  - {name: articlepack benchmarks, roles: [creator], email: null}\n"
        f"hub: {{repo: articlepack-bench/synthetic-news-{n}}}\n"
        "keywords: [benchmark, synthetic, news, event data]\n"
        "homepage: null\n"
    )


def generate(root: Path, n: int, seed: int = 0, *, workers: int | None = None) -> Path:
    """Write a valid dataset project of ``n`` synthetic articles into ``root`` (absent or empty)."""
    import articlepack

    root = Path(root)
    articlepack.init(root)
    articles_dir = root / "corpus" / "articles"
    shutil.rmtree(articles_dir)
    articles_dir.mkdir()
    (root / "corpus" / "dataset.yaml").write_text(dataset_yaml(n, seed), encoding="utf-8")
    (root / "corpus" / "entities.yaml").write_text(entities_yaml(entities(seed)), encoding="utf-8")
    workers = workers or min(os.cpu_count() or 1, 8)
    step = 500
    ranges = [(i, min(i + step, n)) for i in range(0, n, step)]
    ids: list[str] = []
    if workers > 1 and n >= 1000:
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(seed,)) as pool:
            for part in pool.map(
                _write_range, [str(root)] * len(ranges), *zip(*ranges, strict=True)
            ):
                ids += part
    else:
        _init_worker(seed)
        for lo, hi in ranges:
            ids += _write_range(str(root), lo, hi)
    if len(set(ids)) != len(ids):  # pragma: no cover - ids embed the index
        raise RuntimeError("duplicate article ids")
    return root.resolve()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the project folder to create (absent or empty)")
    parser.add_argument("--articles", "-n", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    t = time.perf_counter()
    try:
        path = generate(args.out, args.articles, args.seed, workers=args.workers)
    except FileExistsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.articles:,} articles to {path} in {time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
