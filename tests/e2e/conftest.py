"""Playwright harness: build the site once, serve it on 127.0.0.1, drive Debian's Chromium.

Every page opened through ``open_page`` records console errors, uncaught page errors and any
request that leaves the page's origin; tests assert those lists are empty.
"""
from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import build  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
READY_TIMEOUT_MS = 180_000


@dataclass
class PageLog:
    """What a page did that a test may want to check afterwards."""
    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.foreign_requests == [], f"requests left the site: {self.foreign_requests}"
        assert self.failed_requests == [], f"failed requests: {self.failed_requests}"
        assert self.page_errors == [], f"uncaught page errors: {self.page_errors}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"


@pytest.fixture(scope="session")
def site() -> Path:
    if not (build.SITE / "index.html").exists():
        build.build()
    return build.SITE


@pytest.fixture(scope="session")
def base_url(site) -> str:
    server = build.make_server(port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    profile = ROOT / "build" / "chromium-profile"
    shutil.rmtree(profile, ignore_errors=True)
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        yield context
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def open_page(browser, base_url: str, path: str = ""):
    """Open ``base_url + path`` in a new tab, wait until Python is live; return (page, log, s)."""
    page = browser.new_page()
    parts = urlsplit(base_url)
    log = PageLog(origin=f"{parts.scheme}://{parts.netloc}/")
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    page.on("requestfailed", lambda r: log.failed_requests.append(r.url))
    page.on("request", lambda r: None if r.url.startswith((log.origin, "data:", "blob:"))
            else log.foreign_requests.append(r.url))
    start = time.perf_counter()
    page.goto(base_url + path)
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=READY_TIMEOUT_MS)
    return page, log, time.perf_counter() - start


def record_timing(artifacts: Path, key: str, seconds: float) -> None:
    path = artifacts / "timings.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = round(seconds, 2)
    path.write_text(json.dumps(data, indent=1))
