"""What every artifact of a release is made from: the dataset's metadata, its files and its time."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from articlepack.builder.parquet import DataFile
from articlepack.schema import TableSchema


@dataclass(frozen=True)
class Release:
    """A release being written: metadata, schemas, data files, counts and the build time."""

    dataset: dict[str, Any]
    schemas: dict[str, TableSchema]
    files: list[DataFile]
    rows: dict[str, int]
    created: datetime
    facts: dict[str, Any] = field(default_factory=dict)  # counts and lists the card and RAI report

    @property
    def name(self) -> str:
        return str(self.dataset["name"])

    @property
    def version(self) -> str:
        return str(self.dataset["version"])

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"

    @property
    def title(self) -> str:
        return str(self.dataset.get("title") or self.name)

    @property
    def license(self) -> str:
        return str(self.dataset.get("license") or "unknown")

    @property
    def hub_repo(self) -> str | None:
        hub = self.dataset.get("hub") or {}
        return hub.get("repo") if isinstance(hub, dict) else None

    def data_file(self, table: str) -> DataFile:
        """The Parquet file of ``table``."""
        return next(f for f in self.files if f.table == table)

    @property
    def contributors(self) -> list[dict[str, Any]]:
        return [c for c in self.dataset.get("contributors") or [] if isinstance(c, dict)]


def creators(dataset: dict[str, Any]) -> list[dict[str, Any]]:
    """The contributors whose roles hold ``creator``: the authors wherever the dataset is cited."""
    return [
        c
        for c in dataset.get("contributors") or []
        if isinstance(c, dict) and "creator" in (c.get("roles") or [])
    ]


def build_time(project: Path) -> datetime:
    """SOURCE_DATE_EPOCH, else the project's last commit time, else the newest corpus file's mtime.

    Never the wall clock, so that rebuilding the same corpus gives the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    sources = ["corpus", "schemas", "datacard.md"]
    schemas = (project / "schemas").resolve()
    if schemas.is_relative_to(project.resolve()):
        sources.append(schemas.relative_to(project.resolve()).as_posix())
    try:
        done = subprocess.run(
            ["git", "-C", str(project), "log", "-1", "--format=%ct", "--", *sources],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if done.returncode == 0 and done.stdout.strip().isdigit():
            return datetime.fromtimestamp(int(done.stdout.strip()), UTC)
    except (OSError, subprocess.SubprocessError):
        pass
    newest = max(
        (p.stat().st_mtime for p in (project / "corpus").rglob("*") if p.is_file()), default=0
    )
    return datetime.fromtimestamp(int(newest), UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
