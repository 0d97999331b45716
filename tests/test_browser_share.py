"""pycore.browser.share: the shared view (URL hash) is checked field by field, round-trips exactly, and refuses
hostile input with a ValueError (never another exception, never a partial view); schedule previews and
exports agree with pycore.run."""
import csv
import io
import json
import math
import urllib.parse

import pytest
from hypothesis import given, settings, strategies as st

import pycore
import pycore.expr
from pycore import specs
from pycore.browser import catalog, lab, presets, runs, share
from pycore.browser.share import decode_view, encode_view, validate_view
from pycore.optimizers import OPTIMIZERS
from pycore.schedules import SCHEDULES, get_schedule

BASE = {"v": 1, "surface": "rosenbrock", "start": [-1.5, 2.0], "steps": 300, "step": 120,
        "enabled": ["sgd", "adam"]}


def view(**changes):
    return {**BASE, **changes}


def test_minimal_view_is_completed_with_defaults():
    v = validate_view(view())
    assert v["enabled"] == ["sgd", "adam"]
    assert v["hyperparams"]["adam"] == runs.check_hyperparams("adam", {})
    assert set(v["hyperparams"]) == set(OPTIMIZERS)
    assert (v["schedules"], v["noise"], v["seed"], v["max_grad_norm"]) == ({}, 0.0, 0, None)
    assert v["preset"] == [] and v["preset_mode"] is False
    assert (v["custom"], v["data"]) == (None, None)


def test_full_view_round_trips_exactly():
    preset_lr = presets.preset("rosenbrock")["adam"]["lr"]
    full = view(hyperparams={"adam": {"lr": preset_lr, "betas": [0.8, 0.99]}, "sgd": {"momentum": 0.5}},
                preset=["adam"], preset_mode=True, noise=0.25, seed=7, max_grad_norm=1.5, step=0,
                schedules={"sgd": {"name": "cosine", "T_max": 300}, "adam": {"name": "one_cycle", "max_lr": 0.1,
                                                                              "total_steps": 300}},
                start=[0.1 + 0.2, -1 / 3])
    v = validate_view(full)
    text = encode_view(v)
    assert text.startswith("#view=")
    assert decode_view(text) == v
    assert v["start"] == [0.1 + 0.2, -1 / 3]  # floats survive the text form bit for bit
    assert v["schedules"]["sgd"] == get_schedule({"name": "cosine", "T_max": 300}).spec
    assert v["hyperparams"]["adam"]["betas"] == [0.8, 0.99]


def test_custom_and_data_surfaces_round_trip():
    for changes in ({"surface": "custom", "custom": {"expr": "x**2 + 3*sin(y)", "bounds": [[-3, 3], [-2, 2.5]]}},
                    {"surface": "linreg", "data": {"dataset": "linreg", "batch_size": 8, "seed": 5}}):
        v = validate_view(view(**changes))
        assert decode_view(encode_view(v)) == v
        assert v["surface"] == changes["surface"]
    assert v["data"] == {"dataset": "linreg", "batch_size": 8, "seed": 5}


ES = {"patience": 3, "min_delta": 0.001, "restore_best": True}
DATA_ES = {"surface": "linreg", "data": {"dataset": "linreg", "batch_size": 8, "seed": 0, "early_stopping": ES}}


def test_early_stopping_round_trips_in_the_link_and_is_left_out_when_off():
    v = validate_view(view(**{**DATA_ES, "data": {**DATA_ES["data"], "early_stopping": {**ES, "patience": "3"}}}))
    assert v["data"] == DATA_ES["data"]
    text = encode_view(v)
    assert decode_view(text) == v and "early_stopping" in urllib.parse.unquote(text)
    off = validate_view(view(surface="linreg", data={"dataset": "linreg", "early_stopping": None}))
    assert off["data"] == {"dataset": "linreg", "batch_size": 48, "seed": 0}
    assert "early_stopping" not in urllib.parse.unquote(encode_view(off))


def test_compact_form_leaves_out_defaults():
    text = encode_view(validate_view(view()))
    body = json.loads(__import__("urllib.parse").parse.unquote(text[len("#view="):]))
    assert set(body) == {"v", "surface", "start", "steps", "step", "enabled"}


