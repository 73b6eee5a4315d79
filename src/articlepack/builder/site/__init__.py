"""The review site of a release: ``review/``, static HTML, one style sheet and one small script.

Layout (``docs/review-site.md`` has the markup contract)::

    review/index.html              the articles with their counts, the validation summary
    review/<document>/<id>.html    one page per article (the document table's name: articles)
    review/<registry>.html         the registry: every entry
    review/<registry>/<id>.html    one page per entry: every row that refers to it
    review/assets/site.css, site.js

Everything is drawn from the published tables and the schemas (:mod:`.model`), never from the
names of a particular scheme. Pages load nothing but the two assets, so the site works from
``file://`` with no network; the same release always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articlepack.builder.parquet import DataFile, describe
from articlepack.builder.site.article_page import article_page
from articlepack.builder.site.entity_page import entity_pages, registry_page
from articlepack.builder.site.index_page import index_page
from articlepack.builder.site.markup import ASSETS, page_name
from articlepack.builder.site.model import label, model
from articlepack.builder.site.rows import by_article
from articlepack.builder.site.scope import Registry, Scope
from articlepack.corpus import article_file, article_folder
from articlepack.report import Finding
from articlepack.schema import TableSchema

if TYPE_CHECKING:
    import pyarrow

FOLDER = "review"
INDEX = f"{FOLDER}/index.html"


def write(
    root: Path,
    tables: Mapping[str, pyarrow.Table],
    schemas: Mapping[str, TableSchema],
    dataset: Mapping[str, Any],
    findings: Sequence[Finding],
    waivers: Sequence[Mapping[str, Any]],
    summary: Mapping[str, Any],
) -> list[DataFile]:
    """Write ``root/review/``; return its files, described for the release's record."""
    scheme = model(schemas)
    registry = Registry.of(scheme, tables[scheme.registry].to_pylist() if scheme.registry else [])
    written: list[str] = []

    def put(relative: str, text: str) -> None:
        path = root / FOLDER / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written.append(f"{FOLDER}/{relative}")

    found = _by_article([(f.file, f) for f in findings])
    waived = _by_article([(str(w.get("file")), w) for w in waivers])
    document = schemas[scheme.document]
    key, title_of = document.primary_key[0], label(document) or document.primary_key[0]
    listed = []
    for doc, rows in by_article(tables, scheme):
        ident = doc[key]
        page = article_page(
            Scope(scheme, registry, rows), doc, found.get(ident, []), waived.get(ident, [])
        )
        put(f"{scheme.document}/{page_name(ident)}", page)
        when = [doc.get(c) for c in document.dates if c in document.columns]
        counts = {name: len(r) for name, r in rows.items()}
        listed.append((str(ident), str(doc.get(title_of) or ident), when, counts))
    if scheme.registry:
        titles = {ident: title for ident, title, _, _ in listed}
        referred = {}
        for entry, name, page, n in entity_pages(scheme, registry, tables, titles):
            put(f"{scheme.registry}/{name}", page)
            referred[entry] = n
        put(f"{scheme.registry}.html", registry_page(scheme, registry, referred))
    put("index.html", index_page(scheme, dataset, listed, summary, findings, waivers))
    assets = resources.files(__name__).joinpath("assets")
    for name in ASSETS:
        put(f"assets/{name}", assets.joinpath(name).read_text(encoding="utf-8"))
    return [describe(root, relative) for relative in sorted(written)]


def _by_article(items: list[tuple[str, Any]]) -> dict[str, list[Any]]:
    """What concerns each article, by the article folder of the file it names."""
    prefix = article_file("", "").rstrip("/") + "/"
    out: dict[str, list[Any]] = {}
    for file, item in items:
        if file.startswith(prefix) and file.count("/") >= 3:
            out.setdefault(article_folder(file), []).append(item)
    return out
