"""pycore.schedules against torch.optim.lr_scheduler: golden values (no torch needed) and, where torch is
installed, a live comparison on random specs."""
import functools
import importlib.util
import json
import math
import pathlib

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import pycore
from pycore.schedules import SCHEDULES, get_schedule, to_json, torch_code

GOLDEN = json.loads((pathlib.Path(__file__).parent / "fixtures" / "golden_schedules.json").read_text())
TOOL = pathlib.Path(__file__).resolve().parent.parent / "tools" / "make_golden_schedules.py"


def _close(ours, theirs, rel=1e-12):
    assert len(ours) == len(theirs)
    for t, (a, b) in enumerate(zip(ours, theirs)):
        assert math.isclose(a, b, rel_tol=rel, abs_tol=0.0), f"step {t + 1}: {a!r} != torch {b!r}"


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: json.dumps(c["spec"], separators=(",", ":")))
def test_matches_torch_golden(case):
    _close(get_schedule(case["spec"]).lrs(case["base_lr"], case["steps"]), case["lrs"])


@functools.lru_cache(maxsize=None)
def _tool():
    spec = importlib.util.spec_from_file_location("make_golden_schedules", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_golden_file_is_current():
    """The fixture holds exactly the tool's cases (regenerate with tools/make_golden_schedules.py)."""
    tool = _tool()
    assert [c["spec"] for c in GOLDEN["cases"]] == tool.CASES
    assert [c["steps"] for c in GOLDEN["cases"]] == [tool.steps_for(s) for s in tool.CASES]


def test_golden_covers_every_schedule_and_goes_past_cosine_period():
    names = {c["spec"]["name"] for c in GOLDEN["cases"]}
    assert names == set(SCHEDULES)
    assert any(c["spec"]["name"] == "cosine" and c["steps"] > 2 * c["spec"]["T_max"] for c in GOLDEN["cases"])


def test_cosine_follows_torch_recursion_not_closed_form():
    """torch's step() uses the recursive form: it rounds differently from the closed form in the last bits."""
    T, eta_min, base = 7, 0.0, 1.0
    ours = get_schedule({"name": "cosine", "T_max": T}).lrs(base, 300)
    closed = [eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / T)) / 2 for t in range(300)]
    assert sum(a != b for a, b in zip(ours, closed)) > 100
    assert max(abs(a - b) for a, b in zip(ours, closed)) < 1e-13
    assert ours[7] == 0.0 and ours[14] == 1.0 and ours[8] > 0  # rises again past T_max, no restart


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_spec_filled_json_ready_and_stable(name):
    s = get_schedule(SCHEDULES[name].example)
    assert s.name == name
    if name == "constant":
        assert s.spec is None and get_schedule(None).lrs(0.5, 3) == [0.5, 0.5, 0.5]
        return
    assert set(s.spec) == {"name"} | {p.name for p in SCHEDULES[name].params}
    assert json.loads(json.dumps(s.spec)) == s.spec
    assert get_schedule(s.spec).spec == s.spec
    lrs = s.lrs(0.1, 40)
    assert len(lrs) == 40 and all(isinstance(v, float) and math.isfinite(v) and v >= 0 for v in lrs)
    assert s.lrs(0.1, 0) == []


def test_defaults_are_torchs():
    assert get_schedule({"name": "step", "step_size": 3}).spec["gamma"] == 0.1
    assert get_schedule({"name": "cyclic", "base_lr": 0.1, "max_lr": 1}).spec == {
        "name": "cyclic", "base_lr": 0.1, "max_lr": 1.0, "step_size_up": 2000, "step_size_down": 2000,
        "mode": "triangular", "gamma": 1.0}
    one = get_schedule({"name": "one_cycle", "max_lr": 1, "total_steps": 10}).spec
    assert (one["pct_start"], one["anneal_strategy"], one["div_factor"], one["final_div_factor"],
            one["three_phase"]) == (0.3, "cos", 25.0, 1e4, False)
    warm = get_schedule({"name": "warmup_cosine", "T_max": 10}).spec
    assert (warm["start_factor"], warm["total_iters"], warm["eta_min"]) == (1.0 / 3, 5, 0.0)


