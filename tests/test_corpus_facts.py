"""Facts about the shipped corpus that a reader can check against the raw texts.

These tests read `corpus/` with plain PyYAML, independently of articlepack's own reader and
validator, so that a bug in the library cannot hide a mistake in the annotations (or the other
way round). The numbers below are the annotation counts of corpus version 2.0.0; changing an
annotation means changing them here too, in the same commit.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parents[1]
CORPUS = ROOT / "corpus"
ARTICLES = CORPUS / "articles"
ELLIPSIS = " \u2026 "

# article id -> (mentions, distinct entities, events, quotes), as annotated for version 2.0.0
COUNTS = {
    "2016-01-28-alalam-freij-shoigu-moscow": (34, 20, 14, 7),
    "2015-10-21-rferl-lavrov-kerry-vienna": (123, 33, 20, 30),
    "2016-02-05-aletho-presstv-russia-proposal-rejected": (31, 15, 16, 5),
    "2014-01-reuters-lavrov-kerry-brahimi-talks": (44, 18, 10, 6),
    "2016-06-asharq-alawsat-shoigu-damascus": (30, 11, 8, 14),
}
IDS = sorted(COUNTS)
# Ids are never renumbered or reused (guidelines §1): an annotation removed in a later version
# leaves a gap. 2.0.0 removed 001's e11 (a relative clause that characterises, §8.1) and e15 (a
# policy statement that refuses nothing, §8.1).
RETIRED = {"2015-10-21-rferl-lavrov-kerry-vienna": {"e11", "e15"}}


@cache
def article(article_id: str) -> dict[str, Any]:
    with open(ARTICLES / article_id / "article.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


@cache
def raw_bytes(article_id: str) -> bytes:
    return (ARTICLES / article_id / "raw.txt").read_bytes()


def raw(article_id: str) -> str:
    return raw_bytes(article_id).decode("utf-8")


@cache
def entities() -> dict[str, dict[str, Any]]:
    with open(CORPUS / "entities.yaml", encoding="utf-8") as f:
        return {e["id"]: e for e in yaml.safe_load(f)["entities"]}


def schema_enum(table: str, column: str) -> set[str]:
    with open(ROOT / "schemas" / f"{table}.schema.yaml", encoding="utf-8") as f:
        schema = yaml.safe_load(f)
    field = next(x for x in schema["fields"] if x["name"] == column)
    return set(field["constraints"]["enum"])


def span_matches(text: str, span: dict[str, Any]) -> bool:
    """raw[start:end] == text, or the abbreviated form of a span longer than 200 characters."""
    start, end, shown = span["start"], span["end"], span["text"]
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        return False
    if text[start:end] == shown:
        return True
    if end - start > 200 and ELLIPSIS in shown:
        head, tail = shown.split(ELLIPSIS, 1)
        return (
            bool(head)
            and bool(tail)
            and text[start:].startswith(head)
            and text[:end].endswith(tail)
        )
    return False


def annotation_spans(a: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every span that must lie inside the body, with a label naming it."""
    out = [(f"mention {m['id']}", m) for m in a["mentions"]]
    for e in a["events"]:
        out.append((f"trigger of {e['id']}", e["trigger"]))
        if e["date_evidence"]:
            out.append((f"date evidence of {e['id']}", e["date_evidence"]))
    for q in a["quotes"]:
        out += [(f"cue of {q['id']}", q["cue"]), (f"content of {q['id']}", q["content"])]
    return out


def mention_text(a: dict[str, Any], mention_id: str | None) -> str | None:
    return next((m["text"] for m in a["mentions"] if m["id"] == mention_id), None)


def event(a: dict[str, Any], event_id: str) -> dict[str, Any]:
    return next(e for e in a["events"] if e["id"] == event_id)


def numbered(prefix: str, items: list[dict[str, Any]], retired: set[str]) -> bool:
    """Ids are prefix1, prefix2, … in order, skipping only retired ids, which are never reused."""
    ids = [x["id"] for x in items]
    expected = [f"{prefix}{i}" for i in range(1, len(items) + len(retired) + 1)]
    return ids == [i for i in expected if i not in retired] and retired <= set(expected)


