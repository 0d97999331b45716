"""Runs for the page: every enabled optimizer from one start, packed for drawing; one step's details on demand.

* ``run_all(surface, start, steps, settings, options)``: every optimizer in ``settings`` from ``start``; a bad
  setting of one optimizer is reported for that one and does not stop the others.
* ``pack(trajs)``: what the view draws, and nothing more: per run a small record (outcome, settling step,
  final statistics, hyperparameters in effect) and all points and losses as one flat ``array("d")``, which the
  page's worker hands over as a typed array without copying it float by float.
* ``step_info(traj, k)``: the inspector's numbers and sentence for one dot, computed only when asked.
"""
from array import array
from itertools import chain
import math

from ..checks import check_number, check_pair, check_whole, number_words, short
from ..explain import explain_step
from ..optimizers import OPTIMIZERS, get_optimizer, resolve
from ..outcome import nearest
from ..schedules import get_schedule
from ..specs import resolve_surface, runner
from ..trajectory import check_options, effective_lr
from .catalog import MAX_STEPS

RUN_OPTIONS = ("schedules", "noise", "seed", "max_grad_norm")
MAX_NOISE = 1e3           # σ of the gradient noise the page offers (the engine accepts any finite σ)


def run_options(options):
    """Run options shared by every optimizer, checked: ``schedules`` ({key: schedule spec}), ``noise`` (σ of
    the gradient noise, typed text or a number), ``seed``, ``max_grad_norm`` (visible clipping; None = off).
    Unknown names raise."""
    options = dict(options or {})
    unknown = sorted((k for k in options if k not in RUN_OPTIONS), key=str)
    if unknown:
        raise ValueError(f"unknown run option {short(unknown[0])}; expected one of {', '.join(RUN_OPTIONS)}")
    schedules = options.get("schedules") or {}
    if not isinstance(schedules, dict):
        raise ValueError(f"schedules must map optimizer keys to schedule specs, got {short(schedules)}")
    for key, spec in schedules.items():
        if key not in OPTIMIZERS:
            raise ValueError(f"schedules: unknown optimizer {short(key)}; expected one of {', '.join(OPTIMIZERS)}")
    noise, seed, max_grad_norm, _ = check_options(options.get("noise", 0.0), options.get("seed", 0),
                                                  options.get("max_grad_norm"), None)
    if noise > MAX_NOISE:
        raise ValueError(f"gradient noise σ must be from 0 to {number_words(MAX_NOISE)}; got {number_words(noise)}")
    return {"schedules": schedules, "noise": noise, "seed": seed, "max_grad_norm": max_grad_norm}


def check_hyperparams(optimizer, hyperparams):
    """The complete hyperparameters in effect for ``optimizer`` given user values (lists for pairs; numbers may
    be typed text), or ValueError naming the bad one and, in words, its allowed values (torch's rules)."""
    _, values, _ = resolve(optimizer, hyperparams)
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in values.items()}


def check_start_in_view(surf, start):
    """A start inside the surface's view, checked (typed text or numbers); ValueError in words otherwise."""
    x, y = check_pair("start", start)
    return tuple(check_number(f"start {axis}", v, lo, hi)
                 for axis, v, (lo, hi) in (("x", x, surf.bounds[0]), ("y", y, surf.bounds[1])))


def plan_runs(surface, start, steps, settings, options=None):
    """Check a race before anything runs; returns ({"start": [x, y], "steps": n} as checked, and an iterator
    of (key, Trajectory or error message)) that runs each optimizer in ``settings`` ({key: {hyperparameter:
    value}}) from ``start`` for ``steps`` steps with the shared ``options`` (see ``run_options``), one at a
    time (so a worker can answer between two runs). ``start`` and ``steps`` may be typed text.

    A bad value for one optimizer (its hyperparameters or its schedule) is reported for that one and does not
    stop the others; a bad surface, start, step count or shared option raises ValueError here, before the
    iterator exists.
    """
    surf = resolve_surface(surface)
    steps = check_whole("steps", steps, 1, MAX_STEPS)
    start = check_start_in_view(surf, start)
    opts = run_options(options)
    if not isinstance(settings, dict):
        raise ValueError(f"settings must map optimizer keys to hyperparameters, got {short(settings)}")
    run_one = runner(surface)

    def each():
        for key, hyperparams in settings.items():
            try:
                values = check_hyperparams(key, hyperparams)
                schedule = get_schedule(opts["schedules"].get(key)).spec
            except ValueError as e:
                yield key, str(e)
                continue
            yield key, run_one(key, start=start, steps=steps, schedule=schedule, noise=opts["noise"],
                               seed=opts["seed"], max_grad_norm=opts["max_grad_norm"],
                               **{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})
    return {"start": list(start), "steps": steps}, each()


