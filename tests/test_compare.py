"""pycore.compare: the race table and basin maps, checked against pycore.run (the recording runner)."""
import json
import math
import random

import pytest
from hypothesis import given, settings, strategies as st

import pycore
from pycore import compare as cmp
from pycore.compare import basin_levels, basin_map, compare, run_many
from pycore.optimizers import OPTIMIZERS, resolve
from pycore.schedules import get_schedule
from pycore.surfaces import SURFACES, Surface


def _starts(surf, n, seed):
    rnd = random.Random(seed)
    (x0, x1), (y0, y1) = surf.bounds
    return [(rnd.uniform(x0, x1), rnd.uniform(y0, y1)) for _ in range(n)]


def _ends(key, surf, starts, steps, schedule=None, max_grad_norm=None, **hp):
    """What run() says for each start, in run_many's shape."""
    out = []
    for s in starts:
        t = pycore.run(key, surf, s, steps, schedule=schedule, max_grad_norm=max_grad_norm, **hp)
        out.append((t.points[-1][0], t.points[-1][1], t.outcome, t.settled_at, t.reached))
    return out


def _lean(key, surf, starts, steps, schedule=None, max_grad_norm=None, track=True, **hp):
    _, values, rule = resolve(key, hp)
    lrs = get_schedule(schedule).lrs(values["lr"], steps)
    return run_many(rule, surf, starts, lrs, max_grad_norm=max_grad_norm, track=track)


# A surface whose loss becomes infinite inside the escape box: f = y² − x, +inf for x > 2 (gradient finite).
CLIFF = Surface("cliff", lambda x, y: math.inf if x > 2 else y * y - x, lambda x, y: (-1.0, 2 * y),
                ((-3.0, 3.0), (-3.0, 3.0)))


@pytest.mark.parametrize("key", list(OPTIMIZERS))
def test_lean_runner_agrees_with_run(key):
    """Same final point (to the bit), outcome, settled_at and reached as run(), starts batched together,
    including batches where some starts diverge (escape, overflow) while the others carry on."""
    statuses = set()
    cases = [("rosenbrock", {"lr": 1e-3}, None, None), ("himmelblau", {"lr": 0.05}, None, None),
             ("rosenbrock", {"lr": 0.03}, None, None),
             ("rastrigin", {"lr": 0.3}, {"name": "cosine", "T_max": 20}, None),
             ("six_hump_camel", {"lr": 0.5}, None, 1.0),
             ("saddle", {"lr": 0.2}, {"name": "step", "step_size": 7}, None)]
    for i, (skey, hp, schedule, mgn) in enumerate(cases):
        surf = SURFACES[skey]
        starts = _starts(surf, 10, i)
        got = _lean(key, surf, starts, 60, schedule, mgn, **hp)
        assert got == _ends(key, surf, starts, 60, schedule, mgn, **hp), (skey, hp)
        statuses.update(e[2] for e in got)
    starts = [(x / 7, y / 3) for x in range(-6, 7) for y in range(-2, 3)] + [(1.99, 0.0), (1.999, 0.5)]
    got = _lean(key, CLIFF, starts, 40, lr=0.3)
    assert got == _ends(key, CLIFF, starts, 40, lr=0.3)
    statuses.update(e[2] for e in got)
    assert "diverged" in statuses and "budget" in statuses


def test_lean_runner_covers_every_outcome():
    surf = SURFACES["himmelblau"]
    starts = _starts(surf, 40, 2)
    got = _lean("sgd", surf, starts, 200, lr=0.024)  # near SGD's stability limit: all three outcomes
    assert {e[2] for e in got} == {"global", "budget", "diverged"}
    assert got == _ends("sgd", surf, starts, 200, lr=0.024)
    cliff = _lean("sgd", CLIFF, [(0.0, 0.0)], 40, lr=0.3)[0]
    assert cliff[2] == "diverged" and cliff[0] == pytest.approx(1.8)  # 2.1 is over the cliff: 1.8 was the last


@settings(max_examples=60)
@given(key=st.sampled_from(list(OPTIMIZERS)), skey=st.sampled_from(list(SURFACES)),
       log_lr=st.floats(-4, 0.5), steps=st.integers(0, 40), seed=st.integers(0, 10**6))
def test_lean_runner_agrees_with_run_on_random_input(key, skey, log_lr, steps, seed):
    surf = SURFACES[skey]
    starts = _starts(surf, 5, seed)
    assert _lean(key, surf, starts, steps, lr=10 ** log_lr) == _ends(key, surf, starts, steps, lr=10 ** log_lr)


