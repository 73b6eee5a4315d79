"""Hypothesis strategies: random *valid* corpora, single mutations that must each be caught, and
hostile bytes.

Corpora come from the benchmarks' generator (``benchmarks/synth.py``: one generator, one writer
of the format), driven by a hypothesis-drawn random source, with a style drawn too: densities
from none to three times the bundled corpus's, short texts, CRLF line endings or not, spans
abbreviated or not, and words that are hard on a YAML writer and on offsets (accents, other
scripts, the astral plane, YAML's own characters) mixed into the text and the entity names.

Profiles: ``ci`` (default; fixed seed, a few dozen examples, no deadline) and ``fuzz``
(2,000 examples), chosen by the ``HYPOTHESIS_PROFILE`` environment variable.
"""

from __future__ import annotations

import copy
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus_format import dump, write_article  # noqa: E402
from synth import dataset_doc, project, write_entities  # noqa: E402
from synth_article import Article, Style, article  # noqa: E402
from synth_words import ELLIPSIS, by_type, registry, words  # noqa: E402

__all__ = ["Article", "Corpus", "corpora", "dump", "hostile_bytes", "mutations", "write_corpus"]

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


@dataclass
class Corpus:
    entities: list[dict[str, Any]]
    articles: list[Article] = field(default_factory=list)

    def copy(self) -> Corpus:
        return copy.deepcopy(self)


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
def styles(draw: st.DrawFn) -> Style:
    """How the articles of a corpus are written: any density up to thrice the bundled corpus's."""
    return Style(
        per_kb={
            "mentions": draw(st.sampled_from([0.0, 5.0, 14.0, 40.0])),
            "events": draw(st.sampled_from([0.0, 1.0, 3.6, 10.0])),
            "quotes": draw(st.sampled_from([0.0, 1.0, 3.3, 10.0])),
        },
        raw_kb=(0.7, 1.6),
        hostile=draw(st.sampled_from([0.0, 0.3, 1.0])),
        crlf=draw(st.booleans()),
        abbreviate=draw(st.sampled_from([0.0, 0.5, 1.0])),
        years=(1990, 2030),
    )


@st.composite
def corpora(draw: st.DrawFn) -> Corpus:
    """A valid corpus of one to three articles; its registry holds the entities they name."""
    rng = draw(st.randoms(use_true_random=False), label="random source")
    style = draw(styles(), label="style")
    entities = registry(rng, draw(st.integers(1, 12), label="entities"), hostile=style.hostile)
    grouped, weights = by_type(entities)
    count = draw(st.integers(1, 3), label="articles")
    articles = [article(i, rng, style, grouped, weights) for i in range(count)]
    named = {m["entity"] for a in articles for m in a.doc["mentions"]}
    return Corpus([e.doc() for e in entities if e.id in named], articles)


def write_corpus(corpus: Corpus, root: Path) -> Path:
    """A dataset project at ``root``: ``init``'s skeleton made the generator's own, then the
    corpus's entities and articles, all through the one writer of the format."""
    root = project(root, dataset_doc(len(corpus.articles), 0, "hypothesis"))
    write_entities(root, corpus.entities)
    for a in corpus.articles:
        write_article(root / "corpus" / "articles" / a.folder, a.raw, a.doc)
    return root


# -- mutations that must each be caught --------------------------------------------------------


def span_paths(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Paths of every span mapping in an article document."""
    out: list[tuple[Any, ...]] = [
        path
        for path in (("source", "publisher_evidence"), ("published", "evidence"), ("title",))
        if get(doc, path) is not None
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
            "swap-word": draw(st.sampled_from(words().hostile)),
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
