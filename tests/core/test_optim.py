"""ece544core.optim and ece544core.problems: gradients against finite differences, every method
converging on every test problem, measured rates against theory, invariants, bad inputs."""
import dataclasses
import math

import numpy as np
import pytest
from scipy.optimize import minimize as scipy_minimize
from scipy.special import expit

from ece544core._history import History
from ece544core import optim
from ece544core.optim import (PROBLEMS, LogisticProblem, Quadratic, Rosenbrock, check_convexity,
                              minimize, newton_direction, observed_rate, softplus, softplus_grad,
                              softplus_hess, theoretical_rate)

QUADRATICS = [Quadratic(kappa, theta) for kappa in (1.0, 10.0, 100.0) for theta in (0.0, 0.7)]
PROBLEM_CASES = QUADRATICS + [Rosenbrock(), LogisticProblem(), LogisticProblem(C=0.1)]


def _id(problem):
    return repr(problem)


def _fd_grad(f, x, h=1e-6):
    """Central differences of a scalar function."""
    e = np.eye(len(x))
    return np.array([(f(x + h * e[i]) - f(x - h * e[i])) / (2 * h) for i in range(len(x))])


def _run(problem, method, step, **kw):
    kw.setdefault("max_iter", 5000)
    if method == "newton":
        kw.setdefault("hess", problem.hess)
    return minimize(problem.fun, problem.grad, problem.x0, method=method, step=step,
                    x_star=problem.x_star, **kw)


# ------------------------------------------------------------------------------ problems
@pytest.mark.parametrize("problem", PROBLEM_CASES, ids=_id)
def test_gradient_and_hessian_match_finite_differences(problem, rng):
    for x in problem.x_star + rng.uniform(-1.5, 1.5, size=(5, 2)):
        g = problem.grad(x)
        np.testing.assert_allclose(g, _fd_grad(problem.fun, x), rtol=1e-6, atol=1e-5)
        H_fd = np.column_stack([_fd_grad(lambda z, i=i: problem.grad(z)[i], x) for i in range(2)])
        np.testing.assert_allclose(problem.hess(x), H_fd.T, rtol=1e-6, atol=1e-4)


@pytest.mark.parametrize("problem", PROBLEM_CASES, ids=_id)
def test_problem_attributes_and_vectorised_evaluation(problem, rng):
    assert problem.dim == 2 and problem.name in PROBLEMS
    assert problem.fun(problem.x_star) == pytest.approx(problem.f_star, abs=1e-12)
    assert np.linalg.norm(problem.grad(problem.x_star)) <= 1e-10
    (x0, x1), (y0, y1) = problem.bounds
    assert x0 < problem.x_star[0] < x1 and y0 < problem.x_star[1] < y1
    grid = rng.uniform(-2, 2, size=(4, 3, 2))
    F, G = problem.fun(grid), problem.grad(grid)
    assert F.shape == (4, 3) and G.shape == (4, 3, 2)
    np.testing.assert_allclose(F[2, 1], problem.fun(grid[2, 1]), rtol=1e-14)
    np.testing.assert_allclose(G[2, 1], problem.grad(grid[2, 1]), rtol=1e-14)


def test_quadratic_structure():
    q = Quadratic(kappa=25.0, theta=0.3, x_star=(1.0, -2.0))
    np.testing.assert_allclose(np.linalg.eigvalsh(q.A), [1.0, 25.0])
    c, s = np.cos(0.3), np.sin(0.3)
    np.testing.assert_allclose(q.A @ [c, s], [c, s], atol=1e-12)  # long axis of the ellipses
    np.testing.assert_allclose(q.A @ [-s, c], 25.0 * np.array([-s, c]), atol=1e-12)
    assert (q.L, q.mu) == (25.0, 1.0)
    np.testing.assert_array_equal(q.x_star, [1.0, -2.0])


