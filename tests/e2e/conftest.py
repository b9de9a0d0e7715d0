"""Playwright harness: build the site once, serve it on 127.0.0.1, drive Debian's Chromium.

Pages are opened with ``e2e_helpers.open_page``, which records console errors, page errors and
any request that leaves the site; tests assert those lists are empty.
"""
from __future__ import annotations

import shutil
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import build  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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
def playwright():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as pw:
        yield pw


def launch(playwright, profile: Path):
    """Debian Chromium with a fresh profile (empty cache) in ``profile``."""
    shutil.rmtree(profile, ignore_errors=True)
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
        viewport={"width": 1400, "height": 1000},
    )


@pytest.fixture(scope="session")
def browser(playwright):
    """One browser for the session: its HTTP cache makes later page loads warm."""
    context = launch(playwright, ROOT / "build" / "chromium-profile")
    yield context
    context.close()


@pytest.fixture
def cold_browser(playwright):
    """A browser with an empty cache, for true cold-start measurements."""
    context = launch(playwright, ROOT / "build" / "chromium-profile-cold")
    yield context
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
