"""The review site of a release, read as HTML (``html.parser``): one element per annotation,
links that stay inside the release, text that is always escaped, a record that lists it all.

``tests/test_site_chromium.py`` opens the same pages in a real browser.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import articlepack
from articlepack.builder import build
from articlepack.builder.site.markup import page_name
from articlepack.builder.site.text import Mark, render
from articlepack.verify import verify
from conftest import EXAMPLE, ROOT, Project
from custom_scheme import custom_project

#: what a hostile title and entity name hold: run, it would set the page's title
INJECTED = '<script>document.title="pwned"</script><img src=x onerror=document.title="pwned">'
VOID = {"meta", "link", "br", "img", "input", "hr"}


class Page(HTMLParser):
    """A page parsed: its elements, ids, links and any tag closed out of order."""

    def __init__(self, path: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[tuple[str, str | None]] = []  # each open tag, and the row it names
        self.problems: list[str] = []
        self.texts: list[str] = []
        self.text_of: dict[str, str] = {}  # "layer/id" -> the text of its element
        self.feed(path.read_text(encoding="utf-8"))
        self.close()
        if self.stack:
            self.problems.append(f"left open: {self.stack}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.elements.append((tag, found))
        if tag not in VOID:
            row = (
                f"{found['data-layer']}/{found.get('data-id')}" if found.get("data-layer") else None
            )
            self.stack.append((tag, row))
            if row:
                self.text_of[row] = ""

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        for _, row in self.stack:
            if row:
                self.text_of[row] += data

    def layers(self) -> dict[str, int]:
        return dict(Counter(a["data-layer"] for _, a in self.elements if a.get("data-layer")))

    @property
    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.elements if a.get("id")}

    def links(self) -> list[str]:
        return [v for _, a in self.elements for k, v in a.items() if k in ("href", "src") and v]


def rows_of(release: Path, article: str) -> dict[str, int]:
    """Rows per table of ``article`` in the release's Parquet files (the tables with one)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    out = {}
    for path in sorted(release.glob("data/*/*.parquet")):
        table = pq.read_table(path)
        if "article_id" in table.column_names:
            n = pc.sum(pc.equal(table.column("article_id"), article)).as_py() or 0
            if n:
                out[path.parent.name] = n
    return out


