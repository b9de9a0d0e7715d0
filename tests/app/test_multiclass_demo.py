"""MulticlassDemo through its parameters: OvR / OvO / softmax / multiclass SVM against
scikit-learn, the ambiguity and tie maps, the cache, the drawn overlays, errors."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.multiclass import OneVsOneClassifier as SkOvO
from sklearn.multiclass import OneVsRestClassifier as SkOvR
from sklearn.svm import SVC as SkSVC
from sklearn.svm import LinearSVC

from ece544core.crammer_singer import crammer_singer_loss
from ece544core.toysets import class_centers
from ece544lab.demos.multiclass import (GRID_N, METHODS, MulticlassDemo, MulticlassModel,
                                       argmax_boundaries, filled_regions)

AWAY = 0.05   # "away from a boundary": the reference's top-two score gap exceeds this


@pytest.fixture
def demo():
    return MulticlassDemo()


def top_gap(S: np.ndarray) -> np.ndarray:
    s = np.sort(S, axis=1)
    return s[:, -1] - s[:, -2]


def shoelace(x, y) -> float:
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def polygons_area(data: dict) -> float:
    """Area of Bokeh multi_polygons data: outer ring minus holes, summed."""
    total = 0.0
    for mx, my in zip(data["xs"], data["ys"]):
        for px, py in zip(mx, my):
            rings = [shoelace(rx, ry) for rx, ry in zip(px, py)]
            total += rings[0] - sum(rings[1:])
    return total


# ------------------------------------------------------------------ default view
def test_default_view_is_drawn(demo):
    assert demo.error == ""
    names = {s.name for s in (demo.canvas.regions, demo.multi_source, demo.none_source,
                              demo.tie_source, demo.canvas.lines["lines"], demo.canvas.points,
                              demo.canvas.lines["boundary"], *demo.small_sources.values())}
    assert {"mc-regions", "mc-multi", "mc-none", "mc-ties", "mc-lines", "mc-points",
            "mc-boundary", *(f"mc-small-regions-{m}" for m in METHODS)} <= names
    for source in (demo.canvas.regions, *demo.small_sources.values()):
        img = np.asarray(source.data["image"][0])
        assert img.shape == (GRID_N, GRID_N) and img.dtype == np.uint32
    assert len(demo.canvas.points.data["x"]) == demo.n_samples == len(demo.result.y)
    assert len(demo.multi_source.data["xs"]) >= 1          # OvR on 3 blobs: ambiguous areas
    assert len(demo.canvas.lines["lines"].data["xs"]) == 3          # one f_k = 0 line per class
    for m in METHODS:
        assert demo.small_figs[m].title.text.endswith(f"train acc {demo.result.results[m].accuracy:.3f}")
        for key in (f"acc_{m}", f"fit_ms_{m}", f"n_binary_{m}", f"converged_{m}"):
            assert key in demo.stats, key
            assert f"data-stat='{key}'" in demo._numbers.object
    assert demo.stats["C_sklearn"][1] == pytest.approx(1 / demo.C)


@pytest.mark.parametrize("K", [3, 4, 5])
def test_number_of_binary_classifiers(demo, K):
    demo.n_classes = K
    assert demo.error == ""
    assert demo.stats["n_binary_ovr"][1] == len(demo.result.results["ovr"].model.estimators_) == K
    assert demo.stats["n_binary_ovo"][1] == len(demo.result.results["ovo"].model.estimators_) \
        == K * (K - 1) // 2
    assert demo.stats["n_binary_softmax"][1] == demo.stats["n_binary_msvm"][1] == 0
    assert np.unique(demo.result.y).tolist() == list(range(K))
    assert demo.result.results["softmax"].scores.shape == (GRID_N * GRID_N, K)


# ------------------------------------------------------------------ against scikit-learn
def test_ovr_matches_sklearn(demo):
    demo.param.update(n_classes=4, layout="random", seed=3, C=0.5, method="ovr", base="svm")
    ref = SkOvR(SkSVC(kernel="linear", C=1 / demo.C)).fit(demo.result.X, demo.result.y)
    S = ref.decision_function(demo.result.points)
    r = demo.result.results["ovr"]
    np.testing.assert_allclose(r.scores, S, atol=0.05)       # both SMO to tol 1e-3
    away = top_gap(S) > AWAY
    assert away.mean() > 0.9
    assert np.mean(r.pred[away] == ref.classes_[S.argmax(axis=1)][away]) >= 0.99
    np.testing.assert_array_equal(r.train_pred, demo.result.results["ovr"].model.predict(demo.result.X))


@pytest.mark.parametrize("base", ["svm", "logistic"])
def test_ovo_matches_sklearn(demo, base):
    demo.param.update(n_classes=5, layout="line", seed=2, C=2.0, method="ovo", base=base)
    binary = (SkSVC(kernel="linear", C=1 / demo.C) if base == "svm"
              else SkLogisticRegression(C=1 / demo.C, tol=1e-10, max_iter=10000))
    ref = SkOvO(binary).fit(demo.result.X, demo.result.y)
    r = demo.result.results["ovo"]
    pairs = np.column_stack([e.decision_function(demo.result.points) for e in ref.estimators_])
    np.testing.assert_allclose(r.pair_scores, pairs, atol=0.05)   # same pair order (i < j)
    S = ref.decision_function(demo.result.points)
    away = (np.abs(pairs).min(axis=1) > AWAY) & (top_gap(S) > AWAY)
    assert away.mean() > 0.8
    assert np.mean(r.pred[away] == ref.classes_[S.argmax(axis=1)][away]) >= 0.99
    # the vote counts agree wherever no pairwise model is near its boundary
    sure = np.abs(pairs).min(axis=1) > AWAY
    np.testing.assert_array_equal(r.model.votes(demo.result.points)[sure], np.floor(S[sure] + 0.5))


def test_softmax_matches_sklearn_multinomial(demo):
    demo.param.update(n_classes=4, layout="circle", seed=5, spread=1.3, C=3.0, method="softmax")
    ref = SkLogisticRegression(C=1 / demo.C, tol=1e-10, max_iter=10000).fit(demo.result.X, demo.result.y)
    model = demo.result.results["softmax"].model
    np.testing.assert_allclose(model.coef_, ref.coef_, atol=1e-4)
    # only differences of intercepts matter (ours sum to zero)
    np.testing.assert_allclose(model.intercept_ - model.intercept_.mean(),
                               ref.intercept_ - ref.intercept_.mean(), atol=1e-4)
    S = ref.decision_function(demo.result.points)
    away = top_gap(S) > 1e-3
    np.testing.assert_array_equal(demo.result.results["softmax"].pred[away], S.argmax(axis=1)[away])


def test_multiclass_svm_matches_crammer_singer_linear_svc(demo):
    demo.param.update(n_classes=3, layout="random", seed=11, spread=1.1, C=0.7, method="msvm")
    r = demo.result.results["msvm"]
    assert r.converged and r.model.converged_
    ref = LinearSVC(multi_class="crammer_singer", C=1 / demo.C, intercept_scaling=1, tol=1e-8,
                    max_iter=200000).fit(demo.result.X, demo.result.y)
    np.testing.assert_allclose(r.model.coef_, ref.coef_, atol=1e-3)
    np.testing.assert_allclose(r.model.intercept_, ref.intercept_, atol=1e-3)
    S = ref.decision_function(demo.result.points)
    away = top_gap(S) > AWAY
    assert away.mean() > 0.9
    np.testing.assert_array_equal(r.pred[away], S.argmax(axis=1)[away])
    # the live Crammer-Singer losses reproduce the solver's objective J(W)
    W2 = np.sum(r.model.coef_ ** 2) + np.sum(r.model.intercept_ ** 2)
    loss = crammer_singer_loss(r.model.decision_function(demo.result.X), demo.result.y)
    assert demo.C / 2 * W2 + loss.sum() == pytest.approx(r.model.history_["objective"][-1],
                                                         rel=1e-9)


# ------------------------------------------------------------------ ambiguity and ties
def test_ovr_ambiguity_fraction_matches_independent_counts(demo):
    demo.param.update(method="ovr", base="svm", C=1.0)
    r = demo.result.results["ovr"]
    frac = demo.stats["ovr_ambiguous_fraction"][1]
    assert frac > 0.05                                     # three blobs: real ambiguous area
    # (1) from the fitted binary models' own decision values, counted here
    F = np.column_stack([e.decision_function(demo.result.points) for e in r.model.estimators_])
    claims = (F > 0).sum(axis=1)
    assert frac == np.mean(claims != 1)
    assert demo.stats["ovr_none_fraction"][1] == np.mean(claims == 0)
    assert demo.stats["ovr_multi_fraction"][1] == np.mean(claims > 1)
    # (2) from scikit-learn's one-vs-rest on the same data: only cells next to a line may differ
    ref = SkOvR(SkSVC(kernel="linear", C=1 / demo.C)).fit(demo.result.X, demo.result.y)
    ref_claims = (ref.decision_function(demo.result.points) > 0).sum(axis=1)
    assert frac == pytest.approx(np.mean(ref_claims != 1), abs=0.01)
    # the hatched polygons cover that share of the plot box
    (x0, x1), (y0, y1) = demo.result.box
    box = (x1 - x0) * (y1 - y0)
    area = polygons_area(demo.multi_source.data) + polygons_area(demo.none_source.data)
    assert area / box == pytest.approx(frac, rel=0.1)
    assert f"{100 * frac:.1f}" in demo._note.object


def test_ovo_ties_match_votes_and_sklearn(demo):
    demo.param.update(method="ovo", base="svm", n_classes=5, layout="line", seed=0, C=0.3)
    r = demo.result.results["ovo"]
    votes = r.model.votes(demo.result.points)
    top = votes.max(axis=1, keepdims=True)
    np.testing.assert_array_equal(r.ties, (votes == top).sum(axis=1) > 1)
    assert demo.stats["ovo_tie_fraction"][1] == np.mean(r.ties) > 0
    ref = SkOvO(SkSVC(kernel="linear", C=1 / demo.C)).fit(demo.result.X, demo.result.y)
    ref_votes = np.floor(ref.decision_function(demo.result.points) + 0.5)
    ref_ties = (ref_votes == ref_votes.max(axis=1, keepdims=True)).sum(axis=1) > 1
    assert np.mean(r.ties) == pytest.approx(np.mean(ref_ties), abs=0.01)
    assert len(demo.tie_source.data["xs"]) >= 1
    assert len(demo.canvas.lines["lines"].data["xs"]) >= 10         # the 10 pairwise boundaries


@pytest.mark.parametrize("method", ["softmax", "msvm"])
def test_argmax_methods_have_no_ambiguous_area(demo, method):
    demo.method = method
    assert demo.multi_source.data["xs"] == [] and demo.tie_source.data["xs"] == []
    assert not np.any(demo.result.results[method].unclear)
    assert "no ambiguous or tied regions" in demo._note.object
    # the drawn boundaries are where the two best scores are equal
    model = demo.result.results[method].model
    lines = demo.canvas.lines["boundary"].data
    assert len(lines["xs"]) >= 2
    pts = np.column_stack([np.concatenate(lines["xs"]), np.concatenate(lines["ys"])])
    cell = (demo.result.box[0][1] - demo.result.box[0][0]) / (GRID_N - 1)
    slope = np.abs(model.coef_[:, None, :] - model.coef_[None, :, :]).sum(axis=2).max()
    assert top_gap(model.decision_function(pts)).max() <= slope * cell


def test_filled_regions_and_boundaries_on_known_shapes():
    xs = ys = np.linspace(-2, 2, 201)
    xx, yy = np.meshgrid(xs, ys)
    disc = filled_regions(xs, ys, xx ** 2 + yy ** 2 < 1)
    assert polygons_area(disc) == pytest.approx(np.pi, rel=0.02)
    ring = filled_regions(xs, ys, (xx ** 2 + yy ** 2 < 1.5 ** 2) & (xx ** 2 + yy ** 2 > 0.25))
    assert polygons_area(ring) == pytest.approx(np.pi * (1.5 ** 2 - 0.25), rel=0.02)
    assert filled_regions(xs, ys, np.zeros_like(xx, dtype=bool)) == dict(xs=[], ys=[])
    # three scores x, y, -x - y: boundaries are three rays from the origin
    S = np.column_stack([xx.ravel(), yy.ravel(), -xx.ravel() - yy.ravel()])
    lines = argmax_boundaries(xs, ys, S)
    pts = np.column_stack([np.concatenate(lines["xs"]), np.concatenate(lines["ys"])])
    s = np.column_stack([pts[:, 0], pts[:, 1], -pts.sum(axis=1)])
    assert top_gap(s).max() < 0.1 and len(lines["xs"]) == 3


def test_line_layout_defeats_one_vs_rest(demo):
    """The notes' caveat: a middle class cannot be cut from the rest by one line."""
    demo.param.update(layout="line", n_classes=5, base="svm", C=1.0)
    np.testing.assert_allclose(class_centers(5, "line")[:, 1], 0.0)
    acc = {m: demo.stats[f"acc_{m}"][1] for m in METHODS}
    assert acc["ovr"] < acc["softmax"] - 0.1 and acc["ovr"] < acc["ovo"] - 0.1


