"""Runs: an optimizer on a surface from a start, exactly N steps unless it diverges or early stopping ends it,
every step recorded.

``run`` validates everything before the first step and never raises after that: a step whose arithmetic
fails (0/0 with ``eps = 0``, the square root of a negative variance, an overflow: where torch would return
NaN), a non-finite loss, gradient or iterate, or an iterate more than ``ESCAPE_SPANS`` view widths outside
the surface's bounds ends the run with ``outcome == "diverged"`` and the reason, keeping the last finite
point. A run that completes gets its outcome from ``pycore.outcome``: "global", "local", "stalled" or
"budget". No NaN or infinity is ever handed to the caller.
"""
from collections import namedtuple
import math
import random

from .checks import check_number, check_start, check_whole
from .optimizers import resolve
from .outcome import classify, default_tol
from .schedules import get_schedule
from .surfaces import get_surface

ESCAPE_SPANS = 10.0
MAX_SEED = 2 ** 32 - 1

_FIELDS = ("optimizer", "surface", "start", "steps", "points", "losses", "grads", "states",
           "state_fields", "lrs", "hyperparams", "schedule", "noise", "seed", "max_grad_norm", "start_grad",
           "outcome", "reason", "settled_at", "reached", "tol")


class Trajectory(namedtuple("Trajectory", _FIELDS)):
    """One run. ``points[0]`` is the start; step k (1-based) used ``grads[k-1]`` at ``points[k-1]`` with
    learning rate ``lrs[k-1]``, moved by ``updates[k-1]`` to ``points[k]`` and left ``states[k-1]``.
    ``losses[i]`` is f at ``points[i]``; ``start_grad`` is ∇f at the start (before any noise or clipping).
    ``outcome`` is one of ``pycore.outcome.OUTCOMES``; ``reason`` says why for "diverged", "stalled" and
    "budget"; ``settled_at`` is the step from which the path stayed within ``tol`` of its end ("global",
    "local", "stalled"); ``reached`` indexes the surface's minimum it ended at, or is None.
    """
    __slots__ = ()

    @property
    def updates(self):
        """Δθ of each step: ``points[k] - points[k-1]``, the very subtraction the run made."""
        p = self.points
        return [(b[0] - a[0], b[1] - a[1]) for a, b in zip(p, p[1:])]

    def to_dict(self):
        """JSON-ready: lists of [x, y], per-step state dicts by torch's state names, effective step sizes."""
        fields, updates = self.state_fields, self.updates
        states = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in zip(fields, s) if v is not None}
                  for s in self.states]
        return {
            "optimizer": self.optimizer, "surface": self.surface, "start": list(self.start),
            "steps": self.steps, "points": [list(p) for p in self.points], "losses": list(self.losses),
            "grads": [list(g) for g in self.grads], "updates": [list(u) for u in updates],
            "states": states, "effective_lr": [effective_lr(g, u) for g, u in zip(self.grads, updates)],
            "lrs": list(self.lrs),
            "hyperparams": {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.hyperparams.items()},
            "schedule": self.schedule, "noise": self.noise, "seed": self.seed,
            "max_grad_norm": self.max_grad_norm, "start_grad": list(self.start_grad), "outcome": self.outcome,
            "reason": self.reason, "settled_at": self.settled_at, "reached": self.reached, "tol": self.tol,
        }


def effective_lr(grad, update):
    """‖Δθ‖ / ‖g‖: the step size the optimizer actually took per unit of gradient (None if g = 0)."""
    gn = math.hypot(*grad)
    return math.hypot(*update) / gn if gn > 0 else None


def evaluate(surf, x, y):
    """(f, gx, gy) at (x, y), or None where any of them is not a finite number (or its arithmetic overflows)."""
    try:
        loss = surf.f(x, y)
        gx, gy = surf.grad(x, y)
    except (ArithmeticError, ValueError):
        return None
    if math.isfinite(loss) and math.isfinite(gx) and math.isfinite(gy):
        return loss, gx, gy
    return None


def start_on(surf, start):
    """A checked start on ``surf``: (x, y, f, gx, gy), or ValueError if f or its gradient is not finite there."""
    x, y = check_start(start)
    here = evaluate(surf, x, y)
    if here is None:
        raise ValueError(f"{surf.name}: f or its gradient is not a finite number at the start ({x:.6g}, {y:.6g}); "
                         f"choose a start where f can be computed")
    return (x, y) + here


def update_failure(k, error):
    """Why step ``k`` could not be computed, in words (torch would return NaN there)."""
    if isinstance(error, ZeroDivisionError):
        what = "it divided by zero (0/0 when eps = 0 and a gradient coordinate is 0)"
    elif isinstance(error, OverflowError):
        what = "a number in it overflowed"
    else:
        what = "it took the square root of a negative number (a variance estimate below 0)"
    return f"step {k}: the update is not a number: {what}; torch gives NaN here"


def check_options(noise, seed, max_grad_norm, tol):
    """The shared run options, checked: (noise, seed, max_grad_norm or None, tol or None)."""
    noise = check_number("gradient noise σ", noise, 0.0)
    seed = check_whole("seed", seed, 0, MAX_SEED)
    if max_grad_norm is not None:
        max_grad_norm = check_number("max_grad_norm", max_grad_norm, 0.0, low_open=True)
    if tol is not None:
        tol = check_number("tol", tol, 0.0, low_open=True)
    return noise, seed, max_grad_norm, tol


