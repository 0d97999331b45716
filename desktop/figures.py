"""Figures from pycore runs, and the command that renders them all into ``visualizations/``.

Per surface: every optimizer's path in small multiples ("paths") and its loss in small multiples ("loss"), so
a chaotic or oscillating run paints only its own panel. Per optimizer and surface: contour + path ("path"); on
the animated surfaces also the GIF ("gif", ``desktop.animation``), the update direction against −∇f
("field"), and the loss with step size against gradient size and the effective learning rate per coordinate
("steps", ``desktop.mechanism``). Controlled comparisons ("ablation", ``desktop.ablations``) sit on the pages
they teach. Every figure states the surface formula, the start, the step budget and every hyperparameter in
effect; paths use the registry's colour and marker (``pycore.OPTIMIZERS[key].color``/``.marker``), as the
page does. Runs use the ``common`` setting of ``desktop.settings`` for ``settings.STEPS`` steps.

    python3 -m desktop.figures [--out DIR] [--surfaces a,b] [--optimizers a,b] [--steps N] [--small]
"""
import argparse
import json
import math
import pathlib
import textwrap

import numpy as np
from matplotlib.ticker import MaxNLocator

import pycore

from . import ROOT, ablations, animation, draw, mechanism, settings
from .progress import Progress

COLUMNS = 4  # small multiples: panels per row


def figure_surfaces():
    """The surfaces figures are made for: the first convex one, then the classic non-convex ones that exist."""
    keys = [k for k, s in pycore.SURFACES.items() if "convex" in s.tags][:1]
    keys += [k for k in ("rosenbrock", "himmelblau", "two_wells", "beale", "rastrigin") if k in pycore.SURFACES]
    return keys


def animated_surfaces():
    """Per-optimizer GIFs, vector fields and step-size figures: one convex surface and Himmelblau (or the next
    non-convex one), where most optimizers move at the common lr (on Rosenbrock the SGD family diverges)."""
    keys = figure_surfaces()
    rest = [k for k in keys[1:] if k == "himmelblau"] or keys[1:]
    return keys[:1] + rest[:1]


def contour_path(traj):
    """Contour plot of the surface with one optimizer's path, its outcome and its settings."""
    surface, spec = draw.surface_of(traj), draw.spec_of(traj)
    fig = draw.new_figure(6.4, 1.75 + draw.map_height(surface.bounds, 4.7))
    ax, cax = draw.map_axes(fig, surface.bounds, 0.65, 0.8, 4.7)
    draw.draw_surface(ax, surface, colorbar=cax)
    draw.draw_path(ax, traj)
    draw.legend(ax, loc="upper right")
    draw.title(fig, f"{spec.name} on {surface.name}: {draw.formula(surface)}\n{textwrap.fill(draw.outcome(traj), 100)}")
    draw.footer(fig, textwrap.fill(draw.run_text(traj), 125))
    return fig


def _grid(n, panel, top, bottom, width=12.0, gap=0.5):
    """A figure with ``n`` panels ``panel`` inches wide in rows of ``COLUMNS``, ``gap`` inches apart (room for a
    two-line panel title), ``top`` and ``bottom`` inches of margin: (fig, axes)."""
    rows = math.ceil(n / COLUMNS)
    height = top + rows * (panel + gap) - gap + bottom
    fig = draw.new_figure(width, height)
    step = (width - 0.75) / COLUMNS
    axes = []
    for i in range(n):
        r, c = divmod(i, COLUMNS)
        y = height - top - (r + 1) * panel - r * gap
        axes.append(fig.add_axes([(0.6 + c * step) / width, y / height, (step - 0.25) / width, panel / height]))
    return fig, axes


def _outer_labels(axes, i, n, xlabel, ylabel):
    """Tick labels and axis labels on the outer panels of a grid only."""
    ax = axes[i]
    ax.tick_params(labelsize=7)
    ax.xaxis.set_major_locator(MaxNLocator(5))
    inner_y, inner_x = i % COLUMNS, i < n - COLUMNS
    ax.tick_params(labelleft=not inner_y, labelbottom=not inner_x)
    ax.set_ylabel("" if inner_y else ylabel, fontsize=8)
    ax.set_xlabel("" if inner_x else xlabel, fontsize=8)


