"""pycore.specs and pycore.browser.lab: surface specs, mini-batch runs through runs.run_all, the custom-function
verdict, basin maps in chunks and lr tuning for the page's workers; every answer is JSON-ready and matches the
pycore function it wraps."""
import json
import math

import pytest

import pycore
from pycore import specs
from pycore.browser import catalog, lab, presets, runs
from pycore.compare import basin_map
from pycore.datasets import DATASETS, run_minibatch
from pycore.tuning import tune

CUSTOM = {"custom": "x**2 + 3*sin(y)", "bounds": [[-3, 3], [-3, 3]]}


def _json(data):
    return json.loads(json.dumps(data, allow_nan=False))


# ---- resolving specs -----------------------------------------------------------------------------------------
def test_keys_resolve_to_the_registries():
    assert specs.resolve_surface("rosenbrock") is pycore.SURFACES["rosenbrock"]
    assert specs.resolve_surface("linreg") is DATASETS["linreg"].surface
    assert specs.resolve_surface({"dataset": "logreg", "batch_size": 4, "seed": 9}) is DATASETS["logreg"].surface


def test_custom_spec_is_parsed_once_and_cached():
    a = specs.resolve_surface(CUSTOM)
    b = specs.resolve_surface({"custom": CUSTOM["custom"], "bounds": [[-3.0, 3.0], [-3.0, 3.0]]})
    assert a is b and a.key == "custom" and a.computed
    (m,) = a.minima
    assert (m.x, m.y, m.value) == pytest.approx((0.0, -math.pi / 2, -3.0), abs=1e-9)


@pytest.mark.parametrize("spec, match", [
    ("nowhere", "unknown surface"),
    ({"custom": "x", "bounds": [[1, 0], [0, 1]]}, "x from must be less than x to"),
    ({"custom": "x", "bounds": [[0, 1e-307], [0, 1]]}, "x range"),
    ({"custom": "x", "bounds": [[0, 5e-324], [0, 5e-324]]}, "x range"),
    ({"custom": "x", "bounds": [[1e9, 1e9 + 1e-3], [0, 1]]}, "x range"),
    ({"custom": "x", "bounds": [[0, 10 ** 400], [0, 1]]}, "bounds x to"),
    ({"custom": "x"}, "takes the fields custom, bounds"),
    ({"custom": 3, "bounds": [[0, 1], [0, 1]]}, "custom must be the text"),
    ({"custom": "__import__('os')", "bounds": [[0, 1], [0, 1]]}, "unknown name '__import__'"),
    ({"dataset": "mnist"}, "unknown dataset"),
    ({"dataset": "linreg", "batch_size": 0}, r"batch size must be a whole number from 1 to 48"),
    ({"dataset": "linreg", "batch_size": 49}, "batch size"),
    ({"dataset": "linreg", "seed": -1}, "seed"),
    ({"dataset": "linreg", "seed": 1.5}, "seed"),
    ({"dataset": "linreg", "lr": 1}, "takes the fields dataset, batch_size, seed, early_stopping"),
    ({"dataset": "linreg", "early_stopping": {"patience": -2}}, "early stopping patience must be a whole number"),
    ({"dataset": "linreg", "early_stopping": 5}, "early_stopping must be null"),
    ({"surface": "rosenbrock"}, "a surface spec is"),
])
def test_bad_specs_are_refused_by_name(spec, match):
    with pytest.raises(ValueError, match=match):
        specs.resolve_surface(spec)
    with pytest.raises(ValueError, match=match):
        runs.run_all(spec, (0.5, 0.5), 10, {"sgd": {}})


# ---- runs on specs ---------------------------------------------------------------------------------------------
def test_run_all_on_a_dataset_spec_is_run_minibatch():
    spec = {"dataset": "linreg", "batch_size": 8, "seed": 3}
    trajs, errors = runs.run_all(spec, (0.0, 0.0), 40, {"adam": {"lr": 0.1}, "sgd": {}})
    assert errors == {}
    for key, hp in (("adam", {"lr": 0.1}), ("sgd", {})):
        ref = run_minibatch(key, "linreg", (0.0, 0.0), steps=40, batch_size=8, seed=3, **hp)
        assert trajs[key].points == ref.points and trajs[key].losses == ref.losses
        rec = _json(runs.record(trajs[key], specs.resolve_surface(spec)))
        assert rec["minibatch"] == _json(ref.minibatch)
        assert rec["minibatch"]["steps_per_epoch"] == 6 and rec["minibatch"]["early_stopping"] is None


