"""The shared app pieces without a browser: the Demo shape, long jobs, StepThrough, the canvas."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import panel as pn
import param
import pytest

from ece544lab.shell.jobs import JobRunner, Progress
from ece544lab.views.canvas import ClassifierCanvas
from ece544lab.views.demo import Demo
from ece544lab.views.steps import StepThrough


@dataclass(frozen=True)
class Square:
    n: int
    value: int


class SquareDemo(Demo):
    """A minimal demo: n -> n^2, as a long job when n > 5; n = 13 is 'bad input'."""

    slug = "square"
    title = "Square"
    formula = "$$n^2$$"
    what_to_try = "Move n."
    url_params = ("n",)
    n = param.Integer(default=2, bounds=(0, 20), doc="The number.")

    def build(self):
        self.drawn = []
        self.numbers = pn.pane.HTML("")
        return [self.param_controls(["n"])], pn.Column(), self.numbers

    def compute(self):
        if self.n == 13:
            raise ValueError("n = 13 is unlucky")
        if self.n <= 5:
            return Square(self.n, self.n ** 2)
        return self._job(self.n)

    @staticmethod
    def _job(n):
        total = 0
        for i in range(n):
            total += n
            yield Progress((i + 1) / n, f"{i + 1} of {n}", partial=Square(n, total))
        return Square(n, total)

    def draw(self, result):
        self.drawn.append(result)
        self.numbers.object = str(result.value)


def test_demo_computes_draws_and_updates_on_its_parameters():
    demo = SquareDemo()
    assert demo.result == Square(2, 4) and demo.numbers.object == "4"
    demo.n = 4
    assert demo.result == Square(4, 16) and demo.error == "" and not demo.stale


def test_several_parameters_changed_at_once_update_once():
    class Two(SquareDemo):
        url_params = ("n", "m")
        m = param.Integer(default=0, bounds=(0, 5), doc="Another number.")

    demo = Two()
    before = len(demo.drawn)
    demo.param.update(n=3, m=1)
    assert demo.result == Square(3, 9) and len(demo.drawn) == before + 1


def test_long_job_runs_to_the_end_natively_with_partials_drawn():
    demo = SquareDemo(n=7)
    assert demo.result == Square(7, 49)
    assert [r.value for r in demo.drawn[:-1]] == [7 * k for k in range(1, 8)]   # partials
    assert demo.jobs.state == "done" and demo.jobs.fraction == 1.0


def test_error_keeps_the_last_result_marks_it_stale_and_clears_on_success():
    demo = SquareDemo(n=3)
    demo.n = 13
    assert "unlucky" in demo.error and demo.stale and demo._stale_note.visible
    assert demo.result == Square(3, 9)                       # the last valid result stays
    demo.n = 2
    assert demo.error == "" and not demo.stale and demo.result == Square(2, 4)


def test_job_runner_stop_keeps_partial_and_resume_finishes():
    runner = JobRunner()
    runner.synchronous = False
    runner.budget_ms = 0.0        # one chunk per tick
    runner._schedule = lambda: None   # no event loop here: drive the ticks by hand
    done, partials = [], []
    runner.run(SquareDemo._job(4), on_done=done.append, on_partial=partials.append)
    assert runner.state == "running" and [p.value for p in partials] == [4]   # one chunk
    runner._tick()
    assert [p.value for p in partials] == [4, 8] and runner.fraction == 0.5
    runner.stop()
    assert runner.state == "stopped"
    runner._tick()                                             # a stopped job does not advance
    assert len(partials) == 2
    runner.resume()
    for _ in range(5):
        runner._tick()
    assert done == [Square(4, 16)] and runner.state == "done"


def test_job_runner_new_job_replaces_the_old_one():
    runner = JobRunner()
    runner.synchronous = False
    runner.budget_ms = 0.0
    runner._schedule = lambda: None
    first = []
    runner.run(SquareDemo._job(3), on_done=first.append)
    runner._tick()
    second = []
    runner.run(SquareDemo._job(2), on_done=second.append)
    for _ in range(4):
        runner._tick()
    assert first == [] and second == [Square(2, 4)]


def test_job_error_reaches_the_handler():
    def bad():
        yield Progress(0.5)
        raise ValueError("broken")

    errors = []
    JobRunner().run(bad(), on_done=lambda r: None, on_error=errors.append)
    assert str(errors[0]) == "broken"


def test_step_through_moves_over_frames_and_clamps():
    seen = []
    steps = StepThrough(on_frame=seen.append, describe=lambda i: f"half-step {i}")
    steps.set_frames(3)
    steps.step(); steps.step(); steps.step()
    assert seen == [1, 2, 2] and steps.at_end and steps.step_button.disabled
    steps.back()
    assert steps.index == 1 and "half-step 1" in steps._label.object
    steps.reset()
    assert steps.index == 0 and steps.back_button.disabled
    steps.set_frames(2, index=5)
    assert steps.index == 1


def test_canvas_clicks_points_regions_and_lines():
    changes = []
    canvas = ClassifierCanvas("t", "test", ["a", "b"], on_change=lambda: changes.append(1),
                              point_columns=("alpha",), test_points=True)
    canvas.add_lines("boundary", color="black")
    controls = canvas.controls()
    assert len(controls) == 3
    canvas.picker.value = 1
    canvas.add_point(0.5, -0.5)
    canvas.add_point(float("nan"), 0.0)                      # ignored, not an error
    X, y, clicked = canvas.with_clicked(np.zeros((2, 2)), [0, 0])
    assert X.shape == (3, 2) and list(y) == [0, 0, 1] and list(clicked) == [False, False, True]
    assert changes == [1]
    canvas.show_points(X, y, clicked, alpha=[0.1, 0.2, 0.3])
    assert canvas.points.data["alpha"] == [0.1, 0.2, 0.3]
    with pytest.raises(ValueError, match="point columns"):
        canvas.show_points(X, y, beta=[1, 2, 3])
    box = canvas.box_for(X)
    canvas.set_box(box)
    canvas.show_regions(np.zeros((4, 4), np.uint32), box)
    canvas.show_lines("boundary", dict(xs=[[0, 1]], ys=[[0, 1]]))
    canvas.show_test(np.ones((2, 2)), [0, 1], [0, 0])
    assert list(canvas.test.data["correct"]) == [True, False]
    assert canvas.panel() is not None
    canvas.clear_clicked()
    assert len(canvas.clicked_y) == 0 and changes == [1, 1]
