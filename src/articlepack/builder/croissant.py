"""``croissant.json``: Croissant 1.1 JSON-LD with one RecordSet per table, PROV-O provenance, an
answer to every property of the Croissant RAI vocabulary, and ODRL usage terms.

RAI answers are the facts' (:func:`articlepack.builder.facts.rai`): each part of an answer is
followed by its source in brackets, except where the answer has a form of its own (the collection
timeframe as an ISO 8601 interval, collection types as a list of terms). Property names follow the
vocabulary (``data/croissant_rai.ttl``): mlcroissant 1.1 spells two of them differently
(``dataCollectionTimeFrame``, ``dataDataManipulationProtocol``) and so does not parse those two.

Usage terms (``usageInfo``, as Croissant 1.1 recommends for ODRL) separate what the dataset's
licence covers from what it cannot: an ``odrl:Offer`` of the annotations under the licence; the
maintainers' own terms for the texts (``text_rights``); and one ``odrl:Set`` per group of articles
whose page text has the same rights statement and distribution, selected by a refinement on those
two columns of the articles table. No right to a text is granted: its use needs the consent of its
rights holder, and the body text of a stand-off article is withheld from the release.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from articlepack import hub
from articlepack.__about__ import __version__
from articlepack.builder.datapackage import license_entry
from articlepack.builder.facts import DATASET, plural
from articlepack.builder.release import Release, creators, iso
from articlepack.schema import TableSchema

CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
CONFORMS_TO_RAI = "http://mlcommons.org/croissant/RAI/1.0"
TEXTS = "usage/texts"  # the maintainers' terms for all article texts
PAGE_TEXT = "usage/page-text"  # every column that copies page text
HOLDER = "usage/rights-holder"  # whoever holds the rights in a text


def context() -> dict[str, Any]:
    """The official Croissant 1.1 ``@context`` (plus the PROV-O and ODRL prefixes), from the
    packaged copy."""
    text = resources.files("articlepack").joinpath("data/croissant-context.json").read_text("utf-8")
    return dict(json.loads(text))


def jsonld(release: Release) -> dict[str, Any]:
    facts = release.facts
    distribution = [
        {
            "@type": "cr:FileObject",
            "@id": f.path,
            "name": f.path,
            "contentUrl": f.path,
            "encodingFormat": "application/x-parquet",
            "contentSize": f"{f.bytes} B",
            "sha256": f.sha256,
        }
        for f in release.files
    ]
    record_sets = []
    for name, schema in release.schemas.items():
        record = {
            "@type": "cr:RecordSet",
            "@id": name,
            "name": name,
            "description": schema.descriptor.get("title", name),
            "field": _fields(schema, name, release.data_file(name).path),
        }
        if schema.primary_key:
            record["key"] = [{"@id": f"{name}/{k}"} for k in schema.primary_key]
        record_sets.append(record)

    authors = [
        {"@type": "Person" if c.get("email") else "Organization", "name": c.get("name")}
        for c in creators(release.dataset)
    ]
    return {
        "@context": context(),
        "@type": "sc:Dataset",
        "conformsTo": [CONFORMS_TO, CONFORMS_TO_RAI],
        "name": release.name,
        "alternateName": release.title,
        "description": str(release.dataset.get("description") or release.title).strip(),
        "version": release.version,
        "datePublished": iso(release.created),
        "license": license_entry(release.license).get("path") or release.license,
        "url": hub.dataset_url(release.hub_repo) if release.hub_repo else release.name,
        "keywords": list(release.dataset.get("keywords") or []),
        "creator": authors,
        "citeAs": facts.get("citation", ""),
        "inLanguage": facts.get("languages", []),
        "distribution": distribution,
        "recordSet": record_sets,
        "prov:wasDerivedFrom": [
            {"@id": f"crawl-record:{record}", "name": f"crawl record {record}"}
            for record in facts.get("records", [])
        ],
        "prov:wasGeneratedBy": {
            "@type": "prov:Activity",
            "name": f"articlepack build of {release.folder}",
            "prov:wasAssociatedWith": {
                "@type": "prov:SoftwareAgent",
                "name": f"articlepack {__version__}",
            },
            "prov:endedAtTime": iso(release.created),
        },
        **{f"rai:{a['property']}": rai_value(a) for a in facts.get("rai", [])},
        **({"usageInfo": usage(release)} if "terms" in facts else {}),
    }


def _fields(
    schema: TableSchema, prefix: str, file: str, column: str | None = None, path: str = ""
) -> list[dict[str, Any]]:
    """The Croissant fields of ``schema``'s columns. A list of objects (a layer nested in the
    ``documents`` table) is a field whose ``subField``s are its objects' fields, each read from
    the same Parquet ``column`` by the JSON path ``path`` to its value within one object."""
    fields = []
    for f in schema.fields:
        name = f["name"]
        field: dict[str, Any] = {"@type": "cr:Field", "@id": f"{prefix}/{name}", "name": name}
        if schema.holds_objects(name):
            inner = f"{path}{name}[*]." if column else ""
            field["subField"] = _fields(
                schema.nested(name), field["@id"], file, column or name, inner
            )
        else:
            field["dataType"] = schema.croissant_type(name)
            field["source"] = {"fileObject": {"@id": file}, "extract": {"column": column or name}}
            if column:
                field["source"]["transform"] = {"jsonPath": f"{path}{name}"}
        if f.get("description"):
            field["description"] = f["description"]
        if f.get("type") == "array":
            field["isArray"] = True
            field["arrayShape"] = "-1"
        fields.append(field)
    return fields


def rai_value(answer: dict[str, Any]) -> str | list[str]:
    """One RAI answer as Croissant carries it: its own form, or its parts with their sources."""
    if answer.get("value") is not None:
        return answer["value"]  # type: ignore[no-any-return]
    return " ".join(f"{p['text']} [source: {p['source']}]" for p in answer["parts"])


# -- usage terms --------------------------------------------------------------------------------


def usage(release: Release) -> list[dict[str, Any]]:
    """The ``usageInfo`` policies: the annotations' licence, then the texts' rights by group."""
    terms = release.facts["terms"]
    copied = set(terms["text_columns"])
    annotations: list[dict[str, Any]] = []
    for name, schema in release.schemas.items():
        own = _own(schema, name, copied)
        if own == [f"{name}.{c}" for c in schema.columns]:
            annotations.append({"@id": name})
        else:
            annotations += [{"@id": c.replace(".", "/")} for c in own]
    stated = terms["text_rights"]
    policies = [
        _annotations(terms, annotations),
        {
            "@type": "CreativeWork",
            "@id": TEXTS,
            "name": f"Article texts: not covered by {terms['license']}",
            "description": (
                f"{stated} [source: {DATASET}, text_rights]"
                if stated
                else f"{DATASET} has no text_rights."
            ),
        },
    ]
    page_text = {  # described once (as is the rights holder), then referred to by its id
        "@type": "odrl:AssetCollection",
        "@id": PAGE_TEXT,
        "name": "The page text copied from raw.txt, wherever the release holds it",
        "odrl:source": [{"@id": c.replace(".", "/")} for c in terms["text_columns"]],
    }
    holder = {
        "@type": "odrl:Party",
        "@id": HOLDER,
        "name": "the rights holder of each text (its publisher or author)",
    }
    doc = release.facts.get("document", "articles")
    for number, group in enumerate(terms["groups"], start=1):
        first = number == 1
        text, party = (page_text, holder) if first else ({"@id": PAGE_TEXT}, {"@id": HOLDER})
        policies.append(_texts(number, group, text, party, doc, terms["license"]))
    return policies


def _own(schema: TableSchema, prefix: str, copied: set[str]) -> list[str]:
    """The columns of ``schema`` (``prefix.column``) that copy no page text: a list of objects
    that holds some is given by its objects' columns instead."""
    out = []
    for column in schema.columns:
        path = f"{prefix}.{column}"
        if any(c.startswith(f"{path}.") for c in copied):
            out += _own(schema.nested(column), path, copied)
        elif path not in copied:
            out.append(path)
    return out


