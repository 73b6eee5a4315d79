"""A project's files: where they are, and reading them without trusting them.

Each problem with a file becomes a :class:`~articlepack.report.Finding` in the list a function
is given, never an exception, so that one read reports every unreadable file at once. Nothing is
read through a symlink that leads out of the project, no open blocks on a FIFO or a device, and
raw.txt, the one large file, is hashed and decoded a chunk at a time.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from articlepack.report import Finding

ARTICLES_DIR = Path("corpus", "articles")
ANNOTATIONS_DIR = Path("corpus", "annotations")  # each annotator's own version, for agreement
DATASET = Path("corpus", "dataset.yaml")
ENTITIES = Path("corpus", "entities.yaml")
WAIVERS = Path("corpus", "waivers.yaml")
ARTICLE_FILES = frozenset({"article.yaml", "raw.txt"})  # all that an article folder holds
RAW_CHUNK = 1 << 20  # bytes; raw.txt is hashed and decoded a chunk at a time

_OUTSIDE = "symlink leads outside the project (or in a loop); nothing was read through it"
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # where there is none, every open checks for a link


def article_file(folder: str, name: str) -> str:
    """The project-relative path of the file ``name`` in the article folder ``folder``."""
    return f"{ARTICLES_DIR.as_posix()}/{folder}/{name}"


def article_folder(file: str) -> str:
    """The article folder of a path made by :func:`article_file`."""
    return file.split("/")[2]


def inside(root: Path, path: Path) -> bool:
    """Whether ``path``, its symlinks resolved, is within ``root`` (itself resolved)."""
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def article_folders(root: Path, findings: list[Finding]) -> Iterator[str]:
    """The names of the article folders, sorted; anything else in corpus/articles/ is a finding."""
    base = root / ARTICLES_DIR
    if not base.is_dir():
        return
    if not inside(root, base):
        findings.append(
            Finding(
                "unsafe-path",
                ARTICLES_DIR.as_posix(),
                "corpus/articles/ leads outside the project (a symlink?)",
            )
        )
        return
    for entry in sorted(os.scandir(base), key=lambda e: e.name):
        rel = f"{ARTICLES_DIR.as_posix()}/{_printable(entry.name)}"
        if not _utf8(entry.name):
            findings.append(Finding("not-utf8", rel, "the name is not valid UTF-8; rename it"))
        elif entry.is_symlink() and not inside(root, Path(entry.path)):
            findings.append(Finding("unsafe-path", rel, _OUTSIDE))
        elif entry.is_dir():
            yield entry.name
        else:
            findings.append(
                Finding("stray-file", rel, "only article folders belong in corpus/articles/")
            )


def stray_files(root: Path, folder: str, findings: list[Finding]) -> None:
    """Warn about anything in an article folder besides article.yaml and raw.txt."""
    try:
        names = sorted(os.listdir(f"{root}/{article_file(folder, '')}"))
    except OSError:
        return
    for entry in names:
        if entry not in ARTICLE_FILES:
            findings.append(
                Finding(
                    "stray-file",
                    article_file(folder, _printable(entry)),
                    "an article folder holds only article.yaml and raw.txt",
                )
            )


def signature(root: Path, folder: str) -> list[int]:
    """What changes when the folder or its files change: size, mtime, ctime and inode of each."""
    out: list[int] = []
    base = f"{root}/{ARTICLES_DIR.as_posix()}/{folder}"
    for path in (base, f"{base}/article.yaml", f"{base}/raw.txt"):
        try:
            st = os.stat(path)
        except OSError:
            out += (-1, -1, -1, -1)
        else:
            out += (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    return out


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in a file name arrive as lone surrogates
        return False
    return True


def _printable(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _open(
    root: Path, name: str, findings: list[Finding], *, optional: bool = False
) -> BinaryIO | None:
    """Open the regular file ``root/name`` for reading; problems become findings.

    Never follows a symlink out of the project, and never blocks on a FIFO or device.
    """
    try:
        fd = _open_fd(root, f"{root}/{name}")
    except FileNotFoundError:
        if not optional:
            missing = name.rsplit("/", 1)[-1]
            findings.append(Finding("missing-file", name, f"{missing} is missing"))
        return None
    except OSError as exc:
        findings.append(Finding("unreadable", name, f"cannot read the file: {exc.strerror}"))
        return None
    if fd is None:
        findings.append(Finding("unsafe-path", name, _OUTSIDE))
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        findings.append(
            Finding("unreadable", name, "not a regular file (a folder, pipe or device)")
        )
        return None
    return os.fdopen(fd, "rb")


def _open_fd(root: Path, path: str) -> int | None:
    """A descriptor for ``path``, or None for a symlink that leads out of the project."""
    if _NOFOLLOW:
        try:
            return os.open(path, _OPEN_FLAGS | _NOFOLLOW)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
    # a symlink, or a system that cannot refuse one at open: follow it only inside the project
    if Path(path).is_symlink() and not inside(root, Path(path)):
        return None
    return os.open(path, _OPEN_FLAGS)


def read_text(
    root: Path, name: str, findings: list[Finding], *, optional: bool = False
) -> str | None:
    """Read and decode a small UTF-8 file (YAML); problems become findings."""
    handle = _open(root, name, findings, optional=optional)
    if handle is None:
        return None
    try:
        with handle:
            data = handle.read()
    except OSError as exc:
        findings.append(Finding("unreadable", name, f"cannot read the file: {exc.strerror}"))
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        findings.append(Finding("bom", name, "remove the UTF-8 byte-order mark", line=1))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        findings.append(
            Finding(
                "not-utf8",
                name,
                f"byte {exc.start} (0x{data[exc.start]:02x}) is not valid UTF-8",
                line=line,
            )
        )
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        findings.append(Finding("nul-byte", name, "the file contains a NUL byte", line=line))
        return None
    return text


def read_raw(root: Path, name: str, findings: list[Finding]) -> tuple[str, str] | None:
    """Decode raw.txt and hash its bytes as a stream: returns ``(text, sha256 hex)``.

    The bytes are never held whole: each chunk is hashed, then decoded. A byte-order mark is kept
    (offsets count it, as they count every code point) and reported as a warning.
    """
    handle = _open(root, name, findings)
    if handle is None:
        return None
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    pieces: list[str] = []
    fed = lines = 0  # bytes given to the decoder so far; newlines decoded so far
    with handle:
        while True:
            try:
                chunk = handle.read(RAW_CHUNK)
            except OSError as exc:
                findings.append(
                    Finding("unreadable", name, f"cannot read the file: {exc.strerror}")
                )
                return None
            digest.update(chunk)
            pending = decoder.getstate()[0]
            try:
                piece = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                data = pending + chunk
                at = fed - len(pending) + exc.start
                line = lines + data[: exc.start].count(b"\n") + 1
                findings.append(
                    Finding(
                        "not-utf8",
                        name,
                        f"byte {at} (0x{data[exc.start]:02x}) is not valid UTF-8",
                        line=line,
                    )
                )
                return None
            nul = piece.find("\x00")
            if nul >= 0:
                line = lines + piece[:nul].count("\n") + 1
                findings.append(
                    Finding("nul-byte", name, "the file contains a NUL byte", line=line)
                )
                return None
            lines += piece.count("\n")
            fed += len(chunk)
            pieces.append(piece)
            if not chunk:
                break
    text = "".join(pieces)
    del pieces
    if text.startswith("\ufeff"):
        findings.append(
            Finding(
                "raw-bom",
                name,
                "raw.txt starts with a byte-order mark (U+FEFF); offsets count it as character 0",
                line=1,
            )
        )
    return text, digest.hexdigest()


def read_mapping(
    root: Path, rel: Path, findings: list[Finding], *, optional: bool = False
) -> dict[Any, Any] | None:
    """A YAML file that must hold a mapping; problems become findings."""
    text = read_text(root, rel.as_posix(), findings, optional=optional)
    return None if text is None else parse_mapping(text, rel.as_posix(), findings)


def parse_mapping(text: str, name: str, findings: list[Finding]) -> dict[Any, Any] | None:
    """A YAML text that must hold a mapping; problems become findings."""
    from articlepack import _yaml  # here: a warm run's verdict needs this module, not YAML

    if not text.strip():
        findings.append(Finding("empty-file", name, "the file is empty", line=1))
        return None
    try:
        data = _yaml.loads(text)
    except _yaml.YAMLProblem as exc:
        findings.append(Finding(exc.code, name, exc.message, line=exc.line))
        return None
    if data is None:
        findings.append(
            Finding(
                "empty-file", name, "the file holds no YAML (only comments or blank lines)", line=1
            )
        )
        return None
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single {type(data).__name__} value"
        findings.append(
            Finding(
                "not-a-mapping",
                name,
                f"expected a mapping of keys, found {kind}",
                line=_first_content_line(text),
            )
        )
        return None
    return data


def _first_content_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "---", "%")):
            return number
    return 1
