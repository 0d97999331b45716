"""The comparison table, measured from pycore runs: ``python3 -m desktop.comparison`` writes docs/comparison.md
and docs/comparison.json.

For every optimizer on every surface of ``SURFACES``, from a grid of starts, with one step budget for all:

* share of starts whose final point lies within ``tol`` of a global minimum, median steps to get there
  (runs go through ``pycore.compare.run_many``, which applies ``pycore.run``'s rules to many starts at once),
  share diverged and the median final gap f(θ_N) − f* (a diverged run counts as +∞), under two settings
  (``desktop.settings``: torch defaults, and one common lr);
* an lr sweep (log grid) from a smaller grid of starts: the divergence rate, the stable lr range (no start
  diverged) and the converging lr range (at least half of the starts end within ``tol`` of a minimum);
* floats of optimizer state per parameter, counted from the state the rule really builds;
* time per step, measured here (it varies by machine, so it is kept out of the drift test).

Everything but the timing is deterministic: plain float arithmetic, no randomness, results assembled in a
fixed order whatever the number of worker processes.
"""
import argparse
import json
import math
import multiprocessing
import statistics
import time
from collections import namedtuple

import pycore
from pycore.compare import run_many
from pycore.optimizers import resolve

from . import ROOT, settings
from .progress import Progress

MD = ROOT / "docs" / "comparison.md"
JSON = ROOT / "docs" / "comparison.json"

# One surface per kind of difficulty; the saddle (unbounded below) and the near-duplicates are left out.
SURFACES = ("quadratic", "booth", "rosenbrock", "beale", "himmelblau", "two_wells", "six_hump_camel",
            "rastrigin", "ackley", "plateau")

Plan = namedtuple("Plan", "grid steps tol sweep_grid sweep_lrs")
Plan.__doc__ = """Sizes of a comparison run: ``grid``² starts per surface, ``steps`` per run, ``tol`` the distance
to a minimum that counts as reached, ``sweep_grid``² starts per lr of the sweep over ``sweep_lrs``."""

# lr sweep: half-decade log grid 1e-4 ... 10.
SWEEP_LRS = tuple(float(f"{10 ** (e / 2):.3g}") for e in range(-8, 3))
FULL = Plan(grid=8, steps=settings.STEPS, tol=settings.TOL, sweep_grid=3, sweep_lrs=SWEEP_LRS)
TIMING_MARK = ("<!-- timing:start -->", "<!-- timing:end -->")


def starts(surface, n):
    """n x n cell-centred starts over the view bounds (no start on the centre lines of a symmetric view)."""
    (x0, x1), (y0, y1) = pycore.get_surface(surface).bounds
    return [(x0 + (i + 0.5) * (x1 - x0) / n, y0 + (j + 0.5) * (y1 - y0) / n) for j in range(n) for i in range(n)]


def _runs(key, surf, points, plan, hyperparams):
    """``pycore.compare.run_many`` from every start: (x, y, outcome, settled_at, reached) each, as ``run`` gives."""
    _, values, rule = resolve(key, hyperparams)
    return run_many(rule, surf, points, [values["lr"]] * plan.steps, tol=plan.tol)


def measure_setting(key, surface, plan, hyperparams):
    """Fixed-setting metrics of ``key`` on ``surface`` over the plan's grid of starts."""
    surf = pycore.get_surface(surface)
    fstar = min(m.value for m in surf.global_minima)
    ends = _runs(key, surf, starts(surf, plan.grid), plan, hyperparams)
    glob = [r is not None and surf.minima[r].is_global for *_, r in ends]
    diverged = [st == "diverged" for _, _, st, _, _ in ends]
    gaps = [math.inf if d else surf.f(x, y) - fstar for (x, y, *_), d in zip(ends, diverged)]
    reach_steps = [c for (_, _, _, c, _), g in zip(ends, glob) if g]
    n = len(ends)
    return {
        "lr": settings.in_effect(key, hyperparams)["lr"],
        "global": sum(glob) / n,
        "median_steps": statistics.median(reach_steps) if reach_steps else None,
        "diverged": sum(diverged) / n,
        "median_gap": _sig(statistics.median(gaps)),  # None stands for +inf (JSON has no infinity)
    }


