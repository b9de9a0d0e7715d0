"""The multiclass demo's numbers, notes and live answers: HTML from one MulticlassResult."""
from __future__ import annotations

import html

import numpy as np

from .compute import BASES, METHODS, SHORT, MethodResult, MulticlassResult


def note_html(r: MethodResult) -> str:
    """The legend of the big plot for the selected method."""
    frac = f"<span data-stat='note_unclear'>{100 * np.mean(r.unclear):.1f}</span>%"
    text = {
        "ovr": "Shading: OvR's prediction argmax<sub>k</sub> f<sub>k</sub>(x) (solid: its "
               "boundary). Dashed: each binary boundary f<sub>k</sub>(x) = 0 in its class "
               "colour. <b>Hatched</b>: the binary answers disagree — several classes say "
               f"“mine” (/) or none does (\\): {frac} of the plot.",
        "ovo": "Shading: OvO's prediction, the class with most pairwise votes (ties broken "
               "by the summed confidences). Dashed grey: the K(K−1)/2 pairwise boundaries "
               "f<sub>ij</sub>(x) = 0. <b>Hatched ×</b>: the top vote count is shared (a "
               f"cycle a ≻ b ≻ c ≻ a): {frac} of the plot.",
    }.get(r.method, "Shading: argmax<sub>k</sub> (w<sub>k</sub>ᵀx + b<sub>k</sub>) of one "
                    "jointly trained model: every point has exactly one winner, so there "
                    f"are <b>no ambiguous or tied regions</b> ({frac} of the plot; "
                    "boundaries have zero area).")
    return f"<small>{text} Black-edged points are misclassified.</small>"


def numbers(R: MulticlassResult) -> tuple[dict, str]:
    """(stats, HTML table) of the four methods: key -> (label, value) with data-stat hooks."""
    res, K = R.results, R.K
    ovr, ovo = res["ovr"], res["ovo"]
    stats = {
        "n_train": ("training points n (incl. clicked)", len(R.y)),
        "n_clicked": ("clicked points", R.n_clicked),
        "C": ("C (notes)", R.C),
        "C_sklearn": ("scikit-learn C = 1 / C", 1.0 / R.C),
        "ovr_none_fraction": ("OvR: area claimed by no class", float(np.mean(ovr.claims == 0))),
        "ovr_multi_fraction": ("OvR: area claimed by ≥ 2 classes",
                               float(np.mean(ovr.claims > 1))),
        "ovr_ambiguous_fraction": ("OvR: ambiguous area", float(np.mean(ovr.unclear))),
        "ovo_tie_fraction": ("OvO: tied area", float(np.mean(ovo.ties))),
    }
    rows = []
    for m, r in res.items():
        stats.update({f"acc_{m}": (f"{SHORT[m]}: train accuracy", r.accuracy),
                           f"fit_ms_{m}": (f"{SHORT[m]}: fit time [ms]", r.fit_ms),
                           f"n_binary_{m}": (f"{SHORT[m]}: binary classifiers", r.n_binary),
                           f"converged_{m}": (f"{SHORT[m]}: converged", r.converged)})
        count = (" = K" if m == "ovr" else " = K(K−1)/2" if m == "ovo" else
                 f" (one joint problem, {K} weight vectors)")
        kind = {"ovr": "ambiguous", "ovo": "tied"}.get(m, "(argmax)")
        rows.append(
            f"<tr{' style=font-weight:bold' if m == R.method else ''}>"
            f"<th>{html.escape(METHODS[m] + (f' ({BASES[r.base]})' if r.base else ''))}</th>"
            f"<td><span data-stat='n_binary_{m}'>{r.n_binary}</span>{count}</td>"
            f"<td><span data-stat='acc_{m}'>{r.accuracy:.4f}</span></td>"
            f"<td><span data-stat='unclear_{m}'>{100 * np.mean(r.unclear):.2f}</span>% {kind}"
            f"</td><td><span data-stat='fit_ms_{m}'>{r.fit_ms:.1f}</span></td>"
            f"<td><span data-stat='converged_{m}'>{'yes' if r.converged else 'no'}</span>"
            "</td></tr>")
    pct = {k: f"<span data-stat='{k}'>{100 * stats[k][1]:.2f}</span>%"
           for k in ("ovr_none_fraction", "ovr_multi_fraction")}
    html_text = (
        "<table class='demo-stats'><tr><th>method</th><th>binary classifiers</th>"
        "<th>train accuracy</th><th>ambiguous / tied area (of the plot)</th>"
        "<th>fit time [ms]</th><th>converged</th></tr>" + "".join(rows) + "</table>"
        f"<small>n = <span data-stat='n_train'>{len(R.y)}</span> points "
        f"(<span data-stat='n_clicked'>{R.n_clicked}</span> clicked), K = {K}, "
        f"C = <span data-stat='C'>{R.C:.4g}</span> (scikit-learn C = "
        f"<span data-stat='C_sklearn'>{1 / R.C:.4g}</span>). OvR area claimed by no "
        f"class: {pct['ovr_none_fraction']}, by ≥ 2 classes: {pct['ovr_multi_fraction']}. "
        f"Area = share of the {R.grid_n}×{R.grid_n} grid; fit times exclude drawing; only the "
        "methods whose settings changed are refitted.</small>")
    return stats, html_text


