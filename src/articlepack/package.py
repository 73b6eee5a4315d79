"""A dataset as its own pip package: a wheel and an sdist carrying its release and a small loader.

Like ``spacy package``, every project becomes an installable package: distribution name the
dataset's name, import name the same with ``_``, version the dataset's version. The package
holds the release exactly as ``build`` writes it, :mod:`articlepack.dataset_loader` copied as
``_loader.py`` (so it installs without articlepack and needs only pyarrow), and ``pin.json``, the
size, sha256, Arrow schema and features of what it carries, which the loader checks on every read.

Both files are written by hand rather than by a build backend, so that they are byte-identical
on rebuild (fixed order, times and modes) and need nothing from the network. The module is also
a PEP 517 backend (``build_wheel``, ``build_sdist``), named by the ``pyproject.toml`` that
``init`` writes, so ``pip wheel --no-build-isolation .`` in a project does the same.
"""

from __future__ import annotations

import ast
import base64
import gzip
import hashlib
import io
import json
import keyword
import sys
import tarfile
import tempfile
import zipfile
from importlib import resources
from pathlib import Path

from articlepack.__about__ import __version__
from articlepack.errors import ProjectError

REQUIRES = {
    "": "pyarrow>=18",
    "datasets": "datasets>=5.2",
    "pandas": "pandas>=2.0",
    "polars": "polars>=1.32",
}
REQUIRES_PYTHON = ">=3.11"
_TAKEN = {"articlepack", "datasets", "pandas", "polars", "pyarrow", "numpy", "test", "tests"}

_USAGE = """{title} {version}, as a pip package made by `articlepack package`.

    import {module}
    {module}.load("{first}")                    # a pyarrow.Table
    {module}.load("{first}", format="polars")   # or "pandas", "datasets" (extras of the same name)
    {module}.info(), {module}.path()

Every read is checked against the sizes, sha256 and schemas the package was made with.
"""
_INIT = '''"""{usage}"""

from pathlib import Path

from ._loader import Info, IntegrityError, Loader

__version__ = "{version}"
__all__ = ["Info", "IntegrityError", "info", "load", "path"]

_loader = Loader(__name__, Path(__file__).parent)
load = _loader.load
info = _loader.info
path = _loader.path
'''


def package(project: Path | str, out: Path | str = "dist") -> tuple[Path, Path]:
    """Build the project's release and write its wheel and sdist into ``out``; return both paths.

    An invalid corpus raises :class:`~articlepack.errors.InvalidCorpusError` and writes nothing.
    """
    from articlepack.builder import build
    from articlepack.builder.release import build_time

    project = Path(project).resolve()
    _check_name(project)
    with tempfile.TemporaryDirectory(prefix="articlepack-package-") as tmp:
        release = build(project, tmp)
        files = _package_files(release)
        stamp = max(build_time(project).timestamp(), 315532800)  # zip cannot go before 1980
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        name, version = _identity(release)
        base = f"{name.replace('-', '_')}-{version}"
        wheel = _replace(out / f"{base}-py3-none-any.whl", _wheel(files, name, version, stamp))
        sdist = _replace(out / f"{base}.tar.gz", _sdist(files, name, version, stamp))
    return wheel, sdist


def module_name(name: str) -> str:
    """The import name of dataset ``name``; refused when Python could not import it as its own."""
    module = name.replace("-", "_")
    if (
        not module.isidentifier()
        or keyword.iskeyword(module)
        or module in sys.stdlib_module_names
        or module in _TAKEN
    ):
        raise ProjectError(
            f"the dataset name {name!r} cannot be a package of its own (its import name "
            f"{module!r} is not a Python identifier or is already taken); rename it in "
            "corpus/dataset.yaml"
        )
    return module


def _check_name(project: Path) -> None:
    """Refuse a name that cannot be a package before the build (the build reports the rest)."""
    import yaml

    try:
        dataset = yaml.safe_load((project / "corpus/dataset.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return
    if isinstance(dataset, dict) and isinstance(dataset.get("name"), str):
        module_name(dataset["name"])


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, object] | None = None,
    metadata_directory: str | None = None,
) -> str:
    """PEP 517: the project in the current folder as a wheel."""
    return package(Path.cwd(), wheel_directory)[0].name


def build_sdist(sdist_directory: str, config_settings: dict[str, object] | None = None) -> str:
    """PEP 517: the project in the current folder as an sdist."""
    return package(Path.cwd(), sdist_directory)[1].name


def _identity(release: Path) -> tuple[str, str]:
    from packaging.version import InvalidVersion, Version

    record = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    try:
        version = str(Version(record["version"]))
    except InvalidVersion:
        raise ProjectError(
            f"version {record['version']!r} has no Python package form (PEP 440)"
        ) from None
    return str(record["name"]), version


