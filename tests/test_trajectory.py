"""run(): lengths and invariants of a trajectory, divergence, bad input, noise, clipping, JSON."""
import json
import math

import pytest

import pycore
from pycore.trajectory import ESCAPE_SPANS


def test_lengths_and_start():
    t = pycore.run("adam", "rosenbrock", start=(-1.5, 2.5), steps=40, lr=0.01)
    assert t.points[0] == (-1.5, 2.5) and t.start == (-1.5, 2.5)
    assert len(t.points) == 41 and len(t.losses) == 41
    assert len(t.grads) == len(t.updates) == len(t.states) == len(t.lrs) == 40
    assert t.status in ("max_steps", "converged")


def test_points_follow_updates_and_losses_follow_f():
    surf = pycore.SURFACES["rosenbrock"]
    t = pycore.run("momentum", surf, start=(-1.0, 0.5), steps=30, lr=1e-3)
    for i, (ux, uy) in enumerate(t.updates):
        x0, y0 = t.points[i]
        x1, y1 = t.points[i + 1]
        assert (x1 - x0, y1 - y0) == (ux, uy)
        assert t.grads[i] == surf.grad(x0, y0)
    assert t.losses == [surf.f(x, y) for x, y in t.points]


def test_zero_steps():
    t = pycore.run("sgd", "rosenbrock", start=(0.5, 0.5), steps=0)
    assert t.points == [(0.5, 0.5)] and t.grads == [] and t.status == "max_steps"


def test_hyperparams_include_defaults():
    t = pycore.run("adam", "rosenbrock", steps=1, lr=0.05)
    assert t.hyperparams == {"lr": 0.05, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0,
                             "amsgrad": False, "decoupled_weight_decay": False}


def test_default_start_is_the_surface_suggestion():
    surf = pycore.SURFACES["rosenbrock"]
    assert pycore.run("sgd", surf, steps=1).start == surf.starts[0]


def test_divergence_keeps_last_finite_point_and_never_nan():
    t = pycore.run("sgd", "rosenbrock", start=(-1.5, 2.5), steps=200, lr=0.5)
    assert t.status == "diverged" and t.reason and "step" in t.reason
    assert len(t.points) < 201 and len(t.points) == len(t.losses) == len(t.grads) + 1
    assert all(math.isfinite(v) for p in t.points for v in p)
    assert all(math.isfinite(v) for v in t.losses)
    json.dumps(t.to_dict(), allow_nan=False)


def test_escape_counts_as_divergence():
    # x^2 - y^2 is unbounded below: SGD slides off along y and must be stopped, not followed to inf.
    surf = pycore.Surface(name="saddle-test", f=lambda x, y: x * x - y * y, grad=lambda x, y: (2 * x, -2 * y),
                          bounds=((-1, 1), (-1, 1)))
    t = pycore.run("sgd", surf, start=(0.5, 0.1), steps=5000, lr=0.1)
    assert t.status == "diverged" and "view widths" in t.reason
    assert abs(t.points[-1][1]) <= 1 + ESCAPE_SPANS * 2


def test_converged_at_is_first_point_near_a_minimum():
    t = pycore.run("adam", "rosenbrock", start=(0.9, 0.9), steps=3000, lr=0.01, tol=1e-3)
    assert t.status == "converged"
    k = t.converged_at
    dist = [math.hypot(x - 1, y - 1) for x, y in t.points]
    assert dist[k] <= 1e-3 and all(d > 1e-3 for d in dist[:k])
    assert t.reached == 0


@pytest.mark.parametrize("kwargs, word", [
    (dict(steps=-1), "steps"), (dict(steps=2.5), "steps"), (dict(steps=True), "steps"),
    (dict(start=(0, float("nan"))), "start"), (dict(start="ab"), "start"), (dict(start=(1,)), "start"),
    (dict(noise=-1), "noise"), (dict(noise=float("inf")), "noise"), (dict(max_grad_norm=0), "max_grad_norm"),
    (dict(tol=0), "tol"), (dict(lr=-1), "lr"), (dict(bogus=1), "bogus"),
])
def test_bad_input_is_a_clear_value_error(kwargs, word):
    args = dict(start=(0.0, 0.0), steps=5)
    args.update(kwargs)
    with pytest.raises(ValueError, match=word):
        pycore.run("sgd", "rosenbrock", **args)


def test_unknown_names():
    with pytest.raises(ValueError, match="unknown optimizer"):
        pycore.run("adamx", "rosenbrock")
    with pytest.raises(ValueError, match="unknown surface"):
        pycore.run("adam", "rosenbrok")


def test_noise_is_reproducible_and_visible():
    a = pycore.run("sgd", "rosenbrock", start=(0, 0), steps=20, noise=0.5, seed=3)
    b = pycore.run("sgd", "rosenbrock", start=(0, 0), steps=20, noise=0.5, seed=3)
    c = pycore.run("sgd", "rosenbrock", start=(0, 0), steps=20, noise=0.5, seed=4)
    clean = pycore.run("sgd", "rosenbrock", start=(0, 0), steps=20)
    assert a.points == b.points and a.points != c.points and a.points != clean.points
    assert a.noise == 0.5 and a.seed == 3


def test_clipping_bounds_the_gradient_used():
    t = pycore.run("sgd", "rosenbrock", start=(-1.5, 2.5), steps=50, lr=0.01, max_grad_norm=1.0)
    assert all(math.hypot(*g) <= 1.0 for g in t.grads)
    assert t.max_grad_norm == 1.0 and t.to_dict()["max_grad_norm"] == 1.0
    raw = pycore.SURFACES["rosenbrock"].grad(-1.5, 2.5)
    assert math.hypot(*raw) > 1.0  # the clip really acted on the first step


def test_to_dict_is_json_ready():
    d = pycore.run("rmsprop", "rosenbrock", steps=10, centered=True, momentum=0.5).to_dict()
    text = json.dumps(d, allow_nan=False)
    back = json.loads(text)
    assert back["points"][0] == [d["start"][0], d["start"][1]]
    assert set(back["states"][0]) == {"step", "square_avg", "grad_avg", "momentum_buffer"}
    assert len(back["effective_lr"]) == 10