def answers_html(R: MulticlassResult) -> str:
    """The notes' questions answered by the live models."""
    res, K, n = R.results, R.K, len(R.y)
    ovr, ovo, soft, msvm = (res[m] for m in METHODS)
    cs, agree = R.cs_loss, R.agree
    n_mid = int(np.sum(ovr.claims > 1)) + int(np.sum(ovr.claims == 0))
    return (
        "<p><b>How to extend binary classification to K classes?</b> Four ways, all fitted "
        f"here on K = {K} classes: one-vs-rest trains <span data-stat='answer_n_ovr'>"
        f"{ovr.n_binary}</span> binary models “class k vs the rest” (the notes count K − 1 "
        "by letting the last class be “none of the others”; one per class keeps the map "
        f"symmetric), one-vs-one <span data-stat='answer_n_ovo'>{ovo.n_binary}</span> = "
        f"K(K−1)/2 models, one per pair (for K = 10 that would be 45), while softmax "
        f"regression and the multiclass SVM solve <i>one</i> problem with K = {K} weight "
        f"vectors (3K = {3 * K} numbers with the biases).</p>"
        "<p><b>Why does one-vs-rest have ambiguous regions?</b> Each f<sub>k</sub> is "
        "trained alone to answer “is x of class k?”; nothing makes the K answers agree. "
        f"Here <span data-stat='answer_none'>{100 * np.mean(ovr.claims == 0):.1f}</span>% of "
        "the plot gets “no” from every model and "
        f"<span data-stat='answer_multi'>{100 * np.mean(ovr.claims > 1):.1f}</span>% “yes” "
        f"from several ({n_mid} grid cells; {ovr.train_unclear} of the {n} training points "
        "lie there). argmax<sub>k</sub> f<sub>k</sub> still decides, but the scores of "
        "separately trained models are not on a common scale.</p>"
        "<p><b>Why are one-vs-one's preferences not transitive?</b> Each pairwise model "
        "sees only its two classes, so around the middle a ≻ b, b ≻ c and c ≻ a can all "
        "hold and every class gets the same number of votes: "
        f"<span data-stat='answer_ties'>{100 * np.mean(ovo.ties):.1f}</span>% of the plot "
        f"({ovo.train_unclear} training points) is such a tie, broken here by the summed "
        "confidences. For round blobs of equal size each pairwise boundary is close to the "
        "perpendicular bisector of two centres, and the bisectors of a triangle meet in one "
        "point, so the tie triangles are small; unequal or overlapping classes widen them. "
        "“Tie-breaking is difficult, neither of the methods is good.”</p>"
        "<p><b>What does softmax regression fix?</b> One model p(y = k | x) ∝ exp(w<sub>k"
        "</sub>ᵀx + b<sub>k</sub>) trained jointly: the argmax is unique everywhere (0% "
        "ambiguous), and the probabilities are calibrated against each other. Train "
        f"accuracy <span data-stat='answer_acc_softmax'>{soft.accuracy:.3f}</span>; mean "
        f"p(y<sup>(i)</sup> | x<sup>(i)</sup>) = {R.mean_proba:.3f}.</p>"
        "<p><b>How does the multiclass SVM's loss differ?</b> "
        "max<sub>y</sub>([y ≠ y<sub>i</sub>] + w<sub>y</sub>ᵀx<sub>i</sub> − "
        "w<sub>y<sub>i</sub></sub>ᵀx<sub>i</sub>) is zero only when the true class beats "
        "<i>every</i> other by a margin of 1, and only the worst competitor counts — unlike "
        "OvR's K separate hinge losses, each against a lumped “rest”. It is the ε → 0 limit "
        "of the notes' temperature loss ε ln Σ exp((L + wᵀψ)/ε) − wᵀψ with L = [y ≠ "
        "y<sub>i</sub>]; softmax's cross-entropy is its ε = 1 case with L = 0. Live: "
        f"<span data-stat='answer_cs_active'>{int(np.sum(cs > 1e-9))}</span> of {n} "
        f"points have a positive loss (margin violated), {int(np.sum(cs >= 1))} have loss "
        f"≥ 1 (misclassified or tied), total loss {cs.sum():.3g}; the SVM and softmax "
        f"predict the same class on <span data-stat='answer_agree'>{100 * agree:.1f}</span>"
        "% of the plot.</p>")
