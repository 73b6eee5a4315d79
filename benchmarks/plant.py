"""Errors and annotators' files planted in a copy of a synthetic project (benchmarks/synth.py),
for comparing the engines' answers: benchmarks/engine.py at 10k and 100k articles, and
tests/test_engine.py at 120.

    copy = linked_copy(project, tmp / "copy")     # hard links: seconds, no space
    annotated = annotate(copy, every=100)         # two annotators' versions of every 100th article
    where = plant(copy, duplicate=False, annotated=annotated)

Files are changed by replacing them (a new file), never by writing into them, so a hard-linked
copy never changes the project it was made from.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

ANNOTATORS = ("alice", "bob")


def linked_copy(project: Path, to: Path) -> Path:
    """A copy of ``project`` whose files are hard links to its own (seconds at 100k articles, no
    space): :func:`plant` and :func:`annotate` replace the files they change, never write into
    them, so the original stays as it was."""
    try:
        shutil.copytree(project, to, symlinks=True, copy_function=os.link)
    except OSError:  # another file system: copy
        shutil.rmtree(to, ignore_errors=True)
        shutil.copytree(project, to, symlinks=True)
    return to


def _replace(path: Path, text: str) -> None:
    path.unlink(missing_ok=True)  # a hard link to the original: a new file, not the same one
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _edit(path: Path, pattern: str, new: str | Any) -> None:
    text, n = re.subn(pattern, new, path.read_text(encoding="utf-8"), count=1, flags=re.M)
    if n != 1:
        raise SystemExit(f"cannot plant {pattern!r} in {path}")
    _replace(path, text)


def _later_start(m: re.Match[str]) -> str:
    """A span one character later: its text no longer matches raw.txt."""
    return f"{m[1]}{int(m[2]) + 1},"


_SPAN = r"(\{id: m2, start: )(\d+),"
_ENTITY = (r"entity: [a-z0-9-]+\}", "entity: no-such-entity}")


def folders_of(project: Path) -> list[str]:
    return sorted(e.name for e in os.scandir(project / "corpus" / "articles"))


def annotate(project: Path, every: int) -> list[str]:
    """Two annotators' own versions (corpus/annotations/<annotator>/<article>.yaml) of every
    ``every``-th article: its annotation layers as its article.yaml gives them (a synthetic
    article.yaml ends with its layers). Returns the annotated folders."""
    from articlepack import annotators, shape
    from articlepack.schema import load_schemas

    schemas = load_schemas(project / "schemas")
    layout = shape.layout(schemas)
    keys = [k for k, table in layout.lists.items() if table in annotators.layers(schemas)]
    chosen = folders_of(project)[::every]
    for folder in chosen:
        text = (project / "corpus" / "articles" / folder / "article.yaml").read_text("utf-8")
        start = min(m.start() for k in keys if (m := re.search(rf"^{k}:", text, re.M)))
        assert set(re.findall(r"^(\w+):", text[start:], re.M)) <= set(keys), folder
        for annotator in ANNOTATORS:
            _replace(project / annotators.annotation_file(annotator, folder), text[start:])
    return chosen


def plant(project: Path, *, duplicate: bool, annotated: list[str]) -> dict[str, str]:
    """Errors in ``project`` (a copy), spread over its chunks: in article.yaml an unknown entity
    id and a span one character off; in the annotators' files of ``annotated`` articles a span
    one character off, an unknown entity id, a file of no article and a stray file; with
    ``duplicate``, an article that takes the next one's id (the driver then checks the whole
    corpus). Returns what was planted where."""
    from articlepack.annotators import annotation_file

    folders = folders_of(project)
    n, a = len(folders), len(annotated)
    article = project / "corpus" / "articles"
    where = {
        "unknown-entity": folders[3],
        "span": folders[n // 3],
        "annotator-span": annotation_file("bob", annotated[a // 2]),
        "annotator-entity": annotation_file("alice", annotated[(5 * a) // 6]),
        "annotator-of-no-article": annotation_file("alice", "0000-no-such-article"),
        "stray": "corpus/annotations/bob/notes.txt",
    }
    _edit(article / where["unknown-entity"] / "article.yaml", *_ENTITY)
    _edit(article / where["span"] / "article.yaml", _SPAN, _later_start)
    _edit(project / where["annotator-span"], _SPAN, _later_start)
    _edit(project / where["annotator-entity"], *_ENTITY)
    _replace(project / where["annotator-of-no-article"], "mentions: []\n")
    _replace(project / where["stray"], "not an annotation\n")
    if duplicate:
        where["duplicate"] = folders[(2 * n) // 3]
        taken = folders[(2 * n) // 3 + 1]
        _edit(article / where["duplicate"] / "article.yaml", r'^id: "[^"]+"', f'id: "{taken}"')
    return where
