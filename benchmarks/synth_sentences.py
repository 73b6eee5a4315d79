"""The sentences of a synthetic article, written to densities.

Sentences come from the templates of ``words.yaml``: an event's sentence makes the event and its
mentions (and, when events run short of their density, or mentions do not, a second event on the
same participants), a quote's sentence the quote, its speaker and the mentions within its words,
a mention sentence mentions alone, a filler sentence text alone. Which comes next is decided by
density: the layer (mentions, events or quotes) furthest below its target rows per KB of text so
far is served next, and filler is written only when none is below.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from synth_words import Entity, Template, words

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


class Sentence:
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
class Writer:
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

    def mention(self, s: Sentence, e: Entity) -> list[Any]:
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
        s: Sentence,
        event: dict[str, Any] | None = None,
        quote: dict[str, Any] | None = None,
        content: Sentence | None = None,
    ) -> Sentence:
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

    def event_sentence(self, second: bool) -> Sentence:
        """An event's sentence; with ``second``, a second event on the same participants."""
        kind = self.rng.choice(words().events)
        event = self._event(kind)
        s = self.render(kind["tokens"][:-1], Sentence(), event=event)  # all but the full stop
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

    def quote_content(self, kind: str, lead: str, end: str) -> Sentence:
        r, c = self.rng, Sentence()
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

    def quote_sentence(self) -> Sentence:
        kind = self.rng.choices(["direct", "indirect", "mixed"], [0.6, 0.3, 0.1])[0]
        quote: dict[str, Any] = {"kind": kind, "speaker": None, "cue": None, "content": None}
        tokens = self.rng.choice(words().quotes[kind])
        # '{S} said: "{c}"' ends the quoted words with a full stop; 'According to {S}, {c}.' has no "that"
        end = "." if tokens[-1] == ("lit", '"') else ","
        lead = "the " if tokens[0] == ("C", "According to") else "that the "
        content = self.quote_content(kind, lead, end)
        s = self.render(tokens, Sentence(), quote=quote, content=content)
        self.quotes.append(quote)
        return s

    def mention_sentence(self) -> Sentence:
        return self.render(self.rng.choice(words().mention_sentences), Sentence())

    def filler_sentence(self) -> Sentence:
        s = Sentence()
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

    def body(self, target: int) -> list[Sentence]:
        """Sentences until the article reaches ``target`` characters, serving densities first."""
        out: list[Sentence] = []
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
