"""The update rules of the gradient-descent family as public functions
``rule(params, grad, state, **hyperparameters) -> (params, state)``.

``params`` and ``grad`` are arrays of the same shape (any shape: a weight matrix works as well as
a vector), ``state`` is the rule's memory between calls (``None`` before the first call; a new
dict is returned, the old one is never modified). :func:`ece544core.optim.minimize` chooses the
step t_k by its step-size rule and takes the step with these functions; ``nn.optim`` reuses them
with a fixed learning rate. In the notes' symbols (x_k the iterate, t_k the step, beta the
momentum):

    gradient_step     x_{k+1} = x_k - t_k grad f(x_k)
    heavy_ball_step   x_{k+1} = x_k - t_k grad f(x_k) + beta (x_k - x_{k-1})           (Polyak)
    nesterov_step     y_k = x_k + beta (x_k - x_{k-1}),  x_{k+1} = y_k - t_k grad f(y_k)
                      (``grad`` is taken at the look-ahead point :func:`nesterov_lookahead`)
    newton_step       x_{k+1} = x_k - t_k [hess f(x_k)]^{-1} grad f(x_k)
    lbfgs_step        x_{k+1} = x_k - t_k H_k grad f(x_k), H_k from the last m pairs (s, y)

PyTorch's parameterisation (``torch.optim.SGD``), :func:`sgd_step`, keeps a velocity instead of
the previous iterate:

    momentum          v_{k+1} = mu v_k + g_k,                 p_{k+1} = p_k - lr v_{k+1}
    nesterov=True     v_{k+1} = mu v_k + g_k,                 p_{k+1} = p_k - lr (g_k + mu v_{k+1})

(v_1 = g_0; g_k = grad f(p_k) + weight_decay p_k; with ``dampening`` tau the velocity adds
(1 - tau) g_k after the first step). How the two forms relate, for a constant step t = lr and
mu = beta:

* Heavy ball: with x_k - x_{k-1} = -lr v_k the notes' update reads
  x_{k+1} - x_k = -lr g_k + beta (x_k - x_{k-1}) = -lr (beta v_k + g_k) = -lr v_{k+1}:
  the same iterates, p_k = x_k. With a step that changes, the forms differ: the notes' momentum
  term beta (x_k - x_{k-1}) carries the previous step t_{k-1}, PyTorch's rescales the whole
  velocity by the current lr (the notes' form with beta_k = beta t_k / t_{k-1}).
* Nesterov: PyTorch's p_k is the notes' look-ahead point y_k (Sutskever's reformulation: the
  gradient is taken where the parameters are). With x_{k+1} - x_k = -lr v_{k+1},
  y_{k+1} = x_{k+1} + beta (x_{k+1} - x_k) = y_k - lr (g_k + beta v_{k+1}), g_k = grad f(y_k).

The tests run both forms side by side and find the same trajectories.
"""
from __future__ import annotations

import numpy as np

__all__ = ["gradient_step", "heavy_ball_step", "nesterov_lookahead", "nesterov_step",
           "newton_direction", "newton_step", "lbfgs_direction", "lbfgs_update", "lbfgs_step",
           "sgd_step"]

_EPS = np.finfo(np.float64).eps


class _Stop(Exception):
    """Raised inside a step to end :func:`~ece544core.optim.minimize` with a message."""


def _previous(state) -> np.ndarray | None:
    return None if state is None else state.get("prev")


# ------------------------------------------------------------------------------ first order
def gradient_step(params, grad, state=None, *, lr):
    """x_{k+1} = x_k - t grad f(x_k) with t = ``lr``; the state is passed through unchanged."""
    return params - lr * grad, state


def heavy_ball_step(params, grad, state=None, *, lr, beta):
    """Polyak's heavy ball: x_{k+1} = x_k - t grad f(x_k) + beta (x_k - x_{k-1}).

    ``state["prev"]`` is x_{k-1} (absent on the first call, where the step is a gradient step).
    """
    prev = _previous(state)
    new = params - lr * grad
    if prev is not None and beta != 0.0:
        new = new + beta * (params - prev)
    return new, {"prev": params}


def nesterov_lookahead(params, state=None, *, beta):
    """The point where Nesterov's method takes the gradient: y_k = x_k + beta (x_k - x_{k-1})
    (y_0 = x_0). Returns ``params`` itself when there is no momentum yet."""
    prev = _previous(state)
    if prev is None or beta == 0.0:
        return params
    return params + beta * (params - prev)


def nesterov_step(params, grad, state=None, *, lr, beta):
    """Nesterov's accelerated gradient: x_{k+1} = y_k - t grad f(y_k), y_k = x_k + beta (x_k - x_{k-1}).

    ``grad`` must be grad f(y_k) at y_k = ``nesterov_lookahead(params, state, beta=beta)`` (the
    same ``beta``); ``state["prev"]`` is x_{k-1}. For a schedule beta_k (k / (k + 3) for convex f)
    pass the current beta_k to both calls.
    """
    y = nesterov_lookahead(params, state, beta=beta)
    return y - lr * grad, {"prev": params}


