"""The duality demo's words and tables with the numbers of a :class:`~.compute.DualityResult`:
the plot title, the numbers, the rows/multipliers and KKT tables, the notes' recipe (standard
form, multipliers, Lagrangian, g(λ), dual program) and the answers to the notes' questions."""
from __future__ import annotations

import html

import numpy as np

from .compute import DualityResult, Probe
from .geometry import SUB, fmt, number, row_color, row_text, vec

def fig_title(r: DualityResult) -> str:
    res = r.primal
    if res.status == "optimal":
        return f"optimal: w* = {vec(res.x)}, p* = cᵀw* = {fmt(res.fun)}"
    if res.status == "infeasible":
        return "INFEASIBLE: the rows have no common point (see the certificate)"
    if res.status == "unbounded":
        return "UNBOUNDED: cᵀw → −∞ along the ray d (black arrow)"
    return f"stopped after {res.n_iter} iterations ({res.status})"


def moved_text(r: DualityResult) -> str:
    a, op, b = r.spec["rows"][r.spec["moved"]]
    return (f"<small>moved row {r.spec['moved'] + 1} (dashed): "
            f"{html.escape(row_text(a, op, b + r.shift))}</small>")


def stats(r: DualityResult, probe: Probe | None) -> dict:
    """The numbers table: key -> (label, value)."""
    res, dual = r.primal, r.dual
    active = np.flatnonzero(r.active) + 1
    out = {
        "status": ("primal status", res.status),
        "dual_status": ("dual program status (lp_dual)", dual.status),
        "n_iter": ("interior-point iterations", int(res.n_iter)),
        "p_star": ("p* = cᵀw*", number(res.fun)),
        "d_star": ("d* = max −bᵀλ (dual program)", number(r.dual_value)),
        "gap": ("|p* − d*|", float(abs(res.fun - r.dual_value))
                if r.optimal and dual.status == "optimal" else "—"),
        "w": ("w*" if r.optimal else "x returned", vec(res.x)),
        "lam": ("λ*" if r.optimal else "λ returned", vec(res.lam)),
        "active": ("active rows", ", ".join(map(str, active)) or "—"),
        "kkt_max": ("largest KKT residual", float(res.kkt.max()) if r.optimal else "—"),
        "c": ("c = (cos θ, sin θ)", vec(r.c)),
    }
    if probe is not None:
        out["lagrangian"] = ("L(w, λ*) at the tapped point", float(probe.value))
    return out


def rows_table(r: DualityResult) -> str:
    res = r.primal
    slack, active = r.slack, r.active
    rows = []
    for i, (row, a, beta) in enumerate(zip(r.spec["rows"], r.A, r.b)):
        written = row_text(row[0], row[1], row[2] + (r.shift if i == r.spec["moved"] else 0.0))
        std = row_text(a, "<=", beta + 0.0)
        lam = res.lam[i] if res.status in ("optimal", "infeasible") else np.nan
        prod = lam * slack[i] if r.optimal else np.nan
        rows.append(
            f"<tr><td style='color:{row_color(i)}'><b>{i + 1}</b></td>"
            f"<td>{html.escape(written)}</td><td>{html.escape(std)}"
            f"{' (flipped)' if r.form.flipped[i] else ''}</td>"
            f"<td>{fmt(slack[i])}</td><td data-stat='lam_{i + 1}'>{fmt(lam)}</td>"
            f"<td>{fmt(prod)}</td><td>{'active' if active[i] else ''}</td></tr>")
    return ("<table class='demo-stats'><tr><th>i</th><th>as written</th><th>standard form "
            "aᵢᵀw ≤ bᵢ</th><th>slack bᵢ − aᵢᵀw*</th><th>λᵢ</th><th>λᵢ · slack</th><th></th>"
            "</tr>" + "".join(rows) + "</table>")