def test_the_corpus_holds_exactly_the_annotated_articles() -> None:
    assert sorted(p.name for p in ARTICLES.iterdir() if p.is_dir()) == IDS


@pytest.mark.parametrize("article_id", IDS)
def test_counts_match_the_annotation(article_id: str) -> None:
    a = article(article_id)
    counts = (
        len(a["mentions"]),
        len({m["entity"] for m in a["mentions"]}),
        len(a["events"]),
        len(a["quotes"]),
    )
    assert counts == COUNTS[article_id]


@pytest.mark.parametrize("article_id", IDS)
def test_article_has_the_required_metadata(article_id: str) -> None:
    a = article(article_id)
    assert a["id"] == article_id
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", article_id)
    assert a["title"]["text"].strip()
    assert re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", a["published"]["date"])
    assert a["published"]["basis"] in schema_enum("articles", "published_basis")
    assert a["published"]["evidence"]["text"]
    # ids start with the date established when the article was added; a later, finer date keeps
    # the id (guidelines §1), so the id's date is a prefix of the date
    id_date = re.match(r"[0-9]{4}-[0-9]{2}(-[0-9]{2})?", article_id)
    assert id_date and a["published"]["date"].startswith(id_date.group())
    assert a["language"] == "en"
    assert a["source"]["publisher_basis"] in {"stated", "inferred", "unknown"}
    assert (a["source"]["publisher"] is None) == (a["source"]["publisher_basis"] == "unknown")
    unknown = a["source"]["publisher_basis"] == "unknown"
    assert (a["source"]["publisher_evidence"] is None) == unknown
    assert a["source"]["url"] is None  # no page gives a full URL
    assert a["rights"]["statement"] and a["rights"]["distribution"] == "full"
    assert a["annotators"] == ["articlepack maintainers"]
    assert a["body"] and a["events"]


@pytest.mark.parametrize("article_id", IDS)
def test_raw_text_hash_is_the_recorded_one(article_id: str) -> None:
    assert hashlib.sha256(raw_bytes(article_id)).hexdigest() == article(article_id)["raw"]["sha256"]


@pytest.mark.parametrize("article_id", IDS)
def test_every_span_matches_the_raw_text(article_id: str) -> None:
    a, text = article(article_id), raw(article_id)
    spans = [("title", a["title"]), ("published evidence", a["published"]["evidence"])]
    if a["source"]["publisher_evidence"]:
        spans.append(("publisher evidence", a["source"]["publisher_evidence"]))
    spans += [(f"body segment {i}", s) for i, s in enumerate(a["body"])]
    spans += annotation_spans(a)
    bad = [label for label, span in spans if not span_matches(text, span)]
    assert not bad


@pytest.mark.parametrize("article_id", IDS)
def test_body_segments_are_ordered_and_disjoint(article_id: str) -> None:
    body = article(article_id)["body"]
    assert all(a["end"] <= b["start"] for a, b in pairwise(body))


@pytest.mark.parametrize("article_id", IDS)
def test_annotations_lie_inside_the_body(article_id: str) -> None:
    a = article(article_id)
    segments = [(s["start"], s["end"]) for s in a["body"]]
    outside = [
        label
        for label, span in annotation_spans(a)
        if not any(s <= span["start"] and span["end"] <= e for s, e in segments)
    ]
    assert not outside


@pytest.mark.parametrize("article_id", IDS)
def test_ids_are_numbered_in_text_order(article_id: str) -> None:
    a = article(article_id)
    retired = RETIRED.get(article_id, set())
    mentions = a["mentions"]
    assert numbered("m", mentions, {i for i in retired if i.startswith("m")})
    assert all(x["end"] <= y["start"] for x, y in pairwise(mentions))  # ordered, disjoint
    events = a["events"]
    assert numbered("e", events, {i for i in retired if i.startswith("e")})
    assert [e["trigger"]["start"] for e in events] == sorted(e["trigger"]["start"] for e in events)
    assert numbered("q", a["quotes"], {i for i in retired if i.startswith("q")})