@pytest.mark.parametrize("changes, message", [
    ({"surface": "nope"}, "unknown surface"),
    ({"evil": 1}, "unknown view field 'evil'"),
    ({"v": 2}, "version"),
    ({"start": [float("nan"), 0]}, "start x must be a number"),
    ({"start": [10 ** 400, 0]}, "start x must be a finite number"),
    ({"start": [3, 0]}, "start x must be from -2 to 2; got 3"),
    ({"start": [0, 1e300]}, "start y must be from -1 to 3; got 1e300"),
    ({"start": "12"}, "start must be a list"),
    ({"start": [True, 0]}, "start x must be a number from -2 to 2; got true"),
    ({"steps": 0}, "steps must be a whole number from 1 to 2000; got 0"),
    ({"steps": catalog.MAX_STEPS + 1}, "steps must be a whole number"),
    ({"step": 301}, "step must be a whole number"),
    ({"enabled": ["adam", "adam"]}, "twice"),
    ({"enabled": ["__import__('os')"]}, "unknown optimizer"),
    ({"hyperparams": {"adam": {"lr": -1}}}, "lr"),
    ({"hyperparams": {"adam": {"nope": 1}}}, "nope"),
    ({"hyperparams": {"adam": "lr=1"}}, "must map names"),
    ({"schedules": {"sgd": {"name": "exec"}}}, "unknown schedule"),
    ({"schedules": {"sgd": {"name": "step", "step_size": 0}}}, "step_size"),
    ({"noise": -0.1}, "gradient noise σ must be from 0 to 1000; got -0.1"),
    ({"noise": 1e9}, "gradient noise σ must be from 0 to 1000"),
    ({"noise": "abc"}, "gradient noise σ must be a number from 0 to 1000; 'abc' is not a number"),
    ({"noise": 10 ** 500}, "gradient noise σ must be a finite number"),
    ({"seed": -1}, "seed must be a whole number"),
    ({"seed": 1.5}, "seed must be a whole number"),
    ({"max_grad_norm": 0}, "max_grad_norm must be greater than 0 and at most 1e6"),
    ({"max_grad_norm": 10 ** 500}, "max_grad_norm must be a finite number"),
    ({"hyperparams": {"radam": {"optimizer": {}}}}, "unknown hyperparameter 'optimizer'"),
    ({"schedules": {"sgd": {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 10 ** 500}}},
     "step_size_up must be a whole number"),
    ({"schedules": {"sgd": {"name": "one_cycle", "max_lr": 0.1, "total_steps": 10 ** 500}}}, "total_steps"),
    ({"surface": "custom", "custom": {"expr": "x", "bounds": [[0, 1e-307], [0, 1e-307]]}}, "x range"),
    ({"surface": "custom", "custom": {"expr": "x", "bounds": [[0, 10 ** 500], [0, 1]]}}, "bounds x to"),
    ({"preset": ["adam"], "hyperparams": {"adam": {"lr": 0.123}}}, "not the preset's"),
    ({"preset_mode": "yes"}, "preset_mode"),
    ({"surface": "custom", "custom": {"expr": "__import__('os')", "bounds": [[-1, 1], [-1, 1]]}}, "__import__"),
    ({"surface": "custom", "custom": {"expr": "().__class__", "bounds": [[-1, 1], [-1, 1]]}}, ""),
    ({"surface": "custom", "custom": {"expr": "x" * 10_000, "bounds": [[-1, 1], [-1, 1]]}}, ""),
    ({"surface": "custom", "custom": {"expr": "x", "bounds": [[1, -1], [-1, 1]]}}, "bounds"),
    ({"surface": "custom", "custom": {"expr": "x", "bounds": "js.document"}}, "bounds"),
    ({"surface": "linreg", "data": {"dataset": "linreg", "batch_size": 0}}, "batch size"),
    ({"surface": "linreg", "data": {"dataset": "linreg", "batch_size": 49}}, "batch size must be a whole number from 1 to 48"),
    ({"surface": "linreg", "data": {"dataset": "linreg", "early_stopping": {"patience": -1}}},
     "early stopping patience must be a whole number of at least 0; got -1"),
    ({"surface": "linreg", "data": {"dataset": "linreg", "early_stopping": {"min_delta": "big"}}},
     "early stopping min_delta must be a number at least 0; 'big' is not a number"),
    ({"surface": "linreg", "data": {"dataset": "linreg", "early_stopping": {"restore_best": 2}}},
     "early stopping restore_best must be true or false"),
    ({"surface": "linreg", "data": {"dataset": "linreg", "early_stopping": {"monitor": "loss"}}},
     "early_stopping takes the fields patience, min_delta, restore_best"),
    ({"surface": "linreg", "data": {"dataset": "linreg", "early_stopping": "on"}}, "early_stopping must be null"),
    ({"surface": "linreg", "data": {"dataset": "os.system"}}, "unknown dataset"),
    ({"surface": "linreg", "data": {"dataset": "logreg"}}, "but the surface is 'linreg'"),
    ({"surface": "custom"}, "needs custom"),
    ({"custom": {"expr": "x", "bounds": [[-1, 1], [-1, 1]]}}, "takes neither"),
])
def test_bad_fields_are_named(changes, message):
    with pytest.raises(ValueError, match=None) as e:
        validate_view(view(**changes))
    assert message in str(e.value)


