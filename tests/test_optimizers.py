"""pycore's optimizers against torch.optim and lion-pytorch, and the registry's consistency.

Parity uses tests/fixtures/golden_torch.json (tools/make_golden.py): torch 2.13 runs in float64, every step's
parameters and optimizer state. "plain" is torch with ATEN_CPU_CAPABILITY=default (two roundings per op, what
pycore computes): bit-identical, except where torch's sqrt is not correctly rounded (<= 1e-15 relative).
"native" is torch's normal fused kernels: <= 1e-9 relative. With torch installed, a hypothesis test also
compares live on fresh random settings. No numpy here: these tests also run inside Pyodide.
"""
import functools
import inspect
import json
import math
import pathlib
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import pycore
from pycore.hyperparams import check
from pycore.optimizers import resolve
from tools.make_golden import SURFACES as GOLDEN_SURFACES, TORCH, ulp_apply

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "fixtures" / "golden_torch.json"
PLAIN_REL = 1e-15
NATIVE_REL = 1e-9


@functools.lru_cache(maxsize=None)
def golden():
    return json.loads(GOLDEN.read_text())


def _hp(run):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in run["hyperparams"].items()}


def _native(run, field):
    """The native-kernel values of ``field`` (stored as ulp distances from the plain ones)."""
    def apply(a, n):
        if isinstance(a, dict):
            return {k: apply(a[k], n[k]) for k in a}
        if isinstance(a, list):
            return [apply(x, m) for x, m in zip(a, n)]
        return ulp_apply(a, n)
    return apply(run[field], run["native"][field])


def _as_dicts(state_fields, states):
    """pycore states (tuples by state_fields, None = not created) as torch-style dicts of lists."""
    return [{k: list(v) if isinstance(v, tuple) else v for k, v in zip(state_fields, s) if v is not None}
            for s in states]


def _vec_err(a, b):
    """max |a_i - b_i| / max(|a|, |b|) for two numbers or two equal-length vectors (0 if both are 0)."""
    a, b = (a, b) if isinstance(a, list) else ([a], [b])
    scale = max(max(map(abs, a)), max(map(abs, b)))
    return max(abs(x - y) for x, y in zip(a, b)) / scale if scale else 0.0


def compare(points, states, want_points, want_states):
    """(worst relative error over points and states, bit-identical?) ; states are dicts by torch name."""
    assert len(points) == len(want_points) and len(states) == len(want_states)
    worst = max(_vec_err(list(p), q) for p, q in zip(points, want_points))
    for got, want in zip(states, want_states):
        assert got.keys() == want.keys(), (got.keys(), want.keys())
        worst = max([worst] + [_vec_err(got[k], want[k]) for k in want])
    same = [list(p) for p in points] == want_points and states == want_states
    return worst, same


def replay(run, grads):
    """pycore's rule fed torch's gradients: (points, states as dicts)."""
    spec, values, rule = resolve(run["optimizer"], _hp(run))
    params = tuple(run["start"])
    state = rule.init(params)
    lrs = run.get("lrs") or [values["lr"]] * len(grads)
    points, states = [params], []
    for g, lr in zip(grads, lrs):
        params, state = rule.update(tuple(g), state, params, lr)
        points.append(params)
        states.append(state)
    return points, _as_dicts(spec.state_fields, states)


def _label(run):
    extra = " (lr schedule)" if "lrs" in run else ""
    return f"{run['optimizer']} {run['hyperparams']} on {run['surface']} from {run['start']}{extra}"


# --- the golden file itself --------------------------------------------------------------------------------
def test_golden_file_covers_every_optimizer_with_defaults_and_other_settings():
    g = golden()
    assert g["torch"].startswith("2.13") and g["lion_pytorch"] == "0.2.5" and g["default_dtype"] == "float64"
    assert set(g["variants"]) == {"plain", "native"}
    runs = g["runs"]
    for key in pycore.OPTIMIZERS:
        settings_ = [r["hyperparams"] for r in runs if r["optimizer"] == key]
        assert {} in settings_, key
        assert any(s for s in settings_), key
    assert {r["surface"] for r in runs} == set(GOLDEN_SURFACES) and len(GOLDEN_SURFACES) >= 2
    assert all(len(r["points"]) == g["steps"] + 1 == len(r["states"]) + 1 for r in runs)
    assert any("lrs" in r for r in runs)


def test_golden_gradients_are_pycore_surface_gradients():
    """torch was fed exactly what pycore's surfaces compute, so run-level parity is meaningful."""
    for run in golden()["runs"]:
        grad = pycore.get_surface(run["surface"]).grad
        assert [list(grad(*p)) for p in run["points"][:-1]] == run["grads"], _label(run)


