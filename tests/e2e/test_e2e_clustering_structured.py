"""k-means, Gaussian mixtures and structured prediction in the browser."""
from __future__ import annotations

import pytest

from e2e_helpers import open_page, show_demo, slider_handle, source_data, stat, wait_for_change


@pytest.fixture(scope="module")
def app(browser, base_url):
    page, log, _ = open_page(browser, base_url, "?demo=structured")
    yield page, log
    page.close()


def test_structured_smoothness_changes_the_dp_row(app, artifacts):
    page, log = app
    show_demo(page, "Structured prediction", "structured")
    before = source_data(page, "struct-sequences", "color")
    assert before, "the sequence rows are empty"
    assert source_data(page, "struct-counts", "exhaustive")        # K**T per T, for the plot
    slider_handle(page, "smoothness").focus()
    page.keyboard.press("Home")                                   # lambda = 0: no pairwise term
    at_zero = wait_for_change(page, "struct-sequences", "color", before)
    for _ in range(20):                                           # lambda = 2: Potts smoothing
        page.keyboard.press("ArrowRight")
    wait_for_change(page, "struct-sequences", "color", at_zero)
    page.wait_for_url("**smoothness=2**", timeout=60_000)         # Python caught up with the keys
    for _ in range(100):                                          # and redrew the stats
        if int(stat(page, "errors_dp")) < int(stat(page, "errors_noisy")):
            break
        page.wait_for_timeout(100)
    assert int(stat(page, "errors_dp")) < int(stat(page, "errors_noisy"))   # neighbours help
    page.screenshot(path=str(artifacts / "structured.png"), full_page=True)
    log.assert_clean()


def click_button(page, slug: str, text: str) -> None:
    page.locator(f".demo-{slug} button", has_text=text).first.click()


def wait_for_length(page, source: str, column: str, length: int) -> list:
    for _ in range(300):
        values = source_data(page, source, column) or []
        if len(values) >= length:
            return values
        page.wait_for_timeout(100)
    raise AssertionError(f"{source}.{column} never reached {length} entries")


def test_kmeans_half_steps_and_cost_never_rises(app, artifacts):
    page, log = app
    show_demo(page, "k-means", "kmeans")
    click_button(page, "kmeans", "Reset")
    start = len(source_data(page, "kmeans-cost", "cost") or [])
    centers = source_data(page, "kmeans-centers", "x")
    click_button(page, "kmeans", "Step ▶")                          # the assignment
    wait_for_length(page, "kmeans-cost", "cost", start + 1)
    click_button(page, "kmeans", "Step ▶")                          # the update
    wait_for_change(page, "kmeans-centers", "x", centers)             # the means moved
    click_button(page, "kmeans", "Run to convergence")
    cost = wait_for_length(page, "kmeans-cost", "cost", start + 4)
    assert all(b <= a * (1 + 1e-12) for a, b in zip(cost, cost[1:])), cost
    page.screenshot(path=str(artifacts / "kmeans.png"), full_page=True)
    log.assert_clean()


def test_gmm_e_and_m_steps_and_loglik_never_falls(app, artifacts):
    page, log = app
    show_demo(page, "Gaussian mixtures & EM", "gmm")
    click_button(page, "gmm", "Reset")
    ellipses = source_data(page, "gmm-ellipses", "xs")
    click_button(page, "gmm", "Step ▶")                             # E-step
    wait_for_length(page, "gmm-loglik", "loglik", 2)
    click_button(page, "gmm", "Step ▶")                             # M-step
    wait_for_change(page, "gmm-ellipses", "xs", ellipses)            # the components moved
    click_button(page, "gmm", "Run to convergence")
    loglik = wait_for_length(page, "gmm-loglik", "loglik", 4)
    assert all(b >= a - 1e-9 * abs(a) for a, b in zip(loglik, loglik[1:])), loglik
    page.screenshot(path=str(artifacts / "gmm.png"), full_page=True)
    slider_handle(page, "n (points)").focus()
    page.keyboard.press("End")                                    # n = 500: EM as a long job
    wait_for_length(page, "gmm-points", "x", 500)
    page.locator(".demo-gmm [data-job-state='done']").wait_for(state="attached",
                                                                timeout=60_000)
    click_button(page, "gmm", "Run to convergence")
    loglik = wait_for_length(page, "gmm-loglik", "loglik", 4)
    assert all(b >= a - 1e-9 * abs(a) for a, b in zip(loglik, loglik[1:])), loglik
    page.screenshot(path=str(artifacts / "gmm-large-n.png"), full_page=True)
    log.assert_clean()
