"""Hypothesis strategies: random *valid* corpora (raw texts from random words, with every offset,
mention, event, quote and entity computed to fit), single mutations that must each be caught, and
hostile bytes.

Profiles: ``ci`` (default; fixed seed, a few dozen examples, no deadline) and ``fuzz``
(2,000 examples), chosen by the ``HYPOTHESIS_PROFILE`` environment variable.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import articlepack
from articlepack.schema import load_schemas

_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=30,
    deadline=None,
    suppress_health_check=_SLOW_IS_FINE,
    print_blob=True,
)
settings.register_profile(
    "fuzz", max_examples=2000, deadline=None, suppress_health_check=_SLOW_IS_FINE, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]
_SCHEMAS = load_schemas(ROOT / "src" / "articlepack" / "templates" / "project" / "schemas")


def _enum(table: str, column: str) -> list[str]:
    return list(_SCHEMAS[table].field(column)["constraints"]["enum"])


EVENT_TYPES = _enum("events", "type")
REALIS = _enum("events", "realis")
QUOTE_KINDS = _enum("quotes", "kind")
ENTITY_TYPES = _enum("entities", "type")
SECTORS = _enum("entities", "sector")
CONTEXTS = list(_SCHEMAS["events"].item("context")["enum"])
MODES = ["visit", "phone", "meet", "multilateral", "written"]
ELLIPSIS = " … "

# Words with accents, other scripts and an astral-plane character: offsets count code points.
WORDS = [
    "minister",
    "talks",
    "border",
    "ceasefire",
    "envoy",
    "summit",
    "agreed",
    "said",
    "met",
    "army",
    "rebels",
    "aid",
    "convoy",
    "sanctions",
    "treaty",
    "capital",
    "Moscow",
    "Damascus",
    "Geneva",
    "Müller",
    "Zürich",
    "naïve",
    "café",
    "Дамаск",
    "Москва",
    "北京",
    "دمشق",
    "Ελλάδα",
    "😀",
    "o'clock",
    "“quoted”",
    "well-known",
    "U.N.",
    "#hashtag",
    "key: value",
    "50%",
    "[bracket]",
    "{brace}",
    "a&b",
    "*star",
    "!bang",
    "|pipe",
    ">gt",
    "tab\tword",
    "100",
    "3.5",
    "true",
    "null",
    "~",
    "-",
    "?",
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


@dataclass
class Article:
    folder: str
    raw: str
    doc: dict[str, Any]


@dataclass
class Corpus:
    entities: list[dict[str, Any]]
    articles: list[Article] = field(default_factory=list)

    def copy(self) -> Corpus:
        return copy.deepcopy(self)


# -- building one article ----------------------------------------------------------------------


class _Text:
    """Raw text assembled piece by piece, remembering where each piece landed (code points)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def add(self, piece: str) -> tuple[int, int]:
        start = self.size
        self.parts.append(piece)
        self.size += len(piece)
        return start, self.size

    def text(self) -> str:
        return "".join(self.parts)


def span(raw: str, start: int, end: int, *, abbreviate: bool = False) -> dict[str, Any]:
    text = raw[start:end]
    if abbreviate and end - start > 200:
        words = text.split(" ")
        head, tail = " ".join(words[:3]), " ".join(words[-3:])
        if ELLIPSIS not in text and head and tail:
            text = f"{head}{ELLIPSIS}{tail}"
    return {"start": start, "end": end, "text": text}


def span_ok(raw: str, s: Any, e: Any, text: Any) -> bool:
    """The validator's rule for one span, restated (used to tell harmless mutations apart)."""
    if not (isinstance(s, int) and isinstance(e, int) and isinstance(text, str)):
        return False
    if s < 0 or e <= s or e > len(raw):
        return False
    actual = raw[s:e]
    if e - s > 200 and ELLIPSIS in text:
        head, _, tail = text.partition(ELLIPSIS)
        return actual.startswith(head) and actual.endswith(tail)
    return actual == text


@st.composite
def sentences(draw: st.DrawFn, min_words: int = 3, max_words: int = 40) -> list[str]:
    return draw(st.lists(st.sampled_from(WORDS), min_size=min_words, max_size=max_words))


