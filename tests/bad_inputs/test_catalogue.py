"""A catalogue of hostile and broken inputs. Each one must end in a clear finding that names the
file (and line, where the problem has one) and exit 1 (or 0 for warnings, 2 for an unusable
project): never a traceback, a hang, a crash of the YAML parser, or a read outside the project."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from articlepack.cli import app
from bad_inputs.support import line_with, rewrite_article, validate
from conftest import EXAMPLE, Project

ARTICLES = "corpus/articles"
ARTICLE = f"{ARTICLES}/{EXAMPLE}/article.yaml"
RAW = f"{ARTICLES}/{EXAMPLE}/raw.txt"
DATASET = "corpus/dataset.yaml"
ENTITIES = "corpus/entities.yaml"
WAIVERS = "corpus/waivers.yaml"
ANY = object()  # the finding must carry some line (which one is a judgment call)
N = 100_000  # levels of nesting in the "deep" documents

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def write(relative: str, content: str | bytes) -> Callable[[Project], None]:
    def damage(p: Project) -> None:
        path = p.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")

    return damage


def edit(relative: str, old: str, new: str) -> Callable[[Project], None]:
    return lambda p: p.edit(relative, old, new)


def append(relative: str, text: str) -> Callable[[Project], None]:
    def damage(p: Project) -> None:
        with open(p.root / relative, "a", encoding="utf-8", newline="") as handle:
            handle.write(text)

    return damage


def prepend_bytes(relative: str, data: bytes) -> Callable[[Project], None]:
    def damage(p: Project) -> None:
        path = p.root / relative
        path.write_bytes(data + path.read_bytes())

    return damage


def remove(relative: str) -> Callable[[Project], None]:
    def damage(p: Project) -> None:
        path = p.root / relative
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    return damage


def both(*damages: Callable[[Project], None]) -> Callable[[Project], None]:
    def damage(p: Project) -> None:
        for d in damages:
            d(p)

    return damage


def outside(p: Project) -> Path:
    """A folder next to the project: everything in it is off limits."""
    folder = p.root.parent / "outside"
    folder.mkdir(exist_ok=True)
    return folder


def symlink_out(relative: str, *, folder: bool = False) -> Callable[[Project], None]:
    def damage(p: Project) -> None:
        link = p.root / relative
        target = outside(p) / ("evil-article" if folder else "secret.txt")
        if folder:
            target.mkdir(exist_ok=True)
            (target / "article.yaml").write_text("evil: [\n")  # would be a yaml-syntax finding
            (target / "raw.txt").write_text("secret")
        else:
            target.write_text("secret: [\n")
        if link.exists():
            shutil.rmtree(link) if link.is_dir() else link.unlink()
        link.symlink_to(target, target_is_directory=folder)

    return damage


def fifo(relative: str) -> Callable[[Project], None]:
    def damage(p: Project) -> None:
        path = p.root / relative
        path.unlink()
        os.mkfifo(path)

    return damage


def crlf_raw(*, recompute: bool) -> Callable[[Project], None]:
    """raw.txt with CRLF endings; offsets recomputed on the CRLF text or left as for LF."""

    def damage(p: Project) -> None:
        lf = p.raw.read_text(encoding="utf-8")
        data = lf.replace("\n", "\r\n").encode()
        p.raw.write_bytes(data)
        rewrite_article(
            p.article, data, (lambda o: o + lf[:o].count("\n")) if recompute else (lambda o: o)
        )

    return damage


def bom_raw(*, recompute: bool) -> Callable[[Project], None]:
    def damage(p: Project) -> None:
        data = b"\xef\xbb\xbf" + p.raw.read_bytes()
        p.raw.write_bytes(data)
        rewrite_article(p.article, data, (lambda o: o + 1) if recompute else (lambda o: o))

    return damage


def raw_appended(text: str) -> Callable[[Project], None]:
    """Text added after everything annotated, with the hash kept right."""

    def damage(p: Project) -> None:
        data = p.raw.read_bytes() + text.encode()
        p.raw.write_bytes(data)
        rewrite_article(p.article, data)

    return damage


def undecodable_folder(p: Project) -> None:
    name = os.fsencode(p.root / ARTICLES) + b"/2020-01-02-\xff\xfe"
    os.mkdir(name)


def garbage(seed: int) -> bytes:
    return random.Random(seed).randbytes(4096)


def _deep(pattern: str) -> str:
    return pattern * N


# (id, damage, exit code, finding code, file, line: int | needle str | None (no line) | ANY)
# One comment per case: why it is in the catalogue.
CASES: list[tuple[str, Callable[[Project], None], int, str, str, Any]] = [
    # A zero-byte file: an editor crash or a truncated checkout.
    ("empty-article", write(ARTICLE, ""), 1, "empty-file", ARTICLE, 1),
    # Only blank lines: still nothing to read.
    ("blank-article", write(ARTICLE, "\n\n   \n"), 1, "empty-file", ARTICLE, 1),
    # Comments only: YAML loads it as null, not as a mapping.
    ("comments-only-article", write(ARTICLE, "# TODO annotate\n"), 1, "empty-file", ARTICLE, 1),
    # A top-level list where a mapping belongs.
    ("yaml-list", write(ARTICLE, "- id: x\n- id: y\n"), 1, "not-a-mapping", ARTICLE, 1),
    # A top-level scalar (a pasted sentence).
    ("yaml-scalar", write(ARTICLE, "just a sentence\n"), 1, "not-a-mapping", ARTICLE, 1),
    # A number as the whole document.
    ("yaml-number", write(ARTICLE, "# a comment first\n42\n"), 1, "not-a-mapping", ARTICLE, 2),
    # Two documents in one file: yaml-rs would return a list of both.
    (
        "two-documents",
        append(ARTICLE, "---\nid: another\n"),
        1,
        "yaml-multiple-documents",
        ARTICLE,
        "---",
    ),
    # 100,000 levels of flow sequences: recursion in any recursive-descent parser.
    ("deep-flow-list", write(ARTICLE, _deep("[") + _deep("]")), 1, "yaml-unsafe", ARTICLE, 1),
    # 100,000 levels of flow mappings.
    ("deep-flow-map", write(ARTICLE, _deep("{a: ") + _deep("}")), 1, "yaml-unsafe", ARTICLE, 1),
    # 100,000 levels of compact block sequences: overflows yaml-rs's C stack (a segfault).
    ("deep-block-list", write(ARTICLE, _deep("- ") + "x\n"), 1, "yaml-unsafe", ARTICLE, 1),
    # 100,000 levels of compact block mappings (explicit keys): the same crash by another road.
    ("deep-block-keys", write(ARTICLE, _deep("? ") + "x\n"), 1, "yaml-unsafe", ARTICLE, 1),
    # Sequences and explicit keys interleaved.
    ("deep-block-mixed", write(ARTICLE, _deep("- ? ") + "x\n"), 1, "yaml-unsafe", ARTICLE, 1),
    # Indented block mappings, 3,000 levels (100,000 would be a 5 GB file).
    (
        "deep-block-indented",
        write(ARTICLE, "".join(" " * i + "a:\n" for i in range(3000)) + " " * 3000 + "x\n"),
        1,
        "yaml-unsafe",
        ARTICLE,
        65,
    ),
    # Lines broken by a lone \r (old Mac endings): YAML breaks lines there too.
    (
        "deep-block-after-cr",
        write(ARTICLE, "a:\r" + _deep("- ") + "x\n"),
        1,
        "yaml-unsafe",
        ARTICLE,
        ANY,
    ),
    # Deep nesting hidden inside an otherwise valid article: the line of the key that holds it.
    (
        "deep-inside-article",
        edit(ARTICLE, "tags: [World]", "tags:\n  " + _deep("- ") + "x"),
        1,
        "yaml-unsafe",
        ARTICLE,
        "- - - -",
    ),
    # Quoted closing brackets that would fool a bracket counter; yaml-rs's own limit holds.
    (
        "deep-flow-quoted-brackets",
        write(ARTICLE, _deep('["]", ') + _deep("]")),
        1,
        "yaml-unsafe",
        ARTICLE,
        1,
    ),
    # Billion laughs: nine levels of nine aliases each, 387 million strings if expanded.
    ("alias-bomb", write(ARTICLE, BILLION_LAUGHS), 1, "yaml-unsafe", ARTICLE, "a: &a"),
    # The bombed anchor is not the first one: the line still points at it.
    (
        "alias-bomb-second-anchor",
        write(ARTICLE, "x: &x 1\n" + BILLION_LAUGHS),
        1,
        "yaml-unsafe",
        ARTICLE,
        "a: &a",
    ),
    # Quadratic blow-up: one large node aliased a thousand times.
    (
        "alias-fanout",
        write(
            ARTICLE,
            "a: &a [" + ", ".join(["x"] * 1000) + "]\nb: [" + ", ".join(["*a"] * 1000) + "]\n",
        ),
        1,
        "yaml-unsafe",
        ARTICLE,
        2,
    ),
    # Duplicate key at the top level: YAML libraries silently keep the last one.
    (
        "duplicate-key",
        edit(ARTICLE, "language: en", "language: en\nlanguage: fr"),
        1,
        "yaml-duplicate-key",
        ARTICLE,
        "language: fr",
    ),
    # Duplicate key inside a flow mapping.
    (
        "duplicate-key-flow",
        edit(ARTICLE, "{id: m3, start: 176,", "{id: m3, id: m9, start: 176,"),
        1,
        "yaml-duplicate-key",
        ARTICLE,
        "id: m9",
    ),
    # The same key spelled plain and quoted.
    (
        "duplicate-key-quoted",
        edit(ARTICLE, "language: en", 'language: en\n"language": fr'),
        1,
        "yaml-duplicate-key",
        ARTICLE,
        '"language"',
    ),
    # A duplicate key next to an alias bomb: finding its line must not expand the bomb.
    (
        "duplicate-key-and-bomb",
        write(ARTICLE, "k: 1\nk: 2\n" + BILLION_LAUGHS),
        1,
        "yaml-duplicate-key",
        ARTICLE,
        2,
    ),
    # The classic PyYAML exploit tag: yaml-rs would load it as plain data.
    (
        "python-tag",
        edit(ARTICLE, "language: en", "language: !!python/object/apply:os.system ['touch pwned']"),
        1,
        "yaml-unsafe",
        ARTICLE,
        "python/object",
    ),
    # python/name, on a key that is otherwise a valid string.
    (
        "python-name-tag",
        edit(ARTICLE, "language: en", "language: !!python/name:os.system en"),
        1,
        "yaml-unsafe",
        ARTICLE,
        "python/name",
    ),
    # A local tag (an "include" some loaders honour).
    (
        "local-tag",
        edit(ARTICLE, "language: en", "language: !include /etc/passwd"),
        1,
        "yaml-unsafe",
        ARTICLE,
        "!include",
    ),
    # A standard tag that changes a value's type silently (a set, binary).
    (
        "set-tag",
        edit(ARTICLE, "tags: [World]", "tags: !!set {World}"),
        1,
        "yaml-unsafe",
        ARTICLE,
        "tags:",
    ),
    # A %TAG directive and a shorthand that expands to a python tag.
    (
        "tag-directive",
        write(
            ARTICLE, "%TAG !p! tag:yaml.org,2002:python/\n---\nid: !p!object/apply:os.system [ls]\n"
        ),
        1,
        "yaml-unsafe",
        ARTICLE,
        "id:",
    ),
    # A verbatim tag on the document itself.
    (
        "verbatim-tag",
        prepend_bytes(ARTICLE, b"--- !<tag:yaml.org,2002:python/object:os.system>\n"),
        1,
        "yaml-unsafe",
        ARTICLE,
        1,
    ),
    # A byte-order mark from a Windows editor at the start of article.yaml.
    ("bom-article", prepend_bytes(ARTICLE, b"\xef\xbb\xbf"), 1, "bom", ARTICLE, 1),
    # ... and of entities.yaml.
    ("bom-entities", prepend_bytes(ENTITIES, b"\xef\xbb\xbf"), 1, "bom", ENTITIES, 1),
    # A BOM at the start of raw.txt with offsets counted without it: warned, and every span is off.
    ("bom-raw", bom_raw(recompute=False), 1, "span-text-mismatch", ARTICLE, "title:"),
    # CRLF raw.txt, offsets computed on the LF text: the \r characters shift every span, and
    # one finding says so (at the span that comes first in raw.txt), not one per span.
    ("crlf-raw-lf-offsets", crlf_raw(recompute=False), 1, "crlf-offsets", ARTICLE, "title:"),
    # A NUL byte in raw.txt (binary junk in a crawl).
    (
        "nul-raw",
        edit(RAW, "This is an invented", "This is an\x00 invented"),
        1,
        "nul-byte",
        RAW,
        11,
    ),
    # A NUL byte in article.yaml.
    (
        "nul-article",
        edit(ARTICLE, "language: en", "language: e\x00n"),
        1,
        "nul-byte",
        ARTICLE,
        "language:",
    ),
    # raw.txt in Latin-1, not UTF-8.
    (
        "latin1-raw",
        lambda p: p.raw.write_bytes(p.raw.read_bytes().replace(b"invented", b"inv\xe9nted")),
        1,
        "not-utf8",
        RAW,
        11,
    ),
    # The article folder has no article.yaml.
    ("no-article-yaml", remove(ARTICLE), 1, "missing-file", ARTICLE, None),
    # The article folder has no raw.txt.
    ("no-raw-txt", remove(RAW), 1, "missing-file", RAW, None),
    # A misnamed file: the missing-file error, plus a warning that names the stray.
    (
        "article-yml",
        lambda p: p.article.rename(p.article.with_suffix(".yml")),
        1,
        "missing-file",
        ARTICLE,
        None,
    ),
    # An article folder symlinked to a folder outside the project.
    (
        "symlink-folder-out",
        symlink_out(f"{ARTICLES}/2020-01-02-evil", folder=True),
        1,
        "unsafe-path",
        f"{ARTICLES}/2020-01-02-evil",
        None,
    ),
    # raw.txt symlinked to a file outside the project.
    ("symlink-raw-out", symlink_out(RAW), 1, "unsafe-path", RAW, None),
    # article.yaml symlinked to a file outside the project.
    ("symlink-article-out", symlink_out(ARTICLE), 1, "unsafe-path", ARTICLE, None),
    # raw.txt symlinked to a system file.
    (
        "symlink-raw-etc",
        lambda p: (p.raw.unlink(), p.raw.symlink_to("/etc/passwd")),
        1,
        "unsafe-path",
        RAW,
        None,
    ),
    # A symlink loop.
    (
        "symlink-loop",
        lambda p: (p.raw.unlink(), p.raw.symlink_to(p.raw)),
        1,
        "unsafe-path",
        RAW,
        None,
    ),
    # corpus/articles itself leads outside the project.
    (
        "symlink-articles-dir-out",
        lambda p: (
            shutil.move(p.root / ARTICLES, outside(p) / "articles"),
            (p.root / ARTICLES).symlink_to(outside(p) / "articles"),
        ),
        1,
        "unsafe-path",
        ARTICLES,
        None,
    ),
    # raw.txt is a named pipe: opening it for reading would block for ever.
    ("fifo-raw", fifo(RAW), 1, "unreadable", RAW, None),
    # raw.txt is a folder.
    ("folder-raw", lambda p: (p.raw.unlink(), p.raw.mkdir()), 1, "unreadable", RAW, None),
    # A path-traversal id: reported, and never used to reach a file (see the test below).
    (
        "traversal-id",
        edit(ARTICLE, f"id: {EXAMPLE}", "id: ../../etc"),
        1,
        "id-folder-mismatch",
        ARTICLE,
        "id: ../../etc",
    ),
    # The same id fails the id pattern.
    (
        "traversal-id-pattern",
        edit(ARTICLE, f"id: {EXAMPLE}", "id: ../../etc"),
        1,
        "bad-pattern",
        ARTICLE,
        "id: ../../etc",
    ),
    # A folder name that is not UTF-8.
    (
        "undecodable-folder-name",
        undecodable_folder,
        1,
        "not-utf8",
        f"{ARTICLES}/2020-01-02-\ufffd\ufffd",
        None,
    ),
    # Offsets: negative.
    (
        "negative-offset",
        edit(ARTICLE, "{id: m1, start: 121,", "{id: m1, start: -1,"),
        1,
        "out-of-range",
        ARTICLE,
        "id: m1,",
    ),
    # Offsets: a float.
    (
        "float-offset",
        edit(ARTICLE, "{id: m1, start: 121,", "{id: m1, start: 121.0,"),
        1,
        "wrong-type",
        ARTICLE,
        "id: m1,",
    ),
    # Offsets: infinity.
    (
        "inf-offset",
        edit(ARTICLE, "{id: m1, start: 121,", "{id: m1, start: .inf,"),
        1,
        "wrong-type",
        ARTICLE,
        "id: m1,",
    ),
    # Offsets: not a number.
    (
        "nan-offset",
        edit(ARTICLE, "{id: m1, start: 121,", "{id: m1, start: .nan,"),
        1,
        "wrong-type",
        ARTICLE,
        "id: m1,",
    ),
    # Offsets: beyond 64 bits (polars would turn it into a null, reported as "missing").
    (
        "huge-offset",
        edit(ARTICLE, "{id: m1, start: 121,", "{id: m1, start: 99999999999999999999999,"),
        1,
        "out-of-range",
        ARTICLE,
        "id: m1,",
    ),
    # Offsets: a boolean (an int subclass in Python).
    (
        "bool-offset",
        edit(ARTICLE, "{id: m1, start: 121,", "{id: m1, start: true,"),
        1,
        "wrong-type",
        ARTICLE,
        "id: m1,",
    ),
    # Offsets: a quoted number.
    (
        "string-offset",
        edit(ARTICLE, "{id: m1, start: 121,", '{id: m1, start: "121",'),
        1,
        "wrong-type",
        ARTICLE,
        "id: m1,",
    ),
    # Offsets: null.
    (
        "null-offset",
        edit(ARTICLE, "{id: m1, start: 121,", "{id: m1, start: null,"),
        1,
        "missing-key",
        ARTICLE,
        "id: m1,",
    ),
    # Version 1.0: YAML reads it as a float.
    (
        "version-float",
        edit(DATASET, "version: 0.1.0", "version: 1.0"),
        1,
        "bad-version",
        DATASET,
        "version:",
    ),
    # Version with a leading v (a git tag pasted in).
    (
        "version-v",
        edit(DATASET, "version: 0.1.0", "version: v1.0.0"),
        1,
        "bad-version",
        DATASET,
        "version:",
    ),
    # Version as a list.
    (
        "version-list",
        edit(DATASET, "version: 0.1.0", "version: [1, 0, 0]"),
        1,
        "bad-version",
        DATASET,
        "version:",
    ),
    # Version with a leading zero (not SemVer).
    (
        "version-leading-zero",
        edit(DATASET, "version: 0.1.0", "version: 01.0.0"),
        1,
        "bad-version",
        DATASET,
        "version:",
    ),
    # A nested mapping given as a number.
    (
        "source-number",
        edit(
            ARTICLE,
            "source:\n  record: example-0001\n  publisher: Example Gazette\n"
            "  publisher_basis: stated\n  publisher_evidence: {start: 396, end: 411, "
            'text: "Example Gazette"}\n  url: null\n  credited: []\n',
            "source: 5\n",
        ),
        1,
        "wrong-type",
        ARTICLE,
        "source: 5",
    ),
    # A list given as a mapping.
    (
        "mentions-mapping",
        edit(ARTICLE, "mentions:\n", "mentions: {}\nxmentions:\n"),
        1,
        "wrong-type",
        ARTICLE,
        "mentions: {}",
    ),
    # A span given as a plain string.
    (
        "span-string",
        edit(
            ARTICLE,
            'title: {start: 25, end: 78, text: "Ministers of Freedonia and Sylvania '
            'Meet in Ruritania"}',
            "title: Ministers",
        ),
        1,
        "wrong-type",
        ARTICLE,
        "title:",
    ),
    # A list of strings given as one string.
    (
        "tags-string",
        edit(ARTICLE, "tags: [World]", "tags: World"),
        1,
        "wrong-type",
        ARTICLE,
        "tags:",
    ),
    # A list of mention ids given as one id.
    (
        "actors-string",
        edit(ARTICLE, "actors: [m2]", "actors: m2"),
        1,
        "wrong-type",
        ARTICLE,
        "actors:",
    ),
    # A date given as a YAML date (unquoted) stays a string; one given as a number does not.
    (
        "date-number",
        edit(ARTICLE, 'date: "2020-01-01"\n  basis', "date: 20200101\n  basis"),
        1,
        "wrong-type",
        ARTICLE,
        "date: 20200101",
    ),
    # A non-string key at the top level.
    ("int-key", append(ARTICLE, "1: one\n"), 1, "wrong-type", ARTICLE, "1: one"),
    # A null key.
    ("null-key", append(ARTICLE, "null: nothing\n"), 1, "wrong-type", ARTICLE, "null: nothing"),
    # A boolean key inside a mention.
    (
        "bool-key",
        edit(ARTICLE, "{id: m1, start: 121,", "{id: m1, true: yes, start: 121,"),
        1,
        "wrong-type",
        ARTICLE,
        "id: m1,",
    ),
    # A sequence as a key (loads as a tuple).
    ("list-key", append(ARTICLE, "? [a, b]\n: c\n"), 1, "wrong-type", ARTICLE, "? [a, b]"),
    # A mapping as a key (loads as a frozenset).
    ("mapping-key", append(ARTICLE, "? {a: 1}\n: c\n"), 1, "wrong-type", ARTICLE, "? {a: 1}"),
    # A list item that is a scalar.
    (
        "mention-scalar",
        edit(
            ARTICLE,
            '  - {id: m1, start: 121, end: 130, text: "Freedonia", entity: freedonia}',
            "  - m1",
        ),
        1,
        "wrong-type",
        ARTICLE,
        "- m1",
    ),
    # A list item that is null.
    (
        "body-null-item",
        edit(ARTICLE, "body:\n", "body:\n  - null\n"),
        1,
        "wrong-type",
        ARTICLE,
        "- null",
    ),
    # A list item that is itself a list.
    (
        "event-list-item",
        edit(ARTICLE, "events:\n", "events:\n  - [e2, CONSULT]\n"),
        1,
        "wrong-type",
        ARTICLE,
        "- [e2",
    ),
    # dataset.yaml is missing.
    ("no-dataset", remove(DATASET), 1, "missing-file", DATASET, None),
    # dataset.yaml is a list.
    ("dataset-list", write(DATASET, "- name: x\n"), 1, "not-a-mapping", DATASET, 1),
    # dataset.yaml fields of the wrong type.
    (
        "dataset-contributors",
        edit(DATASET, "contributors:\n", "contributors: 5\nx-contributors:\n"),
        1,
        "wrong-type",
        DATASET,
        "contributors: 5",
    ),
    (
        "dataset-hub-string",
        edit(DATASET, "hub: {repo: your-org/example-news-corpus}", "hub: your-org/x"),
        1,
        "wrong-type",
        DATASET,
        "hub:",
    ),
    (
        "dataset-keywords-string",
        edit(DATASET, "keywords: [news, annotation]", "keywords: news"),
        1,
        "wrong-type",
        DATASET,
        "keywords:",
    ),
    (
        "dataset-title-list",
        edit(DATASET, "title: Example News Corpus", "title: [Example]"),
        1,
        "wrong-type",
        DATASET,
        "title:",
    ),
    # entities.yaml: the list given as a mapping; a scalar item; a misspelt top-level key.
    ("entities-mapping", write(ENTITIES, "entities: {}\n"), 1, "wrong-type", ENTITIES, 1),
    (
        "entity-scalar",
        edit(ENTITIES, "  - {id: freedonia,", "  - freedonia\n  - {id: freedonia,"),
        1,
        "wrong-type",
        ENTITIES,
        "- freedonia",
    ),
    (
        "entities-misspelt",
        edit(ENTITIES, "entities:", "entites:"),
        1,
        "unknown-key",
        ENTITIES,
        "entites:",
    ),
    # waivers.yaml: not a list; an item that is not a mapping; a code that is a list.
    ("waivers-number", write(WAIVERS, "waivers: 5\n"), 1, "wrong-type", WAIVERS, 1),
    ("waiver-scalar", write(WAIVERS, "waivers: [5]\n"), 1, "bad-waiver", WAIVERS, 1),
    (
        "waiver-code-list",
        write(WAIVERS, f"waivers:\n  - {{code: [mojibake], file: {RAW}, reason: x}}\n"),
        1,
        "bad-waiver",
        WAIVERS,
        2,
    ),
    # Arbitrary bytes in each corpus file.
    ("bytes-article", write(ARTICLE, garbage(1)), 1, "not-utf8", ARTICLE, ANY),
    ("bytes-raw", write(RAW, garbage(2)), 1, "not-utf8", RAW, ANY),
    ("bytes-entities", write(ENTITIES, garbage(3)), 1, "not-utf8", ENTITIES, ANY),
    ("bytes-dataset", write(DATASET, garbage(4)), 1, "not-utf8", DATASET, ANY),
    # Printable garbage that is valid UTF-8 but not YAML.
    (
        "text-garbage",
        write(ARTICLE, "{[}]: ::: - ? ! & * | > ' \" % @ `\n"),
        1,
        "yaml-syntax",
        ARTICLE,
        ANY,
    ),
    # An unclosed quote runs to the end of the file.
    (
        "unclosed-quote",
        edit(ARTICLE, 'text: "Freedonia"', 'text: "Freedonia'),
        1,
        "yaml-syntax",
        ARTICLE,
        ANY,
    ),
    # Tabs as indentation.
    (
        "tab-indent",
        edit(ARTICLE, "  record: example-0001", "\trecord: example-0001"),
        1,
        "yaml-syntax",
        ARTICLE,
        ANY,
    ),
    # A licence the Hub refuses: validate once passed it and build then refused the card.
    (
        "license-not-on-the-hub",
        edit(DATASET, "license: CC-BY-4.0", "license: Proprietary-Do-Not-Share"),
        1,
        "bad-license",
        DATASET,
        "license:",
    ),
    # A repo id the Hub refuses (a double dash): validate once passed it and publish refused it.
    (
        "hub-repo-the-hub-refuses",
        edit(DATASET, "hub: {repo: your-org/example-news-corpus}", "hub: {repo: your--org/x.git}"),
        1,
        "bad-pattern",
        DATASET,
        "hub:",
    ),
    # Year 0000 parses in polars' calendar but not Python's: validate passed, build crashed.
    (
        "event-date-year-zero",
        edit(ARTICLE, '    date: "2020-01-01"', '    date: "0000-01-01"'),
        1,
        "bad-date",
        ARTICLE,
        '"0000-01-01"',
    ),
    (
        "published-year-zero",
        edit(ARTICLE, '  date: "2020-01-01"', '  date: "0000"'),
        1,
        "bad-date",
        ARTICLE,
        '"0000"',
    ),
    # An undefined alias.
    (
        "unknown-alias",
        edit(ARTICLE, "language: en", "language: *nope"),
        1,
        "yaml-syntax",
        ARTICLE,
        "language:",
    ),
]


@pytest.mark.parametrize(
    ("damage", "exit_code", "code", "file", "line"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_bad_input_gets_a_clear_finding(
    project: Project,
    damage: Callable[[Project], None],
    exit_code: int,
    code: str,
    file: str,
    line: Any,
) -> None:
    damage(project)
    outcome = validate(project.root)
    assert outcome.code == exit_code, outcome.findings
    found = outcome.of(code)
    assert found, f"no {code} in {outcome.findings}"
    assert all(f["file"] == file for f in found), found
    if line is ANY:
        assert all(isinstance(f["line"], int) for f in found), found
    elif isinstance(line, str):
        assert line_with(project.root / file, line) in [f["line"] for f in found], found
    elif isinstance(line, int):
        assert line in [f["line"] for f in found], found
    else:
        assert all(f["line"] is None for f in found), found


@pytest.mark.slow
@pytest.mark.parametrize("damage", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_build_refuses_only_what_validate_reports_first(
    project: Project, damage: Callable[[Project], None], tmp_path: Path
) -> None:
    # Whatever build refuses, validate reports first: a green CI validate means the build works.
    # Regression: a licence the Hub refuses and a year-0000 date once passed validate.
    damage(project)
    validated = validate(project.root).code
    result = CliRunner().invoke(
        app, ["build", str(project.root), "--out", str(tmp_path / "dist"), "--quiet"]
    )
    assert "Traceback" not in result.output
    assert result.exit_code == validated, result.output
    written = list((tmp_path / "dist").glob("*-*")) if (tmp_path / "dist").exists() else []
    assert bool(written) is (validated == 0)


# -- cases that need more than one assertion ---------------------------------------------------


def test_crlf_raw_with_crlf_offsets_is_clean(project: Project) -> None:
    # Offsets count code points of raw.txt as stored: a CRLF file counts its \r characters.
    crlf_raw(recompute=True)(project)
    outcome = validate(project.root)
    assert (outcome.code, outcome.findings) == (0, [])


def test_a_surrogate_pair_escape_that_libyaml_refuses_keeps_the_findings_lines(
    project: Project,
) -> None:
    # yaml-rs loads "\ud83d\ude00" as one emoji, libyaml refuses it: the lines come from the
    # pure-Python parser rather than going missing.
    project.edit_article("tags: [World]", 'tags: ["\\ud83d\\ude00"]')
    project.edit_article("type: CONSULT", "type: MEET")
    (finding,) = validate(project.root).of("not-in-enum")
    assert finding["line"] == line_with(project.article, "type: MEET")


def test_crlf_article_yaml_is_fine(project: Project) -> None:
    # YAML written on Windows: line endings do not matter to the YAML, lines still count.
    project.article.write_bytes(project.article.read_bytes().replace(b"\n", b"\r\n"))
    assert validate(project.root).code == 0
    project.edit_article("type: CONSULT", "type: MEET")
    (finding,) = validate(project.root).of("not-in-enum")
    assert finding["line"] == line_with(project.article, "type: MEET")


def test_bom_in_raw_is_a_warning_when_offsets_count_it(project: Project) -> None:
    # The text is kept exactly as retrieved; U+FEFF is character 0 and offsets count it.
    bom_raw(recompute=True)(project)
    outcome = validate(project.root)
    assert outcome.code == 0
    assert [(f["code"], f["file"], f["line"]) for f in outcome.findings] == [("raw-bom", RAW, 1)]


def test_bom_in_raw_with_uncounted_offsets_warns_and_fails(project: Project) -> None:
    bom_raw(recompute=False)(project)
    outcome = validate(project.root)
    assert outcome.code == 1
    assert [(f["file"], f["line"]) for f in outcome.of("raw-bom")] == [(RAW, 1)]
    assert "found 1 character later" in outcome.of("span-text-mismatch")[0]["message"]


def test_mojibake_is_a_warning(project: Project) -> None:
    # UTF-8 read as cp1252 and saved again: a warning (the text is as retrieved), with its line.
    raw_appended("It\u00e2\u20ac\u2122s broken.\n")(project)
    outcome = validate(project.root)
    assert outcome.code == 0
    assert [(f["code"], f["file"], f["line"]) for f in outcome.findings] == [("mojibake", RAW, 14)]


def test_stray_files_are_warnings(project: Project) -> None:
    # Files where only article folders belong, and extra files inside an article folder.
    (project.root / ARTICLES / "notes.txt").write_text("todo")
    (project.root / ARTICLES / ".DS_Store").write_bytes(b"\x00\x01")
    (project.article.parent / "draft.yaml").write_text("x: 1")
    outcome = validate(project.root)
    assert outcome.code == 0
    assert sorted((f["code"], f["file"]) for f in outcome.findings) == [
        ("stray-file", f"{ARTICLES}/.DS_Store"),
        ("stray-file", f"{ARTICLES}/{EXAMPLE}/draft.yaml"),
        ("stray-file", f"{ARTICLES}/notes.txt"),
    ]


def test_misnamed_file_is_named_as_stray(project: Project) -> None:
    project.article.rename(project.article.with_suffix(".yml"))
    outcome = validate(project.root)
    assert [f["file"] for f in outcome.of("stray-file")] == [f"{ARTICLES}/{EXAMPLE}/article.yml"]


def test_symlinks_out_are_never_read(project: Project) -> None:
    # The targets would produce yaml-syntax findings if they were read.
    symlink_out(f"{ARTICLES}/2020-01-02-evil", folder=True)(project)
    symlink_out(RAW)(project)
    outcome = validate(project.root)
    assert {(f["code"], f["file"]) for f in outcome.findings if f["code"] == "unsafe-path"} == {
        ("unsafe-path", f"{ARTICLES}/2020-01-02-evil"),
        ("unsafe-path", RAW),
    }
    assert not outcome.of("yaml-syntax")
    assert all("evil" not in f["file"] or f["code"] == "unsafe-path" for f in outcome.findings)


def test_symlink_inside_the_project_is_followed(project: Project) -> None:
    # A link that stays inside the project is fine (a shared raw text, a renamed folder).
    (project.root / "texts").mkdir()
    project.raw.rename(project.root / "texts" / "raw.txt")
    project.raw.symlink_to(project.root / "texts" / "raw.txt")
    assert validate(project.root).code == 0


def test_traversal_id_reaches_no_file(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    # An id is only ever compared, never joined to a path: record every path the validator opens
    # or lists, and every file in and around the project before and after.
    canary = project.root / "corpus" / "etc"
    canary.mkdir()
    (canary / "article.yaml").write_text("canary: [\n")
    (canary / "raw.txt").write_text("canary")
    project.edit_article(f"id: {EXAMPLE}", "id: ../../etc")
    before = sorted(str(p) for p in project.root.parent.rglob("*"))
    touched: list[str] = []
    real_open, real_scandir, real_listdir = os.open, os.scandir, os.listdir

    def spy_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        touched.append(os.fsdecode(path))
        return real_open(path, *args, **kwargs)

    def spy_scandir(path: Any = ".") -> Any:  # a descriptor, from rmtree, lists what it opened
        touched.append(str(path) if isinstance(path, int) else os.fsdecode(path))
        return real_scandir(path)

    def spy_listdir(path: Any = ".") -> Any:
        touched.append(os.fsdecode(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(os, "scandir", spy_scandir)
    monkeypatch.setattr(os, "listdir", spy_listdir)
    outcome = validate(project.root)
    monkeypatch.undo()
    assert {"id-folder-mismatch", "bad-pattern"} <= {f["code"] for f in outcome.findings}
    assert touched
    assert not [t for t in touched if "etc" in Path(t).parts or ".." in Path(t).parts]
    assert not any(
        "canary" in f["message"] or f["file"].startswith("corpus/etc") for f in outcome.findings
    )
    assert sorted(str(p) for p in project.root.parent.rglob("*")) == before  # nothing written


def test_python_tag_runs_nothing(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    project.edit_article(
        "language: en", "language: !!python/object/apply:os.system ['touch pwned']"
    )
    assert validate(project.root).of("yaml-unsafe")
    assert not (tmp_path / "pwned").exists()


def test_raw_read_in_chunks_reports_the_right_byte_and_line(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # raw.txt is hashed and decoded a chunk at a time: a bad byte past the first chunk, and a
    # multi-byte character cut by a chunk boundary, are both handled exactly.
    from articlepack import _files

    monkeypatch.setattr(_files, "RAW_CHUNK", 7)
    text = project.raw.read_text(encoding="utf-8")
    data = text.encode()
    cut = data.index(b"invented")
    project.raw.write_bytes(data[:cut] + b"\xe9" + data[cut:])
    (finding,) = validate(project.root).of("not-utf8")
    assert (finding["file"], finding["line"]) == (RAW, 11)
    assert f"byte {cut} (0xe9)" in finding["message"]
    # Now a valid multi-byte character (4 bytes) straddling every 7-byte boundary in turn.
    project.raw.write_bytes(data)
    for shift in range(4):
        clean = data + b"x" * shift + "\U0001f600 end\n".encode()
        project.raw.write_bytes(clean)
        rewrite_article(project.article, clean)
        outcome = validate(project.root)
        assert (outcome.code, outcome.findings) == (0, []), shift


def test_missing_schemas_folder_exits_2_with_a_sentence(project: Project) -> None:
    shutil.rmtree(project.root / "schemas")
    outcome = validate(project.root)
    assert outcome.code == 2
    assert "schemas/" in outcome.output and "Traceback" not in outcome.output


@pytest.mark.parametrize("folder", ["corpus", "schemas"])
def test_project_folder_symlinked_out_exits_2(project: Project, folder: str) -> None:
    # corpus/ or schemas/ pointing elsewhere: the files below them would be read from outside.
    shutil.move(project.root / folder, outside(project) / folder)
    (project.root / folder).symlink_to(outside(project) / folder)
    outcome = validate(project.root)
    assert outcome.code == 2
    assert "leads outside the project" in outcome.output.replace("\n", " ")


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("fields: 5\n", "fields"),  # not a list of fields
        ("fields: [{name: id, type: date}]\n", "Table Schema"),  # a type articlepack cannot map
        (
            "fields: [{name: id, type: string}]\n",
            "lacks the field",
        ),  # columns the reader fills are absent
        ("- [[[\n", "mentions.schema.yaml"),  # not YAML
    ],
    ids=["fields-number", "unknown-type", "missing-columns", "not-yaml"],
)
def test_unusable_schema_exits_2_with_a_sentence(
    project: Project, content: str, needle: str
) -> None:
    (project.root / "schemas" / "mentions.schema.yaml").write_text(content)
    outcome = validate(project.root)
    assert outcome.code == 2
    assert needle in outcome.output.replace("\n", "")  # the console wraps long paths


def test_large_raw_is_streamed(project: Project) -> None:
    # A 64 MB raw.txt (a PDF dump, a crawler gone wrong): hashed as a stream, decoded once, and
    # validated in a few seconds; the annotations before it still check out.
    pad = ("lorem ipsum dolor sit amet " * 40 + "\n").encode()
    data = project.raw.read_bytes() + pad * (64 * 2**20 // len(pad))
    project.raw.write_bytes(data)
    rewrite_article(project.article, data)
    outcome = validate(project.root)
    assert (outcome.code, outcome.findings) == (0, [])
    project.edit_article("start: 146, end: 149", "start: 147, end: 150")  # one span wrong
    outcome = validate(project.root)
    (finding,) = outcome.of("span-text-mismatch")
    assert finding["line"] == line_with(project.article, "trigger:")
    assert "found 1 character earlier" in finding["message"]


def test_large_raw_hash_mismatch(project: Project) -> None:
    data = project.raw.read_bytes() + b"x" * (64 * 2**20)
    project.raw.write_bytes(data)
    (finding,) = validate(project.root).of("hash-mismatch")
    assert finding["file"] == ARTICLE and finding["line"] == line_with(project.article, "sha256")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file(project: Project) -> None:
    project.raw.chmod(0)
    (finding,) = validate(project.root).of("unreadable")
    assert finding["file"] == RAW


def test_raw_is_hashed_as_a_stream(project: Project) -> None:
    # Reading raw.txt never holds its bytes whole: the Python heap peaks at the decoded pieces
    # and the joined text (two copies of the text), plus one chunk.
    import tracemalloc

    from articlepack import _files

    data = b"0123456789abcdef" * 2**20  # 16 MB
    project.raw.write_bytes(data)
    rel = Path(RAW)
    tracemalloc.start()
    try:
        result = _files.read_raw(project.root, rel.as_posix(), [])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result is not None and len(result[0]) == len(data)
    assert result[1] == hashlib.sha256(data).hexdigest()
    assert peak < 2 * len(data) + 3 * _files.RAW_CHUNK
