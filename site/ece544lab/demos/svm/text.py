"""The SVM demo's numbers and text, written from an :class:`SVMResult` (presentation only)."""
from __future__ import annotations

import numpy as np

from ece544core.losses import binary_logistic_loss

from ...views.common import stats_html
from .compute import SVMResult

KERNEL_TEXT = {"linear": "xᵀz", "poly": "(γ xᵀz + coef0)<sup>degree</sup>",
               "rbf": "exp(−γ‖x − z‖²)", "sigmoid": "tanh(γ xᵀz + coef0)"}
SOLVER_TEXT = {"smo": "SMO on the dual", "primal": "exact primal solver"}

LEGEND = (
    "<small>Shading: sign of f(x). <b>Solid</b>: boundary f(x) = 0; <b>dashed</b>: margins "
    "f(x) = ±1 (linear kernel: drawn exactly from w, b; other kernels: contours of f). Rings: "
    "<b style='color:#009E73'>free</b> support vectors 0 &lt; α &lt; 1 (on the margin), "
    "<b>black squares</b>: bounded α = 1 (inside the margin or misclassified). Grey segments "
    "(linear kernel): slack ξ = max(0, 1 − y f) &gt; tol, from a point to its own margin line. "
    "Hover a point for α, y f and ξ.</small>")


def c_sklearn_html(C: float) -> str:
    return (f"<small>scikit-learn C = 1 / C = <span data-stat='c_sklearn_label'>{1.0 / C:.4g}"
            f"</span></small>")


def numbers(res: SVMResult) -> dict:
    """The table of numbers: key -> (label, value)."""
    p, n = res.params, len(res.y)
    out = {"n": ("points n (incl. clicked)", n), "n_clicked": ("clicked points",
                                                                int(res.clicked.sum()))}
    if res.model is None:
        return out
    r, m = res.analysis, res.model
    n_on_margin = int(np.sum(r.bounded & ~r.slack))
    out.update({
        "C": ("C (notes)", float(p["C"])),
        "C_sklearn": ("scikit-learn C = 1 / C", float(1.0 / p["C"])),
        "kernel": ("kernel", p["kernel"] + (" (hard margin)" if p["hard_margin"] else "")),
        "solver": ("solver used", SOLVER_TEXT.get(m.solver_, m.solver_)),
        "n_sv": ("support vectors (α > 0)", int(m.support_.size)),
        "n_free": ("free SVs (0 < α < 1)", int(r.free.sum())),
        "n_bounded": ("bounded SVs (α = 1)", int(r.bounded.sum())),
        "margin": ("margin width 2 / ‖w‖", float(r.margin)),
        "w_norm": ("‖w‖ = √((1/C²) Σᵢⱼ αᵢαⱼyᵢyⱼKᵢⱼ)", float(r.w_norm)),
        "b": ("b", r.b),
        "sum_alpha_y": ("Σ αᵢ yᵢ (= 0)", r.sum_alpha_y),
        "primal": ("primal C/2‖w‖² + Σξ", r.primal),
        "dual": ("dual g(α) = Σα − C/2‖w‖²", r.dual),
        "gap": ("duality gap primal − dual", r.primal - r.dual),
        **primal_numbers(res),
        "sum_xi": ("Σ ξᵢ (hinge loss)", float(r.xi.sum())),
        "n_slack": (f"points with ξ > 0 (ξ > tol = {r.tol:.2g})", int(r.slack.sum())),
    })
    # KKT: xi > 0 forces alpha = 1, so the slack points are bounded SVs; what differs is shown
    n_not_bounded = int(np.sum(r.slack & ~r.bounded))
    if n_not_bounded:
        out["n_slack_not_bounded"] = ("of them with α < 1 (KKT violated: SMO not done)",
                                      n_not_bounded)
    if n_on_margin:
        out["n_bounded_on_margin"] = ("bounded SVs exactly on the margin (α = 1, ξ ≤ tol)",
                                      n_on_margin)
    out.update({
        "n_misclassified": ("misclassified (ξ > 1)", int(r.misclassified.sum())),
        "train_accuracy": ("training accuracy", float(np.mean(r.yf > 0))),
        "n_iter": ("SMO steps", int(m.n_iter_)),
        "converged": ("converged (KKT violation ≤ tol)", bool(m.converged_)),
        "kkt_violations": ("KKT violations beyond tol", r.n_kkt_violations),
    })
    return out


def primal_numbers(res: SVMResult) -> dict:
    """The primal solver's J and its distance to SMO's (w, b) (linear kernel)."""
    q, m = res.primal, res.model
    if q is None:
        return {}
    w_gap = float(np.abs(q.coef_[0] - m.coef_[0]).max())
    return {"primal_solver_J": ("primal solver: min J(w, b) (exact)", q.primal_objective_),
            "primal_solver_dw": ("primal vs SMO: max |Δw|, |Δb|",
                                 f"{w_gap:.2g}, {abs(q.intercept_[0] - m.intercept_[0]):.2g}")}