def test_a_custom_view_the_plot_cannot_draw_is_refused_in_words():
    """exp(x*y) over x near -1e6 and y up to 0 is finite only on the view's top edge: pycore.expr accepts it (its
    minima scan includes the edges), but every point the plot samples overflows. Found by the page's link fuzz:
    the link was accepted, then the plot refused it half-way through showing it."""
    bounds = [[-1001000.0, -999000.0], [-1001000.0, 0.0]]
    assert pycore.expr.custom_surface("exp(x*y)", bounds)          # the function alone is fine
    with pytest.raises(ValueError, match="at any of the 121 × 121 points where the plot samples the view"):
        validate_view(view(surface="custom", custom={"expr": "exp(x*y)", "bounds": bounds}, start=[-1e6, -1e-4]))
    verdict = lab.check_custom("exp(x*y)", bounds)
    assert verdict["ok"] is False and verdict["field"] == "bounds" and "plot samples the view" in verdict["message"]


def test_missing_fields_are_named():
    for k in ("start", "steps", "step", "enabled"):
        v = view()
        del v[k]
        with pytest.raises(ValueError, match=repr(k)):
            validate_view(v)


@pytest.mark.parametrize("text, message", [
    ("#view=" + "A" * 20_000, "at most"),
    ("#view=" + "A" * 10_000, "not valid JSON"),
    ("#view={not json", "not valid JSON"),
    ("#view=%ZZ%FF%FE", "not valid"),
    ("#view=" + "[" * 3000 + "]" * 3000, "nests 3000 levels deep"),
    ("#view=" + "[" * 5985 + "]" * 5985, "at most"),
    ("#view={\"v\":1,\"start\":[" + "1" * 5000 + ",0]}", ""),
    ("#view=[1,2]", "a view is a JSON object"),
    ("#view={\"v\":1,\"start\":[NaN,0]}", "NaN"),
    ("#<script>alert(1)</script>", "must start with"),
    ("#view=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", "not valid JSON"),
])
def test_hostile_hashes_are_refused_with_a_message(text, message):
    with pytest.raises(ValueError) as e:
        decode_view(text)
    assert message in str(e.value)
    assert len(str(e.value)) < 400  # a hostile value is quoted short, never echoed in full


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                               max_size=4), max_leaves=12)
FIELD = st.sampled_from(share.VIEW_KEYS + ("lr", "__proto__"))


HUGE = st.integers(min_value=10 ** 300, max_value=10 ** 4000) | st.integers(max_value=-10 ** 300) | \
    st.sampled_from([1e308, -1e308, 5e-324, 1e-307, 0.0, -0.0])