def test_logistic_problem_minimiser_matches_scipy():
    p = LogisticProblem(C=0.5, random_state=3)
    ref = scipy_minimize(p.fun, np.zeros(2), jac=p.grad, method="BFGS", options={"gtol": 1e-11})
    np.testing.assert_allclose(p.x_star, ref.x, atol=1e-8)
    assert p.mu == 0.5 and p.L >= np.linalg.eigvalsh(p.hess(p.x_star))[-1]


def test_problems_factory_and_bad_parameters():
    assert isinstance(PROBLEMS["rosenbrock"](a=2.0), Rosenbrock)
    np.testing.assert_array_equal(Rosenbrock(a=2.0).x_star, [2.0, 4.0])
    with pytest.raises(ValueError, match="kappa must be >= 1"):
        Quadratic(kappa=0.5)
    with pytest.raises(ValueError, match="x_star"):
        Quadratic(x_star=(1.0, np.nan))
    with pytest.raises(ValueError, match="C must be > 0"):
        LogisticProblem(C=0.0)
    with pytest.raises(ValueError, match="b must be > 0"):
        Rosenbrock(b=-1.0)


def test_softplus_family():
    x = np.array([-1000.0, -30.0, -1.0, 0.0, 2.0, 40.0, 1000.0])
    np.testing.assert_allclose(softplus(x[1:-1]), np.log1p(np.exp(x[1:-1])), rtol=1e-14)
    assert softplus(1000.0) == 1000.0 and softplus(-1000.0) == 0.0
    np.testing.assert_allclose(softplus_grad(x), expit(x), rtol=1e-14, atol=0)
    for z in (-3.0, 0.5, 4.0):
        assert softplus_grad(z) == pytest.approx(_fd_grad(lambda t: softplus(t[0]), [z])[0])
        assert softplus_hess(z) == pytest.approx(_fd_grad(lambda t: softplus_grad(t[0]), [z])[0])
    assert np.all(softplus_hess(x[1:-1]) > 0) and np.all(np.isfinite(softplus_hess(x)))


# ------------------------------------------------------------------------------ convergence
def _config(problem, method):
    """(step, kwargs) for which ``method`` reaches ||grad|| <= 1e-8 on ``problem`` quickly."""
    known = {"L": problem.L, "mu": problem.mu}
    if isinstance(problem, Rosenbrock):  # no global L, mu: line searches (or hand-tuned)
        return {"gd": ("armijo", {"lr": 2.0 ** -9, "max_iter": 40000}),
                "momentum": ("armijo", {"beta": 0.5}),
                "nesterov": ("armijo", {"beta": 0.9}),
                "newton": ("armijo", {}), "lbfgs": ("armijo", {})}[method]
    return {"gd": ("2/(L+mu)", known), "momentum": ("optimal", known),
            "nesterov": ("optimal", known), "newton": ("armijo", {}),
            "lbfgs": ("armijo", {})}[method]


@pytest.mark.parametrize("method", optim.METHODS)
@pytest.mark.parametrize("problem", PROBLEM_CASES, ids=_id)
def test_every_method_converges_on_every_problem(problem, method):
    step, kw = _config(problem, method)
    res = _run(problem, method, step, **kw)
    assert res.converged, res.message
    assert res.message.startswith("converged")
    assert res.history["grad_norm"][-1] <= 1e-8
    np.testing.assert_allclose(res.x, problem.x_star, atol=1e-6)
    assert res.fun == pytest.approx(problem.f_star, abs=1e-10)


@pytest.mark.parametrize("method", ["gd", "newton", "lbfgs"])
@pytest.mark.parametrize("problem", [Quadratic(30.0, 1.0), LogisticProblem(C=0.3)], ids=_id)
def test_armijo_line_search_converges_too(problem, method):
    res = _run(problem, method, "armijo")
    assert res.converged, res.message


