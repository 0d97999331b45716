"""Generated sections of the docs: ``python3 -m desktop.docs`` refreshes them, tests check they are in sync.

A generated section sits between ``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->``; everything
outside the markers is hand-written prose and is left alone (its claims are checked by ``tests/test_claims.py``,
see ``desktop.prose``). What goes inside comes from the code: the reading order and the update rule and
hyperparameters from ``pycore.OPTIMIZERS``, minima from ``pycore.SURFACES`` (computed there), figure captions
from the runs the figures show, and measured numbers from ``docs/comparison.json``.
"""
import argparse

import pycore
from pycore.hyperparams import interval

from . import ROOT, ablations, comparison, draw, figures, notebooks, settings
from .prose import SECTION

DOCS = ROOT / "docs"
OPTIMIZER_DOCS = DOCS / "optimizers"
SURFACES_DOC = DOCS / "surfaces.md"
INDEX_DOC = OPTIMIZER_DOCS / "README.md"


def refresh(text, sections):
    """``text`` with the body of every generated section replaced by ``sections[name]``.

    ValueError when a section named in ``sections`` has no markers in ``text`` or the text has one that
    ``sections`` does not provide, so a page cannot silently lose a generated part.
    """
    found = set()

    def sub(m):
        name = m.group(2)
        if name not in sections:
            raise ValueError(f"no generator for section {name!r}")
        found.add(name)
        return m.group(1) + sections[name].rstrip("\n") + "\n" + m.group(4)

    out = SECTION.sub(sub, text)
    missing = sorted(set(sections) - found)
    if missing:
        raise ValueError(f"missing generated section(s): {', '.join(missing)}")
    return out


# ------------------------------------------------------------------------------------------ optimizer pages ---
def page_figures(key):
    """(kind, surface, key) of every figure an optimizer's page shows; the walkthrough renders exactly these."""
    convex, nonconvex = figures.animated_surfaces()
    out = [(kind, s, key) for s in (convex, nonconvex) for kind in ("path", "gif", "field", "steps")]
    out += [("path", s, key) for s in figures.figure_surfaces() if s not in (convex, nonconvex)]
    return out + [("ablation", None, name) for name in ablations.on_page(key)]


def _rel(path, depth):
    return "../" * depth + path.as_posix()


def nav_section(key):
    """Where the page sits in the reading order (the registry's order) with links to its neighbours."""
    keys = list(pycore.OPTIMIZERS)
    i = keys.index(key)
    parts = ([f"← Previous: {_page_link(keys[i - 1])}"] if i else []) + [f"Lesson {i + 1} of {len(keys)}"]
    parts += [f"Next: {_page_link(keys[i + 1])} →"] if i + 1 < len(keys) else []
    return " · ".join(parts)


def _page_link(key):
    return f"[{pycore.OPTIMIZERS[key].name}]({key}.md)"


def index_section():
    """The reading order: one row per optimizer, its page and the registry's one-line summary."""
    lines = ["| # | Optimizer | In one line |", "|---:|---|---|"]
    for i, spec in enumerate(pycore.OPTIMIZERS.values(), 1):
        lines.append(f"| {i} | {_page_link(spec.key)} | {spec.summary.splitlines()[0]} |")
    return "\n".join(lines)


def header_section(spec):
    lines = [f"# {spec.name} (`{spec.key}`)", ""] + [f"> {line}" for line in spec.summary.splitlines()]
    return "\n".join(lines)


def _math_symbol(symbol):
    return f"${symbol}$"


