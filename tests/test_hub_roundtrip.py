"""The Hub round trip over real HTTP: publish, then load from a tag, the real clients unpatched.

A loopback stand-in for the Hub (:mod:`loopback_hub`) answers on 127.0.0.1, and the real clients
(`articlepack publish`, huggingface_hub, `datasets.load_dataset`) run in child processes whose
environment points ``HF_ENDPOINT`` at it: huggingface_hub and datasets read ``HF_ENDPOINT``,
``HF_HUB_OFFLINE`` and their cache folders once, when imported. ``HF_HUB_DISABLE_XET=1``: with
hf_xet installed the client uploads through Xet without asking the server whether it offers it,
and the stand-in, like a Hub without Xet, offers plain LFS only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

import articlepack
from articlepack._hub_http import Mask, talking
from articlepack.builder import build
from articlepack.diff import set_version
from articlepack.errors import PublishError
from articlepack.publish import publish as publish_release
from articlepack.verify import record
from conftest import TABLES, Project
from loopback_hub import READ, WRITE, Fault, LoopbackHub
from test_diff import add_article, commit, git

REPO = "loopback-org/news"
WRITER = "hf_loopbackWriter0123456789abcdef"
READER = "hf_loopbackReader0123456789abcdef"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackHub]:
    hub = LoopbackHub(tmp_path_factory.mktemp("hub") / "store")
    yield hub
    hub.stop()


@pytest.fixture
def hub(server: LoopbackHub) -> LoopbackHub:
    """The module's server, emptied: no repo, no fault; a write and a read-only token."""
    server.reset()
    server.tokens.update({WRITER: WRITE, READER: READ})
    return server


@dataclass(frozen=True)
class Releases:
    v1: Path  # 0.1.0: one article
    v2: Path  # 0.2.0: a second article (MINOR)
    rc9: Path  # 1.0.0-rc.9
    rc10: Path  # 1.0.0-rc.10


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    """Releases of one project whose dataset.yaml names REPO (so their cards and citations do)."""
    root = tmp_path_factory.mktemp("releases")
    project = Project(articlepack.init(root / "project"))
    project.edit("corpus/dataset.yaml", "your-org/example-news-corpus", REPO)
    built = {"v1": build(project.root, root / "v1")}
    add_article(project)
    for name, version in [("v2", "0.2.0"), ("rc9", "1.0.0-rc.9"), ("rc10", "1.0.0-rc.10")]:
        set_version(project.root / "corpus" / "dataset.yaml", version)
        built[name] = build(project.root, root / name)
    return Releases(**built)


def run(hub: LoopbackHub, *args: str, token: str | None = WRITER, **env: str) -> Any:
    """A child process with the clients pointed at the loopback Hub (and HF_* caches of the test)."""
    environ = {
        **os.environ,
        "HF_ENDPOINT": hub.url,
        "HF_HUB_OFFLINE": "0",
        "HF_HUB_DISABLE_XET": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        **env,
    }
    environ.pop("HF_TOKEN", None)
    if token is not None:
        environ["HF_TOKEN"] = token
    done = subprocess.run(
        [sys.executable, *args], env=environ, capture_output=True, text=True, timeout=300
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def publish(hub: LoopbackHub, release: Path, *args: str, **kwargs: Any) -> Any:
    return run(hub, "-m", "articlepack", "publish", str(release), *args, **kwargs)


LOAD = """
import json, sys
import articlepack, datasets
from articlepack.errors import HubError
repo, revision, tables, out = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4]
rows = {}
try:
    for table in tables:
        ours = articlepack.load(table, repo=repo, revision=revision).to_list()
        if sys.argv[5:] != ["articlepack-only"]:
            theirs = datasets.load_dataset(repo, table, revision=revision, split="train")
            rows[table] = {"datasets": theirs.to_list(), "articlepack": ours}
        else:
            rows[table] = {"articlepack": ours}
except HubError as exc:
    rows = {"error": str(exc), "reason": exc.reason}
with open(out, "w") as handle:
    json.dump(rows, handle, default=str)
"""


def load(
    hub: LoopbackHub,
    out: Path,
    revision: str,
    tables: tuple[str, ...],
    *extra: str,
    repo: str = REPO,
    **env: str,
) -> Any:
    done = run(hub, "-c", LOAD, repo, revision, ",".join(tables), str(out), *extra, **env)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text())


