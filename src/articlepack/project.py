"""Dataset projects on disk: create a new one from the packaged template.

The template (``templates/project``) is a whole project, its schemas included: the scheme a new
project starts from, which it then makes its own. The repository's own corpus keeps its schemas
in its own ``schemas/`` folder.
"""

from __future__ import annotations

import shutil
import subprocess
from importlib import resources
from pathlib import Path

from articlepack.errors import ProjectError

_TEMPLATE = "templates/project"
#: Template files kept without their dot, so that they act on the new project only, never on
#: this package's own repository (git reads .gitattributes and .gitignore in any folder).
_DOTTED = {"gitattributes": ".gitattributes", "gitignore": ".gitignore", "github": ".github"}


def template() -> Path:
    """The packaged template project (read it; never write it)."""
    return Path(str(resources.files("articlepack").joinpath(_TEMPLATE)))


def init(directory: Path | str, *, git: bool = False) -> Path:
    """Write a new dataset project into ``directory`` (absent or empty), ready for git and CI.

    With ``git``, also ``git init`` it and commit everything as its first commit.
    """
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"{target} already exists and is not an empty folder")
    shutil.copytree(template(), target, dirs_exist_ok=True)
    for name, dotted in _DOTTED.items():
        (target / name).rename(target / dotted)
    if git:
        _first_commit(target)
    return target.resolve()


def _first_commit(target: Path) -> None:
    for command in (
        ["git", "init", "--quiet"],
        ["git", "add", "--all"],
        ["git", "commit", "--quiet", "-m", "A new articlepack dataset project"],
    ):
        try:
            done = subprocess.run(command, cwd=target, capture_output=True, text=True, check=False)
        except OSError as exc:
            raise ProjectError(f"cannot run git ({exc.strerror}); the project is written") from None
        if done.returncode:
            raise ProjectError(
                f"`{' '.join(command[:2])}` failed in {target}: {done.stderr.strip()}; "
                "the project is written, the commit is not"
            )
