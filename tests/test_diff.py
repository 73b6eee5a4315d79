"""`articlepack diff`, the version gate, `bump` and `changelog`: each change gets its bump."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from articlepack.cli import app
from articlepack.diff import (
    Diff,
    DiffError,
    TableChanges,
    changelog_entry,
    diff,
    required_version,
)
from conftest import EXAMPLE, Project

NEW_ID = "2020-01-02-example-ministers-meet-again"
MENTIONS = "schemas/mentions.schema.yaml"
KEY_LINE = (
    "primaryKey: [article_id, id]\nforeignKeys:\n"
    "  - {fields: [article_id], reference: {resource: articles"
)


def copy(project: Project, name: str) -> Project:
    return Project(Path(shutil.copytree(project.root, project.root.parent / name, symlinks=True)))


def add_article(project: Project, article_id: str = NEW_ID) -> None:
    """A second article: the example's folder under a new id (same raw text, same annotations)."""
    folder = project.root / "corpus" / "articles"
    shutil.copytree(folder / EXAMPLE, folder / article_id)
    project.edit(folder / article_id / "article.yaml", f"id: {EXAMPLE}", f"id: {article_id}")


def add_field(project: Project, name: str) -> None:
    """An optional string field at the end of the mentions table (the corpus fills none)."""
    project.edit(MENTIONS, KEY_LINE, f"  - {{name: {name}, type: string}}\n{KEY_LINE}")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def kinds(result: Diff) -> set[tuple[str | None, str | None, str]]:
    return {(c.table, c.field, c.kind) for c in result.schema_changes}


# Each case edits OLD and/or NEW (copies of the same `articlepack init` project).
Edit = Callable[[Project, Project], None]
CASES: list[tuple[str, Edit, str, set[tuple[str | None, str | None, str]]]] = [
    ("no-change", lambda old, new: None, "none", set()),
    (
        "corrected-mention-offset",
        lambda old, new: new.edit_article(
            '{id: m2, start: 132, end: 144, text: "Anna Example"',
            '{id: m2, start: 137, end: 144, text: "Example"',
        ),
        "patch",
        set(),
    ),
    ("added-article", lambda old, new: add_article(new), "minor", set()),
    (
        # The text withheld (standoff): every span offset into it is no longer published.
        "span-offsets-no-longer-published",
        lambda old, new: new.edit_article("distribution: full", "distribution: standoff"),
        "major",
        set(),
    ),
    (
        "added-optional-field",
        lambda old, new: add_field(new, "note"),
        "minor",
        {("mentions", "note", "field-added")},
    ),
    (
        "removed-field",
        lambda old, new: add_field(old, "note"),
        "major",
        {("mentions", "note", "field-removed")},
    ),
    (
        "renamed-field",
        lambda old, new: (add_field(old, "note"), add_field(new, "remark")),
        "major",
        {("mentions", "note", "field-renamed")},
    ),
    ("removed-article", lambda old, new: add_article(old), "major", set()),
    (
        "tightened-enum",
        lambda old, new: new.edit("schemas/events.schema.yaml", "COERCE, ASSAULT]", "COERCE]"),
        "major",
        {("events", "type", "constraint-tightened")},
    ),
    (
        "loosened-enum",
        lambda old, new: new.edit(
            "schemas/quotes.schema.yaml",
            "enum: [direct, indirect, mixed]",
            "enum: [direct, indirect, mixed, partial]",
        ),
        "minor",
        {("quotes", "kind", "constraint-loosened")},
    ),
    (
        # Hugging Face ClassLabel codes follow the enum's order: a value put first shifts them.
        "enum-value-inserted-first",
        lambda old, new: new.edit(
            "schemas/quotes.schema.yaml",
            "enum: [direct, indirect, mixed]",
            "enum: [partial, direct, indirect, mixed]",
        ),
        "major",
        {("quotes", "kind", "constraint-loosened"), ("quotes", "kind", "enum-reordered")},
    ),
    (
        # A required enum is a ClassLabel: losing `required` turns its integer codes into strings.
        "required-enum-loses-required",
        lambda old, new: new.edit(
            "schemas/quotes.schema.yaml",
            "required: true, enum: [direct, indirect, mixed]",
            "enum: [direct, indirect, mixed]",
        ),
        "major",
        {("quotes", "kind", "constraint-loosened"), ("quotes", "kind", "field-retyped")},
    ),
    (
        "required-enum-loses-enum",
        lambda old, new: new.edit(
            "schemas/quotes.schema.yaml",
            "required: true, enum: [direct, indirect, mixed]",
            "required: true",
        ),
        "major",
        {("quotes", "kind", "constraint-loosened"), ("quotes", "kind", "field-retyped")},
    ),
    (
        "required-added",
        lambda old, new: new.edit(
            MENTIONS,
            "{name: text, type: string}",
            "{name: text, type: string, constraints: {required: true}}",
        ),
        "major",
        {("mentions", "text", "constraint-tightened")},
    ),
    (
        "retyped-field",
        lambda old, new: (
            add_field(old, "note"),
            new.edit(MENTIONS, KEY_LINE, f"  - {{name: note, type: integer}}\n{KEY_LINE}"),
        ),
        "major",
        {("mentions", "note", "field-retyped")},
    ),
]