@pytest.mark.parametrize("article_id", IDS)
def test_mentions_link_to_registered_entities_by_name_or_alias(article_id: str) -> None:
    registry = entities()
    for m in article(article_id)["mentions"]:
        entity = registry[m["entity"]]
        assert m["text"] == entity["name"] or m["text"] in entity["aliases"], m


@pytest.mark.parametrize("article_id", IDS)
def test_events_and_quotes_refer_to_existing_mentions(article_id: str) -> None:
    a = article(article_id)
    ids = {m["id"] for m in a["mentions"]}
    types = schema_enum("events", "type")
    for e in a["events"]:
        assert e["type"] in types
        assert e["realis"] in {"actual", "planned", "hypothetical", "negated"}
        assert e["mode"] is None or re.fullmatch(r"[a-z][a-z_]*", e["mode"])
        assert set(e["actors"]) <= ids and set(e["recipients"]) <= ids
        assert e["location"] is None or e["location"] in ids
        assert (e["date"] is None) == (e["date_evidence"] is None)
        assert e["date"] is None or re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", e["date"])
    for q in a["quotes"]:
        assert q["kind"] in {"direct", "indirect", "mixed"}
        assert q["speaker"] is None or q["speaker"] in ids


@pytest.mark.parametrize("article_id", IDS)
def test_quote_kind_follows_the_quotation_marks(article_id: str) -> None:
    """Guidelines 9.4: mixed iff the content has quotation marks; direct iff all of it is quoted."""
    text = raw(article_id)
    marks = "\"'“”‘’"
    for q in article(article_id)["quotes"]:
        s, e = q["content"]["start"], q["content"]["end"]
        content = text[s:e]
        quoted_inside = (
            any(c in '"“”' for c in content)
            or re.search(r"(^|\s)'|'(\s|$|[.,])", content) is not None
        )
        wrapped = text[s - 1] in marks and text[e] in marks + ".,"
        if q["kind"] == "direct":
            assert wrapped and not quoted_inside, q["id"]
        elif q["kind"] == "mixed":
            assert quoted_inside and not wrapped, q["id"]
        else:
            assert not quoted_inside and not wrapped, q["id"]


def test_entity_registry_is_well_formed() -> None:
    registry = entities()
    sectors = schema_enum("entities", "sector")
    types = schema_enum("entities", "type")
    for entity_id, e in registry.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entity_id)
        assert e["type"] in types
        assert e["country"] is None or re.fullmatch(r"[A-Z]{3}", e["country"])
        assert e["sector"] is None or e["sector"] in sectors
        assert e["wikidata"] is None  # nothing was checked against Wikidata
    used = {m["entity"] for article_id in IDS for m in article(article_id)["mentions"]}
    assert used == set(registry)


def test_person_names_are_spelled_as_the_corpus_spells_them() -> None:
    """Guidelines §7: a person's name is one of the corpus's own spellings, never one from memory."""
    forms: dict[str, set[str]] = {}
    for article_id in IDS:
        for m in article(article_id)["mentions"]:
            forms.setdefault(m["entity"], set()).add(m["text"])
    people = {i: e for i, e in entities().items() if e["type"] == "PER"}
    assert all(e["name"] in forms[i] for i, e in people.items())
    # 1.0.0 wrote "Fahd" from memory; every page writes "Fahed". The id keeps its spelling (§1).
    assert people["fahd-jassem-al-freij"]["name"] == "Fahed Jassem al-Freij"
    assert not any("Fahd" in raw(article_id) for article_id in IDS)


# --- facts a reader can verify against one page ------------------------------------------


def test_000_is_dated_by_its_own_timestamp_and_published_on_alalam() -> None:
    article_id = "2016-01-28-alalam-freij-shoigu-moscow"
    a = article(article_id)
    assert a["published"]["date"] == "2016-01-28" and a["published"]["basis"] == "stated"
    assert a["published"]["evidence"]["text"] == "Thu Jan 28, 2016 22:18:26"
    # the page shows only "alalam" (in its image file names); the name is not expanded (§2)
    assert a["source"]["publisher"] == "Alalam"
    assert a["source"]["publisher_basis"] == "inferred"
    assert "alalam_" in a["source"]["publisher_evidence"]["text"]
    assert "News Network" not in raw(article_id) and "Alalam" not in raw(article_id)
    assert a["source"]["credited"] == ["AFP"]
    assert a["tags"] == ["Syria", "Conflict", "Russia", "Diplomacy"]
    assert a["rights"]["statement"] == "No rights statement on the page."


