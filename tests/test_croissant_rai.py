"""Croissant RAI and ODRL usage terms: every RAI property answered from a stated source, and the
annotations' licence kept apart from the rights in the page texts (issue 23, parts 1 and 2).

The expected values are read from the corpus files with plain PyYAML, not through articlepack.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import rdflib
import yaml

from articlepack import rai
from articlepack.builder import build
from conftest import ROOT, Project

BIN = Path(sys.executable).parent
RAI = rdflib.Namespace(rai.NAMESPACE)
ODRL = rdflib.Namespace("http://www.w3.org/ns/odrl/2/")
SDO = rdflib.Namespace("https://schema.org/")
BASE = "https://example.org/release/"
SOURCED = re.compile(r"\s*(.+?) \[source: ([^\]]+)\]")


def _vocabulary() -> set[str]:
    """The property names that the packaged croissant_rai.ttl defines."""
    graph = rdflib.Graph().parse(data=rai.vocabulary(), format="turtle")
    return {
        str(s).removeprefix(rai.NAMESPACE)
        for s in graph.subjects(rdflib.RDF.type, rdflib.RDF.Property)
        if str(s).startswith(rai.NAMESPACE)
    }


def _croissant(release: Path) -> dict[str, Any]:
    return dict(json.loads((release / "croissant.json").read_text(encoding="utf-8")))


def _graph(release: Path) -> rdflib.Graph:
    """croissant.json read as RDF: what a JSON-LD consumer sees, prefixes expanded."""
    text = (release / "croissant.json").read_text(encoding="utf-8")
    return rdflib.Graph().parse(data=text, format="json-ld", base=BASE)


def _block(readme: Path, name: str) -> str:
    text = readme.read_text(encoding="utf-8")
    match = re.search(
        rf"<!-- articlepack:{name} -->\n(.*?)<!-- /articlepack:{name} -->", text, re.S
    )
    assert match, name
    return match.group(1)


def _articles(root: Path) -> list[dict[str, Any]]:
    return [
        yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((root / "corpus" / "articles").glob("*/article.yaml"))
    ]


@pytest.fixture(scope="module")
def corpus_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled Russia–Syria corpus, built once for this module."""
    return build(ROOT, tmp_path_factory.mktemp("dist"))


# -- RAI ----------------------------------------------------------------------------------------


def test_the_packaged_vocabulary_has_twenty_properties_and_articlepack_answers_each() -> None:
    names = _vocabulary()
    assert len(names) == 20
    assert set(rai.properties()) == names


def test_the_vocabulary_matches_mlcroissants_up_to_its_two_spellings() -> None:
    # mlcroissant 1.1 reads rai:dataCollectionTimeFrame and rai:dataDataManipulationProtocol,
    # where the vocabulary says dataCollectionTimeframe and dataManipulationProtocol. A release
    # follows the vocabulary; this test fails when mlcroissant is fixed, or knows a property
    # that the packaged vocabulary lacks.
    from mlcroissant._src.core import constants

    known = {
        str(value).removeprefix(rai.NAMESPACE)
        for name, value in vars(constants).items()
        if name.startswith("ML_COMMONS_RAI_") and isinstance(value, rdflib.URIRef)
    }
    assert known ^ _vocabulary() == {
        "dataCollectionTimeFrame",
        "dataCollectionTimeframe",
        "dataDataManipulationProtocol",
        "dataManipulationProtocol",
    }


def test_every_rai_property_is_in_croissant_json_with_its_source(corpus_release: Path) -> None:
    croissant = _croissant(corpus_release)
    emitted = {k.removeprefix("rai:") for k in croissant if k.startswith("rai:")}
    assert emitted == _vocabulary()
    graph = _graph(corpus_release)
    for name in emitted:  # as RDF too: the rai prefix of the context is the vocabulary's
        assert list(graph.objects(None, RAI[name])), name
    pure = {"dataCollectionTimeframe", "dataCollectionType"}  # forms of their own, no prose
    for name in emitted - pure:
        value = croissant[f"rai:{name}"]
        assert isinstance(value, str) and value.endswith("]"), name
        parts = SOURCED.findall(value)  # every part of the prose is followed by its source
        assert parts and " ".join(f"{t} [source: {s}]" for t, s in parts) == value, name


