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
    assert t.outcome in pycore.OUTCOMES


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
    assert t.points == [(0.5, 0.5)] and t.grads == [] and t.outcome == "budget" and t.settled_at is None


def test_hyperparams_include_defaults():
    t = pycore.run("adam", "rosenbrock", steps=1, lr=0.05)
    assert t.hyperparams == {"lr": 0.05, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0,
                             "amsgrad": False, "decoupled_weight_decay": False, "bias_correction": True}


def test_default_start_is_the_surface_suggestion():
    surf = pycore.SURFACES["rosenbrock"]
    assert pycore.run("sgd", surf, steps=1).start == surf.starts[0]


def test_divergence_keeps_last_finite_point_and_never_nan():
    t = pycore.run("sgd", "rosenbrock", start=(-1.5, 2.5), steps=200, lr=0.5)
    assert t.outcome == "diverged" and t.reason and "step" in t.reason
    assert len(t.points) < 201 and len(t.points) == len(t.losses) == len(t.grads) + 1
    assert all(math.isfinite(v) for p in t.points for v in p)
    assert all(math.isfinite(v) for v in t.losses)
    json.dumps(t.to_dict(), allow_nan=False)


def test_escape_counts_as_divergence():
    # x^2 - y^2 is unbounded below: SGD slides off along y and must be stopped, not followed to inf.
    surf = pycore.Surface(name="saddle-test", f=lambda x, y: x * x - y * y, grad=lambda x, y: (2 * x, -2 * y),
                          bounds=((-1, 1), (-1, 1)))
    t = pycore.run("sgd", surf, start=(0.5, 0.1), steps=5000, lr=0.1)
    assert t.outcome == "diverged" and "view widths" in t.reason
    assert abs(t.points[-1][1]) <= 1 + ESCAPE_SPANS * 2


def test_settled_at_is_where_the_path_stops_leaving_its_end():
    t = pycore.run("adam", "rosenbrock", start=(0.9, 0.9), steps=3000, lr=0.01, tol=1e-3)
    assert t.outcome == "global" and t.reached == 0
    k = t.settled_at
    end = t.points[-1]
    dist = [math.hypot(x - end[0], y - end[1]) for x, y in t.points]
    assert all(d <= 1e-3 for d in dist[k:]) and dist[k - 1] > 1e-3
    assert math.hypot(end[0] - 1, end[1] - 1) <= 1e-3


def test_an_overshoot_settles_later_than_its_first_pass():
    """Lion passes the quadratic's minimum long before it settles there: the settling step is not a first hit."""
    t = pycore.run("lion", "quadratic", start=(-2.8, 1.0), steps=1000, lr=0.01)
    first = next(i for i, (x, y) in enumerate(t.points) if math.hypot(x, y) <= t.tol)
    assert t.outcome == "global" and t.settled_at > first + 100


@pytest.mark.parametrize("optimizer, surface, start, kwargs, outcome", [
    ("adam", "himmelblau", (0.0, 0.0), dict(lr=0.1, steps=500), "global"),
    ("adam", "two_wells", (1.2, 1.2), dict(lr=0.01, steps=1000), "local"),
    ("sgd", "saddle", (-1.9, 0.0), dict(lr=0.1, steps=300), "stalled"),
    ("sgd", "saddle", (-1.9, 0.01), dict(lr=0.1, steps=300), "diverged"),
    ("sgd", "rosenbrock", (-1.5, 2.5), dict(lr=1e-3, steps=300), "budget"),
])
def test_each_outcome_is_named_for_what_it_is(optimizer, surface, start, kwargs, outcome):
    t = pycore.run(optimizer, surface, start=start, **kwargs)
    assert t.outcome == outcome, t.reason
    assert (t.settled_at is not None) == (outcome in ("global", "local", "stalled"))
    assert (t.reached is not None) == (outcome in ("global", "local"))
    if outcome == "stalled":
        assert "saddle" in t.reason


def test_a_saddle_is_never_a_minimum():
    """Stopping on the saddle of x² − y² (no minimum anywhere) is "stalled", whatever the optimizer."""
    for key in pycore.OPTIMIZERS:
        t = pycore.run(key, "saddle", start=(-1.9, 0.0), steps=2000, lr=0.05)
        assert t.outcome in ("stalled", "budget"), (key, t.outcome)


def test_a_crawl_near_a_minimum_is_not_a_stall():
    """Nesterov crawling along Rosenbrock's flat valley 0.04 from (1, 1) is still on its way."""
    t = pycore.run("nesterov", "rosenbrock", start=(-1.5, 2.5), steps=300)
    assert t.outcome == "budget"


@pytest.mark.parametrize("optimizer, kwargs", [(k, {"eps": 0.0}) for k in
                                               ("adam", "adamw", "nadam", "radam", "adamax", "adagrad", "rmsprop",
                                                "adadelta")] + [("rmsprop", {"centered": True, "lr": 0.0})])
def test_a_step_torch_would_make_nan_ends_the_run_as_diverged(optimizer, kwargs):
    """eps = 0 with a zero gradient coordinate is 0/0 (torch: NaN): the run ends, it never raises."""
    t = pycore.run(optimizer, "quadratic", start=(1.0, 0.0), steps=3, **kwargs)
    if t.outcome == "diverged":
        assert t.reason.startswith("step ") and "NaN" in t.reason
    json.dumps(t.to_dict(), allow_nan=False)


def test_a_start_far_enough_to_overflow_f_is_refused_not_raised():
    """Python's ** raises OverflowError where torch gives inf: a start there is refused, a step there diverges."""
    steep = pycore.Surface(name="steep", f=lambda x, y: x ** 200 + y * y, grad=lambda x, y: (200 * x ** 199, 2 * y),
                           bounds=((-1e6, 1e6), (-1, 1)))
    with pytest.raises(ValueError, match="start"):
        pycore.run("adam", steep, start=(1e5, 0.0), steps=3)
    with pytest.raises(ValueError, match="start x"):
        pycore.run("adam", "rosenbrock", start=(1e100, 0.0), steps=3)
    t = pycore.run("sgd", steep, start=(1.0, 0.0), steps=3, lr=1.0)
    assert t.outcome == "diverged" and "overflowed" in t.reason


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



def test_a_stop_hook_ends_the_run_at_the_step_it_names_and_says_why():
    calls = []

    def stop(k, x, y):
        calls.append((k, x, y))
        return "stopped by the test" if k == 5 else None

    t = pycore.run("adam", "rosenbrock", start=(-1.5, 2.5), steps=50, lr=0.01, stop=stop)
    free = pycore.run("adam", "rosenbrock", start=(-1.5, 2.5), steps=50, lr=0.01)
    assert t.points == free.points[:6] and t.steps == 50 and len(t.lrs) == len(t.grads) == 5
    assert calls == [(k, *free.points[k]) for k in range(1, 6)]
    assert t.outcome == "budget" and t.reason.startswith("stopped by the test before it settled")
