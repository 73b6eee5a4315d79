"""The import/export core, whatever the tool: the mapping, round trips, merging, refusing.

Round trips run on the bundled corpus and on the custom scheme of tests/custom_scheme.py (with
its own mapping): an export followed by ``import --replace`` into a copy must give the same
published tables. The tool in the loop is brat, whose module is tested in tests/test_brat.py.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import articlepack
from articlepack.interchange import mapping as mappings
from articlepack.interchange import yamltext
from articlepack.interchange.offsets import codepoints_to_utf16, utf16_to_codepoints
from articlepack.interchange.reanchor import Anchor
from articlepack.schema import load_schemas
from conftest import ROOT, Project
from custom_scheme import custom_project

FIXTURES = Path(__file__).parent / "fixtures"
BRAT = FIXTURES / "brat" / "collection"
CUSTOM_MAPPING = FIXTURES / "brat" / "custom_scheme.mapping.yaml"
GAZETTE = "2020-01-02-gazette-ministers-meet"
TEMPLATE_SCHEMAS = ROOT / "src" / "articlepack" / "templates" / "project" / "schemas"


def tables(root: Path) -> dict[str, Any]:
    """The published tables of a project (what its Parquet files hold)."""
    from articlepack.builder.tables import publish
    from articlepack.corpus import read

    return publish(read(root, cache=False))


def assert_same_tables(before: dict[str, Any], after: dict[str, Any]) -> None:
    assert before.keys() == after.keys()
    for name in before:
        assert after[name].equals(before[name]), f"{name} differs after the round trip"


def gazette_project(root: Path) -> Path:
    """The init template plus the gazette article, written by hand: its raw text (CRLF, an emoji,
    a combining mark) and its provenance and body, but no annotations yet."""
    project = articlepack.init(root)
    data = (BRAT / "alice" / f"{GAZETTE}.txt").read_bytes()
    text = data.decode("utf-8")
    folder = project / "corpus" / "articles" / GAZETTE
    folder.mkdir()
    (folder / "raw.txt").write_bytes(data)

    def span(needle: str) -> str:
        start = text.index(needle)
        return json.dumps({"start": start, "end": start + len(needle), "text": needle})

    lines = text.split("\r\n")
    body = ", ".join(span(line) for line in lines[3:5])
    (folder / "article.yaml").write_text(
        f"id: {GAZETTE}\n"
        "source:\n"
        "  record: gazette-0002\n"
        "  publisher: Example Gazette\n"
        "  publisher_basis: stated\n"
        f"  publisher_evidence: {span('Example Gazette')}\n"
        "  url: null\n"
        "  credited: []\n"
        f"raw: {{sha256: {hashlib.sha256(data).hexdigest()}}}\n"
        "published:\n"
        '  date: "2020-01-01"\n'
        "  basis: stated\n"
        f"  evidence: {span('January 1, 2020')}\n"
        f"title: {span('Ministers meet in Ruritania')}\n"
        "language: en\n"
        'rights: {statement: "Copyright (c) 2020 Example Gazette.", distribution: full}\n'
        "tags: [World]\n"
        "annotators: [Example Annotator]\n"
        f"body: [{body}]\n"
        "mentions: []\nevents: []\nquotes: []\n",
        encoding="utf-8",
    )
    return project


def run(cli: Callable[..., Any], *args: str | Path) -> Any:
    return cli(*(str(a) for a in args))


def load_yaml(path: Path) -> Any:
    from articlepack import _yaml

    return _yaml.loads(path.read_text(encoding="utf-8"))


# -- the mapping ---------------------------------------------------------------------------------


@pytest.mark.parametrize("schemas", [ROOT / "schemas", TEMPLATE_SCHEMAS], ids=["bundled", "init"])
def test_the_default_mapping_fits_the_bundled_scheme(schemas: Path) -> None:
    checked = mappings.load(None, load_schemas(schemas))
    assert checked.rule("event", "CONSULT").layer == "events"  # type: ignore[union-attr]
    assert checked.rule("span", "PER").layer == "mentions"  # type: ignore[union-attr]
    assert checked.rule("span", "Title").span == "title"  # type: ignore[union-attr]


def test_the_custom_mapping_fits_the_custom_scheme(tmp_path: Path) -> None:
    project = custom_project(tmp_path / "custom")
    checked = mappings.load(CUSTOM_MAPPING, load_schemas(project.root / "schemas"))
    assert checked.rule("event", "Meets").fixed == {}  # type: ignore[union-attr]
    assert checked.rule("event", "Meets").project_value("Meets") == "meets"  # type: ignore[union-attr]


BAD_MAPPINGS = {
    "unknown-layer": (
        "layers:\n  mention:\n    spans: [{label: PER}]\n",
        2,
        "did you mean 'mentions'",
    ),
    "unknown-field": (
        "layers:\n  events:\n    events: [{label_from: type}]\n    attributes: {Realis: reality}\n",
        4,
        "did you mean 'realis'",
    ),
    "unknown-enum-value": (
        "layers:\n  events:\n    events: [{label_from: type, values: {Meet: CONSULTS}}]\n",
        3,
        "did you mean 'CONSULT'",
    ),
    "label-taken-twice": (
        "layers:\n  segments:\n    spans: [{label: Body}]\n  mentions:\n"
        "    spans: [{label_from: entity_id.type, values: {Body: PER}}]\n",
        5,
        "taken twice",
    ),
    "unknown-key": ("layers:\n  events:\n    event: [{label: X}]\n", 3, "did you mean 'events'"),
    "role-onto-nothing": (
        "layers:\n  events:\n    events: [{label_from: type}]\n    roles: {Actor: actor}\n",
        4,
        "did you mean 'actors'",
    ),
    "id-prefix-breaks-pattern": (
        "layers:\n  events:\n    events: [{label_from: type}]\n    id_prefix: '9'\n",
        4,
        "id_prefix",
    ),
    "not-yaml": ("layers: [\n", 1, ""),
}


@pytest.mark.parametrize("attack", BAD_MAPPINGS, ids=list(BAD_MAPPINGS))
def test_a_bad_mapping_names_its_file_and_line(tmp_path: Path, attack: str) -> None:
    text, line, hint = BAD_MAPPINGS[attack]
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(mappings.MappingError) as caught:
        mappings.load(path, load_schemas(ROOT / "schemas"))
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert hint in str(caught.value)


# -- round trips ---------------------------------------------------------------------------------


def test_round_trip_of_the_bundled_corpus(
    repo_copy: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    exported = run(cli, "export", "brat", repo_copy, "--out", tmp_path / "brat")
    assert exported.exit_code == 0, exported.output
    assert "Not exported" not in exported.output  # the default mapping carries everything
    copy = tmp_path / "copy"
    shutil.copytree(repo_copy, copy)
    imported = run(cli, "import", "brat", tmp_path / "brat", copy, "--replace")
    assert imported.exit_code == 0, imported.output
    assert "Not carried over" not in imported.output
    assert_same_tables(tables(repo_copy), tables(copy))
    # the article.yaml files keep their text where nothing changed: the same bytes
    for article in (repo_copy / "corpus" / "articles").iterdir():
        after = copy / "corpus" / "articles" / article.name / "article.yaml"
        assert after.read_bytes() == (article / "article.yaml").read_bytes()


def test_round_trip_of_the_custom_scheme(tmp_path: Path, cli: Callable[..., Any]) -> None:
    project = custom_project(tmp_path / "custom").root
    out = tmp_path / "brat"
    exported = run(cli, "export", "brat", project, "--out", out, "--mapping", CUSTOM_MAPPING)
    assert exported.exit_code == 0, exported.output
    # the document's sentiment and frames cannot travel in brat: said, not dropped silently
    assert "document_attributes: not-carried" in exported.output
    assert "Meets:T" in next(out.glob("*.ann")).read_text(encoding="utf-8")
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    imported = run(cli, "import", "brat", out, copy, "--replace", "--mapping", CUSTOM_MAPPING)
    assert imported.exit_code == 0, imported.output
    assert_same_tables(tables(project), tables(copy))


# -- merging into a project ----------------------------------------------------------------------


def test_an_article_written_by_hand_is_not_overwritten(
    project: Project, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    out = tmp_path / "brat"
    assert run(cli, "export", "brat", project.root, "--out", out).exit_code == 0
    before = project.article.read_bytes()
    refused = run(cli, "import", "brat", out, project.root)
    assert refused.exit_code == 1
    assert "refused 2020-01-01-example-ministers-meet" in refused.output
    assert "was not written by an import; --replace overwrites it" in refused.output
    assert project.article.read_bytes() == before
    assert run(cli, "import", "brat", out, project.root, "--replace").exit_code == 0
    # now articlepack wrote it: a new import needs no --replace ...
    assert run(cli, "import", "brat", out, project.root).exit_code == 0
    # ... until someone edits it by hand
    project.edit_article("realis: actual", "realis: planned")
    again = run(cli, "import", "brat", out, project.root)
    assert again.exit_code == 1
    assert "was edited since an import wrote it" in again.output


def test_provenance_the_tool_does_not_carry_stays(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = gazette_project(tmp_path / "p")
    article = root / "corpus" / "articles" / GAZETTE / "article.yaml"
    before = load_yaml(article)
    result = run(cli, "import", "brat", BRAT, root, "--replace")
    assert result.exit_code == 0, result.output
    after = load_yaml(article)
    for key in ("source", "published", "rights", "language", "tags", "raw"):
        assert after[key] == before[key], key
    assert after["annotators"] == ["alice", "bob"]
    assert [m["entity"] for m in after["mentions"]] == [
        "freedonia", "anna-example", "boris-sample", "ruritania", "geneva", "anna-example"
    ]  # fmt: skip
    (event, agree) = after["events"]
    assert (event["actors"], event["recipients"], event["location"]) == (["m2"], ["m3"], "m4")
    assert (event["mode"], event["date"], event["context"]) == (
        "meet",
        "2020-01-01",
        ["diplomatic"],
    )
    assert agree["actors"] == ["m2", "m3"]  # the third actor is not a mention: reported
    assert after["quotes"][0]["speaker"] == "m6"
    assert articlepack.validate(root).valid


def test_each_annotator_keeps_a_version(tmp_path: Path, cli: Callable[..., Any]) -> None:
    root = gazette_project(tmp_path / "p")
    assert (
        run(cli, "import", "brat", BRAT, root, "--replace", "--adjudicated", "bob").exit_code == 0
    )
    article = load_yaml(root / "corpus" / "articles" / GAZETTE / "article.yaml")
    assert [e["realis"] for e in article["events"]] == ["planned"]  # bob's version
    alice = load_yaml(root / "corpus" / "annotations" / "alice" / f"{GAZETTE}.yaml")
    bob = load_yaml(root / "corpus" / "annotations" / "bob" / f"{GAZETTE}.yaml")
    assert set(alice) == set(bob) == {"mentions", "events", "quotes"}  # the layers but the body
    assert [e["realis"] for e in alice["events"]] == ["actual", "actual"]
    assert bob["events"] == article["events"]
    state = json.loads((root / "corpus" / "imported.json").read_text(encoding="utf-8"))
    assert f"corpus/annotations/alice/{GAZETTE}.yaml" in state["files"]


def test_a_new_article_without_metadata_is_not_written(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    root = articlepack.init(tmp_path / "p")
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    result = run(cli, "import", "brat", BRAT, root)
    assert result.exit_code == 1
    assert "missing-key source.record" in result.output
    assert "Nothing was written" in result.output
    after = sorted(p.relative_to(root) for p in root.rglob("*") if p.name != "import-report.json")
    assert after == before
    # --incomplete writes it with null where the tool says nothing; validate says what is missing
    assert run(cli, "import", "brat", BRAT, root, "--incomplete").exit_code == 0
    folder = root / "corpus" / "articles" / GAZETTE
    assert (folder / "raw.txt").read_bytes() == (BRAT / "alice" / f"{GAZETTE}.txt").read_bytes()
    report = articlepack.validate(root)
    missing = {f.message.split(":")[0] for f in report.errors}
    assert missing == {
        "language", "published.date", "published.basis", "source.record",
        "source.publisher_basis", "rights.statement", "rights.distribution",
    }  # fmt: skip
    assert {f.code for f in report.errors} == {"missing-key"}
    raw = load_yaml(folder / "article.yaml")["raw"]["sha256"]
    assert raw == hashlib.sha256((folder / "raw.txt").read_bytes()).hexdigest()
    entities = (root / "corpus" / "entities.yaml").read_text(encoding="utf-8")
    assert entities.startswith("# The entity registry")  # its comments stay
    assert "{id: geneva, name: Geneva, type: GPE" in entities and "wikidata: Q71}" in entities


def test_nothing_imported_exits_1(tmp_path: Path, cli: Callable[..., Any]) -> None:
    ann = tmp_path / "tool" / "doc.ann"
    ann.parent.mkdir()
    ann.write_text("T1\tMISC 0 5\tHello\n", encoding="utf-8")
    ann.with_suffix(".txt").write_text("Hello world", encoding="utf-8")
    root = articlepack.init(tmp_path / "p")
    (root / "corpus" / "articles" / "doc").mkdir()  # a folder written by hand, no --replace
    (root / "corpus" / "articles" / "doc" / "article.yaml").write_text("id: doc\n", "utf-8")
    result = run(cli, "import", "brat", ann.parent, root)
    assert result.exit_code == 1
    assert "Nothing could be imported" in result.output


def test_re_importing_keeps_the_ids_of_what_did_not_change(
    project: Project, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    out = tmp_path / "brat"
    assert run(cli, "export", "brat", project.root, "--out", out).exit_code == 0
    ann = next(out.glob("*.ann"))
    lines = ann.read_text(encoding="utf-8").splitlines()
    # Freedonia (m1) is gone, Sylvanian becomes a mention of a new entity
    lines = [
        line for line in lines if "\tGPE 121 130\t" not in line and "entities:freedonia" not in line
    ]
    at = project.raw.read_text(encoding="utf-8").index("Sylvanian")
    lines += [f"T99\tGPE {at} {at + 9}\tSylvanian", "N99\tReference T99 Wikidata:Q1\tSylvania"]
    ann.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(cli, "import", "brat", out, project.root, "--replace")
    assert result.exit_code == 0, result.output
    mentions = load_yaml(project.article)["mentions"]
    ids = {m["text"]: m["id"] for m in mentions}
    assert ids == {
        "Anna Example": "m2", "Sylvanian": "m6", "Boris Sample": "m3", "Ruritania": "m4",
        "Example": "m5",
    }  # fmt: skip


def test_report_file_lists_every_unmapped_annotation(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    root = gazette_project(tmp_path / "p")
    report = tmp_path / "report.json"
    assert run(cli, "import", "brat", BRAT, root, "--replace", "--report", report).exit_code == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["counts"] == {
        "dangling-relation": 1, "discontinuous": 1, "forbidden-overlap": 1, "outside-body": 1,
        "unmapped-attribute": 1, "unmapped-label": 2, "unmapped-note": 1, "unmapped-role": 1,
    }  # fmt: skip
    assert sum(data["counts"].values()) == len(data["unmapped"])
    assert data["imported"] == [GAZETTE] and data["entities"] == ["geneva"]
    # a file that is not an import report is never overwritten
    other = tmp_path / "notes.json"
    other.write_text("{}", encoding="utf-8")
    result = run(cli, "import", "brat", BRAT, root, "--replace", "--report", other)
    assert result.exit_code == 2 and other.read_text(encoding="utf-8") == "{}"


# -- export --------------------------------------------------------------------------------------


def test_export_writes_only_into_a_folder_of_its_own(
    project: Project, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me", encoding="utf-8")
    refused = run(cli, "export", "brat", project.root, "--out", out)
    assert refused.exit_code == 2 and "did not export" in refused.output
    assert (out / "mine.txt").read_text(encoding="utf-8") == "keep me"
    again = tmp_path / "again"
    assert run(cli, "export", "brat", project.root, "--out", again).exit_code == 0
    assert run(cli, "export", "brat", project.root, "--out", again).exit_code == 0  # its own


def test_export_refuses_an_invalid_corpus(project: Project, tmp_path: Path, cli: Any) -> None:
    project.edit_article("realis: actual", "realis: maybe")
    result = run(cli, "export", "brat", project.root, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "not-in-enum" in result.output and not (tmp_path / "out").exists()


def test_unknown_format_is_refused(project: Project, tmp_path: Path, cli: Any) -> None:
    result = run(cli, "import", "webanno", tmp_path, project.root)
    assert result.exit_code == 2
    assert "webanno" in result.output


# -- the pieces ----------------------------------------------------------------------------------


def test_spans_are_re_anchored_where_the_tools_text_differs() -> None:
    anchor = Anchor("ab\ncd\nef", "ab\r\ncd\r\nef")
    assert anchor.span(3, 5) == (4, 6)  # cd, after a CRLF the tool made LF
    assert Anchor("ab cd", "ab xd").span(3, 5) is None  # its text is not in raw.txt


def test_utf16_offsets() -> None:
    text = "😀 a🇷🇺b"
    to_points, to_units = utf16_to_codepoints(text), codepoints_to_utf16(text)
    assert [to_points(to_units(i)) for i in range(len(text) + 1)] == list(range(len(text) + 1))
    assert to_points(3) == 2 and to_units(5) == 8
    with pytest.raises(ValueError, match="surrogate pair"):
        to_points(1)
    with pytest.raises(ValueError, match="outside the text"):
        to_points(99)


TRICKY = [
    "plain", "2016-01-28", "2015", "0x1F", "1e5", "yes", "Null", "e1", "a: b", "# no",
    'say "hi"', "back\\slash", "tab\there", "line\nbreak", "cr\r\nlf", "\u2028sep", "\ufeffbom",
    "nbsp\u00a0here", "emoji 😀", "Cafe\u0301", "", " lead", "- dash", "000_12", "U.S.",
]  # fmt: skip


def test_yaml_text_loads_as_what_it_was_made_from() -> None:
    doc = {"values": TRICKY, "span": {"start": 1, "end": 2, "text": "x"}, "n": 0.9, "b": True}
    doc["items"] = [{"id": f"m{i}", "text": t} for i, t in enumerate(TRICKY)]
    from articlepack import _yaml

    assert _yaml.loads(yamltext.dumps(doc)) == doc


def test_yaml_text_keeps_what_did_not_change() -> None:
    old = "# a comment\nid: x  # why\nitems:\n  - {id: a, text: 'A'}\n  - {id: b}\nk: [1]\n"
    new = {"id": "x", "items": [{"id": "a", "text": "A"}, {"id": "c"}], "k": [1]}
    text = yamltext.merged(old, new)
    assert (
        text == "# a comment\nid: x  # why\nitems:\n  - {id: a, text: 'A'}\n  - {id: c}\nk: [1]\n"
    )


def test_every_other_kind_of_loss_is_reported(project: Project) -> None:
    """What tests/test_brat.py's collection does not show, on a document made here."""
    from articlepack.interchange.importer import plan
    from articlepack.interchange.model import Document, Event, Span

    raw = project.raw.read_text(encoding="utf-8")
    text = raw.replace("Anna Example,", "Anna Exemple,")  # the tool's text differs here

    def at(needle: str, label: str, ident: str, **extra: Any) -> Span:
        start = text.index(needle)
        return Span(ident, label, ((start, start + len(needle)),), **extra)

    doc = Document(
        "2020-01-01-example-ministers-meet",
        text,
        "made.ann",
        spans=(
            at("Ministers of", "Title", "T1"),
            at("Ministers of", "Title", "T2"),
            at(
                text[text.index("met her") : text.index(" after the meeting")],
                "Body",
                "T3",
                normalizations=(("Wikidata", "Q1"),),
            ),
            at("Freedonia,", "GPE", "T4"),
            at("Boris Sample", "ORG", "T5", normalizations=(("entities", "boris-sample"),)),
            at("Anna Exemple", "PER", "T6", normalizations=(("entities", "anna-example"),)),
            at("met", "CONSULT", "T7"),
            at("agreed", "AGREE", "T8"),
        ),
        events=(
            Event("E1", "CONSULT", "T7", attributes={"Realis": "maybe"}),
            Event("E2", "AGREE", "T8", attributes={"Realis": "actual"}),
        ),
    )
    checked = mappings.load(None, load_schemas(project.root / "schemas"))
    found = {
        (u.tool_id, u.kind): u.reason
        for u in plan(project.root, [doc], checked, replace=True).unmapped
    }
    assert found == {
        ("T2", "duplicate"): "a second Title span; the first is kept",
        ("T3", "unmapped-normalization"): "the normalization Wikidata:Q1 has no mapping for Body",
        ("T4", "unresolved-reference"): "entity_id: no normalization names its entry in the "
        "registry (give one to entities or Wikidata); the row is left out",
        ("T5", "label-conflict"): "its label says type 'ORG', but the registry's 'boris-sample' "
        "has 'PER'; the registry is kept",
        ("T6", "text-changed"): "the span (PER T6, 'Anna Exemple') is not at its place in "
        "raw.txt, which differs from the tool's text",
        ("E1", "unmapped-value"): "the attribute Realis: 'maybe' is not an allowed value of realis",
        ("E1", "incomplete"): "events requires realis, which it lacks; the row is left out",
    }


def test_an_import_never_writes_through_a_symlink_out_of_the_project(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    root = articlepack.init(tmp_path / "p")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "corpus" / "annotations").symlink_to(outside, target_is_directory=True)
    result = run(cli, "import", "brat", BRAT, root, "--incomplete")
    assert result.exit_code == 2 and "leads outside the project" in result.output
    assert list(outside.iterdir()) == []
    assert not (root / "corpus" / "articles" / GAZETTE).exists()
