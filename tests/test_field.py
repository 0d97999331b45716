"""pycore.field: the next step from every grid point with the run's current state, checked against the run itself,
against one rule call per point, and against what SGD, momentum and Adam's update rules say it must be."""
import math

import pytest

import pycore
from pycore.compare import cell_centres
from pycore.field import Arrow, lr_of_step, next_step_field, tile, update_field
from pycore.optimizers import OPTIMIZERS, resolve
from pycore.schedules import get_schedule
from pycore.surfaces import SURFACES, Surface

ROSEN = SURFACES["rosenbrock"]
GRID = cell_centres(ROSEN.bounds, 9, 7)

# Settings that give each rule a state worth testing (every state entry set, torch's branches taken).
CASES = [
    ("sgd", {"lr": 1e-3}), ("sgd", {"lr": 1e-3, "weight_decay": 0.1}),
    ("momentum", {"lr": 1e-3}), ("momentum", {"lr": 1e-3, "dampening": 0.3}),
    ("nesterov", {"lr": 1e-3, "weight_decay": 0.01}),
    ("adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("rmsprop", {"lr": 1e-3, "centered": True, "momentum": 0.5}), ("rmsprop", {"lr": 1e-3}),
    ("adadelta", {}), ("adam", {"lr": 0.02, "amsgrad": True}), ("adam", {"lr": 0.02, "bias_correction": False}),
    ("adamw", {"lr": 0.02}), ("nadam", {"lr": 0.02, "decoupled_weight_decay": True, "weight_decay": 0.1}),
    ("radam", {"lr": 1e-3}), ("adamax", {"lr": 0.02}), ("lion", {"lr": 1e-3, "weight_decay": 0.5}),
]


def _id(case):
    key, hp = case
    return key + "".join(f"-{k}={v}" for k, v in hp.items())


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_at_the_runs_own_point_the_field_is_the_runs_next_step_bit_for_bit(case):
    key, hp = case
    options = {"schedule": {"name": "cosine", "T_max": 40}, "max_grad_norm": 50.0}
    for opts in ({}, options):
        t = pycore.run(key, "rosenbrock", start=(-1.5, 2.5), steps=40, **opts, **hp)
        assert t.outcome != "diverged", (key, opts)
        for k in (0, 1, 7, 39):
            f = next_step_field(t, k, GRID + [t.points[k]])
            assert (f.step, f.lr) == (k + 1, t.lrs[k])
            here = f.arrows[-1]
            assert (here.x, here.y) == t.points[k]
            assert (here.ux, here.uy) == t.updates[k], (key, k, opts)
            assert (here.gx, here.gy) == ROSEN.grad(*t.points[k])


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_one_lockstep_call_equals_one_call_per_point(case):
    key, hp = case
    t = pycore.run(key, "rosenbrock", start=(-1.5, 2.5), steps=30, **hp)
    assert t.outcome != "diverged"
    _, _, rule = resolve(key, hp)
    for k in (0, 12, 30):
        state = t.states[k - 1] if k else rule.init(t.points[0])
        arrows, no_gradient, no_update = update_field(rule, state, 0.7 * t.lrs[0], ROSEN, GRID,
                                                      max_grad_norm=100.0)
        assert (no_gradient, no_update) == (0, 0)
        for (x, y), a in zip(GRID, arrows):
            g = ROSEN.grad(x, y)
            c = min(1.0, 100.0 / (math.hypot(*g) + 1e-6))
            used = (g[0] * c, g[1] * c) if c < 1.0 else g
            (nx, ny), _ = rule.update(used, state, (x, y), 0.7 * t.lrs[0])
            assert a == Arrow(x, y, g[0], g[1], nx - x, ny - y), (key, k, x, y)


def test_sgd_steps_exactly_against_the_gradient():
    for hp in ({"lr": 0.003}, {"lr": 0.003, "weight_decay": 0.2}):
        t = pycore.run("sgd", "himmelblau", start=(0.5, 0.5), steps=20, **hp)
        surf = SURFACES["himmelblau"]
        grid = cell_centres(surf.bounds, 8, 8)
        f = next_step_field(t, 20, grid)
        wd = hp.get("weight_decay", 0.0)
        for (x, y), a in zip(grid, f.arrows):
            g = surf.grad(x, y)
            gx, gy = (g[0] + wd * x, g[1] + wd * y) if wd else g
            # the new point is θ + (−η g), one rounding; Δθ is that minus θ, as the run records it
            assert (a.ux, a.uy) == ((x + -0.003 * gx) - x, (y + -0.003 * gy) - y)
            assert a.ux == pytest.approx(-0.003 * gx, rel=1e-12, abs=1e-15 * abs(x))


def test_momentum_starts_as_sgd_and_later_bends_away_from_the_gradient():
    """Stateless vs stateful: with no buffer yet torch's first momentum step is exactly SGD's; after 20 steps the
    buffer points along the path, so from most of the view the step is no longer along −∇f."""
    surf = SURFACES["quadratic"]
    grid = cell_centres(surf.bounds, 11, 11)
    sgd = pycore.run("sgd", "quadratic", start=(-2.5, 1.5), steps=60, lr=0.01)
    mom = pycore.run("momentum", "quadratic", start=(-2.5, 1.5), steps=60, lr=0.01)
    first = next_step_field(mom, 0, grid).arrows
    assert first == next_step_field(sgd, 0, grid).arrows

    def angle(a):           # between the step and −∇f, in degrees (the minimum, where ∇f = 0, counts as 0)
        if a.gx == a.gy == 0:
            return 0.0
        cos = -(a.gx * a.ux + a.gy * a.uy) / (math.hypot(a.gx, a.gy) * math.hypot(a.ux, a.uy))
        return math.degrees(math.acos(max(-1.0, min(1.0, cos))))
    assert max(angle(a) for a in next_step_field(sgd, 20, grid).arrows) < 1e-3   # rounding of θ + Δθ only
    later = [angle(a) for a in next_step_field(mom, 20, grid).arrows]
    assert sum(d > 10 for d in later) > len(later) // 2
    assert max(later) > 90          # somewhere the buffer even carries the step uphill


def test_adams_first_step_has_the_same_size_everywhere():
    """Adaptivity: Adam's first step is −η·g/(|g| + ε') per coordinate, so ±η whatever the gradient's size."""
    t = pycore.run("adam", "rosenbrock", start=(-1.5, 2.5), steps=5, lr=0.01)
    for a in next_step_field(t, 0, GRID).arrows:
        assert abs(a.ux) == pytest.approx(0.01, rel=1e-6) and abs(a.uy) == pytest.approx(0.01, rel=1e-6)


def test_the_state_is_tiled_per_coordinate_and_scalars_are_shared():
    assert tile((3, (1.0, 2.0), None, 0.5), 3) == (3, (1.0, 2.0) * 3, None, 0.5)


# Loss and gradient infinite for x > 1: those grid points are left out, the others computed as usual.
CLIFF = Surface("cliff", lambda x, y: math.inf if x > 1 else x * x + y * y,
                lambda x, y: (math.inf, 0.0) if x > 1 else (2 * x, 2 * y), ((-3.0, 3.0), (-3.0, 3.0)))


def test_points_without_a_finite_gradient_or_step_are_left_out_and_counted():
    grid = cell_centres(CLIFF.bounds, 7, 7)       # x = -3+3/7 ... ; x = 0 and y = 0 are grid points
    _, _, rule = resolve("sgd", {})
    arrows, no_gradient, no_update = update_field(rule, rule.init((0.0, 0.0)), 0.1, CLIFF, grid)
    beyond = sum(x > 1 for x, _ in grid)
    assert (no_gradient, no_update) == (beyond, 0)
    assert [a is None for a in arrows] == [x > 1 for x, _ in grid]
    # AdaGrad with eps = 0 divides 0 by 0 where a gradient coordinate is 0 (torch: NaN): those points only.
    _, _, rule = resolve("adagrad", {"eps": 0.0})
    arrows, no_gradient, no_update = update_field(rule, rule.init((0.0, 0.0)), 0.1, CLIFF, grid)
    zero = [x <= 1 and (x == 0 or y == 0) for x, y in grid]
    assert no_update == sum(zero) > 0 and no_gradient == beyond
    for (x, y), a, z in zip(grid, arrows, zero):
        assert (a is None) == (z or x > 1)
        if a is not None:
            (nx, ny), _ = rule.update(CLIFF.grad(x, y), rule.init((x, y)), (x, y), 0.1)
            assert (a.ux, a.uy) == (nx - x, ny - y)


def test_a_step_that_overflows_is_left_out():
    steep = Surface("steep", lambda x, y: 1e300 * x, lambda x, y: (1e300 if x > 0 else 1.0, 0.0),
                    ((-1.0, 1.0), (-1.0, 1.0)))
    grid = cell_centres(steep.bounds, 4, 4)
    _, _, rule = resolve("sgd", {"lr": 1e10})
    arrows, no_gradient, no_update = update_field(rule, rule.init((0.0, 0.0)), 1e10, steep, grid)
    assert (no_gradient, no_update) == (0, 8)
    assert all(math.isfinite(a.ux) and math.isfinite(a.uy) for a in arrows if a is not None)


def test_the_lr_of_the_next_step_comes_from_the_schedule_also_after_the_run():
    sched = {"name": "step", "step_size": 5, "gamma": 0.5}
    t = pycore.run("adam", "rosenbrock", start=(-1.5, 2.5), steps=10, lr=0.02, schedule=sched)
    assert [lr_of_step(t, k) for k in range(1, 11)] == t.lrs
    assert lr_of_step(t, 11) == get_schedule(sched).lrs(0.02, 11)[10] == 0.005
    assert next_step_field(t, 10, GRID).lr == 0.005
    with pytest.raises(ValueError, match="step must be a whole number from 0 to 10"):
        next_step_field(t, 11, GRID)


def test_a_diverged_run_has_a_field_at_its_last_point():
    t = pycore.run("sgd", "rosenbrock", start=(-1.5, 2.5), steps=50, lr=0.5)
    assert t.outcome == "diverged"
    last = len(t.points) - 1
    f = next_step_field(t, last, GRID)
    assert f.step == last + 1 and f.lr == 0.5 and all(a is not None for a in f.arrows)


def test_every_optimizer_has_a_field():
    for key in OPTIMIZERS:
        t = pycore.run(key, "rosenbrock", start=(-1.5, 2.5), steps=3)
        f = next_step_field(t, 3, GRID)
        assert len(f.arrows) == len(GRID) and all(a is not None for a in f.arrows), key