def test_the_card_shows_the_same_answers_in_prose(corpus_release: Path) -> None:
    croissant = _croissant(corpus_release)
    block = _block(corpus_release / "README.md", "rai")
    lines = dict(re.findall(r"^- \*\*.+?\*\* \(`rai:(\w+)`\): (.*)$", block, re.M))
    assert set(lines) == _vocabulary()
    for name, line in lines.items():
        value = croissant[f"rai:{name}"]
        if isinstance(value, list):
            assert "; ".join(value) in line
            continue
        for text, source in SOURCED.findall(value) or [(value, "")]:
            assert text.strip() in line, name
            assert f"_(source: {source})_" in line or not source, name
    # the committed datacard carries the same block (`articlepack card --check` keeps it fresh)
    assert _block(ROOT / "datacard.md", "rai") == _block(corpus_release / "README.md", "rai")


def test_the_collection_timeframe_is_the_span_of_publication_dates(corpus_release: Path) -> None:
    dates = sorted(str(a["published"]["date"]) for a in _articles(ROOT))
    assert _croissant(corpus_release)["rai:dataCollectionTimeframe"] == f"{dates[0]}/{dates[-1]}"
    assert dates[0] == "2014-01-10" and dates[-1] == "2016-06"  # day and month precision


def test_maintainers_answers_come_from_dataset_yaml(corpus_release: Path) -> None:
    dataset = yaml.safe_load((ROOT / "corpus" / "dataset.yaml").read_text(encoding="utf-8"))
    croissant = _croissant(corpus_release)
    for name, answer in dataset["rai"].items():
        value = croissant[f"rai:{name}"]
        if isinstance(answer, list):
            assert value == answer, name
        else:
            assert f"{' '.join(answer.split())} [source: corpus/dataset.yaml, rai.{name}]" in value
    # what only the maintainers could answer, and have not, is published as not recorded
    only = {n for n, p in rai.properties().items() if p.sources == ("dataset",)}
    unanswered = only - set(dataset["rai"])
    assert unanswered == {"annotatorDemographics", "dataSocialImpact"}
    for name in unanswered:
        assert croissant[f"rai:{name}"] == (
            f"Not recorded. [source: corpus/dataset.yaml has no rai.{name}]"
        ), name


def test_a_new_project_publishes_not_recorded_until_the_maintainers_answer(
    project: Project, tmp_path: Path
) -> None:
    unanswered = _croissant(build(project.root, tmp_path / "a"))
    assert unanswered["rai:dataUseCases"] == (
        "Not recorded. [source: corpus/dataset.yaml has no rai.dataUseCases]"
    )
    assert unanswered["rai:dataCollectionType"].startswith("Not recorded.")
    project.edit("corpus/dataset.yaml", "  dataUseCases: null", "  dataUseCases: Teaching NER.")
    project.edit(
        "corpus/dataset.yaml", "  dataCollectionType: null", "  dataCollectionType: [Web API]"
    )
    release = build(project.root, tmp_path / "b")
    answered = _croissant(release)
    assert answered["rai:dataUseCases"] == (
        "Teaching NER. [source: corpus/dataset.yaml, rai.dataUseCases]"
    )
    assert answered["rai:dataCollectionType"] == ["Web API"]
    assert "Teaching NER. _(source: corpus/dataset.yaml, rai.dataUseCases)_" in _block(
        release / "README.md", "rai"
    )


def test_the_template_asks_for_every_answer_a_maintainer_writes() -> None:
    template = ROOT / "src/articlepack/templates/project/corpus/dataset.yaml"
    text = template.read_text(encoding="utf-8")
    answers = yaml.safe_load(text)["rai"]
    assert list(answers) == list(rai.written())
    assert all(value is None for value in answers.values())  # never a placeholder answer
    for name in answers:  # each with the question it asks, as a comment just above it
        assert re.search(rf"^  # .+\n  {name}: null$", text, re.M), name
    assert "dataCollectionTimeframe" not in answers  # computed from the corpus


@pytest.mark.parametrize(
    ("annotators", "per_item", "analysis"),
    [
        ("[Example Annotator]", "1 for 1 of 1 article.", "No inter-annotator agreement"),
        ("[A. Annotator, B. Annotator]", "2 for 1 of 1 article.", "1 of 1 article name more"),
        ("[]", "0 for 1 of 1 article.", "No inter-annotator agreement"),
    ],
    ids=["one annotator", "two annotators", "none named"],
)
def test_annotations_per_item_count_the_annotators_each_article_names(
    project: Project, tmp_path: Path, annotators: str, per_item: str, analysis: str
) -> None:
    project.edit_article("annotators: [Example Annotator]", f"annotators: {annotators}")
    croissant = _croissant(build(project.root, tmp_path / "dist"))
    assert croissant["rai:annotationsPerItem"].startswith(
        f"Annotators named per article (articles.annotators): {per_item}"
    )
    assert croissant["rai:dataAnnotationAnalysis"].startswith(analysis)