def run(optimizer, surface, start=None, steps=100, *, schedule=None, noise=0.0, seed=0, max_grad_norm=None,
        tol=None, gradient=None, stop=None, **hyperparams):
    """Run ``optimizer`` (key or spec) on ``surface`` (key or Surface) for exactly ``steps`` steps.

    ``hyperparams`` use torch's names; missing ones take torch's defaults. ``schedule`` is a schedule spec
    (see ``pycore.schedules``) applied to ``lr``. ``noise`` adds N(0, noise²) to each gradient coordinate,
    drawn from ``random.Random(seed)``, so stochastic runs are reproducible. ``max_grad_norm`` clips the
    (noisy) gradient as ``torch.nn.utils.clip_grad_norm_`` does: g ← g · c/(‖g‖ + 1e-6) when that factor is
    below 1. It is off unless asked for, and recorded in the trajectory. ``tol`` is the outcome's distance
    tolerance (default ``pycore.outcome.default_tol``). ``gradient(x, y)``, if given, replaces the surface's
    exact gradient for the steps (a mini-batch gradient, ``pycore.datasets``); losses, ``start_grad`` and the
    outcome still use the surface itself. ``stop(k, x, y)``, if given, is asked after each step k (1-based) that
    reached (x, y); text it returns ends the run there, before ``steps``, and says why (early stopping,
    ``pycore.datasets``). Raises ValueError for bad input (before any step);
    after that it never raises: a run that blows up returns with ``outcome == "diverged"``.
    """
    spec, values, rule = resolve(optimizer, hyperparams, planar=True)
    surf = get_surface(surface)
    check_whole("steps", steps, 0)
    noise, seed, max_grad_norm, tol = check_options(noise, seed, max_grad_norm, tol)
    tol = default_tol(surf.bounds) if tol is None else tol
    sched = get_schedule(schedule)
    lrs = sched.lrs(values["lr"], steps)

    f, grad, update = surf.f, gradient or surf.grad, rule.update
    x, y, loss, gx, gy = start_on(surf, surf.starts[0] if start is None else start)
    start_grad = (gx, gy)
    if gradient is not None and steps:
        gx, gy = gradient(x, y)

    (bx0, bx1), (by0, by1) = surf.bounds
    span = ESCAPE_SPANS * max(bx1 - bx0, by1 - by0)
    lo_x, hi_x, lo_y, hi_y = bx0 - span, bx1 + span, by0 - span, by1 + span
    gauss = random.Random(seed).gauss if noise else None

    p, g = (x, y), (gx, gy)        # the point and the gradient the next step uses, as the tuples the rule takes
    points, losses, grads, states = [p], [loss], [], []
    state = rule.init(p)
    reason = ended = None
    isfinite, hypot = math.isfinite, math.hypot
    for lr in lrs:
        if gauss is not None:
            g = (g[0] + noise * gauss(0.0, 1.0), g[1] + noise * gauss(0.0, 1.0))
        if max_grad_norm is not None:
            coef = max_grad_norm / (hypot(*g) + 1e-6)
            if coef < 1.0:
                g = (g[0] * coef, g[1] * coef)
        try:
            q, state = update(g, state, p, lr)
        except (ArithmeticError, ValueError) as e:
            reason = update_failure(len(grads) + 1, e)
            break
        nx, ny = q
        if not (lo_x <= nx <= hi_x and lo_y <= ny <= hi_y):  # also catches NaN: comparisons are False
            k = len(grads) + 1
            reason = (f"step {k}: the iterate became ({nx!r}, {ny!r})" if not (isfinite(nx) and isfinite(ny))
                      else f"step {k}: the iterate ({nx:.4g}, {ny:.4g}) left the surface's region by more "
                           f"than {ESCAPE_SPANS:g} view widths")
            break
        try:
            loss = f(nx, ny)
            ngx, ngy = grad(nx, ny)
        except (ArithmeticError, ValueError):
            loss = ngx = ngy = math.inf
        if loss - loss or ngx - ngx or ngy - ngy:   # v - v is 0.0 for a finite v, NaN (truthy) for inf or NaN
            reason = f"step {len(grads) + 1}: f or its gradient overflowed at ({nx:.4g}, {ny:.4g})"
            break
        grads.append(g)            # list.append called as a method: Python 3.12+ (Pyodide) specializes this
        states.append(state)       # form, and not a bound method kept in a local
        points.append(q)
        losses.append(loss)
        p, g = q, (ngx, ngy)
        if stop is not None:
            ended = stop(len(grads), nx, ny)
            if ended:
                break
    if reason is None:
        end_grad = g if gradient is None else surf.grad(*p)
        outcome, settled, reached, reason = classify(surf, points, end_grad, tol, steps, ended)
    else:
        outcome, settled, reached = "diverged", None, None
    return Trajectory(spec.key, surf.key, points[0], steps, points, losses, grads, states,
                      spec.state_fields, lrs[:len(grads)], values, sched.spec, noise, seed, max_grad_norm,
                      start_grad, outcome, reason, settled, reached, tol)