def test_000_first_event_is_freij_visiting_shoigu_in_moscow_on_thursday() -> None:
    a = article("2016-01-28-alalam-freij-shoigu-moscow")
    e1 = a["events"][0]
    assert (e1["type"], e1["mode"], e1["realis"]) == ("CONSULT", "visit", "actual")
    assert e1["trigger"]["text"] == "met"
    assert [mention_text(a, m) for m in e1["actors"]] == ["Fahed Jassem al-Freij"]
    assert [mention_text(a, m) for m in e1["recipients"]] == ["Sergei Shoigu"]
    assert mention_text(a, e1["location"]) == "Moscow"
    assert e1["date"] == "2016-01-28" and e1["date_evidence"]["text"] == "on Thursday"
    talks = a["events"][1]
    assert (talks["type"], talks["realis"], talks["date"]) == ("CONSULT", "planned", "2016-01-29")


def test_000_munich_meeting_includes_the_participants_the_sentence_names() -> None:
    """Guidelines §8.6: a meeting's actors are its named participants, its holder included."""
    a = article("2016-01-28-alalam-freij-shoigu-moscow")
    munich = event(a, "e13")
    assert mention_text(a, munich["location"]) == "Munich"
    assert (munich["type"], munich["realis"]) == ("CONSULT", "hypothetical")
    actors = [mention_text(a, m) for m in munich["actors"]]
    assert actors == ["Russian foreign ministry", "West", "Middle East"]
    sentence = raw("2016-01-28-alalam-freij-shoigu-moscow")[1768:1952]
    assert "foreign ministry said Thursday it wanted to hold" in sentence
    assert "which would include key players from the West and the Middle East" in sentence


def test_000_body_leaves_out_headlines_and_the_related_links_blob() -> None:
    a = article("2016-01-28-alalam-freij-shoigu-moscow")
    text = raw("2016-01-28-alalam-freij-shoigu-moscow")
    body = "".join(text[s["start"] : s["end"]] for s in a["body"])
    assert body.startswith("Syrian defense minister Fahed Jassem al-Freij")
    assert body.endswith("AFP reported.")
    assert "string(1849)" not in body and "Ahead of Geneva Talks" not in body


def test_000_and_004_link_both_spellings_of_shoigu_to_one_entity() -> None:
    a0 = article("2016-01-28-alalam-freij-shoigu-moscow")
    a4 = article("2016-06-asharq-alawsat-shoigu-damascus")
    spellings = {
        (m["text"], m["entity"])
        for m in a0["mentions"] + a4["mentions"]
        if m["text"] in {"Sergei Shoigu", "Sergey Shoigu"}
    }
    assert spellings == {("Sergei Shoigu", "sergei-shoigu"), ("Sergey Shoigu", "sergei-shoigu")}


def test_001_reprint_has_no_publisher_and_credits_rferl_first() -> None:
    a = article("2015-10-21-rferl-lavrov-kerry-vienna")
    assert a["source"]["publisher"] is None and a["source"]["publisher_basis"] == "unknown"
    assert a["source"]["url"] is None  # "Source: assad-meeting-moscow/27317855.html" is only a path
    credited = ["RFE/RL", "Reuters", "AP", "AFP", "dpa", "Interfax", "TASS"]
    assert a["source"]["credited"] == credited
    assert a["rights"]["statement"].startswith("Copyright (c) 2015. RFE/RL, Inc. Reprinted with")
    assert a["published"] == {**a["published"], "date": "2015-10-21", "basis": "stated"}
    last = a["body"][-1]
    text = raw("2015-10-21-rferl-lavrov-kerry-vienna")
    assert text[: last["end"]].endswith("sharing of target information.")