def rows(release: Path, table: str) -> Any:
    """A table of a local release as JSON would carry it."""
    data = articlepack.load(table, release=release).to_list()
    return json.loads(json.dumps(data, default=str))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def released(release: Path) -> dict[str, bytes]:
    return {
        p.relative_to(release).as_posix(): p.read_bytes() for p in release.rglob("*") if p.is_file()
    }


# -- the round trip ------------------------------------------------------------------------------


def test_publish_is_one_commit_of_every_file_then_the_tag(
    hub: LoopbackHub, releases: Releases
) -> None:
    done = publish(hub, releases.v1)  # no --repo: the one the release names
    assert done.returncode == 0, done.stderr
    digest = sha256((releases.v1 / "datapackage.json").read_bytes())
    assert f"sha256 of datapackage.json: {digest}" in done.stdout
    release_commit, initial = hub.history(REPO)  # exactly one commit over the Hub's own
    assert initial["title"] == "initial commit"
    assert hub.files(REPO, "v0.1.0") == {
        **released(releases.v1),
        ".gitattributes": hub.files(REPO)[".gitattributes"],
    }
    assert hub.refs(REPO)["tags"]["v0.1.0"]["commit"] == release_commit["oid"]
    assert (
        digest in release_commit["title"] and digest in hub.refs(REPO)["tags"]["v0.1.0"]["message"]
    )
    assert f"commit {release_commit['oid']}" in done.stdout
    uploads = [r for r in hub.requests if r[1].startswith("/lfs/")]
    assert uploads and not any(authorised for *_, authorised in uploads)  # no token to storage
    assert hub.unhandled == []


def test_every_config_loads_from_its_tag_and_an_old_tag_keeps_its_rows(
    hub: LoopbackHub, releases: Releases, tmp_path: Path
) -> None:
    assert publish(hub, releases.v1).returncode == 0
    assert publish(hub, releases.v2).returncode == 0  # MINOR: a new commit and tag
    v2_commit, v1_commit, _ = hub.history(REPO)
    tags = hub.refs(REPO)["tags"]
    assert (tags["v0.1.0"]["commit"], tags["v0.2.0"]["commit"]) == (
        v1_commit["oid"],
        v2_commit["oid"],
    )

    old = load(hub, tmp_path / "old.json", "v0.1.0", TABLES)
    for table in TABLES:
        assert old[table]["datasets"] == old[table]["articlepack"] == rows(releases.v1, table), (
            table
        )
    new = load(hub, tmp_path / "new.json", "v0.2.0", ("articles",))
    assert new["articles"]["datasets"] == rows(releases.v2, "articles")
    assert len(new["articles"]["datasets"]) == 2 and len(old["articles"]["datasets"]) == 1

    snapshots = (
        Path(os.environ["HF_HUB_CACHE"]) / f"datasets--{REPO.replace('/', '--')}" / "snapshots"
    )
    for release, oid in [(releases.v1, v1_commit["oid"]), (releases.v2, v2_commit["oid"])]:
        expected = {path: entry["sha256"] for path, entry in record(release).items()}
        expected["datapackage.json"] = sha256((release / "datapackage.json").read_bytes())
        downloaded = [p for p in (snapshots / oid).rglob("*") if p.is_file()]
        assert downloaded
        for file in downloaded:
            assert (
                sha256(file.read_bytes()) == expected[file.relative_to(snapshots / oid).as_posix()]
            )
    assert hub.unhandled == []


