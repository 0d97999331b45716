"""The comparison table, measured from pycore runs: ``python3 -m desktop.comparison`` writes docs/comparison.md
and docs/comparison.json (and refreshes the doc sections that quote them).

For every optimizer on every surface of ``SURFACES``, with one step budget for all:

* **outcomes** (``pycore.OUTCOMES``: global, local, stalled, budget, diverged) and the **settling step**
  (``settled_at``) of every run from a grid of starts, under three settings: torch's defaults, one common lr,
  and the lr tuned for that optimizer and surface by ``pycore.tuning.tune`` (the same lr grid, tuning starts and
  budget for every optimizer);
* an **lr sweep** over the tuning grid from the tuning starts: per lr, how each start ended (end point only);
* an **ablation row**, Adam with AdamW's default weight decay as L2, so Adam and AdamW are also compared at the
  same weight decay (AdamW at λ = 0 is Adam step for step);
* the optimizer's **state** per parameter, counted from the state the rule really builds.

Per-run outcomes are kept (one letter per start), so every count, median and significance test in the page
is recomputed from the JSON. Headline sentences are generated from those counts, and a comparison is stated
only when it passes the noise rule (``differs``). Everything is deterministic: plain float arithmetic, no
randomness, results assembled in a fixed order whatever the number of worker processes.
"""
import argparse
import json
import math
import multiprocessing
import pathlib
import statistics
from collections import namedtuple

import pycore
from pycore.compare import run_many
from pycore.optimizers import resolve
from pycore.stationary import hessian
from pycore.tuning import lr_grid, tune

from . import ROOT, settings
from .progress import Progress

MD = ROOT / "docs" / "comparison.md"
JSON = ROOT / "docs" / "comparison.json"

# One surface per kind of difficulty (Matyas is the quadratic's conditioning rotated 45°); the unbounded saddle
# and the near-duplicates are left out. APART: lattices of 121 minima, reported on their own, not in totals.
SURFACES = ("quadratic", "matyas", "booth", "rosenbrock", "beale", "himmelblau", "two_wells", "six_hump_camel",
            "plateau", "rastrigin", "ackley")
APART = ("rastrigin", "ackley")
# Ablation rows: (optimizer, hyperparameters changed from its defaults).
VARIANTS = {"adam_l2": ("adam", {"weight_decay": 0.01})}
VARIANT_NAMES = {"adam_l2": "Adam + L2"}
DECAY_ROWS = ("adam", "adam_l2", "adamw")  # the weight-decay comparison: λ = 0, L2 at 0.01, decoupled at 0.01
ROTATION = ("quadratic", "matyas")         # axis-aligned and rotated: same condition number
SETTINGS = settings.SETTINGS + ("tuned",)
OUTCOME_CODES = {o: o[0] for o in pycore.OUTCOMES}  # g, l, s, d, b: one letter per run in the JSON
AT_MINIMUM = "gl"

ALPHA = 0.01     # noise rule: McNemar's exact test, two-sided p below this...
MIN_DIFF = 10    # ...and counts at least this far apart
MIN_N = 10       # fewer settled runs than this: no median
BY_STEPS = (100, 300)

Plan = namedtuple("Plan", "grid steps tol sweep_grid lr_range lr_points")
Plan.__doc__ = """Sizes of a comparison run: ``grid``² starts per surface, ``steps`` per run, ``tol`` the distance
that counts as at a point (``pycore.run``'s), ``sweep_grid``² tuning and sweep starts per surface, and the lr grid:
``lr_points`` log-spaced values over ``lr_range`` (``pycore.tuning.lr_grid``)."""
FULL = Plan(grid=8, steps=settings.STEPS, tol=settings.TOL, sweep_grid=4, lr_range=(1e-4, 10.0), lr_points=11)


def sweep_lrs(plan):
    """The lr grid of the sweep and of the tuning (they are the same grid)."""
    return lr_grid(*plan.lr_range, plan.lr_points)


def starts(surface, n):
    """n × n cell-centred starts over the view bounds; with n even no start lies on a centre line of the view."""
    (x0, x1), (y0, y1) = pycore.get_surface(surface).bounds
    return [(x0 + (i + 0.5) * (x1 - x0) / n, y0 + (j + 0.5) * (y1 - y0) / n) for j in range(n) for i in range(n)]


def row_spec(row):
    """(optimizer key, hyperparameters changed from its defaults) of a table row (an optimizer or a variant)."""
    return VARIANTS.get(row, (row, {}))


def row_name(row):
    return VARIANT_NAMES.get(row) or pycore.OPTIMIZERS[row].name


def decay_label(row):
    """"AdamW (λ = 0.01)": a row's name with the weight decay it runs with."""
    key, extra = row_spec(row)
    return f"{row_name(row)} (λ = {settings.in_effect(key, extra)['weight_decay']:g})"


def hyperparams(row, setting, tuned_lr=None):
    """The hyperparameters ``row`` runs with under ``setting`` (changes from torch's defaults only)."""
    key, extra = row_spec(row)
    if setting == "tuned":
        return {**extra, "lr": tuned_lr}
    return {**extra, **settings.overrides(key, setting)}


def _ends(row, surface, points, plan, hp, track):
    """``run_many`` from every start: (x, y, outcome, settled_at, reached) each, as ``pycore.run`` gives them."""
    key, _ = row_spec(row)
    _, values, rule = resolve(key, hp)
    return values["lr"], run_many(rule, surface, points, [values["lr"]] * plan.steps, tol=plan.tol, track=track)


def measure_runs(row, surface, plan, hp):
    """lr, one outcome letter per start of the grid and each run's settling step (None unless it settled)."""
    lr, ends = _ends(row, surface, starts(surface, plan.grid), plan, hp, track=True)
    return {"lr": lr, "outcomes": "".join(OUTCOME_CODES[e[2]] for e in ends), "settled": [e[3] for e in ends]}


