"""Benchmark: our implementations against their references, side by side in one process.

    python -m ece544core.bench [--json] [--quick] [--tasks knn,ridge] [--repeats 3]

Every task is timed at 1 thread and at all cores; the thread count is set explicitly with
threadpoolctl for every BLAS and OpenMP pool (NumPy and SciPy each load their own OpenBLAS; two
unlimited pools fight on a small machine). A timing is the best of ``repeats`` runs
(``time.perf_counter``). ``ratio`` = ours_s / ref_s (<= 1.0 is the target). The iterative
clustering tasks (kmeans, gmm) report seconds per iteration (a fit's time / its ``n_iter_``).

Tasks live in the ``TASKS`` registry (:mod:`ece544core._bench_tasks`, re-exported here): add one
with the ``@task("name")`` decorator on a function ``(quick: bool) -> Task``. The reference
libraries (scikit-learn, threadpoolctl) are imported lazily; without them the bench still times
our code and says what is missing.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from typing import Any, Callable

from ._bench_tasks import TASKS, Task, _sklearn, task

__all__ = ["Task", "TASKS", "task", "run_bench", "format_table", "main"]

MISSING_REF = "reference timings need scikit-learn: pip install -e .[test]"
MISSING_THREADS = ("fixed thread counts need threadpoolctl: pip install -e .[test] "
                   "(timing with the libraries' default thread counts)")


# ------------------------------------------------------------------------------ running
def _best_time(fn: Callable[[], Any], repeats: int, per=None):
    """(best wall time over ``repeats`` runs, result of the last run); with ``per``, the time
    of each run is divided by ``per(result)`` (e.g. time per iteration)."""
    best, result = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t0
        best = min(best, elapsed / (per(result) if per is not None else 1))
    return best, result


def _thread_limiter():
    """threadpoolctl.threadpool_limits, or None if threadpoolctl is missing."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits


def run_bench(tasks=None, quick: bool = False, repeats: int = 3, threads=None,
              log=None) -> list[dict]:
    """Run the tasks and return one row per (task, thread count).

    Parameters
    ----------
    tasks : iterable of str or None
        Names from ``TASKS`` (all if None).
    quick : bool
        Small sizes (for tests).
    repeats : int
        Timings are the best of this many runs.
    threads : iterable of int or None
        Thread counts; default ``[1, os.cpu_count()]`` (just ``[1]`` on a single core).
    log : callable or None
        Receives progress and "missing library" messages (default: print to stderr).

    Returns
    -------
    list of dict
        {task, size, threads, ours_s, ref_s, ratio, agreement}; ref_s and ratio are None
        without the reference library, threads is None without threadpoolctl.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    names = list(TASKS) if tasks is None else list(tasks)
    unknown = [t for t in names if t not in TASKS]
    if unknown:
        raise ValueError(f"tasks must be among {', '.join(TASKS)}; got {', '.join(unknown)}")
    with_ref = _sklearn() is not None
    if not with_ref:
        log(MISSING_REF)
    limiter = _thread_limiter()
    if limiter is None:
        log(MISSING_THREADS)
        counts = [None]
    else:
        cores = os.cpu_count() or 1
        counts = sorted(set(threads or [1, cores]))
    rows = []
    for name in names:
        case = TASKS[name](quick)
        for n_threads in counts:
            log(f"[bench] {case.name} ({case.size}) threads={n_threads or 'default'}")
            ctx = limiter(limits=n_threads) if limiter else contextlib.nullcontext()
            with ctx:
                ours_s, ours_out = _best_time(case.ours, repeats, case.per)
                ref_s, ref_out = (None, None)
                if with_ref and case.ref is not None:
                    ref_s, ref_out = _best_time(case.ref, repeats, case.per)
            rows.append({
                "task": case.name, "size": case.size, "threads": n_threads,
                "ours_s": ours_s, "ref_s": ref_s,
                "ratio": None if ref_s is None else ours_s / ref_s,
                "agreement": case.agreement(ours_out, ref_out),
            })
    return rows


def _fmt_agreement(agreement: dict) -> str:
    return " ".join(f"{k}={v:.4g}" for k, v in agreement.items()) or "-"


def format_table(rows: list[dict]) -> str:
    """The rows as an aligned text table."""
    head = ["task", "size", "threads", "ours_s", "ref_s", "ratio", "agreement"]
    body = [[r["task"], r["size"], str(r["threads"] or "default"), f"{r['ours_s']:.4f}",
             "-" if r["ref_s"] is None else f"{r['ref_s']:.4f}",
             "-" if r["ratio"] is None else f"{r['ratio']:.2f}",
             _fmt_agreement(r["agreement"])] for r in rows]
    widths = [max(len(x) for x in col) for col in zip(head, *body)]
    lines = [" | ".join(x.ljust(w) for x, w in zip(line, widths)) for line in [head] + body]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ece544core.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--quick", action="store_true", help="small sizes (for tests)")
    parser.add_argument("--tasks", default=None,
                        help=f"comma-separated subset of: {', '.join(TASKS)}")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    args = parser.parse_args(argv)
    tasks = None if args.tasks is None else [t.strip() for t in args.tasks.split(",") if t]
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    try:
        rows = run_bench(tasks=tasks, quick=args.quick, repeats=args.repeats)
    except ValueError as exc:
        parser.error(str(exc))
    print(json.dumps(rows, indent=2) if args.json else format_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