ANY = st.recursive(st.none() | st.booleans() | st.integers() | HUGE | st.floats(allow_nan=False) |
                   st.text(max_size=8) | st.sampled_from(list(OPTIMIZERS) + ["lr", "name", "optimizer", "custom"]),
                   lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                       st.text(max_size=12) | st.sampled_from(["lr", "betas", "name", "optimizer", "bounds", "expr"]),
                       inner, max_size=4), max_leaves=16)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(FIELD, JSON, max_size=6))
def test_fuzzed_fields_give_a_view_or_a_value_error(changes):
    try:
        v = validate_view(view(**changes))
    except ValueError:
        return
    assert decode_view(encode_view(v)) == v


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(FIELD, ANY, max_size=8))
def test_any_json_view_decodes_to_a_view_or_a_readable_value_error_and_runs(changes):
    """Arbitrary JSON, nested and typed at random, huge and tiny numbers included: decode answers with a view
    or a ValueError whose message is short and names something; every view it accepts runs without raising."""
    text = "#view=" + urllib.parse.quote(json.dumps(view(**changes), allow_nan=True))
    try:
        v = decode_view(text)
    except ValueError as e:
        assert 0 < len(str(e)) < 400 and "Traceback" not in str(e)
        return
    trajs, errors = runs.run_all(share.surface_spec(v), v["start"], min(v["steps"], 30),
                                 {k: v["hyperparams"][k] for k in v["enabled"]},
                                 {k: v[k] for k in ("schedules", "noise", "seed", "max_grad_norm")})
    assert set(trajs) | set(errors) == set(v["enabled"])


EARLY = st.none() | st.dictionaries(st.sampled_from(["patience", "min_delta", "restore_best", "monitor"]),
                                   ANY | st.integers(0, 6) | st.sampled_from(["2", "1e-3", " 0.5", True]),
                                   max_size=4) | ANY


@settings(max_examples=300, deadline=None)
@given(EARLY, st.sampled_from(["linreg", "logreg"]), st.integers(1, 48) | ANY)
def test_fuzzed_early_stopping_gives_a_view_or_a_value_error_and_runs(early, dataset, batch):
    """Early stopping in a link, typed at random: a view (which round-trips and runs) or a short ValueError."""
    data = {"dataset": dataset, "batch_size": batch, "early_stopping": early}
    text = "#view=" + urllib.parse.quote(json.dumps(view(surface=dataset, data=data, start=[0.5, 0.5]),
                                                    allow_nan=True))
    try:
        v = decode_view(text)
    except ValueError as e:
        assert 0 < len(str(e)) < 400 and "Traceback" not in str(e)
        return
    assert decode_view(encode_view(v)) == v
    assert ("early_stopping" in v["data"]) == (early is not None)
    trajs, errors = runs.run_all(share.surface_spec(v), v["start"], 30, {"sgd": {"lr": 0.1}})
    assert errors == {}
    json.dumps(runs.record(trajs["sgd"], specs.resolve_surface(dataset)), allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_fuzzed_text_gives_a_view_or_a_value_error(text):
    for t in (text, "#view=" + text):
        try:
            decode_view(t)
        except ValueError:
            pass


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(OPTIMIZERS)), st.floats(1e-6, 1.0), st.integers(0, share.MAX_SEED),
       st.floats(0, 10), st.one_of(st.none(), st.floats(1e-3, 100)), st.integers(1, 50))
def test_valid_views_round_trip(key, lr, seed, noise, clip, step):
    v = validate_view(view(enabled=[key], hyperparams={key: {"lr": lr}}, seed=seed, noise=noise,
                           max_grad_norm=clip, steps=50, step=step))
    assert decode_view(encode_view(v)) == v


# ---- schedules --------------------------------------------------------------------------------------------
def test_schedule_catalog_lists_every_schedule_once():
    cat = share.schedule_catalog()
    assert [s["key"] for s in cat] == list(SCHEDULES)
    assert json.loads(json.dumps(cat, allow_nan=False)) == cat


