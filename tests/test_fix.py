"""`articlepack fix`: it repairs what the validator can prove, shows a diff, writes only with
--write, keeps every other byte of article.yaml, and leaves an ambiguous span alone."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from articlepack import fix
from articlepack.cli import app
from bad_inputs.support import line_with, rewrite_article, validate
from conftest import EXAMPLE, Project
from custom_scheme import EVIDENCE, custom_project

TALKS = "corpus/articles/2014-01-reuters-lavrov-kerry-brahimi-talks/article.yaml"


def run(root: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, ["fix", str(root), *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def errors(root: Path) -> list[dict[str, Any]]:
    return [f for f in validate(root).findings if f["severity"] == "error"]


def test_a_valid_corpus_needs_no_fix(repo_copy: Path) -> None:
    before = {p: p.read_bytes() for p in repo_copy.rglob("article.yaml")}
    result = run(repo_copy, "--write")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "nothing to fix" in result.stderr
    assert {p: p.read_bytes() for p in repo_copy.rglob("article.yaml")} == before


def test_an_off_by_n_span_is_re_anchored_only_with_write(repo_copy: Path) -> None:
    article = repo_copy / TALKS
    right = article.read_text(encoding="utf-8")
    damaged = right.replace("{id: m5, start: 268, end: 283,", "{id: m5, start: 271, end: 286,")
    article.write_text(damaged, encoding="utf-8")
    assert [f["id"] for f in errors(repo_copy)] == ["m5"]
    shown = run(repo_copy)
    assert shown.exit_code == 0
    assert f"--- a/{TALKS}\n+++ b/{TALKS}\n" in shown.stdout
    assert "-  - {id: m5, start: 271, end: 286," in shown.stdout
    assert "+  - {id: m5, start: 268, end: 283," in shown.stdout
    assert "1 span(s) re-anchored" in shown.stderr and "--write" in shown.stderr
    assert article.read_text(encoding="utf-8") == damaged  # nothing written
    assert run(repo_copy, "--write").exit_code == 0
    assert article.read_text(encoding="utf-8") == right
    assert errors(repo_copy) == []
    assert run(repo_copy).stdout == ""  # a second run has nothing left to do


def test_one_wrong_end_is_moved(project: Project) -> None:
    project.edit_article("start: 146, end: 149", "start: 146, end: 151")
    run(project.root, "--write")
    assert "trigger: {start: 146, end: 149," in project.article.read_text(encoding="utf-8")


def test_comments_order_and_quoting_survive(project: Project) -> None:
    # Only the characters of the values that change are replaced: the file is not re-dumped.
    project.edit_article("mentions:\n", "mentions:   # who is named\n")
    project.edit_article("{id: m2, start: 132, end: 144,", "{id: m2,   start: 131,  end: 143,")
    project.edit_article("  - {id: m3,", "  # m3 is the counterpart\n  - {id: m3,")
    before = project.article.read_text(encoding="utf-8").splitlines()
    run(project.root, "--write")
    after = project.article.read_text(encoding="utf-8").splitlines()
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert changed == [
        (
            '  - {id: m2,   start: 131,  end: 143, text: "Anna Example", entity: anna-example}',
            '  - {id: m2,   start: 132,  end: 144, text: "Anna Example", entity: anna-example}',
        )
    ]


def test_crlf_line_endings_of_article_yaml_are_kept(project: Project) -> None:
    project.edit_article("start: 146, end: 149", "start: 147, end: 150")
    project.article.write_bytes(project.article.read_bytes().replace(b"\n", b"\r\n"))
    run(project.root, "--write")
    data = project.article.read_bytes()
    assert b"trigger: {start: 146, end: 149," in data
    assert data.count(b"\r\n") == data.count(b"\n")


def test_an_ambiguous_span_is_listed_and_left_alone(repo_copy: Path) -> None:
    # "Syria" occurs several times within 2,000 characters of m6: no one place is proved.
    article = repo_copy / TALKS
    article.write_text(
        article.read_text(encoding="utf-8").replace(
            "{id: m6, start: 363, end: 368,", "{id: m6, start: 364, end: 369,"
        ),
        encoding="utf-8",
    )
    before = article.read_bytes()
    result = run(repo_copy, "--write")
    assert result.stdout == "" and article.read_bytes() == before
    line = line_with(article, "{id: m6,")
    assert f"{TALKS}:{line}" in result.stderr
    assert "mentions[id=m6]" in result.stderr and "not changed (ambiguous)" in result.stderr


def test_a_text_that_occurs_nowhere_is_listed(project: Project) -> None:
    project.edit_article('text: "Boris Sample"', 'text: "Boris Johnson"')
    result = run(project.root, "--write")
    assert result.stdout == ""
    assert "mentions[id=m3]" in result.stderr and "does not occur in raw.txt" in result.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "sha256: 85addcdbd56469b6d0acd1bfafb84b51b71317d4b5e6a1ff6bb421e8397319a5",
            "sha256: null",
        ),
        (
            "sha256: 85addcdbd56469b6d0acd1bfafb84b51b71317d4b5e6a1ff6bb421e8397319a5",
            "sha256: TODO",
        ),
        ("{sha256: 85addcdbd56469b6d0acd1bfafb84b51b71317d4b5e6a1ff6bb421e8397319a5}", "{}"),
        (
            "raw: {sha256: 85addcdbd56469b6d0acd1bfafb84b51b71317d4b5e6a1ff6bb421e8397319a5}",
            "raw:\n  sha256:",
        ),
        ("raw: {sha256: 85addcdbd56469b6d0acd1bfafb84b51b71317d4b5e6a1ff6bb421e8397319a5}\n", ""),
    ],
    ids=["null", "placeholder", "empty-mapping", "empty-value", "no-raw-key"],
)
def test_a_missing_sha256_is_filled(project: Project, old: str, new: str) -> None:
    project.edit_article(old, new)
    assert errors(project.root)
    result = run(project.root, "--write")
    assert "1 raw.sha256 filled" in result.stderr
    assert errors(project.root) == []
    assert hashlib.sha256(project.raw.read_bytes()).hexdigest() in project.article.read_text()


def test_a_sha256_that_differs_is_left_alone(project: Project) -> None:
    # raw.txt is never edited: which of the two is right, only a person can say.
    project.edit(project.raw, "invented", "imagined")
    before = project.article.read_bytes()
    assert run(project.root, "--write").stdout == ""
    assert project.article.read_bytes() == before


def _crlf(project: Project) -> str:
    """raw.txt given CRLF line endings; returns its LF text."""
    lf = project.raw.read_text(encoding="utf-8")
    project.raw.write_bytes(lf.replace("\n", "\r\n").encode())
    return lf


def test_offsets_counted_on_lf_text_are_moved_onto_crlf(project: Project) -> None:
    lf = _crlf(project)
    rewrite_article(project.article, project.raw.read_bytes())  # a tool's CRLF text, LF offsets
    assert {f["code"] for f in errors(project.root)} == {"crlf-offsets"}
    result = run(project.root, "--write")
    assert re.search(r"\d+ span\(s\) moved onto raw.txt's CRLF line endings", result.stderr)
    assert errors(project.root) == []
    start = 146 + lf[:146].count("\n")
    assert f"trigger: {{start: {start}, end: {start + 3}," in project.article.read_text()


def test_a_raw_txt_that_git_converted_is_not_re_annotated(project: Project) -> None:
    # The recorded sha256 is that of the LF form: core.autocrlf converted raw.txt, so the file is
    # to be restored; moving the offsets onto it would annotate the wrong bytes.
    _crlf(project)
    before = project.article.read_bytes()
    result = run(project.root, "--write")
    assert result.stdout == "" and project.article.read_bytes() == before
    assert "git converted raw.txt's line endings" in result.stderr


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("The foreign minister of ... after the meeting.", "three dots"),
        ("The foreign minister of…after the meeting.", "no spaces"),
        ("The foreign minister of … after the meeting.", "short span"),
    ],
    ids=["three-dots", "ellipsis-without-spaces", "abbreviated-short-span"],
)
def test_an_abbreviated_text_is_normalised(project: Project, written: str, why: str) -> None:
    whole = project.raw.read_text(encoding="utf-8")
    text = project.article.read_text(encoding="utf-8")
    body = text[text.index("body:\n") : text.index("mentions:")]
    span = f'  - {{start: 97, end: 311, text: "{written}"}}\n'  # 214 characters: may abbreviate
    if why == "short span":
        span = f'  - {{start: 97, end: 230, text: "{written[:24]} … Wednesday."}}\n'
        span += '  - {start: 232, end: 311, text: "\\"We agreed … after the meeting."}\n'
    project.article.write_text(text.replace(body, "body:\n" + span), encoding="utf-8")
    assert errors(project.root)
    result = run(project.root, "--write")
    assert "abbreviated text(s) normalised" in result.stderr
    assert errors(project.root) == []
    fixed = project.article.read_text(encoding="utf-8")
    if why == "short span":
        assert whole[97:230] in fixed  # written whole: a short span may not abbreviate
    else:
        assert 'text: "The foreign minister of … after the meeting."' in fixed


def test_a_custom_layers_span_is_re_anchored(tmp_path: Path) -> None:
    # The relations layer is known only to the custom scheme's schemas.
    project = custom_project(tmp_path / "custom")
    raw = project.raw.read_text(encoding="utf-8")
    start = raw.index(EVIDENCE)
    right = f"evidence: {{start: {start}, end: {start + len(EVIDENCE)},"
    project.edit_article(
        right, f"evidence: {{start: {start + 2}, end: {start + len(EVIDENCE) + 2},"
    )
    assert [f["id"] for f in errors(project.root)] == ["r1"]
    run(project.root, "--write")
    assert right in project.article.read_text(encoding="utf-8")
    assert errors(project.root) == []


def test_an_unreadable_article_is_listed(project: Project) -> None:
    project.edit_article("language: en", "language: [en")
    result = run(project.root, "--write")
    assert result.exit_code == 0 and "fix cannot read it" in result.stderr


def test_not_a_project_exits_2(tmp_path: Path) -> None:
    result = run(tmp_path / "absent")
    assert result.exit_code == 2 and "absent" in result.stderr


def test_a_file_changed_since_the_plan_is_not_overwritten(project: Project) -> None:
    project.edit_article("start: 146, end: 149", "start: 147, end: 150")
    found = fix.plan(project.root)
    project.edit_article("language: en", "language: fr")  # someone saves meanwhile
    assert fix.write(project.root, found) == []
    assert "language: fr" in project.article.read_text(encoding="utf-8")


def test_write_leaves_no_temporary_file_and_keeps_the_mode(project: Project) -> None:
    project.article.chmod(0o640)
    project.edit_article("start: 146, end: 149", "start: 147, end: 150")
    assert fix.write(project.root, fix.plan(project.root)) == [
        f"corpus/articles/{EXAMPLE}/article.yaml"
    ]
    assert sorted(p.name for p in project.article.parent.iterdir()) == ["article.yaml", "raw.txt"]
    assert project.article.stat().st_mode & 0o777 == 0o640


def test_a_straight_quote_for_a_curly_one_is_not_moved_to_a_look_alike(project: Project) -> None:
    # The offsets are right and a character is not: moving the span to where the typed text
    # does occur (once, nearby) would annotate other words.
    lf = project.raw.read_text(encoding="utf-8")
    data = (lf + "Anna Example’s day, and Anna Example's night.\n").encode()
    project.raw.write_bytes(data)
    rewrite_article(project.article, data)
    curly = len(lf) + len("Anna Example")
    at = len(lf)
    title = (
        'title: {start: 25, end: 78, text: "Ministers of Freedonia and Sylvania Meet in Ruritania"}'
    )
    project.edit_article(
        title, f'title: {{start: {at}, end: {curly + 2}, text: "Anna Example\'s"}}'
    )
    before = project.article.read_bytes()
    result = run(project.root, "--write")
    assert project.article.read_bytes() == before
    assert "(U+2019 RIGHT SINGLE QUOTATION MARK) in raw.txt; not changed" in result.stderr


def test_the_diff_is_a_patch_git_applies(project: Project) -> None:
    # stdout is the diff alone, so `articlepack fix > fix.patch` and `git apply fix.patch` work.
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    project.edit_article("start: 146, end: 149", "start: 147, end: 150")
    patch = project.root / "fix.patch"
    patch.write_text(run(project.root).stdout, encoding="utf-8")
    done = subprocess.run(
        [git, "apply", "fix.patch"], cwd=project.root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "trigger: {start: 146, end: 149," in project.article.read_text(encoding="utf-8")