@pytest.mark.parametrize(
    ("answers", "codes"),
    [
        ("{dataUsecases: Teaching.}", ["unknown-key"]),
        ("{dataCollectionTimeframe: 2020/2021}", ["unknown-key"]),
        ("{dataUseCases: {teaching: yes}}", ["wrong-type"]),
        ("[dataUseCases]", ["wrong-type"]),
        ("{dataUseCases: [Teaching., Testing.], dataBiases: null}", []),
    ],
    ids=["misspelt key", "computed property", "mapping answer", "not a mapping", "valid"],
)
def test_dataset_yaml_rai_answers_are_validated(
    project: Project, answers: str, codes: list[str]
) -> None:
    path = project.root / "corpus" / "dataset.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("# Croissant RAI")] + f"rai: {answers}\n", encoding="utf-8")
    code, report = project.validate()
    found = [
        e
        for e in report["errors"]
        if e["file"] == "corpus/dataset.yaml" and e["code"] != "template-project"
    ]
    assert [e["code"] for e in found] == codes
    assert code == (1 if codes else 0)
    if codes:
        assert found[0]["line"] == text[: text.index("# Croissant RAI")].count("\n") + 1


# -- usage terms --------------------------------------------------------------------------------


def _policies(graph: rdflib.Graph, kind: rdflib.URIRef) -> list[rdflib.term.Node]:
    return sorted(graph.subjects(rdflib.RDF.type, kind), key=str)


def _sources(graph: rdflib.Graph, collection: rdflib.term.Node) -> set[str]:
    """The fields and record sets an asset collection draws on, through nested collections."""
    found = set()
    for source in graph.objects(collection, ODRL.source):
        if (source, rdflib.RDF.type, ODRL.AssetCollection) in graph:
            found |= _sources(graph, source)
        else:
            found.add(str(source).removeprefix(BASE))
    return found


def test_the_annotations_are_offered_under_the_licence_and_the_texts_are_not(
    corpus_release: Path,
) -> None:
    graph = _graph(corpus_release)
    dataset = next(graph.subjects(rdflib.RDF.type, SDO.Dataset))
    usage = set(graph.objects(dataset, SDO.usageInfo))
    [offer] = _policies(graph, ODRL.Offer)
    assert offer in usage
    assert str(graph.value(offer, SDO.license)) == "https://creativecommons.org/licenses/by/4.0/"
    assert (
        str(graph.value(graph.value(offer, ODRL.assigner), SDO.name)) == "articlepack maintainers"
    )
    permitted = {
        str(graph.value(p, ODRL.action)).removeprefix(str(ODRL))
        for p in graph.objects(offer, ODRL.permission)
    }
    assert permitted == {"use", "reproduce", "distribute", "derive"}
    for permission in graph.objects(offer, ODRL.permission):
        duty = graph.value(permission, ODRL.duty)
        assert graph.value(duty, ODRL.action) == ODRL.attribute
    copied = {"articles/text", "articles/title", "segments/text", "mentions/text", "quotes/content"}
    offered = _sources(graph, graph.value(offer, ODRL.target))
    assert not copied & offered and {"entities", "mentions/entity_id", "articles/id"} <= offered

    # the maintainers' terms for the texts, once; then one set per rights statement and
    # distribution, as the articles record them
    dataset = yaml.safe_load((ROOT / "corpus" / "dataset.yaml").read_text(encoding="utf-8"))
    overview = rdflib.URIRef(BASE + "usage/texts")
    assert overview in usage
    assert str(graph.value(overview, SDO.description)) == (
        f"{' '.join(dataset['text_rights'].split())} [source: corpus/dataset.yaml, text_rights]"
    )
    rights = [(a["rights"]["statement"], a["rights"]["distribution"]) for a in _articles(ROOT)]
    groups = {}
    for policy in _policies(graph, ODRL.Set):
        assert policy in usage and graph.value(policy, SDO.isPartOf) == overview
        assert copied <= _sources(graph, graph.value(policy, ODRL.target))
        refinement = graph.value(graph.value(policy, ODRL.target), ODRL.refinement)
        pinned = {
            str(graph.value(c, ODRL.leftOperand)).removeprefix(BASE): str(
                graph.value(c, ODRL.rightOperand)
            )
            for c in graph.objects(refinement, ODRL["and"])
        }
        key = (pinned["articles/rights_statement"], pinned["articles/rights_distribution"])
        assert str(graph.value(policy, SDO.copyrightNotice)) == key[0]
        permission = graph.value(policy, ODRL.permission)
        assert graph.value(permission, ODRL.action) == ODRL.use
        duty = graph.value(permission, ODRL.duty)
        assert graph.value(duty, ODRL.action) == ODRL.obtainConsent
        assert (graph.value(duty, ODRL.consentingParty), rdflib.RDF.type, ODRL.Party) in graph
        groups[key] = policy
    assert set(groups) == set(rights)
    assert len(groups) == 2  # the RFE/RL reprint notice; four pages with no rights statement