def measure_sweep(key, surface, plan):
    """Per lr of the sweep: share of starts diverged and share ending within tol of any minimum."""
    surf = pycore.get_surface(surface)
    pts = starts(surf, plan.sweep_grid)
    out = []
    for lr in plan.sweep_lrs:
        ends = _runs(key, surf, pts, plan, {"lr": lr})
        out.append({"lr": lr, "diverged": sum(e[2] == "diverged" for e in ends) / len(ends),
                    "converged": sum(e[4] is not None for e in ends) / len(ends)})
    return out


def sweep_summary(sweep):
    """Divergence rate over the whole sweep, and the stable and converging lr ranges (min, max) or None."""
    stable = [r["lr"] for r in sweep if r["diverged"] == 0]
    works = [r["lr"] for r in sweep if r["converged"] >= 0.5]
    return {
        "divergence_rate": sum(r["diverged"] for r in sweep) / len(sweep),
        "stable": (min(stable), max(stable)) if stable else None,
        "converging": (min(works), max(works)) if works else None,
    }


def measure_cell(key, surface, plan):
    """Everything measured for one optimizer on one surface (deterministic)."""
    sweep = measure_sweep(key, surface, plan)
    return {
        "settings": {s: measure_setting(key, surface, plan, settings.overrides(key, s)) for s in settings.SETTINGS},
        "sweep": sweep,
        **sweep_summary(sweep),
    }


def _sig(v, digits=3):
    """A float rounded to ``digits`` significant digits, so tables do not hinge on the last ulp; None for +inf."""
    if v == math.inf:
        return None
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


def time_per_step(optimizers, surface="rosenbrock", steps=1000, rounds=7):
    """{key: µs} for one pycore.run step (update + f + ∇f + recording), torch defaults: the best of ``rounds``
    rounds, each timing every optimizer once in turn, so load from other processes hits them alike."""
    best = dict.fromkeys(optimizers, math.inf)
    for _ in range(rounds):
        for key in optimizers:
            t0 = time.perf_counter()
            pycore.run(key, surface, steps=steps)
            best[key] = min(best[key], time.perf_counter() - t0)
    return {k: round(v / steps * 1e6, 2) for k, v in best.items()}


def _cell_job(args):
    key, surface, plan = args
    return measure_cell(key, surface, plan)


def measure(plan=FULL, surfaces=SURFACES, optimizers=None, processes=2, timing=True):
    """All results as a JSON-ready dict; cells computed in ``processes`` worker processes, assembled in order."""
    optimizers = list(optimizers or pycore.OPTIMIZERS)
    jobs = [(k, s, plan) for s in surfaces for k in optimizers]
    results = []
    with Progress(len(jobs), "comparison") as bar:
        if processes > 1:
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                for r in pool.imap(_cell_job, jobs):
                    results.append(r)
                    bar.advance()
        else:
            for job in jobs:
                results.append(_cell_job(job))
                bar.advance()
    cells = {s: {} for s in surfaces}
    for (k, s, _), r in zip(jobs, results):
        cells[s][k] = r
    memory = {k: dict(zip(("per_parameter", "scalars"), state_memory(k))) for k in optimizers}
    return {
        "plan": plan._asdict(),
        "settings": dict(settings.SETTING_TEXT),
        "optimizers": optimizers,
        "surfaces": list(surfaces),
        "cells": cells,
        "memory": memory,
        "timing_us": time_per_step(optimizers) if timing else {},
    }


# ---------------------------------------------------------------- rendering -----------------------------------
def pct(v):
    return f"{100 * v:.0f} %"


def lr_range(r):
    return "none" if r is None else (f"{r[0]:g}" if r[0] == r[1] else f"{r[0]:g} – {r[1]:g}")


def gap_text(v):
    return "∞ (diverged)" if v is None else f"{v:.3g}"


def _name(k):
    return pycore.OPTIMIZERS[k].name