def rule_section(spec):
    """The update rule (the registry's LaTeX, so it cannot drift), its hyperparameters and its state."""
    lines = ["$$", spec.latex, "$$", "",
             "| Symbol | Name (torch) | Default | Valid values | Meaning |", "|---|---|---|---|---|"]
    for h in spec.hyperparams:
        valid = "True or False" if h.kind == "bool" else ("each in " if h.kind == "pair" else "") + interval(h)
        lines.append(f"| {_math_symbol(h.symbol)} | `{h.name}` | {settings.fmt(h.default)} | {valid} | {h.doc} |")
    per_param, scalars = comparison.state_memory(spec.key)
    fixed = ", ".join(f"`{k}={v}`" for k, v in spec.fixed.items())
    lines += ["", f"Equivalent to `{spec.torch}`" + (f" (fixed here: {fixed})" if fixed else "") + ". "
              f"State with the defaults: {len(per_param)} float{'s' * (len(per_param) != 1)} per parameter"
              + (f" ({', '.join(f'`{n}`' for n in per_param)})" if per_param else "")
              + (f", plus {', '.join(f'`{n}`' for n in scalars)} once per tensor" if scalars else "") + "."]
    return "\n".join(lines)


FIGURE_WHAT = {"path": "path", "gif": "step by step", "field": "update direction against −∇f",
               "steps": "loss, step size against gradient size, effective learning rate per coordinate"}


def _figure_line(kind, surface, key):
    spec, surf = pycore.OPTIMIZERS[key], pycore.SURFACES[surface]
    path = _rel(figures.plot_path(surface, key, kind), 2)
    return f"![{spec.name} on {surf.name}: {FIGURE_WHAT[kind]}]({path})"


def figures_section(key):
    """The page's figures grouped by surface, each group captioned with the run's start and outcome, then the
    controlled comparisons (ablations) the page shows, each captioned from its runs, and the notebook."""
    by_surface = {}
    for kind, surface, k in page_figures(key):
        if kind != "ablation":
            by_surface.setdefault(surface, []).append(kind)
    trajs = {s: draw.trajectory(key, s) for s in by_surface}
    first = next(iter(trajs.values()))
    lines = [f"Every run below: {first.steps} steps, the comparison's common-lr setting; hyperparameters in effect: "
             f"{settings.describe(key, first.hyperparams)}; no gradient clipping, no noise. The step-size figure "
             f"shows how big each step was for the gradient it saw (the field shows directions only).", ""]
    for surface, kinds in by_surface.items():
        surf, traj = pycore.SURFACES[surface], trajs[surface]
        shape = "convex" if "convex" in surf.tags else "non-convex"
        lines += [f"**{surf.name}** ({shape}, [about this surface](../surfaces.md#{surface})), from "
                  f"({traj.start[0]:g}, {traj.start[1]:g}): {draw.outcome(traj)}.", ""]
        lines += [_figure_line(kind, surface, key) for kind in kinds] + [""]
    for name in ablations.on_page(key):
        lines += [f"**Controlled comparison: {ablations.TITLES[name]}.** {ablations.caption(name)}", "",
                  f"![{ablations.TITLES[name]}]({_rel(figures.plot_path(None, name, 'ablation'), 2)})", ""]
    lines.append(f"Reproduce these figures: `python3 -m desktop.walkthrough {key}`. {notebook_sentence(key)}")
    return "\n".join(lines)


def notebook_sentence(key):
    """Where to run optimizer ``key`` in Jupyter: its family's notebook and the comparison notebook."""
    book = notebooks.notebook_for(key)

    def link(name):
        return f"[notebooks/{name}]({_rel(notebooks.NOTEBOOKS_DIR.relative_to(ROOT) / name, 2)})"

    if book == notebooks.COMPARE:
        return f"Run it beside every other optimizer in Jupyter: {link(book)}."
    return f"Run and change them in Jupyter: {link(book)} (every optimizer side by side: {link(notebooks.COMPARE)})."