def measure_tuning(row, surface, plan):
    """``pycore.tuning.tune`` for one row: its lr, and per grid lr the objective (3 digits; None for +inf) and the
    diverging tuning starts. When every lr diverged from some start tune picks none; the row then runs at the lr
    with the fewest diverging starts (the smaller on ties) and ``fallback`` says so."""
    key, extra = row_spec(row)
    r = tune(surface, [key], lr_range=plan.lr_range, points=plan.lr_points, steps=plan.steps,
             starts=starts(surface, plan.sweep_grid), hyperparams={key: extra} if extra else None)["results"][key]
    grid = sweep_lrs(plan)
    lr = r["lr"] if r["lr"] is not None else grid[min(range(len(grid)), key=lambda i: (r["diverged"][i], i))]
    return {"lr": lr, "fallback": r["lr"] is None, "at_edge": r["lr"] is not None and r["at_edge"],
            "objective": [_sig(v) if v < math.inf else None for v in r["objective"]], "diverged": r["diverged"]}


def measure_sweep(row, surface, plan):
    """Per lr of the grid, from the tuning starts: one letter per start (end point only, so a stalled run is
    "b") and the median distance of the non-diverged end points from the origin, ‖θ_N‖ (None if all diverged)."""
    out = []
    for lr in sweep_lrs(plan):
        _, ends = _ends(row, surface, starts(surface, plan.sweep_grid), plan, hyperparams(row, "tuned", lr),
                        track=False)
        norms = [math.hypot(x, y) for x, y, o, *_ in ends if o != "diverged"]
        out.append({"lr": lr, "outcomes": "".join(OUTCOME_CODES[e[2]] for e in ends),
                    "end_norm": _sig(statistics.median(norms)) if norms else None})
    return out


def measure_cell(row, surface, plan):
    """Everything measured for one row on one surface (deterministic)."""
    tuning = measure_tuning(row, surface, plan)
    return {"tuning": tuning,
            "settings": {s: measure_runs(row, surface, plan, hyperparams(row, s, tuning["lr"])) for s in SETTINGS},
            "sweep": measure_sweep(row, surface, plan)}


def _sig(v, digits=3):
    """A float rounded to ``digits`` significant digits, so tables do not hinge on the last ulp."""
    return v if v == 0 else float(f"{v:.{digits - 1}e}")


def state_memory(key):
    """(per-parameter state fields, scalar state fields) of ``key`` with torch defaults, read from the state
    the rule holds after two steps on a 3-parameter problem (fields torch has not allocated are None)."""
    spec, _, rule = resolve(key)
    params, grads = (0.5, -1.0, 2.0), (0.3, -0.2, 0.1)
    state = rule.init(params)
    for _ in range(2):
        params, state = rule.update(grads, state, params, 1e-3)
    per_param = [n for n, v in zip(spec.state_fields, state) if isinstance(v, tuple) and len(v) == len(params)]
    scalars = [n for n, v in zip(spec.state_fields, state) if isinstance(v, (int, float))]
    return per_param, scalars


def tensor_passes(per_param):
    """Parameter-sized tensors an elementwise step reads and writes when each is touched once: reads θ, g and
    each state tensor, writes θ and each state tensor."""
    return 3 + 2 * len(per_param)


def setting_text(plan):
    """Each setting in words, every value in effect (the tuned one by its rule)."""
    lrs = sweep_lrs(plan)
    return {**settings.SETTING_TEXT,
            "tuned": f"torch defaults except lr, tuned per optimizer and surface by pycore.tuning.tune over "
                     f"{len(lrs)} log-spaced values from {lrs[0]:g} to {lrs[-1]:g}, from the {plan.sweep_grid ** 2} "
                     f"tuning starts, {plan.steps} steps each"}


def _cell_job(args):
    row, surface, plan = args
    return measure_cell(row, surface, plan)


def measure(plan=FULL, surfaces=SURFACES, optimizers=None, processes=2):
    """All results as a JSON-ready dict; cells computed in ``processes`` worker processes, assembled in order."""
    optimizers = list(optimizers or pycore.OPTIMIZERS)
    rows = optimizers + [v for v, (k, _) in VARIANTS.items() if k in optimizers]
    jobs = [(r, s, plan) for s in surfaces for r in rows]
    with Progress(len(jobs), "comparison") as bar:
        if processes > 1:
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                results = []
                for r in pool.imap(_cell_job, jobs):
                    results.append(r)
                    bar.advance()
        else:
            results = []
            for job in jobs:
                results.append(_cell_job(job))
                bar.advance()
    cells = {s: {} for s in surfaces}
    for (r, s, _), result in zip(jobs, results):
        cells[s][r] = result
    return {
        "plan": plan._asdict(),
        "settings": setting_text(plan),
        "outcome_codes": OUTCOME_CODES,
        "optimizers": optimizers,
        "variants": {v: {"optimizer": VARIANTS[v][0], "hyperparams": VARIANTS[v][1]} for v in rows[len(optimizers):]},
        "surfaces": list(surfaces),
        "apart": [s for s in APART if s in surfaces],
        "cells": cells,
        "memory": {k: dict(zip(("per_parameter", "scalars"), state_memory(k))) for k in optimizers},
    }


# ---------------------------------------------------------------- statistics ----------------------------------
def in_totals(data):
    """The surfaces the totals add up (all but those reported apart)."""
    return [s for s in data["surfaces"] if s not in data["apart"]]


def rows_of(data):
    return data["optimizers"] + list(data["variants"])


def pooled(data, row, setting, surfaces=None):
    """(outcome letters, settling steps) of ``row`` under ``setting``, start by start over ``surfaces`` (default:
    the totals'), so two rows' strings pair the same starts."""
    runs = [data["cells"][s][row]["settings"][setting] for s in (in_totals(data) if surfaces is None else surfaces)]
    return "".join(r["outcomes"] for r in runs), [t for r in runs for t in r["settled"]]


def count(outcomes, codes="g"):
    return sum(o in codes for o in outcomes)


def settling(outcomes, settled):
    """(median settling step, n) over the runs that ended at a global minimum; the median is None below MIN_N."""
    steps = [t for o, t in zip(outcomes, settled) if o == "g"]
    return (statistics.median(steps) if len(steps) >= MIN_N else None), len(steps)


def settled_by(outcomes, settled, step):
    """Runs that ended at a global minimum and stayed there from ``step`` on (out of all runs: no survivorship)."""
    return sum(o == "g" and t <= step for o, t in zip(outcomes, settled))