def test_offline_a_warm_cache_loads_and_a_cold_cache_says_so(
    hub: LoopbackHub, releases: Releases, tmp_path: Path
) -> None:
    assert publish(hub, releases.v1).returncode == 0
    online = load(hub, tmp_path / "online.json", "v0.1.0", ("events",), "articlepack-only")
    asked = len(hub.requests)
    offline = load(
        hub,
        tmp_path / "offline.json",
        "v0.1.0",
        ("events",),
        "articlepack-only",
        HF_HUB_OFFLINE="1",
    )
    assert offline == online and len(hub.requests) == asked  # the Hub was not asked
    cold = tmp_path / "cold"
    cold_env = {
        "HF_HOME": str(cold),
        "HF_HUB_CACHE": str(cold / "hub"),
        "HF_DATASETS_CACHE": str(cold / "datasets"),
    }
    result = load(
        hub,
        tmp_path / "cold.json",
        "v0.1.0",
        ("events",),
        "articlepack-only",
        HF_HUB_OFFLINE="1",
        **cold_env,
    )
    assert result["reason"] == "offline" and "HF_HUB_OFFLINE is set" in result["error"]
    assert (
        "the local cache does not hold it: load it once with HF_HUB_OFFLINE unset"
        in result["error"]
    )
    assert len(hub.requests) == asked


def test_load_from_the_hub_names_a_missing_repo_or_revision(
    hub: LoopbackHub, releases: Releases, tmp_path: Path
) -> None:
    assert publish(hub, releases.v1).returncode == 0
    only = "articlepack-only"
    missing = load(hub, tmp_path / "r.json", "v0.1.0", ("events",), only, repo="loopback-org/none")
    assert (
        missing["reason"] == "repo"
        and "has no dataset repo loopback-org/none@v0.1.0" in missing["error"]
    )
    revision = load(hub, tmp_path / "v.json", "v9.9.9", ("events",), only)
    assert (
        revision["reason"] == "repo"
        and f"has no such revision of {REPO}@v9.9.9" in revision["error"]
    )


# -- refusals: nothing half-written --------------------------------------------------------------


def test_publishing_an_existing_version_is_refused_before_any_write(
    hub: LoopbackHub, releases: Releases
) -> None:
    assert publish(hub, releases.v1).returncode == 0
    state, writes = hub.refs(REPO), len(hub.writes())
    done = publish(hub, releases.v1)
    assert done.returncode == 1 and "tag v0.1.0 already exists on the Hub" in done.stderr
    assert hub.refs(REPO) == state and len(hub.writes()) == writes


def test_a_concurrent_push_fails_the_publish_cleanly_and_leaves_the_hub_unchanged(
    hub: LoopbackHub, releases: Releases
) -> None:
    assert publish(hub, releases.v1).returncode == 0
    pushed: list[str] = []
    hub.faults.append(
        Fault("POST", "/commit/", before=lambda: pushed.append(hub.push(REPO, {"NOTES.md": b"hi"})))
    )
    done = publish(hub, releases.v2)
    assert done.returncode == 1, done.stderr
    assert "changed while publishing: someone else pushed (412" in done.stderr
    assert "nothing was published" in done.stderr
    assert hub.refs(REPO)["branches"]["main"] == pushed[0]  # the other push, and nothing of ours
    assert list(hub.refs(REPO)["tags"]) == ["v0.1.0"]
    assert hub.history(REPO)[0]["title"] == "a concurrent push"


def test_a_tag_that_failed_is_made_by_publishing_again(
    hub: LoopbackHub, releases: Releases
) -> None:
    hub.faults.append(Fault("POST", "/tag/", status=503))
    done = publish(hub, releases.v1)
    assert (
        done.returncode == 6
        and "but the tag v0.1.0 was not created: run publish again" in done.stderr
    )
    head = hub.refs(REPO)["branches"]["main"]
    assert hub.refs(REPO)["tags"] == {}
    assert publish(hub, releases.v1).returncode == 0
    assert hub.refs(REPO)["tags"]["v0.1.0"]["commit"] == head == hub.refs(REPO)["branches"]["main"]


def _closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


FAILURES: list[tuple[str, Callable[[], dict[str, Any]], int, list[str]]] = [
    (
        "token-401",
        lambda: {"token": "hf_loopbackUnknown0123456789"},
        3,
        ["rejected the token (401"],
    ),
    ("permission-403", lambda: {"token": READER}, 4, ["lacks the permission", "(403"]),
    (
        "repo-404",
        lambda: {"fault": Fault("GET", "/refs$", status=404, times=2)},
        5,
        ["has no dataset repo", "(404"],
    ),
    (
        "server-503",
        lambda: {"fault": Fault("GET", "/refs$", status=503)},
        6,
        ["server error (503", "worth retrying"],
    ),
    (
        "timeout",
        lambda: {"fault": Fault("GET", "/refs$", delay=1.5), "args": ["--timeout", "0.5"]},
        7,
        ["within 0.5 s", "(timed out)"],
    ),
    ("unreachable", lambda: {"endpoint": _closed_port()}, 8, ["could not reach the Hub"]),
]


