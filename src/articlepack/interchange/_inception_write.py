"""The CASes and the TypeSystem that :func:`articlepack.interchange.inception.write` writes.

Spans become DKPro Core ``NamedEntity`` annotations (``value`` the label, ``identifier`` the
normalization: INCEpTION links it to a knowledge base such as Wikidata), events
``webanno.custom.Event`` annotations over their trigger with a slot feature ``arguments`` (links
of ``role`` and ``target``), links ``webanno.custom.Relation`` (``Governor``, ``Dependent``,
``value``), document attributes and metadata the document-level ``webanno.custom.Document`` and
``webanno.custom.Metadata``. Each attribute is a feature, typed by its values.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cassis import Cas, TypeSystem

from articlepack.interchange.model import Document, Event, Labels, Span, Value

TYPESYSTEM, INITIAL_CAS, FLAGS = "TypeSystem.xml", "INITIAL_CAS", "flags"
CAS_SUFFIXES = (".xmi", ".json", ".zip")
NAMED_ENTITY = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
EVENT, ARGUMENT = "webanno.custom.Event", "webanno.custom.EventArgumentsLink"
RELATION, DOCUMENT, METADATA = (
    "webanno.custom.Relation",
    "webanno.custom.Document",
    "webanno.custom.Metadata",
)
WIKIDATA = "http://www.wikidata.org/entity/"
_RESERVED = {
    "begin",
    "end",
    "sofa",
    "value",
    "identifier",
    "note",
    "arguments",
    "flags",
    "Governor",
    "Dependent",
    "type",
    "self",
}


def identifier_to_normalization(identifier: str) -> tuple[str, str]:
    """A knowledge-base identifier as (resource, id): a Wikidata IRI is ("Wikidata", "Q649")."""
    if identifier.startswith(WIKIDATA):
        return "Wikidata", identifier.removeprefix(WIKIDATA)
    resource, colon, local = identifier.partition(":")
    if colon and not local.startswith("//"):
        return resource, local
    return "IRI", identifier


def normalization_to_identifier(resource: str, local: str) -> str:
    if resource == "Wikidata":
        return WIKIDATA + local
    return local if resource == "IRI" else f"{resource}:{local}"


def write(documents: list[Document], labels: Labels, out: Path) -> list[Path]:
    """``TypeSystem.xml`` and ``annotation/<document>/<annotator>.xmi`` and ``.json`` in ``out``
    (INCEpTION's export layout; ``INITIAL_CAS`` for a document without annotator)."""
    for document in documents:
        for name in (document.id, document.annotator or INITIAL_CAS):
            if not name or name.startswith(".") or "/" in name or "\\" in name:
                raise ValueError(f"{name!r} cannot name a file (document {document.id})")
    typesystem = _typesystem(documents, labels)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / TYPESYSTEM]
    typesystem.to_xml(written[0])
    for document in documents:
        cas = _cas(document, typesystem)
        folder = out / "annotation" / document.id
        folder.mkdir(parents=True, exist_ok=True)
        user = document.annotator or INITIAL_CAS
        written += [folder / f"{user}.xmi", folder / f"{user}.json"]
        cas.to_xmi(written[-2], pretty_print=True)
        cas.to_json(written[-1], pretty_print=True)
    return written


def _typesystem(documents: list[Document], labels: Labels) -> Any:
    events = [event for document in documents for event in document.events]
    triggers = {event.trigger for event in events}
    spans = [s for d in documents for s in d.spans if s.id not in triggers]

    def declared(owners: Iterable[str]) -> list[tuple[str, Value]]:
        return [
            (name, "")
            for name, labelled in labels.attribute_labels.items()
            if labels.attributes.get(name) != () and set(labelled) & set(owners)
        ]

    def used(owners: Iterable[Span | Event | Document]) -> list[tuple[str, Value]]:
        return [
            (name, value)
            for owner in owners
            for name, value in owner.attributes.items()
            if not isinstance(value, bool)  # binary: an item of `flags`
        ]

    document = [n for n, v in labels.attributes.items() if n not in labels.attribute_labels and v]
    features = {
        NAMED_ENTITY: [*declared(labels.spans), *used(spans)],
        EVENT: [*declared(labels.events), *used(events)],
        DOCUMENT: [*((name, "") for name in document), *used(documents)],
        METADATA: [(n, v) for d in documents for n, v in d.metadata.items()],
    }
    types = TypeSystem()
    argument = types.create_type(ARGUMENT, supertypeName="uima.cas.TOP")
    types.create_feature(argument, "role", "uima.cas.String")
    types.create_feature(argument, "target", "uima.tcas.Annotation")
    for name, supertype in (
        (NAMED_ENTITY, "uima.tcas.Annotation"),
        (EVENT, "uima.tcas.Annotation"),
        (RELATION, "uima.tcas.Annotation"),
        (DOCUMENT, "uima.cas.AnnotationBase"),
        (METADATA, "uima.cas.AnnotationBase"),
    ):
        created = types.create_type(name, supertypeName=supertype)
        if name in (NAMED_ENTITY, EVENT, RELATION):
            types.create_feature(created, "value", "uima.cas.String")
        if name in (NAMED_ENTITY, EVENT):
            types.create_feature(created, "identifier", "uima.cas.String")
            types.create_feature(created, "note", "uima.cas.String")
        if name in (NAMED_ENTITY, EVENT, DOCUMENT):
            types.create_feature(created, FLAGS, "uima.cas.StringArray")
        for feature, values in _by_name(features.get(name, [])).items():
            types.create_feature(created, feature, _range(values))
    types.create_feature(EVENT, "arguments", "uima.cas.FSArray", elementType=argument)
    for end in ("Governor", "Dependent"):
        types.create_feature(RELATION, end, "uima.tcas.Annotation")
    return types


