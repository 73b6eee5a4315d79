"""The review site in a real browser: headless Chromium (the Debian package ``chromium``, which
``.ci/run`` installs), driven over the Chrome DevTools Protocol.

Each page is opened from disk (``file://``), as a reader of a downloaded release opens it; the
browser reports every request it makes, every console message and every uncaught exception.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from articlepack.builder import build
from conftest import ROOT
from custom_scheme import custom_project
from test_site import INJECTED, hostile_project, rows_of

BROWSER = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)),
    None,
)
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="no chromium binary on PATH (.ci/run installs the Debian package `chromium`)",
)
#: the script every page of a release's site may count as its own
COUNT_LAYERS = """JSON.stringify(Array.from(document.querySelectorAll('[data-layer]')).reduce(
  (n, el) => { n[el.dataset.layer] = (n[el.dataset.layer] || 0) + 1; return n; }, {}))"""


class Browser:
    """One headless Chromium and one tab of it, spoken to over its DevTools websocket."""

    def __init__(self, profile: Path) -> None:
        import websocket

        self.process = subprocess.Popen(
            [
                str(BROWSER),
                "--headless",
                "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stderr is not None
        deadline = time.monotonic() + 30
        address = None
        while address is None and time.monotonic() < deadline:
            line = self.process.stderr.readline()
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            address = found.group(1) if found else None
        assert address, "chromium did not open its DevTools port"
        self.socket = websocket.create_connection(address, timeout=30)
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable", session=True)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=1280,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )

    def send(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        ident = next(self.ids)
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self.socket.send(json.dumps(message))
        while True:
            reply = json.loads(self.socket.recv())
            if reply.get("id") == ident:
                assert "error" not in reply, reply
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def open(self, path: Path) -> None:
        """Open a page from disk and wait until it has loaded and its script has run."""
        self.events.clear()
        opened = self.send("Page.navigate", session=True, url=path.as_uri())
        assert "errorText" not in opened, f"{path}: {opened}"
        self.wait_for_load()

    def wait_for_load(self) -> None:
        """Wait until the page being opened has loaded (the events are cleared before)."""
        deadline = time.monotonic() + 30
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            assert time.monotonic() < deadline, "the page did not load"
            self.events.append(json.loads(self.socket.recv()))

    def evaluate(self, expression: str) -> Any:
        found = self.send("Runtime.evaluate", session=True, expression=expression)
        assert "exceptionDetails" not in found, found
        return found["result"].get("value")

    def screenshot(self, path: Path) -> Any:
        from PIL import Image

        data = self.send("Page.captureScreenshot", session=True, format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")

    def requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def errors(self) -> list[Any]:
        """Console errors and warnings, uncaught exceptions and log errors (a refused CSP)."""
        out = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning"):
                out.append(params["args"])
            elif method in ("Runtime.exceptionThrown", "Page.javascriptDialogOpening"):
                out.append(params)
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                out.append(params["entry"])
        return out

    def close(self) -> None:
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    opened = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(ROOT, tmp_path_factory.mktemp("dist"))


def _pages(release: Path) -> list[Path]:
    site = release / "review"
    return [site / "index.html", site / "entities.html", *sorted(site.glob("*/*.html"))]


def test_every_row_of_every_layer_is_one_element_of_its_article_page(
    browser: Browser, release: Path, tmp_path: Path
) -> None:
    custom = build(custom_project(tmp_path / "custom").root, tmp_path / "dist")
    checked = 0
    for folder in (release, custom):
        for page in sorted((folder / "review" / "articles").glob("*.html")):
            browser.open(page)
            rendered = json.loads(browser.evaluate(COUNT_LAYERS))
            assert rendered == rows_of(folder, page.stem), page.name
            checked += 1
    assert checked == 6


def test_an_entity_page_shows_every_mention_of_the_entity(browser: Browser, release: Path) -> None:
    browser.open(release / "review" / "entities" / "sergei-shoigu.html")
    rendered = json.loads(browser.evaluate(COUNT_LAYERS))
    import polars as pl

    mentions = pl.read_parquet(release / "data/mentions/train-00000-of-00001.parquet")
    assert rendered == {"mentions": mentions.filter(pl.col("entity_id") == "sergei-shoigu").height}


def test_a_mention_on_an_entity_page_leads_to_its_place_in_the_article(
    browser: Browser, release: Path
) -> None:
    browser.open(release / "review" / "entities" / "sergei-shoigu.html")
    browser.events.clear()
    browser.evaluate("document.querySelector('.hits [data-layer]').click()")
    browser.wait_for_load()
    found = browser.evaluate(
        "JSON.stringify([location.pathname.split('/').pop(), location.hash, "
        "document.getElementById(decodeURIComponent(location.hash.slice(1))).textContent])"
    )
    import polars as pl

    mentions = pl.read_parquet(release / "data/mentions/train-00000-of-00001.parquet")
    shoigu = mentions.filter(pl.col("entity_id") == "sergei-shoigu").sort("article_id", "start")
    first = shoigu.row(0, named=True)
    expected = [f"{first['article_id']}.html", f"#mentions-{first['id']}", first["text"]]
    assert json.loads(found) == expected


def test_no_page_logs_an_error_or_asks_the_network(browser: Browser, release: Path) -> None:
    pages = _pages(release)
    for page in pages:
        browser.open(page)
        assert browser.errors() == [], page.name
        requests = browser.requests()
        assert requests and all(url.startswith("file://") for url in requests), requests
    assert len(pages) > 60


def test_the_script_links_an_annotation_with_its_spans(browser: Browser, release: Path) -> None:
    browser.open(release / "review" / "articles" / "2016-01-28-alalam-freij-shoigu-moscow.html")
    lit = browser.evaluate(
        """(() => {
        const entry = document.querySelector('li[data-layer="events"][data-id="e1"]');
        entry.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
        const on = Array.from(document.querySelectorAll('#text .on')).map(m => m.dataset.span);
        const box = document.querySelector('input[data-toggle="mentions"]');
        box.click();
        const off = document.querySelectorAll('#text mark[data-layer="mentions"].off').length;
        return JSON.stringify({on: on.sort(), off: off});
    })()"""
    )
    assert json.loads(lit) == {"on": ["date_evidence", "trigger"], "off": 34}
    assert browser.errors() == []


def test_screenshots_show_the_pages_with_their_highlights(
    browser: Browser, release: Path, tmp_path: Path
) -> None:
    css = (release / "review" / "assets" / "site.css").read_text(encoding="utf-8")
    colour = dict(re.findall(r"\.(t\d+) \{ background: #([0-9a-f]{6}); \}", css))

    def rgb(name: str) -> tuple[int, int, int]:
        return (int(colour[name][:2], 16), int(colour[name][2:4], 16), int(colour[name][4:], 16))

    browser.open(release / "review" / "index.html")
    index = browser.screenshot(tmp_path / "index.png")
    browser.open(release / "review" / "articles" / "2016-01-28-alalam-freij-shoigu-moscow.html")
    article = browser.screenshot(tmp_path / "article.png")
    for image in (index, article):
        assert image.size == (1280, 900)
        assert len(image.getcolors(1 << 20) or []) > 50  # not blank: text, rules, colours
    found = dict(article.getcolors(1 << 20) or [])
    counts = {v: k for k, v in found.items()}
    # PER (t0) and GPE (t2) mentions are highlighted in the text of this article
    assert counts.get(rgb("t0"), 0) > 200 and counts.get(rgb("t2"), 0) > 200


def test_a_script_in_a_title_or_an_entity_name_shows_as_text_and_never_runs(
    browser: Browser, tmp_path: Path
) -> None:
    release = build(hostile_project(tmp_path / "hostile"), tmp_path / "dist")
    for page in _pages(release):
        browser.open(page)
        assert browser.errors() == [], page.name
        assert browser.evaluate("document.title") != "pwned", page.name  # what the script sets
    browser.open(next((release / "review" / "articles").glob("*.html")))
    assert browser.evaluate("document.querySelector('h1').textContent") == INJECTED
    assert browser.evaluate("document.title") == INJECTED
    browser.open(release / "review" / "entities" / "anna-example.html")
    assert INJECTED in browser.evaluate("document.querySelector('h1').textContent")
    assert browser.evaluate("document.querySelectorAll('script').length") == 1
