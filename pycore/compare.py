"""Comparisons measured by running the optimizers: a race table from one start, and basin-of-attraction maps.

``compare`` runs each optimizer with ``pycore.run`` and reports, per optimizer, what the page's table shows:
steps to convergence, final loss, the minimum reached, path length. ``basin_map`` answers "from where does this
optimizer end up in which minimum?" for a grid of starts; ``basin_levels`` computes the same map coarse to
fine, yielding partial maps a worker can draw while the rest is computed.

Basin maps use ``run_many``, a lean runner that applies ``run``'s rules without recording anything: all starts
advance in lockstep as one long parameter vector (every torch update rule is elementwise, so one ``update``
call over the (x0, y0, x1, y1, ...) vector computes every start's step with the same float operations as
separate runs), with the same divergence rules (an iterate outside the escape box, a non-finite iterate, loss
or gradient ends that start, keeping its last finite point) and the same convergence test.
"""
from collections import namedtuple
from itertools import chain
import math

from .optimizers import OPTIMIZERS, get_optimizer, resolve
from .surfaces import get_surface
from .schedules import get_schedule
from .checks import check_bounds, check_start, check_whole
from .outcome import classify, default_tol
from .trajectory import ESCAPE_SPANS, check_options, evaluate, run

DIVERGED = -2
NO_MINIMUM = -1


def _reached(surf, index):
    return None if index is None else {"index": index, "is_global": surf.minima[index].is_global}


def _hyperparams_json(values):
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in values.items()}


def compare(surface, start=None, steps=300, optimizers=None, hyperparams=None, *, schedule=None, noise=0.0,
            seed=0, max_grad_norm=None, tol=None):
    """Race ``optimizers`` (keys; None = all, in display order) from one start on ``surface``.

    ``hyperparams`` maps an optimizer key to its overrides (torch's names; the rest take torch's defaults).
    Everything is validated before the first run. Per optimizer: ``outcome``, ``reason`` and ``settled_at``
    as in ``run``, ``final_loss`` and ``final_point``, ``reached`` ({index, is_global} of the surface's minimum
    the run ended at, or None), ``path_length`` Σ‖θ_k − θ_{k−1}‖, ``mean_step_length`` (path length / steps
    taken), ``steps_taken`` and the ``hyperparams`` in effect. JSON-ready.
    """
    surf = get_surface(surface)
    keys = list(OPTIMIZERS) if optimizers is None else [get_optimizer(k).key for k in optimizers]
    overrides = dict(hyperparams or {})
    unknown = sorted(set(overrides) - set(keys))
    if unknown:
        raise ValueError(f"hyperparams given for {unknown[0]!r}, which is not being compared; "
                         f"compared: {', '.join(keys)}")
    for key in keys:
        resolve(key, overrides.get(key))
    options = dict(schedule=schedule, noise=noise, seed=seed, max_grad_norm=max_grad_norm, tol=tol)
    rows = []
    for key in keys:
        t = run(key, surf, start, steps, **options, **overrides.get(key, {}))
        path = sum(math.hypot(ux, uy) for ux, uy in t.updates)
        taken = len(t.updates)
        rows.append({
            "optimizer": key, "name": OPTIMIZERS[key].name, "outcome": t.outcome, "reason": t.reason,
            "settled_at": t.settled_at, "final_loss": t.losses[-1], "final_point": list(t.points[-1]),
            "reached": _reached(surf, t.reached), "path_length": path,
            "mean_step_length": path / taken if taken else None, "steps_taken": taken,
            "hyperparams": _hyperparams_json(t.hyperparams),
        })
    return {"surface": surf.key, "start": list(t.start), "steps": steps, "schedule": t.schedule,
            "noise": t.noise, "seed": seed, "max_grad_norm": t.max_grad_norm, "tol": t.tol, "results": rows}


def _escape_box(bounds):
    (x0, x1), (y0, y1) = bounds
    span = ESCAPE_SPANS * max(x1 - x0, y1 - y0)
    return x0 - span, x1 + span, y0 - span, y1 + span


def _pairs(values, keep):
    """The (x, y) entries of a flat (x0, y0, x1, y1, ...) tuple at the positions ``keep``."""
    return tuple([values[c] for j in keep for c in (2 * j, 2 * j + 1)])


