"""A loopback stand-in for the Hugging Face Hub's HTTP API, for the round-trip tests.

It speaks the subset that huggingface_hub 2.x and datasets 5.x use to publish a dataset and to
download it, so the real clients run unpatched against it, exactly as against huggingface.co:

| endpoint                                        | client call that needs it                 |
|-------------------------------------------------|-------------------------------------------|
| POST /api/repos/create                          | create_repo (publish, for a new repo)     |
| GET  /api/datasets/R/refs                       | list_repo_refs (publish: tags and head)   |
| GET  /api/datasets/R/revision/REV               | repo_info: the head's files (publish), a tag's commit |
| GET  /api/datasets/R/tree/REV[/PATH]            | snapshot_download (recursive), datasets (a config's folder) |
| POST /api/validate-yaml                         | create_commit (README.md's metadata)      |
| POST /api/datasets/R/preupload/main             | create_commit (regular or LFS, and the oid of an unchanged file) |
| POST /datasets/R.git/info/lfs/objects/batch     | create_commit (LFS upload actions)        |
| PUT  {cdn}/lfs/upload/SHA256                    | create_commit (LFS basic transfer)        |
| POST /datasets/R.git/info/lfs/objects/verify    | create_commit (after each LFS upload)     |
| POST /api/datasets/R/commit/main                | create_commit (NDJSON; 412 on a stale parent) |
| POST /api/datasets/R/tag/REV                    | create_tag (409 on an existing tag)       |
| HEAD/GET /datasets/R/resolve/REV/PATH           | hf_hub_download: X-Repo-Commit, ETag; LFS: 302, X-Linked-* |
| GET  {cdn}/lfs/objects/SHA256                   | hf_hub_download (after the 302)           |

``{cdn}`` is ``http://localhost:PORT`` while the Hub is ``http://127.0.0.1:PORT``: another host, as
the Hub's LFS storage is, so the client must not send the token there. Commits, objects and tags
are files under ``root``, written once and never changed; only a branch head moves, under a lock,
and only from the parent the commit names. :class:`Fault` makes chosen requests fail or stall.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import re
import shutil
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loopback_http import Answer, Blob, Fault, Redirect, Request, serve

LFS_PATTERNS = ("*.parquet", "*.arrow", "*.bin")
WRITE, READ = "write", "read"


@dataclass
class LoopbackHub:
    """The Hub's state under ``root`` and its routes; :meth:`reset` between tests."""

    root: Path
    tokens: dict[str, str] = field(default_factory=dict)  # token -> READ or WRITE
    faults: list[Fault] = field(default_factory=list)
    #: (method, path, status, whether an Authorization header came along)
    requests: list[tuple[str, str, int, bool]] = field(default_factory=list)
    unhandled: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server, port = serve(self)
        self.url = f"http://127.0.0.1:{port}"
        self.cdn = f"http://localhost:{port}"  # another host, as the Hub's LFS storage is

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        """Forget every repo, fault and request: a fresh Hub for the next test."""
        with self._lock:
            shutil.rmtree(self.root, ignore_errors=True)
            self.tokens, self.faults, self.requests, self.unhandled = {}, [], [], []

    # -- inspection, for the tests' assertions ------------------------------------------------

    def refs(self, repo: str) -> dict[str, Any]:
        return (
            json.loads(self._repo_file(repo).read_text()) if self._repo_file(repo).exists() else {}
        )

    def history(self, repo: str, revision: str = "main") -> list[dict[str, Any]]:
        """The commits reachable from ``revision``, newest first."""
        out, oid = [], self._resolve(repo, revision)
        while oid:
            commit = self._commit(oid)
            out.append({"oid": oid, **commit})
            oid = commit["parent"]
        return out

    def files(self, repo: str, revision: str = "main") -> dict[str, bytes]:
        tree = self._commit(self._resolve(repo, revision))["files"]
        return {path: self._object(entry["sha256"]).read_bytes() for path, entry in tree.items()}

    def writes(self) -> list[tuple[str, str, int, bool]]:
        """The requests that may change a repo (whatever their answer)."""
        return [
            r for r in self.requests if re.search(r"/(commit|tag|preupload)/|lfs/|create", r[1])
        ]

    def create(self, repo: str) -> None:
        """A repo as the Hub creates it: one commit holding ``.gitattributes``."""
        with self._lock:
            if self.refs(repo):
                raise Answer(409, "You already created this dataset repo", url=self._page(repo))
            head = self._new_commit(repo, None, self._initial_files(), "initial commit")
            self._save_refs(repo, {"branches": {"main": head}, "tags": {}})

    def push(self, repo: str, files: dict[str, bytes], title: str = "a concurrent push") -> str:
        """Commit ``files`` onto ``main`` directly, as another user's push would."""
        with self._lock:
            refs = self.refs(repo)
            head = refs["branches"]["main"]
            tree = dict(self._commit(head)["files"])
            tree.update({path: self._entry(data, lfs=False) for path, data in files.items()})
            refs["branches"]["main"] = self._new_commit(repo, head, tree, title)
            self._save_refs(repo, refs)
            return str(refs["branches"]["main"])

    # -- storage --------------------------------------------------------------------------------

    def _repo_file(self, repo: str) -> Path:
        return self.root / "repos" / f"{repo}.json"

    def _object(self, sha256: str) -> Path:
        return self.root / "objects" / sha256

    def _commit(self, oid: str) -> dict[str, Any]:
        return json.loads((self.root / "commits" / f"{oid}.json").read_text())

    def _write_once(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "xb") as handle:
                handle.write(data)
        except FileExistsError:  # content-addressed: the same name is the same content
            pass

    def _store(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        self._write_once(self._object(sha256), data)
        return sha256

    def _new_commit(self, repo: str, parent: str | None, files: dict[str, Any], title: str) -> str:
        body = {"repo": repo, "parent": parent, "files": files, "title": title, "date": _now()}
        data = json.dumps(body, sort_keys=True).encode()
        oid = hashlib.sha1(data).hexdigest()
        self._write_once(self.root / "commits" / f"{oid}.json", data)
        return oid

    def _resolve(self, repo: str, revision: str) -> str:
        refs = self.refs(repo)
        if not refs:
            raise Answer(404, "Repository not found", "RepoNotFound")
        if revision in refs["branches"]:
            return str(refs["branches"][revision])
        if revision in refs["tags"]:
            return str(refs["tags"][revision]["commit"])
        path = self.root / "commits" / f"{revision}.json"
        if (
            re.fullmatch(r"[0-9a-f]{40}", revision)
            and path.exists()
            and self._commit(revision)["repo"] == repo
        ):
            return revision
        raise Answer(404, f"Invalid rev id: {revision}", "RevisionNotFound")

    def _save_refs(self, repo: str, refs: dict[str, Any]) -> None:
        path = self._repo_file(repo)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.with_suffix(".tmp").write_text(json.dumps(refs))
        path.with_suffix(".tmp").replace(path)

    # -- routes ---------------------------------------------------------------------------------

    def route(self, request: Request) -> Any:
        """The answer of the route ``request`` matches (``HEAD`` as ``GET``, without the body)."""
        method = "GET" if request.method == "HEAD" else request.method
        for verb, pattern, name in ROUTES:
            match = re.fullmatch(pattern, request.path)
            if verb == method and match:
                arguments = {k: v for k, v in match.groupdict().items() if v is not None}
                return getattr(self, name)(request, **arguments)
        self.unhandled.append(f"{request.method} {request.path}")
        raise Answer(404, f"no route for {request.method} {request.path}")

    def create_repo(self, request: Request) -> Any:
        self._authorise(request, write=True)
        body = request.json()
        repo = f"{body.get('organization')}/{body.get('name')}"
        self.create(repo)
        return {"url": self._page(repo), "name": repo}

    def repo_info(self, request: Request, repo: str, revision: str = "main") -> Any:
        self._authorise(request)
        oid = self._resolve(repo, revision)
        commit = self._commit(oid)
        siblings = [{"rfilename": path} for path in sorted(commit["files"])]
        return {
            "_id": oid,
            "id": repo,
            "author": repo.split("/")[0],
            "sha": oid,
            "private": False,
            "disabled": False,
            "gated": False,
            "lastModified": commit["date"],
            "tags": [],
            "downloads": 0,
            "likes": 0,
            "siblings": siblings,
        }

    def list_refs(self, request: Request, repo: str) -> Any:
        self._authorise(request)
        self._resolve(repo, "main")  # a missing repo is a 404
        refs = self.refs(repo)
        branches = [
            {"name": n, "ref": f"refs/heads/{n}", "targetCommit": c}
            for n, c in refs["branches"].items()
        ]
        tags = [
            {"name": n, "ref": f"refs/tags/{n}", "targetCommit": t["commit"]}
            for n, t in refs["tags"].items()
        ]
        return {"branches": branches, "converts": [], "tags": tags, "pullRequests": []}

    def create_tag(self, request: Request, repo: str, revision: str) -> Any:
        self._authorise(request, write=True)
        body = request.json()
        with self._lock:
            oid = self._resolve(repo, revision)
            refs = self.refs(repo)
            if body["tag"] in refs["tags"] or body["tag"] in refs["branches"]:
                raise Answer(409, "Tag already exists")
            refs["tags"][body["tag"]] = {"commit": oid, "message": body.get("message", "")}
            self._save_refs(repo, refs)
        return {}

    def tree(self, request: Request, repo: str, revision: str, path: str = "") -> Any:
        self._authorise(request)
        oid = self._resolve(repo, revision)
        recursive = request.query.get("recursive", ["false"])[0].lower() == "true"
        entries = self._entries(oid)  # (no "expand": neither client asks for it)
        prefix = f"{path.strip('/')}/" if path.strip("/") else ""
        if prefix and prefix[:-1] not in entries:
            raise Answer(404, f"{path} does not exist", "EntryNotFound", **{"X-Repo-Commit": oid})
        return [
            entry
            for name, entry in sorted(entries.items())
            if name.startswith(prefix) and (recursive or "/" not in name[len(prefix) :])
        ]

    def validate_yaml(self, request: Request) -> Any:
        import yaml

        content = request.json()["content"]
        match = re.match(r"---\n(.*?)\n---", content, re.DOTALL)
        try:
            yaml.safe_load(match.group(1) if match else "")
        except yaml.YAMLError as exc:
            raise Answer(400, f"Invalid YAML: {exc}") from None
        return {"errors": [], "warnings": []}

    def preupload(self, request: Request, repo: str, revision: str) -> Any:
        self._authorise(request, write=True)
        tree = self._commit(self._resolve(repo, revision))["files"]
        lfs = self._lfs_patterns(tree)
        out = []
        for file in request.json()["files"]:
            sample = base64.b64decode(file["sample"])
            is_lfs = any(fnmatch.fnmatch(file["path"].rsplit("/", 1)[-1], p) for p in lfs)
            is_lfs = is_lfs or file["size"] >= 10_000_000 or b"\0" in sample
            existing = tree.get(file["path"])
            oid = None if existing is None else existing["sha256" if existing["lfs"] else "git"]
            out.append(
                {
                    "path": file["path"],
                    "uploadMode": "lfs" if is_lfs else "regular",
                    "shouldIgnore": False,
                    "oid": oid,
                }
            )
        return {"files": out, "commitOid": self._resolve(repo, revision)}

    def lfs_batch(self, request: Request, repo: str) -> Any:
        self._authorise(request, write=True)
        objects = []
        for item in request.json()["objects"]:
            answer = {"oid": item["oid"], "size": item["size"], "authenticated": True}
            if not self._object(item["oid"]).exists():
                answer["actions"] = {
                    "upload": {"href": f"{self.cdn}/lfs/upload/{item['oid']}?size={item['size']}"},
                    "verify": {"href": f"{self.url}/datasets/{repo}.git/info/lfs/objects/verify"},
                }
            objects.append(answer)
        return {"transfer": "basic", "objects": objects}

    def lfs_upload(self, request: Request, sha256: str) -> Any:
        data = request.body
        if hashlib.sha256(data).hexdigest() != sha256 or str(len(data)) != request.query["size"][0]:
            raise Answer(400, "uploaded content does not match its oid and size")
        self._store(data)
        return {}

    def lfs_verify(self, request: Request, repo: str) -> Any:
        self._authorise(request, write=True)
        if not self._object(request.json()["oid"]).exists():
            raise Answer(404, "object not found")
        return {}

    def commit(self, request: Request, repo: str, revision: str) -> Any:
        self._authorise(request, write=True)
        lines = [json.loads(line) for line in request.body.decode().splitlines() if line.strip()]
        header = next(line["value"] for line in lines if line["key"] == "header")
        with self._lock:
            head = self._resolve(repo, revision)
            if header.get("parentCommit") not in (None, head):
                raise Answer(412, "A commit has happened since. Please refresh and try again.")
            files = dict(self._commit(head)["files"])
            for line in lines:
                value = line["value"]
                if line["key"] == "file":
                    files[value["path"]] = self._entry(
                        base64.b64decode(value["content"]), lfs=False
                    )
                elif line["key"] == "lfsFile":
                    if not self._object(value["oid"]).exists():
                        raise Answer(422, f"LFS object {value['oid']} was never uploaded")
                    files[value["path"]] = self._entry(
                        self._object(value["oid"]).read_bytes(), lfs=True
                    )
                elif line["key"] == "deletedFile":
                    if files.pop(value["path"], None) is None:
                        raise Answer(404, "A file with this name doesn't exist", "EntryNotFound")
                elif line["key"] != "header":
                    raise Answer(400, f"the stand-in does not know {line['key']!r}")
            title = f"{header['summary']}\n\n{header.get('description', '')}".strip()
            oid = self._new_commit(repo, head, files, title)
            refs = self.refs(repo)
            refs["branches"][revision] = oid
            self._save_refs(repo, refs)
        return {
            "success": True,
            "commitOid": oid,
            "commitUrl": f"{self._page(repo)}/commit/{oid}",
            "hookOutput": "",
            "pullRequestUrl": None,
        }

    def resolve(self, request: Request, repo: str, revision: str, path: str) -> Any:
        self._authorise(request)
        oid = self._resolve(repo, revision)
        entry = self._commit(oid)["files"].get(path)
        if entry is None:
            raise Answer(404, "Entry not found", "EntryNotFound", **{"X-Repo-Commit": oid})
        headers = {"X-Repo-Commit": oid, "Accept-Ranges": "bytes"}
        if entry["lfs"]:
            return Redirect(
                f"{self.cdn}/lfs/objects/{entry['sha256']}",
                {
                    **headers,
                    "X-Linked-Etag": f'"{entry["sha256"]}"',
                    "X-Linked-Size": str(entry["size"]),
                    "ETag": f'"{entry["git"]}"',
                },
            )
        return Blob(
            self._object(entry["sha256"]).read_bytes(), {**headers, "ETag": f'"{entry["git"]}"'}
        )

    def cdn_object(self, request: Request, sha256: str) -> Any:
        if not self._object(sha256).exists():
            raise Answer(404, "NoSuchKey")
        return Blob(self._object(sha256).read_bytes(), {"ETag": f'"{sha256}"'})

    # -- helpers -------------------------------------------------------------------------------

    def _authorise(self, request: Request, write: bool = False) -> None:
        header = request.headers.get("Authorization")
        token = header.removeprefix("Bearer ") if header else None
        if token is not None and token not in self.tokens:
            message = "Invalid credentials in Authorization header"
            raise Answer(401, message, **{"X-Error-Message": message})
        if write and token is None:
            raise Answer(401, "Invalid username or password.")
        if write and self.tokens.get(token or "") != WRITE:
            message = "You don't have the rights to write to this repo"
            raise Answer(403, message, **{"X-Error-Message": message})

    def _entry(self, data: bytes, lfs: bool) -> dict[str, Any]:
        sha256 = self._store(data)
        blob = _pointer(sha256, len(data)) if lfs else data
        git = hashlib.sha1(b"blob %d\0" % len(blob) + blob).hexdigest()
        return {"sha256": sha256, "size": len(data), "lfs": lfs, "git": git, "pointer": len(blob)}

    def _entries(self, oid: str) -> dict[str, dict[str, Any]]:
        """Every file and folder of a commit, as the tree endpoint lists them."""
        out: dict[str, dict[str, Any]] = {}
        for path, entry in self._commit(oid)["files"].items():
            lfs = {"oid": entry["sha256"], "size": entry["size"], "pointerSize": entry["pointer"]}
            out[path] = {"type": "file", "oid": entry["git"], "size": entry["size"], "path": path}
            if entry["lfs"]:
                out[path]["lfs"] = lfs
            parts = path.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                folder = "/".join(parts[:depth])
                tree_oid = hashlib.sha1(f"{oid}:{folder}".encode()).hexdigest()
                out.setdefault(
                    folder, {"type": "directory", "oid": tree_oid, "size": 0, "path": folder}
                )
        return out

    def _initial_files(self) -> dict[str, Any]:
        attributes = "".join(f"{p} filter=lfs diff=lfs merge=lfs -text\n" for p in LFS_PATTERNS)
        return {".gitattributes": self._entry(attributes.encode(), lfs=False)}

    def _lfs_patterns(self, tree: dict[str, Any]) -> list[str]:
        if ".gitattributes" not in tree:
            return []
        text = self._object(tree[".gitattributes"]["sha256"]).read_text()
        return [line.split()[0] for line in text.splitlines() if "filter=lfs" in line]

    def _page(self, repo: str) -> str:
        return f"{self.url}/datasets/{repo}"


REPO = r"(?P<repo>[^/]+/[^/]+)"
ROUTES: list[tuple[str, str, str]] = [
    ("POST", r"/api/repos/create", "create_repo"),
    ("GET", rf"/api/datasets/{REPO}/refs", "list_refs"),
    ("GET", rf"/api/datasets/{REPO}/tree/(?P<revision>[^/]+)(?:/(?P<path>.*))?", "tree"),
    ("POST", rf"/api/datasets/{REPO}/preupload/(?P<revision>[^/]+)", "preupload"),
    ("POST", rf"/api/datasets/{REPO}/commit/(?P<revision>[^/]+)", "commit"),
    ("POST", rf"/api/datasets/{REPO}/tag/(?P<revision>[^/]+)", "create_tag"),
    ("GET", rf"/api/datasets/{REPO}(?:/revision/(?P<revision>[^/]+))?", "repo_info"),
    ("POST", r"/api/validate-yaml", "validate_yaml"),
    ("POST", rf"/datasets/{REPO}\.git/info/lfs/objects/batch", "lfs_batch"),
    ("POST", rf"/datasets/{REPO}\.git/info/lfs/objects/verify", "lfs_verify"),
    ("PUT", r"/lfs/upload/(?P<sha256>[0-9a-f]{64})", "lfs_upload"),
    ("GET", r"/lfs/objects/(?P<sha256>[0-9a-f]{64})", "cdn_object"),
    ("GET", rf"/datasets/{REPO}/resolve/(?P<revision>[^/]+)/(?P<path>.+)", "resolve"),
]


def _pointer(sha256: str, size: int) -> bytes:
    return (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
