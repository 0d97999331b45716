"""The update rules on their own: first steps worked out by hand, equivalences between registry entries, and
purity (update is a function of its arguments and changes none of them)."""
import copy
import math

import pytest
from hypothesis import given, strategies as st

import pycore
from pycore import rules
from pycore.optimizers import resolve

G = (3.0, -4.0)          # a gradient with one positive and one negative coordinate
P = (0.5, -0.25)


def first_update(key, grads=G, params=P, **hp):
    """Δθ of the first step of registry entry ``key`` (with torch's defaults for what is not given)."""
    _, values, rule = resolve(key, hp)
    new, _ = rule.update(grads, rule.init(params), params, values["lr"])
    return [n - p for n, p in zip(new, params)], values


def close(a, b, rel):
    return all(math.isclose(x, y, rel_tol=rel, abs_tol=0.0) for x, y in zip(a, b))


def sign(x):
    return (x > 0) - (x < 0)


# --- first steps by hand -----------------------------------------------------------------------------------
def test_sgd_first_step_is_minus_lr_times_g():
    u, v = first_update("sgd", lr=0.1)
    assert close(u, [-0.1 * g for g in G], 1e-15)


def test_momentum_buffer_is_a_geometric_sum_of_a_constant_gradient():
    _, values, rule = resolve("momentum", {"lr": 0.01, "momentum": 0.5})
    params, state = P, rule.init(P)
    for t in range(1, 6):
        new, state = rule.update(G, state, params, 0.01)
        expected = [g * sum(0.5 ** k for k in range(t)) for g in G]       # b_t = g (1 + μ + ... + μ^{t-1})
        assert close(state[0], expected, 1e-15)
        assert close([n - p for n, p in zip(new, params)], [-0.01 * b for b in expected], 1e-12)
        params = new


def test_adam_first_step_is_about_minus_lr_times_sign_g():
    u, v = first_update("adam", lr=0.01)
    # m̂ = g and v̂ = g², so Δθ = -η g/(|g| + ε) = -η sign(g) (1 - ε/|g| + ...)
    assert close(u, [-0.01 * sign(g) for g in G], 1e-8)
    assert close(u, [-0.01 * g / (abs(g) + 1e-8) for g in G], 1e-12)


def test_adagrad_first_step_is_minus_lr_times_sign_g():
    u, _ = first_update("adagrad", lr=0.1)
    assert close(u, [-0.1 * sign(g) for g in G], 1e-9)


def test_rmsprop_first_step():
    u, _ = first_update("rmsprop", lr=0.01)                   # v = (1 - 0.99) g², so √v = √0.01 |g|
    assert close(u, [-0.01 * g / (math.sqrt(0.01) * abs(g) + 1e-8) for g in G], 1e-12)


def test_adadelta_first_step():
    u, _ = first_update("adadelta", lr=1.0, rho=0.9, eps=1e-6)   # Δ = √ε / √((1-ρ)g² + ε) · g
    assert close(u, [-math.sqrt(1e-6) / math.sqrt(0.1 * g * g + 1e-6) * g for g in G], 1e-12)


def test_adamax_first_step_is_about_minus_lr_times_sign_g():
    u, _ = first_update("adamax", lr=0.002)
    assert close(u, [-0.002 * g / (abs(g) + 1e-8) for g in G], 1e-12)


def test_lion_moves_each_coordinate_by_exactly_lr():
    lr = 2.0 ** -10                                             # P ± lr is exact, so Δθ is exactly ±lr
    u, _ = first_update("lion", lr=lr)
    assert u == [-lr * sign(g) for g in G]
    u, _ = first_update("lion", grads=(0.0, 5.0), lr=lr)
    assert u == [0.0, -lr]


def test_radam_takes_momentum_steps_until_the_rectifier_switches_on_at_t6():
    lr = 1e-3
    _, _, rule = resolve("radam", {"lr": lr})
    params, state = P, rule.init(P)
    steps = []
    for _ in range(7):
        new, state = rule.update(G, state, params, lr)
        steps.append([n - p for n, p in zip(new, params)])
        params = new
    for u in steps[:5]:                                         # constant g: m̂ = g, so Δθ = -η g
        assert close(u, [-lr * g for g in G], 1e-12)
    beta2 = 0.999
    rho_inf = 2 / (1 - beta2) - 1
    for t, u in ((6, steps[5]), (7, steps[6])):
        rho_t = rho_inf - 2 * t * beta2 ** t / (1 - beta2 ** t)
        r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        # v_t = (1 - β2ᵗ) g², so √(1-β2ᵗ)/(√v + ε) ≈ 1/|g|: Δθ ≈ -η r_t sign(g)
        assert close(u, [-lr * r * sign(g) for g in G], 1e-7)
    assert 0 < abs(steps[5][0]) < lr / 10                       # r_6 is small: the switch is visible


