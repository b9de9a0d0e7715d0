"""Kernel (dual) logistic regression in the course notes' parameterisation ("the four
formulas": the dual of logistic regression and its prediction, next to the SVM's).

Primal (notes' binary logistic regression with a feature map phi, y^(i) = +-1; the intercept b
is not penalised, as in ``logistic.LogisticRegression``):

    min_{w, b} J(w, b) = C/2 ||w||^2 + sum_i ln(1 + exp(-y^(i) (w^T phi(x^(i)) + b)))

Dual: ln(1 + e^{-z}) = max_{0 <= a <= 1} [H(a) - a z] with the entropy
H(a) = -a ln a - (1 - a) ln(1 - a) (maximiser a = sigma(-z)); minimising the Lagrangian over
w gives w = (1/C) sum_i alpha^(i) y^(i) phi(x^(i)), over b the constraint sum_i alpha^(i) y^(i)
= 0, so

    max_alpha g(alpha) = sum_i H(alpha^(i)) - 1/(2C) sum_ij alpha^(i) alpha^(j) y^(i) y^(j) K_ij
    s.t. 0 <= alpha^(i) <= 1, sum_i alpha^(i) y^(i) = 0,

    prediction  w^T phi(x) + b = (1/C) sum_i alpha^(i) y^(i) K(x^(i), x) + b.

It is the SVM dual (svm.py) with sum_i alpha^(i) replaced by sum_i H(alpha^(i)): the hinge's
conjugate is linear, the logistic loss's is the entropy (in the temperature family
eps ln(1 + exp((L - m)/eps)) the dual term is sum_i [L alpha^(i) + eps H(alpha^(i))]: eps = 1,
L = 0 gives this dual, eps -> 0, L = 1 the SVM's). Every alpha^(i) is strictly inside (0, 1).

KKT (stationarity of g + b sum alpha y): ln((1 - alpha_i) / alpha_i) = m_i, i.e.
alpha_i = sigma(-m_i), with m = y * f(X) = Q alpha + y b, Q_ij = y_i y_j K_ij / C.

Solver: Newton's method on the KKT system F(alpha, b) = [alpha - sigma(-m), y^T alpha] = 0,

    [I + S Q   S y] [d_alpha]     [alpha - sigma(-m)]
    [  y^T      0 ] [  d_b  ] = - [    y^T alpha    ],   S = diag(sigma(m) sigma(-m)),

(solved through the symmetric positive definite I + S^(1/2) Q S^(1/2), see ``_newton_step``)

which is also the Newton step of the representer-form primal J(alpha, b) = alpha^T Q alpha / 2
+ sum_i ln(1 + exp(-m_i)) (its Hessian system, reduced by Q), so the steps are damped by
Armijo backtracking on J. The matrix is nonsingular and Newton converges quadratically.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from . import kernels as _kernels
from ._history import History
from ._math import sigmoid, softplus
from ._validation import check_scalar, check_X_y
from .kernel_predict import KernelDualClassifier, binary_signs
from .optim import ARMIJO_C1, ROUNDOFF_F

__all__ = ["KernelLogisticRegression", "binary_entropy", "logistic_dual_objective",
           "kkt_residual"]

_MAX_BACKTRACKS = 60


# ------------------------------------------------------------------------------ functions
def binary_entropy(a):
    """H(a) = -a ln a - (1 - a) ln(1 - a) for a in [0, 1] (0 ln 0 = 0); nan outside."""
    a = np.asarray(a, dtype=np.float64)
    inside = (a >= 0.0) & (a <= 1.0)
    p = np.clip(a, 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -(np.where(p > 0, p * np.log(p), 0.0) + np.where(p < 1, (1 - p) * np.log1p(-p), 0.0))
    return np.where(inside, h, np.nan)


def logistic_dual_objective(alpha, Q) -> float:
    """g(alpha) = sum_i H(alpha_i) - alpha^T Q alpha / 2, Q_ij = y_i y_j K_ij / C."""
    alpha = np.asarray(alpha, dtype=np.float64)
    return float(binary_entropy(alpha).sum() - 0.5 * alpha @ (Q @ alpha))


def kkt_residual(alpha, m, y) -> float:
    """max(max_i |ln((1 - alpha_i) / alpha_i) - m_i|, |sum_i alpha_i y_i|): the dual's
    stationarity and feasibility (0 at the optimum); m_i = y_i f(x_i)."""
    alpha = np.asarray(alpha, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        logit = np.log1p(-alpha) - np.log(alpha)
    return float(max(np.max(np.abs(logit - m)), abs(alpha @ y)))


# ------------------------------------------------------------------------------ solver
def _primal(alpha, b, Q, y):
    """(J, m, Q alpha) of the representer-form primal
    J = alpha^T Q alpha / 2 + sum_i softplus(-m_i), m = Q alpha + y b."""
    Qa = Q @ alpha
    m = Qa + y * b
    return float(0.5 * alpha @ Qa + softplus(-m).sum()), m, Qa


def _newton_step(Q, y, alpha, p):
    """The Newton step (d_alpha, d_b) of the KKT system (module doc), without the (n + 1)
    unsymmetric solve: with D = S^(1/2), (I + S Q) x = c is x = c - D z with the symmetric
    positive definite (I + D Q D) z = D Q c (one Cholesky factorisation); x1 solves it for
    c = -(alpha - p), x2 for c = -S y, and d_b makes y^T (alpha + x1 + d_b x2) = 0."""
    s = p * (1.0 - p)  # sigma(m) sigma(-m), (n,)
    D = np.sqrt(s)
    M = D[:, None] * Q * D[None, :]  # (n, n)
    M[np.diag_indices_from(M)] += 1.0
    c = np.column_stack([p - alpha, -s * y])  # (n, 2)
    try:
        L = np.linalg.cholesky(M)
    except np.linalg.LinAlgError:
        raise ValueError("kernel must be positive semidefinite (a Mercer kernel): I + D Q D "
                         "is not positive definite on this sample, so the logistic dual is "
                         "not concave; check the Gram matrix with kernels.check_psd") from None
    z = np.linalg.solve(L.T, np.linalg.solve(L, D[:, None] * (Q @ c)))
    x = c - D[:, None] * z
    yx2 = float(y @ x[:, 1])
    db = -float(y @ alpha + y @ x[:, 0]) / yx2 if yx2 != 0.0 else 0.0  # 0: all sigma saturated
    return x[:, 0] + db * x[:, 1], db


def _newton(Q, y, tol, max_iter):
    """Newton on the KKT system (module doc) from alpha = 0, b = 0 (w = 0, as
    ``LogisticRegression``), damped by Armijo backtracking on J.

    Returns alpha, b, history (one record per iterate, see ``KernelLogisticRegression``),
    n_iter, converged; the stopping rule is max(max_i |alpha_i - sigma(-m_i)|,
    |sum_i alpha_i y_i|) <= tol.
    """
    n = y.size
    alpha, b = np.zeros(n), 0.0
    J, m, Qa = _primal(alpha, b, Q, y)
    hist = History()
    converged, it, t = False, 0, math.nan
    for it in range(max_iter + 1):
        p = sigmoid(-m)
        res = float(max(np.abs(alpha - p).max(), abs(alpha @ y)))
        g = float(binary_entropy(alpha).sum() - 0.5 * alpha @ Qa)
        hist.record(iteration=it, objective=J, primal_objective=J, dual_objective=g,
                    gap=J - g, kkt_violation=res, step_size=t)
        if res <= tol:
            converged = True
            break
        if it == max_iter:
            break
        da, db = _newton_step(Q, y, alpha, p)
        slope = float(da @ (Qa - Q @ p) - db * (y @ p))  # grad J . step (<= 0)
        t = 1.0
        for _ in range(_MAX_BACKTRACKS):
            J_new, m_new, Qa_new = _primal(alpha + t * da, b + t * db, Q, y)
            if J_new <= J + ARMIJO_C1 * t * min(slope, 0.0) + ROUNDOFF_F * abs(J):
                break
            t *= 0.5
        else:
            break  # no decrease along the Newton direction: round-off level
        alpha, b = alpha + t * da, b + t * db
        J, m, Qa = J_new, m_new, Qa_new
    return alpha, b, hist, it, converged


# ------------------------------------------------------------------------------ estimator
class KernelLogisticRegression(KernelDualClassifier):
    """Two-class logistic regression solved in the dual (notes):
    f(x) = w^T phi(x) + b = (1/C) sum_i alpha^(i) y^(i) K(x^(i), x) + b, p(y = +1 | x) = sigma(f).

    With kernel="linear" it is ``logistic.LogisticRegression(C)`` (same objective: intercept
    not penalised), and scikit-learn's ``LogisticRegression(C=1/C)`` (lbfgs/newton solvers,
    which do not penalise the intercept either; liblinear does).

    Parameters
    ----------
    C : float > 0
        The notes' C (weight on ||w||^2); scikit-learn's is 1 / C.
    kernel : {'linear', 'poly', 'rbf', 'sigmoid'} or callable
    gamma : float > 0 or None
        None: 1 / (d * X.var()) of the training X (scikit-learn's "scale").
    degree : int
    coef0 : float
    max_iter : int >= 1
        Newton iterations (a warning is issued if reached).
    tol : float > 0
        Stop when max(max_i |alpha_i - sigma(-y_i f(x_i))|, |sum_i alpha_i y_i|) <= tol.

    Attributes
    ----------
    alpha_ : ndarray (n_samples,)
        The notes' dual variables, in (0, 1): alpha_i = sigma(-y_i f(x_i)) at the optimum.
    dual_coef_ : ndarray (1, n_samples)
        y_i alpha_i / C, as ``svm.SVC.dual_coef_``: f(x) = dual_coef_ K(X_fit_, x) + b.
    intercept_ : ndarray (1,)
    X_fit_ : ndarray (n_samples, n_features)
        The training inputs (every alpha_i > 0: all are "support vectors").
    coef_ : ndarray (1, n_features)
        w = (1/C) sum_i alpha_i y_i x_i, linear kernel only.
    dual_objective_, primal_objective_ : float
        g(alpha) and J(w, b) (equal at the optimum).
    kkt_residual_ : float
        :func:`kkt_residual` at the solution.
    classes_ : ndarray (2,)
        classes_[1] is the +1 class.
    history_ : History
        One record per Newton iterate: ``iteration``, ``objective`` = ``primal_objective`` J
        (minimised), ``dual_objective`` g (NaN while some alpha is outside [0, 1]), ``gap``
        J - g, ``kkt_violation`` (max |F|, the stopping quantity), ``step_size`` (the Armijo
        step that reached the iterate; NaN at the start).
    n_iter_ : int
    converged_ : bool
    """

    def __init__(self, C=1.0, kernel="rbf", gamma=None, degree=3, coef0=0.0, max_iter=100,
                 tol=1e-10):
        self.C = C
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.max_iter = max_iter
        self.tol = tol

    _points_attr = "X_fit_"

    def _check_params(self):
        C = check_scalar(self.C, "C", kind=float, min_val=0.0, include_min=False)
        if not math.isfinite(C):
            raise ValueError(f"C must be a finite positive number; got {C!r}")
        max_iter = check_scalar(self.max_iter, "max_iter", kind=int, min_val=1)
        tol = check_scalar(self.tol, "tol", kind=float, min_val=0.0, include_min=False)
        return C, max_iter, tol

    def fit(self, X, y):
        """Solve the notes' logistic dual by Newton on its KKT system; returns self."""
        X, y = check_X_y(X, y)
        C, max_iter, tol = self._check_params()
        classes, ys = binary_signs(y, "KernelLogisticRegression")
        kfun = _kernels.bind_kernel(self.kernel, X, self.gamma, self.degree, self.coef0)
        K = _kernels.gram(kfun, X)
        if not np.all(np.isfinite(K)):
            raise ValueError("kernel must give a finite Gram matrix on X; got inf or NaN "
                             "entries (check gamma, degree and the scale of X)")
        Q = (ys[:, None] * ys[None, :]) * K / C  # (n, n)
        alpha, b, hist, n_iter, converged = _newton(Q, ys, tol, max_iter)
        if not converged:
            warnings.warn(f"KernelLogisticRegression: Newton stopped after {n_iter} of "
                          f"max_iter={max_iter} iterations with KKT residual "
                          f"{hist['kkt_violation'][-1]:.3g} > tol={tol:g}", RuntimeWarning,
                          stacklevel=2)
        self.classes_, self._C, self.alpha_ = classes, C, alpha
        self._set_dual(X, alpha, ys, C, b, kfun)  # X_fit_, dual_coef_ (1, n), intercept_
        J, m, _ = _primal(alpha, b, Q, ys)
        self.primal_objective_ = J
        self.dual_objective_ = logistic_dual_objective(alpha, Q)
        self.kkt_residual_ = kkt_residual(alpha, m, ys)
        self.history_, self.n_iter_, self.converged_ = hist, n_iter, converged
        return self

    def predict_proba(self, X):
        """[p(classes_[0] | x), p(classes_[1] | x)] = [sigma(-f), sigma(f)]: (n, 2)."""
        f = self.decision_function(X)
        return np.column_stack([sigmoid(-f), sigmoid(f)])