def kkt_table(r: DualityResult) -> str:
    res = r.primal
    if not r.optimal:
        return (f"<p>No optimum (status <b>{res.status}</b>), so there is no KKT point: "
                f"{html.escape(res.message)}.</p>")
    k = res.kkt
    items = [("stationarity", "‖c + Aᵀλ‖", k.stationarity),
             ("primal feasibility", "‖max(Aw − b, 0)‖", k.primal_feasibility),
             ("dual feasibility", "‖min(λ, 0)‖", k.dual_feasibility),
             ("complementary slackness", "|λᵀ(b − Aw)|", k.complementary_slackness),
             ("duality gap", "|cᵀw + bᵀλ|", k.duality_gap)]
    return ("<table class='demo-stats'><tr><th>condition</th><th>residual</th><th>value</th>"
            "</tr>" + "".join(
                f"<tr><td>{name}</td><td>{expr}</td><td data-stat='kkt_{name.split()[0]}'>"
                f"{v:.2e}</td></tr>" for name, expr, v in items) + "</table>")


def _combo(coefs, const=None) -> str:
    """'c + 3 λ₁ − λ₂' for a constant and the coefficients of λ₁, λ₂, ..."""
    parts = [] if const is None else [fmt(const)]
    for i, v in enumerate(coefs):
        if v != 0:
            mag = "" if abs(v) == 1 else f"{fmt(abs(v))}"
            parts.append(("− " if v < 0 else "+ ") + mag + f"λ{str(i + 1).translate(SUB)}")
    return (" ".join(parts) if parts else "0").removeprefix("+ ")


def _plural(n: int) -> str:
    return f"{n} ≥ row{'s' if n != 1 else ''}"


def recipe(r: DualityResult) -> str:
    """The notes' five steps with this LP's numbers."""
    std = "<br>".join(
        f"({i + 1}) {html.escape(row_text(a, '<=', beta + 0.0))}"
        f"{'  ← flipped from ' + html.escape(row_text(w[0], w[1], w[2])) if f else ''}"
        for i, (a, beta, f, w) in enumerate(zip(r.A, r.b, r.form.flipped, r.spec["rows"])))
    slopes = [_combo(r.A[:, k], r.c[k]) for k in range(2)]
    intercept = _combo(-r.b)
    dual = r.dual
    if dual.status == "optimal":
        dual_line = (f"Solved (lp_dual → linprog): λ̂ = {vec(dual.x)}, d* = −bᵀλ̂ = "
                     f"<b>{fmt(r.dual_value)}</b>")
        if r.optimal:
            dual_line += (f" = p* = {fmt(r.primal.fun)}: <b>strong duality</b> (the gap "
                          f"is {abs(r.primal.fun - r.dual_value):.1e}).")
    elif dual.status == "infeasible":
        dual_line = ("The dual program is <b>infeasible</b>: no λ ≥ 0 has Aᵀλ = −c, i.e. −c "
                     "is outside the cone of the rows' normals aᵢ, so g(λ) = −∞ for every "
                     "λ ≥ 0 — and the primal is unbounded (or infeasible).")
    else:
        dual_line = (f"The dual program is <b>{dual.status}</b>: −bᵀλ grows without bound "
                     "along the Farkas certificate, so the primal must be infeasible "
                     "(weak duality: every primal point would cap it).")
    return (
        "<p><b>1. Standard form</b> (every row as aᵢᵀw ≤ bᵢ; "
        f"{_plural(int(r.form.flipped.sum()))} multiplied by −1; no equalities here — "
        "an equality aᵀw = b would be kept apart as A<sub>eq</sub>w = b<sub>eq</sub> with a "
        f"free multiplier ν):<br><code>{std}</code><br>and c = {vec(r.c)}.</p>"
        "<p><b>2. Multipliers</b> λ<sub>i</sub> ≥ 0, one per row; w is free (W = ℝ²).</p>"
        "<p><b>3. Lagrangian</b> L(w, λ) = cᵀw + λᵀ(Aw − b) = "
        f"<code>({html.escape(slopes[0])}) w₁ + ({html.escape(slopes[1])}) w₂ "
        f"+ ({html.escape(intercept)})</code></p>"
        "<p><b>4. Minimise over w:</b> L is linear in w, so g(λ) = "
        f"<code>{html.escape(intercept)}</code> if both brackets are 0 "
        "(Aᵀλ + c = 0), else −∞.</p>"
        "<p><b>5. Dual program:</b> max<sub>λ≥0</sub> "
        f"<code>{html.escape(intercept)}</code> s.t. "
        f"<code>{html.escape(slopes[0])} = 0</code> and "
        f"<code>{html.escape(slopes[1])} = 0</code>. {dual_line}</p>")


