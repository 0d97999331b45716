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
from itertools import chain
import math

from .optimizers import OPTIMIZERS, get_optimizer, resolve
from .surfaces import get_surface
from .schedules import get_schedule
from .checks import check_bounds, check_start, check_whole
from .trajectory import ESCAPE_SPANS, minimum_finder, run

DIVERGED = -2
NO_MINIMUM = -1


def _reached(surf, index):
    return None if index is None else {"index": index, "is_global": surf.minima[index].is_global}


def _hyperparams_json(values):
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in values.items()}


def compare(surface, start=None, steps=300, optimizers=None, hyperparams=None, *, schedule=None, noise=0.0,
            seed=0, max_grad_norm=None, tol=1e-3, grad_tol=1e-8):
    """Race ``optimizers`` (keys; None = all, in display order) from one start on ``surface``.

    ``hyperparams`` maps an optimizer key to its overrides (torch's names; the rest take torch's defaults).
    Everything is validated before the first run. Per optimizer: ``status`` and ``reason`` as in ``run``,
    ``converged_at`` (first step within ``tol`` of a minimum or with ‖g‖ < ``grad_tol``), ``final_loss`` and
    ``final_point``, ``reached`` ({index, is_global} of the surface's minimum the last point is within ``tol``
    of, or None), ``path_length`` Σ‖θ_k − θ_{k−1}‖, ``mean_step_length`` (path length / steps taken),
    ``steps_taken`` and the ``hyperparams`` in effect. JSON-ready.
    """
    surf = get_surface(surface)
    keys = list(OPTIMIZERS) if optimizers is None else [get_optimizer(k).key for k in optimizers]
    overrides = dict(hyperparams or {})
    unknown = sorted(set(overrides) - set(keys))
    if unknown:
        raise ValueError(f"hyperparams given for {unknown[0]!r}, which is not being compared; "
                         f"compared: {', '.join(keys)}")
    for key in keys:
        resolve(key, **overrides.get(key, {}))
    options = dict(schedule=schedule, noise=noise, seed=seed, max_grad_norm=max_grad_norm, tol=tol, grad_tol=grad_tol)
    rows = []
    for key in keys:
        t = run(key, surf, start, steps, **options, **overrides.get(key, {}))
        path = sum(math.hypot(ux, uy) for ux, uy in t.updates)
        taken = len(t.updates)
        rows.append({
            "optimizer": key, "name": OPTIMIZERS[key].name, "status": t.status, "reason": t.reason,
            "converged_at": t.converged_at, "final_loss": t.losses[-1], "final_point": list(t.points[-1]),
            "reached": _reached(surf, t.reached), "path_length": path,
            "mean_step_length": path / taken if taken else None, "steps_taken": taken,
            "hyperparams": _hyperparams_json(t.hyperparams),
        })
    return {"surface": surf.key, "start": list(t.start), "steps": steps, "schedule": t.schedule,
            "noise": float(noise), "seed": seed, "max_grad_norm": max_grad_norm, "tol": tol, "grad_tol": grad_tol,
            "results": rows}


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


def run_many(rule, surface, starts, lrs, *, max_grad_norm=None, tol=1e-3, grad_tol=1e-8, track=True):
    """Run ``rule`` (a ``pycore.rules.Rule``) from every start for ``len(lrs)`` steps, recording only the end.

    Returns one ``(x, y, status, converged_at, reached)`` per start, equal to ``run``'s ``points[-1]``,
    ``status``, ``converged_at`` and ``reached`` for the same input (no noise). With ``track=False`` the
    per-step convergence test is skipped: ``converged_at`` is None and ``status`` "max_steps" for every run
    that did not diverge. A start where f or its gradient is not finite, which ``run`` refuses, is "diverged"
    at step 0. ``tol``, ``grad_tol`` and ``max_grad_norm`` are taken as given (``basin_levels`` checks them).
    """
    surf = get_surface(surface)
    f, grad, update = surf.f, surf.grad, rule.update
    lo_x, hi_x, lo_y, hi_y = _escape_box(surf.bounds)
    near = minimum_finder(surf.minima, tol)
    isfinite, hypot = math.isfinite, math.hypot
    n = len(starts)
    final, status, conv = [check_start(s) for s in starts], ["max_steps"] * n, [None] * n
    ids, params, grads = [], [], []
    for i, (x, y) in enumerate(final):
        gx, gy = grad(x, y)
        if not (isfinite(f(x, y)) and isfinite(gx) and isfinite(gy)):
            status[i] = "diverged"
            continue
        ids.append(i)
        params += (x, y)
        grads += (gx, gy)
        if track and (near(x, y) is not None or hypot(gx, gy) < grad_tol):
            conv[i] = 0
    params, grads = tuple(params), tuple(grads)
    state = rule.init(params)
    pending = [j for j, i in enumerate(ids) if conv[i] is None] if track else []

    def drop(bad, new, state):
        """End the starts at positions ``bad`` (their last finite point is in ``params``); compact the rest."""
        for j in bad:
            final[ids[j]] = (params[2 * j], params[2 * j + 1])
            status[ids[j]] = "diverged"
        keep = [j for j in range(len(ids)) if j not in bad]
        where = {j: k for k, j in enumerate(keep)}
        return ([ids[j] for j in keep], _pairs(params, keep), _pairs(grads, keep), _pairs(new, keep),
                _compact(state, keep, len(params)), [where[j] for j in pending if j in where])

    for k, lr in enumerate(lrs):
        if not ids:
            break
        if max_grad_norm is not None:
            clipped = []
            for gx, gy in zip(grads[0::2], grads[1::2]):
                coef = max_grad_norm / (hypot(gx, gy) + 1e-6)
                clipped += (gx * coef, gy * coef) if coef < 1.0 else (gx, gy)
            grads = tuple(clipped)
        new, state = update(grads, state, params, lr)
        xs, ys = new[0::2], new[1::2]
        # Fast path: one sum catches any NaN/inf, min/max the box; the per-start test runs only on a failure.
        if not (isfinite(sum(new)) and lo_x <= min(xs) and max(xs) <= hi_x and lo_y <= min(ys) and max(ys) <= hi_y):
            bad = {j for j, (x, y) in enumerate(zip(xs, ys)) if not (lo_x <= x <= hi_x and lo_y <= y <= hi_y)}
            if bad:
                ids, params, grads, new, state, pending = drop(bad, new, state)
                xs, ys = new[0::2], new[1::2]
        losses = list(map(f, xs, ys))
        new_grads = tuple(chain.from_iterable(map(grad, xs, ys)))
        if not (isfinite(sum(losses)) and isfinite(sum(new_grads))):
            bad = {j for j, v in enumerate(losses)
                   if not (isfinite(v) and isfinite(new_grads[2 * j]) and isfinite(new_grads[2 * j + 1]))}
            if bad:
                grads = new_grads
                ids, params, new_grads, new, state, pending = drop(bad, new, state)
        params, grads = new, new_grads
        if pending:
            still = []
            for j in pending:
                x, y = params[2 * j], params[2 * j + 1]
                if hypot(grads[2 * j], grads[2 * j + 1]) < grad_tol or near(x, y) is not None:
                    conv[ids[j]] = k + 1
                else:
                    still.append(j)
            pending = still
    for j, i in enumerate(ids):
        final[i] = (params[2 * j], params[2 * j + 1])
    out = []
    for i, (x, y) in enumerate(final):
        st = "converged" if status[i] != "diverged" and conv[i] is not None else status[i]
        out.append((x, y, st, conv[i], near(x, y)))
    return out


