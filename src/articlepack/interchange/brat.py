"""brat standoff: a folder of ``<doc>.txt`` files, each with its ``<doc>.ann``, and the
collection's ``annotation.conf`` and ``visual.conf``.

``.ann`` lines (tab-separated): ``T`` text-bound spans (``T1<TAB>Label 0 5;9 12<TAB>text``, the
fragments' texts joined by a space), ``E`` events (``E1<TAB>Type:T2 Role:T1 Role2:T3``: a
repeated role is numbered from 2), ``R`` relations (``Arg1``, ``Arg2``), ``A``/``M`` attributes
(binary, or with a value), ``N`` normalizations (``Reference T1 Wikidata:Q42``) and ``#`` notes.
Offsets count code points of the ``.txt`` as stored (a CRLF text counts its ``\\r``). A document
in a sub-folder of SOURCE is that sub-folder's annotator's (``alice/doc.ann``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from articlepack.interchange.formats import FEATURES
from articlepack.interchange.model import (
    Document,
    Event,
    Labels,
    Link,
    Span,
    ToolFileError,
    Unmapped,
    Value,
)

CARRIES = FEATURES - {"document_attributes", "metadata"}  # brat annotates spans, nothing else
_FRAGMENT = re.compile(r"(\d+) (\d+)")
_NUMBERED = re.compile(r"(.+?)([2-9]|[1-9][0-9]+)")  # Role2, Role3, ... (brat's repeated roles)
_COLOURS = ("#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69",
            "#fccde5", "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f")  # fmt: skip


def read(source: Path) -> tuple[list[Document], list[Unmapped]]:
    """Every ``.ann`` file of ``source`` (a folder, searched recursively, or one file)."""
    source = Path(source)
    if source.is_file():
        base, files = source.parent, [source.with_suffix(".ann")]
    elif source.is_dir():
        base, files = source, sorted(source.rglob("*.ann"))
    else:
        raise ToolFileError(str(source), "no such file or folder")
    if not files:
        raise ToolFileError(str(source), "holds no brat .ann files")
    roles = _conf_roles(base / "annotation.conf")
    documents, unmapped = [], []
    for ann in files:
        relative = ann.relative_to(base)
        annotator = relative.parts[0] if len(relative.parts) > 1 else None
        text = _decode(ann.with_suffix(".txt"))
        parsed = _Parser(str(ann), text, roles)
        parsed.parse(_decode(ann))
        documents.append(parsed.document(ann.stem, annotator))
        unmapped += parsed.unmapped
    return documents, unmapped


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ToolFileError(str(path), f"cannot read it ({exc.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ToolFileError(str(path), f"byte {exc.start} is not UTF-8", line) from None


def _conf_roles(path: Path) -> set[str]:
    """The event roles ``annotation.conf`` declares (so that ``Actor2`` is read as ``Actor``)."""
    roles: set[str] = set()
    section = ""
    if not path.is_file():
        return roles
    for line in _decode(path).splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif line and section == "events" and len(line.split(None, 1)) == 2:
            for argument in line.split(None, 1)[1].split(","):
                roles.add(argument.split(":", 1)[0].strip().rstrip("?*+"))
    return roles


@dataclass
class _Parser:
    """One ``.ann`` file read into spans, events and links, each line checked."""

    file: str
    text: str
    roles: set[str]
    spans: dict[str, Span] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)
    unmapped: list[Unmapped] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # annotation id -> its line

    def fail(self, line: int, message: str) -> ToolFileError:
        return ToolFileError(self.file, message, line)

    def parse(self, content: str) -> None:
        later: list[tuple[int, str, str]] = []  # lines that refer to others: read once all are
        for number, line in enumerate(content.split("\n"), 1):
            line = line.rstrip("\r")
            if not line.strip():
                continue
            ident, _, rest = line.partition("\t")
            if ident in self.lines:
                raise self.fail(
                    number, f"{ident} is defined twice (also on line {self.lines[ident]})"
                )
            self.lines[ident] = number
            if ident.startswith("T"):
                self.span(number, ident, rest)
            elif ident[:1] in ("E", "R", "A", "M", "N", "#", "*"):
                later.append((number, ident, rest))
            else:
                raise self.fail(
                    number,
                    f"{line[:40]!r} is not a brat annotation line (T, E, R, A, M, N, # or *)",
                )
        for number, ident, rest in sorted(later, key=lambda x: "ERAMN#*".index(x[1][0])):
            self.reference(number, ident, rest)

    def span(self, number: int, ident: str, rest: str) -> None:
        head, tab, written = rest.partition("\t")
        label, _, offsets = head.partition(" ")
        fragments = []
        for piece in offsets.split(";"):
            match = _FRAGMENT.fullmatch(piece.strip())
            if not label or not match or not tab:
                raise self.fail(
                    number, f"{ident} is not `T<n><TAB>Label START END[;START END]<TAB>text`"
                )
            start, end = int(match.group(1)), int(match.group(2))
            if end > len(self.text) or start > end:
                raise self.fail(
                    number,
                    f"{ident}'s offsets {start} {end} lie outside the text "
                    f"({len(self.text)} characters)",
                )
            fragments.append((start, end))
        actual = " ".join(self.text[s:e] for s, e in fragments)
        if _flat(written) != _flat(actual):
            raise self.fail(
                number, f"{ident}'s text {written!r} is not the text at its offsets ({actual!r})"
            )
        self.spans[ident] = Span(ident, label, tuple(fragments))

    def target(self, number: int, ident: str, kinds: str = "TE") -> str:
        """``ident``, an annotation the file defines, of one of ``kinds``."""
        if ident not in self.lines:
            raise self.fail(number, f"it refers to {ident!r}, which the file does not define")
        if ident[:1] not in kinds:
            raise self.fail(number, f"it refers to {ident}, which cannot be an argument here")
        return ident

    def reference(self, number: int, ident: str, rest: str) -> None:
        head, _, tail = rest.partition("\t")
        parts = head.split(" ")
        kind = ident[0]
        if kind == "E":
            label, _, trigger = parts[0].partition(":")
            pairs = [p.partition(":") for p in parts[1:] if p]
            if not label or not trigger or any(not r or not t for r, _, t in pairs):
                raise self.fail(number, f"{ident} is not `E<n><TAB>Type:T<n> Role:ID ...`")
            plain = {r for r, _, _ in pairs}
            args = tuple((self.role(r, plain), self.target(number, t)) for r, _, t in pairs)
            self.events[ident] = Event(ident, label, self.target(number, trigger, "T"), args)
        elif kind == "R":
            ends = [p.partition(":")[2] for p in parts[1:3]]
            if len(parts) != 3 or not all(ends):
                raise self.fail(number, f"{ident} is not `R<n><TAB>Type Arg1:ID Arg2:ID`")
            source, target = (self.target(number, a) for a in ends)
            self.links[ident] = Link(ident, parts[0], source, target)
        elif kind in "AM":
            if len(parts) not in (2, 3):
                raise self.fail(number, f"{ident} is not `A<n><TAB>Name ID [Value]`")
            owner = self.target(number, parts[1], "TER")
            value: Value = parts[2] if len(parts) == 3 else True
            self.attribute(owner, ident, parts[0], value)
        elif kind == "N":
            resource, colon, key = (parts[2] if len(parts) == 3 else "").partition(":")
            if not colon:
                raise self.fail(number, f"{ident} is not `N<n><TAB>Reference ID Resource:Key`")
            owner = self.target(number, parts[1], "TER")
            if owner in self.spans:
                span = self.spans[owner]
                self.spans[owner] = replace(
                    span, normalizations=(*span.normalizations, (resource, key))
                )
            else:
                self.lose(ident, "unmapped-normalization", f"a normalization of {owner}")
        elif kind == "#":
            owner = self.target(number, parts[1] if len(parts) > 1 else "", "TER")
            if owner in self.spans:
                span = self.spans[owner]
                note = tail if span.note is None else f"{span.note}\n{tail}"
                self.spans[owner] = replace(span, note=note)
            else:
                self.lose(ident, "unmapped-note", f"the note {tail!r} on {owner}")
        else:
            self.lose(
                ident,
                "unmapped-label",
                f"the {parts[0]} group {' '.join(parts[1:])} has no place in the scheme",
            )

    def role(self, role: str, plain: set[str]) -> str:
        match = _NUMBERED.fullmatch(role)
        if match and (match.group(1) in self.roles or match.group(1) in plain):
            return match.group(1)
        return role

    def attribute(self, owner: str, ident: str, name: str, value: Value) -> None:
        if owner in self.spans:
            span = self.spans[owner]
            self.spans[owner] = replace(span, attributes={**span.attributes, name: value})
        elif owner in self.events:
            event = self.events[owner]
            self.events[owner] = replace(event, attributes={**event.attributes, name: value})
        else:
            self.lose(ident, "unmapped-attribute", f"the attribute {name} of relation {owner}")

    def lose(self, ident: str, kind: str, reason: str) -> None:
        self.unmapped.append(Unmapped(self.file, ident, kind, reason + " (brat)"))

    def document(self, stem: str, annotator: str | None) -> Document:
        return Document(
            stem,
            self.text,
            self.file,
            annotator,
            tuple(self.spans.values()),
            tuple(self.links.values()),
            tuple(self.events.values()),
        )


def _flat(text: str) -> str:
    """A span's text as a ``.ann`` line can hold it: line breaks as spaces."""
    return text.replace("\r", " ").replace("\n", " ")