@st.composite
def articles(draw: st.DrawFn, index: int, entity_ids: list[str]) -> Article:
    published = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)))
    folder = f"{published.isoformat()}-article-{index}"
    raw = _Text()
    publisher = " ".join(
        draw(
            st.lists(
                st.sampled_from(["Daily", "Gazette", "News", "Agency", "Post"]),
                min_size=1,
                max_size=3,
            )
        )
    )
    pub_span = raw.add(publisher)
    raw.add(" | World\n\n")
    title_span = raw.add(" ".join(draw(sentences(2, 10))))
    raw.add("\n\n")
    date_span = raw.add(f"{MONTHS[published.month - 1]} {published.day}, {published.year}")
    raw.add("\n\n")
    paragraphs: list[list[tuple[int, int]]] = []  # word spans per paragraph
    segments: list[tuple[int, int]] = []
    for p in range(draw(st.integers(1, 3))):
        if p:
            raw.add("\n\n")
        words = draw(sentences(3, 45))
        spans = []
        for i, word in enumerate(words):
            if i:
                raw.add(" ")
            spans.append(raw.add(word))
        paragraphs.append(spans)
        segments.append((spans[0][0], spans[-1][1]))
    raw.add("\n\nCopyright (c) the publisher.\n")
    if draw(st.booleans()):
        raw.parts = [p.replace("\n", "\r\n") if "\n" in p else p for p in raw.parts]  # CRLF text
        text = raw.text()
        # recompute every offset on the CRLF text: shift by the \r characters before it
        shift = _crlf_shift(raw.parts)
        pub_span, title_span, date_span = (shift(s) for s in (pub_span, title_span, date_span))
        paragraphs = [[shift(s) for s in para] for para in paragraphs]
        segments = [shift(s) for s in segments]
    else:
        text = raw.text()
    words = [w for para in paragraphs for w in para]

    def word_span(draw_: st.DrawFn) -> tuple[int, int]:
        return words[draw_(st.integers(0, len(words) - 1))]

    mentions = []
    for i in range(draw(st.integers(0, min(6, len(words))))):
        para = paragraphs[draw(st.integers(0, len(paragraphs) - 1))]
        first = draw(st.integers(0, len(para) - 1))
        last = draw(st.integers(first, min(first + 2, len(para) - 1)))
        mentions.append(
            {
                "id": f"m{i + 1}",
                **span(text, para[first][0], para[last][1]),
                "entity": draw(st.sampled_from(entity_ids)),
            }
        )
    mention_ids = [m["id"] for m in mentions]
    events = []
    for i in range(draw(st.integers(0, 3))):
        realis = draw(st.sampled_from(REALIS))
        date = None
        if draw(st.booleans()):
            day = draw(st.dates(max_value=published, min_value=published - dt.timedelta(days=400)))
            date = draw(
                st.sampled_from([day.isoformat(), day.isoformat()[:7], day.isoformat()[:4]])
            )
        evidence = word_span(draw) if date and draw(st.booleans()) else None
        picked = (
            st.lists(st.sampled_from(mention_ids), unique=True, max_size=2)
            if mention_ids
            else st.just([])
        )
        events.append(
            {
                "id": f"e{i + 1}",
                "type": draw(st.sampled_from(EVENT_TYPES)),
                "mode": draw(st.none() | st.sampled_from(MODES)),
                "realis": realis,
                "trigger": span(text, *word_span(draw)),
                "actors": draw(picked),
                "recipients": draw(picked),
                "location": draw(st.none() | st.sampled_from(mention_ids)) if mention_ids else None,
                "date": date,
                "date_evidence": span(text, *evidence) if evidence else None,
                "context": draw(st.lists(st.sampled_from(CONTEXTS), unique=True, max_size=2)),
            }
        )
    quotes = []
    for i in range(draw(st.integers(0, 2))):
        para = paragraphs[draw(st.integers(0, len(paragraphs) - 1))]
        first = draw(st.integers(0, len(para) - 1))
        last = draw(st.integers(first, len(para) - 1))
        quotes.append(
            {
                "id": f"q{i + 1}",
                "speaker": draw(st.none() | st.sampled_from(mention_ids)) if mention_ids else None,
                "kind": draw(st.sampled_from(QUOTE_KINDS)),
                "cue": span(text, *word_span(draw)),
                "content": span(text, para[first][0], para[last][1]),
            }
        )
    doc = {
        "id": folder,
        "source": {
            "record": f"record-{index}",
            "publisher": publisher,
            "publisher_basis": "stated",
            "publisher_evidence": span(text, *pub_span),
            "url": draw(st.none() | st.just(f"https://example.org/{index}")),
            "credited": draw(
                st.lists(st.sampled_from(["AFP", "Reuters", "AP"]), unique=True, max_size=2)
            ),
        },
        "raw": {"sha256": hashlib.sha256(text.encode()).hexdigest()},
        "published": {
            "date": published.isoformat(),
            "basis": "stated",
            "evidence": span(text, *date_span),
        },
        "title": span(text, *title_span),
        "language": "en",
        "rights": {
            "statement": "Copyright (c) the publisher.",
            "distribution": draw(st.sampled_from(["full", "standoff"])),
        },
        "tags": draw(
            st.lists(st.sampled_from(["World", "Politics", "Région"]), unique=True, max_size=2)
        ),
        "annotators": ["Annotator"],
        "body": [span(text, s, e, abbreviate=draw(st.booleans())) for s, e in segments],
        "mentions": mentions,
        "events": events,
        "quotes": quotes,
    }
    return Article(folder, text, doc)


