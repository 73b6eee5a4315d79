"""``articlepack.validate``: a project's report, from the cache while nothing it read has changed.

Apart from :mod:`~articlepack.checks` so that a warm run, answered by
:mod:`~articlepack._verdict`, imports neither the checks nor the reader, nor polars and pandera
(a third of a second of a run that otherwise takes a tenth).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from articlepack import _verdict

if TYPE_CHECKING:
    from articlepack.report import Report


def validate(path: Path | str, *, engine: str = "local", address: str | None = None) -> Report:
    """Read and validate the dataset project at ``path``.

    ``engine`` does the per-article work: ``"local"`` (this machine's cores) or ``"dask"`` (the
    cluster at ``address``, else one started for the call); the report is the same on both
    (:mod:`articlepack.engine`). Raises :class:`articlepack.errors.ProjectError` when ``path`` is
    not a project at all, and :class:`articlepack.errors.EngineError`. While nothing it reads has
    changed, the last local report is given again (:mod:`~articlepack._verdict`).
    """
    if engine != "local" or address is not None:
        from articlepack import engine as engines

        return engines.validate(path, engine, address=address)
    verdict = _verdict.Verdict.of(path)
    if verdict.report is not None:
        return verdict.report
    from articlepack.checks import check, check_articles
    from articlepack.corpus import read_checked

    report = check(*read_checked(path, check=check_articles))
    verdict.keep(report)
    return report