def _by_name(pairs: Iterable[tuple[str, Value]]) -> dict[str, list[Value]]:
    """The values of each attribute; its name checked to be a feature name that is free."""
    values: dict[str, list[Value]] = {}
    for name, value in pairs:
        if not name.isidentifier() or name in _RESERVED:
            raise ValueError(f"attribute {name!r} cannot be a UIMA feature name")
        values.setdefault(name, []).append(value)
    return values


def _range(values: list[Value]) -> str:
    """The UIMA type that holds every value (declared-only attributes, "", are strings)."""
    used = [value for value in values if value != ""]
    if used and all(isinstance(value, bool) for value in used):
        return "uima.cas.Boolean"
    if used and all(isinstance(value, int) and not isinstance(value, bool) for value in used):
        return "uima.cas.Long"
    if used and all(
        isinstance(value, int | float) and not isinstance(value, bool) for value in used
    ):
        return "uima.cas.Double"
    return "uima.cas.String"


def _cas(document: Document, types: Any) -> Any:
    cas = Cas(typesystem=types)
    cas.sofa_string = document.text
    named_entity, event_type, relation = (
        types.get_type(n) for n in (NAMED_ENTITY, EVENT, RELATION)
    )
    spans = {span.id: span for span in document.spans}
    triggers = {event.trigger for event in document.events}
    annotations: dict[str, Any] = {}

    def annotate(
        kind: Any, span: Span, label: str, attributes: dict[str, Value], fragments: int
    ) -> Any:
        features = _features(kind, attributes)
        identifier = next((normalization_to_identifier(r, i) for r, i in span.normalizations), None)
        first = kind(
            begin=span.fragments[0][0],
            end=span.fragments[0][1],
            value=label,
            note=span.note,
            identifier=identifier,
            **features,
        )
        cas.add(first)
        for start, end in span.fragments[1:fragments]:
            cas.add(kind(begin=start, end=end, value=label))
        return first

    for span in document.spans:
        if span.id not in triggers:
            annotations[span.id] = annotate(
                named_entity, span, span.label, span.attributes, len(span.fragments)
            )
    for event in document.events:
        annotations[event.id] = annotate(
            event_type, spans[event.trigger], event.label, event.attributes, 1
        )
        annotations.setdefault(event.trigger, annotations[event.id])
    argument, array = types.get_type(ARGUMENT), types.get_type("uima.cas.FSArray")
    for event in (event for event in document.events if event.arguments):
        # no empty FSArray: cassis 0.12 writes one to JSON without elements, then cannot read it
        links = [
            argument(role=role, target=annotations[target]) for role, target in event.arguments
        ]
        annotations[event.id].arguments = array(elements=links)
    for link in document.links:
        dependent = annotations[link.target]
        cas.add(
            relation(
                begin=dependent.begin,
                end=dependent.end,
                value=link.label,
                Governor=annotations[link.source],
                Dependent=dependent,
            )
        )
    if document.attributes:
        cas.add(
            types.get_type(DOCUMENT)(**_features(types.get_type(DOCUMENT), document.attributes))
        )
    if document.metadata:
        metadata = types.get_type(METADATA)
        cas.add(metadata(**_features(metadata, document.metadata, flags=False)))
    return cas


def _features(kind: Any, values: dict[str, Value], *, flags: bool = True) -> dict[str, Any]:
    """``values`` as the features of ``kind`` hold them: the binary ones (True) as the items of
    ``flags``, in order; a value of a feature that took several types as text."""
    features: dict[str, Any] = {}
    for name, value in values.items():
        if flags and isinstance(value, bool):
            continue
        string = kind.get_feature(name).rangeType.name == "uima.cas.String"
        features[name] = str(value) if string and not isinstance(value, str) else value
    binary = [name for name, value in values.items() if value is True]
    if flags and binary:  # no empty array: see the FSArray above
        features[FLAGS] = kind.typesystem.get_type("uima.cas.StringArray")(elements=binary)
    return features
