"""pycore.browser.catalog, runs and presets: JSON-ready data that matches the registries and pycore.run exactly."""
import json
import math
import re

import pytest

import pycore
from pycore import datasets
from pycore.browser import catalog, presets, runs
from pycore.explain import explain_step


def _json(data):
    return json.loads(json.dumps(data, allow_nan=False))


# ---- catalog ---------------------------------------------------------------------------------------------
def test_catalog_lists_the_registries_in_order():
    cat = _json(catalog.catalog())
    assert [o["key"] for o in cat["optimizers"]] == list(pycore.OPTIMIZERS)
    assert [s["key"] for s in cat["surfaces"]] == list(pycore.SURFACES)
    for o in cat["optimizers"]:
        spec = pycore.OPTIMIZERS[o["key"]]
        assert (o["name"], o["color"], o["marker"]) == (spec.name, spec.color, spec.marker)
        assert [p["name"] for p in o["hyperparams"]] == [p.name for p in spec.hyperparams]
        assert o["state_fields"] == list(spec.state_fields)
    for s in cat["surfaces"]:
        surf = pycore.SURFACES[s["key"]]
        assert len(s["minima"]) == len(surf.minima)
        assert [m["is_global"] for m in s["minima"]] == [m.is_global for m in surf.minima]
        assert s["starts"][0] == list(surf.starts[0])
    assert cat["steps"]["min"] <= cat["steps"]["default"] <= cat["steps"]["max"]
    assert [o["key"] for o in cat["outcomes"]] == list(pycore.OUTCOMES)
    assert set(cat["markers"]) >= {o["marker"] for o in cat["optimizers"]} | set(cat["minimum_markers"].values())


# ---- grid and levels -------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", list(pycore.SURFACES))
def test_surface_grid_samples_cell_centres_and_levels_span_the_values(key):
    g = _json(catalog.surface_grid(key, 21, 17))
    s = pycore.SURFACES[key]
    (x0, x1), (y0, y1) = s.bounds
    assert len(g["values"]) == 21 * 17
    for i, j in ((0, 0), (20, 0), (3, 16), (10, 8)):
        x, y = x0 + (i + 0.5) * ((x1 - x0) / 21), y0 + (j + 0.5) * ((y1 - y0) / 17)
        assert g["values"][j * 21 + i] == s.f(x, y)
    t = g["thresholds"]
    assert all(a < b for a, b in zip(t, t[1:]))
    assert g["min"] <= t[0] and t[-1] <= g["max"]
    assert g["levels"] == s.levels


def test_log_levels_are_geometric_above_the_lowest_minimum():
    values = [0.5, 1.0, 10.0, 1000.0]
    t = catalog.contour_levels(values, "log", floor=0.0, n=4)
    assert t[0] == pytest.approx(0.5) and t[-1] == pytest.approx(1000.0)
    ratios = [b / a for a, b in zip(t, t[1:])]
    assert ratios == pytest.approx([ratios[0]] * 3)
    lin = catalog.contour_levels(values, "linear", floor=0.0, n=4)
    assert [b - a for a, b in zip(lin, lin[1:])] == pytest.approx([(1000 - 0.5) / 4] * 3)


# ---- runs ------------------------------------------------------------------------------------------------
def test_run_all_equals_pycore_run_and_reports_bad_values_per_optimizer():
    settings = {k: {} for k in pycore.OPTIMIZERS}
    settings["adam"] = {"lr": 0.05, "betas": [0.8, 0.99]}
    settings["sgd"] = {"lr": -1.0}
    trajs, errors = runs.run_all("rosenbrock", [-1.2, 1.9], 60, settings)
    assert set(errors) == {"sgd"} and "lr" in errors["sgd"]
    assert set(trajs) == set(pycore.OPTIMIZERS) - {"sgd"}
    ref = pycore.run("adam", "rosenbrock", start=(-1.2, 1.9), steps=60, lr=0.05, betas=(0.8, 0.99))
    records, floats = runs.pack(trajs, "rosenbrock")
    rec = _json(records["adam"])
    n, o = rec["n"], rec["offset"]
    assert floats[o:o + 2 * n].tolist() == [v for p in ref.points for v in p]
    assert floats[o + 2 * n:o + 3 * n].tolist() == list(ref.losses)
    assert rec["hyperparams"]["betas"] == [0.8, 0.99] and rec["outcome"] == ref.outcome
    assert rec["path_length"] == math.fsum(math.hypot(*u) for u in ref.updates)
    with pytest.raises(ValueError, match="steps"):
        runs.run_all("rosenbrock", [0, 0], catalog.MAX_STEPS + 1, settings)
    for bad in ([0, ""], [0, None], [float("nan"), 0], [0, 1e300], [5, 0]):
        with pytest.raises(ValueError, match="start"):
            runs.run_all("rosenbrock", bad, 10, settings)
    with pytest.raises(ValueError, match="start x must be from -2 to 2; got 5"):
        runs.run_all("rosenbrock", [5, 0], 10, settings)


