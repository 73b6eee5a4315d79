"""Load a packaged dataset's tables, each file checked against what was packaged.

``articlepack package`` copies this module, unchanged, into every dataset package it makes, as
``<package>/_loader.py``: the package then installs without articlepack and needs nothing but the
standard library and pyarrow. Beside it, ``pin.json`` holds, for every file the loader reads,
its size and sha256, and, for every table, its row count, Arrow schema and ``datasets`` features,
all written by articlepack when the package was made. A file that differs in any of these is
refused with :class:`IntegrityError` before a row is returned, and no read goes past the pinned
size.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FORMATS = ("arrow", "datasets", "pandas", "polars")
PIN = "pin.json"
RELEASE = "release"
_CHUNK = 1 << 20


class IntegrityError(ValueError):
    """A file of the installed dataset differs from the one that was packaged."""


@dataclass(frozen=True)
class Info:
    """What the installed dataset is: name, version, tables with row counts, and its citation."""

    name: str
    version: str
    path: Path
    tables: dict[str, int]
    citation: str
    record_sha256: str  # the sha256 of the release's datapackage.json, as `build` printed it


class Loader:
    """The loader of one installed dataset package (``package`` is its import name)."""

    def __init__(self, package: str, folder: Path) -> None:
        self.package = package
        self.folder = folder

    @cache  # noqa: B019 - one Loader per package, for the life of the process
    def pin(self) -> dict[str, Any]:
        pin = json.loads(self.folder.joinpath(PIN).read_text(encoding="utf-8"))
        if not isinstance(pin, dict) or pin.get("format") != 1:
            raise IntegrityError(f"{self.package}: {PIN} is not a pin file this loader reads")
        return pin

    def path(self) -> Path:
        """The release folder inside the installed package (read-only: the loader checks it)."""
        return self.folder / RELEASE

    def info(self) -> Info:
        """Name, version, tables with row counts, citation and record digest."""
        pin = self.pin()
        citation = pin.get("citation")
        text = self.read(citation).decode("utf-8") if citation else ""
        tables = {name: table["rows"] for name, table in pin["tables"].items()}
        return Info(pin["name"], pin["version"], self.path(), tables, text, pin["record"])

    def load(self, table: str = "articles", format: str = "arrow") -> Any:
        """One table as an Arrow table (the default: it needs no extra), or in ``format``.

        ``format`` is ``arrow``, ``datasets``, ``pandas`` or ``polars``; the last three need the
        package's extra of the same name.
        """
        if format not in FORMATS:
            raise ValueError(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
        tables = self.pin()["tables"]
        if table not in tables:
            raise ValueError(f"unknown table {table!r}; choose one of: {', '.join(tables)}")
        arrow = self._arrow(table, tables[table])
        if format == "arrow":
            return arrow
        if format == "polars":
            return self._extra("polars", "polars").from_arrow(arrow)
        if format == "pandas":
            self._extra("pandas", "pandas")
            return arrow.to_pandas()
        return self._dataset(arrow, tables[table])

    def read(self, name: str) -> bytes:
        """The bytes of release file ``name``, checked against the pin, read no further than it."""
        entry = self.pin()["files"].get(name)
        if entry is None:
            raise IntegrityError(f"{self.package}: {name} is not a file of the packaged release")
        path = self.path().joinpath(*name.split("/"))
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(path, flags)
        except OSError as exc:
            raise IntegrityError(f"{self.package}: cannot read {name}: {exc.strerror}") from None
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise IntegrityError(f"{self.package}: {name} is not a regular file")
            data = handle.read(entry["bytes"] + 1)
        if len(data) != entry["bytes"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise IntegrityError(
                f"{self.package}: {name} differs from the packaged file (size or sha256); "
                "reinstall the package"
            )
        return data

    def _arrow(self, name: str, table: dict[str, Any]) -> Any:
        import pyarrow as pa
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(pa.BufferReader(self.read(table["path"])))
        wanted = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(table["schema"])))
        if not parquet.schema_arrow.equals(wanted) or parquet.metadata.num_rows != table["rows"]:
            raise IntegrityError(
                f"{self.package}: {table['path']} does not hold the {name} table that was packaged"
            )
        return parquet.read()

    def _dataset(self, arrow: Any, table: dict[str, Any]) -> Any:
        datasets = self._extra("datasets", "datasets")
        from datasets.table import InMemoryTable

        # Enums are stored as strings and published as ClassLabel: cast as load_dataset does.
        features = datasets.Features.from_dict(table["features"])
        return datasets.Dataset(InMemoryTable(arrow), split=datasets.Split.TRAIN).cast(features)

    def _extra(self, module: str, extra: str) -> Any:
        import importlib

        try:
            return importlib.import_module(module)
        except ImportError:
            name = self.pin()["name"]
            raise ImportError(
                f'format={extra!r} needs {module}: pip install "{name}[{extra}]"'
            ) from None
