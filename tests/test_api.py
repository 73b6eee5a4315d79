"""The public surface: a sorted __all__, every name exported, and an import that stays light."""

from __future__ import annotations

import subprocess
import sys

import articlepack


def test_all_is_sorted_and_complete() -> None:
    assert articlepack.__all__ == sorted(articlepack.__all__)
    import types

    public = {
        n
        for n in dir(articlepack)
        if not n.startswith("_")
        and n != "annotations"
        and not isinstance(getattr(articlepack, n), types.ModuleType)
    }
    assert public == set(articlepack.__all__) - {"__version__"}
    assert callable(articlepack.load) and callable(articlepack.build)


def test_import_leaves_the_builder_for_first_use() -> None:
    """`articlepack validate` starts faster for not importing the builder it never uses."""
    code = "import sys, articlepack; assert 'articlepack.builder' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_exceptions_share_one_root_and_a_builtin() -> None:
    from articlepack import errors

    for name in (
        "BuildBusyError",
        "CardError",
        "HubError",
        "IntegrityError",
        "InvalidCorpusError",
        "ProjectError",
        "PublishError",
        "ReleasePathError",
        "SchemaError",
    ):
        error = getattr(errors, name)
        assert issubclass(error, articlepack.ArticlepackError)
        assert issubclass(error, (ValueError, RuntimeError, OSError))


def test_import_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys, articlepack, articlepack.cli; "
        "print(sorted(m for m in ('datasets', 'pandas', 'polars', 'pandera', 'pyarrow', 'huggingface_hub') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_help_teaches_every_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "articlepack", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("validate", "build", "card", "verify", "publish", "init"):
        assert command in done.stdout


def test_functions_keep_their_names_when_their_modules_are_imported() -> None:
    """``load``, ``diff``, ``verify`` and ``publish`` share their names with submodules, which
    the import system binds on the package as they load: the functions must stay."""
    code = (
        "import articlepack, sys; "
        "assert 'articlepack.checks' not in sys.modules; "  # nothing imported before first use
        "import articlepack.load, articlepack.diff.gate, articlepack.verify, articlepack.publish; "
        "from articlepack import load, diff, verify, publish; "
        "assert all(callable(f) and not isinstance(f, type(sys)) "
        "for f in (load, diff, verify, publish, articlepack.load, articlepack.diff))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