@pytest.mark.parametrize(
    ("edit", "bump", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_diff_classifies_each_change(
    project: Project, edit: Edit, bump: str, expected: set[tuple[str | None, str | None, str]]
) -> None:
    old, new = copy(project, "old"), copy(project, "new")
    edit(old, new)
    result = diff(old.root, new.root)
    assert result.required_bump == bump
    assert kinds(result) == expected


def test_data_changes_name_the_rows_by_primary_key(project: Project) -> None:
    old, new = copy(project, "old"), copy(project, "new")
    add_article(old, "2019-12-31-removed")
    add_article(new)
    new.edit_article(
        '{id: m2, start: 132, end: 144, text: "Anna Example"',
        '{id: m2, start: 137, end: 144, text: "Example"',
    )
    result = diff(old.root, new.root)
    assert result.required_bump == "major"  # an article was removed
    assert result.articles.added == [NEW_ID] and result.articles.removed == ["2019-12-31-removed"]
    mentions = result.data_changes["mentions"]
    assert mentions.changed == [f"{EXAMPLE}/m2"]
    assert set(mentions.changed_columns) == {"raw_start", "start", "text"}
    assert f"{NEW_ID}/m1" in mentions.added and "2019-12-31-removed/m5" in mentions.removed
    assert result.data_changes["event_arguments"].added == [
        f"{NEW_ID}/e1/actor/m2",
        f"{NEW_ID}/e1/recipient/m3",
    ]


def test_removed_quote_is_a_correction_but_removed_mention_is_breaking(project: Project) -> None:
    # Nothing refers to a quote; events and quotes refer to mentions (foreign keys).
    old, new = copy(project, "old"), copy(project, "new")
    text = new.article.read_text(encoding="utf-8")
    new.article.write_text(text[: text.index("quotes:")] + "quotes: []\n", encoding="utf-8")
    assert diff(old.root, new.root).required_bump == "patch"
    new.edit_article(
        '  - {id: m1, start: 121, end: 130, text: "Freedonia", entity: freedonia}\n', ""
    )
    result = diff(old.root, new.root)
    assert result.data_changes["mentions"].removed == [f"{EXAMPLE}/m1"]
    assert result.required_bump == "major"


@pytest.mark.parametrize(
    ("changes", "bump"),
    [
        (TableChanges(), "none"),
        (TableChanges(changed=["a/q1"]), "patch"),
        (TableChanges(removed=["a/q1"]), "patch"),
        # Regression: an unreferenced table's removal (patch) must not hide an addition (minor).
        (TableChanges(removed=["a/q1"], added=["a/q2"]), "minor"),
        (TableChanges(removed=["a/m1"], added=["a/m2"], referenced=True), "major"),
    ],
    ids=["nothing", "changed", "removed-unreferenced", "removed-and-added", "removed-referenced"],
)
def test_table_bump_is_the_largest_of_its_parts(changes: TableChanges, bump: str) -> None:
    assert changes.bump == bump


def test_json_output_has_the_documented_shape(project: Project) -> None:
    old, new = copy(project, "old"), copy(project, "new")
    add_article(new)
    add_field(new, "note")
    code, output = run("diff", str(old.root), str(new.root), "--format", "json")
    assert code == 0
    data = json.loads(output)
    assert data["required_bump"] == "minor" and data["required_version"] == "0.2.0"
    assert {
        "table": "mentions",
        "field": "note",
        "kind": "field-added",
        "detail": "optional string field added",
        "bump": "minor",
    } in data["schema_changes"]
    assert data["data_changes"]["articles"] == {
        "added": [NEW_ID],
        "removed": [],
        "changed": [],
        "changed_columns": {},
        "withdrawn": {},
    }
    assert set(data["data_changes"]) == {
        "articles",
        "segments",
        "entities",
        "mentions",
        "events",
        "event_arguments",
        "quotes",
    }


def test_text_output_is_a_summary(project: Project) -> None:
    new = copy(project, "new")
    add_article(new)
    code, output = run("diff", str(project.root), str(new.root))
    assert code == 0
    assert "Required bump: MINOR" in output and "articles" in output and NEW_ID[:15] in output


@pytest.mark.parametrize(
    "side", ["no-such-folder-or-revision", "corpus"], ids=["missing", "not-a-project"]
)
def test_unusable_side_exits_2_with_one_sentence(
    project: Project, side: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(project.root)
    code, output = run("diff", side, ".")
    assert code == 2
    assert "error:" in output and side in output


def test_invalid_project_is_unusable(project: Project) -> None:
    broken = copy(project, "broken")
    broken.edit_article("type: CONSULT", "type: CHAT")
    with pytest.raises(DiffError, match="not a valid dataset project"):
        diff(project.root, broken.root)


def test_release_folders_compare_like_their_projects(project: Project, tmp_path: Path) -> None:
    from articlepack.builder import build

    first = build(project.root, tmp_path / "dist")
    # A release and the project it was built from do not differ (though a release declares
    # array columns `any` and leaves out some foreign keys).
    assert diff(first, project.root).required_bump == "none"
    add_article(project)
    project.edit("corpus/dataset.yaml", "version: 0.1.0", "version: 0.2.0")
    second = build(project.root, tmp_path / "dist")
    result = diff(first, second / "datapackage.json")
    assert (result.old.kind, result.old.version, result.new.version) == (
        "release",
        "0.1.0",
        "0.2.0",
    )
    assert result.required_bump == "minor" and result.articles.added == [NEW_ID]


@pytest.mark.parametrize(
    ("old", "bump", "expected"),
    [
        ("1.2.3", "major", "2.0.0"),
        ("1.2.3", "minor", "1.3.0"),
        ("1.2.3", "patch", "1.2.4"),
        ("1.2.3", "none", "1.2.3"),
        ("2.0.0-rc.1", "major", "2.0.0"),
        ("1.3.0-rc.1", "minor", "1.3.0"),
        ("1.3.0-rc.1", "major", "2.0.0"),
        ("0.1.0", "minor", "0.2.0"),
    ],
)
def test_required_version(old: str, bump: str, expected: str) -> None:
    assert required_version(old, bump) == expected


# -- git revisions and the version gate ---------------------------------------------------------


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(
        [
            "git",
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.org",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
            "-C",
            str(root),
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return done.stdout


def commit(project: Project, message: str, tag: str | None = None) -> None:
    git(project.root, "add", "-A")
    git(project.root, "commit", "-q", "-m", message)
    if tag:
        git(project.root, "tag", tag)


@pytest.fixture
def repo(project: Project) -> Project:
    """The project as a git repository with one commit tagged v0.1.0 (its declared version)."""
    git(project.root, "init", "-q", "-b", "main")
    commit(project, "First release", "v0.1.0")
    return project


def test_diff_against_a_git_tag(repo: Project) -> None:
    add_article(repo)
    result = diff("v0.1.0", repo.root, project=repo.root)
    assert (result.old.kind, result.old.version) == ("revision", "0.1.0")
    assert result.required_bump == "minor" and result.articles.added == [NEW_ID]
    assert diff("v0.1.0", "HEAD", project=repo.root).required_bump == "none"


def test_diff_follows_a_symlinked_schemas_folder(
    repo: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in the articlepack repository itself, where schemas -> src/articlepack/schemas.
    (repo.root / "lib").mkdir()
    (repo.root / "schemas").rename(repo.root / "lib" / "schemas")
    (repo.root / "schemas").symlink_to(Path("lib", "schemas"))
    commit(repo, "Move the schemas", "v0.1.1")
    repo.edit(
        "lib/schemas/quotes.schema.yaml",
        "enum: [direct, indirect, mixed]",
        "enum: [direct, indirect, mixed, partial]",
    )
    monkeypatch.chdir(repo.root)
    code, output = run("diff", "v0.1.1", ".", "--format", "json")
    assert code == 0, output
    data = json.loads(output)
    assert data["required_bump"] == "minor"
    assert [c["kind"] for c in data["schema_changes"]] == ["constraint-loosened"]


def test_project_in_a_subfolder_of_the_repository(project: Project) -> None:
    top = project.root.parent
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "project")
    git(top, "commit", "-q", "-m", "A project in a subfolder")
    add_article(project)
    result = diff("HEAD", project.root, project=project.root)
    assert result.required_bump == "minor" and result.articles.added == [NEW_ID]


def test_unknown_revision_exits_2(repo: Project) -> None:
    code, output = run("diff", "v9.9.9", str(repo.root), "--project", str(repo.root))
    assert code == 2 and "'v9.9.9' is neither a folder nor a git revision" in output


def test_version_gate_fails_until_bump(repo: Project) -> None:
    add_article(repo)
    code, output = run("validate", str(repo.root), "--against-latest")
    assert code == 1
    assert "version gate failed" in output and "declare at least 0.2.0" in output
    code, data = repo.validate("--against-latest")
    assert code == 1 and data["valid"] is True and data["version_gate"]["passed"] is False
    assert data["version_gate"]["required_version"] == "0.2.0"

    before = (repo.root / "corpus" / "dataset.yaml").read_text(encoding="utf-8")
    code, output = run("bump", str(repo.root))
    assert code == 0 and "0.1.0 -> 0.2.0" in output
    after = (repo.root / "corpus" / "dataset.yaml").read_text(encoding="utf-8")
    assert after == before.replace("version: 0.1.0", "version: 0.2.0")  # only that line changes
    code, data = repo.validate("--against-latest")
    assert code == 0 and data["version_gate"]["passed"] is True
    code, output = run("bump", str(repo.root), "--against", "v0.1.0")
    assert code == 0 and "left unchanged" in output


def test_version_gate_refuses_a_tagged_version_with_other_content(repo: Project) -> None:
    add_article(repo)
    run("bump", str(repo.root))
    commit(repo, "Add an article", "v0.2.0")
    repo.edit_article(
        '{id: m2, start: 132, end: 144, text: "Anna Example"',
        '{id: m2, start: 137, end: 144, text: "Example"',
    )
    # 0.2.0 is enough over v0.1.0, but v0.2.0 is already tagged with other content.
    code, data = repo.validate("--against", "v0.1.0")
    assert code == 1 and "already tagged v0.2.0" in data["version_gate"]["message"]
    code, data = repo.validate("--against-latest")
    assert code == 1 and "at least 0.2.1" in data["version_gate"]["message"]


def test_version_gate_passes_without_tags(project: Project) -> None:
    git(project.root, "init", "-q", "-b", "main")
    code, output = run("validate", str(project.root), "--against-latest")
    assert code == 0 and "no v* git tag" in output
    code, output = run("validate", str(project.root), "--against", "v1.0.0", "--against-latest")
    assert code == 2


def test_changelog_prepends_one_entry_per_version(repo: Project) -> None:
    add_article(repo)
    code, output = run("changelog", str(repo.root))
    assert code == 1 and "run `articlepack bump` first" in output  # 0.1.0 is too low for the change
    run("bump", str(repo.root))
    path = repo.root / "CHANGELOG.md"
    path.write_text(
        "# Changelog\n\nNotes.\n\n## [0.1.0] - 2020-01-01\n\nFirst release.\n", encoding="utf-8"
    )
    code, output = run("changelog", str(repo.root), "--date", "2020-02-01")
    assert code == 0 and "added the entry for 0.2.0" in output
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n\nNotes.\n\n## [0.2.0] - 2020-02-01\n")
    assert text.index("## [0.2.0]") < text.index("## [0.1.0]")
    assert "**minor**" in text and f"- 1 article: `{NEW_ID}`" in text
    code, output = run("changelog", str(repo.root), "--date", "2020-02-02")
    assert code == 0 and "left unchanged" in output
    assert path.read_text(encoding="utf-8") == text
    code, output = run("changelog", str(repo.root), "--date", "yesterday")
    assert code == 2 and "'yesterday' is not a date" in output


def test_changelog_entry_sections(project: Project) -> None:
    old, new = copy(project, "old"), copy(project, "new")
    add_field(old, "note")
    add_article(new)
    entry = changelog_entry(diff(old.root, new.root), "1.0.0", "2020-03-01")
    assert entry.startswith("## [1.0.0] - 2020-03-01\n")
    assert "### Breaking changes\n\n- `mentions.note`: field removed" in entry
    assert "### Added" in entry and "**major**" in entry
    assert (
        changelog_entry(None, "0.1.0", "2020-01-01")
        == "## [0.1.0] - 2020-01-01\n\nFirst release.\n"
    )
