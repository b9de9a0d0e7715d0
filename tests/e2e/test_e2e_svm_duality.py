"""The duality and SVM demos in the browser: a slider moves the optimum / the margins."""
from __future__ import annotations

import pytest

from e2e_helpers import open_page, show_demo, slider_handle, source_data, stat, wait_for_change


@pytest.fixture(scope="module")
def app(browser, base_url):
    page, log, _ = open_page(browser, base_url, "?demo=duality")
    yield page, log
    page.close()


def test_duality_angle_moves_the_optimum(app, artifacts):
    page, log = app
    show_demo(page, "Lagrangian duality", "duality")
    before = source_data(page, "duality-optimum", "x")
    assert before, "no optimum drawn"
    slider_handle(page, "objective angle").focus()
    for _ in range(8):                                  # 240 deg -> 200 deg: w* (2, 6) -> (4, 3)
        page.keyboard.press("ArrowLeft")
    wait_for_change(page, "duality-optimum", "x", before)
    page.wait_for_url("**theta=200**", timeout=60_000)
    for _ in range(100):
        if stat(page, "w") == "(4, 3)":
            break
        page.wait_for_timeout(100)
    assert stat(page, "w") == "(4, 3)"
    page.screenshot(path=str(artifacts / "duality.png"), full_page=True)
    log.assert_clean()


def test_svm_C_slider_changes_the_support_vectors(app, artifacts):
    page, log = app
    show_demo(page, "Support vector machines", "svm")
    before = source_data(page, "svm-sv", "x")
    assert source_data(page, "svm-points", "x"), "no points drawn"
    slider_handle(page, "C (notes)").focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")               # C up by one decade: a narrower margin
    wait_for_change(page, "svm-sv", "x", before)
    page.wait_for_url("**C=10**", timeout=60_000)
    page.screenshot(path=str(artifacts / "svm.png"), full_page=True)
    log.assert_clean()
