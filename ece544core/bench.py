"""Benchmark: our implementations against their references, side by side in one process.

    python -m ece544core.bench [--json] [--quick] [--tasks knn,ridge] [--repeats 3]

Every task is timed at 1 thread and at all cores; the thread count is set explicitly with
threadpoolctl for every BLAS and OpenMP pool (NumPy and SciPy each load their own OpenBLAS; two
unlimited pools fight on a small machine). A timing is the best of ``repeats`` runs
(``time.perf_counter``). ``ratio`` = ours_s / ref_s (<= 1.0 is the target).

Tasks live in the ``TASKS`` registry: add one with the ``@task("name")`` decorator on a
function ``(quick: bool) -> Task``. The reference libraries (scikit-learn, threadpoolctl) are
imported lazily; without them the bench still times our code and says what is missing.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

__all__ = ["Task", "TASKS", "task", "run_bench", "format_table", "main"]

MISSING_REF = "reference timings need scikit-learn: pip install -e .[test]"
MISSING_THREADS = ("fixed thread counts need threadpoolctl: pip install -e .[test] "
                   "(timing with the libraries' default thread counts)")


@dataclass
class Task:
    """One benchmark case.

    ours, ref : zero-argument callables doing the full work (fit + predict, ...) and returning
        whatever ``agreement`` needs; ``ref`` is None when the reference library is missing.
    agreement : (ours_result, ref_result or None) -> dict of numbers for the report.
    """

    name: str
    size: str
    ours: Callable[[], Any]
    ref: Callable[[], Any] | None
    agreement: Callable[[Any, Any], dict]


#: name -> factory(quick) -> Task
TASKS: dict[str, Callable[[bool], Task]] = {}


def task(name: str):
    """Register a task factory under ``name``."""
    def register(factory):
        TASKS[name] = factory
        return factory
    return register


def _sklearn():
    """Import scikit-learn lazily; None (and the caller reports MISSING_REF) if it is absent."""
    try:
        import sklearn
    except ImportError:
        return None
    return sklearn


def _reference(module: str):
    """A scikit-learn submodule for a task's reference, or None without scikit-learn."""
    return importlib.import_module(module) if _sklearn() is not None else None


# ------------------------------------------------------------------------------ tasks
@task("knn")
def _knn_task(quick: bool) -> Task:
    """kNN on MNIST: the first 8000 digits train, the last 2000 test; k=5, euclidean, uniform."""
    from .datasets import load_mnist_split
    from .neighbors import KNeighborsClassifier

    Xtr, ytr, Xte, yte = load_mnist_split()
    if quick:
        Xtr, ytr, Xte, yte = Xtr[:1000], ytr[:1000], Xte[:200], yte[:200]

    def ours():
        return KNeighborsClassifier(n_neighbors=5).fit(Xtr, ytr).predict(Xte)

    sk = _reference("sklearn.neighbors")

    def ref():
        return sk.KNeighborsClassifier(n_neighbors=5, algorithm="brute").fit(Xtr, ytr).predict(Xte)

    def agreement(p_ours, p_ref):
        out = {"ours_accuracy": float(np.mean(p_ours == yte))}
        if p_ref is not None:
            out["identical"] = float(np.mean(p_ours == p_ref))
            out["ref_accuracy"] = float(np.mean(p_ref == yte))
        return out

    size = f"train={len(ytr)} test={len(yte)} d={Xtr.shape[1]}"
    return Task("knn", size, ours, ref if sk else None, agreement)


@task("ridge")
def _ridge_task(quick: bool) -> Task:
    """Ridge regression (C = alpha = 1) on Gaussian data, n=100000, d=100, fixed seed."""
    from .linear_model import Ridge

    n, d = (2000, 20) if quick else (100_000, 100)
    rng = np.random.default_rng(544)
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) + 0.5 * rng.standard_normal(n) + 3.0
    C = 1.0

    def ours():
        return Ridge(C=C).fit(X, y).coef_

    sk = _reference("sklearn.linear_model")

    def ref():  # default solver "auto" (Cholesky for dense X without sample weights)
        return sk.Ridge(alpha=C).fit(X, y).coef_

    def agreement(w_ours, w_ref):
        if w_ref is None:
            return {}
        return {"max_abs_coef_diff": float(np.max(np.abs(w_ours - w_ref)))}

    return Task("ridge", f"n={n} d={d}", ours, ref if sk else None, agreement)


@task("logistic")
def _logistic_task(quick: bool) -> Task:
    """Softmax regression on MNIST 10k (X/255), C_notes = 1 = 1/C_sklearn, L-BFGS to tol 1e-6.

    Both stop when the max-norm of the gradient of the mean objective is <= 1e-6 (scikit-learn
    passes gtol=tol to SciPy's L-BFGS-B; ours stops at max_j |dJ/dtheta_j| <= tol * n).
    Agreement: relative objective difference (J_ours - J_ref) / J_ref, evaluated with our J at
    both solutions, and the fraction of identical predictions.
    """
    import warnings

    from .datasets import load_mnist
    from .logistic import SoftmaxRegression

    X, y = load_mnist()
    X = X / 255.0
    C, tol, max_iter = 1.0, 1e-6, 1000
    if quick:
        X, y, tol = X[:500], y[:500], 1e-4

    def ours():
        return SoftmaxRegression(C=C, solver="lbfgs", tol=tol, max_iter=max_iter).fit(X, y)

    sk = _reference("sklearn.linear_model")

    def ref():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a ConvergenceWarning shows up in ref_iter
            return sk.LogisticRegression(C=1.0 / C, solver="lbfgs", tol=tol,
                                         max_iter=max_iter).fit(X, y)

    def agreement(m, r):
        out = {"ours_iter": m.n_iter_, "ours_accuracy": float(np.mean(m.predict(X) == y))}
        if r is not None:
            f_ours = m.objective(m.coef_, m.intercept_, X, y)
            f_ref = m.objective(r.coef_, r.intercept_, X, y)
            out.update(ref_iter=int(np.max(r.n_iter_)), rel_obj_diff=(f_ours - f_ref) / f_ref,
                       identical=float(np.mean(m.predict(X) == r.predict(X))))
        return out

    size = f"n={len(y)} d={X.shape[1]} K=10 tol={tol:g}"
    return Task("logistic", size, ours, ref if sk else None, agreement)


# ------------------------------------------------------------------------------ running
def _best_time(fn: Callable[[], Any], repeats: int):
    """(best wall time over ``repeats`` runs, result of the last run)."""
    best, result = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
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
    if _sklearn() is None:
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
                ours_s, ours_out = _best_time(case.ours, repeats)
                ref_s, ref_out = (None, None)
                if case.ref is not None:
                    ref_s, ref_out = _best_time(case.ref, repeats)
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
