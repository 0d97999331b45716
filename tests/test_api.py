"""pycore.api, the page's boundary: JSON-ready data that matches the registries and pycore.run exactly.

Also checks the page's static wiring that would otherwise drift: pyscript.toml maps every pycore/*.py, pulls
no packages, and no page file names an address outside the page's origin.
"""
import json
import math
import pathlib
import re
import tomllib

import pytest

import pycore
from pycore import api
from pycore.explain import explain_step

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _json(data):
    return json.loads(json.dumps(data, allow_nan=False))


# ---- page wiring -----------------------------------------------------------------------------------------
def test_pyscript_toml_maps_every_pycore_module_and_no_packages():
    config = tomllib.loads((ROOT / "pyscript.toml").read_text())
    modules = sorted(f"./pycore/{p.name}" for p in (ROOT / "pycore").glob("*.py"))
    assert sorted(config["files"]) == modules
    assert all(config["files"][m] == m for m in modules)
    assert "packages" not in config
    assert config["interpreter"] == "./web/vendor/pyodide/pyodide.mjs"


def _page_files():
    files = [ROOT / "index.html", ROOT / "pyscript.toml"]
    files += [p for p in (ROOT / "web").glob("*") if p.is_file()]
    return files


def test_no_address_outside_the_page_origin():
    """Only relative URLs (the page works from any sub-path); the SVG namespace URI is not a request."""
    pattern = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
    for path in _page_files():
        text = path.read_text().replace('"http://www.w3.org/2000/svg"', "")
        found = [m.group(0) for m in pattern.finditer(text)]
        assert not found, f"{path.name} names {found}"
    html = (ROOT / "index.html").read_text()
    for ref in re.findall(r'(?:src|href|config)="([^"]+)"', html):
        assert ref.startswith("./") or ref.startswith("data:"), ref


# ---- catalog ---------------------------------------------------------------------------------------------
def test_catalog_lists_the_registries_in_order():
    cat = _json(api.catalog())
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


# ---- grid and levels -------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", list(pycore.SURFACES))
def test_surface_grid_samples_cell_centres_and_levels_span_the_values(key):
    g = _json(api.surface_grid(key, 21, 17))
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
    t = api.contour_levels(values, "log", floor=0.0, n=4)
    assert t[0] == pytest.approx(0.5) and t[-1] == pytest.approx(1000.0)
    ratios = [b / a for a, b in zip(t, t[1:])]
    assert ratios == pytest.approx([ratios[0]] * 3)
    lin = api.contour_levels(values, "linear", floor=0.0, n=4)
    assert [b - a for a, b in zip(lin, lin[1:])] == pytest.approx([(1000 - 0.5) / 4] * 3)


# ---- runs ------------------------------------------------------------------------------------------------
def test_run_all_equals_pycore_run_and_reports_bad_values_per_optimizer():
    settings = {k: {} for k in pycore.OPTIMIZERS}
    settings["adam"] = {"lr": 0.05, "betas": [0.8, 0.99]}
    settings["sgd"] = {"lr": -1.0}
    trajs, errors = api.run_all("rosenbrock", [-1.2, 1.9], 60, settings)
    assert set(errors) == {"sgd"} and "lr" in errors["sgd"]
    assert set(trajs) == set(pycore.OPTIMIZERS) - {"sgd"}
    ref = pycore.run("adam", "rosenbrock", start=(-1.2, 1.9), steps=60, lr=0.05, betas=(0.8, 0.99))
    summary = _json(api.run_summary(trajs["adam"]))
    assert summary["points"] == [list(p) for p in ref.points]
    assert summary["losses"] == list(ref.losses)
    assert summary["hyperparams"]["betas"] == [0.8, 0.99]
    with pytest.raises(ValueError, match="steps"):
        api.run_all("rosenbrock", [0, 0], api.MAX_STEPS + 1, settings)
    for bad in ([0, ""], [0, None], [float("nan"), 0]):
        with pytest.raises(ValueError, match="start"):
            api.run_all("rosenbrock", bad, 10, settings)


def test_check_hyperparams_returns_values_in_effect_or_names_the_bad_one():
    assert api.check_hyperparams("adam", {"lr": 0.1})["betas"] == [0.9, 0.999]
    with pytest.raises(ValueError, match=r"betas\[0\]"):
        api.check_hyperparams("adam", {"betas": [1.5, 0.9]})


# ---- step inspector --------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", list(pycore.OPTIMIZERS))
def test_step_info_matches_the_trajectory(key):
    t = pycore.run(key, "himmelblau", start=(0.5, 0.5), steps=30)
    info = _json(api.step_info(t, 30))
    assert info["position"] == list(t.points[30]) and info["loss"] == t.losses[30]
    assert info["gradient"] == list(t.grads[29]) and info["update"] == list(t.updates[29])
    assert set(info["state"]) <= set(pycore.OPTIMIZERS[key].state_fields)
    assert info["text"].startswith(f"{pycore.OPTIMIZERS[key].name} moved {math.hypot(*t.updates[29]):.3g} ")
    start = api.step_info(t, 0)
    assert start["update"] is None and start["position"] == list(t.points[0])
    with pytest.raises(ValueError, match="step"):
        api.step_info(t, 31)


