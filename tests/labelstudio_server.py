"""A real Label Studio server in the loop (run by `nox -s labelstudio`, not by pytest).

1. `articlepack export labelstudio` a copy of the project (labeling config + tasks);
2. start Label Studio on 127.0.0.1 (a free port, a temporary data folder, a random token, no
   sign-up, no analytics, no Sentry, no version check);
3. create a project with the exported labeling config through the HTTP API and import the tasks;
4. export the project's JSON through the API (a snapshot with the annotators' emails);
5. `articlepack import labelstudio` that JSON (and the server's labeling config) with `--replace`
   into the copy, and compare every table with the original: they must be equal.

It then sends the test fixture (two annotators, a prediction, a skipped annotation, emoji before
spans) through the same server and checks that articlepack reads back what it read before.

Label Studio gives the imported annotations to its own user: the annotators of an export
(annotator None, the published version) come back as that user's email, so the import uses the
default mapping without `annotators` (the article's annotators field keeps its value).

    python tests/labelstudio_server.py --label-studio PATH/bin/label-studio [--project DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "labelstudio"
sys.path.insert(0, str(ROOT / "tests"))


class Server:
    """A Label Studio server process of our own, and its HTTP API."""

    def __init__(self, executable: str, data: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.token = secrets.token_hex(20)
        self.admin = "admin@articlepack.invalid"
        env = os.environ | {
            "LABEL_STUDIO_BASE_DATA_DIR": str(data),
            "LABEL_STUDIO_USERNAME": self.admin,
            "LABEL_STUDIO_PASSWORD": secrets.token_urlsafe(16),
            "LABEL_STUDIO_USER_TOKEN": self.token,
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
            "COLLECT_ANALYTICS": "false",
            "LATEST_VERSION_CHECK": "false",
            "SENTRY_DSN": "",
            "FRONTEND_SENTRY_DSN": "",
        }
        command = [executable, "start", "--no-browser", "--internal-host", "127.0.0.1"]
        self.log = open(data / "server.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait(self, timeout: float) -> float:
        """Seconds until the server answers /health (the first start migrates its database)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.process.poll() is not None:
                raise SystemExit(f"Label Studio exited ({self.process.returncode}); see its log")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=5):
                    return time.monotonic() - start
            except OSError:
                time.sleep(1)
        raise SystemExit(f"Label Studio did not answer within {timeout:.0f} s")

    def call(self, method: str, path: str, body: Any = None, *, raw: bool = False) -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                data = response.read()
        except urllib.error.HTTPError as exc:
            raise SystemExit(f"{method} {path}: {exc.code} {exc.read()[:500]!r}") from None
        return data if raw else json.loads(data or b"null")

    def round_trip(self, config: str, tasks: list[Any], out: Path) -> float:
        """Create a project, import the tasks, export the project's JSON and config to ``out``."""
        start = time.monotonic()
        project = self.call("POST", "/api/projects/", {"title": out.name, "label_config": config})
        imported = self.call("POST", f"/api/projects/{project['id']}/import", tasks)
        if imported.get("task_count") != len(tasks):
            raise SystemExit(f"Label Studio imported {imported} of {len(tasks)} tasks")
        options = {"annotations__completed_by": {"only_id": False}}  # annotators' emails
        snapshot = self.call(
            "POST",
            f"/api/projects/{project['id']}/exports/",
            {"title": "articlepack", "serialization_options": options},
        )
        path = f"/api/projects/{project['id']}/exports/{snapshot['id']}"
        while self.call("GET", path)["status"] not in ("completed", "failed"):
            time.sleep(0.5)
        out.mkdir(parents=True)
        export = self.call("GET", f"{path}/download?exportType=JSON", raw=True)
        (out / "project.json").write_bytes(export)
        label_config = self.call("GET", f"/api/projects/{project['id']}")["label_config"]
        (out / "config.xml").write_text(label_config, encoding="utf-8")
        return time.monotonic() - start

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def articlepack(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "articlepack", *args], check=True)


def tables(project: Path) -> dict[str, Any]:
    from articlepack.corpus import read

    found = {}
    for name, table in read(project, cache=False).tables.items():
        columns = [c for c in table.columns if not c.startswith("_")]  # _file, _path: where
        found[name] = table.select(columns).sort(columns)
    return found