def test_run_all_on_a_spec_with_early_stopping_is_run_minibatch_with_it():
    es = {"patience": 2, "min_delta": 1e-3, "restore_best": True}
    spec = {"dataset": "linreg", "batch_size": 8, "seed": 0, "early_stopping": {**es, "patience": "2"}}
    trajs, errors = runs.run_all(spec, (-1.5, 2.0), 300, {"sgd": {"lr": 0.05}})
    ref = run_minibatch("sgd", "linreg", (-1.5, 2.0), steps=300, batch_size=8, seed=0, early_stopping=es, lr=0.05)
    t = trajs["sgd"]
    assert errors == {} and t.points == ref.points and len(t.points) < 301
    rec = _json(runs.record(t, specs.resolve_surface(spec)))
    assert rec["minibatch"] == _json(ref.minibatch) and rec["n"] == len(ref.points)
    assert rec["minibatch"]["early_stopping"]["restored"]["point"] == list(ref.points[6 * rec["minibatch"]["early_stopping"]["best_epoch"]])
    records, floats = runs.pack(trajs, spec)
    assert len(floats) == 3 * len(ref.points) and records["sgd"]["minibatch"] == rec["minibatch"]


def test_full_batch_is_plain_gradient_descent_on_the_data_loss():
    trajs, _ = runs.run_all({"dataset": "logreg", "batch_size": 48, "seed": 5}, (-1.0, 2.0), 30, {"momentum": {}})
    ref = pycore.run("momentum", DATASETS["logreg"].surface, (-1.0, 2.0), 30)
    assert trajs["momentum"].points == ref.points


def test_run_all_on_a_custom_spec_matches_run():
    trajs, _ = runs.run_all(CUSTOM, (1.0, 1.0), 50, {"adam": {"lr": 0.05}})
    ref = pycore.run("adam", specs.resolve_surface(CUSTOM), (1.0, 1.0), 50, lr=0.05)
    assert trajs["adam"].points == ref.points
    assert "minibatch" not in runs.record(trajs["adam"], specs.resolve_surface(CUSTOM))


# ---- records and the custom verdict ----------------------------------------------------------------------------
def test_surface_records_for_data_name_their_axes_and_batches():
    rec = _json(catalog.surface_record({"dataset": "linreg", "batch_size": 10, "seed": 2}))
    assert rec["axes"] == ["w", "b"] and set(catalog.SHORT_NAMES) == set(DATASETS)
    assert rec["data"] == {"dataset": "linreg", "n": 48, "n_val": 16, "params": ["w", "b"], "batch_size": 10,
                           "seed": 2, "steps_per_epoch": 5, "early_stopping": None}
    on = catalog.surface_record({"dataset": "linreg", "early_stopping": {"patience": "4", "restore_best": True}})
    assert on["data"]["early_stopping"] == {"patience": 4, "min_delta": 0.0, "restore_best": True}
    assert on["data"]["batch_size"] == 48 and on["data"]["steps_per_epoch"] == 1
    assert rec["minima"][0]["is_global"] and not rec["computed"]
    cat = _json(catalog.catalog())
    assert [r["key"] for r in cat["datasets"]] == list(DATASETS)


@pytest.mark.parametrize("expr, column", [
    ("__import__('os')", 1), ("().__class__", 2), ("js.document", 1), ("x + y)", 6),
    ("x" * 10_000, 501), ("9**9**9", 2), ("exp(1000) * x", 1),
])
def test_hostile_or_broken_text_gets_a_verdict_with_its_column(expr, column):
    v = lab.check_custom(expr, [[-1, 1], [-1, 1]])
    assert v["ok"] is False and v["field"] == "expr"
    assert v["column"] == column and v["pos"] == column - 1 and v["message"]


def test_a_valid_function_gets_its_surface_and_gradient():
    v = _json(lab.check_custom("x**2 + 3*sin(y)", [[-3, 3], [-3, 3]]))
    assert v["ok"] and v["surface"]["key"] == "custom" and v["surface"]["computed"] is True
    assert v["gradient_text"] == ["2*x", "3*cos(y)"]
    bad = lab.check_custom("x", [[0, 0], [0, 1]])
    assert bad == {"ok": False, "field": "bounds", "message": bad["message"]} and "x from" in bad["message"]