# -- writing -----------------------------------------------------------------------------------


def write(documents: list[Document], labels: Labels, out: Path) -> list[Path]:
    """Each document as ``<id>.txt`` and ``<id>.ann`` (in its annotator's sub-folder, if any),
    and the collection's ``annotation.conf`` and ``visual.conf``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for doc in documents:
        folder = out / doc.annotator if doc.annotator else out
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{doc.id}.txt").write_bytes(doc.text.encode("utf-8"))
        (folder / f"{doc.id}.ann").write_text("".join(_ann(doc)), encoding="utf-8", newline="\n")
        paths += [folder / f"{doc.id}.txt", folder / f"{doc.id}.ann"]
    for name, text in (
        ("annotation.conf", _annotation_conf(labels)),
        ("visual.conf", _visual(labels)),
    ):
        (out / name).write_text(text, encoding="utf-8", newline="\n")
        paths.append(out / name)
    return paths


def _ann(doc: Document) -> Iterator[str]:
    spans = {s.id: f"T{n}" for n, s in enumerate(doc.spans, 1)}
    events = {e.id: f"E{n}" for n, e in enumerate(doc.events, 1)}
    ids = {**events, **spans}  # an argument names a span before an event of the same id
    counter = {"A": 0, "N": 0, "#": 0}

    def next_id(kind: str) -> str:
        counter[kind] += 1
        return f"{kind}{counter[kind]}"

    extra: list[str] = []
    for span in doc.spans:
        places = ";".join(f"{s} {e}" for s, e in span.fragments)
        text = _flat(" ".join(doc.text[s:e] for s, e in span.fragments))
        yield f"{spans[span.id]}\t{span.label} {places}\t{text}\n"
        extra += _attributes(spans[span.id], span.attributes, next_id)
        for resource, key in span.normalizations:
            extra.append(f"{next_id('N')}\tReference {spans[span.id]} {resource}:{key}\t{key}\n")
        if span.note is not None:
            extra.append(f"{next_id('#')}\tAnnotatorNotes {spans[span.id]}\t{_flat(span.note)}\n")
    for event in doc.events:
        seen: dict[str, int] = {}
        arguments = []
        for role, target in event.arguments:
            seen[role] = seen.get(role, 0) + 1
            arguments.append(f" {role}{seen[role] if seen[role] > 1 else ''}:{ids[target]}")
        yield f"{events[event.id]}\t{event.label}:{spans[event.trigger]}{''.join(arguments)}\n"
        extra += _attributes(events[event.id], event.attributes, next_id)
    for n, link in enumerate(doc.links, 1):
        yield f"R{n}\t{link.label} Arg1:{ids[link.source]} Arg2:{ids[link.target]}\n"
    yield from extra


def _attributes(
    owner: str, attributes: dict[str, Value], next_id: Callable[[str], str]
) -> list[str]:
    lines = []
    for name, value in attributes.items():
        if value is False:
            continue
        shown = "" if value is True else f" {value}"
        if any(c.isspace() for c in shown[1:]):
            raise ValueError(f"brat attribute values cannot hold spaces: {name} {value!r}")
        lines.append(f"{next_id('A')}\t{name} {owner}{shown}\n")
    return lines


def _annotation_conf(labels: Labels) -> str:
    triggers = set(labels.events)
    lines = ["# written by articlepack export", "[entities]"]
    lines += [label for label in labels.spans if label not in triggers]
    lines += ["", "[relations]", "<OVERLAP>\tArg1:<ANY>, Arg2:<ANY>, <OVL-TYPE>:<ANY>"]
    lines += [f"{label}\tArg1:<ENTITY>, Arg2:<ENTITY>" for label in labels.links]
    lines += ["", "[events]"]
    for label, roles in labels.events.items():
        lines.append(f"{label}\t" + ", ".join(f"{role}*:<ENTITY>" for role in roles))
    lines += ["", "[attributes]"]
    for name, values in labels.attributes.items():
        owners = "|".join(labels.attribute_labels.get(name, ())) or "<ANY>"
        lines.append(f"{name}\tArg:{owners}" + (f", Value:{'|'.join(values)}" if values else ""))
    return "\n".join(lines) + "\n"


def _visual(labels: Labels) -> str:
    lines = ["# written by articlepack export", "[labels]"]
    names = [*labels.spans, *labels.events, *labels.links]
    lines += [f"{label} | {label}" for label in dict.fromkeys(names)]
    lines += [
        "",
        "[drawing]",
        "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
        "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5",
        "ATTRIBUTE_DEFAULT\tglyph:*",
    ]
    for n, label in enumerate(dict.fromkeys([*labels.spans, *labels.events])):
        lines.append(f"{label}\tbgColor:{_COLOURS[n % len(_COLOURS)]}")
    return "\n".join(lines) + "\n"