def project_round_trip(server: Server, source: Path, work: Path) -> dict[str, float]:
    project = work / "project"
    for name in ("corpus", "schemas"):
        shutil.copytree(source / name, project / name)
    shutil.copy(source / "datacard.md", project / "datacard.md")
    before = tables(project)
    articlepack("export", "labelstudio", str(project), "--out", str(work / "export"))
    config = (work / "export" / "config.xml").read_text(encoding="utf-8")
    tasks = json.loads((work / "export" / "tasks.json").read_text(encoding="utf-8"))
    seconds = server.round_trip(config, tasks, work / "from-server")
    default = ROOT / "src" / "articlepack" / "data" / "mappings" / "default.yaml"
    mapping = default.read_text(encoding="utf-8").replace("  annotators: annotators\n", "")
    (work / "mapping.yaml").write_text(mapping, encoding="utf-8")
    articlepack(
        "import", "labelstudio", str(work / "from-server"), str(project),
        "--replace", "--mapping", str(work / "mapping.yaml"), "--report", str(work / "report.json"),
    )  # fmt: skip
    after = tables(project)
    differ = [name for name in before if not before[name].equals(after.get(name))]
    if differ:
        raise SystemExit(f"tables differ after the Label Studio round trip: {differ}")
    print(f"project: {len(tasks)} tasks, every table equal: {', '.join(before)}")
    return {"server round trip (project)": seconds}


def fixture_round_trip(server: Server, work: Path) -> dict[str, float]:
    from articlepack.interchange import labelstudio
    from articlepack.interchange.model import Labels
    from interchange_compare import canonical

    expected, _ = labelstudio.read(FIXTURES)
    (export,) = FIXTURES.glob("*.json")
    tasks = json.loads(export.read_text(encoding="utf-8"))
    users = {a["completed_by"]["email"] for t in tasks for a in t["annotations"]
             if isinstance(a["completed_by"], dict)}  # fmt: skip
    for email in sorted(users):
        server.call("POST", "/api/users/", {"email": email, "username": email.split("@")[0]})
    config = labelstudio.write(expected, Labels(), work / "config")[0]
    for task in tasks:
        # a new server renumbers tasks, so name the one without article id as this one did;
        # Label Studio resolves annotators by email (an id names another server's user)
        task["data"].setdefault("article_id", f"task-{task['id']}")
        for annotation in task["annotations"]:
            if not isinstance(annotation["completed_by"], dict):
                annotation["completed_by"] = {"email": "anna@example.org"}
    seconds = server.round_trip(config.read_text(encoding="utf-8"), tasks, work / "fixture")
    found, unmapped = labelstudio.read(work / "fixture")
    expected = [
        replace(d, annotator="anna@example.org") if d.annotator == "2" else d for d in expected
    ]
    for before, after in zip(expected, found, strict=False):
        if canonical(before) != canonical(after):
            keys = [k for k in canonical(before) if canonical(before)[k] != canonical(after)[k]]
            raise SystemExit(
                f"{before.id} ({before.annotator}) differs after the round trip: {keys}"
            )
    if len(found) != len(expected):
        raise SystemExit(f"{len(found)} documents came back of {len(expected)}")
    kinds = sorted(u.kind for u in unmapped)
    print(f"fixture: {len(found)} documents equal; still reported: {kinds}")
    return {"server round trip (fixture)": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label-studio", required=True, help="the label-studio executable")
    parser.add_argument("--project", type=Path, default=ROOT, help="the project to round-trip")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for start")
    args = parser.parse_args()
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="articlepack-labelstudio-") as folder:
        work = Path(folder)
        (work / "data").mkdir()
        server = Server(args.label_studio, work / "data")
        try:
            timings["server start"] = server.wait(args.timeout)
            timings |= project_round_trip(server, args.project.resolve(), work / "project-run")
            timings |= fixture_round_trip(server, work)
        except BaseException:
            server.stop()
            sys.stderr.write((work / "data" / "server.log").read_text(errors="replace")[-3000:])
            raise
        server.stop()
    for name, seconds in timings.items():
        print(f"{name}: {seconds:.1f} s")


if __name__ == "__main__":
    main()