def mcnemar(a, b, codes="g"):
    """Two-sided exact McNemar p-value for paired runs ``a`` and ``b`` (outcome strings over the same starts):
    under "no difference", the starts where exactly one of them succeeds split evenly between the two."""
    only_a = sum(p in codes and q not in codes for p, q in zip(a, b))
    only_b = sum(q in codes and p not in codes for p, q in zip(a, b))
    n = only_a + only_b
    if n == 0:
        return 1.0
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(min(only_a, only_b) + 1)) / 2 ** n)


def differs(a, b, codes="g"):
    """The noise rule: two paired success counts differ when they are at least MIN_DIFF apart and McNemar's
    exact test gives p < ALPHA. Anything less is stated as within noise, never as a ranking."""
    return abs(count(a, codes) - count(b, codes)) >= MIN_DIFF and mcnemar(a, b, codes) < ALPHA


def ranking_ends(pools, codes="g"):
    """(leaders, trailers) of {key: paired outcome strings}: the most successful key and every key within noise
    of it, most first; the least successful and every key within noise of it, fewest first. A key within noise
    of both ends is in neither. None when the ends themselves are within noise (the ranking says nothing)."""
    order = sorted(pools, key=lambda k: -count(pools[k], codes))
    best, worst = order[0], order[-1]
    if not differs(pools[best], pools[worst], codes):
        return None
    near_best = [k for k in order if not differs(pools[best], pools[k], codes)]
    near_worst = [k for k in sorted(pools, key=lambda k: count(pools[k], codes))
                  if not differs(pools[worst], pools[k], codes)]
    return ([k for k in near_best if k not in near_worst], [k for k in near_worst if k not in near_best])


def diverged_at(sweep_point):
    return count(sweep_point["outcomes"], "d")


def stable_up_to(sweeps):
    """The largest lr of the grid up to which no start diverged (on any of ``sweeps``, lists of per-lr points);
    None when some start diverged at the smallest lr."""
    last = None
    for points in zip(*sweeps):
        if any(diverged_at(p) for p in points):
            break
        last = points[0]["lr"]
    return last


def at_minimum_range(sweep):
    """(smallest, largest) lr at which at least half of the starts ended at a minimum, or None."""
    ok = [p["lr"] for p in sweep if 2 * count(p["outcomes"], AT_MINIMUM) >= len(p["outcomes"])]
    return (min(ok), max(ok)) if ok else None


def curvature(surface):
    """(condition number, angle in degrees of the stiff axis from the x axis) of the Hessian at the first global
    minimum."""
    surf = pycore.get_surface(surface)
    m = next(m for m in surf.minima if m.is_global)
    (a, b), (_, d) = hessian(surf.grad, m.x, m.y)
    mean, half = (a + d) / 2, math.hypot((a - d) / 2, b)
    return (mean + half) / (mean - half), math.degrees(0.5 * math.atan2(2 * b, a - d))


# ---------------------------------------------------------------- sentences -----------------------------------
def join(words):
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _names(rows):
    return join(row_name(r) for r in rows)


def lr_text(v):
    return f"{v:.3g}"


def _counts(values):
    return join(str(v) for v in values)


def scope_sentence(data):
    """What the counts are out of, and what "reached a global minimum" means."""
    plan, main = Plan(**data["plan"]), in_totals(data)
    return (f"Counts are of {len(main) * plan.grid ** 2} runs per optimizer and setting: {len(main)} surfaces, "
            f"{plan.grid ** 2} starts each and the same {plan.steps} steps for every optimizer; a run reached a "
            f"global minimum when it ended within {plan.tol:g} of one"
            + (f" ({_apart_text(data)}, reported apart)." if data["apart"] else "."))


def _apart_text(data):
    """"Rastrigin and Ackley, with 121 minima each on a lattice"."""
    apart = data["apart"]
    n = sorted({len(pycore.get_surface(s).minima) for s in apart})
    return (f"{join(pycore.get_surface(s).name for s in apart)}, with {join(str(v) for v in n)} minima"
            + (" each" if len(apart) > 1 else "") + " on a lattice")


def _ranking(data, setting):
    """(leaders, trailers, pools) under ``setting`` over the totals' surfaces, or None when it says nothing."""
    pools = {k: pooled(data, k, setting)[0] for k in data["optimizers"]}
    ends = ranking_ends(pools)
    return ends and (*ends, pools)


def lead_text(keys, pools, verb, total=None):
    """"Adam and Adamax {verb} (451 and 439, within noise of each other)"; ``verb`` is one form for both numbers
    or (singular, plural); ``total`` adds "of 576"."""
    counts = [count(pools[k]) for k in keys]
    of = f" of {total}" if total else ""
    verb = verb if isinstance(verb, str) else verb[len(keys) > 1]
    if len(keys) == 1:
        return f"{_names(keys)} {verb} ({counts[0]}{of})"
    said = (f"{counts[0]}{of} each" if len(set(counts)) == 1 else
            f"{_counts(counts)}{of}, within noise of each other")
    return f"{_names(keys)} {verb} ({said})"


def tuned_sentence(data):
    """Who reached a global minimum from the most and the fewest starts with tuned lrs (groups within noise)."""
    r = _ranking(data, "tuned")
    if r is None:
        return None
    leaders, trailers, pools = r
    return (f"With each optimizer's lr tuned per surface by the same rule, "
            f"{lead_text(leaders, pools, 'reached a global minimum from the most starts')} and "
            f"{lead_text(trailers, pools, 'from the fewest')}.")


def _setting_lrs(data, setting):
    s = data["surfaces"][0]
    return {k: data["cells"][s][k]["settings"][setting]["lr"] for k in data["optimizers"]}


def defaults_sentence(data):
    """The same with torch's default lrs, and how far apart those lrs are."""
    r = _ranking(data, "defaults")
    if r is None:
        return None
    leaders, trailers, pools = r
    lrs = _setting_lrs(data, "defaults")
    lo, hi = min(lrs, key=lrs.get), max(lrs, key=lrs.get)
    return (f"With torch's default lrs, which run from {lr_text(lrs[lo])} ({row_name(lo)}) to {lr_text(lrs[hi])} "
            f"({row_name(hi)}) and so are no common scale, {lead_text(leaders, pools, ('leads', 'lead'))} and "
            f"{lead_text(trailers, pools, ('trails', 'trail'))}.")