def _annotations(terms: dict[str, Any], assets: list[dict[str, Any]]) -> dict[str, Any]:
    licence = terms["license"]
    url = license_entry(licence).get("path")
    rules = terms["rules"]
    target = {
        "@type": "odrl:AssetCollection",
        "name": "The annotations: every published value except the page text copied from raw.txt",
        "odrl:source": assets,
    }
    policy: dict[str, Any] = {
        "@type": ["CreativeWork", "odrl:Offer"] if rules else "CreativeWork",
        "@id": "usage/annotations",
        "name": f"Annotations: {licence}",
        "description": (
            f"Every published value except the page text copied from raw.txt is licensed under "
            f"{licence}. The page text is not: see the other usage terms."
        ),
        "license": url or licence,
    }
    if not rules:
        return policy  # a licence articlepack cannot state in ODRL is given by its id and URL
    creators = terms["creators"]
    if creators:
        policy["odrl:assigner"] = {"@type": "odrl:Party", "name": " and ".join(creators)}
    duties = [{"@type": "odrl:Duty", "odrl:action": {"@id": a}} for a in rules.get("duty", [])]
    policy["odrl:target"] = target  # a policy's target is every rule's (ODRL 2.2, 2.7.1)
    policy["odrl:permission"] = [
        {
            "@type": "odrl:Permission",
            "odrl:action": {"@id": action},
            **({"odrl:duty": duties} if duties else {}),
        }
        for action in rules.get("permit", [])
    ]
    if rules.get("prohibit"):
        policy["odrl:prohibition"] = [
            {"@type": "odrl:Prohibition", "odrl:action": {"@id": action}}
            for action in rules["prohibit"]
        ]
    return policy


