"""pycore.browser.field: the page's update field is JSON-ready, bounded, checked in words, and its numbers are
pycore.field's."""
import json
import math
import pathlib

import pytest

import pycore
from pycore.browser import runs
from pycore.browser.field import MAX_DECADES, MAX_SIDE, field, scale
from pycore.compare import cell_centres
from pycore.field import next_step_field
from pycore.specs import resolve_surface, runner


def _json(data):
    return json.loads(json.dumps(data, allow_nan=False))


def _race(surface, key, steps=60, **options):
    """One run as the page's worker keeps it (plan_runs), from the surface's default start."""
    surf = resolve_surface(surface)
    trajs, errors = runs.run_all(surface, surf.starts[0], steps, {key: {}}, options)
    assert not errors
    return trajs[key]


def test_arrows_are_pycore_fields_with_the_gradient_step_at_the_same_lr():
    t = pycore.run("adam", "rosenbrock", start=(-1.5, 2.5), steps=60, lr=0.05)
    d = _json(field(t, "rosenbrock", 25, 9, 7))
    grid = cell_centres(pycore.SURFACES["rosenbrock"].bounds, 9, 7)
    f = next_step_field(t, 25, grid)
    assert (d["optimizer"], d["step"], d["next"], d["lr"], d["nx"], d["ny"]) == ("adam", 25, 26, 0.05, 9, 7)
    assert len(d["arrows"]) == 63
    for row, a in zip(d["arrows"], f.arrows):
        assert row == [a.x, a.y, -0.05 * a.gx, -0.05 * a.gy, a.ux, a.uy]
    # At the run's own point: the step the run took next.
    assert d["here"][:2] == list(t.points[25]) and d["here"][4:] == list(t.updates[25])
    rows = d["arrows"] + [d["here"]]
    steps, grads = [math.hypot(*r[4:]) for r in rows], [math.hypot(*r[2:4]) for r in rows]
    s = d["scale"]
    assert s["top"] == s["longest_update"] == max(steps) and s["longest_gradient_step"] == max(grads)
    span = math.log10(s["top"] / min(v for v in steps + grads if v <= s["top"]))
    assert s["decades"] == min(MAX_DECADES, math.ceil(span))
    assert s["marks"] == [s["top"] / 10 ** k for k in range(s["decades"] + 1)]
    assert s["floor"] == s["top"] / 10 ** s["decades"]
    assert d["left_out"] == [] and d["ignored"] == []


def test_the_optimizers_steps_set_the_top_of_the_scale():
    """Adam at lr 0.1 on Rosenbrock steps about 0.1 while a gradient step with that lr would be up to 349 long: the
    top is Adam's longest step (longer gradient steps are drawn capped), the decades those of the arrows below."""
    t = pycore.run("adam", "rosenbrock", start=(-1.5, 2.5), steps=60, lr=0.1)
    s = field(t, "rosenbrock", 40, 18, 18)["scale"]
    assert s["top"] == s["longest_update"] == pytest.approx(0.0906, rel=1e-3)
    assert s["longest_gradient_step"] == pytest.approx(348.9, rel=1e-3) and s["decades"] == 2
    # Lion's steps all have the size η√2: that is the top.
    t = pycore.run("lion", "quadratic", start=(2.0, 2.0), steps=10, lr=0.01)
    assert field(t, "quadratic", 10, 6, 6)["scale"]["top"] == pytest.approx(0.01 * math.sqrt(2))


def test_the_scale_in_the_corner_cases():
    assert scale([]) == {"top": 0.0, "longest_update": 0.0, "longest_gradient_step": 0.0, "decades": 1,
                         "floor": 0.0, "marks": []}
    # every step 0 (nothing to show but gradient steps): the gradient steps set the top
    assert scale([[0, 0, 3.0, 4.0, 0.0, 0.0], [1, 0, 0.04, 0.0, 0.0, 0.0]]) == {
        "top": 5.0, "longest_update": 0.0, "longest_gradient_step": 5.0, "decades": 3, "floor": 0.005,
        "marks": [5.0, 0.5, 0.05, 0.005]}
    # arrows spanning 7 powers of ten: the scale shows 4, the rest is drawn at the floor, marked
    assert scale([[0, 0, 1e-7, 0.0, 1.0, 0.0]])["decades"] == MAX_DECADES