def test_adam_sentence_quotes_the_ratio_that_set_the_step():
    """Without weight decay Adam's Δθ = −η·m̂/(√v̂ + ε): the quoted ratio must equal −update/lr."""
    t = pycore.run("adam", "rosenbrock", start=(-1.5, 2.5), steps=20, lr=0.01)
    text = api.step_info(t, 20)["text"]
    quoted = re.search(r"= \(([^,]+), ([^)]+)\)", text).groups()
    expected = [-u / 0.01 for u in t.updates[19]]
    assert [float(q) for q in quoted] == pytest.approx(expected, rel=5e-3)


def test_sentence_direction_follows_the_update():
    spec = pycore.OPTIMIZERS["sgd"]
    h = {"lr": 0.1, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False}
    assert "mostly along −x" in explain_step(spec, h, 1, (1.0, 0.1), (-0.1, -0.01), {}, 0.1)
    assert "along +x and −y" in explain_step(spec, h, 1, (-1.0, 1.0), (0.1, -0.1), {}, 0.1)
    assert "did not move" in explain_step(spec, h, 1, (0.0, 0.0), (0.0, 0.0), {}, 0.1)


def test_divergence_reason_is_reported_at_the_last_point():
    t = pycore.run("sgd", "rosenbrock", start=(-1.5, 2.5), steps=50, lr=0.5)
    assert t.status == "diverged"
    last = len(t.points) - 1
    info = api.step_info(t, last)
    assert info["reason"] == t.reason
    later = api.step_info(t, 50)
    assert later["stopped"] and later["step"] == last


# ---- presets ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", list(pycore.SURFACES))
def test_preset_learning_rates_make_progress_without_diverging(key):
    s = pycore.SURFACES[key]
    p = api.preset(key)
    assert set(p) == set(pycore.OPTIMIZERS)
    for opt, values in p.items():
        if values is None:  # every candidate diverges from this start
            assert all(pycore.run(opt, key, start=s.starts[0], steps=api.PRESET_STEPS, lr=lr).status == "diverged"
                       for lr in api.PRESET_LRS)
            continue
        assert values["lr"] in api.PRESET_LRS
        t = pycore.run(opt, key, start=s.starts[0], steps=api.PRESET_STEPS, lr=values["lr"])
        assert t.status != "diverged"
        assert t.losses[-1] <= t.losses[0]


def test_preset_is_the_lowest_final_loss_on_the_grid():
    p = api.preset("rosenbrock")
    start = pycore.SURFACES["rosenbrock"].starts[0]
    finals = {lr: pycore.run("adam", "rosenbrock", start=start, steps=api.PRESET_STEPS, lr=lr)
              for lr in api.PRESET_LRS}
    ok = {lr: t.losses[-1] for lr, t in finals.items() if t.status != "diverged"}
    assert p["adam"]["lr"] == min(ok, key=ok.get)
    assert str(api.PRESET_STEPS) in api.preset_rule()


def test_run_all_passes_shared_options_through_to_run():
    opts = {"schedules": {"sgd": {"name": "step", "step_size": 5, "gamma": 0.5}}, "noise": 0.1, "seed": 3,
            "max_grad_norm": 1.0}
    trajs, errors = api.run_all("rosenbrock", [-1.5, 2.5], 20, {"sgd": {"lr": 0.01}, "adam": {}}, opts)
    assert errors == {}
    direct = pycore.run("sgd", "rosenbrock", start=(-1.5, 2.5), steps=20, lr=0.01, noise=0.1, seed=3,
                        max_grad_norm=1.0, schedule={"name": "step", "step_size": 5, "gamma": 0.5})
    assert trajs["sgd"].points == direct.points and trajs["sgd"].lrs[5] == 0.005
    assert trajs["adam"].schedule is None and trajs["adam"].noise == 0.1


@pytest.mark.parametrize("opts, word", [({"bogus": 1}, "bogus"), ({"seed": -1}, "seed"), ({"noise": -1}, "noise"),
                                        ({"max_grad_norm": 0}, "max_grad_norm"), ({"schedules": 3}, "schedules")])
def test_run_all_rejects_bad_options(opts, word):
    with pytest.raises(ValueError, match=word):
        trajs, errors = api.run_all("rosenbrock", [0, 0], 5, {"sgd": {}}, opts)
        raise ValueError("; ".join(errors.values()))


def test_a_bad_schedule_is_reported_for_its_optimizer_only():
    trajs, errors = api.run_all("rosenbrock", [0, 0], 5, {"sgd": {}, "adam": {}},
                                {"schedules": {"sgd": {"name": "nope"}}})
    assert set(errors) == {"sgd"} and "adam" in trajs
