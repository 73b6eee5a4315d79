"""Hatch build hook: the wheel carries the release built from corpus/ at wheel-build time.

The corpus is validated and built exactly as `articlepack build` does; an invalid corpus fails the
wheel build. The sdist carries corpus/ and schemas/ (and the release time as
.source-date-epoch), so a wheel built from the sdist equals one built from the checkout.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

EPOCH_FILE = ".source-date-epoch"


class ReleaseBuildHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        sys.path.insert(0, str(root / "src"))
        from articlepack.builder.release import build_time

        self._tmp = tempfile.mkdtemp(prefix="articlepack-build-")
        if self.target_name == "sdist":
            epoch = Path(self._tmp, EPOCH_FILE)
            epoch.write_text(f"{int(build_time(root).timestamp())}\n")
            build_data["force_include"][str(epoch)] = EPOCH_FILE
            return
        if self.target_name != "wheel" or version == "editable":
            return
        from articlepack.builder import build
        from articlepack.errors import InvalidCorpusError

        try:
            release = build(root, self._tmp)
        except InvalidCorpusError as exc:
            lines = [
                f"{f.file}:{f.line or ''} {f.code} {f.message}" for f in exc.report.errors[:20]
            ]
            raise SystemExit(
                "refusing to build a wheel from an invalid corpus:\n" + "\n".join(lines)
            ) from None
        build_data["force_include"][str(release)] = f"articlepack/_release/{release.name}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if getattr(self, "_tmp", None):
            shutil.rmtree(self._tmp, ignore_errors=True)
