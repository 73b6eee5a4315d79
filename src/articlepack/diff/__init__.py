"""Changes between two versions of a dataset, and the SemVer bump they require.

Each side of a diff is a release folder (``datapackage.json`` + Parquet), a dataset project folder,
or a git revision of a project (a tag such as ``v1.0.0``, ``HEAD``, a commit); projects are read
and validated, and their published tables are computed in memory (no release is written).

The bump follows the Data Package version recipe (https://datapackage.org/recipes/data-package-version/):

- **major**: a table or field removed, renamed or retyped (type or format); a constraint tightened
  (``required``/``unique`` added, enum values removed, a higher minimum or lower maximum, a pattern
  added or changed, a foreign key added, the primary key changed); a required field added; fields
  re-ordered; enum values inserted before existing ones in a Hugging Face ``ClassLabel`` column
  (their integer codes shift); rows removed from ``articles`` or from a table that another table's
  foreign key refers to (``entities``, ``mentions``, ``events``); the dataset renamed.
- **minor**: a table or optional field added; a constraint loosened; rows added (articles,
  annotations, entities).
- **patch**: rows changed (corrected annotations or article metadata); rows removed from a table
  nothing refers to (``quotes``, ``event_arguments``, ``segments``: a correction); descriptions,
  titles and dataset metadata (title, description, licence, keywords, homepage) changed.

Not compared: GUIDELINES.md, datacard.md, waivers, and dataset.yaml's contributors and
text_rights (nothing of them reaches the published tables).

One module a concept, in the order the data flows: :mod:`~articlepack.diff.git` (revisions and
tags), :mod:`~articlepack.diff.sides` (each side read into a snapshot),
:mod:`~articlepack.diff.schema_rules` and :mod:`~articlepack.diff.rows` (what changed),
:mod:`~articlepack.diff.result` (the :class:`Diff`), then its uses: :mod:`~articlepack.diff.gate`
(the version gate, ``bump``), :mod:`~articlepack.diff.changelog_md` and
:mod:`~articlepack.diff.render`. Import from here. No module is named after a function that this
package re-exports (``compare``, ``changelog``): the function would shadow the module.
"""

from __future__ import annotations

from articlepack.diff.changelog_md import (
    CHANGELOG,
    CHANGELOG_HEADER,
    Logged,
    add_entry,
    changelog,
    changelog_entry,
    today,
)
from articlepack.diff.gate import (
    DATASET,
    Bumped,
    Gate,
    bump,
    set_version,
    version_gate,
    version_line,
)
from articlepack.diff.git import latest_tag, tags
from articlepack.diff.render import print_diff, print_gate
from articlepack.diff.result import Diff, compare, diff
from articlepack.diff.rows import TableChanges
from articlepack.diff.schema_rules import Change
from articlepack.diff.sides import (
    Field,
    Side,
    Snapshot,
    Table,
    load,
    read_project,
    read_release,
    read_revision,
    snapshot,
)
from articlepack.errors import DiffError, VersionTooLow
from articlepack.versions import BUMPS, Bump, required_version

__all__ = [
    "BUMPS",
    "CHANGELOG",
    "CHANGELOG_HEADER",
    "DATASET",
    "Bump",
    "Bumped",
    "Change",
    "Diff",
    "DiffError",
    "Field",
    "Gate",
    "Logged",
    "Side",
    "Snapshot",
    "Table",
    "TableChanges",
    "VersionTooLow",
    "add_entry",
    "bump",
    "changelog",
    "changelog_entry",
    "compare",
    "diff",
    "latest_tag",
    "load",
    "print_diff",
    "print_gate",
    "read_project",
    "read_release",
    "read_revision",
    "required_version",
    "set_version",
    "snapshot",
    "tags",
    "today",
    "version_gate",
    "version_line",
]