def answers(r: DualityResult, probe: Probe | None) -> str:
    """The notes' three questions answered with this LP."""
    before = (f"<p><b>What to do before computing the Lagrangian?</b> Bring the program "
              f"into standard form: all rows aᵢᵀw ≤ bᵢ (here {_plural(int(r.form.flipped.sum()))}"
              " flipped by −1, see step 1), equalities kept apart, and decide which constraints "
              "get multipliers (all rows here; none is left in W = ℝ²). Only then is λ ≥ 0 the "
              "right sign.</p>")
    how = ("<p><b>How to obtain the dual program?</b> Minimise L(w, λ) over w: a linear "
           "function of w is bounded below only if its slope c + Aᵀλ is 0, which gives "
           "g(λ) = −bᵀλ on {Aᵀλ + c = 0} and −∞ elsewhere; then maximise g over λ ≥ 0 "
           "(steps 4–5 above, with this LP's numbers).</p>")
    return before + how + _why(r, probe)


def _why(r: DualityResult, probe: Probe | None) -> str:
    res = r.primal
    head = "<p><b>Why duality?</b> "
    if res.status == "infeasible":
        lam = res.lam
        return head + (
            f"A certificate: λ = {vec(lam)} ≥ 0 has Aᵀλ = {vec(r.A.T @ lam)} ≈ 0 "
            f"and bᵀλ = {fmt(r.b @ lam)} < 0. Adding the rows with these weights "
            "gives 0 = λᵀAw ≤ λᵀb < 0 for every feasible w — impossible, so no w exists "
            "(Farkas). The dual program is unbounded: it proves infeasibility without "
            "searching the plane. (Raise Δb to 1 or more and the LP becomes feasible.)</p>")
    if res.status == "unbounded":
        d = res.x
        return head + (
            f"The dual is infeasible: no λ ≥ 0 balances −c, and the primal has a ray "
            f"d = {vec(d)} with Ad = {vec(r.A @ d)} ≤ 0 and cᵀd = "
            f"{fmt(r.c @ d)} < 0: w + t d stays feasible while cᵀw → −∞. Turn θ "
            "until −c points back into the cone of the normals and an optimum appears.</p>")
    if not r.optimal:
        return head + f"(no optimum: {html.escape(res.message)})</p>"
    lam, moved = res.lam, r.spec["moved"]
    sens = ""
    if r.shift != 0 and np.isfinite(r.base_fun):
        sens = (f" Here Δb = {fmt(r.shift)} changed p* by "
                f"<span data-stat='delta_p'>{fmt(res.fun - r.base_fun)}</span>; "
                f"−λ<sub>{moved + 1}</sub>Δb = {fmt(-lam[moved] * r.shift)} (equal while "
                "the active set stays the same).")
    degenerate = ""
    if int(r.active.sum()) > 2:
        degenerate = (" At this <b>degenerate</b> vertex more than two rows are active, so "
                      "Aᵀλ = −c has many solutions λ ≥ 0 (all with −bᵀλ = p*): the "
                      "interior-point method returns one inside that set, a simplex code "
                      "(HiGHS) a vertex of it.")
    tapped = ""
    if probe is not None:
        tapped = (f" At the tapped w = {vec(probe.w)}: cᵀw = {fmt(probe.cw)}, λ*ᵀ(Aw − b) = "
                  f"{fmt(probe.penalty)}{' ≤ 0 (w is feasible)' if probe.feasible else ''}"
                  f", so L(w, λ*) = {fmt(probe.value)} = g(λ*) = p*: with λ* the slope c + Aᵀλ* "
                  "is 0 and L is flat.")
    return head + (
        f"① A lower bound: any λ ≥ 0 with Aᵀλ + c = 0 gives −bᵀλ ≤ cᵀw for every feasible w "
        f"(weak duality); the best one, d* = {fmt(r.dual_value)}, equals p* = "
        f"{fmt(res.fun)} (strong duality for LPs), so λ* = {vec(lam)} <b>certifies</b> "
        "that w* is optimal — the gap plot is the solver closing that bound. "
        f"② Sensitivity: λᵢ = −∂p*/∂bᵢ, the price of row i; a row with slack has λᵢ = 0 "
        f"(complementary slackness).{sens}{degenerate} ③ The dual can be the easier "
        f"problem (one variable per constraint; for SVMs it brings kernels).{tapped}</p>")
