"""Developer sessions. `nox` runs lint, typecheck and tests; the others on demand (`nox -s NAME`)."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.default_venv_backend = "venv"
PYTHON = "3.11"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The test suite (the same command as the README's Quick start)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lowest(session: nox.Session) -> None:
    """The test suite against the lowest versions pyproject's bounds allow (uv's lowest-direct)."""
    session.install("uv")
    python = f"{session.virtualenv.location}/bin/python"
    session.run(
        "uv", "pip", "install", "--python", python, "--resolution", "lowest-direct", "-e", ".[test]"
    )
    session.run("uv", "pip", "list", "--python", python)
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Regenerate README.md's list of finding codes from the code's table of codes."""
    session.install("-e", ".")
    session.run("python", "docs/generate.py")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", "src", "tests", "benchmarks", "docs", "noxfile.py")
    session.run(
        "ruff",
        "format",
        "--check",
        "src",
        "tests",
        "benchmarks",
        "docs",
        "noxfile.py",
    )


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session(python=PYTHON)
def validate(session: nox.Session) -> None:
    """Validate the bundled corpus and check that datacard.md is up to date."""
    session.install("-e", ".")
    session.run("articlepack", "validate", ".")
    session.run("articlepack", "card", "--check", ".")


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Validate and build the bundled corpus into dist/."""
    session.install("-e", ".")
    session.run("articlepack", "build", ".", "--out", "dist", *session.posargs)


@nox.session(python=PYTHON)
def package(session: nox.Session) -> None:
    """The bundled corpus as its own pip package: wheel and sdist into dist/."""
    session.install("-e", ".")
    session.run("articlepack", "package", ".", "--out", "dist", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks against the parse floor at 1k, 10k and 100k articles and on the bundled project,
    into benchmarks/results/RESULTS.md (`nox -s bench -- --sizes 1000` for fewer; see
    benchmarks/README.md)."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session(python=PYTHON)
def fuzz(session: nox.Session) -> None:
    """The property-based tests with the long hypothesis profile."""
    session.install("-e", ".[test]")
    session.run(
        "pytest", "tests/test_properties.py", *session.posargs, env={"HYPOTHESIS_PROFILE": "fuzz"}
    )


@nox.session(python=PYTHON)
def labelstudio(session: nox.Session) -> None:
    """A real Label Studio server in the loop (tests/labelstudio_server.py): export the project,
    import it into Label Studio, export it from there through the API, import it back, compare
    every table. Label Studio gets a venv of its own (its pins clash with ours), kept in
    .nox/label-studio-server between runs (delete it to reinstall)."""
    from pathlib import Path

    session.install("-e", ".")
    server = Path(session.virtualenv.location).parent / "label-studio-server"
    executable = str(server / "bin" / "label-studio")
    if not Path(executable).exists():
        session.run("python", "-m", "venv", str(server))
        pip = [str(server / "bin" / "python"), "-m", "pip", "install", "label-studio>=1.23"]
        session.run(*pip, external=True)
    session.run(
        "python", "tests/labelstudio_server.py", "--label-studio", executable, *session.posargs
    )


@nox.session(name="release-check", python=PYTHON)
def release_check(session: nox.Session) -> None:
    """Fail when the declared version is lower than the bump the changes since the last tag require."""
    session.install("-e", ".")
    against = ["--against", *session.posargs] if session.posargs else ["--against-latest"]
    session.run("articlepack", "validate", ".", *against)


@nox.session(python=PYTHON)
def publish(session: nox.Session) -> None:
    """Build and publish to the Hub: a dry run unless `nox -s publish -- --no-dry-run`."""
    session.install("-e", ".")
    dry = "--no-dry-run" not in session.posargs
    args = [a for a in session.posargs if a != "--no-dry-run"]
    target = session.run("articlepack", "build", ".", "--out", "dist", "--quiet", silent=True)
    release = str(target).strip().splitlines()[-1]
    repo = next((a.split("=", 1)[1] for a in args if a.startswith("--repo=")), None)
    command = ["articlepack", "publish", release]
    command += ["--repo", repo] if repo else ["--repo", _hub_repo()]
    session.run(*command, *(["--dry-run"] if dry else []))


def _hub_repo() -> str:
    import re
    from pathlib import Path

    text = Path("corpus/dataset.yaml").read_text(encoding="utf-8")
    match = re.search(r"^hub:\s*\{\s*repo:\s*([^\s}]+)", text, re.M) or re.search(
        r"^\s+repo:\s*(\S+)", text, re.M
    )
    if not match:
        raise SystemExit("corpus/dataset.yaml names no hub repo; pass -- --repo=ORG/NAME")
    return match.group(1)