def test_nadam_first_step():
    lr, b1, b2, psi, eps = 2e-3, 0.9, 0.999, 4e-3, 1e-8
    u, _ = first_update("nadam")
    mu1, mu2 = (b1 * (1 - 0.5 * 0.96 ** (t * psi)) for t in (1, 2))
    expected = [-lr * ((1 - mu1) * g / (1 - mu1) + mu2 * (1 - b1) * g / (1 - mu1 * mu2)) / (abs(g) + eps) for g in G]
    assert close(u, expected, 1e-12)


def test_decoupled_decay_shrinks_the_weights_before_the_step():
    # Zero gradient: Adam's moments stay 0, so only the decay θ(1 - ηλ) moves θ.
    new, _ = rules.adamw(lr=0.1, weight_decay=0.5).update((0.0, 0.0), rules.adamw().init(P), P, 0.1)
    assert new == tuple(p * (1 - 0.1 * 0.5) for p in P)
    # Coupled L2 instead adds λθ to the gradient: the first Adam step is then -η sign(λθ).
    u, _ = first_update("adam", grads=(0.0, 0.0), lr=0.1, weight_decay=0.5)
    assert close(u, [-0.1 * sign(p) for p in P], 1e-7)


def test_lion_decoupled_decay_divides_by_the_initial_lr():
    rule = rules.lion(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)
    new, _ = rule.update((0.0, 0.0), rule.init(P), P, 0.005)    # a schedule halved the lr
    assert new == tuple(p * (1.0 - 0.005 * (0.1 / 0.01)) for p in P)


# --- equivalences ------------------------------------------------------------------------------------------
def _path(key, steps=60, start=(-1.0, 0.5), **hp):
    t = pycore.run(key, "rosenbrock", start=start, steps=steps, **hp)
    return t.points, t.states


@pytest.mark.parametrize("hp", [{}, {"lr": 5e-4, "weight_decay": 0.1}, {"dampening": 0.5}])
def test_momentum_entry_with_zero_momentum_is_sgd(hp):
    assert _path("momentum", momentum=0.0, **hp)[0] == _path("sgd", **hp)[0]


@pytest.mark.parametrize("hp", [{}, {"lr": 2e-4, "momentum": 0.5, "weight_decay": 0.05}])
def test_momentum_entry_is_sgd_with_momentum(hp):
    assert _path("momentum", **hp) == _path("sgd", **{"momentum": 0.9, **hp})


@pytest.mark.parametrize("hp", [{}, {"lr": 5e-4, "momentum": 0.8, "weight_decay": 0.1}])
def test_nesterov_entry_is_sgd_with_nesterov(hp):
    assert _path("nesterov", **hp) == _path("sgd", **{"momentum": 0.9, "nesterov": True, **hp})


@pytest.mark.parametrize("hp", [{}, {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}])
def test_adamw_is_adam_with_decoupled_weight_decay(hp):
    hp = {"weight_decay": 0.01, **hp}
    assert _path("adamw", **hp) == _path("adam", decoupled_weight_decay=True, **hp)


def test_adamw_without_weight_decay_is_adam():
    assert _path("adamw", weight_decay=0.0, lr=0.05) == _path("adam", lr=0.05)


def test_decoupled_flag_is_irrelevant_without_weight_decay():
    for key in ("adam", "nadam", "radam", "lion"):
        assert _path(key, decoupled_weight_decay=True) == _path(key), key


# --- purity -------------------------------------------------------------------------------------------------
finite = st.floats(-1e3, 1e3, allow_nan=False)


@pytest.mark.parametrize("key", list(pycore.OPTIMIZERS))
@given(grads=st.lists(finite, min_size=2, max_size=2), params=st.lists(finite, min_size=2, max_size=2),
       grads2=st.lists(finite, min_size=2, max_size=2))
def test_update_is_pure(key, grads, params, grads2):
    spec, values, rule = resolve(key, {"momentum": 0.5} if key == "sgd" else {})
    state0 = rule.init(tuple(params))
    assert len(state0) == len(spec.state_fields)
    new1, state1 = rule.update(grads, state0, params, values["lr"])
    args = copy.deepcopy((grads, state0, params))
    new2, state2 = rule.update(grads, state0, params, values["lr"])
    assert (new1, state1) == (new2, state2)
    assert (grads, state0, params) == args                        # nothing passed in was changed
    once = rule.update(grads2, state1, new1, values["lr"])
    assert once == rule.update(grads2, state1, new1, values["lr"])
    assert state1 == state2
    assert all(isinstance(x, float) for x in once[0])