def names(trajs):
    """Each run's optimizer name, followed by the hyperparameters in which it differs from other runs of the same
    optimizer in ``trajs`` (e.g. "AdaGrad (lr=1)"), so two panels never carry the same title."""
    out = []
    for t in trajs:
        same = [o for o in trajs if o.optimizer == t.optimizer]
        differ = [k for k in t.hyperparams if len({repr(o.hyperparams[k]) for o in same}) > 1]
        extra = ", ".join(f"{k}={settings.fmt(t.hyperparams[k])}" for k in differ)
        out.append(draw.spec_of(t).name + (f" ({extra})" if extra else ""))
    return out


def _panel_title(ax, traj, name):
    ax.set_title(f"{name}\n{draw.outcome_short(traj)}", fontsize=8.5, linespacing=1.3)


def paths_grid(trajs):
    """Small multiples: each optimizer's path from the same start on its own copy of the surface, titled with
    its outcome, so no path hides another (a chaotic run only fills its own panel)."""
    surface = draw.surface_of(trajs[0])
    fig, axes = _grid(len(trajs), panel=2.45, top=0.75, bottom=1.2)
    for i, (ax, t, name) in enumerate(zip(axes, trajs, names(trajs))):
        draw.draw_surface(ax, surface, n=121, colorbar=False)
        draw.draw_path(ax, t, ms=4, lw=1.3)
        _panel_title(ax, t, name)
        _outer_labels(axes, i, len(trajs), "$x$", "$y$")
    handles, labels = draw.legend_entries(axes)
    marks = [(h, lab) for h, lab in zip(handles, labels) if lab in draw.MARKS]
    fig.legend(*zip(*marks), loc="lower right", ncol=len(marks), fontsize=8, frameon=False,
               bbox_to_anchor=(0.99, 0.25 / fig.get_figheight()))
    count = f"All {len(trajs)}" if len(trajs) == len(pycore.OPTIMIZERS) else f"{len(trajs)}"
    fig.suptitle(f"{count} optimizers from the same start on {surface.name}: {draw.formula(surface)}\n"
                 "one panel per optimizer, in its colour and marker; shading: the surface (darker is higher)",
                 fontsize=10, y=0.995)
    draw.footer(fig, textwrap.fill(draw.settings_text(trajs), 200), size=7.5)
    return fig


def loss_grid(trajs):
    """Small multiples of f(θ_k) − f* against step k (log), one panel per optimizer with the others' lowest
    loss so far in grey behind it, so an oscillating or vanishing loss paints only its own panel."""
    surface = draw.surface_of(trajs[0])
    top, steps = draw.loss_top(trajs), max(t.steps for t in trajs)
    fig, axes = _grid(len(trajs), panel=1.9, top=0.95, bottom=0.95)
    for i, (ax, t, name) in enumerate(zip(axes, trajs, names(trajs))):
        draw.draw_context(ax, [o for o in trajs if o is not t], top)
        draw.draw_loss(ax, t, top)
        draw.loss_axes(ax, top, steps)
        _panel_title(ax, t, name)
        _outer_labels(axes, i, len(trajs), "step $k$", r"$f(\theta_k) - f^*$")
    fig.suptitle(f"Loss against step on {surface.name}: {draw.formula(surface)}\n"
                 f"one panel per optimizer; {draw.CONTEXT_TEXT}; red cross: diverged\n"
                 f"log scale: {draw.clip_text(top)}", fontsize=10, y=0.995)
    draw.footer(fig, textwrap.fill(draw.settings_text(trajs), 200), size=7.5)
    return fig


