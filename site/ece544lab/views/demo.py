"""The one shape of a demo: parameters -> compute() -> draw(result).

A demo subclasses :class:`Demo` and writes three things:

* its hyperparameters as ``param`` parameters with bounds and docs (they become the widgets and,
  listed in ``url_params``, the URL query);
* ``build()``: the widgets, figures and ColumnDataSources, built once; returns
  ``(controls, main, numbers)`` for the standard page (:mod:`ece544lab.views.layout`);
* ``compute()``: a pure function of the parameters (and of the demo's data, such as clicked
  points) that calls the core and returns a frozen result object, with no Bokeh in it, so that
  ``tests/app`` can check it without a browser. It may memoise expensive parts. Bad input raises
  ValueError. A computation that can take over ~100 ms is written as a generator instead: it
  ``yield``s :class:`~ece544lab.shell.jobs.Progress` after each chunk and ``return``s the result,
  and the base runs it as a long job (progress bar, Stop/Resume, widgets answered meanwhile);
* ``draw(result)``: writes the result into the sources and HTML panes, nothing else.

The base owns the one guarded update entry, :meth:`update`: it runs whenever a parameter in
``update_on`` (default: ``url_params``) changes, computes, draws and clears the message; on a
ValueError it shows the message, keeps the last drawn result and marks the plots stale (a note
above them says they show the last valid input) until the next success.
"""
from __future__ import annotations

import inspect
from typing import Any, ClassVar

import param

from ..shell.jobs import JobRunner, Progress
from . import layout
from .common import Demo as _PageDemo

__all__ = ["Demo", "Progress"]


class Demo(_PageDemo):
    """Base class of a demo in the parameters -> compute -> draw shape (module docstring)."""

    #: Parameters whose change re-runs update(); None means ``url_params``.
    update_on: ClassVar[tuple[str, ...] | None] = None

    stale = param.Boolean(default=False, doc="The plots show an older result than the controls.")

    def __init__(self, **params):
        super().__init__(**params)
        self.result: Any = None
        self.jobs = JobRunner()
        self._stale_note = layout.stale_note()
        controls, main, numbers = self.build()
        self._layout = self.page(controls, main, numbers, extra=[self.jobs, self._stale_note])
        names = self.update_on if self.update_on is not None else self.url_params
        if names:
            self.param.watch(lambda *_events: self.update(), list(names))
        self.update()

    # ------------------------------------------------------------------ the three parts
    def build(self) -> tuple[list, Any, Any]:
        """Widgets, figures and sources, built once: returns (controls, main, numbers)."""
        raise NotImplementedError

    def compute(self):
        """The result object for the current parameters (or a generator of Progress: a job)."""
        raise NotImplementedError

    def draw(self, result) -> None:
        """Write ``result`` into the sources and panes."""
        raise NotImplementedError

    # ------------------------------------------------------------------ the update entry
    def update(self) -> None:
        """compute() -> draw(); the one entry every change goes through."""
        try:
            out = self.compute()
        except ValueError as exc:
            self._failed(exc)
            return
        if inspect.isgenerator(out):
            self.jobs.run(out, on_done=self._finish, on_partial=self._partial,
                          on_error=self._failed)
        else:
            self.jobs.cancel()
            self._finish(out)

    def redraw(self) -> None:
        """Draw the current result again (a new step-through frame, a display option)."""
        if self.result is not None:
            self._finish(self.result)

    def _finish(self, result) -> None:
        if self._draw(result):
            self._set_stale(False)
            self.clear_error()

    def _partial(self, result) -> None:
        """A long job's partial result: drawn, kept when the user stops."""
        self._draw(result)

    def _draw(self, result) -> bool:
        try:
            self.draw(result)
        except ValueError as exc:
            self._failed(exc)
            return False
        self.result = result
        return True

    def _failed(self, exc: Exception) -> None:
        self.fail(str(exc))
        self._set_stale(self.result is not None)

    def _set_stale(self, stale: bool) -> None:
        self.stale = stale
        self._stale_note.visible = stale