def test_heavy_ball_and_nesterov_without_known_constants():
    q = Quadratic(20.0, 0.4)
    for method, beta in [("momentum", 0.6), ("nesterov", None)]:
        res = _run(q, method, "constant", lr=1.0 / q.L, beta=beta, max_iter=20000)
        assert res.converged, (method, res.message)


def test_diminishing_steps_make_progress_but_slowly():
    q = Quadratic(4.0)
    res = _run(q, "gd", "diminishing", c=0.2, max_iter=300)
    f = res.history["objective"]
    assert f[-1] < 1e-6 * f[0] and np.all(np.diff(f) <= 0)
    np.testing.assert_allclose(res.history["step_size"][1:4], 0.2 / np.sqrt([1, 2, 3]))


# ------------------------------------------------------------------------------ rates
@pytest.mark.parametrize("kappa", [4.0, 20.0, 100.0])
@pytest.mark.parametrize("theta", [0.0, 0.9])
def test_gd_rate_matches_theory(kappa, theta):
    q = Quadratic(kappa, theta)
    res = _run(q, "gd", "2/(L+mu)", L=q.L, mu=q.mu)
    expected = theoretical_rate("gd", kappa, step="2/(L+mu)")
    assert expected == pytest.approx((kappa - 1) / (kappa + 1))
    assert abs(res.rate() - expected) <= 0.1 * expected
    assert abs(observed_rate(res.history["dist"]) - expected) <= 1e-6  # exact on a quadratic
    res = _run(q, "gd", "1/L", L=q.L, max_iter=20000)
    assert res.rate() == pytest.approx(theoretical_rate("gd", kappa, step="1/L"), rel=0.02)


@pytest.mark.parametrize("kappa", [10.0, 100.0, 400.0])
def test_accelerated_rates_match_theory_and_beat_gd(kappa):
    q = Quadratic(kappa, 0.5)
    plain = _run(q, "gd", "2/(L+mu)", L=q.L, mu=q.mu, max_iter=50000)
    gd = plain.rate()
    for method in ("momentum", "nesterov"):
        res = _run(q, method, "optimal", L=q.L, mu=q.mu)
        theory = theoretical_rate(method, kappa)
        # a double eigenvalue of the iteration: the error is ~ k rho^k, a few % above rho
        assert theory <= res.rate() <= 1.05 * theory, method
        assert res.rate() < gd and res.n_iter < plain.n_iter
        if kappa >= 100:  # acceleration: sqrt(kappa) instead of kappa iterations
            assert res.n_iter < 0.3 * plain.n_iter
    assert theoretical_rate("momentum", kappa) < theoretical_rate("nesterov", kappa) < gd


@pytest.mark.parametrize("step", ["constant", "armijo", "exact"])
def test_newton_solves_a_quadratic_in_one_step(step):
    q = Quadratic(1000.0, 0.3, x_star=(2.0, -1.0))
    res = _run(q, "newton", step, lr=1.0 if step == "constant" else None, A=q.A)
    assert res.n_iter == 1 and res.converged
    np.testing.assert_allclose(res.x, q.x_star, atol=1e-12)
    assert res.history["step_size"][1] == 1.0
    assert res.rate() < 1e-12  # the error dropped to round-off in one step
    assert theoretical_rate("newton", 1000.0) == 0.0


def test_exact_line_search_on_a_quadratic():
    q = Quadratic(50.0, 0.2)
    res = _run(q, "gd", "exact", A=q.A)
    X, t = res.history["x"], res.history["step_size"]
    G = q.grad(X)
    for k in range(min(res.n_iter, 8)):
        g = G[k]
        assert t[k + 1] == pytest.approx(g @ g / (g @ q.A @ g), rel=1e-12)
        assert abs(G[k + 1] @ g) <= 1e-10 * (g @ g)  # successive gradients are orthogonal
    # Kantorovich: f_{k+1} <= ((kappa-1)/(kappa+1))^2 f_k
    f = res.history["objective"]
    rho = theoretical_rate("gd", 50.0, step="exact")
    assert np.all(f[1:] <= rho ** 2 * f[:-1] * (1 + 1e-9) + 1e-300)
    # L-BFGS with exact steps on a 2-D quadratic is conjugate directions: done in 2 steps
    assert _run(q, "lbfgs", "exact", A=q.A).n_iter <= 2


