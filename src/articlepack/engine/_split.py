"""The split of the work on a distributed engine: tasks over chunks of article folders, and what
the driver does with what they give back.

The tasks, each on a chunk of article folders, on any worker:

- read: :func:`articlepack._articles.read_chunk`, as the local worker pool runs it: raw.txt and
  article.yaml read, parsed and flattened, then the checks within each article
  (:func:`articlepack.checks.check_articles`);
- summarize: what the driver needs of a chunk: its findings, whether each of its articles' ids is
  its folder's name, and the keys of its rows (:func:`keys`);
- annotations (for a chunk whose articles have annotators' own versions in corpus/annotations/):
  those files read and checked, each against its article's raw text and body segments (in the
  chunk) and the registry (:func:`articlepack.annotators.check_annotations`); the driver lists
  them, which also finds the files of no article and anything else astray there;
- publish (for a build): the chunk's published rows (:func:`articlepack.builder.tables.publish`),
  fetched by the driver one table and one chunk at a time.

The driver lists the folders and reads the small files (:func:`articlepack.corpus.read_outline`),
then runs :func:`articlepack.checks.check` as the local engine does, on the corpus's keys: every
row, but only its keys and place (file and YAML path), not its texts and offsets. That is what the
checks that span articles read (references into the registry, entities no article refers to, the
counts), and a small part of the corpus; the findings within each article come from the chunks.
Ids are unique when each article's id is its folder's name, as every chunk tells
(:func:`articlepack.checks.ids_are_folders`); when one is not (an invalid corpus), the driver
gathers every chunk and checks the whole corpus, annotators' files included, as the local engine
does. A build then streams each published table to its file in article order.

A task's result stays in its worker's memory until the driver is done with it. A worker that dies
loses its results; the engine runs again the tasks that made them (it keeps each task's lineage),
which is why the plan, too, is a task's result rather than data sent once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from articlepack import _articles, annotators, shape
from articlepack._articles import Chunk
from articlepack._corpus import Checked, Corpus
from articlepack.report import Finding, Report
from articlepack.schema import TableSchema, article_tables, table_of

if TYPE_CHECKING:
    import polars as pl
    import pyarrow

#: Article folders per task: at least MIN_CHUNK, since a read task costs ~0.3 s whatever its size
#: (and 2.5 ms an article: benchmarks/engine.py); at most MAX_CHUNK, since a task holds its
#: chunk's rows (~0.1 MB an article) until the driver is done with them.
MIN_CHUNK = 500
MAX_CHUNK = 5_000
TASKS_PER_WORKER = 4  # a slow or lost worker then delays the run by a quarter of its share


class Tasks(Protocol):
    """What the split needs of an engine: a top-level function run as a task on some worker, a
    handle on its result that other tasks can take as an argument, and the result itself."""

    @property
    def workers(self) -> int:
        """How many tasks the cluster runs at once now (to size the chunks)."""
        ...

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Any: ...

    def result(self, handle: Any) -> Any: ...


def chunk_size(folders: int, workers: int) -> int:
    """Article folders per task: :data:`TASKS_PER_WORKER` tasks a worker, within the bounds."""
    share = -(-folders // (TASKS_PER_WORKER * max(1, workers)))
    return max(MIN_CHUNK, min(MAX_CHUNK, share))


def keys(schema: TableSchema, table: pl.DataFrame) -> pl.DataFrame:
    """A table's rows with only their keys and place: the columns of its primary and foreign
    keys, of its row's place in the article (its id, its article's), and ``_file``, ``_path``."""
    wanted = {"id", "article_id", *schema.primary_key, *schema.context}
    wanted |= {c for fk in schema.foreign_keys for c in fk.fields}
    return table.select([c for c in table.columns if c in wanted or c.startswith("_")])


@dataclass(frozen=True)
class Plan:
    """What every task of a run shares: the project's path, its schemas and its registry's rows
    (which annotators' files refer to)."""

    root: Path
    schemas: dict[str, TableSchema]
    registry: dict[str, pl.DataFrame]


@dataclass(frozen=True)
class Summary:
    """What the driver needs of a chunk: what reading found, what the checks found within each
    article, whether each article's id is its folder's name, and the keys of its rows."""

    findings: list[Finding]
    checked: dict[str, list[Finding]]
    own: bool
    keys: dict[str, pl.DataFrame]


class Run:
    """One project read on a cluster: the read tasks start at once; :meth:`check` gives the
    report, :meth:`parts` each published table a chunk at a time."""

    def __init__(self, outline: Corpus, tasks: Tasks, chunk: int = 0) -> None:
        self.outline = outline  # the project without its articles' rows (corpus.read_outline)
        self.tasks = tasks
        registry = {n: outline.tables[n] for n in shape.layout(outline.schemas).in_registry}
        self.plan = tasks.submit(_hold, Plan(outline.root, outline.schemas, registry))
        folders = outline.folders
        size = chunk or chunk_size(len(folders), tasks.workers)
        self.chunks = [
            tasks.submit(_read, self.plan, folders[i : i + size])
            for i in range(0, len(folders), size)
        ]
        self.published: list[Any] | None = None
        files, self.listed = annotators.listed(outline)  # while the workers read
        chunk_of = {folder: i // size for i, folder in enumerate(folders)}
        self.annotated: dict[int, list[annotators.File]] = {}
        for file in files:
            self.annotated.setdefault(chunk_of[file[1]], []).append(file)

    @cached_property
    def _articles(self) -> tuple[str, ...]:
        return article_tables(self.outline.schemas)

    def check(self) -> tuple[Corpus, Report]:
        """The corpus as the driver holds it, and the report (the same as the local engine's)."""
        import polars as pl

        from articlepack.checks import check

        handles = [self.tasks.submit(_summarize, self.plan, c) for c in self.chunks]
        annotated = [
            self.tasks.submit(_annotations, self.plan, self.chunks[i], files)
            for i, files in self.annotated.items()
        ]
        summaries: list[Summary] = [self.tasks.result(h) for h in handles]
        found = [*self.outline.findings, *(f for s in summaries for f in s.findings)]
        if not all(s.own for s in summaries):
            corpus = self._gathered(found)
            return corpus, check(corpus, Checked())
        tables = dict(self.outline.tables)
        for name in self._articles if summaries else ():
            tables[name] = pl.concat([s.keys[name] for s in summaries], rechunk=False)
        corpus = replace(self.outline, tables=tables, findings=found)
        checked = {folder: f for s in summaries for folder, f in s.checked.items()}
        notes = [*self.listed, *(f for h in annotated for f in self.tasks.result(h))]
        return corpus, check(corpus, Checked(None, checked), notes)

    def parts(self, name: str) -> Iterator[pyarrow.Table]:
        """Table ``name`` published, in article order: the driver's part (the registry's rows),
        then each chunk's, fetched one at a time."""
        if self.published is None:
            self.published = [self.tasks.submit(_publish, self.plan, c) for c in self.chunks]
            self.chunks = []  # each is freed once published (and made again if that is lost)
        yield self._outline_published[name]
        if name in self._articles:
            handles = deque(self.tasks.submit(_pick, p, name) for p in self.published)
            while handles:
                yield self.tasks.result(handles.popleft())

    @cached_property
    def _outline_published(self) -> dict[str, pyarrow.Table]:
        from articlepack.builder.tables import publish

        return publish(self.outline)

    def _gathered(self, findings: list[Finding]) -> Corpus:
        """The whole corpus on the driver, from every chunk (for a corpus whose ids are not all
        their folders' names)."""
        import polars as pl

        chunks: list[Chunk] = [self.tasks.result(c) for c in self.chunks]
        tables = dict(self.outline.tables)
        for name in (*self._articles, "raw"):
            tables[name] = pl.concat([c.tables[name] for c in chunks], rechunk=False)
        raw = tables.pop("raw")
        return replace(self.outline, tables=tables, raw=raw, findings=findings)


def _hold(plan: Plan) -> Plan:
    return plan


def _read(plan: Plan, folders: list[str]) -> Chunk:
    from articlepack.checks import check_articles
    from articlepack.errors import EngineError

    if not (plan.root / "corpus").is_dir():
        raise EngineError(
            f"a worker of the engine sees no project at {plan.root}: every worker must see the "
            "project at the same path (a shared file system; see docs/engine.md)"
        )
    jobs: list[tuple[str, str | None]] = [(folder, None) for folder in folders]  # none cached
    return _articles.read_chunk(plan.root, jobs, plan.schemas, check_articles)


def _summarize(plan: Plan, chunk: Chunk) -> Summary:
    from articlepack.checks import ids_are_folders

    own = ids_are_folders(chunk.tables[table_of(plan.schemas, "document") or ""])
    tables = {n: keys(plan.schemas[n], t) for n, t in chunk.tables.items() if n != "raw"}
    return Summary(chunk.findings, chunk.checked, own, tables)


def _annotations(plan: Plan, chunk: Chunk, files: list[annotators.File]) -> list[Finding]:
    tables = {**chunk.tables, **plan.registry}
    raw = tables.pop("raw")
    part = Corpus(plan.root, {}, plan.schemas, tables, raw, [], [], [])
    return annotators.check_annotations(part, files)


def _publish(plan: Plan, chunk: Chunk) -> dict[str, pyarrow.Table]:
    from articlepack.builder.tables import publish_articles

    tables = dict(chunk.tables)
    raw = tables.pop("raw")
    return publish_articles(Corpus(plan.root, {}, plan.schemas, tables, raw, [], [], []))


def _pick(published: dict[str, pyarrow.Table], name: str) -> pyarrow.Table:
    return published[name]
