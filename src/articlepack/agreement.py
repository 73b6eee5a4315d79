"""Inter-annotator agreement per layer, from each annotator's own version (corpus/annotations/).

What is compared comes from the schemas alone: the layers (:func:`articlepack.annotators.layers`),
their span columns (``x-articlepack.spans``), their label columns (string fields with an ``enum``
constraint, array fields whose ``array_items`` have one) and their references (foreign keys to
another layer or to the registry, and the tables that unnest a layer's lists).

Every measure is pairwise: for each article and each pair of its annotators, then summed over all
of them (micro-averaged). docs/agreement.md defines each measure:

- span F1, exact and overlapping, per span column: ``2·matched / (spans of A + spans of B)``;
- Krippendorff's alpha (nominal, by the ``krippendorff`` library) per label column, over the
  annotations paired by their anchor span (the layer's first span column);
- reference agreement: of paired annotations, the F1 of what they point at, A's targets mapped
  to B's ids through the pairing of the layer they point into.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any, Literal

from articlepack.annotators import Annotations, annotator_of, layers
from articlepack.schema import Span, TableSchema, table_of

if TYPE_CHECKING:
    import polars as pl

Kind = Literal["span-f1-exact", "span-f1-overlap", "alpha", "reference"]
SPAN_KINDS: tuple[Kind, Kind] = ("span-f1-exact", "span-f1-overlap")
Row = dict[str, Any]
Rows = dict[tuple[str, str], list[Row]]  # a table's rows by (article id, annotator)
Tally = dict[tuple[str, Kind, str], list[int]]  # (layer, kind, field) -> [agreed, total]
Units = dict[tuple[str, str], list[tuple[str, str, str, str]]]  # (layer, label) -> units


@dataclass(frozen=True)
class Reference:
    """Values that point at other annotations (mapped between annotators) or at the registry."""

    name: str  # as reported: the column, or the table that unnests a layer's lists
    table: str  # the table that holds the values
    column: str
    target: str  # the table pointed at
    role: str | None = None  # the unnesting table's role column
    parent: Mapping[str, str] = field(default_factory=dict)  # unnesting: column <- layer column
    shared: bool = False  # registry ids, the same for every annotator


@dataclass(frozen=True)
class Layer:
    """One layer's measurable parts, as its schema declares them."""

    name: str
    spans: tuple[Span, ...]
    labels: tuple[str, ...]
    references: tuple[Reference, ...]


def scheme(schemas: Mapping[str, TableSchema]) -> list[Layer]:
    """The layers of the schemas, each with its spans, labels and references."""
    registry = table_of(schemas, "registry")
    own = layers(dict(schemas))
    out = []
    for name in own:
        schema = schemas[name]
        labels = tuple(
            f["name"]
            for f in schema.fields
            if (f.get("type", "string") == "string" and f.get("constraints", {}).get("enum"))
            or (f.get("type") == "array" and schema.item(f["name"]).get("enum"))
        )
        refs = [
            Reference(fk.fields[-1], name, fk.fields[-1], fk.resource, shared=True)
            for fk in schema.foreign_keys
            if fk.resource == registry
        ]
        refs += [
            Reference(fk.fields[-1], name, fk.fields[-1], fk.resource)
            for fk in schema.foreign_keys
            if fk.resource in own and fk.fields[0] == "article_id" and len(fk.fields) == 2
        ]
        for other, unnest in schemas.items():
            source = unnest.source
            if source.kind != "unnest" or source.key != name:
                continue
            refs += [
                Reference(
                    other,
                    other,
                    source.value or "",
                    fk.resource,
                    role=source.role,
                    parent=source.parent,
                    shared=fk.resource == registry,
                )
                for fk in unnest.foreign_keys
                if fk.fields[-1] == source.value and (fk.resource in own or fk.resource == registry)
            ]
        out.append(Layer(name, tuple(schema.spans), labels, tuple(refs)))
    return out


