"""Fair comparison: tune every optimizer's learning rate the same way, and say exactly how.

For each optimizer, every lr on a log-spaced grid runs from the same K starts for the same number of steps
(the budget), with every other hyperparameter at torch's default (or the overrides given, which are
reported). The objective of an lr is

    J(lr) = (1/K) Σ_k [f(θ_T^(k)) − f*]

the mean over the starts of the final loss above the surface's global minimum value f* (the final loss itself
when the surface lists no minimum). A run that diverges scores J = +inf for that lr, never NaN. The tuned lr
is the argmin of J over the grid; among equal values the smaller lr wins. If every grid lr has J = +inf, no
lr is chosen (``lr`` is None). The runs use ``pycore.compare.run_many`` (the lean lockstep runner applying
``run``'s rules), so the K starts of one lr advance together.
"""
import math

from .checks import check_start, check_whole
from .compare import run_many
from .optimizers import OPTIMIZERS, get_optimizer, resolve
from .surfaces import get_surface
from .trajectory import check_options, start_on

LR_RANGE = (1e-4, 1.0)
POINTS = 9
STEPS = 300


def lr_grid(low, high, points):
    """``points`` learning rates from ``low`` to ``high``, evenly spaced in log10 (both ends included)."""
    a, b = math.log10(low), math.log10(high)
    return [low] + [10.0 ** (a + (b - a) * i / (points - 1)) for i in range(1, points - 1)] + [high]


def _check_range(lr_range):
    try:
        low, high = (float(v) for v in lr_range)
    except (TypeError, ValueError):
        raise ValueError(f"lr_range must be a pair (low, high), got {lr_range!r}") from None
    if not (0 < low < high < math.inf):
        raise ValueError(f"lr_range must satisfy 0 < low < high < inf, got {lr_range!r}")
    return low, high


def _check_starts(surf, starts):
    starts = [check_start(s) for s in (surf.starts if starts is None else starts)]
    if not starts:
        raise ValueError("starts must list at least one (x, y) start")
    return [start_on(surf, s)[:2] for s in starts]


def _fmt(v):
    return f"{v:.6g}"


def tune(surface, optimizers=None, *, lr_range=LR_RANGE, points=POINTS, steps=STEPS, starts=None,
         hyperparams=None, max_grad_norm=None, progress=None):
    """Tune the lr of each of ``optimizers`` (keys; None = all, in display order) on ``surface``.

    ``starts``: the K starts (default: the surface's suggested starts); ``hyperparams``: per optimizer key,
    fixed overrides of the other hyperparameters (not lr); ``max_grad_norm``: gradient clipping as in ``run``,
    off unless given. ``progress(record)`` is called after each optimizer, for a worker to report.
    All input is checked before any run (ValueError naming the field).

    Returns a JSON-ready dict: ``method`` (grid, starts, budget, objective, tie-break and ``text``: all of it
    in words) and ``results``: per optimizer key, ``lr`` (the tuned value or None), ``objective`` (J per grid
    lr, +inf for a diverging lr), ``diverged`` (diverging starts per grid lr), ``best`` (J at the tuned lr), ``at_edge`` (the tuned lr
    is an end of the grid, so a better one may lie beyond it),
    ``default_lr`` (torch's) and ``hyperparams`` (everything in effect at the tuned lr, or None).
    """
    surf = get_surface(surface)
    keys = list(OPTIMIZERS) if optimizers is None else [get_optimizer(k).key for k in optimizers]
    low, high = _check_range(lr_range)
    check_whole("points", points, 2, 100)
    check_whole("steps", steps, 1, 100000)
    starts = _check_starts(surf, starts)
    overrides = dict(hyperparams or {})
    for key, values in overrides.items():
        if key not in keys:
            raise ValueError(f"hyperparams given for {key!r}, which is not being tuned; tuned: {', '.join(keys)}")
        if "lr" in values:
            raise ValueError(f"hyperparams for {key!r} set lr, which is what is tuned")
    _, _, max_grad_norm, _ = check_options(0.0, 0, max_grad_norm, None)
    grid = lr_grid(low, high, points)
    rules = {key: [resolve(key, {**overrides.get(key, {}), "lr": lr}) for lr in grid] for key in keys}

    global_values = [m.value for m in surf.minima if m.is_global]
    f_star = min(global_values) if global_values else None
    method = _method(surf, grid, low, high, points, steps, starts, f_star, overrides, max_grad_norm)
    results = {}
    for key in keys:
        objective, diverged = [], []
        for lr, (_, _, rule) in zip(grid, rules[key]):
            ends = run_many(rule, surf, starts, [lr] * steps, max_grad_norm=max_grad_norm, track=False)
            bad = sum(1 for e in ends if e[2] == "diverged")
            # finite losses: the plain sum can overflow to ±inf but never gives NaN
            objective.append(math.inf if bad else sum(surf.f(x, y) - (f_star or 0.0) for x, y, *_ in ends) / len(ends))
            diverged.append(bad)
        best = None
        for i, score in enumerate(objective):
            if score < math.inf and (best is None or score < objective[best]):
                best = i
        spec = OPTIMIZERS[key]
        record = {
            "optimizer": key, "name": spec.name, "lr": None if best is None else grid[best],
            "objective": objective, "diverged": diverged,
            "best": None if best is None else objective[best],
            "at_edge": best in (0, len(grid) - 1),
            "default_lr": next(p.default for p in spec.hyperparams if p.name == "lr"),
            "hyperparams": None if best is None else {k: (list(v) if isinstance(v, tuple) else v)
                                                      for k, v in rules[key][best][1].items()},
        }
        results[key] = record
        if progress is not None:
            progress(record)
    return {"surface": surf.key, "method": method, "results": results}


def _method(surf, grid, low, high, points, steps, starts, f_star, overrides, max_grad_norm):
    k = len(starts)
    where = ", ".join(f"({_fmt(x)}, {_fmt(y)})" for x, y in starts)
    if f_star is None:
        objective = (f"the mean over the {k} starts of the loss f after exactly {steps} steps "
                     f"(this surface lists no minimum to measure from)")
    else:
        objective = (f"the mean over the {k} starts of f(final point) − f*, the final loss above the global "
                     f"minimum value f* = {_fmt(f_star)}, after exactly {steps} steps")
    objective += "; a run that diverges from any start scores +inf for that lr"
    fixed = ("every other hyperparameter at torch's default" if not overrides else
             "every other hyperparameter at torch's default except " +
             "; ".join(f"{key}: " + ", ".join(f"{n}={v!r}" for n, v in vals.items())
                       for key, vals in overrides.items()))
    clip = ("no gradient clipping" if max_grad_norm is None else
            f"gradient clipping to norm {max_grad_norm:g} for every optimizer")
    budget = f"exactly {steps} steps for every optimizer, every lr and every start"
    tie = "among equal objectives the smaller lr wins; if every lr diverges, none is chosen"
    grid_text = f"{points} learning rates from {_fmt(low)} to {_fmt(high)}, evenly spaced on a log scale"
    text = (f"Each optimizer's learning rate is tuned on {surf.name} over {grid_text}. Every lr runs from "
            f"the same {k} start{'s' if k > 1 else ''} ({where}) with a budget of {budget}, a constant lr "
            f"(no schedule), {fixed} and {clip}. The tuned lr minimises {objective}; {tie}.")
    return {"grid": grid, "lr_range": [low, high], "points": points, "spacing": "log", "steps": steps,
            "budget": budget, "starts": [list(s) for s in starts], "f_star": f_star, "objective": objective,
            "tie_break": tie, "fixed": fixed, "max_grad_norm": max_grad_norm, "text": text}