# ------------------------------------------------------------------ interactions and cache
def test_method_and_C_change_the_region_source(demo):
    def image():
        return np.array(demo.canvas.regions.data["image"][0])

    ovr = image()
    demo.method = "softmax"
    assert not np.array_equal(ovr, image()) and demo.canvas.fig.title.text.startswith("softmax")
    assert demo.small_figs["softmax"].outline_line_width == 3
    assert demo.small_figs["ovr"].outline_line_width == 1
    before, result = image(), demo.result.results["softmax"]
    demo.C = 100.0
    assert demo.result.results["softmax"] is not result and demo.result.results["softmax"].model.C == 100.0
    assert not np.array_equal(before, image())
    assert demo.stats["C_sklearn"][1] == pytest.approx(0.01)
    demo.C = 1.0                                           # back: the cached fit, same picture
    assert demo.result.results["softmax"] is result
    np.testing.assert_array_equal(before, image())


def test_base_change_refits_only_ovr_and_ovo(demo):
    old = dict(demo.result.results)
    demo.base = "logistic"
    assert demo.error == ""
    for m in ("softmax", "msvm"):
        assert demo.result.results[m] is old[m]
    for m in ("ovr", "ovo"):
        assert demo.result.results[m] is not old[m]
        assert type(demo.result.results[m].model.estimators_[0]).__name__ == "LogisticRegression"
    assert "logistic" in demo.small_figs["ovr"].title.text
    demo.spread = 1.2                                      # new data: everything refits
    assert all(demo.result.results[m] is not old[m] for m in METHODS)


