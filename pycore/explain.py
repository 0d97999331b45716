"""One plain-words sentence per optimizer step, generated from that step's numbers.

``explain_step`` says how far and which way the step went and which quantity of the optimizer's state set it,
quoting the per-coordinate factor d with Δθ = −η·d (plus weight decay when it is on). The formulas are
torch's (see ``pycore.rules``); the family is taken from the rule factory, so a new optimizer built from an
existing factory is explained without changes here.
"""
import math


def _vec(v):
    return f"({v[0]:.3g}, {v[1]:.3g})"


def _direction(u):
    """"mostly along −x" when one coordinate is at least twice the other, else both signs."""
    ax, ay = abs(u[0]), abs(u[1])
    sx, sy = ("+" if u[0] > 0 else "−") + "x", ("+" if u[1] > 0 else "−") + "y"
    if ax >= 2 * ay:
        return f"mostly along {sx}"
    if ay >= 2 * ax:
        return f"mostly along {sy}"
    return f"along {sx} and {sy}"


def _sgd(h, t, g, state, lr, before):
    mu = h.get("momentum", 0.0)
    if not mu:
        return f"plain SGD steps by −η·g with η = {lr:.3g} and the gradient g = {_vec(g)}"
    b = state["momentum_buffer"]
    if h.get("nesterov"):
        return (f"Nesterov looks ahead along the momentum buffer: d = g + μ·b with μ = {mu:g}, "
                f"b = {_vec(b)} (a decaying sum of past gradients) and g = {_vec(g)}")
    return (f"the momentum buffer b = {_vec(b)}, a decaying sum of past gradients (μ = {mu:g}), sets the "
            f"direction rather than the current gradient g = {_vec(g)}")


def _adagrad(h, t, g, state, lr, before):
    s = state["sum"]
    d = [gi / (math.sqrt(si) + h["eps"]) for gi, si in zip(g, s)]
    return (f"g/(√s + ε) = {_vec(d)}, where s = {_vec(s)} adds up every squared gradient so far, so each "
            f"coordinate's steps keep shrinking")


def _rmsprop(h, t, g, state, lr, before):
    v = state["square_avg"]
    return (f"each coordinate of g = {_vec(g)} is divided by √v + ε, with v = {_vec(v)} the running mean of "
            f"g² (α = {h['alpha']:g}), so its recent size no longer sets the step")


def _adadelta(h, t, g, state, lr, before):
    v = state["square_avg"]
    u = before.get("acc_delta", [0.0] * len(g))     # the step uses u from before it, v from after
    return (f"Δ = √(u + ε)/√(v + ε)·g: the ratio of recent step sizes u = {_vec(u)} (before this step) to recent "
            f"gradient sizes v = {_vec(v)} (including this g = {_vec(g)}) sets the scale, then it is multiplied "
            f"by η = {lr:.3g}")


def _adam(h, t, g, state, lr, before):
    b1, b2 = h["betas"]
    m = state["exp_avg"]
    v = state.get("max_exp_avg_sq") if h.get("amsgrad") else state["exp_avg_sq"]
    bc1, bc2 = (1 - b1 ** t, 1 - b2 ** t) if h.get("bias_correction", True) else (1.0, 1.0)
    d = [(mi / bc1) / (math.sqrt(vi) / math.sqrt(bc2) + h["eps"]) for mi, vi in zip(m, v)]
    return (f"m̂/(√v̂ + ε) = {_vec(d)}: the averaged gradient divided by its averaged size is about ±1 "
            f"wherever the gradient's sign has been steady, so each coordinate moves about η = {lr:.3g}")


def _nadam(h, t, g, state, lr, d):
    return (f"it mixes the current gradient and the momentum m = {_vec(state['exp_avg'])} (Nesterov's "
            f"look-ahead), each divided by √v̂ + ε: Δθ = −η·{_vec(d)}")


def _radam(h, t, g, state, lr, d):
    b2 = h["betas"][1]
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
    if rho_t > 5:
        return (f"the variance estimate is trusted (ρ_t = {rho_t:.3g} > 5), so it takes an Adam step m̂/(√v̂ + ε) "
                f"scaled by the rectifier: Δθ = −η·{_vec(d)}")
    return (f"ρ_t = {rho_t:.3g} ≤ 5: too few steps to trust the variance estimate, so it takes a plain "
            f"momentum step η·m̂ with m̂ = {_vec(d)}")


def _adamax(h, t, g, state, lr, before):
    b1 = h["betas"][0]
    m, u = state["exp_avg"], state["exp_inf"]
    d = [(mi / (1 - b1 ** t)) / ui for mi, ui in zip(m, u)]
    return (f"m̂/u = {_vec(d)}, with u = {_vec(u)} the decaying maximum of |g|, so each coordinate moves at "
            f"most about η = {lr:.3g}")


def _lion(h, t, g, state, lr, d):
    return (f"it follows only the sign of β1·m + (1 − β1)·g, so every coordinate moves by exactly η = {lr:.3g} "
            f"(Δθ = −η·{_vec(d)})")


_WITH_STATE = {"sgd": _sgd, "momentum": _sgd, "nesterov": _sgd, "adagrad": _adagrad, "rmsprop": _rmsprop,
               "adadelta": _adadelta, "adam": _adam, "adamw": _adam, "adamax": _adamax}
_FROM_UPDATE = {"nadam": _nadam, "radam": _radam, "lion": _lion}


def explain_step(spec, hyperparams, t, grad, update, state, lr, before=None):
    """The sentence for step ``t`` (1-based) of ``spec`` with ``hyperparams`` in effect: it used ``grad`` and
    learning rate ``lr``, moved by ``update``, found the state ``before`` and left ``state`` ({torch state
    name: value})."""
    size = math.hypot(*update)
    family = spec.make.__name__
    d = [-u / lr for u in update] if lr else [0.0, 0.0]
    if family in _WITH_STATE:
        why = _WITH_STATE[family]({**spec.fixed, **hyperparams}, t, grad, state, lr, before or {})
    elif family in _FROM_UPDATE:
        why = _FROM_UPDATE[family](hyperparams, t, grad, state, lr, d)
    else:
        why = f"its update rule gives Δθ = −η·{_vec(d)} for the gradient g = {_vec(grad)}"
    wd = hyperparams.get("weight_decay", 0.0)
    if wd:
        why += f"; weight decay λ = {wd:g} also pulls θ towards 0"
    if size == 0:
        return f"{spec.name} did not move: {why}."
    return f"{spec.name} moved {size:.3g} {_direction(update)} because {why}."