def _crlf_shift(lf_parts: list[str]) -> Any:
    lf = "".join(p.replace("\r\n", "\n") for p in lf_parts)

    def shift(bounds: tuple[int, int]) -> tuple[int, int]:
        s, e = bounds
        return s + lf[:s].count("\n"), e + lf[:e].count("\n")

    return shift


@st.composite
def corpora(draw: st.DrawFn) -> Corpus:
    n = draw(st.integers(1, 4))
    entities = [
        {
            "id": f"entity-{i}",
            "name": draw(st.sampled_from(WORDS)),
            "type": draw(st.sampled_from(ENTITY_TYPES)),
            "aliases": draw(st.lists(st.sampled_from(WORDS), unique=True, max_size=2)),
            "country": draw(st.none() | st.sampled_from(["RUS", "SYR", "USA"])),
            "sector": draw(st.none() | st.sampled_from(SECTORS)),
            "wikidata": draw(st.none() | st.integers(1, 10**6).map(lambda q: f"Q{q}")),
        }
        for i in range(n)
    ]
    ids = [e["id"] for e in entities]
    count = draw(st.integers(1, 3))
    return Corpus(entities, [draw(articles(i, ids)) for i in range(count)])


# -- writing -----------------------------------------------------------------------------------


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**6)


def write_corpus(corpus: Corpus, root: Path) -> Path:
    """A dataset project at ``root``: the ``init`` template's dataset.yaml and schemas, then the
    generated entities and articles."""
    articlepack.init(root)
    articles_dir = root / "corpus" / "articles"
    shutil.rmtree(articles_dir)
    articles_dir.mkdir()
    (root / "corpus" / "entities.yaml").write_text(
        dump({"entities": corpus.entities}), encoding="utf-8"
    )
    for article in corpus.articles:
        folder = articles_dir / article.folder
        folder.mkdir()
        (folder / "raw.txt").write_bytes(article.raw.encode())
        (folder / "article.yaml").write_text(dump(article.doc), encoding="utf-8")
    return root


# -- mutations that must each be caught --------------------------------------------------------


