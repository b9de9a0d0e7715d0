"""Helpers the e2e tests share: read what Python drew, find widgets as a person would."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

READY_TIMEOUT_MS = 180_000


@dataclass
class PageLog:
    """What a page did that a test may want to check afterwards."""
    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    response_bytes: int = 0

    def count_bytes(self, request) -> None:
        response = request.response()
        if response is not None:
            self.response_bytes += int(response.headers.get("content-length", 0))

    def assert_clean(self) -> None:
        assert self.foreign_requests == [], f"requests left the site: {self.foreign_requests}"
        assert self.failed_requests == [], f"failed requests: {self.failed_requests}"
        assert self.page_errors == [], f"uncaught page errors: {self.page_errors}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"


def watch_page(page, base_url: str) -> PageLog:
    """Record console errors, page errors, failed and foreign requests and bytes of ``page``."""
    parts = urlsplit(base_url)
    log = PageLog(origin=f"{parts.scheme}://{parts.netloc}/")
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    page.on("requestfailed", lambda r: log.failed_requests.append(r.url))
    page.on("requestfinished", log.count_bytes)
    page.on("request", lambda r: None if r.url.startswith((log.origin, "data:", "blob:"))
            else log.foreign_requests.append(r.url))
    return log


def wait_ready(page) -> None:
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=READY_TIMEOUT_MS)


def open_page(browser, base_url: str, path: str = ""):
    """Open ``base_url + path`` in a new tab, wait until Python is live; return (page, log, s)."""
    page = browser.new_page()
    log = watch_page(page, base_url)
    start = time.perf_counter()
    page.goto(base_url + path)
    wait_ready(page)
    return page, log, time.perf_counter() - start


def record_timing(artifacts: Path, key: str, value: float) -> None:
    """Add a measurement (seconds, MB or ms: the key says which) to timings.json."""
    path = artifacts / "timings.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = round(value, 2)
    path.write_text(json.dumps(data, indent=1))


def source_data(page, name: str, column: str):
    """A column of the named ColumnDataSource in the page's Bokeh document (as a plain list)."""
    return page.evaluate(
        """([name, column]) => {
            const m = window.ece544.doc.get_model_by_name(name);
            if (m == null) return null;
            const col = m.data[column];
            if (col == null) return null;
            const flat = (v) => (ArrayBuffer.isView(v) ? Array.from(v)
                               : Array.isArray(v) ? v.map(flat) : v);
            return flat(col);
        }""",
        [name, column],
    )


def stat(page, key: str) -> str:
    """The number a demo's Python code wrote into ``<span data-stat=key>``."""
    return page.locator(f"[data-stat='{key}']").first.inner_text()


def slider_handle(page, title: str):
    """The keyboard-focusable handle of the visible slider whose title starts with ``title``
    (demos shown before stay in the page, hidden, with sliders of the same names)."""
    group = page.locator(".bk-input-group:visible",
                         has=page.locator(".bk-slider-title", has_text=title))
    return group.locator(".noUi-handle").first


def slider_title(page, title: str) -> str:
    return page.locator(".bk-slider-title", has_text=title).first.inner_text()


def show_demo(page, title: str, slug: str) -> None:
    """Switch demos with the navigation, as a person would."""
    page.locator(".demo-nav button", has_text=title).first.click()
    page.locator(f"[data-demo='{slug}']").wait_for(state="attached", timeout=60_000)


def wait_for_change(page, name: str, column: str, before, timeout_s: float = 30.0):
    """Poll until the named source's column differs from ``before``; return the new value."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = source_data(page, name, column)
        if now != before:
            return now
        page.wait_for_timeout(100)
    raise AssertionError(f"{name}.{column} did not change within {timeout_s} s")


def key_to_update_ms(page, handle, key: str, source: str) -> float:
    """Milliseconds from a key press on ``handle`` to the named source's next change in the
    page: the whole round trip page -> worker -> Python -> worker -> page -> BokehJS."""
    page.evaluate(
        """(name) => {
            const lat = window.__ece544_latency = {t0: null, t1: null};
            document.addEventListener("keydown", () => { lat.t0 = performance.now(); },
                                      {capture: true, once: true});
            const model = window.ece544.doc.get_model_by_name(name);
            model.change.connect(() => { if (lat.t1 === null) lat.t1 = performance.now(); });
        }""",
        source,
    )
    handle.focus()
    page.keyboard.press(key)
    page.wait_for_function("window.__ece544_latency.t1 !== null", timeout=30_000)
    return page.evaluate("window.__ece544_latency.t1 - window.__ece544_latency.t0")


def wait_for_stat(page, key: str, value: str, timeout_s: float = 30.0) -> None:
    """Poll until Python has written ``value`` into ``<span data-stat=key>``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if stat(page, key) == value:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"stat {key} is {stat(page, key)!r}, expected {value!r}")
