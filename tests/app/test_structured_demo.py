"""StructuredDemo through its parameters: the denoised sequence, exhaustive search vs DP, the
work counts, the guard, marginals, and the 2-D image (row-by-row DP and ICM)."""
from __future__ import annotations

import numpy as np
import pytest

from ece544core import structured
from ece544lab.demos.structured import ROWS, SEARCH_T_MAX, StructuredDemo, make_image


@pytest.fixture
def demo():
    return StructuredDemo()


def row(demo: StructuredDemo, key: str) -> np.ndarray:
    """The labels drawn in the sequence plot's row ``key`` (left to right)."""
    data = demo.sequence_view.seq_source.data
    mask = np.asarray(data["row"]) == key
    order = np.argsort(np.asarray(data["x"])[mask])
    return np.asarray(data["label"])[mask][order]


def reference(demo: StructuredDemo):
    """The sequence model of the demo's parameters, built directly from the core."""
    clean, noisy = structured.make_noisy_sequence(demo.T, demo.n_labels, demo.flip_prob,
                                                  demo.segment_length, random_state=demo.seed)
    unary = structured.denoise_unary(noisy, demo.n_labels, demo.flip_prob)
    pairwise = structured.potts_pairwise(demo.n_labels, demo.smoothness)
    return clean, noisy, unary, pairwise


def test_registered_in_the_app_and_url_parameters_apply():
    from ece544lab.shell.app import DEMOS, App

    assert DEMOS["structured"] is StructuredDemo
    demo = App(search="?demo=structured&smoothness=4.5&search_T=5&n_labels=2").instance(
        "structured")
    assert (demo.smoothness, demo.search_T, demo.n_labels) == (4.5, 5, 2) and demo.error == ""


def test_default_view_is_drawn(demo):
    assert demo.error == ""
    T, K = demo.T, demo.n_labels
    sources = {demo.sequence_view.seq_source, demo.sequence_view.marg_source,
               demo.search_view.counts_source, *demo.image_view.sources.values()}
    assert {s.name for s in sources} >= {"struct-sequences", "struct-marginals", "struct-counts",
                                         "struct-image-noisy", "struct-image-rows",
                                         "struct-image-icm"}
    assert len(demo.sequence_view.seq_source.data["x"]) == len(ROWS) * T
    assert len(demo.sequence_view.marg_source.data["x"]) == T * K
    for key in ("errors_noisy", "errors_argmax", "errors_dp", "exhaustive_evals", "dp_evals",
                "agree", "image_errors_icm", "icm_objective"):
        assert key in demo.stats, key
    assert "data-stat='errors_dp'" in demo._numbers.object
    # the default data show the point: the chain model removes most of the noise
    assert demo.stats["errors_dp"][1] < demo.stats["errors_noisy"][1] / 2


# ------------------------------------------------------------ the sequence
def test_smoothness_changes_the_dp_row(demo):
    before = row(demo, "dp").copy()
    demo.smoothness = 0.0                     # no pairwise term: DP = per-position argmax
    assert demo.error == ""
    np.testing.assert_array_equal(row(demo, "dp"), row(demo, "argmax"))
    assert not np.array_equal(row(demo, "dp"), before)
    demo.smoothness = 10.0                    # over-smoothing: fewer label changes
    assert np.count_nonzero(np.diff(row(demo, "dp"))) < np.count_nonzero(np.diff(before))


def test_rows_and_error_counts_equal_direct_computations(demo):
    for params in (dict(), dict(smoothness=0.7, n_labels=4, seed=11),
                   dict(T=150, flip_prob=0.4, segment_length=20, smoothness=6.0)):
        demo.param.update(**params)
        assert demo.error == ""
        clean, noisy, unary, pairwise = reference(demo)
        dp = structured.chain_argmax_dp(unary, pairwise).labels
        argmax = np.argmax(unary, axis=1)
        for key, labels in (("clean", clean), ("noisy", noisy), ("argmax", argmax), ("dp", dp)):
            np.testing.assert_array_equal(row(demo, key), labels)
        assert demo.stats["errors_noisy"][1] == np.sum(noisy != clean)
        assert demo.stats["errors_argmax"][1] == np.sum(argmax != clean)
        assert demo.stats["errors_dp"][1] == np.sum(dp != clean)
        wrong = np.asarray(demo.sequence_view.seq_source.data["wrong"])
        assert wrong.sum() == sum(np.sum(lab != clean) for lab in (noisy, argmax, dp))