def common_sentence(data):
    """The common-lr ranking and, where that lr diverged most, from how many starts for which optimizers."""
    plan, lrs = Plan(**data["plan"]), _setting_lrs(data, "common")
    common = statistics.mode(lrs.values())
    others = "; ".join(f"{row_name(k)} {lr_text(v)}" for k, v in lrs.items() if v != common)
    r = _ranking(data, "common")
    parts = []
    if r is not None:
        leaders, trailers, pools = r
        parts.append(f"{lead_text(leaders, pools, ('leads', 'lead'))} and "
                     f"{lead_text(trailers, pools, ('trails', 'trail'))}")
    div = {s: {k: count(data["cells"][s][k]["settings"]["common"]["outcomes"], "d") for k in data["optimizers"]}
           for s in data["surfaces"]}
    worst = max(data["surfaces"], key=lambda s: sum(div[s].values()))
    if sum(div[worst].values()):
        by = sorted({n for n in div[worst].values() if n}, reverse=True)
        parts.append(f"that lr diverged on {pycore.get_surface(worst).name} "
                     + join(f"from {'all ' if n == plan.grid ** 2 else ''}{n}{' starts' if n == by[0] else ''} "
                            f"for {_names(k for k in data['optimizers'] if div[worst][k] == n)}" for n in by))
    if not parts:
        return None
    return (f"With one lr for all ({lr_text(common)}" + (f"; {others}" if others else "") + "), "
            + ", but ".join(parts) + ".")


def _sweep_total(data, row, index, codes):
    return sum(count(data["cells"][s][row]["sweep"][index]["outcomes"], codes) for s in data["surfaces"])


def decay_sentence(data):
    """Which optimizers never diverged in the sweep; for AdamW, why (its decay), against Adam (AdamW at λ = 0)."""
    plan = Plan(**data["plan"])
    lrs = sweep_lrs(plan)
    never = [k for k in data["optimizers"] if stable_up_to([data["cells"][s][k]["sweep"] for s in data["surfaces"]])
             == lrs[-1]]
    if not never:
        return None
    text = (f"In the lr sweep ({lr_text(lrs[0])} to {lr_text(lrs[-1])}, {plan.sweep_grid ** 2} starts per surface), "
            f"{_names(never)} never diverged")
    if "adamw" not in never or "adam" in never:
        return text + "."
    lam = settings.in_effect("adamw", {})["weight_decay"]
    n = len(data["surfaces"]) * plan.sweep_grid ** 2
    reached = [s for s in data["surfaces"] if count(data["cells"][s]["adamw"]["sweep"][-1]["outcomes"], AT_MINIMUM)]
    at_origin = reached and all(math.hypot(m.x, m.y) <= plan.tol for s in reached
                                for m in pycore.get_surface(s).minima if m.is_global)
    return (text + f", AdamW only because its weight decay (λ = {lam:g}) multiplies θ by 1 − lr·λ = "
            f"{1 - lrs[-1] * lam:g} every step at lr {lr_text(lrs[-1])}: there it ended at a minimum from "
            f"{_sweep_total(data, 'adamw', -1, AT_MINIMUM)} of {n} starts"
            + (", all on surfaces whose minimum is the origin" if at_origin else "")
            + f", against {_sweep_total(data, 'adam', -1, AT_MINIMUM)} for Adam (AdamW with λ = 0), which diverged "
              f"from {_sweep_total(data, 'adam', -1, 'd')}.")


def _where(points, grid, n):
    """The starts named: "its 4 corner starts" of the n × n ``grid``, or their coordinates."""
    if set(points) == {grid[0], grid[n - 1], grid[n * (n - 1)], grid[n * n - 1]}:
        return "its 4 corner starts"
    return join(f"({x:.3g}, {y:.3g})" for x, y in points)


def small_lr_sentence(data):
    """Who diverged even at the sweep's smallest lr, from which starts, and how large the gradient is there."""
    plan = Plan(**data["plan"])
    lo, n = sweep_lrs(plan)[0], plan.sweep_grid
    groups = {}
    for s in data["surfaces"]:
        grid = starts(s, n)
        for k in data["optimizers"]:
            bad = tuple(p for p, o in zip(grid, data["cells"][s][k]["sweep"][0]["outcomes"]) if o == "d")
            if bad:
                groups.setdefault((s, bad), []).append(k)
    parts = []
    for (s, bad), keys in groups.items():
        surf = pycore.get_surface(s)
        g = sorted(math.hypot(*surf.grad(x, y)) for x, y in bad)
        parts.append(f"{_names(keys)} from {len(bad)} of {n * n} starts on {surf.name} "
                     f"({_where(bad, starts(s, n), n)}), where ‖∇f‖ is {_range(g)}, so lr × ‖∇f‖ is "
                     f"{_range([lo * v for v in g])} in a view {_width(s):g} wide")
    if not parts:
        return None
    return f"Even at lr {lr_text(lo)} some runs diverged: " + "; ".join(parts) + "."


def _range(values):
    """"32,000 to 35,000": the smallest and largest of ``values`` to 2 significant digits."""
    lo, hi = (_two_digits(v) for v in (min(values), max(values)))
    return lo if lo == hi else f"{lo} to {hi}"


def _two_digits(v):
    v = float(f"{v:.2g}")
    return f"{v:,.0f}" if v >= 100 else f"{v:g}"


