"""`articlepack export webanno`: W3C Web Annotation JSON-LD, read back by a real JSON-LD processor.

pyld expands every file against the official context (the packaged copy, served by a loader
that refuses every other URL: no network), on the bundled corpus and on the custom scheme.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from articlepack import layers, webanno
from articlepack.schema import load_schemas
from conftest import ROOT, Project
from custom_scheme import custom_project

OA = "http://www.w3.org/ns/oa#"
SCHEMA = "http://schema.org/"
TYPE = "@type"
#: sha256 of anno.jsonld as the W3C published it (github.com/w3c/web-annotation, commit 946cdac,
#: admin/ns/anno.jsonld: the ns version)
ANNO_SHA256 = "48c6e5e80f86bb1bf812233d13e70fab8b19516ac4e57e1e4576473f0bbd062e"


@pytest.fixture(scope="module", params=["corpus", "custom"])
def exported(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """The project (the bundled corpus, the custom scheme) and its export."""
    custom = request.param == "custom"
    root = custom_project(tmp_path_factory.mktemp("p") / "custom").root if custom else ROOT
    out = tmp_path_factory.mktemp("webanno")
    webanno.export(root, out)
    return root, out


def _expand(path: Path) -> list[dict[str, Any]]:
    from pyld import jsonld

    dropped: list[Any] = []
    options = {"documentLoader": webanno.document_loader, "base": path.as_uri()}
    document = json.loads(path.read_text(encoding="utf-8"))
    expanded = jsonld.expand(document, options, on_property_dropped=dropped.append)
    assert dropped == [], f"{path.name}: terms the context does not define: {dropped}"
    return list(expanded)


def _annotations(expanded: list[dict[str, Any]]) -> list[dict[str, Any]]:
    (collection,) = expanded
    (page,) = collection["http://www.w3.org/ns/activitystreams#first"]
    (items,) = page["http://www.w3.org/ns/activitystreams#items"]
    return list(items["@list"])


def _value(node: dict[str, Any], key: str) -> Any:
    (found,) = node[key]
    return found.get("@value", found.get("@id"))


def test_every_file_expands_and_every_selector_quotes_the_text(exported: tuple[Path, Path]) -> None:
    root, out = exported
    files = sorted(out.glob("*.jsonld"))
    assert len(files) == len(list((root / "corpus" / "articles").iterdir())) >= 1
    checked = 0
    for path in files:
        raw = (root / "corpus" / "articles" / path.stem / "raw.txt").read_bytes()
        digest = base64.urlsafe_b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")
        text = raw.decode("utf-8")
        for annotation in _annotations(_expand(path)):
            assert annotation[TYPE] == [f"{OA}Annotation"]
            for target in annotation[f"{OA}hasTarget"]:
                if f"{OA}hasSelector" not in target:  # a row without a span: the whole text
                    assert target["@id"] == f"ni:///sha-256;{digest}"
                    continue
                assert _value(target, f"{OA}hasSource") == f"ni:///sha-256;{digest}"
                kinds = {s[TYPE][0].removeprefix(OA): s for s in target[f"{OA}hasSelector"]}
                position, quote = kinds["TextPositionSelector"], kinds["TextQuoteSelector"]
                start, end = int(_value(position, f"{OA}start")), int(_value(position, f"{OA}end"))
                assert text[start:end] == _value(quote, f"{OA}exact")
                assert text[max(0, start - 32) : start] == _value(quote, f"{OA}prefix")
                assert text[end : end + 32] == _value(quote, f"{OA}suffix")
                checked += 1
    assert checked == _published(root)[1] > 0


def _published(root: Path) -> tuple[int, int]:
    """How many links and how many spans the project's flat tables hold: each reference from one
    annotated row to another (a foreign key into an article's list layer, or a nested row that
    refers to one), and each span of the article's row and of its list layers' rows."""
    from articlepack.builder import tables
    from articlepack.corpus import read

    corpus = read(root)
    schemas = corpus.schemas
    published = tables.publish(corpus)
    document = next(n for n, s in schemas.items() if s.source.kind == "document")
    annotated = layers.children(schemas, document)
    links = 0
    for name in layers.layers(schemas):
        schema = schemas[name]
        columns = {c for fk in schema.foreign_keys if fk.resource in annotated for c in fk.fields}
        columns -= {"article_id", *layers.layers(schemas)[name].columns}
        if name not in annotated:  # a nested row: only its value refers
            columns &= {schema.source.value}
        links += sum(len(published[name].column(c).drop_null()) for c in columns)
    spans = sum(
        len(published[name].column(span.raw_start).drop_null())
        for name in (document, *annotated)
        for span in schemas[name].spans
    )
    return links, spans


def test_events_and_quotes_link_their_parts_by_role(exported: tuple[Path, Path]) -> None:
    root, out = exported
    links = 0
    for path in sorted(out.glob("*.jsonld")):
        annotations = _annotations(_expand(path))
        ids = {a["@id"] for a in annotations}
        for annotation in annotations:
            for body in annotation[f"{OA}hasBody"]:
                if body.get(f"{OA}hasPurpose") != [{"@id": f"{OA}linking"}]:
                    continue
                assert _value(body, f"{OA}hasSource") in ids  # the linked part is an annotation
                assert _value(body, f"{SCHEMA}roleName")
                assert annotation[f"{OA}motivatedBy"] == [{"@id": f"{OA}linking"}]
                links += 1
    assert links == _published(root)[0] > 0


def test_an_event_names_its_arguments_roles(exported: tuple[Path, Path]) -> None:
    root, out = exported
    schemas = load_schemas(root / "schemas")
    if "events" not in schemas:
        pytest.skip("the scheme has no events")
    roles = set(schemas["event_arguments"].field("role")["constraints"]["enum"])
    data = json.loads(next(iter(sorted(out.glob("*.jsonld")))).read_text(encoding="utf-8"))
    events = [a for a in data["first"]["items"] if a["id"].startswith("#events/")]
    named = {b.get("schema:roleName") for e in events for b in e["body"]}
    assert named & roles and "location" in named


def test_the_packaged_context_is_the_official_one() -> None:
    from importlib import resources

    data = resources.files("articlepack").joinpath("data/anno.jsonld").read_bytes()
    assert hashlib.sha256(data).hexdigest() == ANNO_SHA256
    context = webanno.context()
    assert context["@context"]["TextPositionSelector"] == "oa:TextPositionSelector"
    assert context["@context"]["schema"] == SCHEMA


@pytest.mark.parametrize(
    "url",
    ["http://www.w3.org/ns/anno.jsonld", "https://www.w3.org/ns/anno.jsonld"],
)
def test_the_loader_serves_the_official_context(url: str) -> None:
    assert webanno.document_loader(url)["document"] == webanno.context()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/anno.jsonld",
        "https://www.w3.org/ns/anno.jsonld/../../evil",
        "file:///etc/passwd",
        "http://www.w3.org/ns/anno.jsonld?x=1",
    ],
)
def test_the_loader_refuses_every_other_url(url: str) -> None:
    from pyld import jsonld

    with pytest.raises(ValueError, match="refusing to load"):
        webanno.document_loader(url)
    document = {"@context": url, "exact": "x"}
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand(document, {"documentLoader": webanno.document_loader})


# -- the command ----------------------------------------------------------------------------------


def test_export_webanno_writes_one_collection_per_article(
    project: Project, cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = cli("export", "webanno", str(project.root), "--out", str(out))
    assert result.exit_code == 0, result.output
    (path,) = out.glob("*.jsonld")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["@context"] == webanno.CONTEXT and data["type"] == "AnnotationCollection"
    assert data["total"] == len(data["first"]["items"]) > 1
    again = cli("export", "webanno", str(project.root), "--out", str(out))  # a previous export
    assert again.exit_code == 0 and sorted(out.glob("*.jsonld")) == [path]


def test_export_webanno_refuses_a_folder_of_other_files(
    project: Project, cli: Any, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    result = cli("export", "webanno", str(project.root), "--out", str(tmp_path))
    assert result.exit_code == 2 and "did not export" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "project"]


def test_export_webanno_of_an_invalid_project_writes_nothing(
    project: Project, cli: Any, tmp_path: Path
) -> None:
    project.edit_article("type: CONSULT", "type: PARTY")
    result = cli("export", "webanno", str(project.root), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1, result.output
    assert not (tmp_path / "out").exists()
