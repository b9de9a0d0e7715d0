"""StepThrough: Reset / Back / Step / Play over the frames of a recorded run.

The demo computes a whole run once (Lloyd half-steps, EM steps, an optimiser's iterates, SMO
pairs) and records it; StepThrough only moves an index over its ``n_frames`` frames and calls
``on_frame(index)``, which redraws that frame (no recomputation). Play advances one frame every
``tick_ms`` from a periodic callback until the last frame; Play at the end starts again from the
first.
"""
from __future__ import annotations

import html
from typing import Callable

import panel as pn
import param

from .layout import CONTROL_WIDTH

__all__ = ["StepThrough"]


class StepThrough(pn.viewable.Viewer):
    """Buttons and a frame counter over ``n_frames`` frames (module docstring)."""

    index = param.Integer(default=0, bounds=(0, None), doc="The frame shown.")
    n_frames = param.Integer(default=1, bounds=(1, None), doc="Number of recorded frames.")

    def __init__(self, on_frame: Callable[[int], None],
                 describe: Callable[[int], str] | None = None, tick_ms: int = 100,
                 name: str = "steps", **params):
        super().__init__(**params)
        self._on_frame = on_frame
        self._describe = describe
        self.tick_ms = tick_ms
        self._callback = None
        size = dict(sizing_mode="stretch_width", margin=(5, 2), min_width=50)
        self.reset_button = pn.widgets.Button(name="↺ Reset", **size)
        self.back_button = pn.widgets.Button(name="◀ Back", **size)
        self.step_button = pn.widgets.Button(name="Step ▶", **size)
        self.play_button = pn.widgets.Button(name="▶ Play", button_type="primary", **size)
        self.reset_button.on_click(lambda _e: self.reset())
        self.back_button.on_click(lambda _e: self.back())
        self.step_button.on_click(lambda _e: self.step())
        self.play_button.on_click(lambda _e: self.toggle_play())
        self._label = pn.pane.HTML("", margin=(4, 10), sizing_mode="stretch_width")
        self._panel = pn.Column(
            pn.Row(self.reset_button, self.back_button, self.step_button, self.play_button,
                   width=CONTROL_WIDTH, margin=(0, 8)),
            self._label, css_classes=["step-through", name], sizing_mode="stretch_width")
        self._render()

    # ------------------------------------------------------------------ frames
    @property
    def at_end(self) -> bool:
        return self.index >= self.n_frames - 1

    def set_frames(self, n_frames: int, index: int = 0) -> None:
        """A new recorded run of ``n_frames`` frames; show frame ``index`` (clamped)."""
        self.pause()
        n = max(1, int(n_frames))
        self.param.update(n_frames=n, index=min(max(int(index), 0), n - 1))
        self._render()

    def go(self, index: int) -> None:
        """Show frame ``index`` (clamped to the recorded frames)."""
        index = min(max(int(index), 0), self.n_frames - 1)
        self.index = index
        self._render()
        self._on_frame(index)

    def step(self) -> None:
        self.go(self.index + 1)

    def back(self) -> None:
        self.go(self.index - 1)

    def reset(self) -> None:
        self.pause()
        self.go(0)

    # ------------------------------------------------------------------ play
    @property
    def playing(self) -> bool:
        return self._callback is not None

    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def play(self) -> None:
        if self.playing or self.n_frames <= 1:
            return
        if self.at_end:
            self.go(0)
        self._callback = pn.state.add_periodic_callback(self._tick, period=self.tick_ms)
        self.play_button.name = "❚❚ Pause"

    def pause(self) -> None:
        if self._callback is not None:
            self._callback.stop()
            self._callback = None
        self.play_button.name = "▶ Play"

    def _tick(self) -> None:
        if self.at_end:
            self.pause()
            return
        self.step()
        if self.at_end:
            self.pause()

    # ------------------------------------------------------------------ view
    def _render(self) -> None:
        text = f"frame {self.index} of {self.n_frames - 1}"
        if self._describe is not None:
            text += f": {self._describe(self.index)}"
        self._label.object = (f"<span data-frame='{self.index}' data-frames='{self.n_frames}'>"
                              f"{html.escape(text)}</span>")
        self.back_button.disabled = self.index == 0
        self.step_button.disabled = self.at_end

    def __panel__(self):
        return self._panel