def measured_section(key, data):
    """Per compared surface: the global minimum reached under each setting, the tuned lr, the other outcomes and
    the settling step with it, and the lrs of the sweep where most starts ended at a minimum."""
    plan = comparison.Plan(**data["plan"])
    lrs = comparison.sweep_lrs(plan)
    n = plan.grid ** 2
    totals = {s: comparison.count(comparison.pooled(data, key, s)[0]) for s in comparison.SETTINGS}
    lines = [f"From [the comparison](../comparison.md) ({n} starts per surface, {plan.steps} steps; outcomes, "
             f"tuning and settling step as defined in its [method](../comparison.md#method)). Over the "
             f"{len(comparison.in_totals(data))} surfaces of its totals ({len(comparison.in_totals(data)) * n} "
             f"starts) it reached a global minimum from {totals['defaults']} starts with torch's defaults, "
             f"{totals['common']} with the common lr and {totals['tuned']} with its tuned lr. In the lr sweep "
             f"({comparison.lr_text(lrs[0])} to {comparison.lr_text(lrs[-1])}), {_sweep_words(key, data)}."
             + _decay_words(key), "",
             f"| Surface | global (defaults) | global (common lr) | tuned lr | global (tuned) | other outcomes (tuned) "
             f"| settling step (tuned): median (n) | lr sweep: half or more at a minimum |",
             "|---|---:|---:|---:|---:|---|---|---|"]
    for s in data["surfaces"]:
        c = data["cells"][s][key]
        d, m, t = (c["settings"][x]["outcomes"] for x in comparison.SETTINGS)
        other = " · ".join(f"{o} {comparison.count(t, code)}" for o, code in comparison.OUTCOME_CODES.items()
                           if code != "g" and comparison.count(t, code)) or "—"
        works = comparison.at_minimum_range(c["sweep"])
        lines.append(f"| {pycore.SURFACES[s].name} | {comparison.count(d)} | {comparison.count(m)} "
                     f"| {comparison.tuned_lr_text(c)} | {comparison.count(t)} | {other} "
                     f"| {comparison.settling_text(t, c['settings']['tuned']['settled'])} "
                     f"| {_lr_range(works)} |")
    marks = [text for mark, text in comparison.TUNED_MARKS.items() if any(mark in line for line in lines[4:])]
    return "\n".join(lines + (["", "; ".join(marks) + "."] if marks else []))


def _lr_range(r):
    return "none" if r is None else (comparison.lr_text(r[0]) if r[0] == r[1] else
                                     f"{comparison.lr_text(r[0])} – {comparison.lr_text(r[1])}")


def _decay_words(key):
    """For an optimizer whose default weight decay is on: what it does, and where the comparison takes it apart."""
    lam = settings.in_effect(key, {}).get("weight_decay", 0.0)
    if not lam:
        return ""
    return (f" Its default weight decay (λ = {lam:g}) is part of every count here: [Adam and AdamW at the same weight "
            f"decay](../comparison.md#weight-decay) compares it with Adam at λ = 0 and with λ as L2.")


def _sweep_words(key, data):
    """Where the sweep first made this optimizer diverge, in words."""
    lrs = comparison.sweep_lrs(comparison.Plan(**data["plan"]))
    up_to = comparison.stable_up_to([data["cells"][s][key]["sweep"] for s in data["surfaces"]])
    if up_to == lrs[-1]:
        return "no start diverged on any surface at any lr"
    if up_to is not None:
        return f"no start diverged on any surface up to lr {comparison.lr_text(up_to)}"
    where = [pycore.SURFACES[s].name for s in data["surfaces"]
             if comparison.diverged_at(data["cells"][s][key]["sweep"][0])]
    return f"some starts diverged already at lr {comparison.lr_text(lrs[0])} (on {comparison.join(where)})"


def convention_section(spec):
    """The convention notes, folded: students can skip them, practitioners open them."""
    return "\n".join(["<details>", "<summary>torch, Keras and the paper: what differs</summary>", "", spec.notes,
                      "", "</details>"])


def references_section(spec):
    return "\n".join(f"- {r.strip()}" for r in spec.reference.split(";"))