def test_schedules_that_set_the_lr_ignore_the_optimizers():
    for name in ("cyclic", "one_cycle"):
        s = get_schedule(SCHEDULES[name].example)
        assert SCHEDULES[name].sets_lr and s.lrs(0.1, 30) == s.lrs(7.0, 30)
    for name in ("step", "exponential", "cosine", "warmup_cosine"):
        s = get_schedule(SCHEDULES[name].example)
        assert not SCHEDULES[name].sets_lr and s.lrs(0.1, 30) != s.lrs(7.0, 30)
    one = get_schedule({"name": "one_cycle", "max_lr": 0.5, "total_steps": 100})
    assert one.lrs(1.0, 1)[0] == pytest.approx(0.5 / 25, rel=1e-12)


@pytest.mark.parametrize("spec, words", [
    ({"name": "nope"}, ["unknown schedule 'nope'", "cosine"]),
    ({"gamma": 0.5}, ["'name'"]),
    ("cosine", ["'name'"]),
    ({"name": "step", "step_size": 3, "gama": 0.5}, ["step", "unknown parameter 'gama'", "gamma"]),
    ({"name": "constant", "lr": 1}, ["constant", "unknown parameter 'lr'"]),
    ({"name": "step"}, ["step_size is required", "at least 1"]),
    ({"name": "step", "step_size": 0}, ["step_size", "whole number", "from 1", "got 0"]),
    ({"name": "step", "step_size": 2.5}, ["step_size", "whole number"]),
    ({"name": "step", "step_size": True}, ["step_size", "whole number"]),
    ({"name": "step", "step_size": "ten"}, ["step_size", "whole number", "not a number"]),
    ({"name": "step", "step_size": 3, "gamma": 0.0}, ["gamma", "greater than 0 and at most 1"]),
    ({"name": "exponential", "gamma": 1.5}, ["gamma", "greater than 0 and at most 1", "1.5"]),
    ({"name": "exponential", "gamma": float("nan")}, ["gamma", "greater than 0 and at most 1"]),
    ({"name": "exponential", "gamma": None}, ["gamma is required"]),
    ({"name": "cosine", "T_max": 0}, ["T_max", "from 1"]),
    ({"name": "cosine", "T_max": 10, "eta_min": -1e-3}, ["eta_min", "at least 0"]),
    ({"name": "cosine", "T_max": 10, "eta_min": math.inf}, ["eta_min", "at least 0"]),
    ({"name": "warmup_cosine", "T_max": 10, "start_factor": 0}, ["start_factor", "greater than 0 and at most 1"]),
    ({"name": "warmup_cosine", "T_max": 10, "total_iters": -1}, ["total_iters", "from 0"]),
    ({"name": "cyclic", "max_lr": 0.1}, ["base_lr is required"]),
    ({"name": "cyclic", "base_lr": -0.1, "max_lr": 0.1}, ["base_lr", "at least 0"]),
    ({"name": "cyclic", "base_lr": 0.1, "max_lr": 1, "mode": "sine"}, ["mode", "'triangular'", "'exp_range'"]),
    ({"name": "one_cycle", "max_lr": 0.1}, ["total_steps is required"]),
    ({"name": "one_cycle", "max_lr": 0.1, "total_steps": 10, "pct_start": 1.5}, ["pct_start", "from 0 to 1"]),
    ({"name": "one_cycle", "max_lr": 0.1, "total_steps": 10, "anneal_strategy": "cosine"}, ["anneal_strategy"]),
    ({"name": "one_cycle", "max_lr": 0.1, "total_steps": 10, "div_factor": 0}, ["div_factor", "greater than 0"]),
    ({"name": "one_cycle", "max_lr": 0.1, "total_steps": 10, "three_phase": 2}, ["three_phase", "true or false"]),
    ({"name": "one_cycle", "max_lr": 0.1, "total_steps": 10, "pct_start": 0.1}, ["pct_start", "0 steps"]),
    ({"name": "one_cycle", "max_lr": 0.1, "total_steps": 10, "pct_start": 1.0}, ["pct_start", "0 steps"]),
    ({"name": "one_cycle", "max_lr": 0.1, "total_steps": 10, "pct_start": 0.55, "three_phase": True}, ["0 steps"]),
])
def test_bad_specs_name_the_field(spec, words):
    with pytest.raises(ValueError) as err:
        get_schedule(spec)
    for w in words:
        assert w in str(err.value)


