"""INCEpTION (and any UIMA tool): CAS XMI and CAS JSON with their TypeSystem, read with cassis.

UIMA counts offsets in UTF-16 code units (Java strings); dkpro-cassis converts them to code
points when it loads a CAS and back when it writes one. An offset that falls inside a character
or outside the text is an error here (cassis only warns and keeps it unconverted).

A source is a CAS file (``.xmi``, ``.json``, or INCEpTION's per-user ``.zip``), or a folder: an
INCEpTION project export (``annotation/<document>/<user>.zip``, ``curation/...``), or any tree
of CAS files. A file in ``annotation/<document>/`` or ``curation/<document>/`` belongs to that
document and is named after its user, the annotator (``INITIAL_CAS``: none); a TypeSystem.xml in
the file's folder or above (or in its zip) describes its types; a CAS JSON carries its own.

What a type is, by its features (no layer name is assumed):

- a type with a link feature (an FSArray of a type with ``role`` and ``target``, INCEpTION's
  slot features) is an event layer: its annotation is the trigger, its links the arguments;
- a type with ``Governor`` and ``Dependent`` is a relation layer (a Link);
- any other annotation type is a span layer: the label is the feature ``value`` (NamedEntity),
  else the type's short name; ``identifier`` is a normalization (a Wikidata IRI becomes
  ``("Wikidata", "Q649")``); ``note`` the note; the other primitive features its attributes (a
  string array gives one binary attribute ``<feature>_<item>`` per item, the array ``flags``
  one per item named by it);
- a document-level type (AnnotationBase: INCEpTION's document metadata layers) gives the
  document's attributes; ``webanno.custom.Metadata`` its metadata.

Sentences, tokens and CAS/document metadata are the tool's infrastructure, not annotations.
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from pathlib import Path
from typing import Any

from cassis import TypeSystem, load_cas_from_json, load_cas_from_xmi, load_typesystem

from articlepack.interchange._inception_write import (
    CAS_SUFFIXES,
    FLAGS,
    INITIAL_CAS,
    METADATA,
    TYPESYSTEM,
    identifier_to_normalization,
    write,
)
from articlepack.interchange.formats import FEATURES
from articlepack.interchange.model import (
    Document,
    Event,
    Link,
    Span,
    ToolFileError,
    Unmapped,
    Value,
)

__all__ = ["CARRIES", "read", "write"]

#: What this format holds (see the core's export report): no discontinuous spans.
CARRIES = FEATURES - {"fragments"}
_LAYOUT = ("annotation", "curation")  # INCEpTION's folders of per-user CASes
_INFRASTRUCTURE = (
    "uima.tcas.DocumentAnnotation",
    "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence",
    "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token",
    "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.TagsetDescription",
    "de.tudarmstadt.ukp.clarin.webanno.api.type.CASMetadata",
)
_PRIMITIVES = {
    f"uima.cas.{name}"
    for name in ("String", "Boolean", "Byte", "Short", "Integer", "Long", "Float", "Double")
}
_SKIP = {"begin", "end", "sofa", "value", "identifier", "note", "Governor", "Dependent"}
_MAX_MEMBER = 512 * 1024 * 1024  # a zip member larger than this is refused (a zip bomb)


def read(source: Path) -> tuple[list[Document], list[Unmapped]]:
    """The documents of the CAS files at ``source``, one per annotator and document."""
    documents: dict[tuple[str, str | None], Document] = {}
    unmapped: list[Unmapped] = []
    for file in _cas_files(source):
        document, lost = _read_file(file, source)
        key = (document.id, document.annotator)
        if key in documents and _comparable(documents[key]) != _comparable(document):
            raise ToolFileError(
                str(file), f"differs from {documents[key].source}, another copy of the same CAS"
            )
        if key not in documents:
            documents[key] = document
            unmapped += lost
    return list(documents.values()), unmapped


def _cas_files(source: Path) -> list[Path]:
    if not source.is_dir():
        return [source]
    layout = [source / name for name in _LAYOUT if (source / name).is_dir()]
    pattern = "*/*" if layout else "**/*"
    return sorted(
        file
        for folder in layout or [source]
        for file in folder.glob(pattern)
        if file.suffix in CAS_SUFFIXES and file.is_file() and not file.name.startswith(".")
    )


def _comparable(document: Document) -> tuple[Any, ...]:
    return (document.text, document.spans, document.links, document.events, document.attributes)


def _read_file(file: Path, root: Path) -> tuple[Document, list[Unmapped]]:
    """One CAS file: its document and what could not be carried over."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ToolFileError(str(file), f"cannot be read ({exc})") from None
    typesystem, suffix = _typesystem_beside(file, root), file.suffix
    if suffix == ".zip":
        data, typesystem, suffix = _unzip(file, data)
    cas, unknown = _load(str(file), data, suffix, typesystem)
    layout = file.parent.parent.name in _LAYOUT
    document_id = file.parent.name if layout else file.stem
    user = file.stem if layout else _cas_user(cas)
    reader = _CasReader(str(file), cas)
    for xmi_id, type_name in unknown:
        reader.report(xmi_id, "unknown-type", f"type {type_name} is not in the TypeSystem")
    document = reader.document(
        document_id.removesuffix(".txt"), None if user == INITIAL_CAS else user
    )
    return document, reader.unmapped


