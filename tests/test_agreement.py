"""Inter-annotator agreement (issue 23, part 3): each annotator's own version of an article in
corpus/annotations/<annotator>/<article-id>.yaml, checked by validate and compared by
`articlepack agreement`, on the bundled scheme and on the custom one.

The fixtures in tests/fixtures/agreement/ are two annotators' versions of the `init` example;
every expected figure below is counted by hand from them (their disagreements are marked `<-`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from articlepack.agreement import pair
from articlepack.annotators import annotation_file
from articlepack.cli import app
from bad_inputs.support import line_with, validate
from conftest import EXAMPLE, Project
from custom_scheme import custom_project

FIXTURES = Path(__file__).parent / "fixtures" / "agreement"
ANNOTATIONS = "corpus/annotations"


def _annotated(project: Project, scheme: str) -> Project:
    shutil.copytree(FIXTURES / scheme, project.root / ANNOTATIONS)
    return project


def _agreement(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["agreement", str(root), *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout


def _measures(root: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    code, out = _agreement(root, "--format", "json")
    assert code == 0, out
    found = json.loads(out)["measures"]
    return {(m["layer"], m["kind"], m["field"]): m for m in found}


def _figures(measures: dict[tuple[str, str, str], dict[str, Any]]) -> dict[str, Any]:
    """Each measure as `layer kind field` -> (value rounded, agreed, total)."""
    return {
        " ".join(key): (
            None if m["value"] is None else round(m["value"], 4),
            m["agreed"],
            m["total"],
        )
        for key, m in measures.items()
    }


def _annotations_findings(root: Path) -> list[dict[str, Any]]:
    outcome = validate(root)
    return [f for f in outcome.findings if f["file"].startswith(ANNOTATIONS)]


# -- the figures, by hand -------------------------------------------------------------------------


def test_bundled_scheme_agreement_matches_the_figures_counted_by_hand(project: Project) -> None:
    root = _annotated(project, "bundled").root
    assert _annotations_findings(root) == []
    figures = _figures(_measures(root))
    # mentions: 5 spans each. m2 "Anna Example" 132:144 vs p2 "Example" 137:144 overlap; the
    # other 4 are equal. Exact F1 = 2*4/(5+5) = 0.8; overlapping F1 = 2*5/10 = 1.0.
    assert figures["mentions span-f1-exact text"] == (0.8, 4, 10)
    assert figures["mentions span-f1-overlap text"] == (1.0, 5, 10)
    # entity (a registry reference) of the 5 paired mentions: m5 anna-example vs p5 boris-sample
    # differs. 2*4/(5+5) = 0.8.
    assert figures["mentions reference entity_id"] == (0.8, 4, 10)
    # events: 3 triggers each, all equal: 2*3/6 = 1.0 either way. No date evidence anywhere.
    assert figures["events span-f1-exact trigger"] == (1.0, 3, 6)
    assert figures["events span-f1-overlap trigger"] == (1.0, 3, 6)
    assert figures["events span-f1-exact date_evidence"] == (None, 0, 0)
    # type, Krippendorff's alpha (nominal), units (CONSULT,CONSULT) (AGREE,COOPERATE)
    # (CONSULT,CONSULT): n = 6 values; n_CONSULT = 4, n_AGREE = n_COOPERATE = 1. Disagreeing
    # pairs in the coincidence matrix: o(AGREE,COOPERATE) + o(COOPERATE,AGREE) = 2.
    # Expected: sum over c != k of n_c*n_k = 6^2 - (16 + 1 + 1) = 18.
    # alpha = 1 - (n - 1) * 2 / 18 = 1 - 10/18 = 4/9 = 0.4444; 2 of 3 units agree.
    assert figures["events alpha type"] == (0.4444, 2, 3)
    # realis: (actual,actual) (actual,actual) (planned,planned): no disagreement, 2 values: 1.0
    assert figures["events alpha realis"] == (1.0, 3, 3)
    # context: only e1 has one on both sides, [diplomatic]: one value, so alpha is undefined
    assert figures["events alpha context"] == (None, 1, 1)
    # location: e1 m4 -> p4 (through the mention pairing) = p4; e2, e3 have none: 2*1/2 = 1.0
    assert figures["events reference location"] == (1.0, 1, 2)
    # event_arguments, (role, mention) of each paired event, alice's mapped to bob's ids:
    # e1 {actor p2, recipient p3} vs the same: 2 shared of 4;
    # e2 {actor p5} vs {actor p5}: 1 of 2;
    # e3 {actor p2, recipient p3} vs {actor p2, actor p3}: 1 of 4. 2*(2+1+1)/(4+2+4) = 0.8
    assert figures["events reference event_arguments"] == (0.8, 4, 10)
    # quotes: the cue is equal (1.0); the content is 233:268 vs 232:269 (with the quotation
    # marks): exact 0.0, overlapping 1.0. kind: one value, undefined. speaker m5 -> p5 = p5.
    assert figures["quotes span-f1-exact cue"] == (1.0, 1, 2)
    assert figures["quotes span-f1-exact content"] == (0.0, 0, 2)
    assert figures["quotes span-f1-overlap content"] == (1.0, 1, 2)
    assert figures["quotes alpha kind"] == (None, 1, 1)
    assert figures["quotes reference speaker"] == (1.0, 1, 2)


def test_custom_scheme_agreement_matches_the_figures_counted_by_hand(tmp_path: Path) -> None:
    root = _annotated(custom_project(tmp_path / "custom"), "custom").root
    assert _annotations_findings(root) == []
    figures = _figures(_measures(root))
    # relations (a layer articlepack's Python does not know), paired by their first span,
    # evidence: r1 132:188 equal; r2 97:144 vs 121:144 overlap.
    # Exact F1 = 2*1/(2+2) = 0.5; overlapping = 2*2/4 = 1.0.
    assert figures["relations span-f1-exact evidence"] == (0.5, 1, 4)
    assert figures["relations span-f1-overlap evidence"] == (1.0, 2, 4)
    # type: units (meets,meets) (allied_with,criticises): n = 4, n_meets = 2, the others 1.
    # Disagreeing coincidences 2; expected 4^2 - (4 + 1 + 1) = 10; alpha = 1 - 3*2/10 = 0.4
    assert figures["relations alpha type"] == (0.4, 1, 2)
    # head: r1 m2 vs m3 differs, r2 m2 = m2: 2*1/(2+2) = 0.5; tail likewise (swapped in r1)
    assert figures["relations reference head"] == (0.5, 1, 4)
    assert figures["relations reference tail"] == (0.5, 1, 4)
    # the three mentions agree on span and entity
    assert figures["mentions span-f1-exact text"] == (1.0, 3, 6)
    assert figures["mentions reference entity_id"] == (1.0, 3, 6)
    # a layer neither annotator wrote is reported, with nothing to compare
    assert figures["events span-f1-exact trigger"] == (None, 0, 0)


def test_a_third_annotator_adds_two_pairwise_comparisons_micro_averaged(project: Project) -> None:
    root = _annotated(project, "bundled").root
    shutil.copytree(root / ANNOTATIONS / "bob", root / ANNOTATIONS / "carol")
    code, out = _agreement(root, "--format", "json")
    result = json.loads(out)
    assert (code, result["annotators"], result["comparisons"]) == (0, 3, 3)
    figures = _figures(_measures(root))
    # exact mention spans matched: alice-bob 4, alice-carol 4, bob-carol 5, of 10 each:
    # 2*(4+4+5)/30 = 26/30 = 0.8667
    assert figures["mentions span-f1-exact text"] == (0.8667, 13, 30)


def test_spans_pair_one_to_one_equal_first_then_the_largest_overlap() -> None:
    # b's 0:10 equals a's 0:10 and is taken by it, though a's 5:12 overlaps it too; a's 5:12
    # then pairs with 8:20 (overlap 4) rather than 11:30 (overlap 1); 40:50 overlaps nothing
    a = [(5, 12), (0, 10), (40, 50), None]
    b = [(11, 30), (0, 10), (8, 20)]
    assert sorted(pair(a, b)) == [(0, 2), (1, 1)]


def test_text_output_is_a_table_and_json_is_for_scripts(project: Project) -> None:
    root = _annotated(project, "bundled").root
    code, out = _agreement(root)
    assert code == 0
    assert "(annotators: 2, articles compared: 1, comparisons: 1)" in out
    assert re.search(r"events\s.*Krippendorff's alpha\s.*type\s.*0\.444", out)
    code, out = _agreement(root, "--format", "json")
    assert json.loads(out)["versions"] == {"2": 1}


def test_a_project_without_annotator_files_has_nothing_to_compare(project: Project) -> None:
    code, out = _agreement(project.root)
    assert code == 0 and "nothing to compare" in out
    assert json.loads(_agreement(project.root, "--format", "json")[1])["comparisons"] == 0


def test_two_annotators_may_give_an_annotation_the_same_id(tmp_path: Path) -> None:
    # the custom fixture's annotators both number their mentions m1..m3 and relations r1, r2
    root = _annotated(custom_project(tmp_path / "custom"), "custom").root
    assert not [f for f in _annotations_findings(root) if f["code"] == "duplicate-id"]


# -- the release: Croissant and the card -----------------------------------------------------------


def test_the_release_reports_the_agreement_in_croissant_and_the_card(
    project: Project, tmp_path: Path
) -> None:
    from articlepack.builder import build

    root = _annotated(project, "bundled").root
    release = build(root, tmp_path / "dist")
    croissant = json.loads((release / "croissant.json").read_text(encoding="utf-8"))
    analysis = croissant["rai:dataAnnotationAnalysis"]
    assert "(annotators: 2, articles compared: 1, comparisons: 1;" in analysis
    assert (
        "events: span F1 (exact/overlapping): trigger 1.000/1.000; Krippendorff's alpha "
        "(nominal): type 0.444, realis 1.000, context undefined (one value only); references: "
        "location 1.000, event_arguments 0.800." in analysis
    )
    assert "quotes: span F1 (exact/overlapping): cue 1.000/1.000, content 0.000/1.000;" in analysis
    assert "[source: computed by articlepack agreement from corpus/annotations/]" in analysis
    per_item = croissant["rai:annotationsPerItem"]
    assert (
        "own versions kept for agreement (corpus/annotations/): 2 for 1 of 1 article." in per_item
    )
    card = (release / "README.md").read_text(encoding="utf-8")
    assert (
        "| events | Krippendorff's alpha | type | 0.444 | 2 of 3 paired annotations agree |" in card
    )
    assert analysis.split(" [source:")[0] in " ".join(card.split())
    # annotators are counted, never named: a folder name may be an e-mail address
    assert "alice" not in json.dumps(croissant) and "alice" not in card
    # the annotators' files are never published
    assert not any("annotations" in p.parts for p in release.rglob("*"))


# -- bad input: each names its file, line and annotation id -------------------------------------


def test_annotator_folder_name_with_dotdot(project: Project) -> None:
    root = _annotated(project, "bundled").root
    (root / ANNOTATIONS / "alice").rename(root / ANNOTATIONS / "..alice")
    (finding,) = _annotations_findings(root)
    assert (finding["code"], finding["file"]) == ("bad-annotator-name", f"{ANNOTATIONS}/..alice")
    # the importer builds paths with annotation_file, which refuses a name that leaves the folder
    for name in ("../alice", "..", "a/b", ".hidden", "a..b", ""):
        with pytest.raises(ValueError, match="cannot name a file"):
            annotation_file(name, EXAMPLE)
    assert annotation_file("alice@example.org", EXAMPLE) == (
        f"{ANNOTATIONS}/alice@example.org/{EXAMPLE}.yaml"
    )
    code, _ = _agreement(root)
    assert code == 1


def test_annotator_folder_symlink_leading_outside_the_project(
    project: Project, tmp_path: Path
) -> None:
    root = _annotated(project, "bundled").root
    outside = tmp_path / "outside"
    shutil.copytree(FIXTURES / "bundled" / "bob", outside)
    os.symlink(outside, root / ANNOTATIONS / "mallory")
    (finding,) = _annotations_findings(root)
    assert (finding["code"], finding["file"]) == ("unsafe-path", f"{ANNOTATIONS}/mallory")
    # a file that is a symlink out of the project is not read either
    (root / ANNOTATIONS / "mallory").unlink()
    mine = root / ANNOTATIONS / "alice" / f"{EXAMPLE}.yaml"
    mine.unlink()
    os.symlink(outside / f"{EXAMPLE}.yaml", mine)
    (finding,) = _annotations_findings(root)
    assert (finding["code"], finding["file"]) == (
        "unsafe-path",
        f"{ANNOTATIONS}/alice/{EXAMPLE}.yaml",
    )


def test_annotation_file_for_an_unknown_article(project: Project) -> None:
    root = _annotated(project, "bundled").root
    shutil.copy(
        root / ANNOTATIONS / "alice" / f"{EXAMPLE}.yaml",
        root / ANNOTATIONS / "alice" / "2099-no-such-article.yaml",
    )
    (finding,) = _annotations_findings(root)
    assert finding["code"] == "unknown-article"
    assert finding["file"] == f"{ANNOTATIONS}/alice/2099-no-such-article.yaml"
    assert finding["id"] == "2099-no-such-article"
    assert _agreement(root)[0] == 1


def test_span_outside_the_text_in_an_annotators_file(project: Project) -> None:
    root = _annotated(project, "bundled").root
    path = root / ANNOTATIONS / "bob" / f"{EXAMPLE}.yaml"
    Project(root).edit(path, "{id: p4, start: 207, end: 216,", "{id: p4, start: 207, end: 9999,")
    (finding,) = _annotations_findings(root)
    assert finding["code"] == "span-outside-text"
    assert (finding["file"], finding["line"], finding["id"]) == (
        f"{ANNOTATIONS}/bob/{EXAMPLE}.yaml",
        line_with(path, "id: p4"),
        "p4",
    )
    code, out = _agreement(root, "--format", "json")
    assert code == 1 and json.loads(out)["errors"][0]["code"] == "span-outside-text"


def test_span_text_mismatch_in_an_annotators_file(project: Project) -> None:
    root = _annotated(project, "bundled").root
    path = root / ANNOTATIONS / "alice" / f"{EXAMPLE}.yaml"
    Project(root).edit(
        path,
        'trigger: {start: 236, end: 242, text: "agreed"}',
        'trigger: {start: 237, end: 243, text: "agreed"}',
    )
    (finding,) = _annotations_findings(root)
    assert finding["code"] == "span-text-mismatch"
    assert (finding["line"], finding["id"]) == (line_with(path, 'text: "agreed"'), "e2")
    assert "found 1 character earlier" in finding["message"]


def test_annotation_outside_the_body_in_an_annotators_file(project: Project) -> None:
    root = _annotated(project, "bundled").root
    path = root / ANNOTATIONS / "alice" / f"{EXAMPLE}.yaml"
    # "Freedonia" in the headline: in raw.txt, but not in a body segment
    Project(root).edit(path, "{id: m1, start: 121, end: 130,", "{id: m1, start: 38, end: 47,")
    (finding,) = _annotations_findings(root)
    assert (finding["code"], finding["id"]) == ("span-outside-body", "m1")


def test_bad_yaml_in_an_annotators_file(project: Project) -> None:
    root = _annotated(project, "bundled").root
    path = root / ANNOTATIONS / "bob" / f"{EXAMPLE}.yaml"
    Project(root).edit(path, "    realis: planned\n", "    realis: [planned\n")
    (finding,) = _annotations_findings(root)
    assert finding["code"] == "yaml-syntax"
    assert finding["file"] == f"{ANNOTATIONS}/bob/{EXAMPLE}.yaml" and finding["line"]


def test_an_annotators_file_holds_only_annotation_layers(project: Project) -> None:
    root = _annotated(project, "bundled").root
    path = root / ANNOTATIONS / "bob" / f"{EXAMPLE}.yaml"
    # the body is the article's, not an annotator's; so are the metadata
    path.write_text(path.read_text(encoding="utf-8") + "body: []\ntitle: x\n", encoding="utf-8")
    found = {(f["code"], f["line"]) for f in _annotations_findings(root)}
    assert found == {
        ("unknown-key", line_with(path, "body:")),
        ("unknown-key", line_with(path, "title:")),
    }


def test_reference_to_a_mention_missing_from_the_annotators_own_file(project: Project) -> None:
    root = _annotated(project, "bundled").root
    path = root / ANNOTATIONS / "bob" / f"{EXAMPLE}.yaml"
    # m4 is alice's id, not bob's: references resolve within the annotator's own file
    Project(root).edit(path, "    location: p4\n", "    location: m4\n")
    (finding,) = _annotations_findings(root)
    assert (finding["code"], finding["id"]) == ("missing-reference", "e1")
    assert finding["line"] == line_with(path, "location: m4")


def test_bad_label_in_an_annotators_file(project: Project) -> None:
    root = _annotated(project, "bundled").root
    path = root / ANNOTATIONS / "bob" / f"{EXAMPLE}.yaml"
    Project(root).edit(path, "type: COOPERATE", "type: COOPERATES")
    (finding,) = _annotations_findings(root)
    assert (finding["code"], finding["id"]) == ("not-in-enum", "e2")


def test_stray_files_in_the_annotations_folder_are_warnings(project: Project) -> None:
    root = _annotated(project, "bundled").root
    (root / ANNOTATIONS / "README.txt").write_text("notes", encoding="utf-8")
    (root / ANNOTATIONS / "alice" / "notes.txt").write_text("notes", encoding="utf-8")
    outcome = validate(root)
    stray = sorted(f["file"] for f in outcome.of("stray-file"))
    assert stray == [f"{ANNOTATIONS}/README.txt", f"{ANNOTATIONS}/alice/notes.txt"]
    assert _agreement(root)[0] == 0  # warnings do not stop the measures