def _texts(
    number: int,
    group: dict[str, Any],
    text: dict[str, Any],
    holder: dict[str, Any],
    doc: str,
    licence: str,
) -> dict[str, Any]:
    """The ODRL set of one group of articles whose texts have the same rights."""
    statement, distribution = group["rights_statement"], group["distribution"]
    count = plural(len(group["articles"]), "article")
    withheld = ", withheld from this release" if distribution == "standoff" else ""
    policy: dict[str, Any] = {
        "@type": ["CreativeWork", "odrl:Set"],
        "@id": f"usage/text/{number}",
        "name": (
            f"Page text of {count}, distribution {distribution}{withheld}: not covered by "
            f"{licence}; it remains its rights holders'"
        ),
        "isPartOf": {"@id": TEXTS},
        "copyrightNotice": statement,
        "odrl:target": {
            "@type": "odrl:AssetCollection",
            "name": f"The page text of the {count} with this rights statement and distribution",
            "odrl:source": text,
            "odrl:refinement": {
                "@type": "odrl:LogicalConstraint",
                "odrl:and": [
                    _equals(f"{doc}/rights_statement", statement),
                    _equals(f"{doc}/rights_distribution", distribution),
                ],
            },
        },
        "odrl:permission": {
            "@type": "odrl:Permission",
            "odrl:action": {"@id": "odrl:use"},
            "odrl:duty": {
                "@type": "odrl:Duty",
                "odrl:action": {"@id": "odrl:obtainConsent"},
                "odrl:consentingParty": holder,
            },
        },
    }
    if distribution == "standoff":
        kept = group.get("published") or []
        policy["conditionsOfAccess"] = (
            "Withheld: this release does not carry the body text of these articles ("
            + (", ".join(group.get("withheld") or []) or "no text column")
            + " are null); their annotations and offsets into raw.txt are published, and "
            f"{doc}.raw_sha256 identifies the text they refer to."
            + (f" Still published: {', '.join(kept)}." if kept else "")
        )
    return policy


def _equals(field: str, value: str) -> dict[str, Any]:
    return {
        "@type": "odrl:Constraint",
        "odrl:leftOperand": {"@id": field},
        "odrl:operator": {"@id": "odrl:eq"},
        "odrl:rightOperand": value,
    }