def _compact(state, keep, width):
    """A rule's state with only the starts at ``keep``: per-coordinate tuples (length ``width``) are filtered,
    scalars (``step``, ``mu_product``) are shared by all starts in lockstep and kept."""
    return tuple([_pairs(s, keep) if isinstance(s, tuple) and len(s) == width else s for s in state])


def run_many(rule, surface, starts, lrs, *, max_grad_norm=None, tol=None, track=True):
    """Run ``rule`` (a ``pycore.rules.Rule``) from every start for ``len(lrs)`` steps.

    Returns one ``(x, y, outcome, settled_at, reached)`` per start, equal to ``run``'s ``points[-1]``,
    ``outcome``, ``settled_at`` and ``reached`` for the same input (no noise). With ``track=False`` no path is
    kept, so the outcome is judged from the end point alone: "global", "local", "budget" or "diverged", with
    ``settled_at`` None (what a basin map or an lr tuner needs, at a fraction of the memory). A start where f
    or its gradient is not finite, which ``run`` refuses, is "diverged" at step 0. ``tol`` (default: the
    surface's, ``pycore.outcome.default_tol``) and ``max_grad_norm`` are taken as given (``basin_levels``
    checks them).
    """
    surf = get_surface(surface)
    tol = default_tol(surf.bounds) if tol is None else tol
    f, grad, update = surf.f, surf.grad, rule.update
    lo_x, hi_x, lo_y, hi_y = _escape_box(surf.bounds)
    isfinite = math.isfinite
    n = len(starts)
    final, failed = [check_start(s) for s in starts], [False] * n
    paths = [[p] for p in final] if track else None
    ids, params, grads = [], [], []
    for i, (x, y) in enumerate(final):
        here = evaluate(surf, x, y)
        if here is None:
            failed[i] = True
            continue
        ids.append(i)
        params += (x, y)
        grads += here[1:]
    params, grads = tuple(params), tuple(grads)
    state = rule.init(params)

    def drop(bad, new, state):
        """End the starts at positions ``bad`` (their last finite point is in ``params``); compact the rest."""
        for j in bad:
            final[ids[j]] = (params[2 * j], params[2 * j + 1])
            failed[ids[j]] = True
        keep = [j for j in range(len(ids)) if j not in bad]
        return ([ids[j] for j in keep], _pairs(params, keep), _pairs(grads, keep), _pairs(new, keep),
                _compact(state, keep, len(params)))

    for lr in lrs:
        if not ids:
            break
        if max_grad_norm is not None:
            grads = clip_pairs(grads, max_grad_norm)
        try:
            new, state = update(grads, state, params, lr)
        except (ArithmeticError, ValueError):
            new, state = update_each(rule, grads, state, params, lr)
        xs, ys = new[0::2], new[1::2]
        # Fast path: one sum catches any NaN/inf, min/max the box; the per-start test runs only on a failure.
        if not (isfinite(sum(new)) and lo_x <= min(xs) and max(xs) <= hi_x and lo_y <= min(ys) and max(ys) <= hi_y):
            bad = {j for j, (x, y) in enumerate(zip(xs, ys)) if not (lo_x <= x <= hi_x and lo_y <= y <= hi_y)}
            if bad:
                ids, params, grads, new, state = drop(bad, new, state)
                xs, ys = new[0::2], new[1::2]
        try:
            losses = list(map(f, xs, ys))
            new_grads = tuple(chain.from_iterable(map(grad, xs, ys)))
            fine = isfinite(sum(losses)) and isfinite(sum(new_grads))
        except (ArithmeticError, ValueError):
            fine = False
        if not fine:
            here = [evaluate(surf, x, y) for x, y in zip(xs, ys)]
            bad = {j for j, h in enumerate(here) if h is None}
            new_grads = tuple(chain.from_iterable((0.0, 0.0) if h is None else h[1:] for h in here))
            if bad:
                grads = new_grads
                ids, params, new_grads, new, state = drop(bad, new, state)
        params, grads = new, new_grads
        if track:
            for j, i in enumerate(ids):
                paths[i].append((params[2 * j], params[2 * j + 1]))
    ends = {}
    for j, i in enumerate(ids):
        final[i] = (params[2 * j], params[2 * j + 1])
        ends[i] = (grads[2 * j], grads[2 * j + 1])
    out = []
    for i, (x, y) in enumerate(final):
        if failed[i]:
            out.append((x, y, "diverged", None, None))
            continue
        outcome, settled, reached, _ = classify(surf, paths[i] if track else [(x, y)], ends[i], tol, len(lrs))
        out.append((x, y, outcome, settled if track else None, reached))
    return out