def optimizer_sections(key, data):
    spec = pycore.OPTIMIZERS[key]
    return {"header": header_section(spec), "nav": nav_section(key), "rule": rule_section(spec),
            "figures": figures_section(key),
            "measured": measured_section(key, data), "convention": convention_section(spec),
            "references": references_section(spec)}


# ------------------------------------------------------------------------------------------- surfaces page ---
def surface_block(key, data):
    s = pycore.SURFACES[key]
    (x0, x1), (y0, y1) = s.bounds
    lines = [f'<a id="{key}"></a>', f"### {s.name} (`{key}`)", "", s.description, "", "$$", s.latex, "$$", "",
             f"View [{x0:g}, {x1:g}] × [{y0:g}, {y1:g}]; tags: {', '.join(sorted(s.tags))}; contour spacing: "
             f"{s.levels}; default start ({s.starts[0][0]:g}, {s.starts[0][1]:g}). Reference: {s.reference or '—'}.",
             "", "| Stationary point | x | y | f |", "|---|---:|---:|---:|"]
    for m in s.minima:
        lines.append(f"| {'global' if m.is_global else 'local'} minimum | {m.x:.10g} | {m.y:.10g} | {m.value:.10g} |")
    for p in s.saddles:
        lines.append(f"| saddle point | {p.x:.10g} | {p.y:.10g} | {p.value:.10g} |")
    for p in s.maxima:
        lines.append(f"| local maximum | {p.x:.10g} | {p.y:.10g} | {p.value:.10g} |")
    if key in figures.figure_surfaces():
        lines += ["", f"![All optimizers on {s.name}]({_rel(figures.plot_path(key, None, 'paths'), 1)})",
                  f"![Loss vs step on {s.name}]({_rel(figures.plot_path(key, None, 'loss'), 1)})"]
    best = key in data["surfaces"] and best_sentence(key, data)
    if best:
        lines += ["", best]
    return "\n".join(lines)


def best_sentence(key, data):
    """Which optimizers reached surface ``key``'s global minimum from the most starts with their tuned lrs (with
    every one within noise of the best); None when that says nothing (no optimizer reached it, or the best is
    within noise of the worst)."""
    pools = {k: data["cells"][key][k]["settings"]["tuned"]["outcomes"] for k in data["optimizers"]}
    counts = {k: comparison.count(v) for k, v in pools.items()}
    n = len(next(iter(pools.values())))
    if max(counts.values()) == 0:
        return None
    if len(set(counts.values())) == 1:
        top = counts[data["optimizers"][0]]
        said = f"every optimizer reached the global minimum from {f'all {n}' if top == n else f'{top} of {n}'} starts"
    else:
        ends = comparison.ranking_ends(pools)
        if ends is None:
            return None
        said = comparison.lead_text(ends[0], pools, "reached the global minimum from the most starts", n)
    return f"In [the comparison](comparison.md#{key}), each optimizer with its lr tuned for this surface: {said}."


def surfaces_sections(data):
    return {"surfaces": "\n\n".join(surface_block(k, data) for k in pycore.SURFACES)}


# ---------------------------------------------------------------------------------------------------- main ---
def expected(data=None):
    """{path: text} of every doc page as the generators would leave it (the pages must already exist)."""
    data = data or comparison.load()
    out = {}
    for key in pycore.OPTIMIZERS:
        path = OPTIMIZER_DOCS / f"{key}.md"
        out[path] = refresh(path.read_text(), optimizer_sections(key, data))
    out[SURFACES_DOC] = refresh(SURFACES_DOC.read_text(), surfaces_sections(data))
    out[INDEX_DOC] = refresh(INDEX_DOC.read_text(), {"index": index_section()})
    return out


def main(argv=None):
    argparse.ArgumentParser(description="Refresh the generated sections of docs/").parse_args(argv)
    changed = 0
    for path, text in expected().items():
        if path.read_text() != text:
            path.write_text(text)
            changed += 1
    print(f"refreshed docs: {changed} page(s) changed")


if __name__ == "__main__":
    main()