# --- parity with the golden trajectories -------------------------------------------------------------------
def test_rules_reproduce_torch_plain_kernels_bit_for_bit_or_within_1e15():
    runs = golden()["runs"]
    identical = 0
    for run in runs:
        points, states = replay(run, run["grads"])
        worst, same = compare(points, states, run["points"], run["states"])
        assert worst <= PLAIN_REL, f"{_label(run)}: {worst:.3g} relative"
        identical += same
    # The others differ by an ulp where torch's sqrt is not correctly rounded.
    print(f"{identical} of {len(runs)} runs bit-identical to torch's plain kernels")
    assert identical >= 0.9 * len(runs), f"only {identical} of {len(runs)} runs bit-identical"


def test_rules_match_torch_native_kernels_within_1e9():
    for run in golden()["runs"]:
        grads = _native(run, "grads")
        points, states = replay(run, grads)
        worst, _ = compare(points, states, _native(run, "points"), _native(run, "states"))
        assert worst <= NATIVE_REL, f"{_label(run)}: {worst:.3g} relative"


def test_pycore_run_reproduces_the_golden_trajectories():
    """The real entry point, pycore.run, on pycore's own surfaces: points, states and gradients."""
    for run in golden()["runs"]:
        if "lrs" in run:
            continue                                            # schedules are pycore.schedules' business
        t = pycore.run(run["optimizer"], run["surface"], start=tuple(run["start"]), steps=golden()["steps"],
                       **_hp(run))
        assert t.outcome != "diverged", _label(run)
        assert max(_vec_err(list(g), h) for g, h in zip(t.grads, run["grads"])) <= 1e-12, _label(run)
        worst, _ = compare(t.points, _as_dicts(t.state_fields, t.states), run["points"], run["states"])
        assert worst <= PLAIN_REL, f"{_label(run)}: {worst:.3g}"
        worst, _ = compare(t.points, _as_dicts(t.state_fields, t.states), _native(run, "points"),
                           _native(run, "states"))
        assert worst <= NATIVE_REL, f"{_label(run)}: {worst:.3g}"


# --- live torch on fresh random settings ----------------------------------------------------------------
_RANGES = {   # (low, high, log scale?) for drawing settings that stay on the surface for LIVE_STEPS steps
    "momentum": (0.0, 0.95, False), "dampening": (0.0, 1.0, False), "weight_decay": (0.0, 0.5, False),
    "eps": (1e-10, 1e-3, True), "alpha": (0.5, 0.999, False), "rho": (0.5, 0.99, False),
    "lr_decay": (0.0, 0.1, False), "initial_accumulator_value": (0.0, 1.0, False),
    "momentum_decay": (0.0, 0.05, False),
}
LIVE_STEPS = 30


def _draw(data, spec):
    hp = {}
    for h in spec.hyperparams:
        if h.kind == "bool":
            hp[h.name] = data.draw(st.booleans(), label=h.name)
        elif h.kind == "pair":
            hp[h.name] = tuple(data.draw(st.floats(0.5, 0.999), label=f"{h.name}[{i}]") for i in range(2))
        elif h.name == "lr":
            e = data.draw(st.floats(-1.0, 0.3), label="log10(lr/default)")
            hp["lr"] = h.default * 10 ** e
        else:
            lo, hi, log = _RANGES[h.name]                       # a KeyError: add the new hyperparameter here
            x = data.draw(st.floats(math.log10(lo), math.log10(hi)) if log else st.floats(lo, hi), label=h.name)
            hp[h.name] = 10 ** x if log else x
        if h.name == "momentum" and spec.key == "nesterov":
            hp[h.name] = max(hp[h.name], 0.05)
    if hp.get("nesterov"):
        hp["momentum"], hp["dampening"] = max(hp["momentum"], 0.05), 0.0
    return hp


@pytest.mark.parametrize("key", list(pycore.OPTIMIZERS))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_live_torch_on_random_settings(key, data):
    pytest.importorskip("torch")
    pytest.importorskip("lion_pytorch")
    from tools.make_golden import torch_run

    spec = pycore.OPTIMIZERS[key]
    hp = _draw(data, spec)
    surface = data.draw(st.sampled_from(sorted(GOLDEN_SURFACES)), label="surface")
    start = data.draw(st.sampled_from(GOLDEN_SURFACES[surface][2]), label="start")
    ref = torch_run(key, hp, surface, start, LIVE_STEPS)
    assume(len(ref["points"]) == LIVE_STEPS + 1 and all(abs(v) < 1e3 for p in ref["points"] for v in p))
    run = {"optimizer": key, "hyperparams": hp, "start": list(start)}
    points, states = replay(run, ref["grads"])
    worst, _ = compare(points, states, ref["points"], ref["states"])
    assert worst <= NATIVE_REL, f"{key} {hp} on {surface} from {start}: {worst:.3g} relative"


