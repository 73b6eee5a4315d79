"""corpus/waivers.yaml: reviewed waivers of warnings, each naming a code, a file (and an id) and
a reason. A waiver that matches no warning is itself reported, so waivers do not outlive their
cause."""

from __future__ import annotations

from typing import Any

from articlepack.report import CODES, Finding

_FILE = "corpus/waivers.yaml"


def apply_waivers(findings: list[Finding], waivers: list[dict[str, Any]]) -> list[Finding]:
    """Drop warnings that a reviewed waiver covers; flag waivers that cover nothing."""
    out: list[Finding] = []
    valid: list[tuple[int, dict[str, Any]]] = []
    for i, w in enumerate(waivers):
        if _well_formed(w):
            valid.append((i, w))
        else:
            out.append(
                Finding(
                    "bad-waiver",
                    _FILE,
                    "a waiver needs a known code, a file and a "
                    "reason (and, optionally, an id), all strings",
                    path=("waivers", i),
                )
            )
    used: set[int] = set()
    for f in findings:
        match = next(
            (
                i
                for i, w in valid
                if f.severity == "warning"
                and w["code"] == f.code
                and w["file"] == f.file
                and w.get("id") in (None, f.id)
            ),
            None,
        )
        if match is None:
            out.append(f)
        else:
            used.add(match)
    out += [
        Finding(
            "unused-waiver",
            _FILE,
            f"waiver of {w['code']} for {w['file']} matches no warning",
            path=("waivers", i),
        )
        for i, w in valid
        if i not in used
    ]
    return out


def _well_formed(waiver: dict[str, Any]) -> bool:
    code, reason, ident = waiver.get("code"), waiver.get("reason"), waiver.get("id")
    return (
        isinstance(code, str)
        and code in CODES
        and isinstance(waiver.get("file"), str)
        and isinstance(reason, str)
        and bool(reason.strip())
        and (ident is None or isinstance(ident, str))
    )
