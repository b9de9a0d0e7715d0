"""ece544core.update_rules: the public update rules reproduce minimize's runs exactly, PyTorch's
SGD parameterisation gives the notes' trajectories, L-BFGS's two loops equal the explicit BFGS
matrix, and the rules never modify their state."""
import numpy as np
import pytest

from ece544core.optim import LogisticProblem, Quadratic, Rosenbrock, minimize
from ece544core.step_sizes import exact_step, fixed_step
from ece544core.update_rules import (gradient_step, heavy_ball_step, lbfgs_direction, lbfgs_step,
                                     lbfgs_update, nesterov_lookahead, nesterov_step,
                                     newton_step, sgd_step)

N_STEPS = 40


def _loop(problem, rule, n=N_STEPS, x0=None, lookahead=None, **kw):
    """Iterates x_0 .. x_n of ``rule`` with the gradient where the rule wants it."""
    x, state, xs = (problem.x0 if x0 is None else x0), None, []
    xs.append(x)
    for k in range(n):
        extra = {key: (value(k) if callable(value) else value) for key, value in kw.items()}
        at = x if lookahead is None else lookahead(x, state, beta=extra["beta"])
        if "hess" in extra:
            extra["hess"] = problem.hess(x)
        x, state = rule(x, problem.grad(at), state, **extra)
        xs.append(x)
    return np.array(xs)


def _minimize_path(problem, method, n=N_STEPS, **kw):
    res = minimize(problem.fun, problem.grad, problem.x0, method=method, step="constant",
                   tol=1e-300, max_iter=n, **kw)
    return res.history["x"]


# ------------------------------------------------------------------------------ = minimize
def test_gradient_step_is_minimize_gd():
    q = Quadratic(kappa=20.0, theta=0.4)
    np.testing.assert_array_equal(_loop(q, gradient_step, lr=0.04),
                                  _minimize_path(q, "gd", lr=0.04))


def test_heavy_ball_step_is_minimize_momentum():
    q = Quadratic(kappa=20.0, theta=0.4)
    np.testing.assert_array_equal(_loop(q, heavy_ball_step, lr=0.04, beta=0.7),
                                  _minimize_path(q, "momentum", lr=0.04, beta=0.7))


@pytest.mark.parametrize("beta", [0.6, None])  # None: minimize's schedule k / (k + 3)
def test_nesterov_step_is_minimize_nesterov(beta):
    p = LogisticProblem(C=0.5)
    schedule = beta if beta is not None else (lambda k: k / (k + 3.0))
    ours = _loop(p, nesterov_step, lookahead=nesterov_lookahead, lr=0.05, beta=schedule)
    np.testing.assert_array_equal(ours, _minimize_path(p, "nesterov", lr=0.05, beta=beta))


def test_newton_step_is_minimize_newton():
    r = Rosenbrock()
    ours = _loop(r, newton_step, n=6, lr=1.0, hess=True)
    np.testing.assert_array_equal(ours, _minimize_path(r, "newton", n=6, lr=1.0, hess=r.hess))


def test_lbfgs_step_is_minimize_lbfgs():
    p = LogisticProblem(C=1.0)
    ours = _loop(p, lbfgs_step, n=8, lr=1.0, memory=3)
    np.testing.assert_array_equal(ours, _minimize_path(p, "lbfgs", n=8, lr=1.0, memory=3))


# ------------------------------------------------------------------------------ PyTorch form
def test_pytorch_momentum_equals_heavy_ball_at_constant_lr():
    q = Quadratic(kappa=30.0, theta=1.0)
    notes = _loop(q, heavy_ball_step, lr=0.03, beta=0.8)
    torch_form = _loop(q, sgd_step, lr=0.03, momentum=0.8)
    np.testing.assert_allclose(torch_form, notes, rtol=1e-12, atol=1e-14)


def test_pytorch_nesterov_iterates_are_the_notes_lookahead_points():
    p = LogisticProblem(C=0.3)
    x, state, ys = p.x0, None, []
    for _ in range(N_STEPS):  # the notes' form: y_k = x_k + beta (x_k - x_{k-1})
        y = nesterov_lookahead(x, state, beta=0.7)
        ys.append(y)
        x, state = nesterov_step(x, p.grad(y), state, lr=0.05, beta=0.7)
    torch_form = _loop(p, sgd_step, n=N_STEPS - 1, lr=0.05, momentum=0.7, nesterov=True)
    np.testing.assert_allclose(torch_form, np.array(ys), rtol=1e-12, atol=1e-14)


def test_varying_lr_heavy_ball_needs_rescaled_beta():
    """With steps t_k the PyTorch form is the notes' form with beta_k = beta t_k / t_{k-1}."""
    q = Quadratic(kappa=10.0, theta=0.3)
    lr = lambda k: 0.08 / np.sqrt(k + 1)  # noqa: E731
    beta_k = lambda k: 0.5 * lr(k) / lr(k - 1) if k else 0.5  # noqa: E731
    torch_form = _loop(q, sgd_step, lr=lr, momentum=0.5)
    np.testing.assert_allclose(torch_form, _loop(q, heavy_ball_step, lr=lr, beta=beta_k),
                               rtol=1e-12, atol=1e-14)
    assert not np.allclose(torch_form, _loop(q, heavy_ball_step, lr=lr, beta=0.5), rtol=1e-6)


