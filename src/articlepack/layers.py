"""Which tables are an article's layers, and which nest in which, from ``x-articlepack.rows``.

The document table (``rows: document``) is the root. A table read from a list of article.yaml
(``rows: {list: ..}``) is a layer of the article: its rows join their article by ``article_id``.
A table unnested from another's lists (``rows: {unnest: TABLE, parent: {..}}``) nests in the rows
of TABLE, joined by ``article_id`` and its ``parent`` columns. Registry tables are shared by all
articles and nest nowhere. Nothing here depends on a table's name: a project's own layers nest
as the bundled ones do, which is what the ``documents`` table and the W3C export are made from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from articlepack.errors import SchemaError

if TYPE_CHECKING:
    from articlepack.schema import TableSchema

#: The table that every release derives from the others (:mod:`articlepack.builder.documents`);
#: no schema may take its name.
DOCUMENTS = "documents"
#: The column of every layer row that names its article, and the document table's key.
ARTICLE, KEY = "article_id", "id"


@dataclass(frozen=True)
class Layer:
    """A table whose rows belong to one row of ``parent``."""

    table: str
    parent: str
    keys: tuple[tuple[str, str], ...]  # (column of this table, column of the parent row)

    @property
    def columns(self) -> tuple[str, ...]:
        """This table's columns that only repeat its parent row's key."""
        return tuple(own for own, _ in self.keys)


def layers(schemas: Mapping[str, TableSchema]) -> dict[str, Layer]:
    """Every table that nests in another, in schema order (a parent before its layers)."""
    document = next((n for n, s in schemas.items() if s.source.kind == "document"), None)
    found: dict[str, Layer] = {}
    for name, schema in schemas.items():
        source = schema.source
        if source.kind == "list" and document is not None:
            found[name] = Layer(name, document, ((ARTICLE, KEY),))
        elif source.kind == "unnest" and source.key in {document, *found}:
            parent = source.key or ""
            article = (ARTICLE, KEY if parent == document else ARTICLE)
            found[name] = Layer(name, parent, (article, *source.parent.items()))
    return found


def children(schemas: Mapping[str, TableSchema], parent: str) -> list[str]:
    """The tables whose rows nest in the rows of ``parent``, in schema order."""
    return [n for n, layer in layers(schemas).items() if layer.parent == parent]


def check(schemas: Mapping[str, TableSchema]) -> None:
    """Raise :class:`SchemaError` where the nested view of an article cannot be made: a table
    named ``documents``, or a layer whose name is already a column of the rows it nests in."""
    if DOCUMENTS in schemas:
        raise SchemaError(
            f"schemas/{DOCUMENTS}.schema.yaml: `{DOCUMENTS}` is the table every release derives "
            "from the others (one row per article with its layers nested); name this table "
            "otherwise"
        )
    for name, layer in layers(schemas).items():
        if name in schemas[layer.parent].columns:
            raise SchemaError(
                f"schemas/{name}.schema.yaml: the rows of {name} nest in each row of "
                f"{layer.parent} as its column `{name}`, but {layer.parent} already has a "
                f"column of that name; rename the table or the column"
            )
