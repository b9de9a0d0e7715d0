"""The app shell: navigation of all demos, per-demo URL, parameters in the query, embed mode.

URL scheme (a link reproduces the view):
    ?demo=knn&n_neighbors=7&metric=manhattan     one demo and its parameters
    #knn                                          also selects a demo
    ?embed=1&demo=regression                      only that demo, no navigation (for iframes)
"""
from __future__ import annotations

import html
import json
from urllib.parse import parse_qsl, urlencode

import panel as pn
import param

from ..views.common import Demo
from ..demos.duality import DualityDemo
from ..demos.gmm import GMMDemo
from ..demos.kernels import KernelsDemo
from ..demos.kmeans import KMeansDemo
from ..demos.knn import KNNDemo
from ..demos.logistic import LogisticDemo
from ..demos.multiclass import MulticlassDemo
from ..demos.optim import OptimDemo
from ..demos.regression import RegressionDemo
from ..demos.structured import StructuredDemo
from ..demos.svm import SVMDemo
from ..demos.temperature import TemperatureDemo

ERROR_CSS = """
.error-message { background: #fdecea; color: #7f1d1d; border: 1px solid #f5c2c0;
                 border-left: 5px solid #b00020; border-radius: 4px; padding: 8px 12px;
                 font-weight: 500; }
"""

DEMOS: dict[str, type[Demo]] = {cls.slug: cls for cls in (KNNDemo, RegressionDemo, LogisticDemo,
                                                           OptimDemo, KMeansDemo, GMMDemo,
                                                           StructuredDemo, DualityDemo, SVMDemo,
                                                           KernelsDemo, MulticlassDemo,
                                                           TemperatureDemo)}


def parse_query(search: str) -> dict[str, str]:
    """'?a=1&b=x' -> {'a': '1', 'b': 'x'} (last value wins)."""
    return dict(parse_qsl(search.lstrip("?"), keep_blank_values=False))


def _coerce(parameter: param.Parameter, text: str):
    """Turn a query-string value into the parameter's type; raise ValueError if it cannot."""
    if isinstance(parameter, param.Boolean):
        return text.lower() in ("1", "true", "yes", "on")
    if isinstance(parameter, param.Integer):
        return int(text)
    if isinstance(parameter, param.Number):
        return float(text)
    return text


def _query_value(obj: param.Parameterized, name: str) -> str:
    """The URL text of parameter ``name``, as Panel's Location writes it."""
    value = obj.param[name].serialize(getattr(obj, name))
    return value if isinstance(value, str) else json.dumps(value)


