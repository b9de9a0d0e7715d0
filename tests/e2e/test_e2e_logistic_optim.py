"""Logistic regression and the optimisation lab in the browser: widgets, clicks, animation."""
from __future__ import annotations

import pytest

from e2e_helpers import (open_page, show_demo, slider_handle, source_data, stat,
                         wait_for_change)


@pytest.fixture(scope="module")
def app(browser, base_url):
    page, log, _ = open_page(browser, base_url, "?demo=logistic")
    yield page, log
    page.close()


def click_first_plot(page, slug: str, fx: float, fy: float) -> None:
    canvas = page.locator(f".demo-{slug} .bk-Canvas").first
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])


def test_logistic_sample_size_changes_the_fitted_sigmoid(app, artifacts):
    page, log = app
    show_demo(page, "Logistic regression", "logistic")
    before = source_data(page, "logit-sigmoid", "p")
    assert before and source_data(page, "logit-bayes", "p")
    slider_handle(page, "n (1-D samples)").focus()
    page.keyboard.press("PageUp")
    wait_for_change(page, "logit-sigmoid", "p", before)
    page.screenshot(path=str(artifacts / "logistic.png"), full_page=True)
    log.assert_clean()


def test_logistic_click_adds_a_point_and_refits(app):
    page, log = app
    show_demo(page, "Logistic regression", "logistic")
    before = source_data(page, "logit-points", "x")
    regions = source_data(page, "logit-regions", "image")
    click_first_plot(page, "logistic", 0.75, 0.85)
    after = wait_for_change(page, "logit-points", "x", before)
    assert len(after) == len(before) + 1
    wait_for_change(page, "logit-regions", "image", regions)     # the model was refitted
    log.assert_clean()


def test_optim_condition_number_changes_the_path(app, artifacts):
    page, log = app
    show_demo(page, "Optimisation lab", "optim")
    before = source_data(page, "optim-path", "x")
    assert before, "the optimisation path is empty"
    slider_handle(page, "condition number").focus()
    page.keyboard.press("PageUp")
    wait_for_change(page, "optim-path", "x", before)
    assert source_data(page, "optim-conv-measured", "dist")
    page.screenshot(path=str(artifacts / "optim.png"), full_page=True)
    log.assert_clean()


def test_optim_reset_step_and_click_start(app):
    page, log = app
    show_demo(page, "Optimisation lab", "optim")
    demo = page.locator(".demo-optim")
    demo.locator("button", has_text="Reset").first.click()
    for _ in range(100):
        if len(source_data(page, "optim-path", "x")) == 1:
            break
        page.wait_for_timeout(100)
    assert len(source_data(page, "optim-path", "x")) == 1      # only w0 is shown
    demo.locator("button", has_text="Step").first.click()
    for _ in range(100):
        if len(source_data(page, "optim-path", "x")) == 2:
            break
        page.wait_for_timeout(100)
    assert len(source_data(page, "optim-path", "x")) == 2      # one more iterate revealed
    start = source_data(page, "optim-path", "x")[0]
    click_first_plot(page, "optim", 0.8, 0.2)                  # a new start w0
    for _ in range(100):
        path = source_data(page, "optim-path", "x")
        if path and path[0] != start:
            break
        page.wait_for_timeout(100)
    assert source_data(page, "optim-path", "x")[0] != start
    assert int(stat(page, "n_iter")) > 0
    log.assert_clean()


@pytest.mark.parametrize("slug", ["logistic", "optim"])
def test_fits_a_1200_px_window(browser, base_url, slug):
    """Nothing scrolls sideways and no plot (or its toolbar) is cut at the right edge."""
    page, log, _ = open_page(browser, base_url, f"?demo={slug}")
    page.set_viewport_size({"width": 1200, "height": 1000})
    page.wait_for_timeout(1000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1200
    canvases = page.locator(f".demo-{slug} .bk-Canvas")
    boxes = [canvases.nth(i).bounding_box() for i in range(canvases.count())]
    boxes = [b for b in boxes if b]
    assert len(boxes) >= 3 and all(b["x"] + b["width"] <= 1200 for b in boxes)
    log.assert_clean()
    page.close()
