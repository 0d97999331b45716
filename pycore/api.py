"""The browser boundary: everything the page needs from pycore, as plain JSON-ready data.

``web/main.py`` hands these to the page's JavaScript; the tests call them on CPython. Nothing here draws:
Python owns the model (registries, grids, contour levels, runs, step details, presets), JS owns the view.

* ``catalog()``: the optimizer and surface registries (names, colours, markers, hyperparameter specs, minima).
* ``surface_grid(surface)``: f sampled at cell centres plus the contour thresholds (log-spaced when the
  surface's ``levels`` hint is "log").
* ``run_all(...)`` / ``run_summary(traj)``: every enabled optimizer from one start, and what the view draws.
* ``step_info(traj, k)``: the step inspector's numbers and sentence.
* ``preset(surface)``: a per-surface learning rate per optimizer, chosen by a visible rule (see ``preset``).
"""
import functools
import math

from .checks import check_start, check_whole
from .explain import explain_step
from .hyperparams import to_json
from .optimizers import OPTIMIZERS, get_optimizer, resolve
from .surfaces import SURFACES, get_surface
from .trajectory import effective_lr, run

GRID = 121
LEVELS = 28
DEFAULT_STEPS = 300
MAX_STEPS = 2000
PRESET_STEPS = 200
PRESET_LRS = tuple(float(f"{m}e{e}") for e in range(-6, 0) for m in (1, 2, 5)) + (1.0,)


def _optimizer(spec):
    return {
        "key": spec.key, "name": spec.name, "color": spec.color, "marker": spec.marker,
        "hyperparams": [to_json(p) for p in spec.hyperparams], "fixed": dict(spec.fixed),
        "state_fields": list(spec.state_fields), "summary": spec.summary, "latex": spec.latex,
        "notes": spec.notes, "reference": spec.reference, "torch": spec.torch,
    }


def _surface(s):
    return {
        "key": s.key, "name": s.name, "bounds": [list(b) for b in s.bounds], "levels": s.levels,
        "minima": [{"x": m.x, "y": m.y, "value": m.value, "is_global": m.is_global} for m in s.minima],
        "saddles": [{"x": p.x, "y": p.y, "value": p.value} for p in s.saddles],
        "starts": [list(p) for p in s.starts], "latex": s.latex, "tags": sorted(s.tags),
        "description": s.description, "reference": s.reference,
    }


def catalog():
    """Registries for the page: optimizers and surfaces in display order, and the step-count limits."""
    return {
        "optimizers": [_optimizer(s) for s in OPTIMIZERS.values()],
        "surfaces": [_surface(s) for s in SURFACES.values()],
        "steps": {"default": DEFAULT_STEPS, "min": 1, "max": MAX_STEPS},
        "preset_rule": preset_rule(),
    }


def contour_levels(values, kind, floor, n=LEVELS):
    """``n`` increasing thresholds spanning the sampled values.

    "linear": evenly spaced between min and max. "log": ``base + d_k`` with d_k geometric from the
    smallest sampled f − base (at least (max − base)·1e-6) up to max − base, where ``base`` is the lowest known
    minimum value: equal ratios of the height above the minimum, which is what makes valleys like
    Rosenbrock's readable.
    """
    lo, hi = min(values), max(values)
    if hi <= lo:
        return [lo]
    if kind == "linear":
        return [lo + (hi - lo) * (k + 0.5) / n for k in range(n)]
    base = min(lo, floor)
    top = hi - base
    low = max(lo - base, top * 1e-6)
    return [base + low * (top / low) ** (k / (n - 1)) for k in range(n)]


@functools.lru_cache(maxsize=32)
def surface_grid(surface, nx=GRID, ny=GRID):
    """f at the centres of an nx × ny grid of cells over the surface's bounds, row by row from the bottom.

    ``values[j*nx + i]`` is f(x0 + (i + ½)·dx, y0 + (j + ½)·dy): the convention of d3-contour, whose contour
    coordinate c maps back to x0 + c·dx. Non-finite samples (none on the shipped surfaces) are replaced by the
    largest finite one and counted in ``clipped``, so nothing non-finite reaches the view.
    """
    s = get_surface(surface)
    (x0, x1), (y0, y1) = s.bounds
    dx, dy = (x1 - x0) / nx, (y1 - y0) / ny
    f = s.f
    xs = [x0 + (i + 0.5) * dx for i in range(nx)]
    values = [f(x, y0 + (j + 0.5) * dy) for j in range(ny) for x in xs]
    finite = [v for v in values if math.isfinite(v)]
    top = max(finite)
    clipped = len(values) - len(finite)
    if clipped:
        values = [v if math.isfinite(v) else top for v in values]
    floor = min([m.value for m in s.minima] + [min(finite)])
    return {"surface": s.key, "nx": nx, "ny": ny, "bounds": [list(b) for b in s.bounds], "values": values,
            "min": min(finite), "max": top, "clipped": clipped, "levels": s.levels,
            "thresholds": contour_levels(values, s.levels, floor)}


