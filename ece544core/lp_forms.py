"""The notes' first step of the recipe for a dual program ("what to do before computing the
Lagrangian?"): bring the primal into standard form.

A linear program as a person writes it has rows

    a_i^T w + o_i   (<=, >= or =)   b_i        (o_i: a constant written on the left)

The standard form of :func:`ece544core.duality.linprog` and :func:`ece544core.duality.lp_dual`
keeps every inequality as  a^T w <= b  (so that each gets a multiplier lam_i >= 0 and
L(w, lam) = c^T w + lam^T (A w - b)) and the equalities apart (multipliers nu free):

    a^T w + o <= b   ->    a^T w <= b - o           (constant moved to the right)
    a^T w + o >= b   ->   -a^T w <= -(b - o)        (multiplied by -1: "flipped")
    a^T w + o  = b   ->    a^T w  = b - o           (kept as A_eq w = b_eq)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_array

__all__ = ["SENSES", "StandardForm", "standard_form"]

#: The row senses :func:`standard_form` understands.
SENSES = ("<=", ">=", "=")


@dataclass(frozen=True)
class StandardForm:
    """A_ub w <= b_ub, A_eq w = b_eq: the standard form of written rows (see the module).

    Attributes
    ----------
    A_ub : ndarray (m_ub, n)
    b_ub : ndarray (m_ub,)
    A_eq : ndarray (m_eq, n)
    b_eq : ndarray (m_eq,)
    flipped : ndarray of bool (m_ub,)
        True for an inequality that was written as ">=" (and multiplied by -1).
    ub_rows, eq_rows : ndarray of int (m_ub,), (m_eq,)
        The index of each standard-form row among the written rows.
    """

    A_ub: np.ndarray
    b_ub: np.ndarray
    A_eq: np.ndarray
    b_eq: np.ndarray
    flipped: np.ndarray
    ub_rows: np.ndarray
    eq_rows: np.ndarray

    def linprog_args(self) -> dict:
        """``A_ub, b_ub, A_eq, b_eq`` for :func:`~ece544core.duality.linprog` (absent parts
        left out)."""
        args = {}
        if len(self.b_ub):
            args.update(A_ub=self.A_ub, b_ub=self.b_ub)
        if len(self.b_eq):
            args.update(A_eq=self.A_eq, b_eq=self.b_eq)
        return args


def _check_rows(A, senses, b, offset):
    A = check_array(A, name="A")
    m = A.shape[0]
    b = check_array(b, name="b", ensure_2d=False)
    if b.shape != (m,):
        raise ValueError(f"b must have shape ({m},) (one entry per row of A); got shape {b.shape}")
    if isinstance(senses, str) or len(senses) != m:
        got = repr(senses) if isinstance(senses, str) else f"{len(senses)} entries"
        raise ValueError(f"senses must be a sequence of {m} row senses (one per row of A); "
                         f"got {got}")
    bad = [s for s in senses if s not in SENSES]
    if bad:
        raise ValueError(f"senses must hold only {', '.join(map(repr, SENSES))}; got {bad[0]!r}")
    if offset is None:
        return A, np.asarray(senses), b, np.zeros(m)
    offset = check_array(offset, name="offset", ensure_2d=False)
    if offset.shape != (m,):
        raise ValueError(f"offset must have shape ({m},) (one entry per row of A); got shape "
                         f"{offset.shape}")
    return A, np.asarray(senses), b, offset


def standard_form(A, senses, b, offset=None) -> StandardForm:
    """Rows a_i^T w + offset_i (senses_i) b_i in the notes' standard form A_ub w <= b_ub,
    A_eq w = b_eq: constants moved to the right (b - offset), ">=" rows multiplied by -1,
    equalities kept apart; the order of the written rows is kept within each part.

    Parameters
    ----------
    A : array-like (m, n)
        The rows' coefficients a_i, as written.
    senses : sequence of m str
        Each "<=", ">=" or "=".
    b : array-like (m,)
        The right-hand sides, as written.
    offset : array-like (m,), optional
        Constants written on the left-hand side (default 0).

    Returns
    -------
    StandardForm

    Raises
    ------
    ValueError
        For non-finite entries, mismatched lengths or an unknown sense.
    """
    A, senses, b, offset = _check_rows(A, senses, b, offset)
    rhs = b - offset
    ub = np.flatnonzero(senses != "=")
    eq = np.flatnonzero(senses == "=")
    flipped = senses[ub] == ">="
    sign = np.where(flipped, -1.0, 1.0)
    return StandardForm(A_ub=A[ub] * sign[:, None], b_ub=rhs[ub] * sign, A_eq=A[eq].copy(),
                        b_eq=rhs[eq], flipped=flipped, ub_rows=ub, eq_rows=eq)