def test_grid_and_preset_take_specs():
    g = catalog.surface_grid(CUSTOM)
    assert g["surface"] == "custom" and len(g["values"]) == catalog.GRID ** 2
    assert catalog.surface_grid(CUSTOM) is g  # cached: the same custom surface object
    assert presets.preset("linreg") == presets.preset(DATASETS["linreg"].surface)


def test_caches_stay_bounded_over_200_new_functions():
    """Each new custom function is parsed, gridded and preset once; the caches keep only the latest few."""
    for i in range(200):
        spec = {"custom": f"(x - {i / 100})**2 + y**2", "bounds": [[-2, 2], [-2, 2]]}
        catalog.surface_grid(spec)
        runs.run_all(spec, [1.0, 1.0], 20, {"adam": {}})
        if i % 50 == 0:
            presets.preset(spec)
    sizes = {**specs.cache_sizes(), "grids": catalog.grid_cache_size(), "presets": presets.preset_cache_size()}
    assert sizes["custom surfaces"] <= specs.CUSTOM_CACHE and sizes["grids"] <= catalog.GRID_CACHE
    assert sizes["presets"] <= presets.PRESET_CACHE and sizes["gradient scales"] <= 64


# ---- basin maps and tuning for the workers ------------------------------------------------------------------------
def _assemble(plan, head, order=None):
    """Compute every chunk (in ``order``, e.g. as a pool of workers would) and put the map together."""
    outcomes = [None] * (head["nx"] * head["ny"])
    chunks = head["chunks"] if order is None else [head["chunks"][i] for i in order]
    for c in chunks:
        for i, v in zip(c["cells"], lab.basin_chunk(plan, c["cells"])):
            outcomes[i] = v
    return outcomes


def test_basin_chunks_in_any_order_make_basin_map():
    plan, head = lab.basin_job("himmelblau", "adam", {"lr": 0.1}, size=25, steps=60)
    cells = [i for c in head["chunks"] for i in c["cells"]]
    assert sorted(cells) == list(range(625))                       # every cell exactly once
    assert head["chunks"][0]["stride"] == 8 and head["chunks"][-1]["stride"] == 1
    ref = basin_map("himmelblau", "adam", 25, 25, 60, {"lr": 0.1})
    assert _assemble(plan, head) == ref["outcomes"]
    backwards = list(range(len(head["chunks"])))[::-1]
    assert _assemble(plan, head, backwards) == ref["outcomes"]


def test_chunks_are_sized_by_the_cost_of_the_surface():
    levels = [(1, list(range(10000)))]
    cheap = lab.chunks(levels, 300, 1e-6)
    dear = lab.chunks(levels, 300, 1e-4)
    assert len(cheap[0]["cells"]) > 50 * len(dear[0]["cells"]) // 100 and len(dear[0]["cells"]) >= 1
    assert len(lab.chunks(levels, 2000, 1e-2)[0]["cells"]) == 1


class _Clock:
    """A clock that moves only when the surface is evaluated (``per_call`` seconds per call of f or ∇f), read
    to ``tick`` as a browser's workers read theirs (coarsened to 0.1 ms)."""

    def __init__(self, per_call, tick=1e-4):
        self.now, self.per_call, self.tick = 0.0, per_call, tick

    def __call__(self):
        return math.floor(self.now / self.tick) * self.tick

    def surface(self, surf):
        def spend(fn):
            def timed(x, y):
                self.now += self.per_call
                return fn(x, y)
            return timed
        return pycore.surfaces.Surface(**{**surf._asdict(), "f": spend(surf.f), "grad": spend(surf.grad)})