def test_observed_rate():
    e = 3.0 * 0.7 ** np.arange(40)
    assert observed_rate(e) == pytest.approx(0.7, rel=1e-12)
    assert observed_rate(np.r_[e, 0.0, 0.0]) == pytest.approx(0.7, rel=1e-12)
    assert observed_rate([1.0, 0.0]) == 0.0
    assert math.isnan(observed_rate([1.0]))
    assert math.isnan(observed_rate([]))
    with pytest.raises(ValueError, match="tail"):
        observed_rate(e, tail=0.0)


def test_theoretical_rates():
    k = 16.0
    assert theoretical_rate("gd", k) == pytest.approx(15 / 17)
    assert theoretical_rate("gd", k, step="1/L") == pytest.approx(15 / 16)
    assert theoretical_rate("momentum", k) == pytest.approx(3 / 5)
    assert theoretical_rate("nesterov", k) == pytest.approx(3 / 4)
    assert theoretical_rate("lbfgs", k) == 0.0
    with pytest.raises(ValueError, match="step must be one of"):
        theoretical_rate("gd", k, step="armijo")
    with pytest.raises(ValueError, match="method must be one of"):
        theoretical_rate("adam", k)
    with pytest.raises(ValueError, match="kappa must be >= 1"):
        theoretical_rate("gd", 0.5)


# ------------------------------------------------------------------------------ invariants
def _armijo_holds(res, noise=optim.ROUNDOFF_F):
    """f_{k+1} <= f_k - c1 t_k ||grad_k||^2 (gd) or at least f_{k+1} <= f_k, up to round-off."""
    f = res.history["objective"]
    return np.all(f[1:] <= f[:-1] + noise * np.abs(f[:-1]))


@pytest.mark.parametrize("method", ["gd", "newton", "lbfgs"])
@pytest.mark.parametrize("problem", [Quadratic(50.0, 0.3), Rosenbrock(), LogisticProblem()],
                         ids=_id)
def test_armijo_steps_never_increase_f(problem, method):
    res = _run(problem, method, "armijo", max_iter=3000)
    assert _armijo_holds(res)
    if method == "gd":  # the sufficient-decrease condition itself, where f can resolve it
        f, t, gn = res.history["objective"], res.history["step_size"], res.history["grad_norm"]
        decrease = f[:-1] - f[1:]
        resolvable = decrease > optim.ROUNDOFF_F * np.abs(f[:-1])
        assert np.all(decrease[resolvable] >= optim.ARMIJO_C1 * t[1:][resolvable]
                      * gn[:-1][resolvable] ** 2 * (1 - 1e-9))


def test_lbfgs_objective_is_non_increasing(rng):
    # an ill-conditioned quartic in 20 dimensions, from a random start
    D = np.logspace(0, 3, 20)

    def fun(x):
        return 0.5 * np.sum(D * x * x) + 0.25 * np.sum(x ** 4)

    def grad(x):
        return D * x + x ** 3

    res = minimize(fun, grad, rng.standard_normal(20) * 3, method="lbfgs", tol=1e-9)
    assert res.converged and np.all(np.diff(res.history["objective"]) <= 0)
    assert res.n_fev < 3 * res.n_iter + 5