def rotation_sentence(data):
    """Where the rotated bowl costs an optimizer starts that the axis-aligned one did not (tuned lrs, starts paired
    by grid position); None when no optimizer's counts differ beyond noise."""
    a, b = ROTATION
    if not set(ROTATION) <= set(data["surfaces"]):
        return None
    pa = {k: pooled(data, k, "tuned", [a])[0] for k in data["optimizers"]}
    pb = {k: pooled(data, k, "tuned", [b])[0] for k in data["optimizers"]}
    worse = [k for k in data["optimizers"] if count(pb[k]) < count(pa[k]) and differs(pa[k], pb[k])]
    if not worse:
        return None
    same = [k for k in data["optimizers"] if not differs(pa[k], pb[k])]
    (ka, _), (kb, angle) = curvature(a), curvature(b)
    sa, sb = pycore.get_surface(a), pycore.get_surface(b)
    kind = (f"the same condition number ({kb:.3g}) as the {sa.name.lower()}" if f"{ka:.3g}" == f"{kb:.3g}" else
            f"condition number {kb:.3g} (the {sa.name.lower()}: {ka:.3g})")
    wider = _width(b) / _width(a)
    rest = ("the other optimizers' counts on the two are within noise" if len(same) + len(worse) == len(pa) else
            f"{_names(same)} reached it from as many starts on both, within noise")
    return (f"On {sb.name}, a bowl with {kind} but its axes turned {abs(angle):.3g}° (and a view {wider:.2g} times "
            f"as wide), {_names(worse)} with tuned "
            f"lrs reached the global minimum from {_counts(count(pb[k]) for k in worse)} of {len(pb[worse[0]])} "
            f"starts, against {_counts(count(pa[k]) for k in worse)} on the axis-aligned bowl; {rest}.")


def _width(surface):
    (x0, x1), (y0, y1) = pycore.get_surface(surface).bounds
    return max(x1 - x0, y1 - y0)


def cost_sentence(data):
    """The range of state floats per parameter, and who sits at each end."""
    mem = {k: len(data["memory"][k]["per_parameter"]) for k in data["optimizers"]}
    lo, hi = min(mem.values()), max(mem.values())
    return (f"State costs {lo} to {hi} floats per parameter ({lo}: {_names(k for k in mem if mem[k] == lo)}; "
            f"{hi}: {_names(k for k in mem if mem[k] == hi)}).")


CAVEAT = ("These are 2-D test surfaces with a fixed budget: they show how each rule reacts to curvature, scale and "
          "local minima, not which optimizer trains networks best.")


def summary(data):
    """The "what the numbers say" paragraph: every sentence built from the counts, those that would state a
    difference within noise left out."""
    sentences = (scope_sentence, tuned_sentence, defaults_sentence, common_sentence, decay_sentence,
                 small_lr_sentence, rotation_sentence, cost_sentence)
    return " ".join([s for s in (f(data) for f in sentences) if s] + [CAVEAT])


# ---------------------------------------------------------------- tables --------------------------------------
def share(n, total):
    """"65 % (333)": a share with its count."""
    return f"{100 * n / total:.0f} % ({n})"


def settling_text(outcomes, settled):
    median, n = settling(outcomes, settled)
    return f"— (n = {n})" if median is None else f"{median:g} (n = {n})"


def _table(header, rows, align):
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
                     + ["| " + " | ".join(r) + " |" for r in rows]) + "\n"


TUNED_MARKS = {"†": "† every lr diverged from some tuning start: the lr with the fewest such starts",
               "‡": "‡ the tuned lr is at an end of the grid"}


def tuned_lr_text(cell):
    t = cell["tuning"]
    return lr_text(t["lr"]) + ("†" if t["fallback"] else "") + ("‡" if t["at_edge"] else "")


def outcome_table(data, surface, setting):
    """One row per optimizer: the lr, the count of each outcome and the settling step (counts of the grid)."""
    rows = []
    for k in data["optimizers"]:
        cell = data["cells"][surface][k]
        m = cell["settings"][setting]
        lr = tuned_lr_text(cell) if setting == "tuned" else lr_text(m["lr"])
        rows.append([row_name(k), lr] + [str(count(m["outcomes"], c)) for c in OUTCOME_CODES.values()]
                    + [settling_text(m["outcomes"], m["settled"])])
    return _table(["Optimizer", "lr", *pycore.OUTCOMES, "settling step: median (n)"], rows,
                  ["---"] + ["---:"] * 7)


def sweep_table(data, surface):
    """Per optimizer and lr: starts that ended at a minimum / starts that diverged; * marks the tuned lr."""
    plan = Plan(**data["plan"])
    rows = []
    for k in data["optimizers"]:
        cell = data["cells"][surface][k]
        rows.append([row_name(k)] + [f"{count(p['outcomes'], AT_MINIMUM)}/{diverged_at(p)}"
                                     + ("*" if p["lr"] == cell["tuning"]["lr"] else "") for p in cell["sweep"]])
    return _table(["Optimizer"] + [lr_text(v) for v in sweep_lrs(plan)], rows, ["---"] + ["---:"] * plan.lr_points)


SETTING_TITLES = {"defaults": "With torch's defaults", "common": "With the common lr", "tuned": "With the tuned lr"}


def surface_section(data, surface):
    """The markdown section of one surface: formula, minima, starts, a table per setting and the sweep."""
    surf, plan = pycore.get_surface(surface), Plan(**data["plan"])
    glob = ", ".join(f"({m.x:.4g}, {m.y:.4g})" for m in surf.global_minima)
    local = len(surf.minima) - len(surf.global_minima)
    (x0, x1), (y0, y1) = surf.bounds
    n = plan.grid ** 2
    lines = [f'<a id="{surface}"></a>', "", f"### {surf.name} (`{surface}`)", "", f"$${surf.latex}$$", "",
             f"Global minimum f* = {min(m.value for m in surf.global_minima):.6g} at {glob}"
             + (f"; {local} other local minim{'um' if local == 1 else 'a'}" if local else "")
             + (f"; {len(surf.saddles)} saddle point{'s' * (len(surf.saddles) != 1)}" if surf.saddles else "")
             + f". Starts: {plan.grid}×{plan.grid} grid over [{x0:g}, {x1:g}] × [{y0:g}, {y1:g}]; tuning and "
               f"sweep: {plan.sweep_grid}×{plan.sweep_grid}. Counts are of {n} starts.", ""]
    for setting in SETTINGS:
        lines += [f"{SETTING_TITLES[setting]}:", "", outcome_table(data, surface, setting)]
    lines += [f"lr sweep, from the {plan.sweep_grid ** 2} tuning starts: ended at a minimum (global or local) / "
              f"diverged; * the tuned lr.", "", sweep_table(data, surface)]
    return "\n".join(lines)