def surface_section(data, surface):
    """The markdown section of one surface: its formula and minima, then one row per optimizer."""
    surf = pycore.get_surface(surface)
    plan = Plan(**data["plan"])
    glob = ", ".join(f"({m.x:.4g}, {m.y:.4g})" for m in surf.global_minima)
    local = len(surf.minima) - len(surf.global_minima)
    (x0, x1), (y0, y1) = surf.bounds
    lines = [f'<a id="{surface}"></a>', "", f"### {surf.name} (`{surface}`)", "",
             f"$${surf.latex}$$", "",
             f"Global minimum f* = {min(m.value for m in surf.global_minima):.6g} at {glob}"
             + (f"; {local} other local minim{'um' if local == 1 else 'a'}" if local else "")
             + f". Starts: {plan.grid}×{plan.grid} grid over [{x0:g}, {x1:g}] × [{y0:g}, {y1:g}].", "",
             "| Optimizer | lr | reached global (defaults) | median steps | diverged | median f − f* "
             "| lr | reached global (common lr) | median steps | diverged | median f − f* "
             "| lr sweep: diverged | stable lr | converging lr |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for k in data["optimizers"]:
        c = data["cells"][surface][k]
        row = [_name(k)]
        for s in settings.SETTINGS:
            m = c["settings"][s]
            steps = "—" if m["median_steps"] is None else f"{m['median_steps']:g}"
            row += [f"{m['lr']:g}", pct(m["global"]), steps, pct(m["diverged"]), gap_text(m["median_gap"])]
        row += [pct(c["divergence_rate"]), lr_range(c["stable"]), lr_range(c["converging"])]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def memory_section(data):
    lines = ["| Optimizer | state per parameter (torch names) | floats per parameter | scalars per tensor |",
             "|---|---|---:|---|"]
    for k in data["optimizers"]:
        m = data["memory"][k]
        lines.append(f"| {_name(k)} | {', '.join(f'`{n}`' for n in m['per_parameter']) or '—'} | "
                     f"{len(m['per_parameter'])} | {', '.join(f'`{n}`' for n in m['scalars']) or '—'} |")
    return "\n".join(lines) + "\n"


def timing_section(data):
    if not data["timing_us"]:
        return f"{TIMING_MARK[0]}\n(not measured in this run)\n{TIMING_MARK[1]}\n"
    lines = [TIMING_MARK[0], "| Optimizer | µs per step |", "|---|---:|"]
    lines += [f"| {_name(k)} | {data['timing_us'][k]:.1f} |" for k in data["optimizers"]]
    return "\n".join(lines + [TIMING_MARK[1]]) + "\n"


def _mean(values):
    return sum(values) / len(values)


def overall(data):
    """Per optimizer: mean share of starts reaching the global minimum (per setting) over the surfaces, and the
    largest sweep lr with no divergence on any surface."""
    out = {}
    for k in data["optimizers"]:
        cells = [data["cells"][s][k] for s in data["surfaces"]]
        stable_all = [lr for i, lr in enumerate(data["plan"]["sweep_lrs"])
                      if all(c["sweep"][i]["diverged"] == 0 for c in cells)]
        out[k] = {
            **{s: _mean([c["settings"][s]["global"] for c in cells]) for s in settings.SETTINGS},
            "max_stable": max(stable_all) if stable_all else None,
            "divergence_rate": _mean([c["divergence_rate"] for c in cells]),
        }
    return out


def overall_section(data):
    o = overall(data)
    lines = ["| Optimizer | reached global, mean over surfaces (defaults) | (common lr) "
             "| lr sweep: diverged, mean over surfaces | largest lr stable on every surface | floats of state per parameter |",
             "|---|---:|---:|---:|---:|---:|"]
    for k in data["optimizers"]:
        ms = o[k]["max_stable"]
        lines.append(f"| {_name(k)} | {pct(o[k]['defaults'])} | {pct(o[k]['common'])} | "
                     f"{pct(o[k]['divergence_rate'])} | {'none' if ms is None else f'{ms:g}'} | "
                     f"{len(data['memory'][k]['per_parameter'])} |")
    return "\n".join(lines) + "\n"


def _join(words):
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _names(keys):
    return _join(_name(k) for k in keys)


def _best(o, field, top=True):
    v = (max if top else min)(o[k][field] for k in o)
    return [k for k in o if o[k][field] == v], v


def summary(data):
    """The "what the numbers say" paragraph, built from the numbers (no figure in it is typed)."""
    o, plan = overall(data), Plan(**data["plan"])
    best_d, v_best_d = _best(o, "defaults")
    worst_d, v_worst_d = _best(o, "defaults", top=False)
    best_c, v_best_c = _best(o, "common")
    worst_c, v_worst_c = _best(o, "common", top=False)
    moved = max(o, key=lambda k: abs(o[k]["common"] - o[k]["defaults"]))
    # Where the common lr breaks things: the surface with the most optimizers diverging from some start.
    div = {s: [k for k in o if data["cells"][s][k]["settings"]["common"]["diverged"] > 0] for s in data["surfaces"]}
    worst_s = max(data["surfaces"], key=lambda s: len(div[s]))
    stable = {k: o[k]["max_stable"] or 0.0 for k in o}
    widest, narrow = max(stable.values()), min(stable.values())
    narrow_keys = [k for k in o if stable[k] == narrow]
    first = plan.sweep_lrs[0]
    culprits = [s for s in data["surfaces"] if any(data["cells"][s][k]["sweep"][0]["diverged"] > 0 for k in narrow_keys)]
    mem = {k: len(data["memory"][k]["per_parameter"]) for k in o}
    lo_mem, hi_mem = min(mem.values()), max(mem.values())
    parts = [
        f"Over {len(data['surfaces'])} surfaces, {plan.grid ** 2} starts each and the same {plan.steps} steps for "
        f"every optimizer, with torch's defaults {_names(best_d)} reached a global minimum (ending within "
        f"{plan.tol:g}) from the most starts, {pct(v_best_d)} on average, and {_names(worst_d)} from the fewest, "
        f"{pct(v_worst_d)}.",
        f"Defaults are not a common scale: with one lr for all ({settings.COMMON_LR:g}; Adadelta 1.0), "
        f"{_names(best_c)} {'leads' if len(best_c) == 1 else 'lead'} at {pct(v_best_c)} and {_names(worst_c)} "
        f"{'trails' if len(worst_c) == 1 else 'trail'} at {pct(v_worst_c)}; {_name(moved)} changes most, from "
        f"{pct(o[moved]['defaults'])} to {pct(o[moved]['common'])}.",
    ]
    if div[worst_s]:
        parts.append(f"That lr is not safe everywhere: on {pycore.get_surface(worst_s).name}, "
                     f"{_names(div[worst_s])} diverged from some starts.")
    widest_keys = [k for k in o if stable[k] == widest]
    parts += [
        f"In the lr sweep ({first:g} to {plan.sweep_lrs[-1]:g}), {_names(widest_keys)} stayed stable on every "
        f"surface up to lr {widest:g}, while "
        + (f"{_names(narrow_keys)} diverged even at lr {first:g}"
           + (f" (on {_join(pycore.get_surface(s).name for s in culprits)})" if culprits else "")
           if narrow == 0 else f"{_names(narrow_keys)} stayed stable everywhere only up to lr {narrow:g}") + ".",
        f"State costs {lo_mem} to {hi_mem} floats per parameter ({lo_mem}: "
        f"{_names([k for k in mem if mem[k] == lo_mem])}; {hi_mem}: {_names([k for k in mem if mem[k] == hi_mem])}).",
        "These are 2-D test surfaces with a fixed budget and no tuning: they show how each rule reacts to "
        "curvature, scale and local minima, not which optimizer trains networks best.",
    ]
    return " ".join(parts)


def render(data):
    """docs/comparison.md from the measured data."""
    plan = Plan(**data["plan"])
    surfaces = ", ".join(f"{pycore.get_surface(s).name} (`{s}`)" for s in data["surfaces"])
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
        f"- **Runs**: `pycore.run` (torch.optim semantics, float64, no gradient clipping, no gradient noise) for "
        f"exactly {plan.steps} steps, the same budget for every optimizer. A run *diverges* when an iterate, f or "
        f"∇f stops being finite or the iterate leaves the view by more than {pycore.trajectory.ESCAPE_SPANS:g} "
        f"view widths; it then stops and counts as diverged.",
        f"- **Surfaces**: {surfaces}. Minima are the ones pycore computes (Newton-polished), not copied values.",
        f"- **Starts**: the cell centres of a grid of {plan.grid}×{plan.grid} cells over each surface's view "
        f"({plan.grid ** 2} starts), so no start sits on a symmetry line of a symmetric view.",
        f"- **Settings** (no per-optimizer tuning): *defaults* = {settings.SETTING_TEXT['defaults']}; "
        f"*common lr* = {settings.SETTING_TEXT['common']}. The common lr is there because several torch "
        f"defaults (SGD 1e-3, Lion 1e-4) barely move in {plan.steps} steps; Adadelta's lr multiplies a step it "
        "already scales to the units of θ, and 1.0 is the paper's form. Every other hyperparameter is torch's "
        "default (listed on each optimizer's page).",
        f"- **Reached global**: share of starts whose final point lies within {plan.tol:g} (Euclidean) of a "
        f"global minimum. **Median steps**: over those runs, the median first step within {plan.tol:g} of a "
        "minimum. **Median f − f\\***: over all starts, f at the final point minus the global minimum value; a "
        "diverged run counts as +∞ (3 significant digits).",
        f"- **lr sweep**: lr ∈ {{{', '.join(f'{v:g}' for v in plan.sweep_lrs)}}}, other hyperparameters at "
        f"their defaults, from a {plan.sweep_grid}×{plan.sweep_grid} grid of starts, {plan.steps} steps each. "
        "*diverged*: share of all sweep runs that diverged. *stable lr*: smallest and largest lr of the grid at "
        "which no start diverged (the range may have holes; the JSON has every lr). *converging lr*: smallest and "
        f"largest lr at which at least half of the starts ended within {plan.tol:g} of some minimum.",
        "- **State memory**: the per-parameter entries of the state the rule builds with torch defaults (read "
        "from the state after two steps, so buffers torch does not allocate, like SGD's momentum buffer at "
        "momentum 0 or AMSGrad's maximum, are not counted), plus scalars kept once per tensor.",
        "- **Time per step**: wall time of one `pycore.run` step (update, f, ∇f and recording) in CPython on the "
        "machine that generated this file, on Rosenbrock with torch defaults, the best of 7 rounds of 1000 steps that take the optimizers in turn. It varies by machine and Python "
        "version, so it is the one column the drift test ignores; pycore's cost is not torch's cost.",
        "- **Fairness**: tools that compare optimizers often tune each optimizer's lr against the known minimum, "
        "use different step budgets for different optimizers, or clip gradients without saying so. Here every "
        "optimizer gets the same starts, the same budget and stated settings, and the sweep shows how each one "
        "depends on lr instead of picking a best lr.",
        "- **Reproduce**: `make comparison` (a few minutes on 2 cores; it also refreshes the numbers quoted in "
        "docs/optimizers/). The raw numbers, including every "
        "lr of the sweep, are in [comparison.json](comparison.json).",
        "",
        "## Across all surfaces",
        "",
        overall_section(data),
        "## Per surface",
        "",
    ]
    out += [surface_section(data, s) for s in data["surfaces"]]
    out += ["## State memory", "", memory_section(data),
            "## Time per step (this machine; varies by machine, not checked by tests)", "", timing_section(data)]
    return "\n".join(out)


