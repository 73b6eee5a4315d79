"""Facts about a release, computed from its published tables: the numbers the card and RAI report,
and the Croissant RAI answers (each with its source). The usage terms are :mod:`.terms`'.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from articlepack import hub
from articlepack import rai as vocabulary
from articlepack.builder.release import creators
from articlepack.builder.terms import terms
from articlepack.builder.timeline import dated_rows, rows_of

if TYPE_CHECKING:
    import pyarrow

    from articlepack.agreement import Agreement
    from articlepack.schema import TableSchema

DATASET = "corpus/dataset.yaml"
GUIDELINES = "corpus/GUIDELINES.md"
_PRECISION = {10: "to the day", 7: "to the month", 4: "to the year"}


def compute(
    tables: dict[str, pyarrow.Table],
    dataset: dict[str, Any],
    schemas: Mapping[str, TableSchema],
    *,
    guidelines: str | None = None,
    agreement: Agreement | None = None,
) -> dict[str, Any]:
    """Counts, sources and statements derived from the published tables (never typed by hand).

    ``guidelines`` is the version that corpus/GUIDELINES.md states, if it states one;
    ``agreement`` is what the annotators' own versions in corpus/annotations/ give, if there are.
    """
    import pyarrow.compute as pc

    document = document_of(schemas)
    articles = tables[document].to_pylist()
    timeline = rows_of(tables, schemas)
    labelled = timeline["rows"] if timeline else None
    dated = dated_rows(labelled) if labelled is not None else None
    dates = sorted(a["published_date"] for a in articles)
    event_span = pc.min_max(dated.column("date")).as_py() if dated and dated.num_rows else None
    people, quoted_people = _people(tables)
    publishers = Counter(a["source_publisher"] or "unknown" for a in articles)
    credited = Counter(c for a in articles for c in a["source_credited"] or [])
    languages = sorted({a["language"] for a in articles})
    facts: dict[str, Any] = {
        "date_bases": date_bases(articles, dated),
        "timeline": timeline,
        "rows": {name: table.num_rows for name, table in tables.items()},
        "articles": articles,
        "records": sorted(a["source_record"] for a in articles),
        "languages": languages,
        "publishers": dict(sorted(publishers.items(), key=lambda kv: (-kv[1], kv[0]))),
        "credited": dict(sorted(credited.items(), key=lambda kv: (-kv[1], kv[0]))),
        "event_types": _counts(labelled.column("label")) if labelled is not None else {},
        "entity_types": _entity_types(tables, schemas),
        "published_span": (dates[0], dates[-1]) if dates else None,
        "event_span": (event_span["min"], event_span["max"]) if event_span else None,
        "standoff": sum(a["rights_distribution"] == "standoff" for a in articles),
        "people": people,
        "quoted_people": quoted_people,
        "annotators": sorted({n for a in articles for n in a["annotators"] or []}),
        "citation": citation(dataset),
        "empty_columns": _empty_columns(tables),
        "guidelines": guidelines,
        "document": document,
        "terms": terms(tables, schemas, dataset, document),
    }
    facts["agreement"] = agreement
    facts["rai"] = rai(dataset, facts)
    return facts


def document_of(schemas: Mapping[str, TableSchema]) -> str:
    """The table with one row per article.yaml (``rows: document``; ``articles`` by default)."""
    for name, schema in schemas.items():
        if schema.extension.get("rows") == "document":
            return name
    return "articles"


def _empty_columns(tables: dict[str, pyarrow.Table]) -> dict[str, int]:
    """``table.column`` -> rows, for every column that is null in every row of a non-empty table."""
    return {
        f"{name}.{column}": table.num_rows
        for name, table in tables.items()
        if table.num_rows
        for column in table.column_names
        if table.column(column).null_count == table.num_rows
    }


#: The tables and columns whose values :func:`_people` reads (where a scheme has them all).
PEOPLE = {
    "entities": {"id", "type"},
    "mentions": {"article_id", "id", "entity_id"},
    "quotes": {"article_id", "speaker"},
}


def _people(tables: dict[str, pyarrow.Table]) -> tuple[int, list[str]]:
    """People in the registry (type PER) and those a quote's speaker mentions, where the scheme
    has the bundled registry, mentions and quotes; (0, []) where it has not.

    Speakers are matched to their mentions by a join on (article, mention), each article as its
    place among the quoting articles: mentions are millions of rows at 100,000 articles."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if any(n not in tables or not c <= set(tables[n].column_names) for n, c in PEOPLE.items()):
        return 0, []
    entities, mentions, quotes = (tables[n] for n in ("entities", "mentions", "quotes"))
    persons = set(
        entities.filter(pc.equal(entities.column("type"), "PER")).column("id").to_pylist()
    )
    speaker = quotes.column("speaker")
    spoken = quotes.filter(pc.and_(pc.is_valid(speaker), pc.not_equal(speaker, "")))
    quoting = pc.unique(spoken.column("article_id")).cast(pa.string())
    said = pa.table(
        {
            "at": pc.index_in(spoken.column("article_id"), value_set=quoting),
            "id": spoken.column("speaker"),
        }
    )
    at = pc.index_in(mentions.column("article_id"), value_set=quoting)
    mentioned = pa.table(
        {"at": at, "id": mentions.column("id"), "entity": mentions.column("entity_id")}
    ).filter(pc.is_valid(at))
    matched = said.join(mentioned, ["at", "id"], join_type="left outer").column("entity")
    # a speaker with no mention (or a mention with no entity) counts as "None", as str() says
    quoted = {str(e) for e in pc.unique(matched).to_pylist()}
    return len(persons), sorted(quoted & persons)


