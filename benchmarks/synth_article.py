"""One synthetic news article: its raw text and its article.yaml document, every span computed from
the text it was cut from.

Sentences come from the templates of ``words.yaml``: an event's sentence makes the event and its
mentions (and, when events run short of their density, a second event on the same participants),
a quote's sentence the quote, its speaker and the mentions within its words, a mention sentence
mentions alone, a filler sentence text alone. Which comes next is decided by density: the layer
(mentions, events or quotes) furthest below its target rows per KB of text so far is served
next, and filler is written only when none is below. The text is laid out like a news page:
boilerplate (banner, headline, date line, byline, related links, share line, copyright footer)
around paragraphs of one to four sentences, each paragraph a body segment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from synth_words import ELLIPSIS, Entity, Template, slug, words

ABBREVIATE_FROM = 200  # characters: longer spans may write their text as "first … last" words
BOILERPLATE = 600  # characters of boilerplate an article has, about: counted before it is laid out
SENTENCE = 150  # characters in a sentence, about
LAYERS = ("mentions", "events", "quotes")  # what the densities of a style are given for


@dataclass(frozen=True)
class Style:
    """How articles are written: densities (rows per KB of raw.txt, by layer), size and noise."""

    per_kb: dict[str, float]
    raw_kb: tuple[float, float] = (2.0, 6.0)  # raw.txt size, drawn uniformly between these
    hostile: float = 0.0  # share of words drawn from the hostile list (tests)
    crlf: bool = False  # CRLF line endings (offsets then count the CR)
    abbreviate: float = 1.0  # share of spans over ABBREVIATE_FROM characters written abbreviated
    years: tuple[int, int] = (2012, 2023)  # publication years


@dataclass
class Article:
    """An article folder's content: its id (the folder's name), raw.txt and article.yaml's data."""

    folder: str
    raw: str
    doc: dict[str, Any]


