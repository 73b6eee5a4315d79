"""``croissant.json``: Croissant 1.1 JSON-LD with one RecordSet per table, PROV-O and RAI fields."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from articlepack import hub
from articlepack.__about__ import __version__
from articlepack.builder.datapackage import license_entry
from articlepack.builder.release import Release, iso

CONFORMS_TO = "http://mlcommons.org/croissant/1.1"


def context() -> dict[str, Any]:
    """The official Croissant 1.1 ``@context`` (plus the PROV-O prefix), from the packaged copy."""
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
        source_id = release.data_file(name).path
        fields = []
        for f in schema.fields:
            field: dict[str, Any] = {
                "@type": "cr:Field",
                "@id": f"{name}/{f['name']}",
                "name": f["name"],
                "dataType": schema.croissant_type(f["name"]),
                "source": {"fileObject": {"@id": source_id}, "extract": {"column": f["name"]}},
            }
            if f.get("description"):
                field["description"] = f["description"]
            if f.get("type") == "array":
                field["isArray"] = True
                field["arrayShape"] = "-1"
            fields.append(field)
        record = {
            "@type": "cr:RecordSet",
            "@id": name,
            "name": name,
            "description": schema.descriptor.get("title", name),
            "field": fields,
        }
        if schema.primary_key:
            record["key"] = [{"@id": f"{name}/{k}"} for k in schema.primary_key]
        record_sets.append(record)

    creators = [
        {"@type": "Person" if c.get("email") else "Organization", "name": c.get("name")}
        for c in release.contributors
        if "creator" in (c.get("roles") or [])
    ]
    return {
        "@context": context(),
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": release.name,
        "alternateName": release.title,
        "description": str(release.dataset.get("description") or release.title).strip(),
        "version": release.version,
        "datePublished": iso(release.created),
        "license": license_entry(release.license).get("path") or release.license,
        "url": hub.dataset_url(release.hub_repo) if release.hub_repo else release.name,
        "keywords": list(release.dataset.get("keywords") or []),
        "creator": creators,
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
        **{f"rai:{k}": v for k, v in facts.get("rai", {}).items()},
    }