def test_result_structure_and_history():
    q = Quadratic(10.0)
    res = _run(q, "gd", "1/L", L=q.L, max_iter=7, tol=1e-300)
    assert not res.converged and res.n_iter == 7 and "max_iter" in res.message
    assert isinstance(res.history, History) and res.history.n_records == 8
    np.testing.assert_array_equal(res.history["iteration"], np.arange(8))
    for key in ("x", "objective", "grad_norm", "step_size", "dist"):
        assert len(res.history[key]) == 8
    assert res.history["x"].shape == (8, 2) and math.isnan(res.history["step_size"][0])
    np.testing.assert_allclose(res.history["x"][0], q.x0)
    np.testing.assert_allclose(res.history["dist"], np.linalg.norm(res.history["x"] - q.x_star,
                                                                   axis=1))
    assert res.fun == res.history["objective"][-1] and np.array_equal(res.x, res.history["x"][-1])
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.fun = 0.0
    res = minimize(q.fun, q.grad, q.x0, step="1/L", L=q.L, record_x=False, norm=np.inf)
    assert "x" not in res.history and "dist" not in res.history
    assert res.history["grad_norm"][-1] <= 1e-8 and res.n_gev == res.n_iter + 1
    res = minimize(q.fun, q.grad, q.x_star, step="1/L", L=q.L)  # already optimal
    assert res.converged and res.n_iter == 0


def test_divergence_ends_the_run_without_raising():
    q = Quadratic(10.0)
    res = _run(q, "gd", "constant", lr=0.5, max_iter=100000)
    assert not res.converged and res.message == "diverged: f became inf/nan"
    assert np.all(np.isfinite(res.history["objective"])) and res.history["objective"][-1] > 1e200
    r = Rosenbrock()
    for method in ("gd", "nesterov", "momentum"):
        res = minimize(r.fun, r.grad, r.x0, method=method, step="constant", lr=0.1)
        assert res.message == "diverged: f became inf/nan" and not res.converged

    def python_float_fun(x):  # OverflowError from Python floats counts as divergence
        return float(x[0]) ** 10

    res = minimize(python_float_fun, lambda x: 10 * x ** 9, [2.0], step="constant", lr=1.0)
    assert res.message == "diverged: f became inf/nan"


def test_newton_direction_handles_indefinite_hessians():
    g = np.array([1.0, -2.0])
    H = np.array([[2.0, 0.0], [0.0, -1.0]])
    p = newton_direction(H, g)
    assert g @ p < 0
    np.testing.assert_allclose(newton_direction(np.diag([2.0, 4.0]), g), [-0.5, 0.5])


# ------------------------------------------------------------------------------ convexity
@pytest.mark.parametrize("f, bounds", [
    (softplus, (-6.0, 6.0)), (lambda x: x ** 2, [(-3.0, 3.0)]),
    (LogisticProblem().fun, LogisticProblem().bounds),
    (Quadratic(50.0, 1.0).fun, Quadratic().bounds),
])
def test_convexity_checker_accepts_convex_functions(f, bounds):
    rep = check_convexity(f, bounds, random_state=0)
    assert rep.is_convex and rep.max_violation == 0.0 and rep.violations.shape[0] == 0
    assert rep.n_checked == 2000 * 9


@pytest.mark.parametrize("f", [np.sin, lambda x: -x ** 2, lambda x: x ** 3])
def test_convexity_checker_rejects_non_convex_functions(f):
    rep = check_convexity(f, [(-3.0, 3.0)], random_state=0)
    assert not rep.is_convex and rep.max_violation > 0.1
    assert 1 <= len(rep.violations) <= 10 and rep.violations.shape[1] == 4
    w1, w2, lam, gap = rep.violations[0]
    assert gap == pytest.approx(rep.max_violation)
    assert gap == pytest.approx(f((1 - lam) * w1 + lam * w2) - (1 - lam) * f(w1) - lam * f(w2))
    assert np.all(np.diff(rep.violations[:, 3]) <= 0)


