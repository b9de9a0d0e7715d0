"""Binary kernel SVM in the course notes' parameterisation, solved by SMO (the dual) or, for
the linear kernel, exactly in the primal (``solver="primal"``, :mod:`ece544core._svm_primal`).

Primal (notes): min_{w, b, xi} C/2 ||w||^2 + sum_i xi^(i)
s.t. y^(i) (w^T phi(x^(i)) + b) >= 1 - xi^(i), xi^(i) >= 0.

Dual (notes):
max_alpha g(alpha) = sum_i alpha^(i) - 1/(2C) sum_ij alpha^(i) alpha^(j) y^(i) y^(j) K_ij
s.t. 0 <= alpha^(i) <= 1, sum_i alpha^(i) y^(i) = 0, and w = (1/C) sum_i alpha^(i) y^(i) phi(x^(i)).

Mapping to scikit-learn / LIBSVM (C on the slack, min 1/2 ||w||^2 + C_sk sum xi):
C_sklearn = 1 / C_notes and alpha_sklearn = alpha_notes / C_notes (so 0 <= alpha_sk <= C_sk);
g_notes(alpha) = C_notes * g_sklearn(alpha_sk). ``dual_coef_`` follows scikit-learn:
y^(i) alpha_sk^(i) = y^(i) alpha^(i) / C, so f(x) = sum_i dual_coef_i K(x^(i), x) + intercept_.

SMO (:mod:`ece544core._smo`, its public step functions re-exported here) minimises
f(alpha) = 1/2 alpha^T Q alpha - e^T alpha (= -g), Q_ij = y_i y_j K_ij / C, two coordinates at
a time (WSS2); its gradient G = Q alpha - e equals LIBSVM's, so ``tol`` means the same as
scikit-learn's. Predictions use the kernel expansion shared with kernel logistic regression
(:mod:`ece544core.kernel_predict`).

The primal solver minimises J(w, b) = C/2 ||w||^2 + sum_i max(0, 1 - y^(i) (w^T x^(i) + b))
directly (smoothed-hinge Newton path, then an exact active-set solve certified by the duality
gap) and recovers alpha from the KKT conditions, so both views can be compared: at the optimum
``primal_objective_`` == ``dual_objective_``.
"""
from __future__ import annotations

import warnings

import numpy as np

from . import duality as _duality
from . import kernels as _kernels
from ._smo import (SMOProgress, SMOStep, _KernelRows, _nonzero_columns, _smo_run,
                   dual_objective, primal_objective, smo_select, smo_step, svm_intercept)
from ._svm_primal import fit_primal
from ._validation import check_option, check_scalar, check_X_y
from .kernel_predict import KernelDualClassifier, binary_signs, is_linear_kernel

__all__ = ["SVC", "smo_step", "smo_select", "SMOStep", "SMOProgress", "dual_objective",
           "primal_objective", "HARD_MARGIN_BOUND", "SOLVERS"]

#: Upper bound on the notes' alpha used for ``hard_margin=True`` (alpha is unbounded in theory);
#: a solution touching it means the data is not linearly separable in feature space.
HARD_MARGIN_BOUND = 1e7
#: Largest n for which hard_margin=True first checks separability with an LP.
HARD_MARGIN_LP_MAX = 1000
#: SVC solvers: SMO on the dual (any kernel), the exact primal solver (linear kernel)
SOLVERS = ("smo", "primal", "auto")
#: solver="auto" (linear kernel, soft margin): SMO for at most this many steps per sample, then
#: the primal solver (SMO is fastest on easy problems, the primal on heavily overlapping ones)
AUTO_SMO_STEPS_PER_SAMPLE = 10


