"""Dataset projects on disk: create a new one from the packaged template.

The template (``templates/project``) is a whole project, its schemas included: the scheme a new
project starts from, which it then makes its own. The repository's own corpus keeps its schemas
in its own ``schemas/`` folder.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

_TEMPLATE = "templates/project"


def init(directory: Path | str) -> Path:
    """Write a new, minimal, valid dataset project into ``directory`` (absent or empty)."""
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"{target} already exists and is not an empty folder")
    template = resources.files("articlepack").joinpath(_TEMPLATE)
    with resources.as_file(template) as source:
        shutil.copytree(source, target, dirs_exist_ok=True)
    return target.resolve()