def test_untracked_runs_end_at_the_same_points():
    surf = SURFACES["himmelblau"]
    starts = _starts(surf, 30, 3)
    tracked, lean = _lean("adam", surf, starts, 80, lr=0.1), _lean("adam", surf, starts, 80, lr=0.1, track=False)
    for a, b in zip(tracked, lean):
        assert a[:2] == b[:2] and a[4] == b[4] and b[3] is None
        assert b[2] == ("budget" if a[2] == "stalled" else a[2])


def test_start_where_run_refuses_is_diverged_at_step_zero():
    bad = Surface("pole", lambda x, y: 1 / x if x else math.inf, lambda x, y: (-1 / (x * x) if x else math.inf, 0.0),
                  ((-1.0, 1.0), (-1.0, 1.0)))
    with pytest.raises(ValueError):
        pycore.run("sgd", bad, (0.0, 0.5), 5)
    assert _lean("sgd", bad, [(0.0, 0.5), (0.5, 0.5)], 5, lr=1e-3)[0] == (0.0, 0.5, "diverged", None, None)
    for start in [(math.nan, 0.0), (1.0,), "here"]:
        with pytest.raises(ValueError, match="start"):
            _lean("sgd", bad, [(0.5, 0.5), start], 5, lr=1e-3)


# --- basin maps ---------------------------------------------------------------------------------------------
def test_basin_map_cells_are_runs_from_cell_centres():
    surf = SURFACES["himmelblau"]
    m = basin_map("himmelblau", "momentum", 7, 5, 150, {"lr": 0.01})
    assert len(m["outcomes"]) == 35 and m["nx"] == 7 and m["ny"] == 5
    (x0, x1), (y0, y1) = surf.bounds
    for j in range(5):
        for i in range(7):
            start = (x0 + (i + 0.5) * (x1 - x0) / 7, y0 + (j + 0.5) * (y1 - y0) / 5)
            t = pycore.run("momentum", surf, start, 150, lr=0.01)
            want = -2 if t.outcome == "diverged" else -1 if t.reached is None else t.reached
            assert m["outcomes"][j * 7 + i] == want, (i, j)


def test_basin_map_shares_and_json():
    m = basin_map("himmelblau", "sgd", 24, 24, 200, {"lr": 0.01})
    json.dumps(m, allow_nan=False)
    assert m["hyperparams"]["lr"] == 0.01 and m["optimizer"] == "sgd" and m["schedule"] is None
    assert m["stride"] == 1 and m["done"] == 24 * 24 and None not in m["outcomes"]
    assert m["counts"] == [m["outcomes"].count(k) for k in range(4)]
    assert all(c > 0 for c in m["counts"])  # Himmelblau: four basins, each reached from somewhere
    assert sum(m["shares"]) + m["none_share"] + m["diverged_share"] == pytest.approx(1.0)
    assert m["global_share"] == pytest.approx(sum(s for s, mn in zip(m["shares"], m["minima"]) if mn["is_global"]))
    assert len(m["minima"]) == 4 and all(mn["is_global"] for mn in m["minima"])


def test_basin_map_counts_divergence_and_custom_bounds():
    m = basin_map("rosenbrock", "sgd", 10, 10, 100, {"lr": 0.01}, bounds=((-2, 2), (-1, 3)))
    assert m["diverged_share"] > 0 and m["outcomes"].count(-2) == round(m["diverged_share"] * 100)
    assert m["bounds"] == [[-2.0, 2.0], [-1.0, 3.0]]
    sched = basin_map("rosenbrock", "adam", 4, 4, 50, {"lr": 0.05}, schedule={"name": "exponential", "gamma": 0.99},
                      max_grad_norm=5.0)
    assert sched["schedule"] == {"name": "exponential", "gamma": 0.99} and sched["max_grad_norm"] == 5.0


def test_basin_levels_refine_coarse_to_fine():
    final = basin_map("six_hump_camel", "adam", 20, 12, 60, {"lr": 0.05})
    parts = list(basin_levels("six_hump_camel", "adam", 20, 12, 60, {"lr": 0.05}, coarsest=2, chunk=25))
    assert len(parts) > 4 and parts[-1] == {**final}
    done = [p["done"] for p in parts]
    assert done == sorted(done) and done[-1] == 240 and len(set(done)) == len(done)
    for p in parts:
        assert sum(v is not None for v in p["outcomes"]) == p["done"]
        assert all(v is None or v == final["outcomes"][k] for k, v in enumerate(p["outcomes"]))
        s = p["stride"]
        if s is not None:  # every s-th cell in both directions is there
            assert all(p["outcomes"][j * 20 + i] is not None for j in range(0, 12, s) for i in range(0, 20, s))
    assert parts[0]["stride"] is None and 2 in [p["stride"] for p in parts]  # 60 cells at stride 2: 3 chunks