class _Sentence:
    """Text built piece by piece; each span is [start, end, text, *extra], offsets relative."""

    __slots__ = ("n", "parts", "spans")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.n = 0
        self.spans: list[list[Any]] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.n += len(text)

    def span(self, text: str, *extra: object) -> list[Any]:
        sp = [self.n, self.n + len(text), text, *extra]
        self.add(text)
        self.spans.append(sp)
        return sp

    def shift(self, base: int) -> None:
        for sp in self.spans:
            sp[0] += base
            sp[1] += base

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class _Writer:
    """Everything one article's sentences draw on: its random source, style, cast and dates."""

    rng: random.Random
    style: Style
    cast: dict[str, list[Entity]]
    published: dt.date
    mentions: list[list[Any]] = field(default_factory=list)  # [start, end, text, entity id]
    events: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)

    def word(self, kind: str) -> str:
        """A word of ``kind`` (adj, noun, verb, prep, adv), or a hostile one."""
        if self.style.hostile and self.rng.random() < self.style.hostile:
            return self.rng.choice(words().hostile)
        return self.rng.choice(words().lists[kind])

    def filler(self) -> str:
        w, r = self.word, self.rng
        form = r.randrange(4)
        if form == 0:
            s = f"the {w('adj')} {w('noun')} {w('verb')} the {w('noun')} {w('prep')} the {w('adj')} {w('noun')}"
        elif form == 1:
            s = (
                f"{w('adv')}, the {w('noun')} {w('verb')} the {w('adj')} {w('noun')} and "
                f"{w('verb')} the {w('noun')} {w('prep')} the {w('noun')}"
            )
        elif form == 2:
            s = f"the {w('noun')} of the {w('noun')} {w('verb')} the {w('adj')} {w('noun')}, {self.subord()}"
        else:
            s = (
                f"at least {r.randint(2, 90)} {w('noun')} {w('verb')} the {w('adj')} {w('noun')} "
                f"{w('prep')} the {w('noun')} {w('prep')} the {w('adj')} {w('noun')}"
            )
        return s[0].upper() + s[1:] + "."

    def subord(self) -> str:
        template = self.rng.choice(words().lists["subord"])
        return template.format(
            n=self.word("noun"), v=self.word("verb"), a=self.word("adj"), p=self.word("prep")
        )

    def phrase(self) -> str:
        return (
            f"{self.word('adj')} {self.word('noun')}"
            if self.rng.random() < 0.6
            else self.word("noun")
        )

    def pick(self, kinds: str, avoid: set[str]) -> Entity:
        """A cast member of one of ``kinds`` (any, if the cast has none), not in ``avoid`` if
        there is one."""
        options = [e for k in kinds.split("|") for e in self.cast.get(k, [])]
        options = options or [e for members in self.cast.values() for e in members]
        return self.rng.choice([e for e in options if e.id not in avoid] or options)

    def mention(self, s: _Sentence, e: Entity) -> list[Any]:
        surfaces = e.surfaces
        surface = (
            surfaces[0]
            if len(surfaces) == 1 or self.rng.random() < 0.55
            else self.rng.choice(surfaces[1:])
        )
        sp = s.span(surface, e.id)
        self.mentions.append(sp)
        return sp

    def past_date(self) -> tuple[str, str]:
        """(evidence text, resolved ISO date) for a date on or before publication."""
        r, pub = self.rng, self.published
        form = r.randrange(6)
        if form == 0:
            return "today", pub.isoformat()
        if form == 1:
            return "yesterday", (pub - dt.timedelta(days=1)).isoformat()
        if form == 2:
            day = pub - dt.timedelta(days=r.randint(1, 6))
            return f"on {words().lists['weekdays'][day.weekday()]}", day.isoformat()
        if form == 3:
            day = pub - dt.timedelta(days=r.randint(1, 40))
            return f"on {words().lists['months'][day.month - 1]} {day.day}", day.isoformat()
        if form == 4:
            return "earlier this month", pub.isoformat()[:7]
        return "last year", str(pub.year - 1)

    def future_date(self) -> tuple[str, str]:
        pub = self.published
        if self.rng.random() < 0.5:
            nxt = (pub.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            return "next month", nxt.isoformat()[:7]
        return "next year", str(pub.year + 1)

    def render(
        self,
        tokens: Template,
        s: _Sentence,
        event: dict[str, Any] | None = None,
        quote: dict[str, Any] | None = None,
        content: _Sentence | None = None,
    ) -> _Sentence:
        """Append ``tokens`` to ``s``, filling in the event or quote they belong to."""
        used: set[str] = set()
        for kind, arg in tokens:
            if kind == "lit":
                s.add(arg)
            elif kind in ("A", "R", "L", "M", "S"):
                e = self.pick(arg, used)
                used.add(e.id)
                sp = self.mention(s, e)
                if event is not None and kind in "ARL":
                    role = {"A": "actors", "R": "recipients"}.get(kind)
                    if role:
                        event[role].append(sp)
                    else:
                        event["location"] = sp
                elif quote is not None and kind == "S":
                    quote["speaker"] = sp
            elif kind == "T":
                assert event is not None
                event["trigger"] = s.span(arg)
            elif kind in ("D", "F"):
                assert event is not None
                text, date = self.past_date() if kind == "D" else self.future_date()
                if self.rng.random() < 0.15:  # no date in the text: the date stays unknown
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
                content.shift(base)
                s.spans += content.spans
            else:
                s.add(self.fill(kind))
        return s

    def fill(self, kind: str) -> str:
        """The words of a placeholder that is neither a mention nor an annotation."""
        if kind == "x":
            return self.phrase()
        if kind == "num":
            return str(self.rng.randint(2, 60))
        if kind == "s":
            return self.subord()
        return self.word({"a": "adj", "n": "noun", "v": "verb", "p": "prep"}[kind])

    @staticmethod
    def _event(kind: dict[str, Any]) -> dict[str, Any]:
        return {
            **{k: kind[k] for k in ("type", "mode", "realis", "context")},
            "actors": [],
            "recipients": [],
            "location": None,
            "date": None,
            "date_evidence": None,
            "trigger": None,
        }

    def event_sentence(self, second: bool) -> _Sentence:
        """An event's sentence; with ``second``, a second event on the same participants."""
        kind = self.rng.choice(words().events)
        event = self._event(kind)
        s = self.render(kind["tokens"][:-1], _Sentence(), event=event)  # all but the full stop
        self.events.append(event)
        if second:
            clause = self.rng.choice(words().event_clauses)
            follow = self._event(clause)
            follow["actors"], follow["recipients"] = (
                list(event["actors"]),
                list(event["recipients"]),
            )
            self.render(clause["tokens"], s, event=follow)
            self.events.append(follow)
        s.add(kind["tokens"][-1][1])
        return s

    def quote_content(self, kind: str, lead: str, end: str) -> _Sentence:
        r, c = self.rng, _Sentence()
        if kind == "indirect":
            c.add(lead)
            c.add(
                f"{self.word('noun')} {self.word('verb')} the {self.word('adj')} {self.word('noun')}"
            )
            if r.random() < 0.4:
                c.add(" in ")
                self.mention(c, self.pick("GPE|LOC", set()))
            c.add(f" {self.subord()}")
            return c
        if kind == "mixed":
            c.add(f"a {self.word('adj')} {self.word('noun')}")
            return c
        c.add(self.filler()[:-1])
        if r.random() < 0.5:
            c.add(f" and we will not accept any {self.word('adj')} {self.word('noun')} in ")
            self.mention(c, self.pick("GPE", set()))
        c.add(end)
        return c

    def quote_sentence(self) -> _Sentence:
        kind = self.rng.choices(["direct", "indirect", "mixed"], [0.6, 0.3, 0.1])[0]
        quote: dict[str, Any] = {"kind": kind, "speaker": None, "cue": None, "content": None}
        tokens = self.rng.choice(words().quotes[kind])
        # '{S} said: "{c}"' ends the quoted words with a full stop; 'According to {S}, {c}.' has no "that"
        end = "." if tokens[-1] == ("lit", '"') else ","
        lead = "the " if tokens[0] == ("C", "According to") else "that the "
        content = self.quote_content(kind, lead, end)
        s = self.render(tokens, _Sentence(), quote=quote, content=content)
        self.quotes.append(quote)
        return s

    def mention_sentence(self) -> _Sentence:
        return self.render(self.rng.choice(words().mention_sentences), _Sentence())

    def filler_sentence(self) -> _Sentence:
        s = _Sentence()
        s.add(self.filler())
        return s

    def counts(self) -> dict[str, int]:
        return {
            "mentions": len(self.mentions),
            "events": len(self.events),
            "quotes": len(self.quotes),
        }

    def neediest(self, size: int) -> str | None:
        """The layer furthest below its density at ``size`` characters, if any is below."""
        counts, kb, best, worst = self.counts(), size / 1000, None, 0.0
        for layer in LAYERS:
            target = self.style.per_kb.get(layer, 0.0)
            short = (target * kb - counts[layer]) / target if target > 0 else 0.0
            if short > worst:
                best, worst = layer, short
        return best

    def body(self, target: int) -> list[_Sentence]:
        """Sentences until the article reaches ``target`` characters, serving densities first."""
        out: list[_Sentence] = []
        size = BOILERPLATE
        while not out or size + SENTENCE / 2 < target:  # as near the target as a sentence allows
            layer = self.neediest(size)
            if layer == "events":  # two events on the same participants when two short,
                # or when mentions are not short (a second event names no one new)
                short = self.style.per_kb["events"] * size / 1000 - len(self.events)
                enough = len(self.mentions) >= self.style.per_kb.get("mentions", 0) * size / 1000
                s = self.event_sentence(second=short >= 2 or enough)
            elif layer == "quotes":
                s = self.quote_sentence()
            elif layer == "mentions":
                s = self.mention_sentence()
            else:
                s = self.filler_sentence()
            out.append(s)
            size += s.n + 1
        self.rng.shuffle(out)
        return out


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


def _headline(a: _Writer) -> str:
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
    a = _Writer(rng, style, _cast(rng, by_type, weights), published)
    publisher = rng.choice(words().publishers)
    pub_basis = rng.choices(["stated", "inferred", "unknown"], [0.8, 0.15, 0.05])[0]
    date_basis = "stated" if rng.random() < 0.93 else "inferred"
    agency = rng.choice(lists["agencies"]) if rng.random() < 0.5 else None
    tags = rng.sample(lists["sections"], rng.randint(1, 4))
    body = a.body(round(rng.uniform(*style.raw_kb) * 1000))
    dateline = None
    if agency:
        dateline = _Sentence()
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
