"""The 2-D fast path (pycore.unroll): derived from pycore.rules, every pass unrolled, bit-identical to the general
rules for every optimizer and option, used by every run; and what the derivation refuses to unroll."""
import ast
import dis
import math
import textwrap
import types

import pytest
from hypothesis import given, settings, strategies as st

import pycore
from pycore import rules, trajectory, unroll
from pycore.optimizers import OPTIMIZERS, PLANAR_RULES, resolve

# Settings that take every branch of the rules: each flag both ways, weight decay coupled and decoupled,
# momentum with dampening, and β1 on both sides of 0.5 (torch's lerp changes form there).
OPTIONS = {
    "sgd": [{}, {"momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1}, {"momentum": 0.5, "nesterov": True}],
    "momentum": [{}, {"weight_decay": 0.2, "dampening": 0.1}],
    "nesterov": [{}, {"weight_decay": 0.2}],
    "adagrad": [{}, {"lr_decay": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 0.5}],
    "rmsprop": [{}, {"centered": True}, {"momentum": 0.9}, {"centered": True, "momentum": 0.5, "weight_decay": 0.1},
                {"alpha": 0.3}],
    "adadelta": [{}, {"weight_decay": 0.1, "rho": 0.5}],
    "adam": [{}, {"amsgrad": True}, {"weight_decay": 0.1}, {"weight_decay": 0.1, "decoupled_weight_decay": True},
             {"bias_correction": False}, {"betas": (0.3, 0.9)}],
    "adamw": [{}, {"amsgrad": True, "weight_decay": 0.5}],
    "nadam": [{}, {"weight_decay": 0.1}, {"weight_decay": 0.1, "decoupled_weight_decay": True}, {"betas": (0.2, 0.99)}],
    "radam": [{}, {"weight_decay": 0.1}, {"weight_decay": 0.1, "decoupled_weight_decay": True}],
    "adamax": [{}, {"weight_decay": 0.1, "betas": (0.4, 0.9)}],
    "lion": [{}, {"weight_decay": 0.1}, {"weight_decay": 0.1, "decoupled_weight_decay": True}],
}
CASES = [(key, hp) for key, options in OPTIONS.items() for hp in options]
FLOATS = st.floats(-1e3, 1e3, allow_nan=False)


def test_every_optimizer_has_cases():
    assert set(OPTIONS) == set(OPTIMIZERS)


def _same(a, b):
    """Equal values of the same types, all the way down (a tuple is not a list; -0.0 is not 0.0)."""
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b) or (math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


def _steps(rule, params, grads, lrs):
    """Every (new params, state) of ``rule`` over the gradients given, or the exception that ended it."""
    state, out = rule.init(params), []
    for g, lr in zip(grads, lrs):
        try:
            params, state = rule.update(g, state, params, lr)
        except (ArithmeticError, ValueError) as e:
            return out + [type(e)]
        out.append((params, state))
    return out


@pytest.mark.parametrize("key,hp", CASES, ids=[f"{k}-{i}" for k, i in
                                                 ((k, i) for k, o in OPTIONS.items() for i in range(len(o)))])
@settings(max_examples=25, deadline=None)
@given(start=st.tuples(FLOATS, FLOATS), grads=st.lists(st.tuples(FLOATS, FLOATS), min_size=1, max_size=12),
       lr=st.floats(1e-4, 1.0))
def test_the_derived_rule_is_bit_identical_to_the_general_one(key, hp, start, grads, lr):
    _, _, general = resolve(key, hp)
    _, _, planar = resolve(key, hp, planar=True)
    lrs = [lr * (1 + k) / len(grads) for k in range(len(grads))]     # a schedule: lr changes every step
    a, b = _steps(general, start, grads, lrs), _steps(planar, start, grads, lrs)
    assert _same(a, b), (a, b)


@pytest.mark.parametrize("key", [k for k, s in OPTIMIZERS.items() if any(h.name == "eps" for h in s.hyperparams)])
def test_a_failing_step_fails_alike(key):
    """eps = 0 with a zero gradient coordinate divides 0 by 0 in both."""
    grads = [(0.0, 1.0)] * 8          # RAdam divides only from step 6
    a = _steps(resolve(key, {"eps": 0.0})[2], (0.5, 0.5), grads, [0.1] * 8)
    b = _steps(resolve(key, {"eps": 0.0}, planar=True)[2], (0.5, 0.5), grads, [0.1] * 8)
    assert _same(a, b)
    assert a[-1] is ZeroDivisionError


def _runs_alike(monkeypatch, *args, **kwargs):
    fast = pycore.run(*args, **kwargs)
    monkeypatch.setattr(trajectory, "resolve", lambda opt, hp, planar: resolve(opt, hp))
    slow = pycore.run(*args, **kwargs)
    monkeypatch.undo()
    assert _same(tuple(fast), tuple(slow))
    return fast


@pytest.mark.parametrize("key,hp", CASES)
def test_runs_use_the_derived_rule_and_match_the_general_one(monkeypatch, key, hp):
    t = _runs_alike(monkeypatch, key, "himmelblau", (-4.0, 4.5), 150, schedule={"name": "step", "step_size": 40},
                    noise=0.5, seed=3, max_grad_norm=20.0, **hp)
    assert len(t.points) > 1


def test_a_run_that_diverges_ends_alike(monkeypatch):
    t = _runs_alike(monkeypatch, "sgd", "rosenbrock", (-1.5, 2.5), 50, lr=0.1)
    assert t.outcome == "diverged"


def _code_objects(module):
    todo = [f.__code__ for f in vars(module).values()
            if isinstance(f, types.FunctionType) and f.__module__ == module.__name__]
    while todo:
        code = todo.pop()
        yield code
        todo += [c for c in code.co_consts if isinstance(c, types.CodeType)]


def _loops(module):
    return [c.co_name for c in _code_objects(module) for i in dis.get_instructions(c) if i.opname == "FOR_ITER"]


def test_every_pass_over_coordinates_is_unrolled():
    assert _loops(rules), "the general rules loop over coordinates"
    assert _loops(PLANAR_RULES) == []


def test_only_the_functions_are_derived():
    assert PLANAR_RULES.Rule is rules.Rule and isinstance(resolve("adam", {}, planar=True)[2], pycore.Rule)
    assert PLANAR_RULES.adam is not rules.adam and PLANAR_RULES.adam.__name__ == "adam"


def test_the_derived_rules_take_any_state_the_run_records():
    """The run's state tuples hold exactly two floats per coordinate entry, as the general rule leaves them."""
    t = pycore.run("rmsprop", "rosenbrock", steps=3, centered=True, momentum=0.5)
    assert all(isinstance(s, tuple) and len(s) == 2 for state in t.states for s in state[1:])


# --- what the derivation refuses ---------------------------------------------------------------------------
def _derive(source, n=2):
    tree = unroll.unroll_source(textwrap.dedent(source), n)
    space = {}
    exec(compile(ast.fix_missing_locations(tree), "<test>", "exec"), space)
    return space


def test_a_simple_pass_unrolls_for_any_n():
    source = """
        def f(xs, ys):
            out = []
            for i, (x, y) in enumerate(zip(xs, ys)):
                out.append(x * y + i)
            return tuple(out), [x - y for x, y in zip(xs, ys)]
        """
    space = {}
    exec(textwrap.dedent(source), space)
    for n in (1, 2, 3):
        xs, ys = tuple(range(1, n + 1)), tuple(range(10, 10 + n))
        assert _derive(source, n)["f"](xs, ys) == space["f"](xs, ys)


@pytest.mark.parametrize("body,why", [
    ("for x, y in zip(xs, ys):\n        if x: break\n        out.append(x)", "break, continue or else"),
    ("for x, y in zip(xs, ys):\n        if x > y: out.append(x)", "changes from one coordinate to the next"),
    ("for x, y in zip(xs, ys):\n        out.append(x)\n        out.append(y)", "more than once in one pass"),
    ("for x, y in zip(sorted(xs), ys):\n        out.append(x)", "read without calls"),
    ("out.append(1)", "outside a pass"),
    ("for x, y in zip(xs, ys):\n        out.append(x + len(out))", "read inside the pass"),
    ("for x, y in zip(xs, ys):\n        for a, b in zip(xs, ys):\n            y = a", "a pass inside a pass"),
])
def test_what_cannot_be_unrolled_faithfully_is_refused(body, why):
    source = f"def f(xs, ys):\n    out = []\n    {body}\n    return out\n"
    with pytest.raises(ValueError, match=why):
        unroll.unroll_source(source, 2)