def test_check_hyperparams_returns_values_in_effect_or_names_the_bad_one():
    assert runs.check_hyperparams("adam", {"lr": 0.1})["betas"] == [0.9, 0.999]
    with pytest.raises(ValueError, match=r"betas\[0\]"):
        runs.check_hyperparams("adam", {"betas": [1.5, 0.9]})


# ---- step inspector --------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", list(pycore.OPTIMIZERS))
def test_step_info_matches_the_trajectory(key):
    t = pycore.run(key, "himmelblau", start=(0.5, 0.5), steps=30)
    info = _json(runs.step_info(t, 30))
    assert info["position"] == list(t.points[30]) and info["loss"] == t.losses[30]
    assert info["gradient"] == list(t.grads[29]) and info["update"] == list(t.updates[29])
    assert set(info["state"]) <= set(pycore.OPTIMIZERS[key].state_fields)
    assert info["text"].startswith(f"{pycore.OPTIMIZERS[key].name} moved {math.hypot(*t.updates[29]):.3g} ")
    start = runs.step_info(t, 0)
    assert start["update"] is None and start["position"] == list(t.points[0])
    with pytest.raises(ValueError, match="step"):
        runs.step_info(t, 31)


def test_adam_sentence_quotes_the_ratio_that_set_the_step():
    """Without weight decay Adam's Δθ = −η·m̂/(√v̂ + ε): the quoted ratio must equal −update/lr."""
    t = pycore.run("adam", "rosenbrock", start=(-1.5, 2.5), steps=20, lr=0.01)
    text = runs.step_info(t, 20)["text"]
    quoted = re.search(r"= \(([^,]+), ([^)]+)\)", text).groups()
    expected = [-u / 0.01 for u in t.updates[19]]
    assert [float(q) for q in quoted] == pytest.approx(expected, rel=5e-3)


def test_sentence_direction_follows_the_update():
    spec = pycore.OPTIMIZERS["sgd"]
    h = {"lr": 0.1, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False}
    assert "mostly along −x" in explain_step(spec, h, 1, (1.0, 0.1), (-0.1, -0.01), {}, 0.1)
    assert "along +x and −y" in explain_step(spec, h, 1, (-1.0, 1.0), (0.1, -0.1), {}, 0.1)
    assert "did not move" in explain_step(spec, h, 1, (0.0, 0.0), (0.0, 0.0), {}, 0.1)


def test_adadelta_sentence_quotes_the_state_its_step_used():
    """Δ = √(u + ε)/√(v + ε)·g with u from before the step and v after it reproduces the update shown."""
    t = pycore.run("adadelta", "rosenbrock", start=(-1.5, 2.5), steps=5)
    for k in (1, 5):
        info = runs.step_info(t, k)
        u = re.search(r"u = \(([^,]+), ([^)]+)\)", info["text"]).groups()
        v = re.search(r"v = \(([^,]+), ([^)]+)\)", info["text"]).groups()
        step = [math.sqrt(float(a) + 1e-6) / math.sqrt(float(b) + 1e-6) * g
                for a, b, g in zip(u, v, info["gradient"])]
        assert [-d for d in step] == pytest.approx(info["update"], rel=5e-3)


def test_step_zero_works_on_every_kind_of_surface():
    for spec in ("rosenbrock", {"custom": "x**2 + y**2", "bounds": [[-1, 1], [-1, 1]]},
                 {"dataset": "linreg", "batch_size": 8, "seed": 0}):
        trajs, _ = runs.run_all(spec, [0.5, 0.5], 5, {"adam": {}})
        info = runs.step_info(trajs["adam"], 0)
        assert info["update"] is None and info["gradient"] == list(trajs["adam"].start_grad)