@dataclass(frozen=True)
class Measure:
    """One number: ``agreed`` of ``total`` and the value they give (see docs/agreement.md).

    Span F1: matched spans of ``total`` spans (both annotators'), ``value = 2·agreed/total``.
    Alpha: paired annotations with equal labels of ``total`` pairs with a label on both sides,
    ``value`` Krippendorff's alpha. Reference: shared targets of ``total`` targets (both sides'),
    ``value = 2·agreed/total``. ``value`` is None when undefined, and ``note`` says why.
    """

    layer: str
    kind: Kind
    field: str
    value: float | None
    agreed: int
    total: int
    note: str = ""


#: How each kind of measure is named for people.
KIND_LABELS: dict[Kind, str] = {
    "span-f1-exact": "span F1, exact",
    "span-f1-overlap": "span F1, overlapping",
    "alpha": "Krippendorff's alpha",
    "reference": "references",
}


def basis(m: Measure) -> str:
    """What a measure's value rests on, in words."""
    if not m.total:
        return m.note
    if m.kind == "alpha":
        said = f"{m.agreed} of {m.total} paired annotations agree"
    elif m.kind == "reference":
        said = f"{m.agreed} shared of {m.total} references"
    else:
        said = f"{m.agreed} matched of {m.total} spans"
    return f"{said}; {m.note}" if m.note else said


@dataclass(frozen=True)
class Agreement:
    """The agreement of a project's annotators."""

    annotators: tuple[str, ...]
    versions: dict[str, int]  # article id -> annotators' versions of it
    comparisons: int  # (article, pair of its annotators) compared
    measures: tuple[Measure, ...]

    @property
    def articles(self) -> int:
        """Articles with at least two versions, the ones compared."""
        return sum(n > 1 for n in self.versions.values())

    def describe(self) -> str:
        """The agreement in prose, for the card and Croissant's ``rai:dataAnnotationAnalysis``
        (annotators are counted, never named: their folder names may be e-mail addresses)."""
        if not self.articles:
            return (
                "No inter-annotator agreement: corpus/annotations/ holds one annotator's version "
                f"of each article it covers (articles: {len(self.versions)}), so no article has "
                "two to compare."
            )
        said = [f"{self.lead()}."]
        for layer in dict.fromkeys(m.layer for m in self.measures):
            mine = [m for m in self.measures if m.layer == layer and m.total]
            spans = [m for m in mine if m.kind in SPAN_KINDS]  # each field's exact, overlapping
            pairs = zip(spans[::2], spans[1::2], strict=True)
            shown = ", ".join(f"{e.field} {_value(e)}/{_value(o)}" for e, o in pairs)
            parts = [f"span F1 (exact/overlapping): {shown}"] if spans else []
            for kind, label in (
                ("alpha", "Krippendorff's alpha (nominal)"),
                ("reference", "references"),
            ):
                given = [f"{m.field} {_value(m)}" for m in mine if m.kind == kind]
                parts += [f"{label}: {', '.join(given)}"] if given else []
            said += [f"{layer}: {'; '.join(parts)}."] if parts else []
        return " ".join(said)

    def lead(self) -> str:
        """What the numbers are, in a sentence without its full stop."""
        return (
            "Inter-annotator agreement of the annotators' own versions of articles (kept in "
            "corpus/annotations/ for agreement only; the release publishes one adjudicated "
            "version of each article), pairwise and micro-averaged (annotators: "
            f"{len(self.annotators)}, articles compared: {self.articles}, comparisons: "
            f"{self.comparisons}; measured by `articlepack agreement`, whose docs/agreement.md "
            "defines the measures)"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "annotators": len(self.annotators),
            "articles": self.articles,
            "comparisons": self.comparisons,
            "versions": dict(sorted(Counter(self.versions.values()).items())),
            "measures": [asdict(m) for m in self.measures],
        }


