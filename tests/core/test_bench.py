"""ece544core.bench: the quick bench runs in-process and reports well-formed, agreeing rows."""
import json
import os

import pytest

from ece544core import _bench_tasks, bench

KEYS = {"task", "size", "threads", "ours_s", "ref_s", "ratio", "agreement"}


@pytest.fixture(scope="module")
def quick_rows(mnist_split):
    return bench.run_bench(quick=True, repeats=1, log=lambda msg: None)


def test_registry():
    assert {"knn", "ridge", "logistic", "kmeans", "gmm", "svc", "msvm"} <= set(bench.TASKS)
    assert bench.TASKS is _bench_tasks.TASKS and bench.task is _bench_tasks.task
    with pytest.raises(ValueError, match="tasks must be among"):
        bench.run_bench(tasks=["nope"], quick=True, log=lambda msg: None)


def test_quick_rows_structure_and_agreement(quick_rows):
    cores = os.cpu_count() or 1
    threads = sorted({1, cores})
    assert [(r["task"], r["threads"]) for r in quick_rows] == \
        [(t, n) for t in ("knn", "ridge", "logistic", "kmeans", "gmm", "svc", "msvm")
         for n in threads]
    for row in quick_rows:
        assert set(row) == KEYS
        assert row["ours_s"] > 0 and row["ref_s"] > 0
        assert row["ratio"] == pytest.approx(row["ours_s"] / row["ref_s"])
    for row in quick_rows:
        if row["task"] == "knn":
            agree = row["agreement"]
            assert agree["identical"] == 1.0
            assert agree["ours_accuracy"] == agree["ref_accuracy"] > 0.7
        elif row["task"] == "logistic":  # the same objective to the same tolerance
            agree = row["agreement"]
            assert abs(agree["rel_obj_diff"]) < 1e-3 and agree["identical"] >= 0.99
            assert agree["ours_iter"] > 0 and agree["ref_iter"] > 0
        elif row["task"] == "kmeans":  # same start, same Lloyd iterations
            agree = row["agreement"]
            assert agree["ours_iter"] == agree["ref_iter"] and agree["identical"] == 1.0
            assert agree["max_center_diff"] < 1e-10 and abs(agree["rel_inertia_diff"]) < 1e-10
        elif row["task"] == "gmm":  # same start, same EM iterations
            agree = row["agreement"]
            assert agree["ours_iter"] == agree["ref_iter"] == 5
            assert agree["max_mean_diff"] < 1e-8 and abs(agree["rel_lower_bound_diff"]) < 1e-10
        elif row["task"] == "svc":  # the same dual problem to the same KKT tolerance
            agree = row["agreement"]
            assert agree["ours_n_support"] == agree["ref_n_support"]
            assert agree["identical"] == 1.0 and abs(agree["rel_dual_diff"]) < 1e-4
        elif row["task"] == "msvm":  # exact: never above LIBLINEAR's objective
            agree = row["agreement"]
            assert agree["converged"] and agree["rel_objective_diff"] < 1e-6
            assert agree["identical"] >= 0.9
        else:
            assert row["agreement"]["max_abs_coef_diff"] < 1e-10
    json.dumps(quick_rows)  # serialisable


def test_main_json_and_table(capsys, mnist_split):
    assert bench.main(["--quick", "--json", "--repeats", "1", "--tasks", "ridge"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(set(r) == KEYS and r["task"] == "ridge" for r in rows)
    assert bench.main(["--quick", "--repeats", "1", "--tasks", "ridge"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split(" | ")[0].strip() == "task" and "ridge" in out


def test_format_table(quick_rows):
    table = bench.format_table(quick_rows)
    assert "ours_s" in table and "identical=1" in table and "max_abs_coef_diff" in table


def test_without_reference_library_still_times_ours(monkeypatch):
    monkeypatch.setattr(bench, "_sklearn", lambda: None)
    messages = []
    rows = bench.run_bench(tasks=["ridge"], quick=True, repeats=1, log=messages.append)
    assert any("pip install -e .[test]" in m for m in messages)
    assert all(r["ref_s"] is None and r["ratio"] is None and r["ours_s"] > 0 for r in rows)
    assert "-" in bench.format_table(rows)


def test_without_threadpoolctl(monkeypatch):
    monkeypatch.setattr(bench, "_thread_limiter", lambda: None)
    messages = []
    rows = bench.run_bench(tasks=["ridge"], quick=True, repeats=1, log=messages.append)
    assert [r["threads"] for r in rows] == [None]
    assert any("threadpoolctl" in m for m in messages)
