"""What articlepack knows of the Hugging Face Hub without asking it: repo ids, URLs, licences.

Kept in one place so that validate, build and publish agree on what the Hub would accept.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


def dataset_url(repo: str) -> str:
    """The Hub page of the dataset repo ``repo``."""
    return f"https://huggingface.co/datasets/{repo}"


@cache
def licenses() -> frozenset[str]:
    """The licence ids the Hub's dataset cards accept (``data/hub_licenses.txt``)."""
    text = resources.files("articlepack").joinpath("data/hub_licenses.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def check_repo_id(repo: str) -> str | None:
    """Why the Hub would refuse ``repo`` as a dataset repo id (``ORG/NAME``), or None."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id  # type: ignore[attr-defined]  # lazy export

    if repo.count("/") != 1:
        return "a dataset repo id is ORG/NAME"
    try:
        validate_repo_id(repo)
    except HFValidationError as exc:
        return str(exc).replace(f": {repo!r}", "").rstrip(".")
    return None