def measure(annotations: Annotations, schemas: Mapping[str, TableSchema]) -> Agreement:
    """Every measure of every layer, over every pair of annotators of every article."""
    parts = scheme(schemas)
    rows = {name: _grouped(table) for name, table in annotations.tables.items()}
    tally: Tally = defaultdict(lambda: [0, 0])
    units: Units = defaultdict(list)
    comparisons = 0
    for article, who in sorted(annotations.versions.items()):
        for a, b in combinations(who, 2):
            comparisons += 1
            pairs = {
                layer.name: _pair_rows(rows[layer.name], (article, a, b), layer) for layer in parts
            }
            ids = {
                name: {str(x.get("id")): str(y.get("id")) for x, y in found}
                for name, found in pairs.items()
            }
            for layer in parts:
                _compare(layer, rows, pairs[layer.name], ids, (article, a, b), tally, units)
    out = []
    for layer in parts:
        for span in layer.spans:
            out += [_f1(layer.name, kind, span.text, tally) for kind in SPAN_KINDS]
        for label in layer.labels:
            out.append(_alpha(layer.name, label, units[(layer.name, label)], annotations))
        for ref in layer.references:
            out.append(_f1(layer.name, "reference", ref.name, tally))
    versions = {a: len(n) for a, n in annotations.versions.items()}
    return Agreement(annotations.annotators, versions, comparisons, tuple(out))


def _grouped(table: pl.DataFrame) -> Rows:
    """A table's rows by (article id, annotator)."""
    out: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in table.iter_rows(named=True):
        out[(row["article_id"], annotator_of(row["_file"]))].append(row)
    return out


def _compare(
    layer: Layer,
    rows: dict[str, Rows],
    pairs: list[tuple[Row, Row]],
    ids: dict[str, dict[str, str]],
    where: tuple[str, str, str],
    tally: Tally,
    units: Units,
) -> None:
    """Add one article's comparison of two annotators in one layer to the sums: its spans,
    and the labels and references of its ``pairs`` (``ids``: each layer's pairing of ids)."""
    article, a, b = where
    mine, theirs = rows[layer.name].get((article, a), []), rows[layer.name].get((article, b), [])
    for span in layer.spans:
        spans = [_span(r, span) for r in mine], [_span(r, span) for r in theirs]
        found = pair(*spans)
        exact = sum(spans[0][i] == spans[1][j] for i, j in found)
        size = sum(s is not None for s in (*spans[0], *spans[1]))
        for kind, n in zip(SPAN_KINDS, (exact, len(found)), strict=True):
            counts = tally[(layer.name, kind, span.text)]
            counts[0] += n
            counts[1] += size
    for ra, rb in pairs:
        for label in layer.labels:
            va, vb = _label(ra.get(label)), _label(rb.get(label))
            if va is not None and vb is not None:
                units[(layer.name, label)].append((a, b, va, vb))
        for ref in layer.references:
            known = {} if ref.shared else ids.get(ref.target, {})
            mapped = {
                (role, ident if ref.shared else known.get(ident, f"\x00unpaired {ident}"))
                for role, ident in _targets(ref, ra, rows[ref.table].get((article, a), []))
            }
            given = _targets(ref, rb, rows[ref.table].get((article, b), []))
            counts = tally[(layer.name, "reference", ref.name)]
            counts[0] += len(mapped & given)
            counts[1] += len(mapped) + len(given)


def pair(a: list[tuple[int, int] | None], b: list[tuple[int, int] | None]) -> list[tuple[int, int]]:
    """Pair spans of two annotators one to one, as indexes into ``a`` and ``b``: equal spans
    first (in order), then spans that share a character, the largest overlap first (ties: the
    earlier span of ``a``, then of ``b``). A None (no span) is never paired."""
    out, used_a, used_b = [], set(), set()
    where: dict[tuple[int, int], list[int]] = defaultdict(list)
    for j, s in enumerate(b):
        if s is not None:
            where[s].append(j)
    for i, s in enumerate(a):
        if s is not None and where.get(s):
            j = where[s].pop(0)
            out.append((i, j))
            used_a.add(i)
            used_b.add(j)
    overlaps = sorted(
        (-(min(sa[1], sb[1]) - max(sa[0], sb[0])), sa[0], sb[0], i, j)
        for i, sa in enumerate(a)
        if sa is not None and i not in used_a
        for j, sb in enumerate(b)
        if sb is not None and j not in used_b and sa[0] < sb[1] and sb[0] < sa[1]
    )
    for _, _, _, i, j in overlaps:
        if i not in used_a and j not in used_b:
            out.append((i, j))
            used_a.add(i)
            used_b.add(j)
    return out


