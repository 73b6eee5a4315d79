"""One synthetic news article: its raw text and its article.yaml document, every span computed from
the text it was cut from.

The sentences (:mod:`synth_sentences`) are laid out like a news page: boilerplate (banner,
headline, date line, byline, related links, share line, copyright footer) around paragraphs of
one to three sentences, each paragraph a body segment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass
from typing import Any

from synth_sentences import Sentence, Style, Writer
from synth_words import ELLIPSIS, Entity, slug, words

__all__ = ["Article", "Style", "article"]

ABBREVIATE_FROM = 200  # characters: longer spans may write their text as "first … last" words


@dataclass
class Article:
    """An article folder's content: its id (the folder's name), raw.txt and article.yaml's data."""

    folder: str
    raw: str
    doc: dict[str, Any]


def _cast(
    rng: random.Random, by_type: dict[str, list[Entity]], weights: dict[str, list[float]]
) -> dict[str, list[Entity]]:
    """The entities one article is about: a few of each type, the well-known more often."""
    cast: dict[str, list[Entity]] = {}
    sizes = {"PER": (3, 6), "ORG": (2, 4), "GPE": (2, 4), "LOC": (1, 2), "FAC": (1, 2)}
    for kind, (lo, hi) in sizes.items():
        pool = by_type.get(kind, [])
        if not pool:
            continue
        k = min(rng.randint(lo, hi), len(pool))
        picked: dict[str, Entity] = {}
        while len(picked) < k:
            for e in rng.choices(pool, weights[kind], k=k):
                picked.setdefault(e.id, e)
        cast[kind] = list(picked.values())[:k]
    return cast


def _span_text(text: str, abbreviate: bool) -> str:
    """A span's ``text``: abbreviated as 'first … last' words when long and asked to."""
    if abbreviate and len(text) > ABBREVIATE_FROM and ELLIPSIS not in text:
        parts = text.split(" ")
        if len(parts) > 10 and all(parts[:5]) and all(parts[-5:]):
            return " ".join(parts[:5]) + ELLIPSIS + " ".join(parts[-5:])
    return text


def _headline(a: Writer) -> str:
    p1, p2, g = a.pick("PER", set()), a.pick("PER", set()), a.pick("GPE", set())
    template = a.rng.choice(words().lists["headlines"])
    noun = a.word("noun")
    return template.format(
        P=p1.name,
        P2=p2.name,
        G=g.name,
        x=a.phrase(),
        N=noun[:1].upper() + noun[1:],
        n=a.word("noun"),
        v=a.word("verb"),
    )


