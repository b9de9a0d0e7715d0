"""Every demo fits the window (issue 11): no sideways scrolling and no plot cut off at 1200,
1280 and 1400 px; at 1024 px and in an 800 px embed the plots go below the controls."""
from __future__ import annotations

import time

import pytest

from e2e_helpers import show_demo, wait_ready

OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const out = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('canvas, .bk-btn, h2, p, table')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0 && el.checkVisibility() && r.right > width + 1) {
        out.push(`${el.tagName.toLowerCase()} ${Math.round(r.left)}-${Math.round(r.right)}`);
      }
    }
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return {scroll: document.documentElement.scrollWidth, width: width, out: out.slice(0, 5)};
}"""

BELOW_JS = """(slug) => {
  // the first visible plot canvas of the demo starts below the bottom of its controls column
  let controls = null, canvas = null;
  const walk = (root) => {
    for (const el of root.querySelectorAll('.demo-controls')) {
      if (!controls && el.checkVisibility()) controls = el;
    }
    for (const el of root.querySelectorAll('canvas')) {
      const r = el.getBoundingClientRect();
      if (!canvas && r.width > 50 && el.checkVisibility()) canvas = el;
    }
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  if (!controls || !canvas) return null;
  return [controls.getBoundingClientRect().bottom, canvas.getBoundingClientRect().top,
          canvas.getBoundingClientRect().width];
}"""


def demos():
    from ece544lab.shell.app import DEMOS

    return [(slug, cls.title) for slug, cls in DEMOS.items()]


@pytest.fixture(scope="module")
def registry():
    import sys
    from pathlib import Path

    site = Path(__file__).resolve().parents[2] / "site"
    sys.path.insert(0, str(site))
    return demos()


def new_page(browser, width: int):
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    return page


def check_fits(page, slug: str, artifacts, tag: str) -> None:
    time.sleep(0.5)   # let Bokeh lay out
    result = page.evaluate(OVERFLOW_JS)
    page.screenshot(path=str(artifacts / f"layout-{tag}-{slug}.png"), full_page=True)
    assert result["scroll"] <= result["width"], f"{slug}: page {result['scroll']} px wide " \
        f"in a {result['width']} px window; cut off: {result['out']}"
    assert result["out"] == [], f"{slug}: cut off at the right edge: {result['out']}"


@pytest.mark.parametrize("width", [1200, 1280, 1400])
def test_every_demo_fits_the_window(browser, base_url, artifacts, registry, width):
    page = new_page(browser, width)
    page.goto(base_url)
    wait_ready(page)
    problems = []
    for slug, title in registry:
        show_demo(page, title, slug)
        try:
            check_fits(page, slug, artifacts, str(width))
        except AssertionError as exc:
            problems.append(str(exc))
    page.close()
    assert not problems, "\n".join(problems)


def test_narrow_window_puts_the_plots_below_the_controls(browser, base_url, artifacts,
                                                         registry):
    page = new_page(browser, 1024)
    page.goto(base_url)
    wait_ready(page)
    problems = []
    for slug, title in registry:
        show_demo(page, title, slug)
        try:
            check_fits(page, slug, artifacts, "1024")
            below = page.evaluate(BELOW_JS, slug)
            assert below is not None and below[1] >= below[0] - 1, f"{slug}: plot beside " \
                f"the controls at 1024 px ({below})"
        except AssertionError as exc:
            problems.append(str(exc))
    page.close()
    assert not problems, "\n".join(problems)


def test_embed_at_800_px_stacks_and_stays_readable(browser, base_url, artifacts, registry):
    problems = []
    for slug, _title in registry:
        page = new_page(browser, 800)
        page.goto(f"{base_url}?embed=1&demo={slug}")
        wait_ready(page)
        try:
            check_fits(page, slug, artifacts, "embed800")
            below = page.evaluate(BELOW_JS, slug)
            assert below is not None and below[1] >= below[0] - 1 and below[2] >= 200, \
                f"{slug}: embedded plot beside the controls or narrower than 200 px ({below})"
        except AssertionError as exc:
            problems.append(str(exc))
        page.close()
    assert not problems, "\n".join(problems)
