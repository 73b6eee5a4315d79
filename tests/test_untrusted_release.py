"""A release read from anywhere is untrusted: every attack on a release folder, one test each.

Each test builds a release, damages it the way an attacker who controls the folder would (often
recomputing the hashes in its record, which anyone can do), and checks that ``verify``, ``load``,
``info`` and ``diff`` refuse it with a message naming the problem (``verify`` exits 1), without
reading anything outside the release and without hanging.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import articlepack
from articlepack.builder import build
from articlepack.cli import app
from articlepack.errors import IntegrityError
from articlepack.record import MAX_RECORD_BYTES

EVENTS = "data/events/train-00000-of-00001.parquet"
MENTIONS = "data/mentions/train-00000-of-00001.parquet"
ARGUMENTS = "data/event_arguments/train-00000-of-00001.parquet"
FORMATS = ["datasets", "pandas", "polars", "arrow"]


@pytest.fixture
def release(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "dist" / built.name))


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the release, holding what an attacker would like read."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("the user's secret\n")
    return folder


@pytest.fixture
def watch(monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[str]]:
    """Call it once the attack is set up: it lists the real path of every file opened from then
    on (through ``os.open`` or ``open``), as the kernel resolved it."""

    def start() -> list[str]:
        paths: list[str] = []
        real_os_open, real_open = os.open, builtins.open

        def spy_os_open(
            path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None
        ) -> int:
            fd = real_os_open(path, flags, mode, dir_fd=dir_fd)
            paths.append(os.readlink(f"/proc/self/fd/{fd}"))
            return fd

        def spy_open(file: Any, *args: Any, **kwargs: Any) -> Any:
            handle = real_open(file, *args, **kwargs)
            paths.append(os.readlink(f"/proc/self/fd/{handle.fileno()}"))
            return handle

        monkeypatch.setattr(os, "open", spy_os_open)
        monkeypatch.setattr(builtins, "open", spy_open)
        return paths

    return start


def _record(release: Path) -> dict[str, Any]:
    return dict(json.loads((release / "datapackage.json").read_text()))


def _write_record(release: Path, package: Any) -> None:
    (release / "datapackage.json").write_text(json.dumps(package, indent=2))


def _entry(package: dict[str, Any], path: str) -> dict[str, Any]:
    return next(e for e in package["x-articlepack"]["files"] if e["path"] == path)


def _resource(package: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in package["resources"] if r["name"] == name)


def _rehash(release: Path, path: str, file: Path | None = None, rows: int | None = None) -> None:
    """Recompute ``path``'s bytes and sha256 (and rows) in the record, as any attacker can."""
    data = (file or release / path).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    package = _record(release)
    entry = _entry(package, path)
    entry["bytes"], entry["sha256"] = len(data), digest
    for resource in package["resources"]:
        if resource["path"] == path:
            resource["hash"] = f"sha256:{digest}"
            if rows is not None:
                resource.setdefault("x-articlepack", {})["rows"] = rows
    _write_record(release, package)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _verify(*args: str) -> Any:
    result = CliRunner().invoke(app, ["verify", *args])
    assert "Traceback" not in result.output and "failed unexpectedly" not in result.output
    return result


# -- every path stays inside the release --------------------------------------------------------


CLIMBING = {
    "parent": "../outside/secret.txt",
    "absolute": "{outside}/secret.txt",
    "backslash": "data\\..\\..\\outside\\secret.txt",
    "drive-letter": "C:/outside/secret.txt",
    "url": "file:///etc/passwd",
    "dot-segments": "data/./../../outside/secret.txt",
}


@pytest.mark.parametrize("path", CLIMBING.values(), ids=CLIMBING.keys())
def test_verify_refuses_a_record_path_that_climbs_out_of_the_release(
    release: Path, outside: Path, watch: Callable[[], list[str]], path: str
) -> None:
    secret = (outside / "secret.txt").read_bytes()
    package = _record(release)
    index = len(package["x-articlepack"]["files"])
    package["x-articlepack"]["files"].append(
        {
            "path": path.format(outside=outside),
            "bytes": len(secret),
            "sha256": hashlib.sha256(secret).hexdigest(),
        }
    )
    _write_record(release, package)
    opened = watch()
    result = _verify(str(release))
    assert result.exit_code == 1
    assert f"x-articlepack.files[{index}].path" in result.output
    assert str(outside / "secret.txt") not in opened