@pytest.mark.parametrize("key", list(SCHEDULES))
def test_schedule_curve_is_the_schedules_lrs(key):
    spec = SCHEDULES[key].example
    c = share.schedule_curve(spec, 0.01, 200)
    assert c["lrs"] == get_schedule(spec).lrs(0.01, 200)
    assert c["sets_lr"] == SCHEDULES[key].sets_lr
    assert c["spec"] == get_schedule(spec).spec


def test_schedule_curve_stops_where_torchs_recursion_leaves_the_float_range():
    """Cosine's recursion doubles the lr one step past a trough: 1e308 becomes inf at step 3, as in torch. The
    preview stops before it and says where; never an infinity in the answer (the page could not send it)."""
    c = share.schedule_curve({"name": "cosine", "T_max": 1}, 1e308, 6)
    assert c["lrs"] == [1e308, 0.0] and c["overflow"] == 3
    assert json.loads(json.dumps(c, allow_nan=False)) == c
    assert share.schedule_curve({"name": "cosine", "T_max": 1}, 1.0, 6)["overflow"] is None


def test_schedule_curve_refuses_a_bad_spec():
    with pytest.raises(ValueError, match="total_steps"):
        share.schedule_curve({"name": "one_cycle", "max_lr": 0.1, "total_steps": 10}, 0.01, 50)


# ---- exports ----------------------------------------------------------------------------------------------
def _trajs():
    opts = {"noise": 0.3, "seed": 3, "max_grad_norm": 2.0, "schedules": {"adam": {"name": "exponential", "gamma": 0.99}}}
    return runs.run_all("rosenbrock", (-1.5, 2.0), 40, {"sgd": {"lr": 1e-3}, "adam": {"lr": 0.05}}, opts)[0]


def test_csv_rows_are_the_runs_bit_for_bit():
    trajs = _trajs()
    rows = list(csv.DictReader(io.StringIO(share.trajectories_csv(trajs, ["sgd", "adam"]))))
    assert tuple(rows[0]) == share.CSV_COLUMNS
    assert len(rows) == sum(len(t.points) for t in trajs.values())
    for r in rows:
        t, k = trajs[r["optimizer"]], int(r["step"])
        assert (float(r["x"]), float(r["y"]), float(r["loss"])) == (*t.points[k], t.losses[k])
        assert r["outcome"] == t.outcome
        if k == 0:
            assert r["gx"] == r["gy"] == r["lr"] == ""
        else:
            assert (float(r["gx"]), float(r["gy"]), float(r["lr"])) == (*t.grads[k - 1], t.lrs[k - 1])
    adam = [r for r in rows if r["optimizer"] == "adam"]
    assert float(adam[2]["lr"]) == 0.05 * 0.99  # the schedule is in the lr column


def test_json_export_is_each_runs_record_and_the_view():
    trajs = _trajs()
    v = validate_view(view())
    out = json.loads(json.dumps(share.trajectories_json(trajs, ["adam"], v), allow_nan=False))
    assert out["view"] == v
    assert list(out["runs"]) == ["adam"]
    ref = pycore.run("adam", "rosenbrock", start=(-1.5, 2.0), steps=40, lr=0.05, noise=0.3, seed=3,
                     max_grad_norm=2.0, schedule={"name": "exponential", "gamma": 0.99})
    assert out["runs"]["adam"]["points"] == [list(p) for p in ref.points]
    assert out["runs"]["adam"]["stats"]["outcome"] == ref.outcome
    assert out["runs"]["adam"]["max_grad_norm"] == 2.0 and out["runs"]["adam"]["noise"] == 0.3
    assert all(math.isfinite(v) for v in out["runs"]["adam"]["losses"])