def test_neighbouring_pixels_help_then_over_smooth(demo):
    errors = {}
    for lam in (0.0, 2.0, 10.0):
        demo.smoothness = lam
        errors[lam] = demo.stats["errors_dp"][1]
    assert errors[2.0] < errors[0.0] == demo.stats["errors_noisy"][1]
    assert errors[10.0] > errors[2.0]


def test_marginals_heat_map_is_sum_product(demo):
    demo.param.update(n_labels=4, smoothness=1.3)
    _clean, _noisy, unary, pairwise = reference(demo)
    marg, log_z = structured.chain_marginals(unary, pairwise)
    data = demo.sequence_view.marg_source.data
    T, K = demo.T, 4
    p = np.zeros((T, K))
    p[(np.asarray(data["x"]) - 0.5).astype(int), np.asarray(data["y"]).astype(int)] = data["p"]
    np.testing.assert_allclose(p, marg, rtol=1e-12)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert demo.stats["log_partition"][1] == pytest.approx(log_z)


# ------------------------------------------------------------ exhaustive search vs DP
@pytest.mark.parametrize("search_T,K,smoothness", [(1, 2, 1.0), (6, 3, 0.0), (8, 3, 2.0),
                                                   (10, 2, 5.0), (7, 5, 1.2)])
def test_exhaustive_and_dp_agree_for_small_T(demo, search_T, K, smoothness):
    demo.param.update(search_T=search_T, n_labels=K, smoothness=smoothness)
    assert demo.error == ""
    s = demo.compute().search
    assert s is demo.result.search                          # what is drawn is what compute gives
    ex, dp = s.exhaustive, s.dp
    assert ex is not None and s.message == ""
    np.testing.assert_array_equal(ex.labels, dp.labels)
    assert ex.score == pytest.approx(dp.score, rel=1e-12)
    assert demo.stats["agree"][1] is True
    assert demo.stats["exhaustive_evals"][1] == ex.n_evaluations == K ** search_T
    assert demo.stats["dp_evals"][1] == dp.n_evaluations
    # the demo searched the first search_T positions of the sequence
    _clean, _noisy, unary, pairwise = reference(demo)
    direct = structured.chain_argmax_dp(unary[:search_T], pairwise)
    np.testing.assert_array_equal(dp.labels, direct.labels)
    assert "Same labelling and same score" in demo.search_view.html.object


def test_counts_plot_holds_K_to_the_T_and_T_K_squared(demo):
    for K in (2, 3, 5):
        demo.n_labels = K
        data = demo.search_view.counts_source.data
        Ts = np.asarray(data["T"])
        np.testing.assert_array_equal(Ts, np.arange(1, SEARCH_T_MAX + 1))
        np.testing.assert_allclose(data["exhaustive"], [float(K) ** t for t in Ts])
        np.testing.assert_array_equal(data["dp"], Ts * K * K)
        cur = demo.search_view.current_source.data
        T = demo.search_T
        assert list(cur["T"]) == [T, T]
        assert list(cur["value"]) == [float(K) ** T, float(T * K * K)]
    demo.search_T = 12
    assert list(demo.search_view.current_source.data["T"]) == [12, 12]


