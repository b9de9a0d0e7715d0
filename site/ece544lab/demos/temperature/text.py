"""The temperature demo's numbers and live answers: HTML from one TemperatureResult."""
from __future__ import annotations

import numpy as np

from .compute import LN2, SOFT, TemperatureResult, loss_curves


def stats_of(r: TemperatureResult, update_ms: float) -> dict:
    """key -> (label, value) of the numbers table (the data-stat hooks)."""
    a_svm, d_svm = r.angle_offset("svm")
    a_log, d_log = r.angle_offset("logistic")
    J0, upper = r.bounds

    def num(v):
        return "—" if v is None else float(v)

    exact = r.eps == 0
    return {
        "eps": ("ε" + (" (the SVM, exactly)" if exact else ""), r.eps),
        "C": ("C (notes)", r.C),
        "C_sklearn": ("scikit-learn C = 1 / C", 1.0 / r.C),
        "task_loss": ("task loss L", r.L),
        "w": ("w", "(" + ", ".join(f"{v:.5g}" for v in r.fit.w) + ")"),
        "b": ("b", r.fit.b),
        "objective": ("objective J_ε(w) = C/2‖w‖² + Σ ℓ_ε(mᵢ)", r.J),
        "J0": ("J₀ (SVM optimum, ε = 0)", J0),
        "J_upper": ("J₀ + n ε ln 2", upper),
        "bound_holds": ("J₀ ≤ J_ε ≤ J₀ + n ε ln 2", r.bound_holds),
        "train_accuracy": ("training accuracy", r.train_accuracy),
        "angle_svm": ("angle to the SVM's w (degrees)", num(a_svm)),
        "offset_svm": ("offset to the SVM's boundary |Δ(b/‖w‖)|", num(d_svm)),
        "angle_logistic": ("angle to logistic's w (degrees)", num(a_log)),
        "offset_logistic": ("offset to logistic's boundary |Δ(b/‖w‖)|", num(d_log)),
        "n_soft": ("free SVs 0 < α < 1" if exact else "soft SVs 0.01 < β < 0.99",
                   int(r.soft.sum())),
        "n_bounded": ("bounded SVs α = 1" if exact else "β ≥ 0.99", int(r.bounded.sum())),
        "sum_beta_y": ("Σ βᵢ yᵢ (= 0)", float(r.beta @ r.signs)),
        "w_from_beta": ("‖w − (1/C) Σ βᵢ yᵢ xᵢ‖ (= 0)", r.w_from_beta),
        "solver": ("solver", r.solver),
        "n_iter": ("iterations", r.n_iter),
        "converged": ("converged", r.converged),
        "update_ms": ("last update (ms, this machine)", float(update_ms)),
    }


def note_html(r: TemperatureResult) -> str:
    if r.L == 0 and r.eps == 0:
        return ("<p class='demo-hint'>With L = 0 and ε = 0 the loss max(0, −m) is 0 at w = 0, "
                "b = 0, which is therefore optimal: there is no boundary to draw. Raise L or "
                "ε.</p>")
    return ""


def probe_values(r: TemperatureResult, probe_m: float | None) -> dict:
    """The three losses at the probed margin (default m = L, where the gap is largest)."""
    m = r.L if probe_m is None else float(probe_m)
    c = loss_curves(r.eps, r.L, np.array([m]))
    return dict(m=m, current=float(c["current"][0]), hinge=float(c["hinge"][0]),
                logistic=float(c["logistic"][0]))


def probe_html(r: TemperatureResult, v: dict, clicked: bool) -> str:
    where = "clicked" if clicked else "at m = L, where the gap is largest"
    return (
        f"<small>Probe ({where}): m = <span data-stat='probe_m'>{v['m']:.3g}</span>: "
        f"ℓ<sub>ε</sub> = <span data-stat='probe_loss'>{v['current']:.4g}</span>, hinge = "
        f"{v['hinge']:.4g}, gap ℓ<sub>ε</sub> − hinge = <span data-stat='probe_gap'>"
        f"{v['current'] - v['hinge']:.4g}</span> ≤ ε ln 2 = {r.eps * LN2:.4g}; logistic = "
        f"{v['logistic']:.4g}.</small>")


