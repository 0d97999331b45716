"""pycore.api_lab: surface specs, mini-batch runs through api.run_all, the custom-function verdict, basin maps
and lr tuning for the page's worker; every answer is JSON-ready and matches the pycore function it wraps."""
import json
import math

import pytest

import pycore
from pycore import api, api_lab
from pycore.compare import basin_map
from pycore.datasets import DATASETS, run_minibatch
from pycore.tuning import tune

CUSTOM = {"custom": "x**2 + 3*sin(y)", "bounds": [[-3, 3], [-3, 3]]}


def _json(data):
    return json.loads(json.dumps(data, allow_nan=False))


# ---- resolving specs -----------------------------------------------------------------------------------------
def test_keys_resolve_to_the_registries():
    assert api_lab.resolve_surface("rosenbrock") is pycore.SURFACES["rosenbrock"]
    assert api_lab.resolve_surface("linreg") is DATASETS["linreg"].surface
    assert api_lab.resolve_surface({"dataset": "logreg", "batch_size": 4, "seed": 9}) is DATASETS["logreg"].surface


def test_custom_spec_is_parsed_once_and_cached():
    a = api_lab.resolve_surface(CUSTOM)
    b = api_lab.resolve_surface({"custom": CUSTOM["custom"], "bounds": [[-3.0, 3.0], [-3.0, 3.0]]})
    assert a is b and a.key == "custom" and a.computed
    (m,) = a.minima
    assert (m.x, m.y, m.value) == pytest.approx((0.0, -math.pi / 2, -3.0), abs=1e-9)


@pytest.mark.parametrize("spec, match", [
    ("nowhere", "unknown surface"),
    ({"custom": "x", "bounds": [[1, 0], [0, 1]]}, "xmin < xmax"),
    ({"custom": "x"}, "takes the fields custom, bounds"),
    ({"custom": 3, "bounds": [[0, 1], [0, 1]]}, "custom must be the text"),
    ({"custom": "__import__('os')", "bounds": [[0, 1], [0, 1]]}, "unknown name '__import__'"),
    ({"dataset": "mnist"}, "unknown dataset"),
    ({"dataset": "linreg", "batch_size": 0}, r"batch_size must be a whole number in \[1, 64\]"),
    ({"dataset": "linreg", "batch_size": 65}, "batch_size"),
    ({"dataset": "linreg", "seed": -1}, "seed"),
    ({"dataset": "linreg", "seed": 1.5}, "seed"),
    ({"dataset": "linreg", "lr": 1}, "takes the fields dataset, batch_size, seed"),
    ({"surface": "rosenbrock"}, "a surface spec is"),
])
def test_bad_specs_are_refused_by_name(spec, match):
    with pytest.raises(ValueError, match=match):
        api_lab.resolve_surface(spec)
    with pytest.raises(ValueError, match=match):
        api.run_all(spec, (0.5, 0.5), 10, {"sgd": {}})


# ---- runs on specs ---------------------------------------------------------------------------------------------
def test_run_all_on_a_dataset_spec_is_run_minibatch():
    spec = {"dataset": "linreg", "batch_size": 8, "seed": 3}
    trajs, errors = api.run_all(spec, (0.0, 0.0), 40, {"adam": {"lr": 0.1}, "sgd": {}})
    assert errors == {}
    for key, hp in (("adam", {"lr": 0.1}), ("sgd", {})):
        ref = run_minibatch(key, "linreg", (0.0, 0.0), steps=40, batch_size=8, seed=3, **hp)
        assert trajs[key].points == ref.points and trajs[key].losses == ref.losses
        summary = _json(api_lab.run_summary(trajs[key]))
        assert summary["minibatch"]["epoch_losses"] == ref.minibatch["epoch_losses"]
        assert summary["minibatch"]["steps_per_epoch"] == 8


def test_full_batch_is_plain_gradient_descent_on_the_data_loss():
    trajs, _ = api.run_all({"dataset": "logreg", "batch_size": 64, "seed": 5}, (-1.0, 2.0), 30, {"momentum": {}})
    ref = pycore.run("momentum", DATASETS["logreg"].surface, (-1.0, 2.0), 30)
    assert trajs["momentum"].points == ref.points


def test_run_all_on_a_custom_spec_matches_run():
    trajs, _ = api.run_all(CUSTOM, (1.0, 1.0), 50, {"adam": {"lr": 0.05}})
    ref = pycore.run("adam", api_lab.resolve_surface(CUSTOM), (1.0, 1.0), 50, lr=0.05)
    assert trajs["adam"].points == ref.points
    assert "minibatch" not in api_lab.run_summary(trajs["adam"])