def numbers_html(res: SVMResult) -> str:
    """Notes on the fit, then the numbers."""
    if res.model is None:
        return f"<p class='demo-hint'>{res.hint}</p>" + stats_html(numbers(res))
    note = ""
    if res.partial:
        note = ("<p class='demo-hint'>SMO is still running: this is its current feasible α "
                "(a valid SVM, not yet optimal).</p>")
    elif not res.model.converged_:
        note = ("<p class='demo-hint'>SMO stopped at max SMO steps before reaching tol (small C "
                "on overlapping data needs many steps): raise max SMO steps or C.</p>")
    if res.params["kernel"] == "sigmoid":
        note += ("<p class='demo-hint'>The sigmoid tanh(γxᵀz + coef0) is not a Mercer kernel "
                 "in general (its Gram matrix can have negative eigenvalues: see the "
                 "<i>Kernels</i> demo), so the dual need not be concave and SMO's answer is "
                 "then a point no pair of α can improve, not necessarily the maximum.</p>")
    return note + stats_html(numbers(res))


def kkt_html(res: SVMResult) -> str:
    """The complementary-slackness table (empty without a model)."""
    if res.model is None:
        return ""
    r, hard = res.analysis, res.params["hard_margin"]

    def fmt(v):
        return "—" if v is None else f"{v:.4g}"

    rows = "".join(
        f"<tr><td>{row.set}</td><td>{row.rule}</td><td>{row.count}</td>"
        f"<td>{fmt(row.yf_min)} … {fmt(row.yf_max)}</td>"
        f"<td><span data-stat='kkt_{i}'>{row.violations}</span></td></tr>"
        for i, row in enumerate(r.kkt) if not (hard and i == 2))
    return ("<table class='demo-stats'><tr><th>α</th><th>requires</th><th>count</th>"
            f"<th>y f range</th><th>violations (&gt; tol = {r.tol:.2g})</th></tr>{rows}</table>"
            f"<small>Σ αᵢ yᵢ = <span data-stat='sum_alpha_y_live'>{r.sum_alpha_y:.3g}</span> "
            "(the equality constraint).</small>")


def answers_html(res: SVMResult) -> str:
    """The notes' three questions, answered with the live numbers."""
    r, n, p = res.analysis, len(res.y), res.params
    if res.model is None:
        return ("<p><b>What if data not linearly separable?</b> Add points of both classes "
                "first.</p>")
    n_sv, n_bd = int(res.model.support_.size), int(r.bounded.sum())
    sum_xi = float(r.xi.sum())
    log_loss = float(np.sum(binary_logistic_loss(r.yf)))
    n_slack, n_wrong = int(r.slack.sum()), int(r.misclassified.sum())
    separable = (f"Here the soft margin gives {n_slack} points slack (Σξ = {sum_xi:.4g}), "
                 f"{n_wrong} of them misclassified (ξ > 1)."
                 if not p["hard_margin"] else
                 "Here the hard margin succeeded: the data is separable in this feature "
                 "space and every point has y f ≥ 1 (ξ = 0) — the maximum-margin solution.")
    return (
        "<p><b>What are convenient properties of the SVM dual program?</b> It is a concave "
        "quadratic in α with only <b>box constraints</b> 0 ≤ α ≤ 1 and <b>one equality</b> "
        f"Σ αy = 0 (now <span data-stat='answer_sum_alpha_y'>{r.sum_alpha_y:.2g}</span>), "
        "so SMO can solve it two coordinates at a time in closed form (here "
        f"{int(res.model.n_iter_)} steps). The data enter only through <b>inner products"
        f"</b> K(x, z) = {KERNEL_TEXT[p['kernel']]}, so swapping the kernel swaps the feature "
        "space φ without ever building it. And it is <b>sparse</b>: only <span "
        f"data-stat='answer_n_sv'>{n_sv}</span> of {n} points have α > 0 and f(x) needs only "
        f"those ({n_bd} at the bound α = 1).</p>"
        "<p><b>Relationship between logistic regression and binary SVM?</b> Both minimise "
        "C/2‖w‖² plus a loss of the margin m = y f(x): the SVM the <b>hinge</b> max(0, 1 − m) "
        f"(= ξ; here Σ = {sum_xi:.4g}), logistic regression the <b>logistic</b> loss "
        f"log(1 + e<sup>−m</sup>) (for this same f: Σ = {log_loss:.4g}). The hinge is exactly 0 "
        "once m ≥ 1, which is why most α vanish; the logistic loss never is, so every point "
        "keeps a say. The <i>Temperature</i> demo morphs one into the other: "
        "ε log Σ exp(·/ε) is the logistic loss at ε = 1 and the hinge as ε → 0.</p>"
        "<p><b>What if data not linearly separable?</b> Then no w has y f(x) ≥ 1 for all "
        "points and the hard margin is infeasible (tick it on <i>overlap</i>: the message says "
        "so). Slack ξ<sup>(i)</sup> = max(0, 1 − y f(x<sup>(i)</sup>)) lets points into the "
        "margin at cost Σξ, and in the dual it only caps α at 1; a kernel can also make the "
        f"data separable in feature space. {separable}</p>")
