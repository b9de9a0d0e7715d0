"""The 2-D linear programs of the duality demo and their plane geometry: preset LPs as a person
writes them (the core's ``standard_form`` turns them into A w <= b), the vertices of the feasible
polygon (for drawing it), and the number, row and colour formatting of the page."""
from __future__ import annotations

import math

import numpy as np

SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
OPS = {"<=": "≤", ">=": "≥"}
#: One colour per row (Okabe-Ito without the path's vermillion and the optimum's yellow).
ROW_COLORS = ["#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#7f7f7f"]

#: The LPs, in the form a person writes them: rows (a, op, b) with op "<=" or ">=", the row the
#: Δb slider moves, and the plotted box ((w1 lo, hi), (w2 lo, hi)), square.
PRESETS = {
    "textbook": dict(
        label="textbook (a production plan)",
        rows=[((1, 0), "<=", 4), ((0, 2), "<=", 12), ((3, 2), "<=", 18), ((1, 0), ">=", 0),
              ((0, 1), ">=", 0)],
        moved=2, box=((-1.0, 7.5), (-1.0, 7.5))),
    "degenerate": dict(
        label="degenerate vertex (3 rows through one point)",
        rows=[((1, 0), "<=", 3), ((0, 1), "<=", 3), ((1, 1), "<=", 6), ((1, 0), ">=", 0),
              ((0, 1), ">=", 0)],
        moved=2, box=((-1.0, 5.0), (-1.0, 5.0))),
    "geq": dict(
        label="≥ rows (a diet: flip to standard form)",
        rows=[((1, 2), ">=", 3), ((3, 1), ">=", 6), ((1, 0), "<=", 4), ((0, 1), "<=", 4),
              ((1, 0), ">=", 0), ((0, 1), ">=", 0)],
        moved=0, box=((-1.0, 5.5), (-1.0, 5.5))),
    "infeasible": dict(
        label="infeasible (no w satisfies all rows)",
        rows=[((1, 1), "<=", 1), ((1, 2), ">=", 4), ((1, 0), ">=", 0), ((0, 1), ">=", 0)],
        moved=0, box=((-1.0, 5.0), (-1.0, 5.0))),
    "unbounded": dict(
        label="unbounded region",
        rows=[((-1, 1), "<=", 2), ((1, -2), "<=", 2), ((1, 0), ">=", 0), ((0, 1), ">=", 0)],
        moved=0, box=((-1.0, 7.0), (-1.0, 7.0))),
}


def written_rows(rows, moved: int | None = None, shift: float = 0.0):
    """The rows (a_i, op_i, b_i) as arrays (A (m, 2), senses (m,), b (m,)) for the core's
    ``standard_form``; ``shift`` is added to the b of row ``moved``."""
    A = np.array([r[0] for r in rows], dtype=float)
    b = np.array([r[2] for r in rows], dtype=float)
    if moved is not None:
        b[moved] += shift
    return A, [r[1] for r in rows], b


def row_color(i: int) -> str:
    """The colour of row i (plots and tables)."""
    return ROW_COLORS[i % len(ROW_COLORS)]


def box_halfplanes(box):
    """The box ((x0, x1), (y0, y1)) as 4 rows of A w <= b."""
    (x0, x1), (y0, y1) = box
    return np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1]]), np.array([x1, -x0, y1, -y0])


def polygon_vertices(A, b, box=None, tol: float = 1e-9) -> np.ndarray:
    """Vertices of {w in R^2 : A w <= b} (intersected with ``box`` if given), in counter-clockwise
    order: every pairwise intersection of two boundary lines a_i^T w = b_i that satisfies all rows
    (to ``tol``), duplicates merged. Shape (k, 2); k = 0 for an empty (or vertex-free) set."""
    A, b = np.asarray(A, float), np.asarray(b, float)
    if box is not None:
        Ab, bb = box_halfplanes(box)
        A, b = np.vstack([A, Ab]), np.concatenate([b, bb])
    i, j = np.triu_indices(len(b), k=1)
    det = A[i, 0] * A[j, 1] - A[i, 1] * A[j, 0]
    ok = np.abs(det) > 1e-12
    i, j, det = i[ok], j[ok], det[ok]
    x = (b[i] * A[j, 1] - b[j] * A[i, 1]) / det                  # Cramer's rule, (pairs,)
    y = (A[i, 0] * b[j] - A[j, 0] * b[i]) / det
    pts = np.column_stack([x, y])
    scale = 1.0 + np.abs(b).max(initial=0.0)
    pts = pts[np.all(pts @ A.T <= b + tol * scale, axis=1)]
    if len(pts) == 0:
        return np.empty((0, 2))
    pts = np.unique(np.round(pts, 9), axis=0)
    centre = pts.mean(axis=0)
    return pts[np.argsort(np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0]))]


def row_text(a, op: str, b: float) -> str:
    """'3 w₁ + 2 w₂ ≤ 18' for a row (a, op, b)."""
    terms = []
    for k, coef in enumerate(a):
        if coef == 0:
            continue
        mag = abs(coef)
        body = f"{'' if mag == 1 else f'{mag:g} '}w{str(k + 1).translate(SUB)}"
        terms.append(("− " if coef < 0 else "+ ") + body)
    lhs = " ".join(terms).removeprefix("+ ") if terms else "0"
    if lhs.startswith("− "):
        lhs = "−" + lhs[2:]
    return f"{lhs} {OPS[op]} {fmt(b, 6)}"


def fmt(v: float, digits: int = 4) -> str:
    """A number for the page: 4 significant digits, −0 shown as 0, a real minus sign."""
    v = float(v)
    if not math.isfinite(v):
        return "+∞" if v > 0 else ("−∞" if v < 0 else "—")
    return f"{0.0 if abs(v) < 5e-13 else v:.{digits}g}".replace("-", "−")


def number(v: float):
    """A float for stats_html when finite, else its text (+∞, −∞)."""
    v = float(v)
    return v if math.isfinite(v) else fmt(v)


def vec(v) -> str:
    return "(" + ", ".join(fmt(x) for x in np.asarray(v, float)) + ")"
