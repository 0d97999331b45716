"""Hyperparameter validation: bad values raise ValueError naming the parameter and the allowed interval, before
any step runs, directly and through pycore.run."""
import math

import pytest
from hypothesis import given, strategies as st

import pycore
from pycore.hyperparams import check, hp, interval, to_json, validate
from pycore.optimizers import resolve

# (optimizer, bad settings, text the message must contain)
BAD = [
    ("adam", {"lr": -0.1}, ["lr", "at least 0", "-0.1"]),
    ("sgd", {"lr": -1}, ["lr", "at least 0"]),
    ("lion", {"lr": 0.0}, ["lr", "greater than 0"]),
    ("adam", {"betas": (0.9, 1.0)}, ["betas[1]", "from 0 up to but not including 1"]),
    ("nadam", {"betas": (1.5, 0.9)}, ["betas[0]", "from 0 up to but not including 1"]),
    ("lion", {"betas": (0.9, 1.01)}, ["betas[1]", "from 0 to 1"]),
    ("adam", {"betas": (0.9,)}, ["betas", "pair"]),
    ("radam", {"betas": (0.9, 0.99, 0.5)}, ["betas", "pair"]),
    ("adamax", {"betas": 0.9}, ["betas", "pair"]),
    ("adam", {"betas": (0.9, True)}, ["betas[1]", "number"]),
    ("adam", {"lr": True}, ["lr", "number", "at least 0", "true"]),
    ("rmsprop", {"alpha": "0.9x"}, ["alpha", "number", "from 0 to 1", "not a number"]),
    ("adam", {"eps": math.nan}, ["eps", "at least 0", "NaN"]),
    ("adagrad", {"lr_decay": math.inf}, ["lr_decay", "at least 0"]),
    ("adam", {"weight_decay": -1e-3}, ["weight_decay", "at least 0"]),
    ("adam", {"amsgrad": 2}, ["amsgrad", "true or false"]),
    ("adam", {"lr": 10 ** 400}, ["lr", "at least 0"]),
    ("adadelta", {"rho": 1.5}, ["rho", "from 0 to 1"]),
    ("momentum", {"dampening": -0.5}, ["dampening", "from 0 to 1"]),
    ("nesterov", {"momentum": 0.0}, ["momentum", "greater than 0"]),
    ("sgd", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, ["nesterov", "dampening", "momentum"]),
    ("sgd", {"nesterov": True}, ["nesterov", "momentum", "greater than 0"]),
    ("adam", {"learning_rate": 0.1}, ["learning_rate", "unknown", "lr"]),
    ("nesterov", {"dampening": 0.1}, ["unknown", "dampening"]),
    ("adamw", {"decoupled_weight_decay": False}, ["unknown", "decoupled_weight_decay"]),
]


@pytest.mark.parametrize("key, bad, words", BAD, ids=[f"{k}-{'-'.join(b)}" for k, b, _ in BAD])
def test_bad_hyperparameters_raise_a_clear_error(key, bad, words):
    with pytest.raises(ValueError) as e:
        resolve(key, bad)
    for w in words:
        assert w in str(e.value), (w, str(e.value))
    assert str(e.value).startswith(key + ":")
    with pytest.raises(ValueError) as e2:                       # the same through the real entry point
        pycore.run(key, "rosenbrock", start=(-1.0, 0.5), steps=5, **bad)
    assert str(e2.value) == str(e.value)


def test_unknown_optimizer():
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'.*adam"):
        pycore.run("adamm", "rosenbrock", steps=3)


def test_defaults_fill_what_is_not_given():
    _, values, _ = resolve("adam", {"lr": 0.05})
    assert values == {"lr": 0.05, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False,
                      "decoupled_weight_decay": False, "bias_correction": True}
    assert pycore.run("adam", "rosenbrock", steps=2, lr=0.05).hyperparams == values


def test_values_are_normalised():
    _, values, _ = resolve("adam", {"lr": 1, "betas": [0, 0.5]})
    assert values["lr"] == 1.0 and type(values["lr"]) is float
    assert values["betas"] == (0.0, 0.5) and all(type(b) is float for b in values["betas"])


def test_interval_edges():
    p = hp("x", "x", 0.5, 0.0, 1.0, high_open=True)
    assert interval(p) == "[0.0, 1.0)"
    assert check(p, 0.0) == 0.0
    with pytest.raises(ValueError, match=r"x must be from 0 up to but not including 1; got 1"):
        check(p, 1.0)
    q = hp("y", "y", 1.0, low_open=True)
    assert interval(q) == "(0.0, inf)"
    with pytest.raises(ValueError):
        check(q, 0.0)
    with pytest.raises(ValueError):
        check(q, math.inf)
    assert check(q, 1e300) == 1e300


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_check_accepts_exactly_the_interval(v):
    p = hp("x", "x", 0.5, 0.0, 1.0)
    inside = 0.0 <= v <= 1.0
    if inside:
        assert check(p, v) == v
    else:
        with pytest.raises(ValueError, match=r"x must be (a (finite )?number )?from 0 to 1"):
            check(p, v)


def test_validate_reports_the_owner_and_the_choices():
    specs = pycore.OPTIMIZERS["lion"].hyperparams
    with pytest.raises(ValueError, match="lion: unknown hyperparameter 'eps'; expected one of lr, betas, "
                                         "weight_decay, decoupled_weight_decay"):
        validate(specs, {"eps": 1e-8}, "lion")


def test_hyperparams_are_json_ready():
    import json
    for spec in pycore.OPTIMIZERS.values():
        for h in spec.hyperparams:
            d = json.loads(json.dumps(to_json(h)))
            assert d["name"] == h.name and d["interval"] == interval(h) and d["doc"]
            assert d["high"] is None or math.isfinite(d["high"])