def epoch_grid(runs):
    """Mini-batch training (``pycore.datasets.run_minibatch`` runs): the full-data loss above its minimum after
    every epoch (log scale), one panel per batch size, one line per optimizer in its registry colour."""
    sizes = sorted({t.minibatch["batch_size"] for t in runs})
    surface = draw.surface_of(runs[0])
    fig = draw.new_figure(4.0 * len(sizes) + 2.4, 3.8)
    width = fig.get_figwidth()
    gaps = [g for t in runs for g in draw.gap(surface, t.minibatch["epoch_losses"])]
    for i, size in enumerate(sizes):
        ax = fig.add_axes([(0.7 + 4.0 * i) / width, 0.22, 3.4 / width, 0.6])
        ax.set_ylim(min(gaps) / 2, max(gaps) * 2)
        for t in (t for t in runs if t.minibatch["batch_size"] == size):
            spec = draw.spec_of(t)
            y = draw.gap(surface, t.minibatch["epoch_losses"])
            ax.plot(np.arange(len(y)), y, color=spec.color, lw=1.4, marker=draw.MPL_MARKERS[spec.marker], ms=4,
                    markevery=max(1, len(y) // 6), label=f"{spec.name} (lr {settings.fmt(t.hyperparams['lr'])})")
        ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        ax.set_xlabel("epoch", fontsize=9)
        if i == 0:
            ax.set_ylabel("full-data loss − its minimum", fontsize=9)
        per = next(t for t in runs if t.minibatch["batch_size"] == size).minibatch["steps_per_epoch"]
        ax.set_title(f"batch size {size} ({per} step{'s' * (per != 1)} per epoch)", fontsize=9)
    ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig.suptitle(f"Mini-batch training on {surface.name}: loss after every epoch (log scale)", fontsize=10)
    t = runs[0]
    draw.footer(fig, f"Start ({t.start[0]:g}, {t.start[1]:g}); batches drawn as torch's DataLoader(shuffle=True) "
                     f"with seed {t.seed}; other hyperparameters torch defaults.", size=7.5)
    return fig


# ---------------------------------------------------------------------------------------------- the field ---
def arc_indices(points, n):
    """Up to ``n`` step indices spread evenly by path length (so arrows do not pile up where the path stalls)."""
    pts = np.asarray(points[:-1])
    if len(pts) == 0:
        return []
    seg = np.r_[0.0, np.cumsum(np.hypot(*np.diff(np.asarray(points), axis=0).T))][:-1]
    if seg[-1] == 0:
        return [0]
    targets = np.linspace(0.0, seg[-1], n)
    return sorted(set(int(np.searchsorted(seg, t)) for t in targets))


def unit(v):
    """Rows of ``v`` scaled to length 1 (zero rows stay zero)."""
    v = np.asarray(v, dtype=float)
    norm = np.hypot(v[:, 0], v[:, 1])[:, None]
    return np.divide(v, norm, out=np.zeros_like(v), where=norm > 0)


def angle_deg(a, b):
    """Angles in degrees between matching rows of ``a`` and ``b``."""
    ua, ub = unit(a), unit(b)
    return np.degrees(np.arccos(np.clip((ua * ub).sum(axis=1), -1.0, 1.0)))


def descent_field(surface, n, view=None):
    """(points, directions): an n x n grid inside ``view`` (default: the surface's bounds) and −∇f/‖∇f‖ there
    (the descent direction, not x − ∇f; zero where ∇f = 0)."""
    (x0, x1), (y0, y1) = view or surface.bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, n + 2)[1:-1], np.linspace(y0, y1, n + 2)[1:-1])
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    g = np.array([surface.grad(float(x), float(y)) for x, y in pts])
    return pts, unit(-g)


ZOOM_BELOW = 0.35  # the field zooms to the path when the path spans less than this share of the view


def field_view(surface, points):
    """The view a field figure shows: the surface's bounds, or a square around ``points`` (with a margin) when
    the path spans less than ``ZOOM_BELOW`` of the view, so its arrows do not pile up. (view, zoomed)."""
    (x0, x1), (y0, y1) = surface.bounds
    pts = np.array([p for p in points if draw.in_view(surface, p)] or [points[0]])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = max(hi - lo)
    if span >= ZOOM_BELOW * min(x1 - x0, y1 - y0):
        return surface.bounds, False
    side = max(1.5 * span, 0.1 * min(x1 - x0, y1 - y0))
    cx, cy = (lo + hi) / 2
    cx = min(max(cx, x0 + side / 2), x1 - side / 2)
    cy = min(max(cy, y0 + side / 2), y1 - side / 2)
    return ((cx - side / 2, cx + side / 2), (cy - side / 2, cy + side / 2)), True