def test_torch_defaults_are_the_registry_defaults():
    torch = pytest.importorskip("torch")
    lion_pytorch = pytest.importorskip("lion_pytorch")
    for key, spec in pycore.OPTIMIZERS.items():
        ctor, pinned = TORCH[key]
        module, name = ctor.rsplit(".", 1)
        cls = getattr(lion_pytorch if module == "lion_pytorch" else torch.optim, name)
        sig = inspect.signature(cls.__init__).parameters
        for h in (h for h in spec.hyperparams if h.torch):
            want = pinned.get(h.name, sig[h.name].default)
            assert h.default == (tuple(want) if isinstance(want, (tuple, list)) else want), (key, h.name)
        assert spec.torch.startswith(ctor + "(params"), key
        assert set(pinned) <= {h.name for h in spec.hyperparams} | set(spec.fixed), key


# --- registry consistency ------------------------------------------------------------------------------------
SPECS = list(pycore.OPTIMIZERS.values())


def test_registry_has_the_twelve_optimizers_in_display_order():
    assert list(pycore.OPTIMIZERS) == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam",
                                       "adamw", "nadam", "radam", "adamax", "lion"]
    assert all(k == s.key for k, s in pycore.OPTIMIZERS.items())


def test_keys_names_colours_and_markers_are_unique():
    for field in ("key", "name", "color", "marker"):
        values = [getattr(s, field) for s in SPECS]
        assert len(set(values)) == len(values), field


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.key)
def test_factory_signature_is_the_spec(spec):
    params = inspect.signature(spec.make).parameters
    assert list(params) == [h.name for h in spec.hyperparams]
    for h in spec.hyperparams:
        assert params[h.name].default == h.default, h.name
    assert spec.make.__name__ == spec.key


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.key)
def test_defaults_are_valid_and_inside_the_ui_range(spec):
    names = [h.name for h in spec.hyperparams]
    assert len(set(names)) == len(names)
    for h in spec.hyperparams:
        assert check(h, h.default) == h.default, h.name
        if h.kind == "bool":
            continue
        for end in (h.ui_low, h.ui_high):
            check(h, (end, end) if h.kind == "pair" else end)   # the slider's ends are valid values
        for v in (h.default if h.kind == "pair" else (h.default,)):
            assert h.ui_low <= v <= h.ui_high, (h.name, v)
        assert h.scale in ("log", "linear") and (h.scale == "linear" or h.ui_low > 0), h.name


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.key)
def test_every_hyperparameter_is_accepted_and_state_fields_match(spec):
    for h in spec.hyperparams:                                  # each one set away from its default
        value = {"bool": not h.default, "pair": [0.5, 0.6], "float": (h.ui_low + h.ui_high) / 2}[h.kind]
        extra = {"momentum": 0.9} if h.name == "nesterov" else {}
        _, values, rule = resolve(spec.key, {h.name: value, **extra})
        assert values[h.name] == (tuple(value) if h.kind == "pair" else value) != h.default
    state = rule.init((1.0, 2.0))
    assert len(state) == len(spec.state_fields) and len(set(spec.state_fields)) == len(spec.state_fields)


def _balanced(s):
    depth = 0
    s = s.replace(r"\{", "").replace(r"\}", "")
    for c in s:
        depth += (c == "{") - (c == "}")
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.key)
def test_text_fields_are_filled(spec):
    assert all(isinstance(v, str) and v.strip() for v in (spec.name, spec.summary, spec.latex, spec.notes,
                                                           spec.reference, spec.torch))
    lines = spec.summary.split("\n")
    assert len(lines) == 2 and all(len(line.split()) >= 5 for line in lines)
    assert spec.latex.startswith(r"\begin{aligned}") and spec.latex.endswith(r"\end{aligned}")
    assert _balanced(spec.latex)
    for word in ("input", "initialize", "for", "return"):
        assert r"\textbf{" + word in spec.latex, word
    for h in spec.hyperparams:                                  # every hyperparameter is bound to its symbol
        assert r"\text{" + h.name.replace("_", r"\_") + "}" in spec.latex, h.name
    if any(h.name == "weight_decay" for h in spec.hyperparams):
        assert r"\lambda" in spec.latex
    assert "{" not in spec.notes and "}" not in spec.notes       # every default placeholder was filled
    assert ("lion-pytorch" if spec.key == "lion" else "torch.optim") in spec.notes
    assert "Keras" in spec.notes
    assert any(c.isdigit() for c in spec.reference)            # a year at least


def test_latex_renders_with_katex():
    node = shutil.which("node")
    katex = ROOT / "node_modules" / "katex"
    if node is None or not katex.is_dir():
        pytest.skip("node or node_modules/katex not installed")
    script = ("const k = require(process.argv[1]); const L = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "for (const [key, s] of Object.entries(L)) { try { k.renderToString(s, {throwOnError: true, "
              "displayMode: true}); } catch (e) { console.log(key + ': ' + e.message); } }")
    latex = json.dumps({s.key: s.latex for s in SPECS})
    r = subprocess.run([node, "-e", script, str(katex)], input=latex, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout == "", r.stdout + r.stderr