def test_a_step_past_a_runs_end_shows_its_last_point():
    t = pycore.run("sgd", "rosenbrock", start=(-1.5, 2.5), steps=50, lr=0.5)
    last = len(t.points) - 1
    d = field(t, "rosenbrock", 50, 5, 5)
    assert (d["step"], d["requested"], d["next"]) == (last, 50, last + 1)
    assert d["here"][:2] == list(t.points[last])


@pytest.mark.parametrize("args, words", [
    ((0, 1, 5), "field grid columns must be a whole number from 2 to 25; got 1"),
    ((0, 26, 5), "field grid columns must be a whole number from 2 to 25; got 26"),
    ((0, 5, "many"), "field grid rows must be a whole number from 2 to 25; 'many' is not a number"),
    ((0, 5, 2.5), "field grid rows must be a whole number from 2 to 25; got 2.5"),
    ((0, True, 5), "field grid columns must be a whole number from 2 to 25; got true"),
    ((-1, 5, 5), "step must be a whole number from 0 to 20; got -1"),
    ((21, 5, 5), "step must be a whole number from 0 to 20; got 21"),
    ((None, 5, 5), "step must be a whole number from 0 to 20; got nothing"),
])
def test_bad_arguments_are_refused_in_words(args, words):
    t = pycore.run("adam", "rosenbrock", steps=20)
    with pytest.raises(ValueError) as e:
        field(t, "rosenbrock", *args)
    assert str(e.value) == words


def test_the_grid_is_bounded_and_the_page_knows_the_bound():
    t = pycore.run("adam", "rosenbrock", steps=5)
    assert len(field(t, "rosenbrock", 5, MAX_SIDE, MAX_SIDE)["arrows"]) == MAX_SIDE ** 2 == 625
    page = (pathlib.Path(__file__).resolve().parent.parent / "web" / "field.js").read_text()
    assert f"const MAX_SIDE = {MAX_SIDE};" in page


def test_noise_and_mini_batches_are_named_as_left_out_of_the_field():
    noisy = _race("rosenbrock", "adam", noise=0.5, seed=3)
    d = field(noisy, "rosenbrock", 10, 4, 4)
    assert d["ignored"] == ["gradient noise"]
    spec = {"dataset": "linreg", "batch_size": 8, "seed": 1}
    batches = runner(spec)("momentum", start=resolve_surface(spec).starts[0], steps=30, lr=0.01)
    d = _json(field(batches, spec, 30, 5, 5))
    assert d["ignored"] == ["mini-batches"] and len(d["arrows"]) == 25
    full = {"dataset": "linreg", "batch_size": len(pycore.datasets.DATASETS["linreg"].train), "seed": 1}
    whole = runner(full)("momentum", start=resolve_surface(full).starts[0], steps=30, lr=0.01)
    assert field(whole, full, 30, 5, 5)["ignored"] == []


def test_points_where_f_is_not_finite_are_left_out_and_said_so():
    spec = {"custom": "sqrt(x) + y**2", "bounds": [[-1, 1], [-1, 1]]}
    t = _race(spec, "adam", steps=10)
    d = _json(field(t, spec, 10, 4, 3))
    assert len(d["arrows"]) == 6 and all(r[0] > 0 for r in d["arrows"])
    assert d["left_out"] == ["6 of 12 points left out: f or its gradient is not a finite number there"]


def test_a_step_that_fails_is_left_out_and_said_so():
    """AdaGrad with eps = 0 at its first step divides 0 by 0 where a gradient coordinate is 0 (x = 0 on x² + y²
    with an odd grid): torch gives NaN there; the field leaves those points out."""
    spec = {"custom": "x**2 + y**2", "bounds": [[-1, 1], [-1, 1]]}
    t = runner(spec)("adagrad", start=(0.5, 0.5), steps=3, eps=0.0)
    d = _json(field(t, spec, 0, 3, 4))
    assert d["left_out"] == ["4 of 12 points left out: the step from there is not a finite number "
                             "(torch would give NaN or infinity)"]
    assert all(r[0] != 0 for r in d["arrows"]) and len(d["arrows"]) == 8


def test_a_schedule_without_a_next_lr_is_refused_in_words():
    sched = {"name": "one_cycle", "max_lr": 0.01, "total_steps": 10}
    t = pycore.run("adam", "rosenbrock", steps=10, schedule=sched)
    assert field(t, "rosenbrock", 9, 3, 3)["next"] == 10
    with pytest.raises(ValueError, match="there is no field after step 10: one_cycle: total_steps"):
        field(t, "rosenbrock", 10, 3, 3)