def test_001_corrections_of_2_0_0() -> None:
    article_id = "2015-10-21-rferl-lavrov-kerry-vienna"
    a, text = article(article_id), raw(article_id)
    assert not {"e11", "e15"} & {e["id"] for e in a["events"]}  # not events (§8.1)
    assert "officials who say the only diplomatic solution" in text  # a characterising clause
    assert "Moscow cannot allow those people to return to Russia" in text  # a policy, no refusal
    # the act of force, not its outcome (§8.3)
    shell = event(a, "e19")
    assert (shell["type"], shell["trigger"]["text"], shell["date"]) == ("ASSAULT", "hit", None)
    assert text[shell["trigger"]["start"] - 8 : shell["trigger"]["end"] + 15] == (
        "a shell hit their position"
    )
    # "on the same day" dates the announcement; the signing is pluperfect (§8.7)
    signed = event(a, "e22")
    assert signed["trigger"]["text"] == "signed" and signed["date"] is None
    assert "the Pentagon announced that Moscow and Washington had signed" in text
    # the coalition's targets are "militants" and "fighters", not terrorists in the text (§8.8)
    strikes = event(a, "e17")
    assert strikes["context"] == ["military"]
    paragraph = next(s for s in a["body"] if s["start"] <= strikes["trigger"]["start"] < s["end"])
    assert "terror" not in text[paragraph["start"] : paragraph["end"]]
    q4 = a["quotes"][3]
    assert (q4["id"], q4["cue"]["text"]) == ("q4", "described as")  # "describe … as" (§9.2)


def test_001_phone_call_and_vienna_meeting() -> None:
    a = article("2015-10-21-rferl-lavrov-kerry-vienna")
    call = next(e for e in a["events"] if e["mode"] == "phone")
    assert (call["type"], call["date"]) == ("CONSULT", "2015-10-21")
    assert call["trigger"]["text"] == "spoke"
    vienna = next(e for e in a["events"] if mention_text(a, e["location"]) == "Vienna")
    assert (vienna["realis"], vienna["date"]) == ("planned", "2015-10-23")


def test_002_is_a_repost_dated_by_the_original_press_tv_story() -> None:
    article_id = "2016-02-05-aletho-presstv-russia-proposal-rejected"
    a = article(article_id)
    assert a["published"]["date"] == "2016-02-05" and a["published"]["basis"] == "stated"
    assert "February 7, 2016 - Posted by" in raw(article_id)  # the repost date, not the article's
    assert a["source"]["publisher"] == "Aletho News"
    assert a["source"]["publisher_basis"] == "stated"
    assert a["source"]["credited"] == ["Press TV", "Interfax"]
    assert a["tags"] == ["Illegal Occupation", "Militarism"]
    assert "\u00a0" in a["title"]["text"]  # the headline's no-break space is kept as crawled
    body = "".join(raw(article_id)[s["start"] : s["end"]] for s in a["body"])
    assert "Comment by" not in body and "Leave a Reply" not in body
    rejected = a["events"][0]
    assert rejected["type"] == "REJECT" and rejected["trigger"]["text"] == "rejected"
    # the text itself calls the targets terror groups (§8.8)
    pounding = event(a, "e13")
    assert pounding["trigger"]["text"] == "pounding" and "terrorism" in pounding["context"]
    assert "Moscow began pounding terror groups in Syria" in raw(article_id)


def test_terrorism_context_only_where_the_text_says_terror() -> None:
    """Guidelines §8.8: the text's own voice, or a speech act about terrorism; nothing else."""
    found = {
        (article_id[:10], e["id"])
        for article_id in IDS
        for e in article(article_id)["events"]
        if "terrorism" in e["context"]
    }
    assert found == {("2016-01-28", "e7"), ("2016-02-05", "e13"), ("2015-10-21", "e16")}
    for article_id, event_id in found:
        full = next(i for i in IDS if i.startswith(article_id))
        trigger = event(article(full), event_id)["trigger"]
        sentence_end = raw(full).index(".", trigger["end"])
        assert "terror" in raw(full)[trigger["start"] - 60 : sentence_end].lower()