def span_paths(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Paths of every span mapping in an article document."""
    out: list[tuple[Any, ...]] = [
        ("source", "publisher_evidence"),
        ("published", "evidence"),
        ("title",),
    ]
    out += [("body", i) for i in range(len(doc["body"]))]
    out += [("mentions", i) for i in range(len(doc["mentions"]))]
    for i, event in enumerate(doc["events"]):
        out.append(("events", i, "trigger"))
        if event["date_evidence"]:
            out.append(("events", i, "date_evidence"))
    for i in range(len(doc["quotes"])):
        out += [("quotes", i, "cue"), ("quotes", i, "content")]
    return out


def get(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


@dataclass
class Mutation:
    kind: str
    describe: str
    corpus: Corpus


@st.composite
def mutations(draw: st.DrawFn, corpus: Corpus) -> Mutation:
    """One random change to a valid corpus that the validator must report (exit 1)."""
    mutated = corpus.copy()
    article = draw(st.sampled_from(mutated.articles))
    doc = article.doc
    kind = draw(st.sampled_from(["offset", "span-text", "id", "reference", "hash", "raw"]))
    if kind == "offset":
        path = draw(st.sampled_from(span_paths(doc)))
        target = get(doc, path)
        end = draw(st.sampled_from(["start", "end"]))
        size = draw(st.integers(1, 8) | st.integers(9, 10**6))
        delta = size if draw(st.booleans()) else -size
        target[end] += delta
        if span_ok(article.raw, target["start"], target["end"], target["text"]):
            target["end"] = target["start"]  # the shift happened to land on the same text
        return Mutation(kind, f"{article.folder}: {path} {end} {delta:+}", mutated)
    if kind == "span-text":
        path = draw(st.sampled_from(span_paths(doc)))
        target = get(doc, path)
        how = draw(st.sampled_from(["append", "drop-first", "swap-word", "case"]))
        text = target["text"]
        new = {
            "append": text + "x",
            "drop-first": text[1:],
            "swap-word": draw(st.sampled_from(WORDS)),
            "case": text.swapcase(),
        }[how]
        if span_ok(article.raw, target["start"], target["end"], new):
            new = text + "\u2042"  # never in the raw text
        target["text"] = new
        return Mutation(kind, f"{article.folder}: {path} text {how}", mutated)
    if kind == "id":
        options = ["article"]
        for table in ("mentions", "events", "quotes"):
            if len(doc[table]) >= 2:
                options.append(f"duplicate-{table}")
            if doc[table]:
                options.append(f"pattern-{table}")
        if len(mutated.entities) >= 2:
            options.append("duplicate-entity")
        referenced = {m["entity"] for a in mutated.articles for m in a.doc["mentions"]}
        if referenced:
            options.append("rename-entity")
        choice = draw(st.sampled_from(options))
        if choice == "article":
            doc["id"] = draw(
                st.sampled_from([doc["id"] + "-x", "../../etc", doc["id"].upper(), "", "x" * 200])
            )
        elif choice.startswith("duplicate-") and choice != "duplicate-entity":
            items = doc[choice.removeprefix("duplicate-")]
            i, j = draw(
                st.lists(st.integers(0, len(items) - 1), min_size=2, max_size=2, unique=True)
            )
            items[j]["id"] = items[i]["id"]
        elif choice.startswith("pattern-"):
            items = doc[choice.removeprefix("pattern-")]
            items[draw(st.integers(0, len(items) - 1))]["id"] = draw(
                st.sampled_from(["M 1", "1m", "", "m/1"])
            )
        elif choice == "duplicate-entity":
            mutated.entities[1]["id"] = mutated.entities[0]["id"]
        else:
            old = draw(st.sampled_from(sorted(referenced)))
            next(e for e in mutated.entities if e["id"] == old)["id"] = "renamed-entity"
        return Mutation(kind, f"{article.folder}: {choice}", mutated)
    if kind == "reference":
        options = []
        if doc["mentions"]:
            options.append("entity")
        for i in range(len(doc["events"])):
            options.append(f"actor-{i}")
            options.append(f"location-{i}")
        options += [f"speaker-{i}" for i in range(len(doc["quotes"]))]
        if not options:
            return draw(mutations(corpus))
        choice = draw(st.sampled_from(options))
        if choice == "entity":
            doc["mentions"][draw(st.integers(0, len(doc["mentions"]) - 1))]["entity"] = "atlantis"
        elif choice.startswith("actor-"):
            doc["events"][int(choice[6:])]["actors"].append("m999")
        elif choice.startswith("location-"):
            doc["events"][int(choice[9:])]["location"] = "m999"
        else:
            doc["quotes"][int(choice[8:])]["speaker"] = "m999"
        return Mutation(kind, f"{article.folder}: {choice}", mutated)
    if kind == "hash":
        digest = doc["raw"]["sha256"]
        i = draw(st.integers(0, 63))
        doc["raw"]["sha256"] = digest[:i] + ("0" if digest[i] != "0" else "1") + digest[i + 1 :]
        return Mutation(kind, f"{article.folder}: sha256 digit {i}", mutated)
    i = draw(st.integers(0, len(article.raw) - 1))
    article.raw = article.raw[:i] + ("x" if article.raw[i] != "x" else "y") + article.raw[i + 1 :]
    return Mutation("raw", f"{article.folder}: raw.txt character {i}", mutated)


# -- hostile bytes -----------------------------------------------------------------------------

_YAMLISH = st.lists(
    st.sampled_from(list("-?:,[]{}#&*!|>'\"%@` \t\n\r\\0aZé€\ufeff\x00"))
    | st.sampled_from(["id: ", "start: ", "- ", "&a ", "*a ", "!!python/", "---\n", "...", "  "]),
    max_size=200,
).map("".join)


@st.composite
def hostile_bytes(draw: st.DrawFn, original: bytes) -> bytes:
    """Bytes to write over a corpus file: random, text-like, YAML-like, or the file spliced."""
    how = draw(st.sampled_from(["binary", "text", "yamlish", "splice", "truncate"]))
    if how == "binary":
        return draw(st.binary(max_size=2000))
    if how == "text":
        return draw(st.text(max_size=500)).encode("utf-8", "surrogatepass")
    if how == "yamlish":
        return draw(_YAMLISH).encode("utf-8", "surrogatepass")
    if how == "truncate":
        return original[: draw(st.integers(0, len(original)))]
    start = draw(st.integers(0, len(original)))
    end = draw(st.integers(start, min(len(original), start + 40)))
    insert = draw(
        st.binary(max_size=40) | _YAMLISH.map(lambda t: t.encode("utf-8", "surrogatepass"))
    )
    return original[:start] + insert + original[end:]
