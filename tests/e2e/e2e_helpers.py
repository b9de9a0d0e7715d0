"""Helpers the e2e tests share: read what Python drew, find widgets as a person would."""
from __future__ import annotations

import time


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
    """The keyboard-focusable handle of the slider whose title starts with ``title``."""
    group = page.locator(".bk-input-group",
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