def overall_table(data):
    """Totals over the surfaces in the totals with the tuned lr: every outcome, and how fast (no survivorship)."""
    rows = []
    for k in data["optimizers"]:
        outs, settled = pooled(data, k, "tuned")
        rows.append([row_name(k)] + [share(count(outs, c), len(outs)) for c in OUTCOME_CODES.values()]
                    + [share(settled_by(outs, settled, t), len(outs)) for t in BY_STEPS]
                    + [settling_text(outs, settled)])
    return _table(["Optimizer (tuned lr)", *pycore.OUTCOMES] + [f"global, settled by step {t}" for t in BY_STEPS]
                  + ["settling step: median (n)"], rows, ["---"] + ["---:"] * (5 + len(BY_STEPS)) + ["---"])


def settings_table(data):
    """Global minimum reached and runs diverged under each setting, totals."""
    rows = []
    for k in data["optimizers"]:
        row = [row_name(k)]
        for s in SETTINGS:
            outs = pooled(data, k, s)[0]
            row += [share(count(outs), len(outs)), str(count(outs, "d"))]
        rows.append(row)
    header = ["Optimizer"] + [h for s in SETTINGS for h in (f"global ({s})", f"diverged ({s})")]
    return _table(header, rows, ["---"] + ["---:"] * (2 * len(SETTINGS)))


def apart_table(data):
    """The surfaces reported apart, tuned lr: global and local minima reached (counts of the grid)."""
    rows = []
    for k in data["optimizers"]:
        rows.append([row_name(k)] + [str(count(data["cells"][s][k]["settings"]["tuned"]["outcomes"], c))
                                     for s in data["apart"] for c in "gl"])
    header = ["Optimizer (tuned lr)"] + [f"{pycore.get_surface(s).name}: {o}" for s in data["apart"]
                                         for o in ("global", "local")]
    return _table(header, rows, ["---"] + ["---:"] * (2 * len(data["apart"])))


def sweep_summary_table(data):
    """Per optimizer over every surface: sweep runs diverged, the lr up to which none did, and at the top lr."""
    plan = Plan(**data["plan"])
    top, total = sweep_lrs(plan)[-1], len(data["surfaces"]) * plan.sweep_grid ** 2
    rows = []
    for k in data["optimizers"]:
        sweeps = [data["cells"][s][k]["sweep"] for s in data["surfaces"]]
        up_to = stable_up_to(sweeps)
        rows.append([row_name(k), f"{sum(diverged_at(p) for sw in sweeps for p in sw)} of {total * plan.lr_points}",
                     "none" if up_to is None else lr_text(up_to),
                     str(_sweep_total(data, k, -1, AT_MINIMUM)), str(_sweep_total(data, k, -1, "d"))])
    return _table(["Optimizer", "sweep runs diverged", "no start diverged on any surface up to lr",
                   f"lr {lr_text(top)}: ended at a minimum (of {total})", f"lr {lr_text(top)}: diverged"],
                  rows, ["---"] + ["---:"] * 4)


def cost_table(data):
    rows = []
    for k in data["optimizers"]:
        m = data["memory"][k]
        rows.append([row_name(k), ", ".join(f"`{n}`" for n in m["per_parameter"]) or "—",
                     str(len(m["per_parameter"])), ", ".join(f"`{n}`" for n in m["scalars"]) or "—",
                     str(tensor_passes(m["per_parameter"]))])
    return _table(["Optimizer", "state per parameter (torch names)", "floats per parameter", "scalars per tensor",
                   "tensors read + written per step"], rows, ["---", "---", "---:", "---", "---:"])


def decay_tables(data):
    """Adam at λ = 0, Adam + L2 and AdamW at the same λ: global minima with the tuned lr per surface, and how the
    sweep's top lr ended (at a minimum / diverged, median ‖θ_N‖)."""
    plan = Plan(**data["plan"])
    top = sweep_lrs(plan)[-1]
    tuned, sweep = [], []
    for s in data["surfaces"]:
        cells = [data["cells"][s][r] for r in DECAY_ROWS]
        tuned.append([pycore.get_surface(s).name] + [f"{count(c['settings']['tuned']['outcomes'])} "
                                                      f"(lr {tuned_lr_text(c)})" for c in cells])
        sweep.append([pycore.get_surface(s).name] + [
            f"{count(p['outcomes'], AT_MINIMUM)}/{diverged_at(p)}, ‖θ‖ "
            + ("—" if p["end_norm"] is None else f"{p['end_norm']:.2g}") for p in (c["sweep"][-1] for c in cells)])
    names = [decay_label(r) for r in DECAY_ROWS]
    return (f"Global minimum reached with the tuned lr (of {plan.grid ** 2} starts):\n\n"
            + _table(["Surface", *names], tuned, ["---"] + ["---:"] * 3)
            + f"\nAt lr {lr_text(top)} in the sweep (of {plan.sweep_grid ** 2} starts): ended at a minimum / diverged, "
              f"and the median distance ‖θ_N‖ of the end points from the origin:\n\n"
            + _table(["Surface", *names], sweep, ["---"] + ["---:"] * 3))


# ---------------------------------------------------------------- page ----------------------------------------
def nearest_stationary(data):
    """(distance, surface) of the start, over every grid of starts used, closest to a listed minimum, saddle or
    maximum of its surface."""
    plan = Plan(**data["plan"])
    best = (math.inf, None)
    for s in data["surfaces"]:
        surf = pycore.get_surface(s)
        points = list(surf.minima) + list(surf.saddles) + list(surf.maxima)
        for x, y in starts(s, plan.grid) + starts(s, plan.sweep_grid):
            best = min(best, (min(math.hypot(p.x - x, p.y - y) for p in points), s))
    return best


def _apart_best(data):
    """The most starts from which any optimizer reached a global minimum of a surface reported apart."""
    return max(count(data["cells"][s][k]["settings"][x]["outcomes"]) for s in data["apart"]
               for k in data["optimizers"] for x in SETTINGS)