def hostile_project(root: Path) -> Path:
    """The `init` template with ``INJECTED`` as its article's title (at the end of raw.txt)
    and as an entity's name, a reviewed waiver of one warning, and a warning left standing."""
    project = Project(articlepack.init(root))
    raw = project.raw.read_text(encoding="utf-8")
    start = len(raw)
    project.raw.write_text(raw + INJECTED, encoding="utf-8")
    digest = hashlib.sha256(project.raw.read_bytes()).hexdigest()
    project.edit_article(
        'title: {start: 25, end: 78, text: "Ministers of Freedonia and Sylvania Meet in Ruritania"}',
        f"title: {{start: {start}, end: {start + len(INJECTED)}, text: '{INJECTED}'}}",
    )
    project.edit_article(
        "raw: {sha256: 85addcdbd56469b6d0acd1bfafb84b51b71317d4b5e6a1ff6bb421e8397319a5}",
        f"raw: {{sha256: {digest}}}",
    )
    project.edit("corpus/entities.yaml", "name: Anna Example,", f"name: '{INJECTED}',")
    project.edit_article(
        'date: "2020-01-01"\n    date_evidence', 'date: "2020-02-01"\n    date_evidence'
    )
    (root / "corpus" / "waivers.yaml").write_text(
        "waivers:\n"
        f"  - {{code: event-after-publication, file: corpus/articles/{EXAMPLE}/article.yaml, "
        "id: e1, reason: the article reports a planned date}\n",
        encoding="utf-8",
    )
    (project.article.parent / "notes.txt").write_text("a stray note\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(ROOT, tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def custom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = custom_project(tmp_path_factory.mktemp("p") / "custom")
    return build(project.root, tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = hostile_project(tmp_path_factory.mktemp("p") / "hostile")
    return build(project, tmp_path_factory.mktemp("dist"))


@pytest.mark.parametrize("which", ["release", "custom"], ids=["bundled", "custom-scheme"])
def test_every_row_of_every_layer_is_one_element_of_its_article_page(
    which: str, request: pytest.FixtureRequest
) -> None:
    folder: Path = request.getfixturevalue(which)
    pages = sorted((folder / "review" / "articles").glob("*.html"))
    assert len(pages) == (5 if which == "release" else 1)
    for path in pages:
        page = Page(path)
        assert page.problems == [], path.name
        assert page.layers() == rows_of(folder, path.stem), path.name
        named = [
            (a["data-layer"], a.get("data-id")) for _, a in page.elements if a.get("data-layer")
        ]
        assert all(ident for _, ident in named) and len(set(named)) == len(named)


def test_an_entity_page_lists_every_row_that_refers_to_the_entity(release: Path) -> None:
    import polars as pl

    mentions = pl.read_parquet(release / "data/mentions/train-00000-of-00001.parquet")
    entities = pl.read_parquet(release / "data/entities/train-00000-of-00001.parquet")
    for entity in entities["id"]:
        page = Page(release / "review" / "entities" / page_name(entity))
        expected = mentions.filter(pl.col("entity_id") == entity).height
        assert page.layers() == ({"mentions": expected} if expected else {}), entity
        assert page.problems == []


@pytest.mark.parametrize("which", ["release", "custom"], ids=["bundled", "custom-scheme"])
def test_every_link_leads_to_a_file_of_the_release_and_an_element_of_it(
    which: str, request: pytest.FixtureRequest
) -> None:
    folder: Path = request.getfixturevalue(which)
    pages = {p: Page(p) for p in sorted((folder / "review").rglob("*.html"))}
    checked = 0
    for path, page in pages.items():
        for link in page.links():
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc, f"{path.name}: {link}"
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            assert target.is_relative_to(folder.resolve()) and target.is_file(), link
            if parts.fragment:
                assert unquote(parts.fragment) in pages[target].ids, f"{path.name}: {link}"
            checked += 1
    assert checked > (400 if which == "release" else 40)


def test_a_custom_layer_is_drawn_like_any_other(custom: Path) -> None:
    page = Page(custom / "review" / "articles" / f"{EXAMPLE}.html")
    relation = next(a for _, a in page.elements if a.get("data-layer") == "relations")
    assert relation["data-id"] == "r1"
    spans = [a["data-span"] for _, a in page.elements if a.get("data-for") == "relations/r1"]
    assert spans == ["evidence"]
    assert page.text_of["relations/r1"] == (
        "r1 meetsevidence “Anna Example, met her Sylvanian counterpart Boris Sample”"
        "head Anna Exampletail Boris Sampleconfidence0.9"
    )


def test_a_script_in_a_title_or_an_entity_name_is_escaped(hostile: Path) -> None:
    for path in sorted((hostile / "review").rglob("*.html")):
        page = Page(path)
        scripts = [a for tag, a in page.elements if tag == "script"]
        assert [a.get("src", "").endswith("assets/site.js") for a in scripts] == [True], path
        assert not any(tag == "img" for tag, _ in page.elements), path
    article = (hostile / "review" / "articles" / f"{EXAMPLE}.html").read_text(encoding="utf-8")
    assert "<h1>&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;" in article
    assert INJECTED in "".join(Page(hostile / "review" / "entities" / "anna-example.html").texts)


def test_findings_and_waivers_show_on_the_article_and_the_index(hostile: Path) -> None:
    for path in (
        hostile / "review" / "articles" / f"{EXAMPLE}.html",
        hostile / "review" / "index.html",
    ):
        page = Page(path)
        codes = [(a["class"], a["data-code"]) for _, a in page.elements if a.get("data-code")]
        assert ("finding warning", "stray-file") in codes
        assert [c for c in codes if c[0] == "waiver"] == [("waiver", "event-after-publication")]
    text = "".join(Page(hostile / "review" / "index.html").texts)
    assert "the article reports a planned date" in text


def test_a_standoff_article_lists_its_spans_beside_the_withheld_text(
    project: Project, tmp_path: Path
) -> None:
    project.edit_article("distribution: full", "distribution: standoff")
    release = build(project.root, tmp_path / "dist")
    page = Page(release / "review" / "articles" / f"{EXAMPLE}.html")
    assert page.layers() == rows_of(release, EXAMPLE)
    withheld = [
        a for tag, a in page.elements if tag == "p" and "withheld" in (a.get("class") or "")
    ]
    assert len(withheld) == 2
    assert "Anna Example" not in "".join(page.texts)  # the text is withheld, its spans too


def test_the_site_is_in_the_record_and_verify_accepts_the_release(hostile: Path) -> None:
    import json

    record = json.loads((hostile / "datapackage.json").read_text(encoding="utf-8"))
    listed = {f["path"] for f in record["x-articlepack"]["files"]}
    on_disk = {p.relative_to(hostile).as_posix() for p in hostile.rglob("*") if p.is_file()}
    site = {p for p in on_disk if p.startswith(("review/", "pictures/"))}
    assert site and site <= listed
    verify(hostile)
    assert "(review/index.html)" in (hostile / "README.md").read_text(encoding="utf-8")


def test_a_rebuild_writes_the_same_site_bytes(project: Project, tmp_path: Path) -> None:
    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] in ("review", "pictures")
        }

    first = files(build(project.root, tmp_path / "a"))
    assert len(first) > 5 and first == files(build(project.root, tmp_path / "b"))