# ---- records and the custom verdict ----------------------------------------------------------------------------
def test_surface_records_for_data_name_their_axes_and_batches():
    rec = _json(api_lab.surface_record({"dataset": "linreg", "batch_size": 10, "seed": 2}))
    assert rec["axes"] == ["w", "b"] and set(api_lab.SHORT_NAMES) == set(DATASETS)
    assert rec["data"] == {"dataset": "linreg", "n": 64, "params": ["w", "b"], "batch_size": 10, "seed": 2,
                           "steps_per_epoch": 7}
    assert rec["minima"][0]["is_global"] and not rec["computed"]
    cat = _json(api_lab.lab_catalog())
    assert [r["key"] for r in cat["datasets"]] == list(DATASETS)
    assert cat["basin"]["sizes"] == [25, 50, 100]


@pytest.mark.parametrize("expr, column", [
    ("__import__('os')", 1), ("().__class__", 2), ("js.document", 1), ("x + y)", 6),
    ("x" * 10_000, 501), ("9**9**9", 2), ("exp(1000) * x", 1),
])
def test_hostile_or_broken_text_gets_a_verdict_with_its_column(expr, column):
    v = api_lab.check_custom(expr, [[-1, 1], [-1, 1]])
    assert v["ok"] is False and v["field"] == "expr"
    assert v["column"] == column and v["pos"] == column - 1 and v["message"]


def test_a_valid_function_gets_its_surface_and_gradient():
    v = _json(api_lab.check_custom("x**2 + 3*sin(y)", [[-3, 3], [-3, 3]]))
    assert v["ok"] and v["surface"]["key"] == "custom" and v["surface"]["computed"] is True
    assert v["gradient_text"] == ["2*x", "3*cos(y)"]
    bad = api_lab.check_custom("x", [[0, 0], [0, 1]])
    assert bad == {"ok": False, "field": "bounds", "message": bad["message"]} and "xmin < xmax" in bad["message"]


def test_grid_and_preset_take_specs():
    g = api_lab.grid(CUSTOM)
    assert g["surface"] == "custom" and len(g["values"]) == api.GRID ** 2
    assert api_lab.grid(CUSTOM) is g  # cached: the same custom surface object
    assert api_lab.grid("rosenbrock") == api.surface_grid("rosenbrock")
    assert api_lab.preset("linreg") == api.preset(DATASETS["linreg"].surface)


# ---- basin maps and tuning for the worker ------------------------------------------------------------------------
def test_basin_chunks_end_in_basin_map():
    parts = list(api_lab.basin("himmelblau", "adam", {"lr": 0.1}, size=25, steps=60, chunk=100))
    assert len(parts) > 2 and all(p["done"] < 625 for p in parts[:-1])
    assert [p["done"] for p in parts] == sorted(p["done"] for p in parts)
    final = _json(parts[-1])
    assert final == _json(basin_map("himmelblau", "adam", 25, 25, 60, {"lr": 0.1}))
    assert final["stride"] == 1 and None not in final["outcomes"]


def test_basin_applies_the_schedule_and_clipping_of_the_chosen_optimizer():
    options = {"schedules": {"sgd": {"name": "step", "step_size": 20, "gamma": 0.5}}, "max_grad_norm": 1.0}
    final = list(api_lab.basin("rosenbrock", "sgd", {"lr": 0.01}, size=25, steps=40, options=options))[-1]
    ref = basin_map("rosenbrock", "sgd", 25, 25, 40, {"lr": 0.01}, schedule=options["schedules"]["sgd"],
                    max_grad_norm=1.0)
    assert final["outcomes"] == ref["outcomes"] and final["max_grad_norm"] == 1.0


@pytest.mark.parametrize("kwargs, match", [
    ({"size": 30}, "size must be one of 25, 50, 100"),
    ({"steps": 0}, "steps"),
    ({"optimizer": "sgdd"}, "sgdd"),
    ({"hyperparams": {"lr": -1}}, "lr"),
    ({"options": {"max_grad_norm": 0}}, "max_grad_norm"),
    ({"surface": {"custom": "import os", "bounds": [[0, 1], [0, 1]]}}, "column"),
])
def test_basin_checks_everything_before_computing(kwargs, match):
    args = {"surface": "himmelblau", "optimizer": "adam", **kwargs}
    with pytest.raises(ValueError, match=match):
        api_lab.basin(**args)


def test_tune_one_is_tune_without_clipping_and_json_ready():
    out = _json(api_lab.tune_one("himmelblau", "adam", {"lr": 0.5, "betas": [0.9, 0.999]}, steps=100))
    ref = tune("himmelblau", ["adam"], steps=100)
    assert out["result"]["lr"] == ref["results"]["adam"]["lr"]
    assert out["method"]["max_grad_norm"] is None and "no gradient clipping" in out["method"]["text"]
    assert "every other hyperparameter at torch's default and" in out["method"]["text"]
    fixed = api_lab.tune_one("himmelblau", "adam", {"betas": [0.8, 0.999]}, steps=50)["method"]["fixed"]
    assert "betas=(0.8, 0.999)" in fixed


def test_tune_one_reports_a_diverging_lr_as_none_not_inf():
    out = _json(api_lab.tune_one("rosenbrock", "sgd", steps=50))
    assert None in out["result"]["objective"] and out["result"]["diverged"][-1] > 0
