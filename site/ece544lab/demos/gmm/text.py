"""The GMM page's explanations: HTML built from a frame and the result (no computation)."""
from __future__ import annotations

import html

import numpy as np

from ...views.common import stats_html
from ...views.plotting import PALETTE
from .compute import TOL, GMMFrame, GMMResult

E_COLOR, M_COLOR = PALETTE[0], PALETTE[5]

MATRIX_CSS = ("<style>.matrix{display:inline-table;border-left:2px solid #333;"
              "border-right:2px solid #333;margin:0 0 6px 20px}.matrix td{padding:1px 8px;"
              "text-align:right;font-family:monospace}</style>")


def stats(result: GMMResult, frame: GMMFrame) -> dict:
    """The numbers of the frame (key -> (label, value)), rendered by stats_html."""
    run = result.run
    n, ll = len(run.X), frame.loglik
    falls = int(np.sum(np.diff(ll) < -1e-9 * max(1.0, abs(ll[0]))))
    return {
        "loglik": ("log-likelihood ℓ(θ)", float(ll[-1])),
        "loglik_per_point": ("ℓ / N (scikit-learn's score)", float(ll[-1] / n)),
        "bound": ("lower bound F(q, θ)", float(frame.bounds[-1]) if len(frame.bounds) else "—"),
        "last_step": ("last half-step", frame.steps[-1] if frame.steps else "initialisation"),
        "n_iter": ("EM iterations (M-steps)", frame.n_iter),
        "converged": (f"converged (Δℓ/N < {TOL:g})", bool(frame.converged)),
        "falls": ("times ℓ fell", falls),
        "weights": ("mixing weights πₖ", ", ".join(f"{w:.3f}" for w in frame.weights)),
        "K": ("K (components)", len(frame.means)),
        "n": ("points N (incl. clicked)", n),
        "n_clicked": ("clicked points", int(run.clicked.sum())),
    }


def numbers(result: GMMResult, frame: GMMFrame) -> str:
    return stats_html(stats(result, frame))


def answers(frame: GMMFrame) -> str:
    last = frame.steps[-1] if frame.steps else None

    def mark(step):
        return " ← <b>last</b>" if last == step else ""

    return (
        "<p><b>How do we find the means, variances and responsibilities?</b> By EM, "
        "alternating ① <span style='color:%s'><b>E-step</b></span>: with θ fixed, "
        "r<sub>ik</sub> = the posterior probability that component k generated "
        "x<sup>(i)</sup>%s; ② <span style='color:%s'><b>M-step</b></span>: with r fixed, "
        "weighted ML fits π<sub>k</sub> = N<sub>k</sub>/N, μ<sub>k</sub>, Σ<sub>k</sub>%s.</p>"
        "<p><b>EM as majorize-minimize</b> (on −ℓ): by Jensen's inequality F(q, θ) ≤ ℓ(θ) "
        "for any responsibilities q, with equality for θ's own (the E-step makes the bound "
        "touch: □ on ●); the M-step maximises the bound, and ℓ rises at least as much. So ℓ "
        "never falls and EM converges to a local optimum (or a saddle) — again "
        "init-dependent, like k-means. (Exactly so as ε → 0: the M-step adds εI after the "
        "maximisation, so a large ε can cost ℓ a little near convergence — see "
        "“times ℓ fell”.)</p>"
    ) % (E_COLOR, mark("E"), M_COLOR, mark("M"))


def _vec(v) -> str:
    return f"({v[0]:.3f}, {v[1]:.3f})ᵀ"


def _mat(m) -> str:
    return (f"<table class='matrix'><tr><td>{m[0, 0]:.3f}</td><td>{m[0, 1]:.3f}</td></tr>"
            f"<tr><td>{m[1, 0]:.3f}</td><td>{m[1, 1]:.3f}</td></tr></table>")


def ml_text(result: GMMResult, frame: GMMFrame) -> str:
    fit, n = frame.ml, len(result.run.X)
    if fit.target == "all":
        what = f"all N = {fit.n} points"
    else:
        k = int(fit.target)
        what = (f"the N<sub>{k}</sub> = {fit.n} points hard-assigned to component {k} "
                f"(argmax<sub>k</sub> r<sub>ik</sub>)")
    shown = (f"<p>Fit to {what}: μ̂ = <span data-stat='ml_mean'>{_vec(fit.mean)}</span>, "
             f"Σ̂ = </p>{_mat(fit.covariance)}" if fit.mean is not None
             else f"<p>{html.escape(fit.note)}</p>")
    single, mix = result.single_loglik, float(frame.loglik[-1])
    gain = mix - single
    return (
        MATRIX_CSS +
        "<p><b>ML solution:</b> setting the gradient of Σ<sub>i</sub> log N(x<sup>(i)</sup> "
        "| μ, Σ) to zero gives the sample mean and the (biased, 1/N) sample covariance "
        "(mixture.gaussian_ml_fit; black dotted on the plot).</p>" + shown +
        "<p><b>Why mixtures?</b> One Gaussian is unimodal and elliptic: for clustered data "
        "it puts density between the clusters, where there are no points. On all the data "
        f"one Gaussian reaches ℓ = <span data-stat='single_loglik'>{single:.6g}</span>; "
        f"the mixture now has ℓ = <span data-stat='mixture_loglik'>{mix:.6g}</span> "
        f"({'+' if gain >= 0 else '−'}{abs(gain):.4g}, i.e. {gain / n:+.3g} nats per point). "
        "A mixture of K Gaussians can approximate any smooth density, and its components "
        "are soft clusters.</p>")


def kmeans_text(result: GMMResult, frame: GMMFrame) -> str:
    km = result.kmeans
    return (
        "<p>Take a mixture with π<sub>k</sub> = 1/K and Σ<sub>k</sub> = σ²I for every k. "
        "Then r<sub>ik</sub> ∝ exp(−‖x<sup>(i)</sup> − μ<sub>k</sub>‖² / 2σ²), and as "
        "σ → 0 the responsibilities become hard: r<sub>ik</sub> = 1 for the nearest mean "
        "(k-means' assignment step), and the M-step's μ<sub>k</sub> becomes the mean of "
        "the assigned points (k-means' update step). So k-means is EM's hard-assignment "
        "limit: it sees only distances to the centres, so it cuts tilted or unequal "
        "clusters along straight Voronoi borders, where the mixture's ellipses follow "
        "them.</p>"
        f"<p>k-means (from the same initial means): J = {km.inertia:.5g} after "
        f"{km.n_iter} iterations. Its partition agrees with the mixture's hard "
        f"assignments argmax<sub>k</sub> r<sub>ik</sub> on <span data-stat='agreement'>"
        f"{frame.agreement:.1%}</span> of the points (clusters matched by the best "
        "permutation).</p>")
