"""The dataset card: Hub YAML front matter plus the body of ``datacard.md`` with generated blocks.

``datacard.md`` is prose that people write. Between ``<!-- articlepack:NAME -->`` and
``<!-- /articlepack:NAME -->`` markers, blocks are generated from the corpus: *project* blocks
(``articlepack card`` refreshes them; ``--check`` fails when they are stale) and *release* blocks
(distribution, validation, timeline), which only a build can know and which it fills in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any

import yaml

from articlepack import hub
from articlepack.agreement import KIND_LABELS, Agreement, basis
from articlepack.builder.parquet import DataFile
from articlepack.builder.pictures import Picture
from articlepack.builder.release import Release
from articlepack.builder.site import INDEX as REVIEW

PROJECT_BLOCKS = ("identity", "sources", "composition", "annotation", "terms", "rai", "changes")
RELEASE_BLOCKS = ("distribution", "validation", "timeline")
_BLOCK = re.compile(
    r"(<!-- articlepack:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- /articlepack:(?P=name) -->)",
    re.S,
)
_PENDING = "_Filled in by `articlepack build`._\n"
_HUB_DTYPES = {"string", "int64", "float64", "bool"}
_GROUPS = 20  # rights groups shown in the card's terms table; the metadata files list all


def size_category(n: int) -> str:
    for limit, label in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
        (10_000_000, "1M<n<10M"),
    ):
        if n < limit:
            return label
    return "10M<n<100M"


def front_matter(release: Release) -> str:
    """The card's YAML: Hub metadata, one config per table, and each config's features."""
    from datasets import DatasetInfo, SplitDict, SplitInfo
    from datasets.info import DatasetInfosDict
    from huggingface_hub import DatasetCardData

    facts = release.facts
    configs = [
        {
            "config_name": name,
            "data_files": [{"split": "train", "path": f"data/{name}/train-*.parquet"}],
            **({"default": True} if name == "articles" else {}),
        }
        for name in release.schemas
    ]
    card = DatasetCardData(
        pretty_name=release.title,
        license=release.license.lower(),
        language=facts["languages"],
        task_categories=["token-classification", "text-classification"],
        task_ids=["named-entity-recognition"],
        size_categories=[size_category(facts["rows"]["articles"])],
        annotations_creators=["expert-generated"],
        language_creators=["found"],
        multilinguality=["monolingual" if len(facts["languages"]) <= 1 else "multilingual"],
        source_datasets=["original"],
        tags=[str(k) for k in release.dataset.get("keywords") or []],
        configs=configs,
    )
    infos = {}
    for name, schema in release.schemas.items():
        size = release.data_file(name).bytes
        splits = SplitDict()
        splits.add(SplitInfo(name="train", num_bytes=size, num_examples=release.rows[name]))
        infos[name] = DatasetInfo(
            features=schema.features(),
            config_name=name,
            splits=splits,
            download_size=size,
            dataset_size=size,
        )
    DatasetInfosDict(infos).to_dataset_card_data(card)
    return card.to_yaml()


def check_front_matter(text: str, paths: list[str]) -> list[str]:
    """What the Hub would refuse, found locally: tags, missing config files, types, licence."""
    import fnmatch

    problems = []
    try:
        # a tag is an event's, not a text's: a title may say "Wow!!" and stay plain YAML
        if any(getattr(event, "tag", None) for event in yaml.parse(text)):
            problems.append("the card YAML contains a tag")
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return [f"the card YAML does not parse: {exc}"]
    if not isinstance(data, dict):
        return ["the card YAML is not a mapping"]
    if data.get("license") not in hub.licenses():
        problems.append(f"licence {data.get('license')!r} is not a Hub licence id")
    for config in data.get("configs", []):
        for entry in config.get("data_files", []):
            if not fnmatch.filter(paths, entry["path"]):
                problems.append(f"config {config['config_name']}: no file matches {entry['path']}")
    for info in data.get("dataset_info", []):
        for feature in info.get("features", []):
            problems += _unsupported(f"{info['config_name']}.{feature['name']}", feature)
    return problems


def _unsupported(where: str, feature: dict[str, Any]) -> list[str]:
    """What the Hub would not show of ``feature``: anything but a scalar, a class label, or a
    list of scalars or of structs of them (the ``documents`` table's layers)."""
    dtype = feature.get("dtype", feature.get("list"))
    if isinstance(dtype, list):
        return [p for f in dtype for p in _unsupported(f"{where}.{f.get('name')}", f)]
    if isinstance(dtype, dict):
        return [] if set(dtype) == {"class_label"} else [f"{where}: unsupported type {dtype}"]
    return [] if dtype in _HUB_DTYPES else [f"{where}: unsupported type {dtype!r}"]


# -- generated blocks --------------------------------------------------------------------------


def project_blocks(
    facts: dict[str, Any],
    dataset: dict[str, Any],
    guidelines: str | None,
    changelog: str | None = None,
) -> dict[str, str]:
    return {
        "identity": _identity(facts, dataset),
        "sources": _sources(facts),
        "composition": _composition(facts),
        "annotation": _annotation(facts, guidelines),
        "terms": _terms(facts["terms"]),
        "rai": _rai(facts["rai"]),
        "changes": _changes(changelog, str(dataset.get("version"))),
    }


def _rai(answers: list[dict[str, Any]]) -> str:
    """Every Croissant RAI answer of croissant.json, in prose, each part with its source."""
    lines = [
        "The answers `croissant.json` gives to the Croissant RAI vocabulary, each part followed "
        "by its source.",
        "",
    ]
    for answer in answers:
        parts = " ".join(f"{_line(p['text'])} _(source: {p['source']})_" for p in answer["parts"])
        lines.append(f"- **{answer['label']}** (`rai:{answer['property']}`): {parts}")
    return "\n".join(lines) + "\n"


def _terms(terms: dict[str, Any]) -> str:
    """The usage terms of croissant.json (ODRL) and datapackage.json, in prose."""
    licence, rules = terms["license"], terms["rules"]
    by = f" by {' and '.join(terms['creators'])}" if terms["creators"] else ""
    if rules:
        said = "permitted " + ", ".join(f"`{a}`" for a in rules.get("permit", []))
        for key, word in (("duty", "duty"), ("prohibit", "prohibited")):
            if rules.get(key):
                said += f"; {word} " + ", ".join(f"`{a}`" for a in rules[key])
        odrl = f" (an ODRL offer: {said})"
    else:
        odrl = " (articlepack states no ODRL rules for this licence; see its text)"
    columns = ", ".join(f"`{c}`" for c in terms["text_columns"]) or "none"
    lines = [
        f"- **Annotations**: every published value except the page text below is licensed under "
        f"{licence}{by}{odrl}.",
        f"- **Page text**, wherever the release copies it from raw.txt ({columns}): not covered "
        f"by {licence}. It remains its rights holders' (its publisher's or author's): this release "
        "grants no right to it, and its ODRL terms make any use subject to their consent "
        "(`odrl:use` with the duty `odrl:obtainConsent`), in one set per rights statement and "
        "distribution:",
        "",
        "| articles | rights statement | distribution | page text in this release |",
        "|---|---|---|---|",
    ]
    for group in terms["groups"][:_GROUPS]:
        ids = group["articles"]
        shown = ", ".join(f"`{i}`" for i in ids[:10]) + (
            f" and {len(ids) - 10} more" if len(ids) > 10 else ""
        )
        if group["distribution"] == "standoff":
            held = "withheld: " + (", ".join(f"`{c}`" for c in group["withheld"]) or "nothing")
            if group["published"]:
                held += "; still published: " + ", ".join(f"`{c}`" for c in group["published"])
        else:
            held = "published as found"
        lines.append(
            f"| {len(ids)}: {shown} | {_cell(group['rights_statement'])} | "
            f"{group['distribution']} | {held} |"
        )
    rest = terms["groups"][_GROUPS:]
    if rest:
        count = sum(len(g["articles"]) for g in rest)
        lines += [
            "",
            f"{len(rest)} more groups hold {count} articles; `croissant.json` and "
            "`datapackage.json` list every group.",
        ]
    stated = terms["text_rights"] or "none stated"
    lines += [
        "",
        f"The maintainers' terms for the texts (`corpus/dataset.yaml`, text_rights): {stated}",
    ]
    return "\n".join(lines) + "\n"


def _line(text: str) -> str:
    return " ".join(text.split())


def _changes(changelog: str | None, version: str) -> str:
    """This version's entry in CHANGELOG.md (written by `articlepack changelog`)."""
    match = re.search(
        rf"^## \[{re.escape(version)}\][^\n]*\n(.*?)(?=^## \[|\Z)", changelog or "", re.M | re.S
    )
    if not match:
        return f"No entry for {version} in CHANGELOG.md yet (`articlepack changelog` writes it).\n"
    return match.group(1).strip() + "\n"


def release_blocks(
    release: Release,
    files: list[DataFile],
    summary: dict[str, Any],
    pictures: Sequence[Picture] = (),
) -> dict[str, str]:
    rows = ["| file | bytes | sha256 |", "|---|---:|---|"]
    rows += [
        f"| `{f.path}` | {f.bytes:,} | `{f.sha256}` |" for f in sorted(files, key=lambda f: f.path)
    ]
    rows += [
        "",
        f"The review site, [`{REVIEW}`]({REVIEW}), shows every article with its annotations "
        "drawn over its text and every registry entry with its mentions: static pages that open "
        "from disk with no network, each file hashed in `datapackage.json`.",
    ]
    checked = ", ".join(f"{n} {name}" for name, n in release.rows.items())
    validation = (
        f"Validated by {summary['validator']} before the build: {summary['errors']} errors, "
        f"{summary['warnings']} warnings (after {summary['waived']} reviewed waivers); checked {checked}.\n"
    )
    drawn = release.facts["timeline"]
    timeline = ""
    if drawn:
        picture = f"![{drawn['title']}](timeline.svg)\n\n" if release.facts["event_span"] else ""
        timeline = picture + (f"{drawn['caption']}\n" if drawn["caption"] else "")
    timeline += "".join(_picture(p) for p in pictures)
    return {"distribution": "\n".join(rows) + "\n", "validation": validation, "timeline": timeline}


def _picture(picture: Picture) -> str:
    """A picture with its alt text, and the table it is drawn from folded below it."""
    alt = _line(picture.alt).replace("[", "(").replace("]", ")")
    lines = [
        "",
        f"![{alt}]({picture.path})",
        "",
        f"<details><summary>{escape(picture.title)}: the numbers</summary>",
        "",
        "| " + " | ".join(_cell(h) for h in picture.header) + " |",
        "|" + "---|" * len(picture.header),
        *("| " + " | ".join(_cell(c) for c in row) + " |" for row in picture.rows),
        "",
        "</details>",
    ]
    return "\n".join(lines) + "\n"


def fill(template: str, blocks: dict[str, str]) -> str:
    """``template`` with each known block's content replaced; unknown blocks are left alone."""

    def swap(match: re.Match[str]) -> str:
        body = blocks.get(match["name"], match["body"])
        return f"{match.group(1)}{body}{match.group(4)}"

    return _BLOCK.sub(swap, template)


def stale(template: str, blocks: dict[str, str]) -> list[str]:
    """Names of the project blocks whose content differs from what would be generated."""
    found = {m["name"]: m["body"] for m in _BLOCK.finditer(template)}
    return [name for name in PROJECT_BLOCKS if name in blocks and found.get(name) != blocks[name]]


def pending(template: str) -> str:
    """The template with release blocks reset to a placeholder (what ``datacard.md`` keeps)."""
    return fill(template, dict.fromkeys(RELEASE_BLOCKS, _PENDING))


def _identity(facts: dict[str, Any], dataset: dict[str, Any]) -> str:
    return (
        f"**{dataset.get('title', dataset.get('name'))}**, version {dataset.get('version')} "
        f"(`{dataset.get('name')}`). Cite as:\n\n```bibtex\n{facts['citation']}\n```\n"
    )


def _sources(facts: dict[str, Any]) -> str:
    rows = [
        "| article | publisher | credited | crawl record | URL | published | rights | distribution | raw sha256 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for a in facts["articles"]:
        publisher = f"{a['source_publisher'] or 'unknown'} ({a['source_publisher_basis']})"
        credited = ", ".join(a["source_credited"] or []) or "none"
        url = a["source_url"] or "not recorded"
        date = f"{a['published_date']} ({a['published_basis']}: “{_cell(a['published_evidence'])}”)"
        rows.append(
            f"| `{a['id']}` | {_cell(publisher)} | {_cell(credited)} | `{a['source_record']}` | {url} | {date} "
            f"| {_cell(a['rights_statement'])} | {a['rights_distribution']} | `{a['raw_sha256']}` |"
        )
    return "\n".join(rows) + "\n"


def _composition(facts: dict[str, Any]) -> str:
    lines = ["| table | rows |", "|---|---:|"]
    lines += [f"| {name} | {n:,} |" for name, n in facts["rows"].items()]
    lines += ["", "| publisher | articles |", "|---|---:|"]
    lines += [f"| {_cell(p)} | {n} |" for p, n in facts["publishers"].items()]
    drawn = facts["timeline"]
    name = drawn["table"] if drawn else "dated rows"
    if drawn:
        lines += ["", f"| {drawn['label']} | {name} |", "|---|---:|"]
        lines += [f"| {t} | {n} |" for t, n in facts["event_types"].items()]
    lines += ["", f"| date basis | articles | published | their dated {name} | {name} dated |"]
    lines += ["|---|---:|---|---:|---|"]
    lines += [
        f"| {b} | {d['articles']} | {_span(d['published_span'])} | {d['events']} "
        f"| {_span(d['event_span'])} |"
        for b, d in facts["date_bases"].items()
    ]
    span = facts["published_span"]
    events = facts["event_span"]
    lines += ["", f"Articles published from {span[0]} to {span[1]}." if span else "No articles."]
    if events:
        lines.append(f"{name.capitalize()} dated from {events[0]} to {events[1]}.")
    return "\n".join(lines) + "\n"


def _annotation(facts: dict[str, Any], guidelines: str | None) -> str:
    version = guidelines or "not stated"
    annotators = ", ".join(facts["annotators"]) or "not recorded"
    text = (
        f"Guidelines version: {version} (`corpus/GUIDELINES.md`). Annotators: {annotators}. "
        f"Entity types: " + ", ".join(f"{t} {n}" for t, n in facts["entity_types"].items()) + ".\n"
    )
    return text + _agreement(facts.get("agreement"))


def _agreement(found: Agreement | None) -> str:
    """The annotators' agreement (corpus/annotations/) as a table, where there is one."""
    if found is None:
        return ""
    if not found.articles:
        return f"\n{found.describe()}\n"
    lines = ["", f"{found.lead()}:", "", "| layer | measure | field | value | basis |"]
    lines += ["|---|---|---|---:|---|"]
    lines += [
        f"| {m.layer} | {KIND_LABELS[m.kind]} | {m.field} | "
        f"{'n/a' if m.value is None else f'{m.value:.3f}'} | {_cell(basis(m))} |"
        for m in found.measures
    ]
    return "\n".join(lines) + "\n"


def _span(span: tuple[str, str] | None) -> str:
    if not span:
        return "none"
    return span[0] if span[0] == span[1] else f"{span[0]} to {span[1]}"


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def guidelines_version(text: str | None) -> str | None:
    match = re.search(r"[Vv]ersion:?\s*\**\s*([0-9]+\.[0-9]+(?:\.[0-9]+)?)", text or "")
    return match.group(1) if match else None
