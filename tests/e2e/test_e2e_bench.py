"""The benchmark page runs the core's bench tasks in the browser (Pyodide) and shows a table."""
from __future__ import annotations

from e2e_helpers import record_timing, watch_page


def test_bench_page_runs_the_quick_tasks(browser, base_url, artifacts):
    page = browser.new_page()
    log = watch_page(page, base_url)
    page.goto(base_url + "bench.html?quick=1&tasks=knn,ridge")
    page.locator("#run").click()
    page.wait_for_function("window.ece544bench.rows !== null", timeout=180_000)
    rows = page.evaluate("window.ece544bench.rows")
    assert [r["task"] for r in rows] == ["knn", "ridge"]
    assert all(r["ours_s"] > 0 and r["ref_s"] is None for r in rows)   # no references here
    assert "knn" in page.locator("#bench-table").inner_text()
    for r in rows:
        record_timing(artifacts, f"browser_quick_{r['task']}_s", r["ours_s"])
    page.screenshot(path=str(artifacts / "bench.png"), full_page=True)
    log.assert_clean()
    page.close()
