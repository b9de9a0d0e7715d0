"""Long jobs: a computation that can take over ~100 ms runs in chunks, never freezing the page.

A job is a generator: it does a chunk of work, ``yield``s a :class:`Progress` (fraction done, a
message, optionally a partial result worth drawing), and at the end ``return``s its result.
:class:`JobRunner` drives it from an asyncio task, running chunks for at most ``budget_ms``
per tick and then handing control back to the browser's event loop, so widgets are answered
between chunks. The user can Stop (the current chunk finishes, the partial result stays drawn)
and Resume; a new job (say, after a slider moved) replaces the running one.

Natively (tests, the benchmark) there is no browser event loop to return to: the runner then
drains the generator at once (``synchronous``), so ``tests/app`` sees the final result.
"""
from __future__ import annotations

import asyncio
import html
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Generator

import panel as pn
import param

__all__ = ["Progress", "JobRunner", "IN_BROWSER"]

#: True inside Pyodide (the app in the browser); False natively.
IN_BROWSER = sys.platform == "emscripten"

JOB_CSS = """
.job-status { font-size: 0.9em; color: #333; }
.job-status b { color: #0b5394; }
"""


@dataclass(frozen=True)
class Progress:
    """What a job reports after a chunk: ``fraction`` in [0, 1], a short ``message`` and, when
    it has one, a ``partial`` result that the demo can draw (kept if the user stops)."""

    fraction: float
    message: str = ""
    partial: Any = None


Job = Generator[Progress, None, Any]


def _current_task():
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running event loop
        return None


class JobRunner(pn.viewable.Viewer):
    """Runs one job at a time with a progress bar, Stop and Resume (see the module docstring).

    ``on_partial(partial)`` is called for every Progress that carries one, ``on_done(result)``
    with the generator's return value, ``on_error(exc)`` for a ValueError raised inside it.
    """

    state = param.Selector(default="idle", objects=["idle", "running", "stopped", "done"],
                           doc="idle: no job yet; running; stopped by the user; done.")
    fraction = param.Number(default=0.0, bounds=(0.0, 1.0), doc="Fraction of the job done.")
    message = param.String(default="", doc="The job's last message.")

    budget_ms: float = 60.0     # work per tick before the browser gets control back
    period_ms: int = 15         # pause between ticks (the browser answers events then)
    synchronous: bool = not IN_BROWSER

    def __init__(self, **params):
        super().__init__(**params)
        self._job: Job | None = None
        self._handlers: tuple[Callable, Callable, Callable] | None = None
        self._task: asyncio.Task | None = None
        self._bar = pn.indicators.Progress(value=0, max=1000, bar_color="primary",
                                           sizing_mode="stretch_width", margin=(4, 10))
        self._text = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=[JOB_CSS],
                                  margin=(0, 10))
        self._stop = pn.widgets.Button(name="■ Stop", width=90, button_type="warning")
        self._resume = pn.widgets.Button(name="▶ Resume", width=100, button_type="primary")
        self._stop.on_click(lambda _e: self.stop())
        self._resume.on_click(lambda _e: self.resume())
        self._panel = pn.Column(self._text, pn.Row(self._bar, self._stop, self._resume),
                                sizing_mode="stretch_width", visible=False,
                                css_classes=["job-runner"])
        self._render()

    # ------------------------------------------------------------------ control
    def run(self, job: Job, on_done: Callable[[Any], None],
            on_partial: Callable[[Any], None] | None = None,
            on_error: Callable[[Exception], None] | None = None) -> None:
        """Start ``job`` (replacing any running or stopped one)."""
        self.cancel()
        self._job = job
        self._handlers = (on_done, on_partial or (lambda _p: None), on_error or self._reraise)
        self.param.update(state="running", fraction=0.0, message="")
        if self.synchronous:
            while self._job is not None:
                self._advance(budget_s=float("inf"))
            return
        self._advance(self.budget_ms / 1000.0)     # a quick job finishes without a bar
        if self._job is not None:
            self._schedule()
        self._render()

    def stop(self) -> None:
        """Pause after the current chunk; the job and its partial result are kept."""
        if self.state != "running":
            return
        self._unschedule()
        self.state = "stopped"
        self._render()

    def resume(self) -> None:
        """Continue a stopped job."""
        if self.state != "stopped" or self._job is None:
            return
        self.state = "running"
        if self.synchronous:
            while self._job is not None:
                self._advance(budget_s=float("inf"))
        else:
            self._schedule()
        self._render()

    def cancel(self) -> None:
        """Drop the current job without calling its handlers."""
        self._unschedule()
        if self._job is not None:
            self._job.close()
        self._job = None

    @property
    def running(self) -> bool:
        return self.state == "running"

    # ------------------------------------------------------------------ internals
    @staticmethod
    def _reraise(exc: Exception) -> None:
        raise exc

    def _schedule(self) -> None:
        """Run ticks from an asyncio task that sleeps ``period_ms`` between them: the sleep hands
        control to the browser (a periodic callback would not: Panel's runs late ticks back to
        back without yielding, so clicks on Stop would wait for the end)."""
        if self._task is None:
            self._task = asyncio.ensure_future(self._loop())

    def _unschedule(self) -> None:
        task, self._task = self._task, None
        if task is not None and task is not _current_task():
            task.cancel()

    async def _loop(self) -> None:
        while self._task is not None and self.state == "running":
            await asyncio.sleep(self.period_ms / 1000.0)
            if self._task is None:
                return
            self._tick()

    def _tick(self) -> None:
        if self.state != "running" or self._job is None:
            self._unschedule()
            return
        self._advance(self.budget_ms / 1000.0)
        self._render()

    def _advance(self, budget_s: float) -> None:
        """Run chunks (at least one) until the budget is spent or the job ends."""
        on_done, on_partial, on_error = self._handlers
        start = time.perf_counter()
        while self._job is not None:
            try:
                progress = next(self._job)
            except StopIteration as end:
                self._finish()
                on_done(end.value)
                return
            except ValueError as exc:
                self._finish()
                on_error(exc)
                return
            self.fraction = min(max(float(progress.fraction), 0.0), 1.0)
            self.message = progress.message
            if progress.partial is not None:
                on_partial(progress.partial)
            if time.perf_counter() - start >= budget_s:
                return

    def _finish(self) -> None:
        self._unschedule()
        self._job = None
        self.param.update(state="done", fraction=1.0)
        self._render()

    def _render(self) -> None:
        self._bar.value = int(round(1000 * self.fraction))
        self._bar.active = False
        self._panel.visible = self.state in ("running", "stopped")
        self._stop.visible = self.state == "running"
        self._resume.visible = self.state == "stopped"
        label = {"running": "Working", "stopped": "Stopped (the plot shows the partial result)",
                 "done": "Done", "idle": ""}[self.state]
        self._text.object = (
            f"<div class='job-status' data-job-state='{self.state}' "
            f"data-job-fraction='{self.fraction:.3f}'><b>{label}</b> "
            f"{round(100 * self.fraction)}% {html.escape(self.message)}</div>")

    def __panel__(self):
        return self._panel
