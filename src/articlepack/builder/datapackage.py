"""``datapackage.json``: a Frictionless Data Package (v2) over the release's Parquet files.

frictionless 5.21 cannot count the bytes of a Parquet resource (a declared ``bytes`` fails with
"actual is None") and ignores a Parquet resource's ``hash``; so resources carry ``hash`` but no
``bytes``, and ``x-articlepack.files`` records bytes and sha256 of every file for ``verify``.
It also rejects Parquet list cells as ``array`` values, so list columns are declared ``any``.

Each resource's ``x-articlepack`` holds what a reader checks the Parquet footer against before
reading rows (:mod:`articlepack.tablefile`): the row count, and the item type of each list column
(which the ``any`` declaration loses).
"""

from __future__ import annotations

from typing import Any

from articlepack import hub
from articlepack.__about__ import __version__
from articlepack.builder.parquet import DataFile
from articlepack.builder.release import Release, iso

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
RESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"
_LICENSES = {
    "cc-by-4.0": (
        "CC-BY-4.0",
        "https://creativecommons.org/licenses/by/4.0/",
        "Creative Commons Attribution 4.0",
    ),
    "cc-by-sa-4.0": (
        "CC-BY-SA-4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "Creative Commons Attribution Share-Alike 4.0",
    ),
    "cc0-1.0": ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0"),
    "odc-by": (
        "ODC-By-1.0",
        "https://opendatacommons.org/licenses/by/1-0/",
        "Open Data Commons Attribution",
    ),
}
ROLE_MAP = {"creator": "creator", "annotator": "contributor", "maintainer": "contributor"}


def license_entry(license_id: str) -> dict[str, str]:
    name, path, title = _LICENSES.get(license_id.lower(), (license_id, "", license_id))
    entry = {"name": name, "title": title}
    return {**entry, "path": path} if path else entry


def descriptor(release: Release, other_files: list[DataFile]) -> dict[str, Any]:
    """The Data Package descriptor; ``other_files`` are the non-data files to record."""
    resources = []
    for name, schema in release.schemas.items():
        file = release.data_file(name)
        resources.append(
            {
                "$schema": RESOURCE_PROFILE,
                "name": name,
                "title": schema.descriptor.get("title", name),
                "description": schema.descriptor.get("description", "").strip() or None,
                "type": "table",
                "path": file.path,
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "hash": f"sha256:{file.sha256}",
                "schema": schema.frictionless(parquet=True),
                "x-articlepack": {
                    "rows": release.rows[name],
                    "offsets": [c for s in schema.spans for c in (s.start, s.end) if c],
                    "array_items": {
                        f["name"]: schema.item(f["name"])
                        if schema.holds_objects(f["name"])  # its objects' fields, whole
                        else {"type": schema.item(f["name"])["type"]}
                        for f in schema.fields
                        if f.get("type") == "array"
                    },
                },
            }
        )
    package = {
        "$schema": PROFILE,
        "name": release.name,
        "id": hub.dataset_url(release.hub_repo) if release.hub_repo else release.name,
        "title": release.title,
        "description": str(release.dataset.get("description") or "").strip(),
        "version": release.version,
        "created": iso(release.created),
        "homepage": release.dataset.get("homepage"),
        "keywords": list(release.dataset.get("keywords") or []),
        "licenses": [license_entry(release.license)],
        "contributors": [_contributor(c) for c in release.contributors],
        "sources": [
            {"title": "Crawl records of the articles' pages (see the datacard's source table)"}
        ],
        "resources": [{k: v for k, v in r.items() if v is not None} for r in resources],
        "x-articlepack": {
            "generator": f"articlepack {__version__}",
            **(
                {"usage_terms": usage_terms(release.facts["terms"])}
                if "terms" in release.facts
                else {}
            ),
            "files": [
                {"path": f.path, "bytes": f.bytes, "sha256": f.sha256}
                for f in sorted([*release.files, *other_files], key=lambda f: f.path)
            ],
        },
    }
    return {k: v for k, v in package.items() if v not in (None, "", [])}


def usage_terms(terms: dict[str, Any]) -> dict[str, Any]:
    """The usage terms that croissant.json states in ODRL, as plain data: the licence covers every
    value except the copied page text, whose rights stay with its holders, per group of articles
    (selected by ``rights_statement`` and ``rights_distribution`` in the articles resource)."""
    return {
        "annotations": {"license": terms["license"], "covers": "every value but text_columns"},
        "text_columns": terms["text_columns"],
        "texts": [
            {
                "rights_statement": g["rights_statement"],
                "rights_distribution": g["distribution"],
                "articles": len(g["articles"]),
                "covered_by_license": False,
                "use_needs": "the consent of the text's rights holder",
                **(
                    {"withheld": g["withheld"], "published": g["published"]}
                    if "withheld" in g
                    else {}
                ),
            }
            for g in terms["groups"]
        ],
        "text_rights": terms["text_rights"],
    }


def _contributor(person: dict[str, Any]) -> dict[str, Any]:
    roles = [str(r) for r in person.get("roles") or []]
    entry: dict[str, Any] = {
        "title": str(person.get("name", "")),
        "roles": roles or ["contributor"],
    }
    if person.get("email"):
        entry["email"] = person["email"]
    return entry
