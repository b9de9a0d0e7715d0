"""The kernels, temperature and multiclass demos in the browser: a non-kernel fails Mercer's
check and a slider redraws K; the temperature slider takes the boundary onto the SVM's; the
multiclass method switch draws OvO's pairwise boundaries after OvR's ambiguous regions."""
from __future__ import annotations

import pytest

from e2e_helpers import (key_to_update_ms, open_page, record_timing, show_demo, slider_handle,
                         slider_title, source_data, stat, wait_for_change, wait_for_stat)


def page_width(page, width: int) -> int:
    """The page's scroll width with the window ``width`` px wide (then back to 1400)."""
    page.set_viewport_size({"width": width, "height": 1000})
    page.wait_for_timeout(500)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1400, "height": 1000})
    return scroll


@pytest.fixture(scope="module")
def app(browser, base_url):
    page, log, _ = open_page(browser, base_url, "?demo=kernels")
    yield page, log
    page.close()


def test_kernels_non_kernel_fails_and_valid_kernel_passes(app, artifacts):
    page, log = app
    page.locator("[data-demo='kernels']").wait_for(state="attached", timeout=60_000)
    wait_for_stat(page, "psd", "yes")
    assert min(source_data(page, "kernels-eigs", "eig")) > -1e-6
    page.get_by_role("button", name="not a kernel: a = −1").click()
    wait_for_stat(page, "psd", "no")
    assert min(source_data(page, "kernels-eigs", "eig")) < -1.0    # -K: big negative eigenvalues
    page.get_by_role("button", name="valid: RBF × polynomial").click()
    wait_for_stat(page, "psd", "yes")
    before = source_data(page, "kernels-gram", "image")
    ms = key_to_update_ms(page, slider_handle(page, "γ₁"), "ArrowRight", "kernels-gram")
    record_timing(artifacts, "kernels_gamma_key_to_update_ms", ms)
    wait_for_change(page, "kernels-gram", "image", before)
    page.wait_for_url("**gamma1=**", timeout=60_000)
    page.screenshot(path=str(artifacts / "kernels.png"), full_page=True)
    log.assert_clean()


def test_temperature_eps_slider_moves_the_boundary_onto_the_svm(app, artifacts):
    page, log = app
    show_demo(page, "Temperature", "temperature")
    wait_for_stat(page, "eps", "0.3")
    before = source_data(page, "temperature-boundary", "xs")
    assert before, "no boundary drawn"
    handle = slider_handle(page, "ε (temperature)")
    ms = key_to_update_ms(page, handle, "ArrowLeft", "temperature-loss")
    record_timing(artifacts, "temperature_eps_key_to_update_ms", ms)
    handle.focus()
    page.keyboard.press("Home")                          # eps = 0: exactly the SVM
    wait_for_stat(page, "eps", "0")
    page.wait_for_url("**eps=0**", timeout=60_000)
    for _ in range(100):
        if stat(page, "angle_svm") == "0":
            break
        page.wait_for_timeout(100)
    assert stat(page, "angle_svm") == "0"
    assert source_data(page, "temperature-boundary", "xs") != before
    assert "0 (the SVM, exactly)" in slider_title(page, "ε (temperature)")
    page.screenshot(path=str(artifacts / "temperature.png"), full_page=True)
    # a typed eps reads as typed on the slider; a bad text shows a message that clears with it
    box = page.get_by_placeholder("0 … 1")
    box.fill("0.001")
    box.press("Enter")
    wait_for_stat(page, "eps", "0.001")
    assert "0.001" in slider_title(page, "ε (temperature)")
    box.fill("abc")
    box.press("Enter")
    error = page.locator(".error-message")
    error.wait_for(state="visible", timeout=30_000)
    assert "abc" in error.inner_text()
    box.fill("")
    box.press("Enter")
    error.wait_for(state="hidden", timeout=30_000)
    for width in (1200, 1280, 1400):
        assert page_width(page, width) <= width, width
    log.assert_clean()


def test_multiclass_method_switch_and_ovr_ambiguity(app, artifacts):
    page, log = app
    show_demo(page, "Multiclass", "multiclass")
    page.locator("[data-stat='unclear_ovr']").first.wait_for(timeout=60_000)
    assert float(stat(page, "unclear_ovr")) > 1.0       # OvR's hatched regions on 3 blobs
    assert source_data(page, "mc-multi", "xs"), "no hatched OvR region drawn"
    before = source_data(page, "mc-lines", "xs")
    page.get_by_role("button", name="ovo", exact=True).click()
    page.wait_for_url("**method=ovo**", timeout=60_000)
    wait_for_change(page, "mc-lines", "xs", before)     # the pairwise boundaries f_ij = 0
    assert stat(page, "n_binary_ovo") == "3"
    ms = key_to_update_ms(page, slider_handle(page, "C (notes)"), "ArrowRight", "mc-regions")
    record_timing(artifacts, "multiclass_C_key_to_update_ms", ms)    # all four methods refit
    page.screenshot(path=str(artifacts / "multiclass.png"), full_page=True)
    for width in (1200, 1280, 1400):
        assert page_width(page, width) <= width, width
    # five classes: the fits run as a long job and end with every method drawn
    before = source_data(page, "mc-regions", "image")
    handle = slider_handle(page, "K (classes)")
    handle.focus()
    page.keyboard.press("End")
    page.wait_for_url("**n_classes=5**", timeout=60_000)
    for _ in range(300):
        if stat(page, "n_binary_ovo") == "10":
            break
        page.wait_for_timeout(100)
    assert stat(page, "n_binary_ovo") == "10" and stat(page, "n_binary_ovr") == "5"
    wait_for_change(page, "mc-regions", "image", before)
    page.screenshot(path=str(artifacts / "multiclass-5.png"), full_page=True)
    log.assert_clean()
