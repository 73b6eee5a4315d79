"""SemVer in one place: validity, precedence, bumps, the version a bump requires, ``v<version>`` tags.

Everything goes through the ``semver`` library, so precedence follows SemVer 2.0 §11 wherever a
version is compared (``publish``'s latest-tag check, ``--against-latest``, the version gate):
numeric pre-release identifiers compare as numbers (``1.0.0-rc.10`` is newer than
``1.0.0-rc.9``), a pre-release is older than its release, and build metadata is ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

import semver

if TYPE_CHECKING:
    from typing_extensions import TypeIs

TAG_PREFIX = "v"
Bump = Literal["none", "patch", "minor", "major"]
BUMPS: tuple[Bump, ...] = ("none", "patch", "minor", "major")  # smallest first


def is_valid(text: object) -> TypeIs[str]:
    """Whether ``text`` is a SemVer string (``1.0.0``, ``2.0.0-rc.1``; no ``v``, no whitespace)."""
    # semver 3.0.0's pattern ends in `$`, which also matches before a final newline
    return isinstance(text, str) and text.isprintable() and semver.Version.is_valid(text)


def parse(text: str) -> semver.Version:
    """The version ``text`` stands for; also the sort key that orders versions by precedence."""
    try:
        return semver.Version.parse(text)
    except (ValueError, TypeError):
        raise ValueError(f"{text!r} is not SemVer") from None


def required_version(old_version: str, bump: str) -> str:
    """The lowest version with ``bump`` over ``old_version`` (``1.2.3`` + minor = ``1.3.0``).

    A pre-release is completed rather than skipped: ``2.0.0-rc.1`` + major = ``2.0.0``.
    """
    version = parse(old_version)
    if bump not in BUMPS:
        raise ValueError(f"{bump!r} is not one of {', '.join(BUMPS)}")
    return old_version if bump == "none" else str(version.next_version(bump))


def largest(bumps: Iterable[Bump]) -> Bump:
    """The largest of ``bumps`` (``none`` when there are none)."""
    return max(bumps, key=BUMPS.index, default="none")


def tag(version: str) -> str:
    """The git (and Hub) tag of a release: ``v<version>``."""
    return f"{TAG_PREFIX}{version}"


def tag_version(name: str) -> str | None:
    """The version a ``v<SemVer>`` tag names, or None for any other tag."""
    version = name.removeprefix(TAG_PREFIX)
    return version if name.startswith(TAG_PREFIX) and is_valid(version) else None


def sort_tags(names: Iterable[str]) -> list[str]:
    """The ``v<SemVer>`` tags among ``names``, oldest first by SemVer precedence."""
    found = {name: version for name in names if (version := tag_version(name)) is not None}
    return sorted(found, key=lambda name: parse(found[name]))


def latest_tag(names: Iterable[str]) -> str | None:
    """The ``v<SemVer>`` tag of highest precedence among ``names``, or None."""
    ordered = sort_tags(names)
    return ordered[-1] if ordered else None