def _check_separable_lp(X, y, K, kernel) -> bool | None:
    """Hard margin: raise at once unless some f separates the data with y_i f(x_i) >= 1;
    True when the LP certifies that one does, None when it was not decided.

    That is the feasibility of a linear program (``duality.linprog`` with c = 0): for the
    linear kernel in (w, b), -y_i (w^T x_i + b) <= -1; for any other kernel in f = F v + b
    with K = F F^T (a separating w in feature space can be projected onto the span of the
    phi(x_j) without changing f on the data; F from the positive eigenvalues of K, which also
    keeps the LP well scaled), -y_i ((F v)_i + b) <= -1. SMO would only
    notice by alpha growing without bound (up to max_iter steps). Skipped above
    ``HARD_MARGIN_LP_MAX`` samples (the LP's cost grows as n^3); SMO's own checks remain.
    """
    n = y.size
    if n > HARD_MARGIN_LP_MAX:
        return None
    if is_linear_kernel(kernel):
        feats = X - X.mean(axis=0)
    else:  # K = F F^T with F = V sqrt(lam) on the positive eigenvalues: f = F v + b
        lam, V = np.linalg.eigh(K)
        keep = lam > 1e-10 * max(lam[-1], 0.0)
        feats = V[:, keep] * np.sqrt(lam[keep])
    scale = np.abs(feats).max(initial=0.0)  # rescaling the features rescales w: same answer
    feats = feats / scale if scale > 0 else feats
    A = -y[:, None] * np.column_stack([feats, np.ones(n)])
    result = _duality.linprog(np.zeros(A.shape[1]), A_ub=A, b_ub=-np.ones(n))
    if result.status == "infeasible":
        raise ValueError("The data is not linearly separable in feature space: no f has "
                         "y f(x) >= 1 for every point (the hard-margin constraints, an LP, are "
                         "infeasible); use hard_margin=False")
    return True if result.status == "optimal" else None


