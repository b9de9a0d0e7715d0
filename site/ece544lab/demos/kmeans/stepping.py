"""What the k-means and GMM pages share around their recorded runs: the step-through with its
"Run to convergence" button, the "Remove clicked points" button, and keeping the frame when a
new result is the same run (a candidate for views.steps; the GMM demo imports it from here).

A recorded result has ``key`` (the inputs of the run), ``n_frames``, ``frame(i)`` and
``describe(i)``.
"""
from __future__ import annotations

import panel as pn

from ...views.layout import CONTROL_WIDTH
from ...views.steps import StepThrough

__all__ = ["StepControls"]


class StepControls:
    """A StepThrough over ``demo.result``'s frames, its Run-to-convergence and Clear buttons."""

    def __init__(self, demo, name: str, tick_ms: int = 400):
        self.demo = demo
        self.steps = StepThrough(on_frame=lambda _i: demo.redraw(), describe=self._describe,
                                 tick_ms=tick_ms, name=name)
        self.run_button = pn.widgets.Button(name="Run to convergence", width=CONTROL_WIDTH - 20)
        self.run_button.on_click(lambda _e: self.steps.go(self.steps.n_frames - 1))
        self.clear_button = pn.widgets.Button(name="Remove clicked points",
                                              width=CONTROL_WIDTH - 20)
        self.clear_button.on_click(lambda _e: demo.canvas.clear_clicked())

    def _describe(self, index: int) -> str:
        result = self.demo.result
        return "" if result is None else result.describe(index)

    def follow(self, result) -> bool:
        """Before drawing ``result``: a new run starts at frame 0, the same run (a partial
        result, another display option) keeps the frame. Returns whether it is a new run."""
        previous = self.demo.result
        new_run = previous is None or previous.key != result.key
        if result is not previous:
            self.steps.set_frames(result.n_frames, 0 if new_run else self.steps.index)
        return new_run

    def frame(self):
        """The frame on display (None without a run)."""
        result = self.demo.result
        return None if result is None else result.frame(self.steps.index)