def test_click_adds_a_point_of_the_chosen_class(demo):
    demo.canvas.picker.value = 2                           # the class picker
    demo.canvas.add_point(0.1, -0.2)                       # what a click on the plot does
    assert demo.error == "" and demo.stats["n_clicked"][1] == 1
    assert demo.result.y[-1] == 2 and np.allclose(demo.result.X[-1], [0.1, -0.2])
    assert demo.result.clicked.sum() == 1 and demo.result.clicked[-1]
    assert len(demo.canvas.points.data["x"]) == demo.n_samples + 1
    demo.seed = 4                                          # same K and layout: kept
    assert demo.stats["n_clicked"][1] == 1
    demo.n_classes = 4                                     # a new set of classes: cleared
    assert demo.stats["n_clicked"][1] == 0
    assert list(demo.canvas.picker.options.values()) == [0, 1, 2, 3]
    demo.canvas.add_point(1.0, 1.0, label=3)
    assert demo.result.y[-1] == 3
    demo.canvas.clear_clicked()
    assert demo.stats["n_clicked"][1] == 0 and demo.error == ""
    demo.canvas.picker.value = 3
    demo.n_classes = 3                                     # the picked class 3 is gone: back to 0
    assert demo.canvas.label == 0 and demo.canvas.picker.value == 0