def vector_field(traj, arrows=16, field_n=15):
    """−∇f/‖∇f‖ on a grid (grey) and, along the path, −∇f (black) against the update Δθ taken (colour).

    All arrows are unit length (normalised), so they show direction only; magnitudes span orders of magnitude
    (the "steps" figure shows them). Arrows and angles cover the approach: the steps until the run settled.
    """
    surface, spec = draw.surface_of(traj), draw.spec_of(traj)
    n = len(traj.grads) if traj.settled_at is None else max(traj.settled_at, 1)
    view, zoomed = field_view(surface, traj.points[:n + 1])
    fig = draw.new_figure(6.4, 1.95 + draw.map_height(view, 4.7))
    ax, cax = draw.map_axes(fig, view, 0.65, 0.8, 4.7)
    draw.draw_surface(ax, surface, view=view, colorbar=cax)
    (x0, x1), (y0, y1) = view
    pts, d = descent_field(surface, field_n, view)
    scale = 0.045 * max(x1 - x0, y1 - y0)
    ax.quiver(pts[:, 0], pts[:, 1], d[:, 0] * scale, d[:, 1] * scale, angles="xy", scale_units="xy", scale=1,
              color="#9a9a9a", width=0.003, label=r"$-\nabla f$ direction (field; every arrow unit length)")
    ax.plot(*np.array(traj.points).T, color=spec.color, lw=0.8, alpha=0.6)
    idx = arc_indices(traj.points[:n + 1], arrows)
    if idx:
        p = np.array([traj.points[i] for i in idx])
        ng = unit(-np.array([traj.grads[i] for i in idx]))
        up = unit(np.array([traj.updates[i] for i in idx]))
        big = 1.4 * scale
        ax.quiver(p[:, 0], p[:, 1], ng[:, 0] * big, ng[:, 1] * big, angles="xy", scale_units="xy", scale=1,
                  color="black", width=0.005, zorder=6, label=r"$-\nabla f(\theta_k)$ at the iterate")
        ax.quiver(p[:, 0], p[:, 1], up[:, 0] * big, up[:, 1] * big, angles="xy", scale_units="xy", scale=1,
                  color=spec.color, width=0.006, zorder=7, label=rf"update $\Delta\theta_k$ taken by {spec.name}")
    ang = angle_deg(-np.array(traj.grads[:n]), np.array(traj.updates[:n])) if traj.grads else np.array([np.nan])
    if draw.in_view(surface, traj.points[0]):
        ax.plot(*traj.points[0], "o", color="black", ms=5, zorder=8, label="start")
    draw.legend(ax, loc="upper right")
    zoom = " (zoomed in)" if zoomed else ""
    steps = "step 1" if n == 1 else f"steps 1–{n}"
    draw.title(fig, f"{spec.name} on {surface.name}{zoom}: update direction against $-\\nabla f$\n"
                 f"{textwrap.fill(draw.outcome(traj), 100)}\n"
                 f"angle between $\\Delta\\theta_k$ and $-\\nabla f(\\theta_k)$, {steps}: median {np.nanmedian(ang):.1f}°, "
                 f"90th percentile {np.nanpercentile(ang, 90):.1f}°")
    draw.footer(fig, textwrap.fill(draw.run_text(traj), 125))
    return fig


# ------------------------------------------------------------------------------------------ files and jobs ---
KINDS = ("path", "field", "steps", "gif", "paths", "loss", "ablation")


def plot_path(surface, key, kind):
    """Where a figure lives, relative to the repository root (``kind`` one of ``KINDS``; an ablation's
    ``key`` is its name in ``desktop.ablations.ABLATIONS`` and its ``surface`` is None)."""
    if kind == "gif":
        return pathlib.Path("visualizations/gifs") / surface / f"{key}.gif"
    if kind == "ablation":
        return pathlib.Path("visualizations/plots/ablations") / f"{key}.png"
    name = {"path": f"{key}.png", "field": f"field_{key}.png", "steps": f"steps_{key}.png", "loss": "loss.png",
            "paths": "paths.png"}[kind]
    return pathlib.Path("visualizations/plots") / surface / name


def default_jobs():
    """Every figure ``python3 -m desktop.figures`` renders by default (the committed set)."""
    return jobs(figure_surfaces(), list(pycore.OPTIMIZERS), animated_surfaces())