def _a(n):
    """The article before a spoken number: "an 8×8", "a 4×4"."""
    return "an" if str(n).startswith("8") or n in (11, 18) else "a"


def method_section(data):
    plan = Plan(**data["plan"])
    lrs = sweep_lrs(plan)
    text = data["settings"]
    main = in_totals(data)
    gap, where = nearest_stationary(data)
    surfaces = ", ".join(f"{pycore.get_surface(s).name} (`{s}`)" for s in data["surfaces"])
    (ka, _), (kb, angle) = curvature(ROTATION[0]), curvature(ROTATION[1])
    return "\n".join([
        f"- **Runs**: `pycore.run`'s rules (torch.optim semantics, float64, no gradient clipping, no gradient "
        f"noise) through `pycore.compare.run_many`, exactly {plan.steps} steps, the same budget for every "
        f"optimizer, every setting and every start.",
        f"- **Surfaces**: {surfaces}. Minima, saddles and maxima are the ones pycore computes (Newton-polished). "
        f"{pycore.get_surface(ROTATION[1]).name} is a bowl of condition number {kb:.3g} with its axes turned "
        f"{abs(angle):.3g}° from x and y, next to the axis-aligned {pycore.get_surface(ROTATION[0]).name.lower()} "
        f"(condition number {ka:.3g}), so per-coordinate methods can be seen to depend on rotation. The totals add "
        f"up the {len(main)} surfaces {join(pycore.get_surface(s).name for s in main)}; "
        f"{_apart_text(data)}, {'are' if len(data['apart']) > 1 else 'is'} reported apart: under any setting no "
        f"optimizer reached {'their' if len(data['apart']) > 1 else 'its'} global minimum from more than "
        f"{_apart_best(data)} of {plan.grid ** 2} starts, so there the count says more about the start grid than "
        f"about the rule (every outcome is in their tables below).",
        f"- **Starts**: the cell centres of {_a(plan.grid)} {plan.grid}×{plan.grid} grid over each surface's view "
        f"({plan.grid ** 2} starts, evaluated under every setting), and of {_a(plan.sweep_grid)} "
        f"{plan.sweep_grid}×{plan.sweep_grid} "
        f"grid ({plan.sweep_grid ** 2} starts, used to tune the lr and for the lr sweep), so the lr is tuned on "
        f"other starts than those it is judged on. Both sizes are even, so no start lies on a centre line of the "
        f"view; the start nearest to a listed minimum, saddle or maximum is {gap:.2g} from it "
        f"({pycore.get_surface(where).name}), so no run starts at its answer.",
        f"- **Outcomes** (`pycore.outcome`, the page's vocabulary): *global*: the final point is within "
        f"{plan.tol:g} of a global minimum; *local*: within {plan.tol:g} of another minimum; *stalled*: away from "
        f"every minimum, it stopped at a saddle, a maximum or where the gradient vanished; *budget*: none of these "
        f"when the steps ran out; *diverged*: the run blew up (an iterate, f or ∇f not finite, or the iterate "
        f"more than {pycore.trajectory.ESCAPE_SPANS:g} view widths outside the view).",
        f"- **Settling step**: the first step from which the path stays within {plan.tol:g} of its final point "
        f"(`settled_at`), not the first time it passed near a minimum. Its median is over the runs that ended at "
        f"a global minimum, always shown with their number n, and left out (—) when n < {MIN_N}; medians over "
        f"different n are not comparable. *Settled by step* "
        f"{join(str(t) for t in BY_STEPS)} counts the runs that ended at a global minimum and stayed there from "
        f"that step on, out of all runs, so a rule that rarely succeeds cannot look fast.",
        f"- **Settings**, all three for every optimizer: *defaults* = {text['defaults']}; *common lr* = "
        f"{text['common']}; *tuned* = {text['tuned']}. Tuning (`pycore.tuning.tune`, the page's fair comparison) "
        f"picks the lr with the lowest mean final loss above the minimum, f(θ_N) − f*, over the tuning starts; an "
        f"lr that diverges from any tuning start scores +∞; among equal scores the smaller lr wins. A low loss is "
        f"not always the same as settling within {plan.tol:g}: an lr that keeps a run hovering just above the "
        f"minimum can win the tuning and then count as *budget*. † marks a row where every lr diverged from some "
        f"tuning start, so tune chose none: it runs at the lr with the fewest diverging tuning starts (the smaller "
        f"on ties). ‡ marks a tuned lr at an end of the grid (a better one may lie beyond). Every other "
        f"hyperparameter is torch's default, listed on each optimizer's page.",
        f"- **Noise rule**: the runs are deterministic, but the starts are a sample: another grid would give other "
        f"counts. Two success counts are called different only when they are at least {MIN_DIFF} runs apart and "
        f"McNemar's exact test on the paired runs (same surface, same start) gives p < {ALPHA:g}; otherwise the "
        f"summary names them together as within noise and never ranks them. A ranking whose two ends are within "
        f"noise is not stated at all.",
        f"- **lr sweep**: lr ∈ {{{', '.join(lr_text(v) for v in lrs)}}} (the tuning grid), every other hyperparameter "
        f"at its default, from the {plan.sweep_grid ** 2} tuning starts, {plan.steps} steps each. It keeps only "
        f"end points, so it reports *at a minimum* (global or local) and *diverged*; a stalled run counts as "
        f"neither.",
        "- **Weight decay**: torch's AdamW defaults to weight_decay = 0.01 and Adam to 0, so their default rows "
        "differ in the objective, not only in the rule. AdamW with weight_decay = 0 takes exactly Adam's steps "
        "(tests/test_comparison_table.py checks it), so Adam's rows are AdamW at λ = 0; the extra row Adam + L2 "
        "runs Adam with AdamW's λ added to the gradient, so Adam and AdamW are also compared at the same λ.",
        "- **Cost**: the per-parameter entries of the state the rule builds with torch defaults (read from the "
        "state after two steps, so buffers torch does not allocate, like SGD's momentum buffer at momentum 0 or "
        "AMSGrad's maximum, are not counted), plus scalars kept once per tensor. *Tensors read + written per "
        "step* counts θ, g and each state tensor read once and θ and each state tensor written once: the memory "
        "traffic of a fused elementwise step, which is what bounds these optimizers' speed on large tensors "
        "(torch's unfused kernels make more passes). No time per step is given: pycore's pure-Python time "
        "measures Python, not the rule.",
        "- **Fairness**: tools that compare optimizers often tune each optimizer on the very starts they report, "
        "use different step budgets, or clip gradients without saying so. Here every optimizer gets the same "
        "starts, the same budget and the same tuning rule, the lr is judged on other starts than it was tuned on, "
        "and every setting is stated.",
        "- **Reproduce**: `make comparison` (a few minutes on 2 cores; it also refreshes the numbers quoted in "
        "docs/optimizers/ and docs/surfaces.md). The raw numbers, one outcome letter "
        f"({', '.join(f'{c} = {o}' for o, c in OUTCOME_CODES.items())}) and settling step per run, the tuning "
        "scores and every lr of the sweep, are in [comparison.json](comparison.json).",
    ]) + "\n"