def run_options(options):
    """Run options shared by every optimizer, checked: ``schedules`` ({key: schedule spec}), ``noise`` (σ of
    the gradient noise), ``seed``, ``max_grad_norm`` (visible clipping; None = off). Unknown names raise."""
    options = dict(options or {})
    known = {"schedules", "noise", "seed", "max_grad_norm"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ValueError(f"unknown run option {unknown[0]!r}; expected one of {', '.join(sorted(known))}")
    schedules = options.get("schedules") or {}
    if not isinstance(schedules, dict):
        raise ValueError(f"schedules must map optimizer keys to schedule specs, got {schedules!r}")
    seed = options.get("seed", 0)
    check_whole("seed", seed, 0, 2 ** 32 - 1)
    return {"schedules": schedules, "noise": options.get("noise", 0.0), "seed": seed,
            "max_grad_norm": options.get("max_grad_norm")}


def run_all(surface, start, steps, settings, options=None):
    """Run each optimizer in ``settings`` ({key: {hyperparameter: value}}) from ``start`` for ``steps`` steps,
    with the shared ``options`` (see ``run_options``).

    Returns ({key: Trajectory}, {key: error message}): a bad value for one optimizer (its hyperparameters or
    its schedule) is reported for that one and does not stop the others; a bad start, step count or shared
    option raises ValueError.
    """
    check_whole("steps", steps, 1, MAX_STEPS)
    start = check_start(start)
    opts = run_options(options)
    from .api_lab import runner  # ``surface`` may be a spec: a custom f(x, y) or a dataset (see pycore.api_lab)
    run_one = runner(surface)
    trajs, errors = {}, {}
    for key, hyperparams in settings.items():
        hyperparams = {k: (tuple(v) if isinstance(v, list) else v) for k, v in hyperparams.items()}
        try:
            trajs[key] = run_one(key, start=start, steps=steps, schedule=opts["schedules"].get(key),
                             noise=opts["noise"], seed=opts["seed"], max_grad_norm=opts["max_grad_norm"],
                             **hyperparams)
        except ValueError as e:
            errors[key] = str(e)
    return trajs, errors


def run_summary(traj):
    """What the view draws for one run: the points and losses, the status and the hyperparameters in effect."""
    return {
        "optimizer": traj.optimizer, "points": [list(p) for p in traj.points], "losses": list(traj.losses),
        "status": traj.status, "reason": traj.reason, "converged_at": traj.converged_at,
        "reached": traj.reached, "steps": traj.steps,
        "hyperparams": {k: (list(v) if isinstance(v, tuple) else v) for k, v in traj.hyperparams.items()},
    }


def _state_at(traj, i):
    """The optimizer's state after step i (1-based) by torch's names; {} before the first step."""
    if i == 0:
        return {}
    return {k: (list(v) if isinstance(v, tuple) else v)
            for k, v in zip(traj.state_fields, traj.states[i - 1]) if v is not None}


def step_info(traj, k):
    """The inspector's content for the dot at point ``k`` (0 = the start): where it is, and the step that led
    there (gradient used, update, state after it, lr, effective step size ‖Δθ‖/‖g‖) with a sentence."""
    last = len(traj.points) - 1
    check_whole("step", k, 0, traj.steps)
    i = min(k, last)
    spec = get_optimizer(traj.optimizer)
    info = {
        "optimizer": traj.optimizer, "name": spec.name, "step": i, "requested": k,
        "position": list(traj.points[i]), "loss": traj.losses[i], "status": traj.status,
        "reason": traj.reason if traj.status == "diverged" and i == last else None,
        "stopped": k > last,
    }
    if i == 0:
        g = get_surface(traj.surface).grad(*traj.points[0])
        info.update(gradient=list(g), update=None, state={}, lr=None, effective_lr=None,
                    text=f"{spec.name} starts here; its first step uses the gradient "
                         f"({g[0]:.3g}, {g[1]:.3g}).")
        return info
    grad, upd = traj.grads[i - 1], traj.updates[i - 1]
    state = _state_at(traj, i)
    info.update(gradient=list(grad), update=list(upd), state=state, lr=traj.lrs[i - 1],
                effective_lr=effective_lr(grad, upd),
                text=explain_step(spec, traj.hyperparams, i, grad, upd, state, traj.lrs[i - 1]))
    return info


def preset_rule():
    """The rule behind ``preset``, in words for the page."""
    return (f"Preset: for each optimizer, the learning rate from the 1-2-5 grid {PRESET_LRS[0]:g} … "
            f"{PRESET_LRS[-1]:g} with the lowest loss after {PRESET_STEPS} steps from this surface's default "
            f"start (runs that diverge are excluded); every other hyperparameter keeps torch's default.")


@functools.lru_cache(maxsize=None)
def preset(surface):
    """{optimizer key: {"lr": value}} chosen by ``preset_rule()``; an optimizer for which every candidate
    diverges gets ``None`` (the page keeps its current lr and says so)."""
    s = get_surface(surface)
    start = s.starts[0]
    out = {}
    for key in OPTIMIZERS:
        best = None
        for lr in PRESET_LRS:
            t = run(key, s, start=start, steps=PRESET_STEPS, lr=lr)
            if t.status != "diverged" and (best is None or t.losses[-1] < best[0]):
                best = (t.losses[-1], lr)
        out[key] = {"lr": best[1]} if best else None
    return out


def check_hyperparams(optimizer, hyperparams):
    """The complete hyperparameters in effect for ``optimizer`` given user values (lists for pairs), or
    ValueError naming the bad one and its allowed range (torch's rules, as ``run`` applies them)."""
    spec, values, _ = resolve(optimizer, **{k: (tuple(v) if isinstance(v, list) else v)
                                            for k, v in hyperparams.items()})
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in values.items()}