@pytest.mark.parametrize(
    ("case", "code", "words"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES]
)
def test_each_hub_failure_has_its_own_message_and_exit_code(
    hub: LoopbackHub,
    releases: Releases,
    case: Callable[[], dict[str, Any]],
    code: int,
    words: list[str],
) -> None:
    setup = case()
    hub.create(REPO)
    before = hub.refs(REPO)
    if "fault" in setup:
        hub.faults.append(setup["fault"])
    env = {"HF_ENDPOINT": setup["endpoint"]} if "endpoint" in setup else {}
    done = publish(
        hub, releases.v1, *setup.get("args", []), token=setup.get("token", WRITER), **env
    )
    assert done.returncode == code, done.stderr
    assert all(word in done.stderr for word in words), done.stderr
    assert "nothing was published" in done.stderr and done.stderr.count("\n") == 1
    if code == 8:
        assert "refused" not in done.stderr
    assert hub.refs(REPO) == before


# -- the token, in every form --------------------------------------------------------------------

SECRET = "hf_loopbackSecret7Qx2Lm9Pw4Rt6Yz"
ENDINGS = {"cr": "\r", "lf": "\n", "crlf": "\r\n", "spaces": "  ", "control-char": "\x01"}


@pytest.mark.parametrize("ending", ENDINGS.values(), ids=ENDINGS.keys())
def test_the_token_appears_nowhere_when_the_hub_rejects_it(
    hub: LoopbackHub, releases: Releases, tmp_path: Path, ending: str
) -> None:
    raw = f" {SECRET}{ending}" if ending == "  " else f"{SECRET}{ending}"
    release = Path(shutil.copytree(releases.v1, tmp_path / releases.v1.name))
    done = publish(hub, release, token=raw, HF_DEBUG="1", HF_HUB_VERBOSITY="debug")
    assert done.returncode == 3 and "rejected the token (401" in done.stderr, done.stderr
    output = done.stdout + done.stderr
    forms = {
        raw,
        raw.strip(),
        repr(raw)[1:-1],
        repr(raw.encode())[2:-1],
        quote(raw),
        quote(raw.strip()),
    }
    assert not [form for form in forms if form in output]
    assert SECRET[3:] not in output  # not even the token's body, in any escaping
    written = [*release.rglob("*"), *Path(os.environ["HF_HOME"]).rglob("*")]
    assert not [p for p in written if p.is_file() and SECRET[3:].encode() in p.read_bytes()]


def test_a_token_with_a_trailing_newline_still_publishes(
    hub: LoopbackHub, releases: Releases
) -> None:
    assert publish(hub, releases.v1, token=f"{WRITER}\r\n").returncode == 0
    assert "v0.1.0" in hub.refs(REPO)["tags"]


# -- publish checks before the network -----------------------------------------------------------


@pytest.mark.parametrize(
    ("repo", "words"),
    [
        ("loopback-org/na--me", "not a dataset repo id the Hub accepts: Cannot have -- or .."),
        ("loopback-org/news.git", "cannot end by '.git'"),
        ("news", "a dataset repo id is ORG/NAME"),
        ("loopback-org/new s", "must use alphanumeric chars"),
    ],
    ids=["double-dash", "dot-git", "no-org", "space"],
)
def test_publish_refuses_a_repo_id_the_hub_would_reject(
    releases: Releases, repo: str, words: str
) -> None:
    # refused before the token is even looked for: no network (this process has no Hub to reach)
    with pytest.raises(PublishError, match=re.escape(words)):
        publish_release(releases.v1, repo)