def test_datapackage_and_card_state_the_same_terms(corpus_release: Path) -> None:
    croissant = _croissant(corpus_release)
    package = json.loads((corpus_release / "datapackage.json").read_text(encoding="utf-8"))
    terms = package["x-articlepack"]["usage_terms"]
    assert terms["annotations"]["license"] == package["licenses"][0]["name"] == "CC-BY-4.0"
    texts = [p for p in croissant["usageInfo"] if "odrl:Set" in p["@type"]]
    pinned = [
        [c["odrl:rightOperand"] for c in p["odrl:target"]["odrl:refinement"]["odrl:and"]]
        for p in texts
    ]
    assert [[t["rights_statement"], t["rights_distribution"]] for t in terms["texts"]] == pinned
    assert [p["copyrightNotice"] for p in texts] == [t["rights_statement"] for t in terms["texts"]]
    assert [t["articles"] for t in terms["texts"]] == [4, 1]
    card = _block(corpus_release / "README.md", "terms")
    for text in terms["texts"]:
        assert f"| {text['articles']}: " in card and text["rights_statement"] in card
    for column in terms["text_columns"]:
        assert f"`{column}`" in card
    assert _block(ROOT / "datacard.md", "terms") == card


def test_a_standoff_article_is_withheld_in_the_policy(repo_copy: Path, tmp_path: Path) -> None:
    article = next((repo_copy / "corpus" / "articles").glob("2016-06-*/article.yaml"))
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("distribution: full}", "distribution: standoff}"), "utf-8")
    release = build(repo_copy, tmp_path / "dist")

    [withheld] = [
        p
        for p in _croissant(release)["usageInfo"]
        if "standoff" in json.dumps(p.get("odrl:target"))
    ]
    assert withheld["conditionsOfAccess"].startswith("Withheld:")
    assert "articles.text" in withheld["conditionsOfAccess"]
    assert "withheld from this release" in withheld["name"]
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    [group] = [t for t in package["x-articlepack"]["usage_terms"]["texts"] if "withheld" in t]
    assert group["articles"] == 1
    assert {"articles.text", "segments.text", "quotes.content"} <= set(group["withheld"])
    assert "articles.title" in group["published"]  # metadata spans outside the body stay
    assert "| standoff | withheld: `articles.text`" in _block(release / "README.md", "terms")
    assert "withheld, not missing" in _croissant(release)["rai:dataCollectionMissingData"]

    done = subprocess.run(
        [BIN / "mlcroissant", "validate", "--jsonld", release / "croissant.json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "WARNING" not in done.stderr, done.stderr[-2000:]


@pytest.mark.parametrize(
    ("licence", "types", "prohibited"),
    [
        ("CC-BY-4.0", ["CreativeWork", "odrl:Offer"], None),
        (
            "CC-BY-NC-4.0",
            ["CreativeWork", "odrl:Offer"],
            "http://creativecommons.org/ns#CommercialUse",
        ),
        ("mit", "CreativeWork", None),
    ],
    ids=["attribution", "non-commercial prohibits commercial use", "no ODRL rules known"],
)
def test_the_annotation_policy_follows_the_licence(
    project: Project, tmp_path: Path, licence: str, types: Any, prohibited: str | None
) -> None:
    project.edit("corpus/dataset.yaml", "license: CC-BY-4.0", f"license: {licence}")
    [offer] = [
        p
        for p in _croissant(build(project.root, tmp_path / "dist"))["usageInfo"]
        if p["@id"] == "usage/annotations"
    ]
    assert offer["@type"] == types
    assert ("odrl:permission" in offer) == (types != "CreativeWork")
    rules = offer.get("odrl:prohibition", [])
    assert [r["odrl:action"]["@id"] for r in rules] == ([prohibited] if prohibited else [])
