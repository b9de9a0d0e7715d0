"""The kernels demo's verdict, numbers and answers, written from a :class:`KernelsResult`
(presentation only)."""
from __future__ import annotations

import html

import numpy as np

from ece544core import kernels

from ...views.common import stats_html
from ...views.plotting import PALETTE
from .compute import BASE, PSD_TOL, KernelsResult

TRICK_DIMS = (2, 10, 100, 784)  # input dimensions d of the feature-dimension table (784: MNIST)
RED = "#D55E00"

LEGEND = (
    "<small>Shading: the SVM's prediction with kernel K. <b>Black</b>: f(x) = 0, dashed: "
    "f(x) = ±1. Black rings: support vectors (α > 0). <b style='color:#CC79A7'>Pink "
    "dash-dot</b>: kernel logistic regression's f(x) = 0 (same K and C).</small>")


def kernel_text(p: dict) -> str:
    """The composed K in words, e.g. '1·polynomial + 1·squared exponential'."""
    def name(k):
        return BASE[p[f"kernel{k}"]].split("  ")[0]

    a = f"{p['a']:g}·{name('1')}"
    if p["combine"] == "K1":
        return a
    b = f"{p['b']:g}·{name('2')}"
    return f"{a} + {b}" if p["combine"] == "+" else f"({a}) × ({b})"


def why_not(res: KernelsResult) -> str:
    """Why this K fails Mercer's condition, from how it was built."""
    p = res.params
    reasons = [f"a non-positive weight: kernel_scale refuses it ({html.escape(r)}); −K flips "
               "the sign of every eigenvalue of K" for r in res.refusals]
    kinds = {p["kernel1"]} | ({p["kernel2"]} if p["combine"] != "K1" else set())
    if "distance" in kinds:
        reasons.append("‖x − z‖ is 0 on the diagonal, so trace K = Σλₖ = 0 while K ≠ 0: "
                       "some λₖ must be negative")
    if "sigmoid" in kinds:
        reasons.append("the sigmoid tanh(γxᵀz + c) is a kernel only for some (γ, c), not "
                       "in general")
    for k in res.parts:
        if p[f"kernel{k}"] == "poly" and p[f"coef0_{k}"] < 0:
            reasons.append(f"(γxᵀz + c)ᵖ with c₍{k}₎ < 0 has negative coefficients in its "
                           "expansion, so no real feature map")
    return "; ".join(reasons) or "see the red eigenvalues"


def verdict_html(res: KernelsResult) -> str:
    rep = res.report
    lam = f"{rep.min_eigenvalue:.3g}"
    if rep.is_psd:
        body = (f"<b style='color:{PALETTE[2]}'>positive semidefinite: "
                f"<span data-stat='psd'>yes</span></b>, smallest "
                f"eigenvalue λ<sub>min</sub> = <span data-stat='verdict_min'>{lam}</span> "
                f"(≥ −{PSD_TOL:g}·max|λ|, rounding). K = {html.escape(kernel_text(res.params))} "
                "passes Mercer's condition on this sample: it is an inner product "
                "φ(x)ᵀφ(z) of some feature map.")
    else:
        body = (f"<b style='color:{RED}'>positive semidefinite: <span data-stat='psd'>no"
                f"</span></b>, smallest eigenvalue "
                f"λ<sub>min</sub> = <span data-stat='verdict_min'>{lam}</span> "
                f"({res.n_negative} of {len(rep.eigenvalues)} eigenvalues are negative). "
                f"<b>Not a valid kernel (Mercer):</b> for the eigenvector v of λ<sub>min</sub>, "
                f"vᵀKv = {lam} &lt; 0, but a kernel would give vᵀKv = ‖Σᵢ vᵢ φ(x⁽ⁱ⁾)‖² ≥ 0 "
                f"— no feature map φ exists. Why: {why_not(res)}.")
    return (f"<div class='kernels-verdict' style='border-left: 4px solid "
            f"{PALETTE[2] if rep.is_psd else RED}; padding: 2px 8px'>{body}</div>")


def numbers(res: KernelsResult) -> dict:
    """The table of numbers: key -> (label, value)."""
    rep, m, t, C = res.report, res.model, res.trick, res.params["C"]
    return {
        "psd": ("positive semidefinite", "yes" if rep.is_psd else "no"),
        "min_eig": ("smallest eigenvalue λ_min", float(rep.min_eigenvalue)),
        "max_eig": ("largest eigenvalue λ_max", float(rep.eigenvalues[-1])),
        "n_negative": ("negative eigenvalues", res.n_negative),
        "n": ("points n (K is n × n)", len(res.y)),
        "train_accuracy": ("SVM training accuracy", res.train_accuracy),
        "n_support": ("support vectors (α > 0)", int(len(m.support_))),
        "dual_objective": ("dual objective g(α)", float(m.dual_objective_)),
        "n_iter": ("SMO steps", int(m.n_iter_)),
        "converged": ("SMO converged", bool(m.converged_)),
        "linear_accuracy": ("linear-kernel SVM accuracy", res.linear_accuracy),
        "C": ("C (notes)", float(C)),
        "C_sklearn": ("scikit-learn C = 1 / C", float(1.0 / C)),
        "trick_error": ("max |K − ΦΦᵀ| (polynomial)",
                        t.check.error if t.check is not None else "no real φ (c < 0)"),
        "feature_dim": ("dim φ(x) (polynomial)", t.check.feature_dim if t.check else "—"),
    }


def numbers_html(res: KernelsResult) -> str:
    return stats_html(numbers(res))


def answers_html(res: KernelsResult) -> str:
    return answer_new_kernels(res) + answer_good_for(res) + answer_svm(res)