def decay_section(data):
    """Adam and AdamW at the same weight decay: what the decay does, then the tables."""
    if not set(DECAY_ROWS) <= set(rows_of(data)):
        return ""
    lam = settings.in_effect("adamw", {})["weight_decay"]
    pools = {r: pooled(data, r, "tuned")[0] for r in DECAY_ROWS}
    l2, w = pools["adam_l2"], pools["adamw"]
    total = len(l2)
    same = ("the two are within noise of each other" if not differs(l2, w) else
            f"{'AdamW' if count(w) > count(l2) else 'Adam + L2'} reached it from more starts")
    sentence = decay_sentence(data)
    return "\n".join([
        f"With λ > 0 both rules minimise something other than f: Adam + L2 follows the gradient of f + λ‖θ‖²/2, "
        f"whose minimum is not f's unless f's lies at the origin, and AdamW multiplies θ by 1 − lr·λ every step whatever the gradient. So a "
        f"run can settle near, not at, f's minimum. With the tuned lr, over the {len(in_totals(data))} surfaces "
        f"of the totals, Adam (λ = 0) reached a global minimum from {count(pools['adam'])} of {total} starts, "
        f"Adam + L2 (λ = {lam:g}) from {count(l2)} and AdamW (λ = {lam:g}) from {count(w)}: at the same λ, {same}."
        + (f" {sentence}" if sentence and "AdamW" in sentence else ""),
        "",
        decay_tables(data),
    ])


def render(data):
    """docs/comparison.md from the measured data."""
    plan = Plan(**data["plan"])
    main = in_totals(data)
    out = [
        "# Optimizer comparison, measured",
        "",
        "<!-- Generated by `python3 -m desktop.comparison` (make comparison). Do not edit by hand: "
        "tests/test_comparison_table.py recomputes cells and fails when this file drifts from the code. -->",
        "",
        "## What the numbers say",
        "",
        summary(data),
        "",
        "## Method",
        "",
        method_section(data),
        "## Across all surfaces",
        "",
        overall_table(data),
        f"Totals over {len(main)} surfaces × {plan.grid ** 2} starts ({len(main) * plan.grid ** 2} runs per "
        f"optimizer), each optimizer at its tuned lr for each surface. The same totals under each setting "
        f"(global minimum reached, runs diverged):",
        "",
        settings_table(data),
        f"Reported apart (tuned lr, counts of {plan.grid ** 2} starts; every outcome is in their tables below):",
        "",
        apart_table(data),
        "The lr sweep over every surface:",
        "",
        sweep_summary_table(data),
        "Cost per step:",
        "",
        cost_table(data),
        '<a id="weight-decay"></a>',
        "",
        "## Adam and AdamW at the same weight decay",
        "",
        decay_section(data),
        "## Per surface",
        "",
    ]
    out += [surface_section(data, s) for s in data["surfaces"]]
    return "\n".join(out)


def _dumps(value, depth=0):
    """JSON with one key per line but every list of numbers or strings on one line (per-run data stays short)."""
    pad = " " * depth
    if isinstance(value, dict):
        items = [f'{pad} {json.dumps(k)}: {_dumps(v, depth + 1)}' for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}" if items else "{}"
    if isinstance(value, (list, tuple)) and any(isinstance(v, (dict, list, tuple)) for v in value):
        return "[\n" + ",\n".join(f"{pad} {_dumps(v, depth + 1)}" for v in value) + f"\n{pad}]"
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def write(data, md_path=MD, json_path=JSON):
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(_dumps(data) + "\n")
    md_path.write_text(render(data))


def load(json_path=JSON):
    """The committed measurements (lists where the fresh data has tuples; rendering treats them alike)."""
    return json.loads(json_path.read_text())


def main(argv=None):
    ap = argparse.ArgumentParser(description="Measure the optimizer comparison and write docs/comparison.md")
    ap.add_argument("--out", help="directory for comparison.md/.json (default: docs/, and refresh the doc pages)")
    ap.add_argument("--grid", type=int, default=FULL.grid)
    ap.add_argument("--steps", type=int, default=FULL.steps)
    ap.add_argument("--sweep-grid", type=int, default=FULL.sweep_grid)
    ap.add_argument("--lr-points", type=int, default=FULL.lr_points)
    ap.add_argument("--surfaces", help="comma-separated surface keys")
    ap.add_argument("--processes", type=int, default=2)
    a = ap.parse_args(argv)
    plan = FULL._replace(grid=a.grid, steps=a.steps, sweep_grid=a.sweep_grid, lr_points=a.lr_points)
    surfaces = a.surfaces.split(",") if a.surfaces else SURFACES
    data = measure(plan, surfaces, processes=a.processes)
    if a.out:
        d = pathlib.Path(a.out)
        d.mkdir(parents=True, exist_ok=True)
        write(data, d / "comparison.md", d / "comparison.json")
    else:
        write(data)
        from . import docs  # the doc pages quote these numbers: refresh them with the table
        docs.main([])
    print(f"wrote comparison for {len(surfaces)} surfaces x {len(data['optimizers'])} optimizers")


if __name__ == "__main__":
    main()