class App(pn.viewable.Viewer):
    """Shell around the demos; see the module docstring for the URL scheme."""

    demo = param.Selector(objects=list(DEMOS), default=next(iter(DEMOS)), doc="Shown demo.")
    embed = param.Boolean(default=False, doc="Show one demo without navigation.")

    def __init__(self, search: str = "", hash: str = "", **params):
        query = parse_query(search)
        slug = query.get("demo") or hash.lstrip("#")
        if slug in DEMOS:
            params.setdefault("demo", slug)
        params.setdefault("embed", query.get("embed", "") in ("1", "true"))
        super().__init__(**params)
        #: A problem of the URL itself (an unknown demo), shown until the user moves on.
        self._shell_error = "" if not slug or slug in DEMOS else (
            f"There is no demo {slug!r}; showing {DEMOS[self.demo].title}. The demos are: "
            + ", ".join(DEMOS) + ".")
        self._instances: dict[str, Demo] = {}
        self._query = {k: v for k, v in query.items() if k not in ("demo", "embed")}
        self._query_demo = self.demo
        self._error = pn.pane.HTML("", sizing_mode="stretch_width", visible=False,
                                   css_classes=["error-area"], stylesheets=[ERROR_CSS])
        # Every demo shown so far stays in the page and is hidden when another is shown: its
        # state survives, switching back is instant, and no Bokeh model is ever re-attached.
        self._holder = pn.Column(sizing_mode="stretch_width")
        self._views: dict[str, pn.viewable.Viewable] = {}
        self._nav = pn.widgets.RadioButtonGroup(
            options={cls.title: slug for slug, cls in DEMOS.items()}, value=self.demo,
            orientation="vertical", button_type="light", button_style="outline",
            css_classes=["demo-nav"], width=200,
        )
        self._nav.link(self, value="demo", bidirectional=True)
        self._synced: Demo | None = None
        self._show()
        if pn.state.location is not None:
            pn.state.location.sync(self, {"demo": "demo"})
            pn.state.location.param.watch(self._on_hash, "hash")

    # ------------------------------------------------------------------ demos
    def instance(self, slug: str) -> Demo:
        """The demo object for ``slug``, created on first use with the URL's parameters."""
        if slug not in self._instances:
            cls = DEMOS[slug]
            demo = cls()
            if slug == self._query_demo:       # the page URL's values are that demo's only
                self._apply_query(demo)
            demo.param.watch(self._on_error, "error")
            if demo.url_params:
                demo.param.watch(self._moved_on, list(demo.url_params))
            self._instances[slug] = demo
        return self._instances[slug]

    def _apply_query(self, demo: Demo) -> None:
        values, problems = {}, []
        for name in demo.url_params:
            if name not in self._query:
                continue
            try:
                values[name] = _coerce(demo.param[name], self._query[name])
            except ValueError:
                problems.append(f"{name}={self._query[name]!r}")
        try:
            demo.param.update(**values)  # one redraw
        except ValueError:
            # param.update sets the values before the bad one but skips the redraw: set them one
            # at a time, so that every valid value lands and is drawn
            for name, value in values.items():
                try:
                    setattr(demo, name, value)
                except ValueError as exc:
                    problems.append(str(exc))
        if problems:
            demo.fail("ignored URL parameters: " + ", ".join(problems))

    @param.depends("demo", watch=True)
    def _on_demo(self) -> None:
        self._shell_error = ""
        self._show()

    def _show(self) -> None:
        demo = self.instance(self.demo)
        if self.demo not in self._views:
            self._views[self.demo] = pn.Column(demo, sizing_mode="stretch_width")
            self._holder.append(self._views[self.demo])
        for slug, view in self._views.items():
            view.visible = slug == self.demo
        self._on_error()
        location = pn.state.location
        if location is not None:
            self._sync_url(location, demo)

    def _sync_url(self, location, demo: Demo) -> None:
        """Point the URL at the shown demo with only its own parameters (and embed), so a link
        or a Back never carries another demo's values, then sync them: the URL's values are
        applied to the demo, rejected ones replaced by the demo's current values."""
        current = location.query_params
        # the URL is this demo's state (start-up, Back/Forward): keep its values; the URL is
        # the previous demo's (a click in the navigation): keep none of them
        keep = {"embed", *demo.url_params} if current.get("demo") in (None, self.demo) \
            else {"embed"}
        query = {"demo": self.demo, **{k: v for k, v in current.items() if k in keep}}
        search = "?" + urlencode({k: v if isinstance(v, str) else json.dumps(v)
                                  for k, v in query.items()})
        # the new search first: unsync() rewrites the URL and would re-apply a stale ?demo=
        if location.search != search:
            location.search = search
        if self._synced is not None:
            location.unsync(self._synced)
            self._synced = None
        if demo.url_params:
            location.sync(demo, {name: name for name in demo.url_params},
                          on_error=lambda values: self._url_rejected(location, demo, values))
        self._synced = demo

    @staticmethod
    def _url_rejected(location, demo: Demo, values: dict) -> None:
        """URL values the demo refused (typed into the address bar, or from an old link): say
        so, and put the values actually shown back into the URL."""
        problems = []
        for name, value in values.items():
            try:
                setattr(demo, name, value)
            except (ValueError, TypeError):
                problems.append(f"{name}={value!r}")
        if problems:
            demo.fail("ignored URL parameters: " + ", ".join(problems))
        location.update_query(**{name: _query_value(demo, name) for name in values})

    def _on_hash(self, event) -> None:
        """A ``#slug`` typed into the address bar (or a link to one) shows that demo."""
        slug = (event.new or "").lstrip("#")
        if slug in DEMOS and slug != self.demo:
            self.demo = slug

    def _moved_on(self, *_events) -> None:
        """The user changed something: a message about the URL itself is no longer current."""
        if self._shell_error:
            self._shell_error = ""
            self._on_error()

    def _on_error(self, *_events) -> None:
        message = self._shell_error or self.instance(self.demo).error
        self._error.object = (
            f"<div class='error-message' role='alert'>{html.escape(message)}</div>" if message else ""
        )
        self._error.visible = bool(message)

    def __panel__(self):
        body = pn.Column(self._error, self._holder, sizing_mode="stretch_width")
        if self.embed:
            return pn.Column(body, sizing_mode="stretch_width", css_classes=["embed"])
        header = pn.pane.HTML(
            "<header class='app-header'><h1>ECE 544 Lab</h1>"
            "<span>Pattern Recognition, live in your browser</span></header>",
            sizing_mode="stretch_width",
        )
        return pn.Column(header, pn.Row(self._nav, body, sizing_mode="stretch_width"),
                         sizing_mode="stretch_width")


def create_app(search: str = "", hash: str = "") -> pn.viewable.Viewable:
    """Build the shell for the page URL's ``search`` and ``hash`` parts."""
    return App(search=search, hash=hash).__panel__()
