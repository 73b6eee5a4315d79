"""The check of corpus/dataset.yaml: the keys it may and must hold, and each value's type and form
(a SemVer version, a licence and a repo id the Hub accepts, the answers to Croissant's RAI)."""

from __future__ import annotations

import re
from typing import Any

from articlepack import rai, versions
from articlepack.corpus import DATASET
from articlepack.failing_rows import short
from articlepack.hub import check_repo_id, licenses
from articlepack.report import Finding, did_you_mean
from articlepack.shape import dotted

_KEYS = {
    "name",
    "title",
    "version",
    "description",
    "license",
    "text_rights",
    "contributors",
    "hub",
    "keywords",
    "homepage",
    "rai",
}
_REQUIRED = ("name", "title", "version", "license")
_STRINGS = ("name", "title", "description", "license", "text_rights", "homepage")  # and version
_FILE = DATASET.as_posix()


def check_dataset(dataset: dict[Any, Any]) -> list[Finding]:
    """The findings in corpus/dataset.yaml, read as ``dataset``."""
    allowed = ", ".join(sorted(_KEYS))
    out = [
        Finding(
            "unknown-key",
            _FILE,
            f"unknown key {short(k)}{did_you_mean(k, sorted(_KEYS))} (allowed: {allowed})",
            path=(k,),
        )
        for k in dataset
        if k not in _KEYS
    ]
    out += [
        Finding("missing-key", _FILE, f"`{k}` is required", path=(k,))
        for k in _REQUIRED
        if dataset.get(k) is None or dataset.get(k) == ""
    ]
    out += [
        _wrong((key,), "a string", dataset[key])
        for key in _STRINGS
        if dataset.get(key) is not None and not isinstance(dataset[key], str)
    ]
    out += _check_forms(dataset)
    keywords = dataset.get("keywords")
    if keywords is not None and not _strings(keywords):
        out.append(_wrong(("keywords",), "a list of strings", keywords))
    out += _check_hub(dataset.get("hub"))
    out += _check_contributors(dataset.get("contributors"))
    out += _check_rai(dataset.get("rai"))
    return out


def _check_forms(dataset: dict[Any, Any]) -> list[Finding]:
    """The version, name and licence: strings of the forms the Hub and SemVer accept."""
    out = []
    version = dataset.get("version")
    if version is not None and not versions.is_valid(version):
        out.append(
            Finding(
                "bad-version",
                _FILE,
                f"version {short(version)} is not SemVer "
                "MAJOR.MINOR.PATCH (e.g. 1.0.0, no leading v)",
                path=("version",),
            )
        )
    name = dataset.get("name")
    if isinstance(name, str) and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        out.append(
            Finding(
                "bad-pattern",
                _FILE,
                f"name {short(name)} must be lowercase words joined by -",
                path=("name",),
            )
        )
    license = dataset.get("license")
    if isinstance(license, str) and license and license.lower() not in licenses():
        out.append(
            Finding(
                "bad-license",
                _FILE,
                f"license {short(license)} is not a licence id the Hub accepts "
                "(e.g. cc-by-4.0, mit, other; see huggingface.co/docs/hub/repositories-licenses)",
                path=("license",),
            )
        )
    return out


def _check_hub(hub: Any) -> list[Finding]:
    """``hub``: ``{repo: org/name}``, a repo id that publish would accept."""
    if hub is None:
        return []
    if not isinstance(hub, dict):
        return [_wrong(("hub",), "a mapping {repo: org/name}", hub)]
    repo = hub.get("repo")
    if repo is None:
        return []
    why = check_repo_id(repo) if isinstance(repo, str) else "a dataset repo id is ORG/NAME"
    if not why:
        return []
    return [  # what publish would refuse, reported first
        Finding(
            "bad-pattern",
            _FILE,
            f"hub.repo {short(repo)} is not a repo id the Hub accepts: {why}",
            path=("hub", "repo"),
        )
    ]


def _check_contributors(contributors: Any) -> list[Finding]:
    """``contributors``: a list of ``{name, roles, email}``."""
    if contributors is None:
        return []
    if not isinstance(contributors, list):
        return [_wrong(("contributors",), "a list", contributors)]
    out = []
    for i, person in enumerate(contributors):
        if not isinstance(person, dict):
            out.append(_wrong(("contributors", i), "a mapping {name, roles, email}", person))
            continue
        if not isinstance(person.get("name"), str):
            out.append(_wrong(("contributors", i, "name"), "a string", person.get("name")))
        roles = person.get("roles")
        if roles is not None and not _strings(roles):
            out.append(_wrong(("contributors", i, "roles"), "a list of strings", roles))
        email = person.get("email")
        if email is not None and not isinstance(email, str):
            out.append(_wrong(("contributors", i, "email"), "a string or null", email))
    return out


def _check_rai(answers: Any) -> list[Finding]:
    """``rai``: the maintainers' answers to the Croissant RAI properties articlepack cannot compute."""
    if answers is None:
        return []
    if not isinstance(answers, dict):
        return [_wrong(("rai",), "a mapping of Croissant RAI properties to answers", answers)]
    allowed = rai.written()
    out = []
    for key, answer in answers.items():
        if key not in allowed:
            message = (
                f"rai: {short(key)} is computed from the corpus, not written"
                if key in rai.properties()
                else f"unknown key {short(key)} under rai (allowed: {', '.join(allowed)})"
            )
            out.append(Finding("unknown-key", _FILE, message, path=("rai", key)))
        elif answer is not None and not isinstance(answer, str) and not _strings(answer):
            out.append(_wrong(("rai", key), "a string, a list of strings or null", answer))
    return out


def _wrong(path: tuple[Any, ...], must: str, value: Any) -> Finding:
    return Finding(
        "wrong-type",
        _FILE,
        f"`{dotted(path)}` must be {must}, not {type(value).__name__} {short(value)}",
        path=path,
    )


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