def test_003_date_is_external_and_not_the_2024_render_date() -> None:
    """No year of publication is on the page: the date is Reuters' dateline of the same story
    ("MOSCOW, Jan 10 (Reuters)", Friday 10 January 2014), named in the datacard (§3)."""
    import datetime

    article_id = "2014-01-reuters-lavrov-kerry-brahimi-talks"
    a, text = article(article_id), raw(article_id)
    assert "Tuesday, July 2nd, 2024" in text
    assert set(re.findall(r"\b(?:19|20)[0-9]{2}\b", text)) == {"2011", "2024"}  # neither dates it
    assert a["published"]["basis"] == "external"
    assert a["published"]["date"] == "2014-01-10"
    assert a["published"]["evidence"]["text"] == "reported on Friday"
    assert datetime.date(2014, 1, 10).strftime("%A") == "Friday"  # the record agrees with the page
    card = (ROOT / "datacard.md").read_text(encoding="utf-8")
    assert "news.trust.org/item/20140110153943-txxfy" in card  # the outside record is named
    assert a["source"]["publisher"] is None and a["source"]["publisher_basis"] == "unknown"
    body = [raw(article_id)[s["start"] : s["end"]] for s in a["body"]]
    assert body[0].startswith("Russian Foreign Minister")  # the "MOSCOW - " dateline is not body
    assert body[-1].endswith("U.S. strikes on Syria.")  # nor the closing "(Reuters)" credit
    talks = a["events"][0]
    assert (talks["type"], talks["realis"], talks["date"]) == ("CONSULT", "planned", "2014-01-13")


def test_003_event_dates_take_their_year_from_the_external_date() -> None:
    article_id = "2014-01-reuters-lavrov-kerry-brahimi-talks"
    a = article(article_id)
    dated = [e for e in a["events"] if e["date"]]
    assert not any(re.search(r"[0-9]{4}", e["date_evidence"]["text"]) for e in dated)
    assert {e["id"]: e["date"] for e in dated} == {
        "e1": "2014-01-13",
        "e2": "2014-01-22",
        "e3": "2014-01-13",
        "e4": "2014-01-13",  # "may also meet in Paris", inside the Paris talks "On January 13"
        "e7": "2014-01-10",  # "on Friday", the day of publication
        "e8": "2013-09",  # "in September", before January 2014
    }
    assert event(a, "e4")["date_evidence"]["text"] == "On January 13"


def test_004_caption_is_not_body_and_dates_the_visit() -> None:
    article_id = "2016-06-asharq-alawsat-shoigu-damascus"
    a = article(article_id)
    assert a["published"]["date"] == "2016-06" and a["published"]["basis"] == "inferred"
    assert a["published"]["evidence"]["text"] == "Saturday, June 18, 2016"
    assert a["source"]["publisher"] == "Asharq Al-Awsat"
    assert a["source"]["publisher_basis"] == "stated"
    caption_end = raw(article_id).index("June 18, 2016. AP") + len("June 18, 2016. AP")
    assert all(s["start"] > caption_end for s in a["body"])
    visit = a["events"][0]
    assert (visit["type"], visit["mode"], visit["date"]) == ("CONSULT", "visit", "2016-06-18")
    assert mention_text(a, visit["location"]) == "Damascus"
    # the host named in the trigger's sentence ("visit to Syria"), not Assad from the next (§8.6)
    assert [mention_text(a, m) for m in visit["recipients"]] == ["Syria"]
    # the response Shoigu delivered lies inside the dated visit (§8.7)
    response = event(a, "e5")
    assert (response["type"], response["date"]) == ("REJECT", "2016-06-18")
    assert response["date_evidence"]["text"] == "on Saturday"


def test_dataset_and_guidelines_metadata() -> None:
    with open(CORPUS / "dataset.yaml", encoding="utf-8") as f:
        dataset = yaml.safe_load(f)
    assert dataset["name"] == "russia-syria-diplomacy"
    assert dataset["version"] == "2.0.0"
    assert dataset["license"] == "CC-BY-4.0"
    assert dataset["hub"] == {"repo": "articlepack/russia-syria-diplomacy"}
    guidelines = (CORPUS / "GUIDELINES.md").read_text(encoding="utf-8")
    assert re.search(r"^Version 1\.1\.0$", guidelines[:200], re.MULTILINE)