def answer_new_kernels(res: KernelsResult) -> str:
    cells = [f"λ<sub>min</sub>(K₁) = {res.parts['1'].min_eigenvalue:.3g}"]
    if "2" in res.parts:
        cells.append(f"λ<sub>min</sub>(K₂) = {res.parts['2'].min_eigenvalue:.3g}")
    cells.append(f"λ<sub>min</sub>(K) = {res.report.min_eigenvalue:.3g}")
    return (
        "<p><b>New kernels from old.</b> If K₁, K₂ are kernels and a, b &gt; 0, so are "
        "a·K₁ + b·K₂ (φ = [√a φ₁; √b φ₂], and vᵀ(aK₁ + bK₂)v ≥ 0) and K₁K₂ elementwise "
        "(φ = φ₁ ⊗ φ₂; the Schur product theorem). Here: " + ", ".join(cells) + ". "
        "A negative weight, the sigmoid or ‖x − z‖ break it — try the example buttons.</p>")


def answer_good_for(res: KernelsResult) -> str:
    t = res.trick
    head = (f"(γxᵀz + c)<sup>{t.degree}</sup> with γ = {t.gamma:g}, c = {t.coef0:g}"
            + ("" if res.params["kernel1"] == "poly" else
               " (K₁ is not polynomial: the textbook degree 2)"))
    if t.check is None:
        check = f"For {head} there is no real feature map: {html.escape(t.reason)}."
    else:
        check = (f"For {head} on these n = {len(res.y)} points the explicit feature map "
                 f"Φ (n × {t.check.feature_dim}, all monomials of degree ≤ {t.degree}) gives "
                 f"max |K − ΦΦᵀ| = <span data-stat='answer_trick'>{t.check.error:.2g}</span>: "
                 "the kernel <i>is</i> the inner product in feature space, computed without "
                 "building φ.")
    rows = "".join(
        f"<tr><td>{d}{' (MNIST)' if d == 784 else ''}</td>"
        f"<td>{kernels.polynomial_feature_dim(d, t.degree, max(t.coef0, 0.0)):,}</td>"
        f"<td>≈ {d + 2}</td></tr>" for d in TRICK_DIMS)
    table = ("<table class='demo-stats'><tr><th>input d</th><th>dim φ(x)</th><th>kernel "
             "cost per pair (flops)</th></tr>" + rows + "</table>")
    return (
        "<p><b>What are kernels good for?</b> The SVM dual and its prediction need only "
        "K(x, z) = φ(x)ᵀφ(z). " + check + " The kernel costs one inner product in the "
        "input space (d multiply-adds and a power), the explicit map grows as C(d + p, p); "
        "the squared exponential's φ is even infinite-dimensional:</p>" + table)


def answer_svm(res: KernelsResult) -> str:
    m, C = res.model, res.params["C"]
    gain = (f"The same SVM with the linear kernel reaches only {res.linear_accuracy:.3f} on "
            f"the {html.escape(res.params['dataset'])} data, with K {res.train_accuracy:.3f}.")
    text = (f"<p><b>The SVM with K</b> (C = {C:g}, scikit-learn C = {1 / C:g}): "
            f"training accuracy <span data-stat='answer_acc'>{res.train_accuracy:.3f}"
            f"</span>, {len(m.support_)} support vectors of {len(res.y)}, {m.n_iter_} SMO "
            f"steps. {gain}</p>")
    if not res.report.is_psd:
        text += (
            f"<p style='color:{RED}'><b>K is not PSD</b>, so the dual's quadratic term "
            "−1/(2C) Σ αα yy K is not concave: the dual may have several local maxima and "
            "is no longer the dual of a margin problem in any feature space. The SVM is "
            "fitted anyway (SMO still climbs to a KKT point, as LIBSVM does), so you can "
            "see the result — its boundary is not a maximum-margin separator and usually "
            "fits worse.</p>")
    if res.fit_note:
        text += f"<p style='color:{RED}'>{html.escape(res.fit_note)}</p>"
    return text + answer_four_formulas(res)


def answer_four_formulas(res: KernelsResult) -> str:
    """The notes' four formulas (the dual and the prediction of the SVM and of logistic
    regression), each evaluated on this K."""
    m, lr = res.model, res.logistic
    svm = (f"SVM: max<sub>α</sub> Σα − 1/(2C) ΣΣ αα yy K = <span data-stat='four_svm_dual'>"
           f"{m.dual_objective_:.5g}</span> with 0 ≤ α ≤ 1, Σαy = 0; f(x) = (1/C) Σ α y "
           f"K(x⁽ⁱ⁾, x) + b needs only the {len(m.support_)} support vectors.")
    if lr is None:
        logit = f"Logistic regression: not fitted — {html.escape(res.logistic_note)}."
    else:
        acc = float(np.mean(lr.predict(res.X) == res.y))
        logit = (f"Logistic regression: max<sub>α</sub> Σ H(α) − 1/(2C) ΣΣ αα yy K = "
                 f"<span data-stat='four_logistic_dual'>{lr.dual_objective_:.5g}</span> "
                 f"(H the binary entropy; = its primal {lr.primal_objective_:.5g}), same "
                 "constraints; f(x) = (1/C) Σ α y K(x⁽ⁱ⁾, x) + b with <b>every</b> α in "
                 f"({lr.alpha_.min():.2g}, {lr.alpha_.max():.2g}) — no sparsity; training "
                 f"accuracy {acc:.3f}.")
    return ("<p><b>The four formulas.</b> Both duals and both predictions use the data only "
            f"through K. {svm} {logit} The hinge's conjugate is linear (Σα), the logistic "
            "loss's the entropy: the <i>Temperature</i> demo moves between them.</p>")
