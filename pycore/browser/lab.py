"""The page's lab: basin maps computed in pieces by a pool of workers, fair lr tuning, your own function.

A basin map is planned once (``basin_job``: everything checked, ValueError naming the field), then computed
as ``chunks`` of cell indices in coarse-to-fine order; any worker can compute any chunk (``basin_chunk``), in
any order, and gets the same outcome codes a single run of ``pycore.compare.basin_map`` would: every start is
independent. Chunks are sized from the measured cost of one evaluation of f and ∇f, so each takes about
``CHUNK_SECONDS`` whatever the surface, and a cancelled map costs at most one chunk per worker.
"""
import math
import time

from ..checks import check_whole, short
from ..compare import basin_cells, basin_plan, shares
from ..expr import describe
from ..optimizers import get_optimizer
from ..specs import resolve_surface
from ..tuning import tune
from .catalog import DEFAULT_STEPS, MAX_STEPS, check_drawable, surface_record
from .runs import check_hyperparams, run_options

BASIN_SIZES = (25, 50, 100)
CHUNK_SECONDS = 0.15
MAX_CHUNK = 2000
TIMED_SECONDS = 0.02    # evaluation_cost times at least this much work,
MAX_ROUNDS = 1 << 12    # or this many rounds over its points (a clock that does not move)


def evaluation_cost(surf, points=40, clock=time.perf_counter):
    """Seconds per evaluation of f and ∇f: the mean over ``points`` points spread over the view, all evaluated
    again and again (doubling the rounds) until they took at least ``TIMED_SECONDS``. A browser coarsens the
    clock its workers read (to 0.1 ms here), far coarser than one evaluation: timed one by one, every
    evaluation read as 0, and a basin map's chunks took seconds instead of ``CHUNK_SECONDS``."""
    (x0, x1), (y0, y1) = surf.bounds
    spread = [(x0 + (x1 - x0) * ((i * 0.618) % 1.0), y0 + (y1 - y0) * ((i * 0.382) % 1.0)) for i in range(points)]
    rounds = 1
    while True:
        t0 = clock()
        for _ in range(rounds):
            for x, y in spread:
                try:
                    surf.f(x, y)
                    surf.grad(x, y)
                except (ArithmeticError, ValueError):
                    pass
        elapsed = clock() - t0
        if elapsed >= TIMED_SECONDS or rounds >= MAX_ROUNDS:
            return max(elapsed / (rounds * points), 1e-9)
        rounds *= 2


def chunks(levels, steps, cost):
    """The cells of ``levels`` in coarse-to-fine order, cut into chunks of about ``CHUNK_SECONDS`` each
    (an update costs about as much as an evaluation, hence the factor 2)."""
    size = int(min(MAX_CHUNK, max(1, CHUNK_SECONDS / (2 * cost * max(steps, 1)))))
    out = []
    for stride, level in levels:
        for c in range(0, len(level), size):
            out.append({"stride": stride, "cells": level[c:c + size], "last": c + size >= len(level)})
    return out


def basin_job(surface, optimizer, hyperparams=None, size=BASIN_SIZES[1], steps=DEFAULT_STEPS, options=None):
    """(plan, head): a checked basin map of ``optimizer`` on the spec's surface with the page's settings, and
    what the page needs to run it: the map's settings (``pycore.compare.basin_plan``) plus ``chunks``.

    ``options`` are the page's run options: the optimizer's schedule and ``max_grad_norm`` apply; gradient
    noise, mini-batches and early stopping do not (a basin map is deterministic: on a dataset spec it uses the
    training loss, full batch, for all its steps), and the head's ``ignored`` says which of them were on.
    """
    surf = resolve_surface(surface)
    if size not in BASIN_SIZES:
        raise ValueError(f"the basin grid must be one of {', '.join(map(str, BASIN_SIZES))} starts a side; "
                         f"got {short(size)}")
    steps = check_whole("steps", steps, 1, MAX_STEPS)
    opts = run_options(options)
    key = get_optimizer(optimizer).key
    values = check_hyperparams(key, hyperparams or {})
    plan = basin_plan(surf, key, size, size, steps, {k: tuple(v) if isinstance(v, list) else v
                                                     for k, v in values.items()},
                      schedule=opts["schedules"].get(key), max_grad_norm=opts["max_grad_norm"])
    data = surface if isinstance(surface, dict) and "dataset" in surface else {}
    ignored = [name for name, on in (("gradient noise", opts["noise"] > 0), ("mini-batches", bool(data)),
                                     ("early stopping", bool(data.get("early_stopping")))) if on]
    head = {**plan.head, "ignored": ignored,
            "chunks": chunks(plan.levels, steps, evaluation_cost(surf))}
    return plan, head


def basin_chunk(plan, cells):
    """The outcome codes of ``cells`` (indices into the plan's grid): a minimum's index, -1 none, -2 diverged."""
    if not isinstance(cells, list) or not all(isinstance(c, int) and 0 <= c < len(plan.starts) for c in cells):
        raise ValueError("cells must be a list of cell indices of the map")
    return basin_cells(plan, cells)


def basin_share(surface, optimizer, hyperparams=None, size=BASIN_SIZES[0], steps=DEFAULT_STEPS, options=None):
    """A whole (small) basin map at once, summarised: the share of starts ending at each minimum, at a global
    one, at none, or diverging (for the every-optimizer table, one optimizer per worker)."""
    plan, head = basin_job(surface, optimizer, hyperparams, size, steps, options)
    outcomes = basin_cells(plan, list(range(len(plan.starts))))
    head.pop("chunks")
    return {**head, **shares(plan.surface, outcomes, len(outcomes))}


def tune_one(surface, optimizer, hyperparams=None, steps=DEFAULT_STEPS):
    """``pycore.tuning.tune`` for one optimizer on a spec's surface (on a data surface: its training loss, full
    batch, no early stopping): the other hyperparameters fixed at the values given, lr on the default log grid,
    no gradient clipping. JSON-ready (no inf: an lr that diverges has objective None)."""
    surf = resolve_surface(surface)
    key = get_optimizer(optimizer).key
    values = check_hyperparams(key, hyperparams or {})
    defaults = check_hyperparams(key, {})
    fixed = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k != "lr" and v != defaults[k]}
    out = tune(surf, [key], steps=check_whole("steps", steps, 1, MAX_STEPS), hyperparams={key: fixed} if fixed else None)
    rec = out["results"][key]
    rec["objective"] = [v if math.isfinite(v) else None for v in rec["objective"]]
    return {"method": out["method"], "result": rec}


def check_custom(expr, bounds):
    """The verdict on a typed f(x, y) and bounds, for the field: {"ok": True, "surface": record, "text",
    "latex", "gradient_text", "gradient_latex"} or {"ok": False, "field": "expr" | "bounds", "message", and
    for "expr" "pos"/"column" (1-based)}. Nothing here runs an optimizer."""
    if not isinstance(expr, str):
        return {"ok": False, "field": "expr", "message": "f(x, y) must be text", "pos": 0, "column": 1}
    verdict = describe(expr)
    if not verdict["ok"]:
        return {**verdict, "field": "expr"}
    try:
        rec = surface_record({"custom": expr, "bounds": bounds})
        check_drawable({"custom": expr, "bounds": bounds})
    except ValueError as e:
        return {"ok": False, "field": "bounds", "message": str(e)}
    return {**verdict, "surface": rec}
