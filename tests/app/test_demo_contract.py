"""What every demo promises the shell: metadata, URL parameters, layout, cheap interactions."""
from __future__ import annotations


import panel as pn
import param
import pytest

from ece544lab.shell.app import DEMOS as REGISTERED
from ece544lab.views.common import Demo

DEMOS = list(REGISTERED.values())   # every demo the shell offers


@pytest.mark.parametrize("cls", DEMOS)
def test_metadata(cls):
    assert issubclass(cls, Demo)
    assert cls.slug and cls.title and cls.what_to_try
    assert cls.formula.startswith("$$") and cls.formula.endswith("$$")
    assert cls.formula.count("{") == cls.formula.count("}")


@pytest.mark.parametrize("cls", DEMOS)
def test_every_url_param_is_a_bounded_documented_parameter(cls):
    assert cls.url_params
    for name in cls.url_params:
        assert name in cls.param, name
        p = cls.param[name]
        assert p.doc, name
        if isinstance(p, param.Number):
            assert p.bounds is not None and None not in p.bounds, name
        assert name != "error"


@pytest.mark.parametrize("cls", DEMOS)
def test_page_has_the_test_hook_and_is_built_once(cls):
    demo = cls()
    layout = demo.__panel__()
    assert layout is demo.__panel__()
    html = layout.objects[0].object
    assert f'data-demo="{cls.slug}"' in html
    # renders to a Bokeh model without errors
    model = pn.panel(demo).get_root()
    assert model is not None


def test_app_shell_applies_url_parameters():
    from ece544lab.shell.app import App

    app = App(search="?demo=knn&n_neighbors=7&metric=manhattan&dataset=xor")
    knn = app.instance("knn")
    assert (knn.n_neighbors, knn.metric, knn.dataset) == (7, "manhattan", "xor")
    assert knn.error == ""
    reg = App(search="?demo=regression&degree=9&ridge=1&log10_C=-2").instance("regression")
    assert (reg.degree, reg.ridge, reg.log10_C) == (9, True, -2.0) and reg.error == ""
    bad = App(search="?demo=knn&n_neighbors=99").instance("knn")
    assert "n_neighbors" in bad.error


def test_app_switches_demos_back_and_forth_keeping_their_state():
    from ece544lab.shell.app import App

    app = App()
    app.__panel__().get_root()
    app.instance("knn").n_neighbors = 9
    app.demo = "regression"
    app.demo = "knn"
    views = app._views
    assert set(views) == {"knn", "regression"}
    assert views["knn"].visible and not views["regression"].visible
    assert app.instance("knn").n_neighbors == 9              # state survives the round trip
    assert len(app._holder.objects) == 2                     # nothing was re-attached


def test_switching_back_with_a_url_location_keeps_the_chosen_demo():
    """With a Location (as in the browser), syncing a demo must not replay a stale ?demo=."""
    from bokeh.document import Document
    from panel.io.state import set_curdoc

    from ece544lab.shell.app import App

    with set_curdoc(Document()):
        app = App(search="?demo=knn")
        for slug in ("regression", "knn", "regression", "knn"):
            app.demo = slug
            assert app.demo == slug
            assert f"demo={slug}" in pn.state.location.search
        assert "n_neighbors=" in pn.state.location.search      # the shown demo's parameters
        assert "degree=" not in pn.state.location.search       # and not the hidden one's


def _with_location(search: str):
    from bokeh.document import Document
    from panel.io.state import set_curdoc

    from ece544lab.shell.app import App

    doc = Document()
    with set_curdoc(doc):
        app = App(search=search)
    return app, doc


def test_unknown_demo_slug_is_reported_and_clears_when_the_user_moves_on():
    from ece544lab.shell.app import App

    app = App(search="?demo=nonsense")
    assert app.demo == "knn"
    assert "nonsense" in app._error.object and app._error.visible
    app.instance("knn").n_neighbors = 7
    assert not app._error.visible


def test_url_carries_only_the_shown_demos_parameters():
    from panel.io.state import set_curdoc

    app, doc = _with_location("?demo=knn&n_neighbors=7&degree=9")
    with set_curdoc(doc):
        search = pn.state.location.search
        assert "n_neighbors=7" in search and "degree" not in search
        app.demo = "regression"
        search = pn.state.location.search
        assert "demo=regression" in search and "n_neighbors" not in search


def test_rejected_url_value_does_not_stay_in_the_url():
    from panel.io.state import set_curdoc

    app, doc = _with_location("?demo=knn&n_neighbors=99")
    with set_curdoc(doc):
        assert "n_neighbors" in app.instance("knn").error
        assert "n_neighbors=5" in pn.state.location.search      # the value actually shown


def test_back_and_forward_restore_demo_and_parameters():
    """Back/Forward make the page send the old URL to Python (index.html, popstate)."""
    from panel.io.state import set_curdoc

    app, doc = _with_location("?demo=knn&n_neighbors=7")
    with set_curdoc(doc):
        location = pn.state.location
        first = location.search
        app.demo = "regression"
        app.instance("regression").degree = 5
        second = location.search
        location.search = first                                 # Back
        assert app.demo == "knn" and app.instance("knn").n_neighbors == 7
        location.search = second                                # Forward
        assert app.demo == "regression" and app.instance("regression").degree == 5


def test_switching_demo_does_not_hand_shared_parameter_names_over():
    """regression and logistic both have n_samples: a switch must not carry one's value over."""
    from panel.io.state import set_curdoc

    app, doc = _with_location("?demo=regression&n_samples=20")
    with set_curdoc(doc):
        assert app.instance("regression").n_samples == 20
        app.demo = "logistic"
        logistic = app.instance("logistic")
        assert logistic.n_samples == logistic.param.n_samples.default


@pytest.mark.parametrize("cls", DEMOS)
def test_no_bokeh_validation_warnings(cls):
    """Bokeh's own checks (for example W-1005, 'fixed' sizing without width and height)."""
    from bokeh.core.validation import check_integrity
    from bokeh.document import Document

    root = pn.panel(cls()).get_root(Document())
    issues = check_integrity(list(root.references()))
    assert issues.warning == [] and issues.error == []
