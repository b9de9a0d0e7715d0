"""Both demos in one loaded page: widgets change the plotted data, clicks add points, errors show."""
from __future__ import annotations

import pytest

from e2e_helpers import (key_to_update_ms, open_page, record_timing, show_demo, slider_handle,
                         slider_title, source_data, stat, wait_for_change, wait_for_stat)


@pytest.fixture(scope="module")
def app(browser, base_url):
    page, log, _ = open_page(browser, base_url)
    yield page, log
    page.close()


def click_plot(page, slug: str, fx: float = 0.5, fy: float = 0.5) -> None:
    """Click inside the first plot canvas of a demo at fractions (fx, fy) of its size."""
    canvas = page.locator(f".demo-{slug} .bk-Canvas").first
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])


def test_knn_slider_changes_decision_regions(app, artifacts):
    page, log = app
    show_demo(page, "k-nearest neighbours", "knn")
    before = source_data(page, "knn-regions", "image")
    assert before, "the decision-region image is empty"
    slider_handle(page, "k (n_neighbors)").focus()
    page.keyboard.press("ArrowRight")
    wait_for_change(page, "knn-regions", "image", before)
    wait_for_stat(page, "k", "6")
    page.screenshot(path=str(artifacts / "knn.png"), full_page=True)
    log.assert_clean()


def test_knn_fast_key_burst_ends_consistent(app):
    """Python's final k equals the widget's after many quick key presses (no lost updates)."""
    page, log = app
    show_demo(page, "k-nearest neighbours", "knn")
    handle = slider_handle(page, "k (n_neighbors)")
    handle.focus()
    page.keyboard.press("Home")                # k = 1
    for _ in range(12):
        page.keyboard.press("ArrowRight")
    widget_k = None
    for _ in range(100):                       # let Python catch up, then compare
        widget_k = slider_title(page, "k (n_neighbors)").split(":")[-1].strip()
        if stat(page, "k") == widget_k:
            break
        page.wait_for_timeout(100)
    assert widget_k == "13"
    assert stat(page, "k") == widget_k
    assert f"n_neighbors={widget_k}" in page.url                 # and the URL follows
    log.assert_clean()


@pytest.mark.parametrize("title,slug,source", [
    ("k-nearest neighbours", "knn", "knn-points"),
    ("Linear regression", "regression", "reg-points"),
])
def test_click_adds_a_training_point(app, title, slug, source):
    page, log = app
    show_demo(page, title, slug)
    before = source_data(page, source, "x")
    click_plot(page, slug, 0.35, 0.35)
    after = wait_for_change(page, source, "x", before)
    assert len(after) == len(before) + 1
    log.assert_clean()


def test_regression_degree_changes_curve(app, artifacts):
    page, log = app
    show_demo(page, "Linear regression", "regression")
    before = source_data(page, "reg-curve", "y")
    assert before, "the fitted curve is empty"
    slider_handle(page, "degree d").focus()
    page.keyboard.press("ArrowRight")
    wait_for_change(page, "reg-curve", "y", before)
    residuals = source_data(page, "reg-residuals", "x0")
    assert len(residuals) == len(source_data(page, "reg-points", "x"))
    page.screenshot(path=str(artifacts / "regression.png"), full_page=True)
    log.assert_clean()


def test_embedded_regression_at_800_px_keeps_its_plots_readable(browser, base_url, artifacts):
    page, log, _ = open_page(browser, base_url, "?embed=1&demo=regression")
    page.set_viewport_size({"width": 800, "height": 1000})
    page.wait_for_timeout(1000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    canvases = page.locator(".demo-regression .bk-Canvas")
    widths = [canvases.nth(i).bounding_box()["width"] for i in range(canvases.count())]
    assert len(widths) == 3 and min(widths) >= 300     # fit, error vs degree, densities
    page.screenshot(path=str(artifacts / "regression-embed-800.png"), full_page=True)
    log.assert_clean()
    page.close()


def test_bad_input_shows_error_and_app_keeps_working(browser, base_url, artifacts):
    # 10 points with 90 % held out leaves one training point: k = 5 neighbours cannot exist.
    page, log, _ = open_page(browser, base_url,
                             "?demo=knn&n_samples=10&test_size=0.9&n_neighbors=5")
    error = page.locator(".error-message")
    error.wait_for(state="visible", timeout=30_000)
    assert "n_neighbors" in error.inner_text()
    page.screenshot(path=str(artifacts / "knn-error.png"), full_page=True)
    # Fix the input through the widgets: the error goes away and the plot updates again.
    slider_handle(page, "k (n_neighbors)").focus()
    page.keyboard.press("Home")
    error.wait_for(state="hidden", timeout=30_000)
    wait_for_stat(page, "k", "1")
    log.assert_clean()
    page.close()


def test_knn_mnist_panel_shows_neighbours(app, artifacts):
    page, log = app
    show_demo(page, "k-nearest neighbours", "knn")
    page.locator(".card-header", has_text="MNIST").first.click()
    for _ in range(300):                       # loading MNIST + one query in wasm
        labels = source_data(page, "knn-mnist-neighbours", "text") or []
        if labels:
            break
        page.wait_for_timeout(100)
    assert len(labels) == int(stat(page, "k"))     # one caption per neighbour
    before = source_data(page, "knn-mnist-query", "image")
    page.locator("button", has_text="Random digit").first.click()
    wait_for_change(page, "knn-mnist-query", "image", before)
    page.locator(".card-header", has_text="MNIST").first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "knn-mnist.png"), full_page=True)
    log.assert_clean()


def test_switching_back_shows_the_demo_again(app):
    page, log = app
    for title, slug in [("k-nearest neighbours", "knn"), ("Linear regression", "regression"),
                        ("k-nearest neighbours", "knn")]:
        show_demo(page, title, slug)
        page.locator(f".demo-{slug} .bk-Canvas").first.wait_for(state="visible", timeout=30_000)
    assert page.locator(".demo-regression .bk-Canvas").first.is_hidden()
    assert "demo=knn" in page.url
    log.assert_clean()


def test_slider_round_trip_is_measured(app, artifacts):
    """Key press to updated plot data, recorded in test-artifacts/timings.json (DESIGN §7 aims
    at <= 100 ms; a timing is a measurement, not a pass/fail criterion here)."""
    page, log = app
    cases = [("k-nearest neighbours", "knn", "k (n_neighbors)", "knn-regions"),
             ("Linear regression", "regression", "degree d", "reg-curve")]
    for title, slug, slider, source in cases:
        show_demo(page, title, slug)
        times = [key_to_update_ms(page, slider_handle(page, slider), key, source)
                 for key in ["ArrowRight", "ArrowLeft"] * 3]
        record_timing(artifacts, f"{slug}_slider_to_plot_ms_median", sorted(times)[len(times) // 2])
        assert all(t > 0 for t in times)
    log.assert_clean()