def answers_html(r: TemperatureResult) -> str:
    """The notes' two questions (why eps -> 0 gives the hinge, why eps = 1, L = 0 gives logistic
    regression) answered with the live numbers."""
    eps, L, n = r.eps, r.L, r.n
    gap = r.gap                                    # in [0, eps ln 2] per point
    i = int(np.argmax(gap))
    curves = r.curves
    to_logit = float(np.max(np.abs(curves["current"] - curves["logistic"])))
    soft, bounded = r.soft, r.bounded
    beta_soft = int(np.sum((r.beta > SOFT[0]) & (r.beta < SOFT[1])))
    a_svm, a_log = r.angle_offset("svm")[0], r.angle_offset("logistic")[0]

    def deg(v):
        return "— (w = 0)" if v is None else f"{v:.3g}°"

    if eps > 0:
        beta_text = (
            f"At ε = {eps:.3g}, <span data-stat='answer_n_soft'>{beta_soft}</span> of the {n} "
            f"points are soft (0.01 &lt; β &lt; 0.99) and {int(bounded.sum())} have β ≥ 0.99. "
            "As ε → 0 the sigmoid becomes a step: β → 1 inside the margin (m &lt; L), β → 0 "
            "outside, and only the points exactly on the margin keep a β in between — the "
            "SVM's support vectors and its α.")
    else:
        beta_text = (
            f"At ε = 0 this is the SVM's α: {int(soft.sum())} free support vectors on the "
            f"margin (0 &lt; α &lt; 1) and {int(bounded.sum())} bounded ones (α = 1) — where "
            "the soft support vectors of ε &gt; 0 ended up.")
    return (
        "<p><b>Why does ε → 0 give the hinge?</b> For two labels the log-sum-exp has two "
        "terms, L − m (the wrong label) and 0 (the right one), and "
        "ε ln(e<sup>a/ε</sup> + e<sup>c/ε</sup>) = max(a, c) + ε ln(1 + e<sup>−|a − c|/ε"
        "</sup>): the max plus a correction between 0 and ε ln 2, largest where the two "
        "tie (m = L) and vanishing for every other m as ε → 0. So ℓ<sub>ε</sub>(m) → "
        f"max(0, L − m), the hinge. Here (ε = {eps:.3g}) the largest correction over the "
        f"training points is <span data-stat='answer_max_gap'>{gap[i]:.4g}</span> (at m = "
        f"{r.m[i]:.3g}) and the mean {gap.mean():.4g}, below ε ln 2 = {eps * LN2:.4g}; "
        f"summed, J<sub>ε</sub> − J<sub>0</sub> = {r.J - r.refs.J0:.4g} ≤ n ε ln 2 = "
        f"{n * eps * LN2:.4g}. The boundary is <span data-stat='answer_angle_svm'>"
        f"{deg(a_svm)}</span> from the SVM's. The gradient shows the same: "
        "w = (1/C) Σ β<sub>i</sub> y<sub>i</sub> x<sub>i</sub> with β<sub>i</sub> = "
        f"σ((L − m<sub>i</sub>)/ε), the softmax's weight on the wrong label. {beta_text}</p>"
        "<p><b>Why does ε = 1, L = 0 give logistic regression?</b> Then the loss is "
        "ln(e<sup>m/2</sup> + e<sup>−m/2</sup>) − m/2 = ln(1 + e<sup>−m</sup>) = "
        "−ln σ(y(wᵀx + b)): the softmax over the two scores ±(wᵀx + b)/2 is exactly "
        "p(y | x) = σ(y f(x)), and the objective is logistic regression's C/2‖w‖² plus its "
        "negative log-likelihood, with the same C. Here (ε = "
        f"{eps:.3g}, L = {L:.3g}) the largest gap |ℓ<sub>ε</sub>(m) − ln(1 + e<sup>−m</sup>)| "
        f"on m ∈ [−3, 3] is <span data-stat='answer_logit_gap'>{to_logit:.4g}</span> "
        "(0 exactly at ε = 1, L = 0) and the boundary is "
        f"<span data-stat='answer_angle_logistic'>{deg(a_log)}</span> from logistic "
        "regression's.</p>")