def test_one_cycle_refuses_more_steps_than_total_steps():
    s = get_schedule({"name": "one_cycle", "max_lr": 0.1, "total_steps": 50})
    assert len(s.lrs(0.1, 50)) == 50
    with pytest.raises(ValueError, match=r"total_steps \(50\) must be at least the number of steps \(51\)"):
        s.lrs(0.1, 51)
    with pytest.raises(ValueError, match="total_steps"):
        pycore.run("sgd", "rosenbrock", steps=60, schedule={"name": "one_cycle", "max_lr": 0.1, "total_steps": 50})


def test_whole_floats_are_accepted_as_ints():
    assert get_schedule({"name": "cosine", "T_max": 30.0}).spec["T_max"] == 30
    assert isinstance(get_schedule({"name": "cosine", "T_max": 30.0}).spec["T_max"], int)


def test_registry_metadata_is_complete_and_json_ready():
    for key, rec in SCHEDULES.items():
        meta = to_json(rec)
        assert json.loads(json.dumps(meta)) == meta
        assert meta["key"] == key and meta["name"] and meta["latex"] and meta["summary"]
        for p in meta["params"]:
            assert p["doc"] and p["symbol"] and p["interval"]
            assert p["required"] == (p["default"] is None and "follows" not in p)
            if p["required"]:
                assert p["name"] in rec.example, f"{key}: the preset must give required {p['name']}"
            if p["kind"] == "choice":
                assert p["default"] in p["choices"]
        assert get_schedule(rec.example)
        code = torch_code(rec.example)
        assert ("cycle_momentum=False" in code) == rec.sets_lr


def test_run_records_the_schedule_and_uses_its_lrs():
    spec = {"name": "step", "step_size": 5, "gamma": 0.5}
    t = pycore.run("sgd", "rosenbrock", start=(-1.0, 0.5), steps=12, schedule=spec, lr=1e-3)
    assert t.schedule == {**spec} and t.lrs == get_schedule(spec).lrs(1e-3, 12)
    assert t.lrs[4] == 1e-3 and t.lrs[5] == 5e-4 and t.lrs[10] == 2.5e-4
    assert pycore.run("sgd", "rosenbrock", steps=3).schedule is None


# --- live comparison with torch (only where torch is installed) ---------------------------------------------
def _torch_lrs():
    pytest.importorskip("torch")
    return _tool().torch_lrs


_ints = st.integers(1, 120)
_unit = st.floats(0.01, 1.0)
_rate = st.floats(0.0, 2.0)
SPECS = st.one_of(
    st.fixed_dictionaries({"name": st.just("step"), "step_size": _ints, "gamma": _unit}),
    st.fixed_dictionaries({"name": st.just("exponential"), "gamma": _unit}),
    st.fixed_dictionaries({"name": st.just("cosine"), "T_max": _ints, "eta_min": st.floats(0.0, 0.5)}),
    st.fixed_dictionaries({"name": st.just("warmup_cosine"), "start_factor": _unit, "total_iters": st.integers(0, 60),
                           "T_max": _ints, "eta_min": st.floats(0.0, 0.5)}),
    st.fixed_dictionaries({"name": st.just("cyclic"), "base_lr": _rate, "max_lr": _rate, "step_size_up": _ints,
                           "step_size_down": _ints, "mode": st.sampled_from(["triangular", "triangular2", "exp_range"]),
                           "gamma": _unit}),
    st.fixed_dictionaries({"name": st.just("one_cycle"), "max_lr": st.floats(1e-4, 2.0),
                           "total_steps": st.integers(1, 150),
                           "pct_start": st.floats(0.0, 1.0), "anneal_strategy": st.sampled_from(["cos", "linear"]),
                           "div_factor": st.floats(1.0, 1e3), "final_div_factor": st.floats(1.0, 1e5),
                           "three_phase": st.booleans()}),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(spec=SPECS, base_lr=st.floats(1e-4, 3.0), steps=st.integers(0, 150))
def test_matches_live_torch(spec, base_lr, steps):
    torch_lrs = _torch_lrs()
    steps = min(steps, spec.get("total_steps", steps))
    try:
        ours = get_schedule(spec)
    except ValueError:
        assume(spec["name"] == "one_cycle")  # only one_cycle rejects specs inside these ranges: torch must fail too
        with pytest.raises(ZeroDivisionError):
            torch_lrs(SCHEDULES["one_cycle"].torch.format(**spec), base_lr, spec["total_steps"])
        return
    _close(ours.lrs(base_lr, steps), torch_lrs(torch_code(spec), base_lr, steps))
