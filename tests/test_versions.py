"""SemVer precedence, in the one module that holds it (the `semver` library underneath)."""

from __future__ import annotations

import pytest

from articlepack import versions


def test_precedence_follows_semver_2_section_11() -> None:
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-rc.2", "1.0.0-rc.9", "1.0.0-rc.10", "1.0.0"]
    assert sorted(reversed(ordered), key=versions.parse) == ordered
    assert versions.parse("1.0.0+build.2") == versions.parse("1.0.0+build.1")  # metadata ignored


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("1.0.0", True),
        ("2.0.0-rc.10+b.1", True),
        ("v1.0.0", False),
        ("1.0", False),
        ("1.0.0\n", False),
        ("01.0.0", False),
        ("1.0.0-rc.01", False),
        (None, False),
        (100, False),
    ],
)
def test_is_valid(text: object, valid: bool) -> None:
    assert versions.is_valid(text) is valid


def test_tags_are_ordered_by_precedence_and_others_ignored() -> None:
    tags = ["v1.0.0-rc.10", "latest", "v1.0.0-rc.9", "1.2.0", "v0.9.0", "vnext"]
    assert versions.sort_tags(tags) == ["v0.9.0", "v1.0.0-rc.9", "v1.0.0-rc.10"]
    assert versions.latest_tag(tags) == "v1.0.0-rc.10"
    assert versions.latest_tag(["latest"]) is None
    assert versions.tag_version("v2.0.0") == "2.0.0" and versions.tag_version("v2") is None


def test_a_bump_over_a_prerelease_completes_it() -> None:
    assert versions.required_version("1.0.0-rc.10", "patch") == "1.0.0"
    assert versions.required_version("1.0.0-rc.10", "none") == "1.0.0-rc.10"
    with pytest.raises(ValueError, match="is not SemVer"):
        versions.required_version("1.0", "minor")
    with pytest.raises(ValueError, match="is not one of none, patch, minor, major"):
        versions.required_version("1.0.0", "huge")
