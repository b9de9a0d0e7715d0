"""The one recorder behind every iterative estimator's ``history_``.

An estimator calls ``history.record(iteration=k, objective=J, gap=g, ...)`` once per iteration
(or per recorded iteration, where it thins a long run). The result reads like a dict of columns:
``history["objective"]`` is an ndarray with one entry per record (NaN where a record did not
carry that field; array-valued fields such as ``centers`` are stacked), ``list(history)`` the
field names in first-recorded order, ``history.records()`` the records themselves.

Field names come from one vocabulary, :data:`FIELDS`: the same quantity has the same name in
every estimator (the objective is ``objective`` whether SMO, Newton or EM produced it, a duality
gap is ``gap``). A name outside the vocabulary is a ValueError, so a new quantity is added here,
with its meaning, once.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

import numpy as np

__all__ = ["FIELDS", "History"]

#: name -> meaning. Estimators document which of these they record and in which convention
#: (for instance whether ``objective`` is minimised or, for EM and a dual, maximised).
FIELDS: dict[str, str] = {
    "iteration": "index of the iteration the record belongs to (0: the starting point)",
    "objective": "the objective the method optimises, at this iterate (J, g(alpha), l(theta))",
    "primal_objective": "J at this iterate, for a method that also tracks a dual",
    "dual_objective": "g at this iterate, for a method that also tracks a primal",
    "gap": "duality gap J - g (or the method's certificate of optimality), >= 0",
    "kkt_violation": "the largest violation of the KKT conditions",
    "grad_norm": "norm of the gradient at this iterate",
    "step_size": "step length t used to reach this iterate",
    "dist": "distance ||x_k - x*|| to a known minimiser",
    "x": "the iterate itself",
    "eps": "temperature epsilon of the smoothing path (0: an exact solve)",
    "smoothed_objective": "the objective of the smoothed problem at the current temperature",
    "log_likelihood": "log-likelihood sum_i log p(x_i) of the data",
    "lower_bound": "the EM lower bound F(q, theta) <= log-likelihood (or scikit-learn's "
                   "per-sample log-likelihood, where documented)",
    "cost_after_assign": "k-means cost J after the assignment step",
    "cost_after_update": "k-means cost J after the update step",
    "centers": "the cluster centres (or means) after this iteration",
    "mu": "barrier parameter / complementarity measure of an interior-point method",
    "primal_residual": "norm of the primal feasibility residual",
    "dual_residual": "norm of the dual feasibility residual",
    "tau": "scaling variable of a homogeneous self-dual embedding (tau -> 0: no optimum, a "
           "certificate of infeasibility or unboundedness instead)",
    "kappa": "the embedding's complementary variable to tau (kappa * tau -> 0)",
    "n_changed": "number of labels that changed in this iteration",
    "loss": "training loss (data term) at this iterate",
    "train_accuracy": "accuracy on the training data",
    "test_accuracy": "accuracy on held-out data",
    "seconds": "wall-clock seconds spent so far",
    "best_objective": "the smallest objective among the iterates so far (for a method that does "
                      "not descend monotonically, e.g. the subgradient method)",
}


class History(Mapping):
    """Records of one run, one per (recorded) iteration; a read-only mapping of columns."""

    def __init__(self) -> None:
        self._records: list[dict] = []
        self._names: dict[str, None] = {}   # field names, first-recorded order
        self._columns: dict[str, np.ndarray] = {}  # built on demand, dropped on record()

    # ------------------------------------------------------------------ writing
    def record(self, **fields) -> None:
        """Append one record; every name must be in :data:`FIELDS`."""
        unknown = [name for name in fields if name not in FIELDS]
        if unknown:
            raise ValueError(f"unknown history field(s) {unknown}: add them to "
                             f"ece544core._history.FIELDS with their meaning")
        self._records.append(fields)
        for name in fields:
            self._names.setdefault(name, None)
        self._columns.clear()

    def extend(self, other: "History") -> None:
        """Append the records of ``other`` (e.g. a continued run)."""
        for rec in other.records():
            self.record(**rec)

    # ------------------------------------------------------------------ reading
    def records(self) -> list[dict]:
        """The records as dicts (copies), in order."""
        return [dict(rec) for rec in self._records]

    def __len__(self) -> int:
        return len(self._names)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __contains__(self, name) -> bool:
        return name in self._names

    @property
    def n_records(self) -> int:
        return len(self._records)

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._names:
            raise KeyError(name)
        if name not in self._columns:
            self._columns[name] = self._column(name)
        return self._columns[name]

    def _column(self, name: str) -> np.ndarray:
        values = [rec.get(name) for rec in self._records]
        present = [v for v in values if v is not None]
        shape = np.shape(present[0])
        if shape == ():
            return np.array([math.nan if v is None else v for v in values], dtype=np.float64)
        fill = np.full(shape, np.nan)
        return np.stack([fill if v is None else np.asarray(v, dtype=np.float64) for v in values])

    def last(self, name: str, default=None):
        """The most recent recorded value of ``name`` (``default`` if never recorded)."""
        for rec in reversed(self._records):
            if name in rec:
                return rec[name]
        return default

    def as_dict(self) -> dict[str, np.ndarray]:
        """Plain ``{name: column}`` (for saving or JSON)."""
        return {name: self[name] for name in self}

    def __repr__(self) -> str:
        return f"History({self.n_records} records: {', '.join(self._names)})"
