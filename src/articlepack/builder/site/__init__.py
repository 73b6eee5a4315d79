"""The review site of a release: ``review/``, static HTML, one style sheet and one small script.

Layout (``docs/review-site.md`` has the markup contract)::

    review/index.html              the articles with their counts, the validation summary
    review/<document>/<id>.html    one page per article (the document table's name: articles)
    review/<registry>.html         the registry: every entry
    review/<registry>/<id>.html    one page per entry: every row that refers to it
    review/assets/site.css, site.js

Everything is drawn from the release's Parquet files and the schemas (:mod:`.model`), never from
the names of a particular scheme, and read from the files a chunk of articles at a time
(:mod:`.rows`): the site holds no table whole. The article pages, most of the work, are drawn by
worker processes a chunk each (:mod:`.pages`) while this process draws the registry's pages.
Pages load nothing but the two assets, so the site works from ``file://`` with no network; the
same release always gives the same bytes, however many workers drew it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articlepack._workers import paused_gc
from articlepack.builder.parquet import DataFile
from articlepack.builder.site.entity_page import entity_pages, registry_page
from articlepack.builder.site.index_page import index_page
from articlepack.builder.site.markup import ASSETS
from articlepack.builder.site.model import label, model
from articlepack.builder.site.pages import FOLDER, Listed, Task, Writer, registry, render
from articlepack.corpus import article_file, article_folder
from articlepack.report import Finding
from articlepack.schema import TableSchema

if TYPE_CHECKING:
    from concurrent.futures import Executor

INDEX = f"{FOLDER}/index.html"
PARALLEL_FROM = 400  # articles; below this, starting workers costs more than it saves
TASK = (100, 1_000)  # the fewest and most articles of a task


def write(
    root: Path,
    files: Mapping[str, Path],
    schemas: Mapping[str, TableSchema],
    dataset: Mapping[str, Any],
    findings: Sequence[Finding],
    waivers: Sequence[Mapping[str, Any]],
    summary: Mapping[str, Any],
) -> list[DataFile]:
    """Write ``root/review/`` from the release's Parquet ``files`` (table -> path); return its
    files, described for the release's record."""
    import pyarrow.parquet as pq

    scheme = model(schemas)
    known = registry(files, scheme)
    document = schemas[scheme.document]
    key, title_of = document.primary_key[0], label(document) or document.primary_key[0]
    heads = pq.read_table(files[scheme.document], columns=list(dict.fromkeys([key, title_of])))
    ids = heads.column(key).to_pylist()
    titles = {
        str(i): str(t or i) for i, t in zip(ids, heads.column(title_of).to_pylist(), strict=True)
    }
    del heads
    found = _by_article([(f.file, f) for f in findings])
    waived = _by_article([(str(w.get("file")), w) for w in waivers])
    tasks = [
        Task(
            root,
            files,
            schemas,
            chunk,
            {i: found[i] for i in chunk if i in found},
            {i: waived[i] for i in chunk if i in waived},
        )
        for chunk in _chunks(ids)
    ]
    writer = Writer(root)
    listed: list[Listed] = []
    with _pool(len(ids)) as pool:
        drawn = pool.map(render, tasks) if pool else map(render, tasks)
        if scheme.registry:
            referred = {}
            with paused_gc():  # as a worker draws its pages (:func:`.pages.render`)
                for entry, name, page, n in entity_pages(scheme, known, files, titles):
                    writer.put(f"{scheme.registry}/{name}", page)
                    referred[entry] = n
            writer.put(f"{scheme.registry}.html", registry_page(scheme, known, referred))
        for written, entries in drawn:
            writer.written += written
            listed += entries
    writer.put("index.html", index_page(scheme, dataset, listed, summary, findings, waivers))
    assets = resources.files(__name__).joinpath("assets")
    for name in ASSETS:
        writer.put(f"assets/{name}", assets.joinpath(name).read_text(encoding="utf-8"))
    return sorted(writer.written, key=lambda f: f.path)


def _chunks(ids: list[Any]) -> list[list[Any]]:
    """``ids`` cut into tasks: four a worker, within :data:`TASK`."""
    size = min(max(TASK[0], -(-len(ids) // (4 * (os.cpu_count() or 1)))), TASK[1])
    return [ids[i : i + size] for i in range(0, len(ids), size)]


@contextmanager
def _pool(articles: int) -> Iterator[Executor | None]:
    """The reader's kind of worker pool (:func:`articlepack._workers.pool`) for many articles on
    a machine with more than one core; None (draw here) otherwise."""
    workers = os.cpu_count() or 1
    if articles < PARALLEL_FROM or workers < 2:
        yield None
        return
    from articlepack import _workers

    with _workers.pool(workers) as pool:
        yield pool


def _by_article(items: list[tuple[str, Any]]) -> dict[str, list[Any]]:
    """What concerns each article, by the article folder of the file it names."""
    prefix = article_file("", "").rstrip("/") + "/"
    out: dict[str, list[Any]] = {}
    for file, item in items:
        if file.startswith(prefix) and file.count("/") >= 3:
            out.setdefault(article_folder(file), []).append(item)
    return out