def run_all(surface, start, steps, settings, options=None):
    """``plan_runs`` all at once: ({key: Trajectory}, {key: error message})."""
    trajs, errors = {}, {}
    for key, out in plan_runs(surface, start, steps, settings, options)[1]:
        (errors if isinstance(out, str) else trajs)[key] = out
    return trajs, errors


def statistics(traj, surf):
    """The run's final figures: path length Σ‖Δθ‖, mean step length, final loss and distance to the nearest
    minimum (None when the surface lists none)."""
    p = traj.points
    path = math.fsum(map(math.dist, p, p[1:]))     # ‖Δθ‖ = hypot of the update: the same rounding
    taken = len(p) - 1
    x, y = traj.points[-1]
    _, dist = nearest(surf.minima, x, y)
    return {"path_length": path, "mean_step": path / taken if taken else None, "final_loss": traj.losses[-1],
            "final_distance": dist if math.isfinite(dist) else None}


def record(traj, surf):
    """What the view needs of one run besides its points and losses."""
    extra = getattr(traj, "minibatch", None)
    return {
        "optimizer": traj.optimizer, "n": len(traj.points), "steps": traj.steps, "outcome": traj.outcome,
        "reason": traj.reason, "settled_at": traj.settled_at, "reached": traj.reached, "tol": traj.tol,
        "hyperparams": {k: (list(v) if isinstance(v, tuple) else v) for k, v in traj.hyperparams.items()},
        **statistics(traj, surf), **({"minibatch": dict(extra)} if extra is not None else {}),
    }


def pack(trajs, surface):
    """({key: record}, floats): each run's record, with ``offset`` into ``floats`` (an ``array("d")``), which
    holds for each run in turn its points as x0, y0, x1, y1, ... then its losses (3·n floats per run of n
    points)."""
    surf = resolve_surface(surface)
    records, floats = {}, array("d")
    for key, t in trajs.items():
        rec = record(t, surf)
        rec["offset"] = len(floats)
        floats.extend(chain.from_iterable(t.points))
        floats.extend(t.losses)
        records[key] = rec
    return records, floats


def step_info(traj, k):
    """The inspector's content for the dot at point ``k`` (0 = the start): where it is, and the step that led
    there (gradient used, update, the state before and after it, lr, effective step size ‖Δθ‖/‖g‖) with a
    sentence. The sentence quotes the state the step *used*, so its formula reproduces the update shown."""
    last = len(traj.points) - 1
    k = check_whole("step", k, 0, traj.steps)
    i = min(k, last)
    spec = get_optimizer(traj.optimizer)
    info = {
        "optimizer": traj.optimizer, "name": spec.name, "step": i, "requested": k,
        "position": list(traj.points[i]), "loss": traj.losses[i], "outcome": traj.outcome,
        # why the run ended before its steps (diverged, or early stopping), shown at its last point
        "reason": traj.reason if i == last < traj.steps else None,
        "stopped": k > last,
    }
    if i == 0:
        g = traj.start_grad
        info.update(gradient=list(g), update=None, state={}, state_before={}, lr=None, effective_lr=None,
                    text=f"{spec.name} starts here; the gradient of f here is ({g[0]:.3g}, {g[1]:.3g}).")
        return info
    grad, upd = traj.grads[i - 1], traj.updates[i - 1]
    state, before = _state_at(traj, i), _state_at(traj, i - 1)
    info.update(gradient=list(grad), update=list(upd), state=state, state_before=before, lr=traj.lrs[i - 1],
                effective_lr=effective_lr(grad, upd),
                text=explain_step(spec, traj.hyperparams, i, grad, upd, state, traj.lrs[i - 1], before))
    return info


def _state_at(traj, i):
    """The optimizer's state after step i (1-based) by torch's names; {} before the first step."""
    if i == 0:
        return {}
    return {k: (list(v) if isinstance(v, tuple) else v)
            for k, v in zip(traj.state_fields, traj.states[i - 1]) if v is not None}