def _grid(bounds, nx, ny):
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


def basin_levels(surface, optimizer, nx=100, ny=100, steps=300, hyperparams=None, bounds=None, *, schedule=None,
                 max_grad_norm=None, tol=1e-3, grad_tol=1e-8, coarsest=8, chunk=2000):
    """``basin_map`` computed coarse to fine: an iterator of maps, one after each batch of at most ``chunk`` starts.

    Each partial map is ``basin_map``'s dict with None in ``outcomes`` for cells not computed yet, ``done`` (cells
    computed) and ``stride``: every ``stride``-th cell in x and y is computed (None until the coarsest level is),
    so a preview can paint cell (i, j) with the value of cell (i - i mod stride, j - j mod stride). Shares count
    computed cells only. The last map is complete (``stride`` 1, ``done`` = nx·ny). All input is checked here,
    before the iterator is returned (ValueError naming the field).
    """
    surf = get_surface(surface)
    spec, values, rule = resolve(optimizer, **(hyperparams or {}))
    bounds = surf.bounds if bounds is None else check_bounds(bounds)
    check_whole("nx", nx, 1, 1000)
    check_whole("ny", ny, 1, 1000)
    check_whole("steps", steps, 0)
    check_whole("coarsest", coarsest, 1)
    check_whole("chunk", chunk, 1)
    sched = get_schedule(schedule)
    lrs = sched.lrs(values["lr"], steps)
    run(spec, surf, None, 0, schedule=schedule, max_grad_norm=max_grad_norm, tol=tol, grad_tol=grad_tol,
        **(hyperparams or {}))  # the options, checked as run checks them (at the surface's default start)
    head = {"surface": surf.key, "optimizer": spec.key, "hyperparams": _hyperparams_json(values),
            "schedule": sched.spec, "steps": steps, "max_grad_norm": max_grad_norm, "tol": tol, "grad_tol": grad_tol,
            "nx": nx, "ny": ny, "bounds": [list(bounds[0]), list(bounds[1])],
            "minima": [{"x": m.x, "y": m.y, "value": m.value, "is_global": m.is_global} for m in surf.minima]}
    return _refine(surf, rule, _grid(bounds, nx, ny), lrs, _levels(nx, ny, coarsest), chunk, head,
                   dict(max_grad_norm=max_grad_norm, tol=tol, grad_tol=grad_tol))


def _refine(surf, rule, starts, lrs, levels, chunk, head, options):
    outcomes = [None] * len(starts)
    done, complete = 0, None
    for stride, level in levels:
        for c in range(0, len(level), chunk):
            cells = level[c:c + chunk]
            ends = run_many(rule, surf, [starts[i] for i in cells], lrs, track=False, **options)
            for i, (_, _, st, _, reached) in zip(cells, ends):
                outcomes[i] = DIVERGED if st == "diverged" else NO_MINIMUM if reached is None else reached
            done += len(cells)
            if c + chunk >= len(level):
                complete = stride
            yield {**head, **_shares(surf, outcomes, done), "outcomes": list(outcomes), "done": done,
                   "stride": complete}


def _shares(surf, outcomes, done):
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
    ``options``: schedule, max_grad_norm, tol, grad_tol as in ``run`` (no gradient noise). JSON-ready.
    """
    for partial in basin_levels(surface, optimizer, nx, ny, steps, hyperparams, bounds, **options):
        pass
    return partial
