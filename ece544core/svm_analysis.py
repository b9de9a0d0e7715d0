"""What a fitted SVM says about its data, in the notes' terms: margins, slack, the three sets of
alphas and complementary slackness (the KKT check).

For the notes' soft margin (0 <= alpha <= 1; the hard margin has alpha unbounded) at a solution:

    alpha^(i) = 0      =>  y^(i) f(x^(i)) >= 1   (outside the margin, xi = 0)
    0 < alpha^(i) < 1  =>  y^(i) f(x^(i)) = 1    (free support vectors, on the margin)
    alpha^(i) = 1      =>  y^(i) f(x^(i)) <= 1   (bounded support vectors, xi >= 0)

with the slack xi^(i) = max(0, 1 - y^(i) f(x^(i))). So every point with xi > 0 is a bounded
support vector; :func:`analyse_svm` counts both with one tolerance ``tol`` (xi > tol), the
same that decides a KKT violation, so the counts agree up to the violations it reports.

||w||^2 = (1/C^2) sum_ij alpha_i alpha_j y_i y_j K_ij = sum_{i in SV} dual_coef_i (f(x_i) - b)
for any kernel, the margin between f = -1 and f = +1 is 2 / ||w||, the primal
J = C/2 ||w||^2 + sum_i xi^(i) and the dual g = sum_i alpha^(i) - C/2 ||w||^2.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_is_fitted, check_scalar, check_X_y

__all__ = ["KKTRow", "SVMAnalysis", "analyse_svm", "kkt_table"]


@dataclass(frozen=True)
class KKTRow:
    """One set of alphas in :func:`kkt_table`: its name, the condition it requires, how many
    points it holds, their range of y f (None when empty), the worst excess beyond the
    condition and the number of points whose excess is > tol."""

    set: str
    rule: str
    count: int
    yf_min: float | None
    yf_max: float | None
    worst: float
    violations: int


def kkt_table(alpha, yf, upper=1.0, tol=1e-3) -> tuple:
    """Complementary slackness row by row (module doc): alpha = 0 needs y f >= 1,
    0 < alpha < upper needs y f = 1, alpha = upper needs y f <= 1 (empty for the hard margin,
    upper = ``svm.HARD_MARGIN_BOUND``). The excess is the distance of y f from the allowed
    set; a violation is an excess > tol. Returns three :class:`KKTRow`."""
    alpha, yf = np.asarray(alpha, dtype=float), np.asarray(yf, dtype=float)
    zero, bounded = alpha <= 0, alpha >= upper
    free = ~zero & ~bounded
    rows = []
    for name, mask, rule, excess in (
            ("α = 0", zero, "y f ≥ 1", np.maximum(1.0 - yf, 0.0)),
            ("0 < α < 1" if upper == 1.0 else "α > 0", free, "y f = 1", np.abs(yf - 1.0)),
            ("α = 1", bounded, "y f ≤ 1", np.maximum(yf - 1.0, 0.0))):
        m = excess[mask]
        rows.append(KKTRow(set=name, rule=rule, count=int(mask.sum()),
                           yf_min=float(yf[mask].min()) if mask.any() else None,
                           yf_max=float(yf[mask].max()) if mask.any() else None,
                           worst=float(m.max()) if m.size else 0.0,
                           violations=int(np.sum(m > tol))))
    return tuple(rows)


@dataclass(frozen=True)
class SVMAnalysis:
    """Result of :func:`analyse_svm` (arrays of shape (n,) over the analysed points).

    Attributes
    ----------
    f, yf, xi : decision values f(x), margins y f(x), slacks max(0, 1 - y f(x)).
    alpha : the notes' dual variables.
    free, bounded : masks of 0 < alpha < upper and alpha >= upper.
    slack : mask of xi > tol (inside the margin or misclassified).
    misclassified : mask of y f < 0 (xi > 1).
    b, w_norm, margin : intercept, ||w||, 2 / ||w|| (inf when w = 0).
    primal, dual : J = C/2 ||w||^2 + sum xi and g = sum alpha - C/2 ||w||^2.
    sum_alpha_y : sum_i alpha_i y_i (0 at any feasible alpha).
    kkt : the three :class:`KKTRow` of :func:`kkt_table`.
    tol, upper : the tolerance and the bound of alpha used.
    """

    f: np.ndarray
    yf: np.ndarray
    xi: np.ndarray
    alpha: np.ndarray
    free: np.ndarray
    bounded: np.ndarray
    slack: np.ndarray
    misclassified: np.ndarray
    b: float
    w_norm: float
    margin: float
    primal: float
    dual: float
    sum_alpha_y: float
    kkt: tuple
    tol: float
    upper: float

    @property
    def n_kkt_violations(self) -> int:
        return sum(row.violations for row in self.kkt)


def analyse_svm(model, X, y, upper=1.0, tol=1e-3) -> SVMAnalysis:
    """The margins, slacks, alpha sets, objectives and KKT table of a fitted ``svm.SVC`` on its
    training data (module doc), from its public attributes only.

    Parameters
    ----------
    model : fitted svm.SVC (notes' C in ``model.C``)
    X, y : the training data the model was fitted on (y in ``model.classes_``)
    upper : float
        The bound of alpha: 1, or ``svm.HARD_MARGIN_BOUND`` for the hard margin.
    tol : float >= 0
        One tolerance for "xi > 0" and for a KKT violation.
    """
    check_is_fitted(model, "alpha_")
    X, y = check_X_y(X, y)
    tol = check_scalar(tol, "tol", kind=float, min_val=0.0)
    alpha = np.asarray(model.alpha_, dtype=float)
    if alpha.shape != (X.shape[0],):
        raise ValueError(f"X must be the model's training data: {alpha.size} alphas for "
                         f"{X.shape[0]} rows")
    signs = np.where(y == model.classes_[1], 1.0, -1.0)
    f = model.decision_function(X)
    yf = signs * f
    xi = np.maximum(0.0, 1.0 - yf)
    b = float(model.intercept_[0])
    sv = np.asarray(model.support_, dtype=int)
    w2 = max(float(model.dual_coef_[0] @ (f[sv] - b)), 0.0) if sv.size else 0.0
    C = float(model.C)
    return SVMAnalysis(
        f=f, yf=yf, xi=xi, alpha=alpha, free=(alpha > 0) & (alpha < upper),
        bounded=alpha >= upper, slack=xi > tol, misclassified=yf < 0, b=b,
        w_norm=float(np.sqrt(w2)), margin=2.0 / np.sqrt(w2) if w2 > 0 else np.inf,
        primal=C / 2 * w2 + float(xi.sum()), dual=float(alpha.sum()) - C / 2 * w2,
        sum_alpha_y=float(alpha @ signs), kkt=kkt_table(alpha, yf, upper, tol), tol=tol,
        upper=float(upper))