def clip_pairs(grads, max_grad_norm):
    """A flat (gx0, gy0, gx1, gy1, ...) gradient with each pair clipped as ``run`` clips it:
    g ← g·c/(‖g‖ + 1e-6) when that factor is below 1."""
    hypot, clipped = math.hypot, []
    for gx, gy in zip(grads[0::2], grads[1::2]):
        coef = max_grad_norm / (hypot(gx, gy) + 1e-6)
        clipped += (gx * coef, gy * coef) if coef < 1.0 else (gx, gy)
    return tuple(clipped)


def update_each(rule, grads, state, params, lr):
    """One lockstep step when the joint update failed (0/0, a negative variance...): each start's step on its
    own, a failed one made NaN so the caller ends that start as diverged, as ``run`` does."""
    width = len(params)
    new, states = [], []
    for j in range(width // 2):
        keep = [j]
        one = _compact(state, keep, width)
        try:
            p, s = rule.update(_pairs(grads, keep), one, _pairs(params, keep), lr)
        except (ArithmeticError, ValueError):
            p, s = (math.nan, math.nan), one
        new += p
        states.append(s)
    merged = tuple(tuple(chain.from_iterable(s[i] for s in states)) if isinstance(states[0][i], tuple)
                   and len(states[0][i]) == 2 else states[0][i] for i in range(len(state)))
    return tuple(new), merged


def cell_centres(bounds, nx, ny):
    """Cell centres, row-major from (xmin, ymin): index j*nx + i is (x0 + (i + ½)Δx, y0 + (j + ½)Δy)."""
    (x0, x1), (y0, y1) = bounds
    dx, dy = (x1 - x0) / nx, (y1 - y0) / ny
    return [(x0 + (i + 0.5) * dx, y0 + (j + 0.5) * dy) for j in range(ny) for i in range(nx)]


def _levels(nx, ny, coarsest):
    """Cell indices grouped coarse to fine: every ``coarsest``-th cell first, then the cells new at each halved
    stride, so every cell is computed once and each level refines the one before."""
    stride, seen, out = coarsest, set(), []
    while stride >= 1:
        level = [j * nx + i for j in range(0, ny, stride) for i in range(0, nx, stride) if j * nx + i not in seen]
        seen.update(level)
        out.append((stride, level))
        stride //= 2
    return out


BasinPlan = namedtuple("BasinPlan", "surface rule starts lrs levels head options")
BasinPlan.__doc__ = """A checked basin map, ready to compute in pieces: ``starts`` (cell centres, row-major),
``lrs`` per step, ``levels`` ((stride, cell indices) coarse to fine), ``head`` (the map's JSON-ready settings)
and the run ``options``; ``basin_cells(plan, cells)`` computes any subset of cells, in any order or worker."""


def basin_plan(surface, optimizer, nx=100, ny=100, steps=300, hyperparams=None, bounds=None, *, schedule=None,
               max_grad_norm=None, tol=None, coarsest=8):
    """Everything a basin map needs, checked (ValueError naming the field) before any cell is computed."""
    surf = get_surface(surface)
    spec, values, rule = resolve(optimizer, hyperparams)
    bounds = surf.bounds if bounds is None else check_bounds(bounds)
    check_whole("nx", nx, 1, 1000)
    check_whole("ny", ny, 1, 1000)
    check_whole("steps", steps, 0)
    check_whole("coarsest", coarsest, 1)
    _, _, max_grad_norm, tol = check_options(0.0, 0, max_grad_norm, tol)
    tol = default_tol(surf.bounds) if tol is None else tol
    sched = get_schedule(schedule)
    head = {"surface": surf.key, "optimizer": spec.key, "hyperparams": _hyperparams_json(values),
            "schedule": sched.spec, "steps": steps, "max_grad_norm": max_grad_norm, "tol": tol,
            "nx": nx, "ny": ny, "bounds": [list(bounds[0]), list(bounds[1])],
            "minima": [{"x": m.x, "y": m.y, "value": m.value, "is_global": m.is_global} for m in surf.minima]}
    return BasinPlan(surf, rule, cell_centres(bounds, nx, ny), sched.lrs(values["lr"], steps), _levels(nx, ny, coarsest),
                     head, {"max_grad_norm": max_grad_norm, "tol": tol})


def basin_cells(plan, cells):
    """The outcome code of each cell index in ``cells``: the index of the minimum its run ends at, ``NO_MINIMUM``
    or ``DIVERGED``."""
    ends = run_many(plan.rule, plan.surface, [plan.starts[i] for i in cells], plan.lrs, track=False, **plan.options)
    return [DIVERGED if outcome == "diverged" else NO_MINIMUM if reached is None else reached
            for _, _, outcome, _, reached in ends]


def basin_levels(surface, optimizer, nx=100, ny=100, steps=300, hyperparams=None, bounds=None, *, schedule=None,
                 max_grad_norm=None, tol=None, coarsest=8, chunk=2000):
    """``basin_map`` computed coarse to fine: an iterator of maps, one after each batch of at most ``chunk`` starts.

    Each partial map is ``basin_map``'s dict with None in ``outcomes`` for cells not computed yet, ``done`` (cells
    computed) and ``stride``: every ``stride``-th cell in x and y is computed (None until the coarsest level is),
    so a preview can paint cell (i, j) with the value of cell (i - i mod stride, j - j mod stride). Shares count
    computed cells only. The last map is complete (``stride`` 1, ``done`` = nx·ny). All input is checked here,
    before the iterator is returned (ValueError naming the field).
    """
    check_whole("chunk", chunk, 1)
    plan = basin_plan(surface, optimizer, nx, ny, steps, hyperparams, bounds, schedule=schedule,
                      max_grad_norm=max_grad_norm, tol=tol, coarsest=coarsest)
    return _refine(plan, chunk)


def _refine(plan, chunk):
    outcomes = [None] * len(plan.starts)
    done, complete = 0, None
    for stride, level in plan.levels:
        for c in range(0, len(level), chunk):
            cells = level[c:c + chunk]
            for i, v in zip(cells, basin_cells(plan, cells)):
                outcomes[i] = v
            done += len(cells)
            if c + chunk >= len(level):
                complete = stride
            yield {**plan.head, **shares(plan.surface, outcomes, done), "outcomes": list(outcomes), "done": done,
                   "stride": complete}


def shares(surf, outcomes, done):
    """Counts and shares of each outcome code among the computed cells (None = not computed yet)."""
    counts = [0] * len(surf.minima)
    none = diverged = 0
    for v in outcomes:
        if v is None:
            continue
        if v >= 0:
            counts[v] += 1
        elif v == NO_MINIMUM:
            none += 1
        else:
            diverged += 1
    total = done or 1
    return {"counts": counts, "shares": [c / total for c in counts],
            "global_share": sum(c for c, m in zip(counts, surf.minima) if m.is_global) / total,
            "none_share": none / total, "diverged_share": diverged / total}


def basin_map(surface, optimizer, nx=100, ny=100, steps=300, hyperparams=None, bounds=None, **options):
    """Which minimum ``optimizer`` reaches from each cell centre of an nx × ny grid over ``bounds`` (default:
    the surface's view) after ``steps`` steps: ``outcomes`` is a flat row-major list (index j·nx + i, row 0 at
    ymin) of the index of the minimum the final point is within ``tol`` of, -1 for none, -2 for a diverged run.
    ``counts``/``shares`` per minimum, ``global_share`` (all global minima), ``none_share``, ``diverged_share``.
    ``options``: schedule, max_grad_norm, tol as in ``run`` (no gradient noise). JSON-ready.
    """
    for partial in basin_levels(surface, optimizer, nx, ny, steps, hyperparams, bounds, **options):
        pass
    return partial