def _span(row: Row, span: Span) -> tuple[int, int] | None:
    start, end = row.get(span.raw_start), row.get(span.raw_end)
    return None if start is None or end is None else (int(start), int(end))


def _pair_rows(by: Rows, where: tuple[str, str, str], layer: Layer) -> list[tuple[Row, Row]]:
    """The annotations of two annotators of an article paired by their anchor, the layer's
    first span."""
    article, a, b = where
    mine, theirs = by.get((article, a), []), by.get((article, b), [])
    if not layer.spans:
        return []
    anchor = layer.spans[0]
    found = pair([_span(r, anchor) for r in mine], [_span(r, anchor) for r in theirs])
    return [(mine[i], theirs[j]) for i, j in found]


def _label(value: Any) -> str | None:
    """A label as one nominal value: a list of labels is the set of them (empty: no label)."""
    if isinstance(value, list):
        return "|".join(sorted(set(map(str, value)))) or None
    return None if value is None else str(value)


def _targets(ref: Reference, row: Row, table: list[Row]) -> set[tuple[str | None, str]]:
    """What one annotation points at through ``ref``: (role or None, id) pairs. ``table`` is the
    unnesting table's rows of the same article and annotator."""
    if ref.role is None:
        value = row.get(ref.column)
        return set() if value is None else {(None, str(value))}
    key = tuple(row.get(parent) for parent in ref.parent.values())
    return {
        (str(r[ref.role]), str(r[ref.column]))
        for r in table
        if r[ref.column] is not None and tuple(r.get(c) for c in ref.parent) == key
    }


def _value(m: Measure) -> str:
    return "undefined (one value only)" if m.value is None else f"{m.value:.3f}"


def _f1(layer: str, kind: Kind, name: str, tally: Tally) -> Measure:
    agreed, total = tally.get((layer, kind, name), [0, 0])
    if not total:
        return Measure(layer, kind, name, None, 0, 0, "nothing to compare")
    return Measure(layer, kind, name, 2 * agreed / total, agreed, total)


def _alpha(
    layer: str,
    label: str,
    units: list[tuple[str, str, str, str]],
    annotations: Annotations,
) -> Measure:
    """Krippendorff's alpha (nominal): each pair of annotations is a unit coded by its two
    annotators; a label missing on either side leaves the pair out."""
    agreed = sum(va == vb for _, _, va, vb in units)
    if not units:
        return Measure(layer, "alpha", label, None, 0, 0, "no paired annotations with this label")
    domain = sorted({v for _, _, va, vb in units for v in (va, vb)})
    if len(domain) == 1:
        return Measure(
            layer, "alpha", label, None, agreed, len(units), "one value only: alpha is undefined"
        )
    return Measure(
        layer,
        "alpha",
        label,
        _krippendorff(units, domain, annotations.annotators),
        agreed,
        len(units),
    )


def _krippendorff(
    units: list[tuple[str, str, str, str]], domain: list[str], annotators: tuple[str, ...]
) -> float:
    import krippendorff
    import numpy as np

    code = {v: float(i) for i, v in enumerate(domain)}
    row = {a: i for i, a in enumerate(annotators)}
    data = np.full((len(annotators), len(units)), np.nan)
    for k, (a, b, va, vb) in enumerate(units):
        data[row[a], k], data[row[b], k] = code[va], code[vb]
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