def test_over_the_guard_shows_the_message_and_no_error(demo):
    demo.param.update(n_labels=3, search_T=14)             # 3**14 = 4,782,969 > 2,000,000
    assert 3 ** 14 > structured.MAX_CONFIGURATIONS
    assert demo.error == ""
    s = demo.result.search
    assert s.exhaustive is None and s.agree is None
    assert "too many configurations" in s.message and "4,782,969" in s.message
    assert "too many configurations (K^T = " in demo.search_view.html.object
    assert demo.stats["exhaustive_evals"][1] == "not run"
    assert s.dp.n_evaluations == 13 * 9 + 3                 # DP still runs
    demo.search_T = 13                                      # 1,594,323: under the guard
    assert demo.result.search.exhaustive is not None and demo.result.search.agree


def test_bad_input_shows_an_error_and_keeps_the_plots(demo):
    demo.search_T = 10
    good = dict(demo.sequence_view.seq_source.data)
    drawn = demo.result
    demo.T = 6                                              # shorter than the search length
    assert "search length" in demo.error and "T = 6" in demo.error
    with pytest.raises(ValueError, match="search length"):
        demo.compute()
    assert demo.stale and demo.result is drawn              # the last valid result, marked stale
    np.testing.assert_array_equal(demo.sequence_view.seq_source.data["label"], good["label"])
    demo.search_T = 5
    assert demo.error == "" and not demo.stale
    assert len(demo.sequence_view.seq_source.data["x"]) == len(ROWS) * 6


def test_compute_is_memoised_per_part(demo):
    first = demo.compute()
    assert demo.compute().sequence is first.sequence        # same parameters: no recompute
    demo.search_T = 5                                       # only the search part changes
    again = demo.compute()
    assert again.sequence is first.sequence and again.image is first.image
    assert again.search is not first.search and again.search.T == 5
    demo.image_size = 20                                    # only the image part changes
    assert demo.compute().sequence is first.sequence
    assert demo.compute().image.images["clean"].shape == (20, 20)


# ------------------------------------------------------------ the 2-D image
def test_image_rows_and_icm_match_the_core(demo):
    demo.param.update(image_size=24, smoothness=1.5, n_labels=3)
    im = demo.compute().image
    noisy = im.images["noisy"]
    assert noisy.shape == (24, 24)
    rows = structured.denoise_image_rows(noisy, 3, demo.flip_prob, 1.5)
    np.testing.assert_array_equal(im.images["rows"], rows)
    icm = structured.denoise_image_icm(noisy, 3, demo.flip_prob, 1.5, max_iter=20)
    np.testing.assert_array_equal(im.images["icm"], icm.labels)
    shown = np.asarray(demo.image_view.sources["icm"].data["image"][0])
    np.testing.assert_array_equal(shown, icm.labels[::-1])          # drawn upright
    clean = make_image(24, demo.image_shape, 3)
    np.testing.assert_array_equal(noisy, structured.flip_labels(clean, 3, demo.flip_prob,
                                                                random_state=demo.seed + 1))
    for key in ("noisy", "rows", "icm"):
        assert demo.stats[f"image_errors_{key}"][1] == np.sum(im.images[key] != clean)
    assert "approximate (ICM, local optimum)" in demo.image_view.captions["icm"].object


@pytest.mark.parametrize("smoothness", [0.0, 0.8, 2.0, 6.0])
def test_icm_objective_never_decreases(demo, smoothness):
    demo.smoothness = smoothness
    obj = np.asarray(demo.image_view.icm_objective_source.data["objective"])
    assert len(obj) == demo.stats["icm_sweeps"][1] + 1
    assert np.all(np.diff(obj) >= 0)
    assert demo.stats["icm_objective"][1] == obj[-1]


def test_image_shapes_and_sizes_draw(demo):
    for shape in ("disk", "letter", "shapes"):
        for size in (8, 64):
            demo.param.update(image_shape=shape, image_size=size)
            assert demo.error == ""
            img = np.asarray(demo.image_view.sources["noisy"].data["image"][0])
            assert img.shape == (size, size)
            assert demo.image_view.sources["clean"].data["dw"] == [float(size)]