def test_load_refuses_a_resource_path_outside_the_release(
    release: Path, outside: Path, watch: Callable[[], list[str]]
) -> None:
    shutil.copy(release / EVENTS, outside / "events.parquet")
    package = _record(release)
    _resource(package, "events")["path"] = "../outside/events.parquet"
    _entry(package, EVENTS)["path"] = "../outside/events.parquet"
    _write_record(release, package)
    opened = watch()
    for fmt in FORMATS:
        with pytest.raises(IntegrityError, match=r"resources\[4\]\.path '\.\./outside/events"):
            articlepack.load("events", release=release, format=fmt)  # type: ignore[arg-type]
    assert not any(p.startswith(str(outside)) for p in opened)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_verify_refuses_a_symlink_that_leaves_the_release(
    release: Path, outside: Path, watch: Callable[[], list[str]], what: str
) -> None:
    # The link points at identical bytes, so the recorded hashes still match.
    if what == "file":
        shutil.move(release / "CITATION.cff", outside / "CITATION.cff")
        (release / "CITATION.cff").symlink_to(outside / "CITATION.cff")
        name = "CITATION.cff"
    else:
        shutil.move(release / "data/events", outside / "events")
        (release / "data/events").symlink_to(outside / "events")
        name = EVENTS
    opened = watch()
    result = _verify(str(release))
    assert result.exit_code == 1
    assert f"{name} cannot be opened safely" in result.output
    with pytest.raises(IntegrityError, match=f"{name} cannot be opened safely"):
        if what == "file":
            articlepack.info(release)
        else:
            articlepack.load("events", release=release, format="arrow")
    assert not any(p.startswith(str(outside)) for p in opened)


def test_load_refuses_a_link_to_proc(release: Path) -> None:
    (release / EVENTS).unlink()
    (release / EVENTS).symlink_to("/proc/self/status")
    with pytest.raises(IntegrityError, match="cannot be opened safely"):
        articlepack.load("events", release=release, format="arrow")


def _run(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter that must finish within ``timeout`` (a hang fails)."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "POLARS_MAX_THREADS": "1"},
    )