def test_bad_input_is_refused_and_the_demo_keeps_working(demo):
    image = np.array(demo.canvas.regions.data["image"][0])
    with pytest.raises(ValueError, match="0..2"):
        demo.canvas.add_point(0.0, 0.0, label=4)           # K = 3: no class 4
    np.testing.assert_array_equal(image, demo.canvas.regions.data["image"][0])
    demo.canvas.add_point(float("nan"), 0.0)               # a click outside the data: ignored
    assert demo.result.n_clicked == 0 and demo.error == ""
    demo.canvas.add_point(0.0, 0.0, label=1)
    assert demo.error == "" and demo.stats["n_clicked"][1] == 1
    with pytest.raises(ValueError):
        demo.method = "knn"                                # not a method: param refuses it
    assert demo.method == "ovr" and demo.error == ""


def test_five_classes_run_as_a_job_that_finishes_natively():
    from ece544lab.shell.jobs import Progress

    demo = MulticlassDemo(n_classes=5)
    assert demo.jobs.state == "done" and demo.result.K == 5
    demo.C = 5.0
    assert demo.jobs.state == "done" and demo.result.C == 5.0
    demo.fits = MulticlassModel()                          # nothing cached: four chunks
    job = demo.compute()
    chunks = list(iter(lambda: next(job, None), None))
    assert len(chunks) == 4 and all(isinstance(c, Progress) for c in chunks)
    assert [c.fraction for c in chunks] == [0.0, 0.25, 0.5, 0.75]
    small = MulticlassDemo(n_classes=3, n_samples=150)     # quick: computed at once
    assert type(small.compute()).__name__ == "MulticlassResult"


def test_url_parameters_reproduce_the_view():
    demo = MulticlassDemo(method="msvm", base="logistic", C=3.0, n_classes=4, layout="random",
                          n_samples=80, spread=0.5, seed=9)
    assert demo.error == "" and len(demo.result.y) == 80 and demo.canvas.fig.title.text.startswith(
        "multiclass SVM")
    twin = MulticlassDemo(**{k: getattr(demo, k) for k in MulticlassDemo.url_params})
    np.testing.assert_array_equal(twin.canvas.regions.data["image"][0],
                                  demo.canvas.regions.data["image"][0])
