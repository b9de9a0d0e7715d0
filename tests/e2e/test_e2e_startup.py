"""True page loads: cold start, progress bar, embed mode, URL parameters, offline."""
from __future__ import annotations

import time

from e2e_helpers import open_page, record_timing, slider_title, stat, wait_ready, watch_page


def test_cold_start_shows_progress_then_app(cold_browser, base_url, artifacts):
    page = cold_browser.new_page()
    log = watch_page(page, base_url)
    start = time.perf_counter()
    page.goto(base_url)
    # While Python boots, a person sees the progress bar and a status line.
    assert page.locator("#boot-progress").is_visible()
    assert page.locator("#boot-status").inner_text() != ""
    wait_ready(page)
    record_timing(artifacts, "cold_start_to_interactive_s", time.perf_counter() - start)
    record_timing(artifacts, "cold_start_downloaded_mb", log.response_bytes / 1e6)
    assert page.locator("#boot").is_hidden()
    assert page.locator("[data-demo='knn']").count() == 1          # the default demo
    assert page.locator(".demo-nav button").count() >= 2           # navigation of all demos
    page.screenshot(path=str(artifacts / "startup.png"), full_page=True)
    log.assert_clean()
    page.close()


def test_warm_start(browser, base_url, artifacts):
    page, log, seconds = open_page(browser, base_url, "#regression")
    record_timing(artifacts, "warm_start_to_interactive_s", seconds)
    assert page.locator("[data-demo='regression']").count() == 1
    log.assert_clean()
    page.close()


def test_embed_shows_only_that_demo(browser, base_url, artifacts):
    page, log, _ = open_page(browser, base_url, "?embed=1&demo=regression")
    assert page.locator("[data-demo='regression']").count() == 1
    assert page.locator("[data-demo='knn']").count() == 0
    assert page.locator(".demo-nav").count() == 0
    assert page.locator(".app-header").count() == 0
    page.screenshot(path=str(artifacts / "embed-regression.png"), full_page=True)
    log.assert_clean()
    page.close()


def test_url_query_sets_parameters(browser, base_url):
    page, log, _ = open_page(browser, base_url, "?demo=knn&n_neighbors=9&metric=manhattan")
    assert stat(page, "k") == "9"
    assert "9" in slider_title(page, "k (n_neighbors)")
    assert "metric=manhattan" in page.url
    log.assert_clean()
    page.close()


def test_bad_url_parameter_is_reported_not_fatal(browser, base_url):
    page, log, _ = open_page(browser, base_url, "?demo=knn&n_neighbors=banana")
    error = page.locator(".error-message")
    error.wait_for(state="visible", timeout=30_000)
    assert "n_neighbors" in error.inner_text()
    assert page.locator("[data-demo='knn']").count() == 1          # the demo still works
    log.assert_clean()
    page.close()