def test_publish_refuses_a_repo_other_than_the_one_baked_into_the_release(
    hub: LoopbackHub, releases: Releases
) -> None:
    done = publish(hub, releases.v1, "--repo", "loopback-org/elsewhere")
    assert done.returncode == 1
    assert (
        f"was built for {REPO}" in done.stderr
        and "change hub.repo in corpus/dataset.yaml and rebuild" in done.stderr
    )
    assert hub.requests == []


def test_dry_run_touches_nothing_and_needs_no_token(hub: LoopbackHub, releases: Releases) -> None:
    done = publish(hub, releases.v1, "--dry-run", token=None)
    assert done.returncode == 0, done.stderr
    assert f"{REPO}: would commit {len(released(releases.v1))} files" in done.stdout
    assert "tag v0.1.0" in done.stdout and "sha256 of datapackage.json" in done.stdout
    assert hub.requests == []


def test_publish_without_a_token_says_how_to_get_one(hub: LoopbackHub, releases: Releases) -> None:
    done = publish(hub, releases.v1, token=None)
    assert done.returncode == 1 and "set HF_TOKEN or run `hf auth login`" in done.stderr
    assert hub.requests == []


def test_publish_refuses_an_unverified_release(
    hub: LoopbackHub, releases: Releases, tmp_path: Path
) -> None:
    release = Path(shutil.copytree(releases.v1, tmp_path / releases.v1.name))
    parquet = release / "data" / "quotes" / "train-00000-of-00001.parquet"
    data = bytearray(parquet.read_bytes())
    data[len(data) // 2] ^= 1
    parquet.write_bytes(bytes(data))
    done = publish(hub, release)
    assert done.returncode == 1 and "refusing to publish a release that fails verify" in done.stderr
    assert hub.requests == []


# -- SemVer precedence ---------------------------------------------------------------------------


def test_prerelease_rc10_is_newer_than_rc9_for_publish_and_the_gate(
    hub: LoopbackHub, releases: Releases, project: Project
) -> None:
    assert publish(hub, releases.rc10).returncode == 0
    done = publish(hub, releases.rc9)
    assert done.returncode == 1
    assert "version 1.0.0-rc.9 is not newer than the Hub's latest tag v1.0.0-rc.10" in done.stderr
    hub.reset()
    hub.tokens[WRITER] = WRITE
    assert publish(hub, releases.rc9).returncode == 0
    assert publish(hub, releases.rc10).returncode == 0, "rc.10 follows rc.9"

    # the version gate: the latest tag is v1.0.0-rc.10, whose content the corpus still has
    git(project.root, "init", "-q", "-b", "main")
    set_version(project.root / "corpus" / "dataset.yaml", "1.0.0-rc.9")
    commit(project, "rc.9", "v1.0.0-rc.9")
    add_article(project)
    set_version(project.root / "corpus" / "dataset.yaml", "1.0.0-rc.10")
    commit(project, "rc.10", "v1.0.0-rc.10")
    code, data = project.validate("--against-latest")
    gate = data["version_gate"]
    assert code == 0 and gate["passed"] and gate["against"] == "v1.0.0-rc.10", gate


@pytest.mark.parametrize("ending", ENDINGS.values(), ids=ENDINGS.keys())
def test_the_mask_hides_every_form_of_the_token(ending: str) -> None:
    raw = f"{SECRET}{ending}"
    masked = Mask([raw, raw.strip()])
    escaped = repr(raw.encode())[2:-1]
    for text in [
        f"Illegal header value b'Bearer {escaped}'",  # how httpx quoted it before it was stripped
        f"token={raw!r}",
        f"https://hub.example/x?token={quote(raw)}",
        json.dumps({"authorization": f"Bearer {raw}"}),
        f"{raw} and {raw.strip()}",
        "another token: hf_0123456789abcdefABCDEF",
    ]:
        assert SECRET[3:] not in masked(text) and "0123456789abcdef" not in masked(text), text


def test_talking_masks_what_the_clients_log(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HF_TOKEN", f"{SECRET}\r\n")
    with caplog.at_level(logging.INFO), talking(REPO):
        logging.getLogger("huggingface_hub.test").warning("sent %r", f"Bearer {SECRET}\r\n")
    assert "sent" in caplog.text and SECRET[3:] not in caplog.text