def test_sgd_step_by_hand():
    """Two steps of torch.optim.SGD(lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.2)."""
    p0, g0, g1 = np.array([1.0, -2.0]), np.array([0.5, 1.0]), np.array([-1.0, 0.25])
    kw = dict(lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.2)
    p1, s1 = sgd_step(p0, g0, None, **kw)
    d0 = g0 + 0.2 * p0                         # [0.7, 0.6]; v_1 = d0 (no dampening at first)
    np.testing.assert_allclose(p1, p0 - 0.1 * d0)
    np.testing.assert_allclose(s1["velocity"], d0)
    p2, s2 = sgd_step(p1, g1, s1, **kw)
    d1 = g1 + 0.2 * p1
    v2 = 0.9 * d0 + 0.5 * d1
    np.testing.assert_allclose(s2["velocity"], v2)
    np.testing.assert_allclose(p2, p1 - 0.1 * v2)
    p2n, _ = sgd_step(p1, g1, s1, **{**kw, "nesterov": True})
    np.testing.assert_allclose(p2n, p1 - 0.1 * (d1 + 0.9 * v2))
    np.testing.assert_allclose(sgd_step(p0, g0, None, lr=0.1)[0], p0 - 0.1 * g0)


# ------------------------------------------------------------------------------ L-BFGS
def _bfgs_matrix(pairs, d):
    """H_k by the explicit BFGS recursion H <- (I - rho s y^T) H (I - rho y s^T) + rho s s^T."""
    s, y, rho = pairs[-1]
    H = (s @ y) / (y @ y) * np.eye(d)
    for s, y, rho in pairs:
        V = np.eye(d) - rho * np.outer(y, s)
        H = V.T @ H @ V + rho * np.outer(s, s)
    return H


def test_lbfgs_two_loops_equal_the_bfgs_matrix(rng):
    A = rng.standard_normal((6, 6))
    A = A @ A.T + np.eye(6)
    state = None
    for _ in range(5):  # pairs from a quadratic: s^T y = s^T A s > 0
        x = rng.standard_normal(6)
        state = lbfgs_update(state, x, A @ x, memory=4)
    assert len(state["pairs"]) == 4
    g = rng.standard_normal(6)
    p, same = lbfgs_direction(g, state)
    assert same is state
    np.testing.assert_allclose(p, -_bfgs_matrix(state["pairs"], 6) @ g, rtol=1e-10)


def test_lbfgs_skips_pairs_without_curvature_and_restarts_on_ascent():
    state = lbfgs_update(None, np.zeros(2), np.zeros(2))
    kept = lbfgs_update(state, np.array([1.0, 0.0]), np.array([-1.0, 0.0]))  # s^T y < 0
    assert kept["pairs"] == [] and state["pairs"] == []
    ascent = {"pairs": [(np.array([1.0, 0.0]), np.array([1.0, 0.0]), 1.0)], "prev": None}
    g = np.array([1.0, 0.0])
    p, new = lbfgs_direction(g, ascent)
    assert new is ascent  # a descent direction: the memory is kept
    np.testing.assert_allclose(p, -g)
    bad = {"pairs": [(np.array([1.0, 0.0]), np.array([1.0, 0.0]), -1.0)], "prev": None}
    p, new = lbfgs_direction(g, bad)  # rho < 0 makes H_k indefinite: -grad, memory cleared
    np.testing.assert_array_equal(p, -g)
    assert new["pairs"] == [] and len(bad["pairs"]) == 1


# ------------------------------------------------------------------------------ invariants
@pytest.mark.parametrize("rule, kw", [(gradient_step, {}), (heavy_ball_step, {"beta": 0.9}),
                                      (nesterov_step, {"beta": 0.9}),
                                      (sgd_step, {"momentum": 0.9, "nesterov": True})])
def test_rules_take_any_shape_and_never_modify_their_state(rule, kw, rng):
    W, G = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    W1, state = rule(W, G, None, lr=0.1, **kw)
    assert W1.shape == (3, 4)
    frozen = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in (state or {}).items()}
    W2, state2 = rule(W1, G, state, lr=0.1, **kw)
    for k, v in frozen.items():
        np.testing.assert_array_equal(state[k], v)
    if state is not None:
        assert state2 is not state
    if rule is not gradient_step:  # the second step carries momentum: not a gradient step
        assert not np.allclose(W2, W1 - 0.1 * G)


def test_step_sizes_by_hand():
    assert fixed_step("1/L", 0, L=4.0) == 0.25
    assert fixed_step("2/(L+mu)", 3, L=3.0, mu=1.0) == 0.5
    assert fixed_step("optimal", 0, method="momentum", L=9.0, mu=1.0) == pytest.approx(0.25)
    assert fixed_step("optimal", 0, method="nesterov", L=9.0, mu=1.0) == pytest.approx(1 / 9)
    assert fixed_step("diminishing", 3, c=2.0) == 1.0
    A, g = np.diag([1.0, 4.0]), np.array([1.0, 1.0])
    assert exact_step(A, g, -g) == pytest.approx(2.0 / 5.0)  # g^T g / g^T A g
    with pytest.raises(ValueError, match="rule must be one of"):
        fixed_step("armijo", 0)