def jobs(surfaces, optimizers, animated, ablation_names=tuple(ablations.ABLATIONS)):
    """The list of (kind, surface, key) figures to render."""
    out = []
    for s in surfaces:
        out += [("loss", s, None), ("paths", s, None)] + [("path", s, k) for k in optimizers]
        if s in animated:
            out += [("gif", s, "all")] + [(kind, s, k) for k in optimizers for kind in ("gif", "field", "steps")]
    return out + [("ablation", None, name) for name in ablation_names]


SMALL = dict(steps=30, frames=4, px=200)  # a quick, low-resolution render for tests
INDEX = pathlib.Path("visualizations/index.json")


def describe(kind, s, k, runs, steps=settings.STEPS):
    """What figure (kind, s, k) shows, in words and numbers from its runs (``runs(s, k)`` gives one): the text a
    drift test compares, so a committed figure whose runs changed is caught without comparing pixels."""
    if kind == "ablation":
        return ablations.caption(k, steps)
    if s and k in (None, "all"):
        every = [runs(s, key) for key in pycore.OPTIMIZERS]
        return draw.settings_text(every) + " " + "; ".join(
            f"{draw.spec_of(t).name}: {draw.outcome_short(t)}" for t in every)
    t = runs(s, k)
    return f"{draw.run_text(t)}. {draw.outcome(t)}"


def manifest(todo, steps=settings.STEPS):
    """{figure path: description} for the (kind, surface, key) figures ``todo``."""
    cache = {}

    def runs(s, k):
        if (s, k) not in cache:
            cache[s, k] = draw.trajectory(k, s, steps)
        return cache[s, k]

    return {plot_path(s, k, kind).as_posix(): describe(kind, s, k, runs, steps) for kind, s, k in todo}


def render(root, todo, steps=settings.STEPS, frames=animation.FRAMES, px=animation.PX):
    """Render the (kind, surface, key) figures ``todo`` under ``root`` (the repository or a temp dir).

    Runs are made once per (optimizer, surface); figures of all optimizers ("loss", "paths", the "all" GIF)
    use every optimizer in the registry. Returns the paths written.
    """
    root, runs, written = pathlib.Path(root), {}, []

    def run_of(s, k):
        if (s, k) not in runs:
            runs[s, k] = draw.trajectory(k, s, steps)
        return runs[s, k]

    with Progress(len(todo), "figures") as bar:
        for kind, s, k in todo:
            every = [run_of(s, key) for key in pycore.OPTIMIZERS] if s and k in (None, "all") else None
            path = root / plot_path(s, k, kind)
            if kind == "gif":
                animation.animation(every or [run_of(s, k)], path, count=frames, px=px)
            else:
                fig = {"loss": lambda: loss_grid(every), "paths": lambda: paths_grid(every),
                       "path": lambda: contour_path(run_of(s, k)), "field": lambda: vector_field(run_of(s, k)),
                       "steps": lambda: mechanism.steps_figure(run_of(s, k), [run_of(s, o) for o in pycore.OPTIMIZERS]),
                       "ablation": lambda: ablations.figure(k, steps)}[kind]()
                draw.save(fig, path)
            written.append(path)
            bar.advance()
    return written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT), help="root to write visualizations/ under (default: the repo)")
    ap.add_argument("--surfaces", help="comma-separated surface keys (default: the figure surfaces)")
    ap.add_argument("--optimizers", help="comma-separated optimizer keys (default: all 12)")
    ap.add_argument("--steps", type=int, default=settings.STEPS)
    ap.add_argument("--small", action="store_true", help=f"quick low-resolution render for tests ({SMALL})")
    a = ap.parse_args(argv)
    surfaces = a.surfaces.split(",") if a.surfaces else figure_surfaces()
    for s in surfaces:
        pycore.get_surface(s)
    optimizers = a.optimizers.split(",") if a.optimizers else list(pycore.OPTIMIZERS)
    for k in optimizers:
        pycore.get_optimizer(k)
    animated = [s for s in animated_surfaces() if s in surfaces] or surfaces[:1]
    size = SMALL if a.small else dict(steps=a.steps)
    todo = jobs(surfaces, optimizers, animated)
    written = render(a.out, todo, **size)
    if todo == default_jobs() and not a.small and a.steps == settings.STEPS:
        (pathlib.Path(a.out) / INDEX).write_text(json.dumps(manifest(todo), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(written)} figures under {a.out}/visualizations")


if __name__ == "__main__":
    main()