@pytest.mark.parametrize("name", ["datapackage.json", "README.md", EVENTS, "CITATION.cff"])
def test_verify_does_not_hang_on_a_fifo(release: Path, name: str) -> None:
    (release / name).unlink()
    os.mkfifo(release / name)
    done = _run(
        f"""
        import sys
        from articlepack.cli import main
        sys.argv = ["articlepack", "verify", {str(release)!r}]
        main()
        """,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert f"{name} cannot be opened safely (not a regular file)" in done.stderr


def test_load_and_info_do_not_hang_on_a_fifo(release: Path) -> None:
    (release / EVENTS).unlink()
    os.mkfifo(release / EVENTS)
    (release / "CITATION.cff").unlink()
    os.mkfifo(release / "CITATION.cff")
    done = _run(
        f"""
        import articlepack
        for call in (lambda: articlepack.info({str(release)!r}),
                     lambda: articlepack.load("events", release={str(release)!r}, format="arrow")):
            try:
                call()
            except articlepack.IntegrityError as exc:
                print("refused:", exc)
        """,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("not a regular file") == 2


def test_verify_names_an_extra_link_or_fifo(release: Path, outside: Path) -> None:
    os.mkfifo(release / "data/events/train-00001-of-00001.parquet")
    (release / "data/notes").symlink_to(outside)
    result = _verify(str(release))
    assert result.exit_code == 1
    assert "data/events/train-00001-of-00001.parquet is not part of the release" in result.output
    assert "data/notes is not part of the release" in result.output


# -- the card sends datasets.load_dataset nowhere else --------------------------------------------


CARD_ATTACKS = {
    "parent": ("path: data/events/train-*.parquet", "path: ../outside/*.parquet", "climbs out"),
    "absolute": ("path: data/events/train-*.parquet", "path: {outside}/*.parquet", "absolute"),
    "url": ("path: data/events/train-*.parquet", "path: hf://datasets/x/y/*.parquet", "colon"),
    "another-table": (
        "path: data/events/train-*.parquet",
        "path: data/mentions/train-*.parquet",
        "not the table's file data/events",
    ),
    "data-dir": (
        "- config_name: events\n",
        "- config_name: events\n  data_dir: ../outside\n",
        "config events sets data_dir",
    ),
    "no-front-matter": (
        "---\nannotations_creators",
        "annotations_creators",
        "no YAML front matter",
    ),
}


@pytest.mark.parametrize(("old", "new", "message"), CARD_ATTACKS.values(), ids=CARD_ATTACKS.keys())
def test_load_refuses_a_card_data_files_path_outside_the_release(
    release: Path, outside: Path, watch: Callable[[], list[str]], old: str, new: str, message: str
) -> None:
    shutil.copy(release / MENTIONS, outside / "train-00000-of-00001.parquet")
    card = (release / "README.md").read_text()
    assert old in card
    (release / "README.md").write_text(card.replace(old, new.format(outside=outside), 1))
    _rehash(release, "README.md")
    opened = watch()
    with pytest.raises(IntegrityError, match=message):
        articlepack.load("events", release=release)
    result = _verify(str(release))
    assert result.exit_code == 1 and re.search(message, result.output)
    assert not any(p.startswith(str(outside)) for p in opened)


def test_load_refuses_an_unrecorded_huggingface_yaml(
    release: Path, outside: Path, watch: Callable[[], list[str]]
) -> None:
    # datasets.load_dataset reads .huggingface.yaml beside the card, and lets it override configs.
    shutil.copy(release / MENTIONS, outside / "x.parquet")
    (release / ".huggingface.yaml").write_text(
        f"configs:\n- config_name: events\n  data_files: {outside}/x.parquet\n"
    )
    opened = watch()
    with pytest.raises(IntegrityError, match=r"\.huggingface\.yaml is not part of the release"):
        articlepack.load("events", release=release)
    assert not any(p.startswith(str(outside)) for p in opened)


def test_load_refuses_a_card_that_relabels_a_class(release: Path) -> None:
    card = (release / "README.md").read_text()
    old = "'0': actual\n          '1': planned"
    assert old in card
    swapped = card.replace(old, "'0': planned\n          '1': actual")
    (release / "README.md").write_text(swapped)
    _rehash(release, "README.md")
    with pytest.raises(IntegrityError, match="features of events are not those the record"):
        articlepack.load("events", release=release)


# -- a malformed record is tampered ----------------------------------------------------------------


def _files(package: dict[str, Any]) -> list[Any]:
    return list(package["x-articlepack"]["files"])


MALFORMED: dict[str, tuple[Callable[[dict[str, Any]], Any], str]] = {
    "bytes-as-string": (
        lambda p: _files(p)[0].update(bytes=str(_files(p)[0]["bytes"])),
        "x-articlepack.files[0].bytes is a string",
    ),
    "negative-bytes": (
        lambda p: _files(p)[0].update(bytes=-1),
        "files[0].bytes is a number -1, not a whole number of bytes",
    ),
    "boolean-bytes": (lambda p: _files(p)[0].update(bytes=True), "files[0].bytes is a boolean"),
    "missing-sha256": (lambda p: _files(p)[0].pop("sha256"), "files[0].sha256 is missing"),
    "short-sha256": (lambda p: _files(p)[0].update(sha256="abc"), "files[0].sha256 is a string"),
    "missing-path": (lambda p: _files(p)[0].pop("path"), "files[0].path is missing, not a path"),
    "path-not-a-string": (lambda p: _files(p)[0].update(path=7), "files[0].path is a number 7"),
    "entry-not-an-object": (
        lambda p: p["x-articlepack"]["files"].insert(0, ["README.md", 1, "0" * 64]),
        "files[0] is a list, not an object",
    ),
    "files-not-a-list": (
        lambda p: p["x-articlepack"].update(files={"README.md": 1}),
        "x-articlepack.files, the list of the release's files, is missing",
    ),
    "duplicate-path": (
        lambda p: p["x-articlepack"]["files"].append(dict(_files(p)[0])),
        "is listed twice",
    ),
    "path-differing-in-case": (
        lambda p: p["x-articlepack"]["files"].append({**_files(p)[0], "path": "readme.md"}),
        "is listed twice",
    ),
    "the-record-itself": (
        lambda p: p["x-articlepack"]["files"].append({**_files(p)[0], "path": "datapackage.json"}),
        "is the record itself",
    ),
    "rows-missing": (
        lambda p: p["resources"][0].pop("x-articlepack"),
        "resources[0].x-articlepack.rows is missing, not a row count",
    ),
    "resource-unhashed": (
        lambda p: p["resources"][0].update(path="data/other.parquet"),
        "resources[0].path 'data/other.parquet' is not in x-articlepack.files",
    ),
    "resource-hash-disagrees": (
        lambda p: p["resources"][0].update(hash="sha256:" + "0" * 64),
        "resources[0].hash disagrees",
    ),
    "schema-not-a-table-schema": (
        lambda p: p["resources"][0].update(schema={"fields": "id"}),
        "resources[0].schema is not a Table Schema",
    ),
    "version-not-a-string": (lambda p: p.update(version=1), "version is a number 1"),
}


@pytest.mark.parametrize(("damage", "message"), MALFORMED.values(), ids=MALFORMED.keys())
def test_verify_reports_a_malformed_record_as_tampered(
    release: Path, damage: Callable[[dict[str, Any]], Any], message: str
) -> None:
    package = _record(release)
    damage(package)
    _write_record(release, package)
    result = _verify(str(release))
    assert result.exit_code == 1
    assert message in result.output
    with pytest.raises(IntegrityError, match=r"datapackage\.json: "):
        articlepack.load("mentions", release=release, format="arrow")
    with pytest.raises(IntegrityError):
        articlepack.info(release)


UNREADABLE = {
    "a-list": (b"[]", "holds a list, not an object"),
    "not-json": (b"{", "is not valid JSON"),
    "not-utf8": (b'{"name": "\xff"}', "is not UTF-8"),
    "duplicate-key": (b'{"resources": [], "resources": []}', "appears twice in one object"),
    "nan": (b'{"version": NaN}', "NaN is not a JSON number"),
    "deep-nesting": (b"[" * 100_000 + b"]" * 100_000, "nests too deeply"),
    "too-large": (b" " * MAX_RECORD_BYTES + b"{}", f"is larger than {MAX_RECORD_BYTES:,} bytes"),
}


@pytest.mark.parametrize(("data", "message"), UNREADABLE.values(), ids=UNREADABLE.keys())
def test_verify_reports_an_unreadable_record_as_tampered(
    release: Path, data: bytes, message: str
) -> None:
    (release / "datapackage.json").write_bytes(data)
    result = _verify(str(release))
    assert result.exit_code == 1 and message in result.output


def test_verify_of_a_missing_folder_exits_2(tmp_path: Path) -> None:
    result = _verify(str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "not an articlepack release" in result.output


# -- the schema before the rows ----------------------------------------------------------------------


def _retype(release: Path) -> None:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(release / EVENTS)
    column = table.schema.get_field_index("trigger_raw_start")
    pq.write_table(
        table.set_column(column, "trigger_raw_start", pc.cast(table[column], "string")),
        release / EVENTS,
    )


def _rename(release: Path) -> None:
    import pyarrow.parquet as pq

    table = pq.read_table(release / EVENTS)
    pq.write_table(table.rename_columns(["event_id", *table.column_names[1:]]), release / EVENTS)


SCHEMA_ATTACKS: dict[str, tuple[Callable[[Path], Any], str]] = {
    "another-table": (
        lambda r: shutil.copy(r / MENTIONS, r / EVENTS),
        "is not of the schema the record declares: columns missing",
    ),
    "retyped-column": (_retype, "column trigger_raw_start is string"),
    "renamed-column": (_rename, "columns missing: ['article_id'], unexpected: ['event_id']"),
    "not-parquet": (lambda r: (r / EVENTS).write_bytes(b"PAR1 nothing"), "not a readable Parquet"),
}


@pytest.mark.parametrize(("damage", "message"), SCHEMA_ATTACKS.values(), ids=SCHEMA_ATTACKS.keys())
def test_load_refuses_a_parquet_file_of_another_schema_with_a_recomputed_hash(
    release: Path, damage: Callable[[Path], Any], message: str
) -> None:
    damage(release)
    _rehash(release, EVENTS)
    for fmt in FORMATS:
        with pytest.raises(IntegrityError, match=re.escape(message)):
            articlepack.load("events", release=release, format=fmt)  # type: ignore[arg-type]
    result = _verify(str(release))
    assert result.exit_code == 1 and message in result.output


def test_load_refuses_a_documents_layer_of_another_shape_with_a_recomputed_hash(
    release: Path,
) -> None:
    # a layer nested in the documents table is checked member by member, not only as a list
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = "data/documents/train-00000-of-00001.parquet"
    table = pq.read_table(release / path)
    mentions = table.column("mentions").combine_chunks()
    members = mentions.values
    renamed = pa.StructArray.from_arrays(
        members.flatten(), names=[n.replace("entity_id", "entity") for n in members.type.names]
    )
    table = table.set_column(
        table.schema.get_field_index("mentions"),
        "mentions",
        pa.ListArray.from_arrays(mentions.offsets, renamed),
    )
    pq.write_table(table, release / path)
    _rehash(release, path)
    for fmt in FORMATS:
        with pytest.raises(IntegrityError, match="column mentions is list<"):
            articlepack.load("documents", release=release, format=fmt)  # type: ignore[arg-type]


def test_load_refuses_a_parquet_file_whose_pages_are_corrupt(release: Path) -> None:
    data = bytearray((release / EVENTS).read_bytes())
    data[4:400] = bytes(396)  # the footer stays intact, so only reading the pages tells
    (release / EVENTS).write_bytes(bytes(data))
    _rehash(release, EVENTS)
    for fmt in FORMATS:
        with pytest.raises(IntegrityError, match="is not a readable Parquet file"):
            articlepack.load("events", release=release, format=fmt)  # type: ignore[arg-type]


def test_load_refuses_a_row_count_other_than_the_declared_one(release: Path) -> None:
    import pyarrow.parquet as pq

    table = pq.read_table(release / MENTIONS)
    pq.write_table(table.slice(0, 3), release / MENTIONS)
    _rehash(release, MENTIONS)
    with pytest.raises(IntegrityError, match="holds 3 rows; the record declares 5"):
        articlepack.load("mentions", release=release, format="polars")


def test_load_an_empty_table_keeps_its_declared_schema(project: Any, tmp_path: Path) -> None:
    text = project.article.read_text(encoding="utf-8")
    project.article.write_text(text[: text.index("quotes:")], encoding="utf-8")
    release = build(project.root, tmp_path / "dist")
    assert _resource(_record(release), "quotes")["x-articlepack"]["rows"] == 0
    table = articlepack.load("quotes", release=release, format="arrow")
    assert table.num_rows == 0 and "speaker" in table.column_names
    for fmt in ("pandas", "polars"):
        assert len(articlepack.load("quotes", release=release, format=fmt)) == 0  # type: ignore[arg-type]


def _bomb(path: Path, kind: str) -> int:
    """A small event_arguments file whose four string columns decode to gigabytes."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from articlepack.schema import load_schemas

    schema = load_schemas(Path(articlepack.__file__).parent / "templates" / "project" / "schemas")[
        "event_arguments"
    ].arrow()
    if kind == "dictionary-runs":  # one 1,000-character value, run-length encoded 2 million times
        rows = 2_000_000
        indices = pa.array(np.zeros(rows, dtype=np.int32))
        value = pa.DictionaryArray.from_arrays(indices, pa.array(["x" * 1000]))
        encoded = pa.schema([f.with_type(value.type) for f in schema])
        # Written as it is, never decoded here; without the Arrow schema it reads back as string.
        table = pa.Table.from_arrays([value] * len(schema), schema=encoded)
        pq.write_table(table, path, compression="zstd", store_schema=False)
    else:  # 100 MB of repeated text in plain pages that zstd packs into a few kilobytes
        rows = 100_000
        value = pa.array(["y" * 250] * rows)
        table = pa.Table.from_arrays([value] * len(schema), schema=schema)
        pq.write_table(table, path, compression="zstd", use_dictionary=False)
    return rows


@pytest.mark.parametrize("kind", ["dictionary-runs", "zstd-pages"])
def test_load_refuses_a_parquet_bomb_before_reading_rows(release: Path, kind: str) -> None:
    rows = _bomb(release / ARGUMENTS, kind)
    assert (release / ARGUMENTS).stat().st_size < 1_000_000
    _rehash(release, ARGUMENTS, rows=rows)
    before = _snapshot(release)
    # With 4 GiB of address space, decoding the rows would fail: a refusal must come first.
    done = _run(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
        import articlepack
        for fmt in {FORMATS!r}:
            try:
                articlepack.load("event_arguments", release={str(release)!r}, format=fmt)
                print(fmt, "loaded")
            except articlepack.IntegrityError as exc:
                print(fmt, "refused:", exc)
        """
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("refused as a decompression bomb") == len(FORMATS), done.stdout
    assert _snapshot(release) == before


# -- authenticity: the record's digest --------------------------------------------------------------


def test_build_prints_the_record_digest_on_stderr(project: Any, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["build", str(project.root), "--out", str(tmp_path), "-q"])
    assert result.exit_code == 0, result.output
    target = Path(result.stdout.strip().splitlines()[-1])
    digest = hashlib.sha256((target / "datapackage.json").read_bytes()).hexdigest()
    assert f"record sha256 {digest}" in result.stderr.splitlines()
    assert articlepack.record_digest(target) == digest == articlepack.info(target).digest


def test_verify_expect_refuses_another_record_digest(release: Path) -> None:
    digest = articlepack.record_digest(release)
    assert _verify(str(release), "--expect", digest.upper()).exit_code == 0
    # Anyone can change a file and recompute the record: only the pinned digest tells.
    (release / "CITATION.cff").write_text("cff-version: 1.2.0\ntitle: Someone else's\n")
    _rehash(release, "CITATION.cff")
    assert _verify(str(release)).exit_code == 0
    result = _verify(str(release), "--expect", digest)
    assert result.exit_code == 1
    assert f"not the expected {digest}: this is not the release you asked for" in result.output
    with pytest.raises(IntegrityError, match="not the expected"):
        articlepack.load("mentions", release=release, format="arrow", expect=digest)
    with pytest.raises(IntegrityError, match="not the expected"):
        articlepack.info(release, expect=digest)
    new = articlepack.record_digest(release)
    assert len(articlepack.load("mentions", release=release, format="arrow", expect=new)) == 5


def test_verify_expect_needs_a_sha256(release: Path) -> None:
    result = _verify(str(release), "--expect", "12ab")
    assert result.exit_code == 2 and "64 hexadecimal digits" in result.output
    with pytest.raises(ValueError, match="64 hexadecimal digits"):
        articlepack.load(release=release, expect="not a digest")


# -- diff and the Hub cache read through the same reader ------------------------------------------


def test_diff_refuses_a_release_whose_parquet_has_another_schema(
    release: Path, built: Path
) -> None:
    shutil.copy(release / MENTIONS, release / EVENTS)
    _rehash(release, EVENTS)
    result = CliRunner().invoke(app, ["diff", str(built), str(release)])
    assert result.exit_code == 2
    assert "is not a sound release" in result.output
    assert "is not of the schema the record declares" in result.output


def test_diff_does_not_follow_a_symlink_out_of_the_release(
    release: Path, built: Path, outside: Path, watch: Callable[[], list[str]]
) -> None:
    shutil.move(release / EVENTS, outside / "events.parquet")
    (release / EVENTS).symlink_to(outside / "events.parquet")
    opened = watch()
    result = CliRunner().invoke(app, ["diff", str(built), str(release)])
    assert result.exit_code == 2 and "cannot be opened safely (a symbolic link)" in result.output
    assert not any(p.startswith(str(outside)) for p in opened)


def _hub_cache(release: Path, cache: Path) -> Path:
    """The release laid out as huggingface_hub caches a download: snapshot links into blobs."""
    repo = cache / "datasets--org--name"
    snapshot = repo / "snapshots" / ("0" * 40)
    for file in sorted(p for p in release.rglob("*") if p.is_file()):
        blob = repo / "blobs" / hashlib.sha256(file.read_bytes()).hexdigest()
        blob.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(file, blob)
        link = snapshot / file.relative_to(release)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    return snapshot


def test_load_from_the_hub_cache_follows_links_into_its_blobs_only(
    release: Path, tmp_path: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = _hub_cache(release, tmp_path / "hub")
    monkeypatch.setattr("huggingface_hub.snapshot_download", lambda **_: str(snapshot))
    for fmt in FORMATS:
        data = articlepack.load("mentions", repo="org/name", format=fmt)  # type: ignore[arg-type]
        assert len(data) == 5
    shutil.copy(snapshot / MENTIONS, outside / "m.parquet")
    (snapshot / MENTIONS).unlink()
    (snapshot / MENTIONS).symlink_to(outside / "m.parquet")
    with pytest.raises(IntegrityError, match="a symbolic link"):
        articlepack.load("mentions", repo="org/name", format="arrow")