def _entity_types(
    tables: dict[str, pyarrow.Table], schemas: Mapping[str, TableSchema]
) -> dict[str, int]:
    """Rows of the registry by its ``type``, where it has one."""
    for name, schema in schemas.items():
        rows = schema.extension.get("rows")
        if isinstance(rows, dict) and "registry" in rows and "type" in tables[name].column_names:
            return dict(sorted(Counter(tables[name].column("type").to_pylist()).items()))
    return {}


def _counts(column: pyarrow.ChunkedArray) -> dict[Any, int]:
    """Rows by value, in the order of the values."""
    counted = column.value_counts().to_pylist()
    return dict(sorted((c["values"], c["counts"]) for c in counted))


def date_bases(articles: list[dict[str, Any]], dated: pyarrow.Table | None) -> dict[str, Any]:
    """Per publication-date basis in use (no value is assumed): its articles, their dates, and the
    dated rows of the timeline of those articles, resolved against those publication dates."""
    import pyarrow as pa
    import pyarrow.compute as pc

    basis = {a["id"]: a["published_basis"] for a in articles}
    dates: dict[str, list[str]] = {b: [] for b in basis.values()}
    for a in articles:
        dates[a["published_basis"]].append(a["published_date"])
    events: dict[str, tuple[int, tuple[str, str]]] = {}
    if dated is not None and dated.num_rows and basis:
        at = pc.index_in(dated.column("article_id"), value_set=pa.array(list(basis)))
        known = pa.table(
            {"basis": pc.take(pa.array(list(basis.values())), at), "day": dated.column("date")}
        ).filter(pc.is_valid(at))
        counted = known.group_by("basis").aggregate([("day", "count"), ("day", "min_max")])
        found = (counted.column(c).to_pylist() for c in ("basis", "day_count", "day_min_max"))
        for b, n, span in zip(*found, strict=True):
            events[b] = (n, (span["min"], span["max"]))
    return {
        b: {
            "articles": len(published),
            "published_span": (min(published), max(published)),
            "events": events.get(b, (0, None))[0],
            "event_span": events[b][1] if b in events else None,
        }
        for b, published in sorted(dates.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    }


def citation(dataset: dict[str, Any]) -> str:
    authors = " and ".join(str(c.get("name")) for c in creators(dataset))
    repo = (dataset.get("hub") or {}).get("repo") if isinstance(dataset.get("hub"), dict) else None
    url = hub.dataset_url(repo) if repo else dataset.get("homepage") or ""
    key = str(dataset.get("name", "dataset")).replace("-", "_")
    fields = [
        f"  title = {{{dataset.get('title', '')}}}",
        f"  author = {{{authors or 'unknown'}}}",
        f"  version = {{{dataset.get('version', '')}}}",
    ]
    if url:
        fields.append(f"  url = {{{url}}}")
    return "@misc{" + key + ",\n" + ",\n".join(fields) + "\n}"


# -- Croissant RAI ------------------------------------------------------------------------------


def rai(dataset: dict[str, Any], facts: dict[str, Any]) -> list[dict[str, Any]]:
    """The answer to every property of the RAI vocabulary, in the order of ``data/rai.yaml``.

    Each answer is a list of parts ``{text, source}``; ``value`` is set where the answer has a form
    of its own (a time interval, a list of terms) that Croissant carries without the prose.
    """
    given = dataset.get("rai")
    written = given if isinstance(given, dict) else {}
    computed = _computed(facts)
    answers = []
    for name, prop in vocabulary.properties().items():
        parts: list[dict[str, str]] = []
        value: str | list[str] | None = None
        for source in prop.sources:
            if source == "corpus" and name in computed:
                text, where, value = computed[name]
                parts.append({"text": text, "source": where})
            elif source == "guidelines" and facts.get("guidelines"):
                version = facts["guidelines"]
                parts.append(
                    {
                        "text": f"Annotated following {GUIDELINES}, version {version}.",
                        "source": GUIDELINES,
                    }
                )
            elif source == "articlepack" and prop.statement:
                parts.append(
                    {
                        "text": prop.statement,
                        "source": "articlepack, the same in every release it builds",
                    }
                )
            elif source == "dataset" and (answer := _answer(written.get(name))):
                parts.append(
                    {
                        "text": ("; " if prop.listed else " ").join(answer),
                        "source": f"{DATASET}, rai.{name}",
                    }
                )
                value = answer if prop.listed else value
        if not parts:
            why = (
                f"{DATASET} has no rai.{name}"
                if "dataset" in prop.sources
                else "nothing to compute"
            )
            parts = [{"text": vocabulary.NOT_RECORDED, "source": why}]
        answers.append({"property": name, "label": prop.label, "parts": parts, "value": value})
    return answers


def _answer(value: Any) -> list[str]:
    """A maintainer's answer as a list of non-empty strings (a string is a list of one)."""
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items if isinstance(v, str) and v.strip()]