def test_divergence_reason_is_reported_at_the_last_point():
    t = pycore.run("sgd", "rosenbrock", start=(-1.5, 2.5), steps=50, lr=0.5)
    assert t.outcome == "diverged"
    last = len(t.points) - 1
    info = runs.step_info(t, last)
    assert info["reason"] == t.reason
    later = runs.step_info(t, 50)
    assert later["stopped"] and later["step"] == last


def test_early_stopping_reason_is_reported_at_the_last_point_only():
    t = datasets.run_minibatch("sgd", "linreg", start=(-1.5, 2), steps=300, lr=0.2, batch_size=8,
                               early_stopping={"patience": 2, "min_delta": 0.0, "restore_best": True})
    last = len(t.points) - 1
    assert last < t.steps and t.reason.startswith("early stopping ended the run")
    assert runs.step_info(t, last)["reason"] == t.reason
    assert runs.step_info(t, t.steps)["reason"] == t.reason          # the dot stays at the last point
    assert runs.step_info(t, last - 1)["reason"] is None
    done = pycore.run("adam", "quadratic", steps=50)                 # a run that took all its steps says nothing
    assert runs.step_info(done, 50)["reason"] is None


# ---- presets ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", list(pycore.SURFACES))
def test_preset_learning_rates_are_readable_runs(key):
    s = pycore.SURFACES[key]
    p = presets.preset(key)
    assert set(p) == set(pycore.OPTIMIZERS)
    for opt, values in p.items():
        runs_ = {lr: pycore.run(opt, key, start=s.starts[0], steps=presets.PRESET_STEPS, lr=lr)
                 for lr in presets.PRESET_LRS}
        ok = {lr: t.losses[-1] for lr, t in runs_.items() if presets.readable(t, s.bounds)}
        if values is None:
            assert not ok
            continue
        assert values["lr"] == min(ok, key=ok.get)     # the lowest final loss among the readable runs
        t = runs_[values["lr"]]
        assert t.outcome != "diverged" and t.losses[-1] <= t.losses[0]


def test_readable_means_in_view_and_not_a_tangle():
    """Adam at lr 1 on Rosenbrock loops around; the preset rule does not take it."""
    s = pycore.SURFACES["rosenbrock"]
    wild = pycore.run("adam", s, start=s.starts[0], steps=presets.PRESET_STEPS, lr=1.0)
    assert not presets.readable(wild, s.bounds)
    assert str(presets.PRESET_STEPS) in presets.preset_rule() and "times as long" in presets.preset_rule()


def test_run_all_passes_shared_options_through_to_run():
    opts = {"schedules": {"sgd": {"name": "step", "step_size": 5, "gamma": 0.5}}, "noise": 0.1, "seed": 3,
            "max_grad_norm": 1.0}
    trajs, errors = runs.run_all("rosenbrock", [-1.5, 2.5], 20, {"sgd": {"lr": 0.01}, "adam": {}}, opts)
    assert errors == {}
    direct = pycore.run("sgd", "rosenbrock", start=(-1.5, 2.5), steps=20, lr=0.01, noise=0.1, seed=3,
                        max_grad_norm=1.0, schedule={"name": "step", "step_size": 5, "gamma": 0.5})
    assert trajs["sgd"].points == direct.points and trajs["sgd"].lrs[5] == 0.005
    assert trajs["adam"].schedule is None and trajs["adam"].noise == 0.1


@pytest.mark.parametrize("opts, word", [({"bogus": 1}, "bogus"), ({"seed": -1}, "seed"), ({"noise": -1}, "noise"),
                                        ({"max_grad_norm": 0}, "max_grad_norm"), ({"schedules": 3}, "schedules")])
def test_run_all_rejects_bad_options(opts, word):
    with pytest.raises(ValueError, match=word):
        trajs, errors = runs.run_all("rosenbrock", [0, 0], 5, {"sgd": {}}, opts)
        raise ValueError("; ".join(errors.values()))


def test_a_bad_schedule_is_reported_for_its_optimizer_only():
    trajs, errors = runs.run_all("rosenbrock", [0, 0], 5, {"sgd": {}, "adam": {}},
                                {"schedules": {"sgd": {"name": "nope"}}})
    assert set(errors) == {"sgd"} and "adam" in trajs