# ------------------------------------------------------------------------------ second order
def newton_direction(H, g) -> np.ndarray:
    """p = -H^{-1} g by a linear solve; if H is not positive definite (its Cholesky
    factorisation fails), H + tau I with the smallest tau in 10^j * max(1e-8 max|H_ii|, 1e-12)
    that is, so p is always a descent direction."""
    H = np.asarray(H, dtype=np.float64)
    tau, eye = 0.0, np.eye(len(g))
    base = max(1e-8 * float(np.max(np.abs(np.diag(H)))), 1e-12)
    for j in range(40):
        try:
            np.linalg.cholesky(H + tau * eye)
            return -np.linalg.solve(H + tau * eye, g)
        except np.linalg.LinAlgError:
            tau = base * 10.0 ** j
    raise _Stop("newton failed: could not make the Hessian positive definite")


def newton_step(params, grad, state=None, *, lr=1.0, hess):
    """Damped Newton: x_{k+1} = x_k - t [hess f(x_k)]^{-1} grad f(x_k) for a 1-D ``params``;
    ``hess`` is the (d, d) Hessian at x_k (shifted by tau I if it is not positive definite)."""
    return params + lr * newton_direction(hess, grad), state


def _two_loop(g: np.ndarray, pairs) -> np.ndarray:
    """p = -H_k g by the two-loop recursion over pairs (s, y, rho = 1 / s^T y), oldest first,
    with H_0 = (s^T y / y^T y) I from the newest pair."""
    q = g.copy()
    alphas = []
    for s, y, rho in reversed(pairs):
        a = rho * float(s @ q)
        q -= a * y
        alphas.append(a)
    s, y, rho = pairs[-1]
    q *= 1.0 / (rho * float(y @ y))  # H_0 = (s^T y / y^T y) I
    for (s, y, rho), a in zip(pairs, reversed(alphas)):
        q += (a - rho * float(y @ q)) * s
    return -q


def lbfgs_update(state, params, grad, *, memory=10) -> dict:
    """L-BFGS memory after arriving at x_{k+1} = ``params`` with g_{k+1} = ``grad``: the pair
    s = x_{k+1} - x_k, y = g_{k+1} - g_k is kept (the last ``memory`` of them) only if
    s^T y > eps y^T y (the curvature condition); else H_k stays as it was."""
    pairs = [] if state is None else list(state["pairs"])
    prev = None if state is None else state.get("prev")
    if prev is not None:
        s, y = params - prev[0], grad - prev[1]
        sy = float(s @ y)
        if sy > _EPS * float(y @ y):
            pairs.append((s, y, 1.0 / sy))
            del pairs[:-memory]
    return {"pairs": pairs, "prev": (params, grad)}


def lbfgs_direction(grad, state=None):
    """(p, state): p = -H_k grad f(x_k) from the stored pairs (-grad with no pairs). If p is not a
    descent direction (H_k lost positive definiteness), the memory is cleared and p = -grad."""
    pairs = [] if state is None else state["pairs"]
    if not pairs:
        return -grad, state
    p = _two_loop(grad, pairs)
    if not float(grad @ p) < 0.0:
        return -grad, {**state, "pairs": []}
    return p, state


def lbfgs_step(params, grad, state=None, *, lr, memory=10):
    """Limited-memory BFGS with step t = ``lr``: update the memory with the last pair
    (:func:`lbfgs_update`), then x_{k+1} = x_k + t p_k, p_k = -H_k grad f(x_k)
    (:func:`lbfgs_direction`). ``params`` is 1-D."""
    state = lbfgs_update(state, params, grad, memory=memory)
    p, state = lbfgs_direction(grad, state)
    return params + lr * p, state


# ------------------------------------------------------------------------------ PyTorch's form
def sgd_step(params, grad, state=None, *, lr, momentum=0.0, dampening=0.0, nesterov=False,
             weight_decay=0.0):
    """``torch.optim.SGD``'s update: g = grad + weight_decay params; v = mu v + (1 - dampening) g
    (v = g on the first call); p -= lr v, or with ``nesterov`` p -= lr (g + mu v).

    ``state["velocity"]`` is v. With momentum = beta and a constant lr this gives the iterates of
    :func:`heavy_ball_step` (and, with ``nesterov``, the look-ahead points y_k of
    :func:`nesterov_step`); see the module docstring.
    """
    g = grad + weight_decay * params if weight_decay else grad
    if not momentum:
        return params - lr * g, state
    v = None if state is None else state.get("velocity")
    v = g.copy() if v is None else momentum * v + (1.0 - dampening) * g
    step = g + momentum * v if nesterov else v
    return params - lr * step, {"velocity": v}