@pytest.mark.parametrize("scheme", ["bundled", "custom"])
def test_pages_drawn_by_workers_a_chunk_each_are_the_pages_drawn_here(
    scheme: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import articlepack.builder.site as site

    root = ROOT if scheme == "bundled" else custom_project(tmp_path / "custom").root

    def review(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "review").rglob("*"))
            if p.is_file()
        }

    here = review(build(root, tmp_path / "here"))
    monkeypatch.setattr(site, "PARALLEL_FROM", 0)
    monkeypatch.setattr(site, "TASK", (1, 1))  # a task per article, so several per worker
    monkeypatch.setattr(site.os, "cpu_count", lambda: 2)
    assert review(build(root, tmp_path / "workers")) == here
    assert len([p for p in here if p.count("/") == 2 and "/assets/" not in p]) > 2


def test_a_chunk_reads_its_rows_and_no_others_from_an_unsorted_file(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from articlepack.builder.site.rows import read

    ids = ["c", "a", "b", "a", "d", "c", "b"]  # no order: statistics prune nothing wrongly
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"article_id": ids, "n": range(7)}), path, row_group_size=2)
    found = read(path, "article_id", ["b", "c"]).rows(["c", "b", "x"])
    assert {k: [r["n"] for r in v] for k, v in found.items()} == {"c": [0, 5], "b": [2, 6]}
    assert read(path, "article_id", ["x"]).rows(["x"]) == {}


def test_an_entry_named_everywhere_is_made_rows_alone_and_in_file_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    import articlepack.builder.site.rows as rows

    entity = ["z", "a", "z", "m", "z", "a", "z"]  # z is most rows; the keys come in no order
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"entity_id": entity, "n": range(7)}), path, row_group_size=3)
    monkeypatch.setattr(rows, "CHUNK_ROWS", 2)
    made: list[int] = []
    real = rows.Grouped.rows
    monkeypatch.setattr(
        rows.Grouped, "rows", lambda g, keys: made.append(len(keys)) or real(g, keys)
    )
    found = list(rows.by_value(path, "entity_id", ["z", "m", "a", "x"], ["entity_id", "n"]))
    assert [(k, [r["n"] for r in v]) for k, v in found] == [
        ("z", [0, 2, 4, 6]),
        ("m", [3]),
        ("a", [1, 5]),
        ("x", []),
    ]
    assert made[0] == 1  # z's four rows are more than a run holds: made rows alone


# -- spans that overlap ---------------------------------------------------------------------


def _mark(key: int, start: int, end: int) -> Mark:
    return Mark(
        key, start, end, (0, str(key)), f'<mark data-id="{key}">', f'<mark data-for="{key}">'
    )


def test_nested_spans_nest() -> None:
    drawn = render("Anna Example met", 0, [_mark(1, 0, 12), _mark(2, 5, 12)], set())
    assert drawn == '<mark data-id="1">Anna <mark data-id="2">Example</mark></mark> met'


def test_crossing_spans_split_the_inner_one_into_a_continuation() -> None:
    # regression guard: a crossing pair must stay well-formed and name each span once
    drawn = render("abcdefgh", 0, [_mark(1, 0, 5), _mark(2, 3, 8)], set())
    assert drawn == (
        '<mark data-id="1">abc<mark data-id="2">de</mark></mark><mark data-for="2">fgh</mark>'
    )


def test_a_span_across_two_paragraphs_continues_in_the_second() -> None:
    opened: set[int] = set()
    marks = [_mark(1, 2, 9)]
    first, second = render("abcd", 0, marks, opened), render("fghij", 6, marks, opened)
    assert (first, second) == ('ab<mark data-id="1">cd</mark>', '<mark data-for="1">fgh</mark>ij')


def test_the_same_spans_in_any_order_give_the_same_bytes() -> None:
    marks = [_mark(1, 0, 4), _mark(2, 0, 4), _mark(3, 2, 6), _mark(4, 1, 2)]
    assert len({render("a<b>&cdef", 0, order, set()) for order in (marks, marks[::-1])}) == 1
    assert "a&lt;b&gt;&amp;" in render("a<b>&", 0, [], set())


@pytest.mark.parametrize(
    "ident",
    ["../../etc/passwd", "Article", "a/b", "x" * 300, "café", "_0123"],
    ids=["climbs-out", "capitals", "slash", "too-long", "non-ascii", "digest-like"],
)
def test_an_id_that_is_no_plain_slug_gets_a_digest_page_name(ident: str) -> None:
    # a custom scheme may loosen the id pattern; no id may make a path or share a page
    name = page_name(ident)
    assert name.startswith("_") and name.endswith(".html") and "/" not in name
    assert len(name) == 38 and page_name(f"{ident}x") != name
    assert page_name("2016-01-28-alalam") == "2016-01-28-alalam.html"