def _package_files(release: Path) -> dict[str, bytes]:
    """Every file of the package, by path inside the wheel: the release, the loader and its pin."""
    from articlepack import tablefile
    from articlepack.record import RECORD, read_record
    from articlepack.release_folder import ReleaseFolder

    found = read_record(ReleaseFolder(release))
    name = str(found.package["name"])
    module = module_name(name)
    tables = {}
    for resource in found.resources.values():
        schema = tablefile.table_schema(resource)
        tables[resource.name] = {
            "path": resource.path,
            "rows": resource.rows,
            "schema": base64.b64encode(schema.arrow().serialize().to_pybytes()).decode(),
            "features": schema.features().to_dict(),
        }
    pinned = {p: {"bytes": e.bytes, "sha256": e.sha256} for p, e in found.files.items()}
    record = (release / RECORD).read_bytes()
    pinned[RECORD] = {"bytes": len(record), "sha256": found.digest}
    pin = {
        "format": 1,
        "name": name,
        "version": str(found.package["version"]),
        "record": found.digest,
        "citation": "CITATION.cff" if "CITATION.cff" in found.files else None,
        "files": dict(sorted(pinned.items())),
        "tables": tables,
    }
    loader = resources.files("articlepack").joinpath("dataset_loader.py").read_bytes()
    usage = _USAGE.format(
        title=found.package.get("title") or name,
        version=pin["version"],
        module=module,
        first=next(iter(tables), "articles"),
    )
    files = {
        f"{module}/__init__.py": _INIT.format(usage=usage, version=pin["version"]).encode(),
        f"{module}/_loader.py": loader,
        f"{module}/pin.json": (json.dumps(pin, indent=1, sort_keys=True) + "\n").encode(),
    }
    for relative in sorted(pinned):
        files[f"{module}/release/{relative}"] = (release / relative).read_bytes()
    return files


def _metadata(name: str, version: str, files: dict[str, bytes]) -> str:
    module = name.replace("-", "_")
    pin = json.loads(files[f"{module}/pin.json"])
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        f"Summary: The {name} dataset {pin['version']}, with a loader that checks every read",
        f"Requires-Python: {REQUIRES_PYTHON}",
        f"Requires-Dist: {REQUIRES['']}",
    ]
    for extra, requirement in REQUIRES.items():
        if extra:
            lines += [
                f"Provides-Extra: {extra}",
                f'Requires-Dist: {requirement}; extra == "{extra}"',
            ]
    lines += ["Description-Content-Type: text/markdown", ""]
    usage = ast.get_docstring(ast.parse(files[f"{module}/__init__.py"])) or ""
    return "\n".join(lines) + "\n" + usage + "\n"


def _wheel(files: dict[str, bytes], name: str, version: str, stamp: float) -> bytes:
    info = f"{name.replace('-', '_')}-{version}.dist-info"
    entries = dict(files)
    entries[f"{info}/METADATA"] = _metadata(name, version, files).encode()
    entries[f"{info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: articlepack {__version__}\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n"
    ).encode()
    entries[f"{info}/top_level.txt"] = (name.replace("-", "_") + "\n").encode()
    record = [f"{path},sha256={_urlsafe(data)},{len(data)}" for path, data in entries.items()]
    entries[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    buffer = io.BytesIO()
    moment = _zip_time(stamp)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in entries.items():
            member = zipfile.ZipInfo(path, moment)
            member.external_attr = 0o644 << 16
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, data)
    return buffer.getvalue()


def _sdist(files: dict[str, bytes], name: str, version: str, stamp: float) -> bytes:
    """A source distribution that any PEP 517 frontend builds with hatchling alone."""
    module = name.replace("-", "_")
    extras = "\n".join(f'{k} = ["{v}"]' for k, v in REQUIRES.items() if k)
    pyproject = (
        '[build-system]\nrequires = ["hatchling>=1.25"]\nbuild-backend = "hatchling.build"\n\n'
        f'[project]\nname = "{name}"\nversion = "{version}"\n'
        f'requires-python = "{REQUIRES_PYTHON}"\ndependencies = ["{REQUIRES[""]}"]\n\n'
        f"[project.optional-dependencies]\n{extras}\n\n"
        f'[tool.hatch.build.targets.wheel]\npackages = ["{module}"]\n'
    )
    root = f"{module}-{version}"
    entries = {
        f"{root}/PKG-INFO": _metadata(name, version, files).encode(),
        f"{root}/pyproject.toml": pyproject.encode(),
        **{f"{root}/{path}": data for path, data in files.items()},
    }
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path, data in entries.items():
            member = tarfile.TarInfo(path)
            member.size, member.mtime, member.mode = len(data), int(stamp), 0o644
            archive.addfile(member, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def _zip_time(stamp: float) -> tuple[int, int, int, int, int, int]:
    import time

    moment = time.gmtime(stamp)
    return (moment.tm_year, moment.tm_mon, moment.tm_mday, moment.tm_hour, moment.tm_min, 0)


def _urlsafe(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _replace(path: Path, data: bytes) -> Path:
    """Write ``path`` whole or not at all: a reader never sees half an archive."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)
    return path