@pytest.mark.parametrize("per_call", [2e-6, 5e-5, 3e-3])
def test_evaluation_cost_is_measured_with_a_coarse_clock(per_call):
    """One evaluation of f and ∇f is far below a browser worker's 0.1 ms clock tick: the cost is what a long
    enough run of them measures (timed one by one, every evaluation read as 0 and basin chunks took seconds)."""
    clock = _Clock(per_call)
    cost = lab.evaluation_cost(clock.surface(pycore.SURFACES["himmelblau"]), clock=clock)
    assert cost == pytest.approx(2 * per_call, rel=0.01)
    chunk = len(lab.chunks([(1, list(range(10000)))], 300, cost)[0]["cells"])
    assert chunk == min(lab.MAX_CHUNK, max(1, int(lab.CHUNK_SECONDS / (2 * 2 * per_call * 300))))


def test_evaluation_cost_ends_with_a_clock_that_does_not_move():
    assert lab.evaluation_cost(pycore.SURFACES["himmelblau"], clock=lambda: 0.0) > 0


def test_basin_applies_the_schedule_and_clipping_of_the_chosen_optimizer():
    options = {"schedules": {"sgd": {"name": "step", "step_size": 20, "gamma": 0.5}}, "max_grad_norm": 1.0,
               "noise": 0.5}
    plan, head = lab.basin_job("rosenbrock", "sgd", {"lr": 0.01}, size=25, steps=40, options=options)
    ref = basin_map("rosenbrock", "sgd", 25, 25, 40, {"lr": 0.01}, schedule=options["schedules"]["sgd"],
                    max_grad_norm=1.0)
    assert _assemble(plan, head) == ref["outcomes"] and head["max_grad_norm"] == 1.0
    assert head["ignored"] == ["gradient noise"]


def test_basin_on_a_data_spec_is_the_full_batch_training_loss_and_says_what_it_ignores():
    spec = {"dataset": "linreg", "batch_size": 8, "early_stopping": {"patience": 2}}
    plan, head = lab.basin_job(spec, "adam", {"lr": 0.1}, size=25, steps=40)
    assert _assemble(plan, head) == basin_map(DATASETS["linreg"].surface, "adam", 25, 25, 40, {"lr": 0.1})["outcomes"]
    assert head["ignored"] == ["mini-batches", "early stopping"]
    assert lab.basin_job({"dataset": "linreg"}, "adam", size=25, steps=5)[1]["ignored"] == ["mini-batches"]


def test_basin_share_summarises_the_whole_map():
    share = lab.basin_share("himmelblau", "adam", {"lr": 0.1}, size=25, steps=60)
    ref = basin_map("himmelblau", "adam", 25, 25, 60, {"lr": 0.1})
    assert share["counts"] == ref["counts"] and share["global_share"] == ref["global_share"]
    assert "chunks" not in share and json.loads(json.dumps(share, allow_nan=False)) == share


@pytest.mark.parametrize("kwargs, match", [
    ({"size": 30}, "one of 25, 50, 100"),
    ({"steps": 0}, "steps"),
    ({"optimizer": "sgdd"}, "sgdd"),
    ({"hyperparams": {"lr": -1}}, "lr"),
    ({"hyperparams": {"optimizer": 1}}, "unknown hyperparameter"),
    ({"options": {"max_grad_norm": 0}}, "max_grad_norm"),
    ({"surface": {"custom": "import os", "bounds": [[0, 1], [0, 1]]}}, "column"),
])
def test_basin_checks_everything_before_computing(kwargs, match):
    args = {"surface": "himmelblau", "optimizer": "adam", **kwargs}
    with pytest.raises(ValueError, match=match):
        lab.basin_job(**args)


def test_tune_one_is_tune_without_clipping_and_json_ready():
    out = _json(lab.tune_one("himmelblau", "adam", {"lr": 0.5, "betas": [0.9, 0.999]}, steps=100))
    ref = tune("himmelblau", ["adam"], steps=100)
    assert out["result"]["lr"] == ref["results"]["adam"]["lr"]
    assert out["method"]["max_grad_norm"] is None and "no gradient clipping" in out["method"]["text"]
    assert "every other hyperparameter at torch's default and" in out["method"]["text"]
    fixed = lab.tune_one("himmelblau", "adam", {"betas": [0.8, 0.999]}, steps=50)["method"]["fixed"]
    assert "betas=(0.8, 0.999)" in fixed


def test_tune_one_reports_a_diverging_lr_as_none_not_inf():
    out = _json(lab.tune_one("rosenbrock", "sgd", steps=50))
    assert None in out["result"]["objective"] and out["result"]["diverged"][-1] > 0