def test_convexity_checker_in_2d_and_bad_inputs():
    r = Rosenbrock()
    rep = check_convexity(r.fun, r.bounds, n_pairs=500, random_state=1)
    assert not rep.is_convex and rep.violations.shape[1] == 6
    with pytest.raises(ValueError, match="bounds"):
        check_convexity(np.sin, [(1.0, -1.0)])
    with pytest.raises(ValueError, match="bounds"):
        check_convexity(np.sin, "box")
    with pytest.raises(ValueError, match="f must map"):
        check_convexity(lambda x: np.sum(x), (0.0, 1.0))
    with pytest.raises(ValueError, match="f must be finite"):
        check_convexity(np.log, (-1.0, 1.0))
    with pytest.raises(ValueError, match="n_pairs"):
        check_convexity(np.sin, (0.0, 1.0), n_pairs=0)


# ------------------------------------------------------------------------------ bad inputs
@pytest.mark.parametrize("kwargs, match", [
    (dict(method="adam"), "method must be one of"),
    (dict(step="wolfe"), "step must be one of"),
    (dict(step="1/L"), "L is required"),
    (dict(step="2/(L+mu)", L=10.0), "mu is required"),
    (dict(step="exact"), "A is required"),
    (dict(step="constant"), "lr is required"),
    (dict(method="newton"), "hess is required"),
    (dict(method="lbfgs", step="1/L", L=1.0), "step must be one of .* for method='lbfgs'"),
    (dict(tol=0.0), "tol must be > 0"),
    (dict(max_iter=0), "max_iter must be >= 1"),
    (dict(max_iter=2.5), "max_iter must be an integer"),
    (dict(step="1/L", L=-1.0), "L must be > 0"),
    (dict(step="2/(L+mu)", L=1.0, mu=5.0), "mu must be <= L"),
    (dict(beta=1.0, method="momentum"), "beta must be < 1"),
    (dict(step="exact", A=np.eye(3)), "A must be a finite"),
    (dict(x0=[np.nan, 0.0]), "x0 must be finite"),
    (dict(x0=[[1.0, 2.0]]), "x0 must be a 1-D"),
    (dict(x_star=[1.0]), "x_star must have shape"),
    (dict(norm=1), "norm must be 2"),
])
def test_bad_arguments_raise_named_errors(kwargs, match):
    q = Quadratic()
    args = dict(fun=q.fun, grad=q.grad, x0=q.x0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        minimize(**args)


def test_bad_callables_raise_named_errors():
    q = Quadratic()
    with pytest.raises(ValueError, match="grad must return an array of shape"):
        minimize(q.fun, lambda x: np.zeros(3), q.x0)
    with pytest.raises(ValueError, match="fun must return a scalar"):
        minimize(lambda x: np.ones(2), q.grad, q.x0)
    with pytest.raises(ValueError, match="hess must return"):
        minimize(q.fun, q.grad, q.x0, method="newton", hess=lambda x: np.eye(3))
    with pytest.raises(ValueError, match="finite at x0"):
        minimize(lambda x: np.nan, q.grad, q.x0)


def test_curvature_constants():
    q = Quadratic(kappa=7.0, theta=0.3)
    assert optim.curvature_constants(q, q.bounds) == (7.0, 1.0)      # its own global constants
    r = Rosenbrock()
    L, mu = optim.curvature_constants(r, ((-2.0, 2.0), (-1.0, 3.0)), n_grid=15)
    # by hand: hess f = [[2 - 400 (y - x^2) + 800 x^2, -400 x], [-400 x, 200]]
    x, y = np.meshgrid(np.linspace(-2, 2, 15), np.linspace(-1, 3, 15))
    a, b, c = 2 - 400 * (y - x ** 2) + 800 * x ** 2, -400 * x, 200.0
    top = (a + c) / 2 + np.sqrt(((a - c) / 2) ** 2 + b ** 2)
    assert L == pytest.approx(top.max(), rel=1e-12)
    assert mu == pytest.approx(np.linalg.eigvalsh([[802.0, -400.0], [-400.0, 200.0]])[0],
                               rel=1e-12)
    with pytest.raises(ValueError, match="bounds"):
        optim.curvature_constants(r, ((1.0, 0.0), (0.0, 1.0)))