# ------------------------------------------------------------------------------ estimator
class SVC(KernelDualClassifier):
    """Two-class kernel SVM: f(x) = w^T phi(x) + b = (1/C) sum_i alpha^(i) y^(i) K(x^(i), x) + b.

    Parameters
    ----------
    C : float > 0
        The notes' C (weight on ||w||^2); scikit-learn's is 1 / C.
    kernel : {'linear', 'poly', 'rbf', 'sigmoid'} or callable
    gamma : float > 0 or None
        None: 1 / (d * X.var()) of the training X (scikit-learn's ``"scale"``).
    degree : int
    coef0 : float
    tol : float > 0
        Stop SMO when the KKT violation m(alpha) - M(alpha) <= tol (SMO only: the primal
        solver stops at a certified exact optimum).
    max_iter : int
        Maximum SMO steps, or Newton iterations of the primal solver (a warning is issued if
        reached).
    hard_margin : bool
        No slack (min C/2 ||w||^2 s.t. y f(x) >= 1): alpha is bounded by ``HARD_MARGIN_BOUND``
        instead of 1. Separability is first decided by a linear program (y f(x) >= 1 feasible?
        ``_check_separable_lp``, up to ``HARD_MARGIN_LP_MAX`` samples): infeasible raises a
        ValueError ("not linearly separable") at once. Otherwise SMO runs, and a ValueError is
        raised if alpha touches the bound, SMO does not converge within ``max_iter`` or a margin
        y_i f(x_i) < 1 - 1e-3 remains -- a RuntimeWarning instead when the LP certified that
        the data is separable (the margin is then tiny). SMO only.
    solver : {"smo", "primal", "auto"}
        "smo": the dual by SMO (any kernel). "primal" (kernel="linear" only): J(w, b) =
        C/2 ||w||^2 + sum_i max(0, 1 - y^(i) (w^T x^(i) + b)) minimised exactly: a Newton path
        on the smoothed hinge eps ln(1 + exp((1 - m) / eps)), eps = 1 -> 1e-8, then an
        active-set solve of the KKT conditions accepted only when its duality gap is
        <= 1e-10 max(1, J) (see :mod:`ece544core._svm_primal`); alpha_ is recovered from the
        KKT conditions (1 where y f(x) < 1, 0 where > 1, solved for on the margin).
        "auto": for the linear soft margin, SMO for at most ``AUTO_SMO_STEPS_PER_SAMPLE`` * n
        steps and, if it has not converged by then, the primal solver; else "smo".

    Attributes
    ----------
    alpha_ : ndarray (n_samples,)
        Notes' dual variables, in [0, 1] (unbounded for hard margin).
    support_, support_vectors_, n_support_ : indices, rows and per-class counts of alpha > 0.
    dual_coef_ : ndarray (1, n_SV)
        y_i alpha_i / C (scikit-learn's dual_coef_).
    intercept_ : ndarray (1,)
    dual_objective_, primal_objective_ : float
        g(alpha) and J(w, b) at the solution (equal at the optimum).
    coef_ : ndarray (1, d)
        w = (1/C) sum alpha y x, linear kernel only.
    classes_ : ndarray (2,)
        classes_[1] is the +1 class.
    history_ : History
        One record per recorded step (field names of ``_history.FIELDS``). SMO: ``iteration``,
        ``objective`` = ``dual_objective`` g(alpha) (maximised), ``primal_objective`` J(w, b),
        ``gap`` J(w, b) - g(alpha) (b from the current alphas, as at the end) and
        ``kkt_violation`` m(alpha) - M(alpha); every step for the first 100, then every 10th,
        and the last. Primal: ``iteration``, ``eps`` (0 marks an exact active-set solve, NaN
        the start), ``objective`` = ``primal_objective`` J(w, b) of every iterate (minimised),
        ``smoothed_objective`` J_eps (Newton iterates) and ``gap`` (the certificate of
        active-set solves); NaN where a record does not carry the field.
    n_iter_ : int
    converged_ : bool
    solver_ : str
        The solver that produced the fit: "smo" or "primal".
    """

    def __init__(self, C=1.0, kernel="rbf", gamma=None, degree=3, coef0=0.0, tol=1e-3,
                 max_iter=100000, hard_margin=False, solver="smo"):
        self.C = C
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.tol = tol
        self.max_iter = max_iter
        self.hard_margin = hard_margin
        self.solver = solver

    # -------------------------------------------------------------- helpers
    def _kernel_fn(self, X):
        """Kernel callable with gamma resolved on the training X."""
        return _kernels.bind_kernel(self.kernel, X, self.gamma, self.degree, self.coef0)

    def _check_params(self):
        C = check_scalar(self.C, "C", kind=float, min_val=0.0, include_min=False)
        tol = check_scalar(self.tol, "tol", kind=float, min_val=0.0, include_min=False)
        max_iter = check_scalar(self.max_iter, "max_iter", kind=int, min_val=1)
        check_option(self.solver, "solver", SOLVERS)
        if self.solver == "primal":
            if self.hard_margin:
                raise ValueError("solver='primal' solves the soft-margin SVM only; got "
                                 "hard_margin=True: use solver='smo'")
            if not np.isfinite(C):
                raise ValueError(f"C must be a finite positive number; got {C!r}")
        return C, tol, max_iter

    # -------------------------------------------------------------- fit
    def fit(self, X, y):
        """Solve the notes' dual by SMO, or the primal exactly (solver="primal"); returns self.

        SMO: the Gram matrix is computed once; for a named kernel, features that are 0 in every
        training sample are left out of it (they change no inner product or distance). The
        loop is the private fused :func:`_smo_fused`, which takes the same steps as looping
        :func:`smo_step`.
        """
        for _ in self.fit_steps(X, y, chunk=None):  # never pauses
            pass
        return self

    def fit_steps(self, X, y, chunk=1000):
        """:meth:`fit` in pieces, for a long job: a generator that yields an
        :class:`SMOProgress` after every ``chunk`` SMO steps and returns self, fitted exactly
        as :meth:`fit` fits it (the same steps, history and checks).

        At each pause the estimator already predicts with the current feasible iterate alpha
        (0 <= alpha <= upper, sum alpha y = 0; ``alpha_``, ``dual_coef_``, ``intercept_``,
        ``dual_objective_`` ... set, ``converged_`` False): a valid, not yet optimal SVM.
        The primal solver and the hard margin's LP check run without pauses. ``chunk=None``:
        no pauses.
        """
        if chunk is not None:
            chunk = check_scalar(chunk, "chunk", kind=int, min_val=1)
        X, y = check_X_y(X, y)
        C, tol, max_iter = self._check_params()
        self.classes_, ys = binary_signs(y, "SVC")
        kfun = self._kernel_fn(X)
        linear = is_linear_kernel(self.kernel)
        if self.solver == "primal":
            if not linear:
                raise ValueError(f"solver='primal' needs kernel='linear' (it minimises over w "
                                 f"in input space); got kernel={self.kernel!r}: use "
                                 f"solver='smo'")
            return self._fit_primal(X, ys, C, max_iter, kfun)
        upper = HARD_MARGIN_BOUND if self.hard_margin else 1.0
        rows = _KernelRows(kfun, _nonzero_columns(X) if isinstance(self.kernel, str) else X, C)
        separable = _check_separable_lp(X, ys, rows.Kc * C, self.kernel) if self.hard_margin \
            else None
        fallback = self.solver == "auto" and linear and not self.hard_margin
        steps = min(max_iter, AUTO_SMO_STEPS_PER_SAMPLE * ys.size) if fallback else max_iter
        run = _smo_run(rows, ys, upper, tol, steps, chunk)
        while True:
            try:
                n_iter, kkt, alpha, grad = next(run)
            except StopIteration as end:
                alpha, grad, hist, n_iter, converged = end.value
                break
            self._store(X, ys, alpha, grad, upper, C, kfun)
            self.solver_, self.n_iter_, self.converged_ = "smo", n_iter, False
            yield SMOProgress(n_iter=n_iter, kkt_violation=kkt, tol=tol, max_iter=steps)
        if fallback and not converged:
            return self._fit_primal(X, ys, C, max_iter, kfun)
        self.solver_ = "smo"
        if not converged and not self.hard_margin:
            warnings.warn(f"SVC: SMO stopped after max_iter={max_iter} steps without reaching "
                          f"tol; the KKT violation is {hist['kkt_violation'][-1]:.3g}",
                          RuntimeWarning, stacklevel=3)
        self._store(X, ys, alpha, grad, upper, C, kfun)
        if self.hard_margin:  # y_i f(x_i) = y_i ((K y alpha)_i / C + b) = G_i + 1 + y_i b
            try:
                self._check_separable(alpha, upper, converged,
                                      grad + 1.0 + ys * self.intercept_[0])
            except ValueError as exc:
                if not separable:
                    raise
                warnings.warn("SVC: the data is separable (the LP found y f(x) >= 1), but SMO "
                              "did not reach the hard-margin solution (the margin is tiny, so "
                              f"alpha is huge): {exc}; raise max_iter", RuntimeWarning,
                              stacklevel=3)
        self.history_, self.n_iter_, self.converged_ = hist, n_iter, converged
        return self

    def _fit_primal(self, X, ys, C, max_iter, kfun):
        """The exact primal solver (:func:`ece544core._svm_primal.fit_primal`)."""
        alpha, grad, hist, n_iter, converged = fit_primal(X, ys, C, max_iter)
        if not converged:
            gaps = hist["gap"] if "gap" in hist else np.empty(0)
            gaps = gaps[~np.isnan(gaps)]
            warnings.warn("SVC(solver='primal'): no active-set solve was certified optimal "
                          "(duality gap <= 1e-10 max(1, J)) on the smoothing path within "
                          f"max_iter={max_iter} Newton iterations; the smallest gap found is "
                          f"{gaps.min() if gaps.size else float('nan'):.3g} (badly scaled "
                          "features? try standardising X)", RuntimeWarning, stacklevel=4)
        self._store(X, ys, alpha, grad, 1.0, C, kfun)
        self.history_, self.n_iter_, self.converged_ = hist, n_iter, converged
        self.solver_ = "primal"
        return self

    @staticmethod
    def _check_separable(alpha, upper, converged, margins):
        """Hard margin: raise unless alpha stayed below the bound, SMO converged and
        y_i f(x_i) >= 1 - 1e-3 for all i."""
        why = ("alpha reached the bound {:g}".format(upper) if np.any(alpha >= upper) else
               "the dual kept growing until max_iter" if not converged else
               f"min y f(x) = {margins.min():.3g} < 1" if margins.min() < 1 - 1e-3 else None)
        if why is not None:
            raise ValueError("The data is not linearly separable in feature space: the "
                             f"hard-margin dual is unbounded ({why}); use hard_margin=False")

    def _store(self, X, ys, alpha, grad, upper, C, kfun):
        self.alpha_ = alpha
        sv = np.flatnonzero(alpha > 0)
        self.support_ = sv
        self.n_support_ = np.array([np.sum(ys[sv] < 0), np.sum(ys[sv] > 0)], dtype=np.int32)
        b = svm_intercept(alpha, grad, ys, upper)
        self._set_dual(X[sv], alpha[sv], ys[sv], C, b, kfun)  # support_vectors_, dual_coef_
        self.dual_objective_ = dual_objective(alpha, grad)
        self.primal_objective_ = primal_objective(alpha, grad, ys, b)