def _computed(facts: dict[str, Any]) -> dict[str, tuple[str, str, str | None]]:
    """Property -> (text, source, value) for the answers the published tables give."""
    doc = facts["document"]
    articles = facts["articles"]
    n = len(articles)
    out: dict[str, tuple[str, str, str | None]] = {}
    span = facts["published_span"]
    if span:
        interval = span[0] if span[0] == span[1] else f"{span[0]}/{span[1]}"
        bases = ", ".join(f"{d['articles']} {b}" for b, d in facts["date_bases"].items())
        out["dataCollectionTimeframe"] = (
            f"{interval}: the span of the articles' publication dates (by basis: {bases}). "
            "When the pages were crawled is not recorded in the corpus.",
            f"computed from {doc}.published_date and {doc}.published_basis",
            interval,
        )
    if not n:
        return out
    hosts = ", ".join(
        f"{'not established' if p == 'unknown' else p} {k}" for p, k in facts["publishers"].items()
    )
    credits = ", ".join(f"{c} {k}" for c, k in facts["credited"].items()) or "none"
    out["dataCollectionRawData"] = (
        f"The page text of {plural(n, 'article')}, each kept as raw.txt exactly as retrieved from "
        f"the crawl record that {doc}.source_record names "
        f"({plural(len(set(facts['records'])), 'record')}) and "
        f"identified by its SHA-256 ({doc}.raw_sha256). Hosting sites ({doc}.source_publisher): "
        f"{hosts}. Agencies and outlets the texts credit ({doc}.source_credited): {credits}.",
        f"computed from the {doc} table",
        None,
    )
    no_site = sum(a["source_publisher"] is None for a in articles)
    no_url = sum(a["source_url"] is None for a in articles)
    precision = Counter(_PRECISION.get(len(a["published_date"]), "otherwise") for a in articles)
    missing = [
        f"The hosting site is not established ({doc}.source_publisher is null) for {no_site} of "
        f"{plural(n, 'article')}, and no URL is recorded ({doc}.source_url is null) for {no_url} "
        f"of {n}.",
        "Publication dates are given "
        + _and([f"{p} for {k}" for p, k in sorted(precision.items(), key=lambda kv: -kv[1])])
        + ".",
    ]
    told = {f"{doc}.source_publisher", f"{doc}.source_url"}
    empty = [f"{c} ({rows} rows)" for c, rows in facts["empty_columns"].items() if c not in told]
    if empty:
        missing.append(f"Columns empty in every row: {', '.join(empty)}.")
    if facts["standoff"]:
        missing.append(
            f"The body text of {plural(facts['standoff'], 'article')} distributed stand-off is "
            "withheld, not missing (see the usage terms)."
        )
    out["dataCollectionMissingData"] = (
        " ".join(missing),
        "computed from the published tables",
        None,
    )
    rows = ", ".join(f"{t} {k:,}" for t, k in facts["rows"].items() if t != doc)
    out["dataAnnotationProtocol"] = (
        f"The release holds {plural(n, 'article')} and these rows of annotation: {rows}.",
        "computed from the published tables",
        None,
    )
    named = Counter(len(a["annotators"] or []) for a in articles)
    out["annotationsPerItem"] = (
        f"Annotators named per article ({doc}.annotators): {_per_article(named, n)}.",
        f"computed from {doc}.annotators",
        None,
    )
    several = sum(v for k, v in named.items() if k > 1)
    out["dataAnnotationAnalysis"] = (
        f"{several} of {plural(n, 'article')} name more than one annotator ({doc}.annotators); "
        "this release reports no agreement between them."
        if several
        else "No inter-annotator agreement is reported: no article names more than one "
        f"annotator ({doc}.annotators), so there are no two annotations of one article to compare.",
        f"computed from {doc}.annotators",
        None,
    )
    if facts.get("agreement") is not None:
        _agreement(out, facts["agreement"], articles)
    out["personalSensitiveInformation"] = (
        f"The entity registry names {facts['people']} people (entities of type PER), "
        f"{len(facts['quoted_people'])} of whom are quoted speakers.",
        "computed from the entities, mentions and quotes tables",
        None,
    )
    return out


def _agreement(
    out: dict[str, tuple[str, str, str | None]], found: Agreement, articles: list[dict[str, Any]]
) -> None:
    """The answers that the annotators' own versions (corpus/annotations/) give."""
    kept = Counter(found.versions.get(a["id"], 0) for a in articles)
    text, source, _ = out["annotationsPerItem"]
    out["annotationsPerItem"] = (
        f"{text} Annotators' own versions kept for agreement (corpus/annotations/): "
        f"{_per_article(kept, len(articles))}.",
        f"{source} and corpus/annotations/",
        None,
    )
    out["dataAnnotationAnalysis"] = (
        found.describe(),
        "computed by articlepack agreement from corpus/annotations/",
        None,
    )


def _per_article(counts: Counter[int], n: int) -> str:
    """``1 for 3 of 5 articles and 2 for 2 of 5 articles``: how many articles have each count."""
    return _and([f"{k} for {v} of {plural(n, 'article')}" for k, v in sorted(counts.items())])


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# -- usage terms --------------------------------------------------------------------------------