def article(
    i: int,
    rng: random.Random,
    style: Style,
    by_type: dict[str, list[Entity]],
    weights: dict[str, list[float]],
) -> Article:
    """Article number ``i``, drawn from ``rng``, about entities of ``by_type``."""
    lists = words().lists
    first, last = style.years
    start = dt.date(first, 1, 1).toordinal()
    published = dt.date.fromordinal(rng.randrange(start, dt.date(last, 12, 31).toordinal() + 1))
    a = Writer(rng, style, _cast(rng, by_type, weights), published)
    publisher = rng.choice(words().publishers)
    pub_basis = rng.choices(["stated", "inferred", "unknown"], [0.8, 0.15, 0.05])[0]
    date_basis = "stated" if rng.random() < 0.93 else "inferred"
    agency = rng.choice(lists["agencies"]) if rng.random() < 0.5 else None
    tags = rng.sample(lists["sections"], rng.randint(1, 4))
    body = a.body(round(rng.uniform(*style.raw_kb) * 1000))
    dateline = None
    if agency:
        dateline = Sentence()
        city = a.pick("GPE", set())
        a.mentions.append(dateline.span(city.name.upper(), city.id))
        dateline.add(f" ({agency}) -")

    # -- raw.txt, laid out piece by piece: each piece's offset is where it lands
    parts: list[str] = []
    pos = 0

    def emit(text: str) -> int:
        nonlocal pos
        if style.crlf:
            text = text.replace("\n", "\r\n")
        at = pos
        parts.append(text)
        pos += len(text)
        return at

    name = publisher["name"]
    pub_sp = [emit(name), pos, name]
    emit(" | " + " | ".join(tags) + " | Home | World | Politics | Business | Opinion | Video\n")
    emit("Skip to main content\n\n")
    headline = _headline(a)
    title_sp = [emit(headline), pos, headline]
    emit("\n\n")
    date_sp = None
    stamp = f"{lists['months'][published.month - 1]} {published.day}, {published.year}"
    if date_basis == "stated":
        emit("Published: ")
        date_sp = [emit(stamp), pos, stamp]
        emit(f" {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d} GMT\n")
    else:
        emit("Updated: a few days ago\n")
    author = f"{rng.choice(lists['first_names'])} {rng.choice(lists['last_names'])}"
    emit(f"By {author}" + (f" | {agency}" if agency else "") + "\n\n")
    segments: list[list[Any]] = []
    k = 0
    while k < len(body):
        take = rng.choices([1, 2, 3], [0.35, 0.45, 0.2])[0]  # as short as the bundled corpus's
        paragraph = body[k : k + take]
        if k == 0 and dateline is not None:
            paragraph = [dateline, *paragraph]
        k += take
        begin = pos
        for j, s in enumerate(paragraph):
            if j:
                emit(" ")
            s.shift(emit(s.text))
        segments.append([begin, pos])
        if k < len(body):
            emit("\n\nAdvertisement\n\n" if rng.random() < 0.05 else "\n\n")
    emit("\n\nRelated articles\n")
    emit(" | ".join(_headline(a) for _ in range(rng.randint(2, 4))))
    emit("\nTags: " + ", ".join(tags) + "\nShare: Facebook | X | WhatsApp | Telegram | Email\n\n")
    rights = f"Copyright (c) {published.year} {name}. All rights reserved."
    year_at = emit(f"Copyright (c) {published.year}") + len("Copyright (c) ")
    if date_basis == "inferred":
        date_sp = [year_at, year_at + 4, str(published.year)]
    emit(f" {name}. All rights reserved.\n")
    raw = "".join(parts)
    for seg in segments:
        seg.append(raw[seg[0] : seg[1]])

    # -- ids in reading order, then the document
    a.mentions.sort(key=lambda sp: sp[0])
    mid = {id(sp): f"m{n}" for n, sp in enumerate(a.mentions, 1)}
    a.events.sort(key=lambda ev: ev["trigger"][0])
    a.quotes.sort(key=lambda q: min(q["cue"][0], q["content"][0]))
    slug_words = [w[:12] for w in slug(headline).split("-") if len(w) > 2][:4] or ["news"]
    folder = f"{published.isoformat()}-{slug(name)[:24].strip('-')}-{'-'.join(slug_words)}-{i:06d}"
    url = None
    if rng.random() < 0.6:
        day = f"{published.year}/{published.month:02d}/{published.day:02d}"
        url = f"https://www.{publisher['domain']}/{day}/{'-'.join(slug_words)}"

    def span(sp: list[Any] | None) -> dict[str, Any] | None:
        if sp is None:
            return None
        text = _span_text(sp[2], style.abbreviate >= 1 or rng.random() < style.abbreviate)
        return {"start": sp[0], "end": sp[1], "text": text}

    def ref(sp: list[Any] | None) -> str | None:
        return None if sp is None else mid[id(sp)]

    doc: dict[str, Any] = {
        "id": folder,
        "source": {
            "record": f"{i:06d}_{hashlib.sha256(f'{folder}:{i}'.encode()).hexdigest()[:16]}",
            "publisher": name if pub_basis != "unknown" else None,
            "publisher_basis": pub_basis,
            "publisher_evidence": span(pub_sp if pub_basis == "stated" else None),
            "url": url,
            "credited": [agency] if agency else [],
        },
        "raw": {"sha256": hashlib.sha256(raw.encode("utf-8")).hexdigest()},
        "published": {
            "date": published.isoformat() if date_basis == "stated" else str(published.year),
            "basis": date_basis,
            "evidence": span(date_sp),
        },
        "title": span(title_sp),
        "language": "en",
        "rights": {
            "statement": rights,
            "distribution": "full" if rng.random() < 0.8 else "standoff",
        },
        "tags": tags,
        "annotators": rng.sample(lists["annotators"], rng.randint(1, 2)),
        "body": [span(seg) for seg in segments],
        "mentions": [
            {"id": mid[id(sp)], "start": sp[0], "end": sp[1], "text": sp[2], "entity": sp[3]}
            for sp in a.mentions
        ],
        "events": [
            {
                "id": f"e{n}",
                "type": ev["type"],
                "mode": ev["mode"],
                "realis": ev["realis"],
                "trigger": span(ev["trigger"]),
                "actors": [ref(sp) for sp in ev["actors"]],
                "recipients": [ref(sp) for sp in ev["recipients"]],
                "location": ref(ev["location"]),
                "date": ev["date"],
                "date_evidence": span(ev["date_evidence"]),
                "context": list(ev["context"]),
            }
            for n, ev in enumerate(a.events, 1)
        ],
        "quotes": [
            {
                "id": f"q{n}",
                "speaker": ref(q["speaker"]),
                "kind": q["kind"],
                "cue": span(q["cue"]),
                "content": span(q["content"]),
            }
            for n, q in enumerate(a.quotes, 1)
        ],
    }
    return Article(folder, raw, doc)
