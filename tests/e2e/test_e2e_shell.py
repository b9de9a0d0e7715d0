"""The shell's contract in a real browser: history, URL state, unknown demos, page width."""
from __future__ import annotations

import pytest

from e2e_helpers import open_page

TITLES = {"knn": "k-nearest neighbours", "regression": "Linear regression & ridge",
          "logistic": "Logistic regression"}


def shown(page) -> list[str]:
    """Slugs of the demos whose heading a person can see."""
    return [slug for slug, title in TITLES.items()
            if page.locator("h2.demo-title", has_text=title).first.is_visible()]


def wait_for_demo(page, slug: str) -> None:
    page.wait_for_function(f"new URLSearchParams(location.search).get('demo') === '{slug}'",
                           timeout=30_000)
    page.locator("h2.demo-title", has_text=TITLES[slug]).first.wait_for(state="visible",
                                                                        timeout=30_000)


@pytest.fixture(scope="module")
def page(browser, base_url):
    page, log, _ = open_page(browser, base_url, "?demo=knn&n_neighbors=7")
    yield page
    log.assert_clean()
    page.close()


def test_back_and_forward_move_between_demos_and_their_states(page):
    start = page.evaluate("history.length")
    page.get_by_role("button", name=TITLES["regression"]).click()
    wait_for_demo(page, "regression")
    page.get_by_role("button", name=TITLES["logistic"]).click()
    wait_for_demo(page, "logistic")
    assert page.evaluate("history.length") == start + 2       # one entry per navigation click
    page.go_back()
    wait_for_demo(page, "regression")
    assert shown(page) == ["regression"]
    page.go_back()
    wait_for_demo(page, "knn")
    assert shown(page) == ["knn"] and "n_neighbors=7" in page.url
    assert "degree" not in page.url                             # no other demo's parameters
    page.go_forward()
    wait_for_demo(page, "regression")
    assert shown(page) == ["regression"]


def test_rejected_url_value_is_replaced_in_the_url(browser, base_url):
    page, log, _ = open_page(browser, base_url, "?demo=knn&n_neighbors=99")
    error = page.locator(".error-message")
    error.wait_for(state="visible", timeout=30_000)
    assert "n_neighbors" in error.inner_text()
    page.wait_for_function("new URLSearchParams(location.search).get('n_neighbors') === '5'",
                           timeout=30_000)
    log.assert_clean()
    page.close()


def test_unknown_demo_says_so(browser, base_url):
    page, log, _ = open_page(browser, base_url, "?demo=nonsense")
    error = page.locator(".error-message")
    error.wait_for(state="visible", timeout=30_000)
    assert "nonsense" in error.inner_text() and "knn" in error.inner_text()
    log.assert_clean()
    page.close()