@pytest.mark.parametrize("kwargs, words", [
    (dict(nx=0), ["nx", "from 1 to 1000"]),
    (dict(ny=2.5), ["ny", "whole number"]),
    (dict(steps=-1), ["steps", "at least 0"]),
    (dict(bounds=((1, 0), (0, 1))), ["bounds", "x from must be less than x to"]),
    (dict(bounds="everywhere"), ["bounds"]),
    (dict(hyperparams={"lr": -1}), ["lr"]),
    (dict(hyperparams={"momentum": 0.9}), ["momentum"]),
    (dict(optimizer="sdg"), ["unknown optimizer 'sdg'"]),
    (dict(surface="nowhere"), ["unknown surface"]),
    (dict(tol=0), ["tol"]),
    (dict(max_grad_norm=-1), ["max_grad_norm"]),
    (dict(schedule={"name": "cosine"}), ["T_max is required"]),
])
def test_basin_map_bad_input(kwargs, words):
    args = dict(surface="himmelblau", optimizer="adam", nx=4, ny=4, steps=10)
    args.update(kwargs)
    with pytest.raises(ValueError) as err:
        basin_levels(**args)  # raises when called, before any iteration: a worker gets the message at once
    for w in words:
        assert w in str(err.value)
    with pytest.raises(ValueError):
        basin_map(**args)


# --- compare --------------------------------------------------------------------------------------------------
def test_compare_reports_every_optimizer_like_run():
    out = compare("himmelblau", (0.5, -0.5), 200, hyperparams={"sgd": {"lr": 0.01}, "adam": {"lr": 0.1}})
    json.dumps(out, allow_nan=False)
    assert [r["optimizer"] for r in out["results"]] == list(OPTIMIZERS)
    surf = SURFACES["himmelblau"]
    for r in out["results"]:
        hp = {"sgd": {"lr": 0.01}, "adam": {"lr": 0.1}}.get(r["optimizer"], {})
        t = pycore.run(r["optimizer"], "himmelblau", (0.5, -0.5), 200, **hp)
        assert (r["outcome"], r["settled_at"], r["final_loss"], r["final_point"]) == (
            t.outcome, t.settled_at, t.losses[-1], list(t.points[-1]))
        assert r["path_length"] == pytest.approx(sum(math.dist(a, b) for a, b in zip(t.points, t.points[1:])))
        assert r["steps_taken"] == len(t.points) - 1
        assert r["mean_step_length"] == pytest.approx(r["path_length"] / r["steps_taken"])
        assert r["reached"] == (None if t.reached is None else
                                {"index": t.reached, "is_global": surf.minima[t.reached].is_global})
        assert r["hyperparams"]["lr"] == t.hyperparams["lr"]
    by = {r["optimizer"]: r for r in out["results"]}
    assert by["sgd"]["hyperparams"]["lr"] == 0.01 and by["adam"]["hyperparams"]["lr"] == 0.1
    assert by["sgd"]["outcome"] == "global" and by["sgd"]["reached"]["is_global"]


def test_compare_subset_options_and_zero_steps():
    out = compare("rosenbrock", None, 0, ["adam", "lion"], schedule={"name": "cosine", "T_max": 10}, noise=0.1)
    assert [r["optimizer"] for r in out["results"]] == ["adam", "lion"]
    assert out["schedule"] == {"name": "cosine", "T_max": 10, "eta_min": 0.0} and out["noise"] == 0.1
    assert all(r["mean_step_length"] is None and r["path_length"] == 0 for r in out["results"])
    assert out["start"] == list(SURFACES["rosenbrock"].starts[0])


def test_compare_validates_everything_before_running(monkeypatch):
    calls = []
    monkeypatch.setattr(cmp, "run", lambda *a, **k: calls.append(a))
    with pytest.raises(ValueError, match="lion: .*lr"):
        compare("rosenbrock", None, 10, hyperparams={"lion": {"lr": -1.0}})
    with pytest.raises(ValueError, match="'adam', which is not being compared"):
        compare("rosenbrock", None, 10, ["sgd"], hyperparams={"adam": {"lr": 0.1}})
    with pytest.raises(ValueError, match="unknown optimizer"):
        compare("rosenbrock", None, 10, ["sgd", "adamm"])
    assert calls == []
