"""The kernels demo in the browser: a non-kernel fails Mercer's check, a slider redraws K."""
from __future__ import annotations

import pytest

from e2e_helpers import (key_to_update_ms, open_page, record_timing, slider_handle, source_data,
                         wait_for_change, wait_for_stat)


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