def test_a_long_view_still_fits_in_a_link():
    """Every optimizer with changed, long-digit settings and a cyclic schedule, a long custom f: still a link."""
    long = 0.123456789012345
    hps = {}
    for key in OPTIMIZERS:
        values = {n: ([long, 0.98765432109876] if isinstance(v, list) else long if isinstance(v, float) else v)
                  for n, v in runs.check_hyperparams(key, {}).items()}
        try:
            hps[key] = runs.check_hyperparams(key, values)
        except ValueError:
            hps[key] = {"lr": long}
    cyclic = {"name": "cyclic", "base_lr": long / 100, "max_lr": long / 10, "step_size_up": 1000,
              "step_size_down": 999, "mode": "exp_range", "gamma": 0.999999999}
    expr = " + ".join(["sin(x)*cos(y) + (x**2 - y)**2/(1 + x**2)"] * 9)
    assert 300 < len(expr) <= pycore.expr.MAX_LENGTH
    v = validate_view(view(surface="custom", custom={"expr": expr, "bounds": [[-3.123456789, 3.1], [-2.1, 2.123456789]]},
                           steps=catalog.MAX_STEPS, step=catalog.MAX_STEPS - 1, enabled=list(OPTIMIZERS), hyperparams=hps,
                           schedules={k: cyclic for k in OPTIMIZERS}, noise=long, seed=share.MAX_SEED,
                           max_grad_norm=long))
    text = encode_view(v)
    assert len(text) < share.MAX_HASH * 0.75
    assert decode_view(text) == v


def test_exports_on_a_data_surface_carry_the_epochs_and_early_stopping():
    spec = DATA_ES["data"]
    trajs, _ = runs.run_all(spec, (-1.5, 2.0), 300, {"sgd": {"lr": 0.05}, "adam": {"lr": 0.05}})
    order = ["sgd", "adam"]
    rows = list(csv.DictReader(io.StringIO(share.trajectories_csv(trajs, order))))
    assert tuple(rows[0]) == share.CSV_COLUMNS + share.EPOCH_COLUMNS
    for key in order:
        t, mb = trajs[key], trajs[key].minibatch
        mine = [r for r in rows if r["optimizer"] == key]
        assert len(mine) == len(t.points)
        ends = [r for r in mine if r["epoch"]]
        assert [int(r["step"]) for r in ends] == [e * mb["steps_per_epoch"] for e in range(mb["epochs"] + 1)]
        assert [float(r["val_loss"]) for r in ends] == mb["val_losses"]
        assert [float(r["loss"]) for r in ends] == mb["epoch_losses"]
        assert all(r["val_loss"] == "" for r in mine if not r["epoch"])
    stopped = trajs["sgd"].minibatch["early_stopping"]
    last = [r for r in rows if r["optimizer"] == "sgd"][-1]      # the run ends at the stop step, an epoch's end
    assert int(last["epoch"]) == stopped["stopped_epoch"] and int(last["step"]) == 6 * stopped["stopped_epoch"] < 300
    stats = {r["optimizer"]: r for r in csv.DictReader(io.StringIO(share.stats_csv(trajs, order, spec)))}
    assert int(stats["sgd"]["stopped_epoch"]) == stopped["stopped_epoch"]
    assert int(stats["sgd"]["best_epoch"]) == stopped["best_epoch"]
    assert float(stats["sgd"]["best_val_loss"]) == stopped["best_val_loss"]
    assert [float(stats["sgd"]["restored_x"]), float(stats["sgd"]["restored_y"])] == stopped["restored"]["point"]
    v = validate_view(view(**DATA_ES))
    out = json.loads(json.dumps(share.trajectories_json(trajs, order, v), allow_nan=False))
    assert out["view"]["data"]["early_stopping"] == ES
    for key in order:
        run = out["runs"][key]
        mb = trajs[key].minibatch
        assert run["val_losses"] == mb["val_losses"] and run["epoch_losses"] == mb["epoch_losses"]
        assert run["early_stopping"] == run["stats"]["minibatch"]["early_stopping"] == json.loads(json.dumps(
            mb["early_stopping"]))


def test_stats_on_a_data_surface_without_early_stopping_leave_its_cells_empty():
    trajs, _ = runs.run_all({"dataset": "logreg", "batch_size": 12}, (0.5, 0.5), 20, {"sgd": {}})
    (row,) = csv.DictReader(io.StringIO(share.stats_csv(trajs, ["sgd"], "logreg")))
    assert all(row[c] == "" for c in share.STOPPING_COLUMNS)
    assert "epoch" not in share.trajectories_csv(_trajs(), ["sgd"]).splitlines()[0]