def _typesystem_beside(file: Path, root: Path) -> bytes | None:
    """The TypeSystem.xml in the file's folder or the nearest one above it, up to ``root``."""
    for folder in file.parents:
        if (folder / TYPESYSTEM).is_file():
            return (folder / TYPESYSTEM).read_bytes()
        if folder == root:
            break
    return None


def _unzip(file: Path, data: bytes) -> tuple[bytes, bytes | None, str]:
    """The CAS and the TypeSystem of one of INCEpTION's per-user zips."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {Path(info.filename).name: info for info in archive.infolist()}
        cases = [name for name in members if Path(name).suffix in (".xmi", ".json")]
        if len(cases) != 1:
            raise ToolFileError(str(file), f"expected one CAS (.xmi or .json), found {cases}")
        for name, info in members.items():
            if info.file_size > _MAX_MEMBER:
                raise ToolFileError(str(file), f"{name} would inflate to {info.file_size} bytes")
        typesystem = archive.read(members[TYPESYSTEM]) if TYPESYSTEM in members else None
        return archive.read(members[cases[0]]), typesystem, Path(cases[0]).suffix
    except zipfile.BadZipFile as exc:
        raise ToolFileError(str(file), f"not a zip file ({exc})") from None


def _load(
    file: str, data: bytes, suffix: str, typesystem: bytes | None
) -> tuple[Any, list[tuple[str, str]]]:
    """The CAS, and the (xmi:id, type) of annotations whose type the TypeSystem lacks."""
    if b"<!DOCTYPE" in data:  # XMI never declares entities: refuse expansion and external files
        raise ToolFileError(file, "a DOCTYPE (entity declarations) is not allowed in a CAS")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            types = load_typesystem(io.BytesIO(typesystem)) if typesystem else TypeSystem()
        except SyntaxError as exc:
            raise ToolFileError(
                file, f"its {TYPESYSTEM} is not XML: {exc.msg}", exc.lineno
            ) from None
        try:
            if suffix == ".json":  # it carries its own types (a TypeSystem.xml may differ)
                cas = load_cas_from_json(io.BytesIO(data), lenient=True)
            else:
                cas = load_cas_from_xmi(io.BytesIO(data), typesystem=types, lenient=True)
        except json.JSONDecodeError as exc:
            raise ToolFileError(file, f"not CAS JSON: {exc.msg}", exc.lineno) from None
        except SyntaxError as exc:  # lxml's XMLSyntaxError
            raise ToolFileError(file, f"not XMI: {exc.msg}", exc.lineno) from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ToolFileError(file, f"not a CAS that cassis can read ({exc!r})") from None
    offsets = [w for w in caught if "offset" in str(w.message)]
    if offsets:
        raise ToolFileError(file, f"{offsets[0].message} (UTF-16 offsets outside the text)")
    if any("not found" in str(w.message) for w in caught):
        return cas, _unknown_types(data, cas.typesystem)
    return cas, []


def _unknown_types(data: bytes, typesystem: Any) -> list[tuple[str, str]]:
    """The top-level XMI elements whose type the TypeSystem does not declare."""
    from lxml import etree

    unknown = []
    for element in etree.fromstring(data):
        namespace, _, name = str(element.tag)[1:].partition("}")
        package = namespace.removeprefix("http:///").removesuffix(".ecore").replace("/", ".")
        type_name = f"{package}.{name}"
        if package not in ("uima.cas", "uima.tcas") and not typesystem.contains_type(type_name):
            unknown.append((element.get("{http://www.omg.org/XMI}id", "?"), type_name))
    return unknown


def _cas_user(cas: Any) -> str | None:
    """The user INCEpTION recorded in the CAS (CASMetadata), when the file name does not say."""
    for fs in cas.select_all_fs():
        if fs.type.name == _INFRASTRUCTURE[-1]:
            return str(fs.get("username")) if fs.get("username") else None
    return None


class _CasReader:
    """One CAS as a Document, by what its types' features say they are."""

    def __init__(self, file: str, cas: Any) -> None:
        self.file, self.cas, self.types = file, cas, cas.typesystem
        self.text: str = cas.sofa_string or ""
        self.unmapped: list[Unmapped] = []
        self.slots: dict[str, list[tuple[str, Any]]] = {}  # event id -> (role, target structure)

    def report(self, tool_id: Any, kind: str, reason: str) -> None:
        self.unmapped.append(Unmapped(self.file, str(tool_id), kind, reason))

    def is_a(self, fs: Any, type_name: str) -> bool:
        known = self.types.contains_type(type_name)
        return bool(known and self.types.is_instance_of(fs.type.name, type_name))

    def document(self, document_id: str, annotator: str | None) -> Document:
        spans: list[Span] = []
        events: list[Event] = []
        relations: list[Any] = []
        attributes: dict[str, Value] = {}
        metadata: dict[str, Value] = {}
        for fs in self.cas.select_all_fs():
            if any(self.is_a(fs, name) for name in _INFRASTRUCTURE):
                continue
            if self.is_a(fs, "uima.tcas.Annotation"):
                if self.feature(fs, "Governor") and self.feature(fs, "Dependent"):
                    relations.append(fs)
                    continue
                span, event = self.span(fs)
                spans.append(span)
                events += [event] if event else []
            elif self.is_a(fs, "uima.cas.AnnotationBase"):
                target = metadata if fs.type.name == METADATA else attributes
                target |= self.values(fs)
            else:
                self.report(fs.xmiID, "unsupported-type", f"{fs.type.name} is not an annotation")
        known = {span.id for span in spans}
        events = [self.arguments(event, known) for event in events]
        links = [link for fs in relations if (link := self.link(fs, known))]
        return Document(
            id=document_id,
            text=self.text,
            source=self.file,
            annotator=annotator,
            spans=tuple(spans),
            links=tuple(links),
            events=tuple(events),
            attributes=attributes,
            metadata=metadata,
        )

    def feature(self, fs: Any, name: str) -> Any:
        return fs.type.get_feature(name)

    def label(self, fs: Any) -> str:
        value = fs.get("value") if self.feature(fs, "value") else None
        return str(value) if value is not None else str(fs.type.short_name)

    def span(self, fs: Any) -> tuple[Span, Event | None]:
        begin, end = fs.begin, fs.end
        if not (
            isinstance(begin, int) and isinstance(end, int) and 0 <= begin <= end <= len(self.text)
        ):
            raise ToolFileError(
                self.file, f"annotation {fs.xmiID}: offsets {begin}–{end} lie outside the text"
            )
        identifier = fs.get("identifier") if self.feature(fs, "identifier") else None
        note = fs.get("note") if self.feature(fs, "note") else None
        normalizations = (identifier_to_normalization(str(identifier)),) if identifier else ()
        values = self.values(fs)
        rid, label = str(fs.xmiID), self.label(fs)
        slots = [f for f in fs.type.all_features if self.is_slot(f)]
        if not slots:
            return Span(rid, label, ((begin, end),), values, normalizations, note), None
        links = [
            link for slot in slots for link in getattr(fs.get(slot.name), "elements", None) or ()
        ]
        self.slots[rid] = [(str(link.get("role") or ""), link.get("target")) for link in links]
        span = Span(rid, label, ((begin, end),), {}, normalizations, note)
        return span, Event(rid, label, rid, (), values)  # its arguments once all spans are known

    def is_slot(self, feature: Any) -> bool:
        """A link feature: an FSArray of a type with ``role`` and ``target`` (looked up by
        name: a TypeSystem.xml's element type can be a stub without features)."""
        if feature.rangeType.name != "uima.cas.FSArray" or feature.elementType is None:
            return False
        element = self.types.get_type(feature.elementType.name)
        return bool(element.get_feature("role") and element.get_feature("target"))

    def values(self, fs: Any) -> dict[str, Value]:
        values: dict[str, Value] = {}
        for feature in fs.type.all_features:
            value = fs.get(feature.name)  # cassis renames a feature `type` to `type_`
            name = feature.name.removesuffix("_") if feature._has_reserved_name else feature.name
            if name in _SKIP or value is None or self.is_slot(feature):
                continue
            if feature.rangeType.name in _PRIMITIVES:
                values[name] = value
            elif feature.rangeType.name == "uima.cas.StringArray":
                items = [str(item) for item in value.elements or ()]
                prefix = "" if name == FLAGS else f"{name}_"
                values |= {f"{prefix}{item}": True for item in items}
            else:
                self.report(
                    fs.xmiID,
                    "unsupported-feature",
                    f"feature {name} of {fs.type.name} holds no single value",
                )
        return values

    def arguments(self, event: Event, known: set[str]) -> Event:
        arguments = []
        for role, target in self.slots[event.id]:
            tid = str(getattr(target, "xmiID", None))
            if target is None or tid not in known:
                what = (
                    "an empty slot"
                    if target is None
                    else f"a slot filled with {tid}, not an annotation read here"
                )
                self.report(event.id, "dangling-relation", f"role {role!r}: {what}")
            else:
                arguments.append((role, tid))
        return Event(event.id, event.label, event.trigger, tuple(arguments), event.attributes)

    def link(self, fs: Any, known: set[str]) -> Link | None:
        source, target = (
            str(getattr(fs.get(name), "xmiID", None)) for name in ("Governor", "Dependent")
        )
        missing = [rid for rid in (source, target) if rid not in known]
        if missing:
            self.report(
                fs.xmiID,
                "dangling-relation",
                f"{fs.type.name} to {missing[0]}, not an annotation read here",
            )
            return None
        for name in self.values(fs):
            self.report(fs.xmiID, "unsupported-feature", f"a link carries no attribute ({name})")
        return Link(str(fs.xmiID), self.label(fs), source, target)