def strip_timing(md):
    """The markdown without its timing block (what the drift test compares)."""
    start, end = md.index(TIMING_MARK[0]), md.index(TIMING_MARK[1]) + len(TIMING_MARK[1])
    return md[:start] + md[end:]


def write(data, md_path=MD, json_path=JSON):
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(data, indent=1, allow_nan=False) + "\n")
    md_path.write_text(render(data))


def load(json_path=JSON):
    """The committed measurements (lists where the fresh data has tuples; rendering treats them alike)."""
    return json.loads(json_path.read_text())


def main(argv=None):
    ap = argparse.ArgumentParser(description="Measure the optimizer comparison and write docs/comparison.md")
    ap.add_argument("--out", help="directory for comparison.md/.json (default: docs/)")
    ap.add_argument("--grid", type=int, default=FULL.grid)
    ap.add_argument("--steps", type=int, default=FULL.steps)
    ap.add_argument("--sweep-grid", type=int, default=FULL.sweep_grid)
    ap.add_argument("--surfaces", help="comma-separated surface keys")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--no-timing", action="store_true")
    a = ap.parse_args(argv)
    plan = FULL._replace(grid=a.grid, steps=a.steps, sweep_grid=a.sweep_grid)
    surfaces = a.surfaces.split(",") if a.surfaces else SURFACES
    data = measure(plan, surfaces, processes=a.processes, timing=not a.no_timing)
    if a.out:
        import pathlib
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
