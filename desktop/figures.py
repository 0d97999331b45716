"""Figures from pycore runs: contour + path (PNG), step-by-step animation (GIF), loss vs step, vector field.

Every figure states the surface formula, the start, the step budget and every hyperparameter in effect; paths use
the registry's colour and marker (``pycore.OPTIMIZERS[key].color``/``.marker``), the same as the page. Runs use
the ``common`` setting of ``desktop.settings`` (lr = 1e-2, Adadelta 1.0) for ``settings.STEPS`` steps.

    python3 -m desktop.figures [--out DIR] [--surfaces a,b] [--optimizers a,b] [--steps N] [--small]
"""
import argparse
import functools
import io
import math
import pathlib
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import colors as mcolors  # noqa: E402
from matplotlib.mathtext import MathTextParser  # noqa: E402
from matplotlib.path import Path  # noqa: E402
from PIL import Image  # noqa: E402

import pycore  # noqa: E402
from pycore.markers import SHAPES  # noqa: E402

from . import ROOT, settings  # noqa: E402
from .progress import Progress  # noqa: E402

PLOTS = ROOT / "visualizations" / "plots"
GIFS = ROOT / "visualizations" / "gifs"

# pycore's marker shapes (shared with the page) as matplotlib paths.
MPL_MARKERS = {name: Path(pts + (pts[0],), [Path.MOVETO] + [Path.LINETO] * (len(pts) - 1) + [Path.CLOSEPOLY])
               for name, pts in SHAPES.items()}
# A pale grey ramp keeps every path colour readable on top of the contours.
SURFACE_CMAP = mcolors.LinearSegmentedColormap.from_list("surface", ["#ffffff", "#b4b4b4"])
FLOOR = 1e-16  # log plots of f - f* show smaller gaps (and exact zeros) at this floor, as their labels say


def figure_surfaces():
    """The surfaces figures are made for: the first convex one, then the classic non-convex ones that exist."""
    keys = [k for k, s in pycore.SURFACES.items() if "convex" in s.tags][:1]
    keys += [k for k in ("rosenbrock", "himmelblau", "two_wells", "beale", "rastrigin") if k in pycore.SURFACES]
    return keys


def animated_surfaces():
    """Per-optimizer GIFs and vector fields: one convex surface and Himmelblau (or the next non-convex one),
    where most optimizers move at the common lr (on Rosenbrock the SGD family diverges at step 1)."""
    keys = figure_surfaces()
    rest = [k for k in keys[1:] if k == "himmelblau"] or keys[1:]
    return keys[:1] + rest[:1]


def trajectory(key, surface, steps=settings.STEPS, start=None):
    """The run a figure shows: optimizer ``key`` with the ``common`` setting from the surface's default start."""
    return pycore.run(key, surface, start=start, steps=steps, tol=settings.TOL, **settings.overrides(key, "common"))


@functools.lru_cache(maxsize=32)
def surface_grid(surface, n):
    """(X, Y, Z) on an n x n grid over the surface's view bounds (cached: every figure of a surface shares it)."""
    (x0, x1), (y0, y1) = surface.bounds
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    f = surface.f
    Z = np.array([[f(float(x), float(y)) for x in xs] for y in ys])
    X, Y = np.meshgrid(xs, ys)
    return X, Y, Z


def f_star(surface):
    """The global minimum value (computed by pycore), or the lowest grid value for a surface without minima."""
    glob = surface.global_minima
    return min(m.value for m in glob) if glob else None


# KaTeX macros that matplotlib's mathtext lacks, and their mathtext equivalents.
_MATHTEXT = {r"\tfrac": r"\frac", r"\dfrac": r"\frac"}


def formula(surface):
    """The surface formula as matplotlib mathtext, or as plain text when mathtext cannot parse it."""
    latex = surface.latex
    for katex, mathtext in _MATHTEXT.items():
        latex = latex.replace(katex, mathtext)
    text = f"${latex}$"
    try:
        MathTextParser("path").parse(text)
    except ValueError:
        return surface.latex
    return text


def gap(surface, values):
    """f - f* floored at ``FLOOR`` for log axes."""
    fs = f_star(surface)
    return np.maximum(np.asarray(values, dtype=float) - fs, FLOOR)


def draw_surface(ax, surface, n=201, colorbar=True):
    """Filled contours (log-spaced levels of f - f* when the surface asks for log levels), minima, saddles."""
    X, Y, Z = surface_grid(surface, n)
    if surface.levels == "log":
        data = gap(surface, Z)
        lo = max(np.percentile(data, 0.5), 1e-6)
        levels = np.geomspace(lo, data.max(), 16)
        norm, label = mcolors.LogNorm(levels[0], levels[-1]), r"$f - f^*$ (log scale)"
        data = np.clip(data, levels[0], levels[-1])
    else:
        data = Z
        levels = np.linspace(Z.min(), Z.max(), 16)
        norm, label = mcolors.Normalize(levels[0], levels[-1]), r"$f(x, y)$"
    filled = ax.contourf(X, Y, data, levels=levels, norm=norm, cmap=SURFACE_CMAP)
    ax.contour(X, Y, data, levels=levels, norm=norm, colors="#8a8a8a", linewidths=0.4, negative_linestyles="solid")
    small = len(surface.minima) > 20  # e.g. Rastrigin's grid of local minima: keep them from hiding the paths
    for m in surface.minima:
        glob = m.is_global
        ax.plot(m.x, m.y, "*" if glob else "o", ms=13 if glob else (3.5 if small else 7), mfc="white", mec="black", mew=1.0,
                ls="none", zorder=5, label="global minimum" if glob else "local minimum")
    for s in surface.saddles:
        ax.plot(s.x, s.y, "x", ms=6, color="black", ls="none", zorder=5, label="saddle point")
    (x0, x1), (y0, y1) = surface.bounds
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$x$", ylabel="$y$", aspect="equal")
    if colorbar:
        cb = ax.figure.colorbar(filled, ax=ax, shrink=0.85, pad=0.02)
        cb.set_label(label)
        if surface.levels == "log":
            exps = range(math.ceil(math.log10(levels[0])), math.floor(math.log10(levels[-1])) + 1)
            cb.set_ticks([10.0 ** e for e in exps], labels=[f"$10^{{{e}}}$" for e in exps])
            cb.ax.minorticks_off()
    return filled


_MARKS = ("global minimum", "local minimum", "saddle point", "start", "diverged here")


def _dedupe_legend(ax, **kw):
    """One legend entry per label: the surface's marks first, then the runs in registry order."""
    handles, labels = ax.get_legend_handles_labels()
    seen = {}
    for h, lab in zip(handles, labels):
        seen.setdefault(lab, h)
    order = sorted(seen, key=lambda lab: _MARKS.index(lab) if lab in _MARKS else len(_MARKS))
    ax.legend([seen[lab] for lab in order], order, fontsize=7, framealpha=0.9, **kw)


def outcome(traj):
    """One line on how the run ended: the minimum reached, or the divergence and its reason."""
    surface = pycore.SURFACES[traj.surface]
    if traj.outcome == "diverged":
        return f"diverged ({traj.reason})"
    if traj.reached is not None:
        m = surface.minima[traj.reached]
        kind = "global" if m.is_global else "local"
        return f"ended at the {kind} minimum ({m.x:.3g}, {m.y:.3g}); settled within {traj.tol:g} from step {traj.settled_at}"
    x, y = traj.points[-1]
    return f"after {traj.steps} steps at ({x:.3g}, {y:.3g}), f = {traj.losses[-1]:.3g}, not at a minimum"


def draw_path(ax, traj, upto=None, label=None):
    """The path of ``traj`` up to point ``upto`` in the registry colour/marker; the start as a black dot."""
    spec = pycore.OPTIMIZERS[traj.optimizer]
    pts = np.array(traj.points[: (len(traj.points) if upto is None else upto + 1)])
    diverged = " (diverged)" if traj.outcome == "diverged" else ""
    line, = ax.plot(pts[:, 0], pts[:, 1], color=spec.color, lw=1.6, marker=MPL_MARKERS[spec.marker], ms=5,
                    markevery=0.08, label=label or spec.name + diverged, zorder=6)
    ax.plot(*traj.points[0], "o", color="black", ms=5, zorder=7, label="start")
    end = pts[-1]
    if traj.outcome == "diverged" and (upto is None or upto >= len(traj.points) - 1):
        (x0, x1), (y0, y1) = pycore.SURFACES[traj.surface].bounds
        if x0 <= end[0] <= x1 and y0 <= end[1] <= y1:  # else the last point is off the view; the title says where
            ax.plot(*end, "X", color="#d00000", ms=11, mec="black", zorder=8, label="diverged here")
    else:
        ax.plot(*end, marker=MPL_MARKERS[spec.marker], ls="none", color=spec.color, ms=9, mec="black", zorder=8)
    return line


def _footer(fig, text, y=0.01):
    fig.text(0.01, y, text, fontsize=6.5, ha="left", va="bottom", wrap=True, color="#333333")


def run_text(traj):
    """'1000 steps from (-1.5, 2.5); lr=0.01, ...': the settings of a run, for a figure footer."""
    x, y = traj.start
    return (f"{traj.steps} steps from ({x:g}, {y:g}); hyperparameters in effect: "
            f"{settings.describe(traj.optimizer, traj.hyperparams)}; no gradient clipping, no noise")


def contour_path(traj, out):
    """Contour plot of the surface with one optimizer's path, its outcome and its settings."""
    surface, spec = pycore.SURFACES[traj.surface], pycore.OPTIMIZERS[traj.optimizer]
    fig, ax = plt.subplots(figsize=(6.4, 6.0), dpi=100)
    draw_surface(ax, surface)
    draw_path(ax, traj)
    _dedupe_legend(ax, loc="upper right")
    ax.set_title(f"{spec.name} on {surface.name}\n{formula(surface)}\n{textwrap.fill(outcome(traj), 95)}", fontsize=8.5)
    fig.subplots_adjust(left=0.1, right=0.93, top=0.87, bottom=0.14)
    _footer(fig, run_text(traj))
    _save(fig, out)


def paths_overlay(trajs, out):
    """Every optimizer's path from the same start on one contour plot."""
    surface = pycore.SURFACES[trajs[0].surface]
    fig, ax = plt.subplots(figsize=(7.2, 6.0), dpi=100)
    draw_surface(ax, surface)
    for t in trajs:
        draw_path(ax, t)
    _dedupe_legend(ax, loc="center left", bbox_to_anchor=(1.25, 0.5))
    ax.set_title(f"All optimizers on {surface.name}\n{formula(surface)}", fontsize=9)
    fig.subplots_adjust(left=0.1, right=0.78, top=0.9, bottom=0.12)
    _footer(fig, _settings_text(trajs))
    _save(fig, out)


def _settings_text(trajs):
    x, y = trajs[0].start
    lrs = ", ".join(f"{pycore.OPTIMIZERS[t.optimizer].name} {settings.fmt(t.hyperparams['lr'])}" for t in trajs)
    return (f"{trajs[0].steps} steps each from ({x:g}, {y:g}); {settings.SETTING_TEXT['common']}. "
            f"lr: {lrs}. All other hyperparameters at their defaults; no clipping, no noise.")


def loss_curves(trajs, out):
    """f(θ_k) - f* against step k for every optimizer (log y); a diverged run ends in a red cross."""
    surface = pycore.SURFACES[trajs[0].surface]
    fig, ax = plt.subplots(figsize=(7.2, 4.6), dpi=100)
    for t in trajs:
        spec = pycore.OPTIMIZERS[t.optimizer]
        y = gap(surface, t.losses)
        ax.plot(np.arange(len(y)), y, color=spec.color, lw=1.4, marker=MPL_MARKERS[spec.marker], ms=4,
                markevery=max(1, len(y) // 8), label=spec.name)
        if t.outcome == "diverged":
            ax.plot(len(y) - 1, y[-1], "X", color="#d00000", mec="black", ms=9)
    ax.set_yscale("log")
    ax.set(xlabel="step $k$", ylabel=rf"$f(\theta_k) - f^*$ (log; below {FLOOR:g} drawn at {FLOOR:g})",
           xlim=(0, trajs[0].steps))
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, ncol=1, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.set_title(f"Loss vs step on {surface.name} (red cross: diverged)\n{formula(surface)}", fontsize=9)
    fig.subplots_adjust(left=0.11, right=0.83, top=0.88, bottom=0.2)
    _footer(fig, _settings_text(trajs))
    _save(fig, out)


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


def descent_field(surface, n):
    """(points, directions): an n x n grid inside the view and −∇f/‖∇f‖ there (the descent direction, not
    x − ∇f; zero where ∇f = 0)."""
    (x0, x1), (y0, y1) = surface.bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, n + 2)[1:-1], np.linspace(y0, y1, n + 2)[1:-1])
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    g = np.array([surface.grad(float(x), float(y)) for x, y in pts])
    return pts, unit(-g)


def vector_field(traj, out, arrows=16, field_n=15):
    """−∇f/‖∇f‖ on a grid (grey) and, along the path, −∇f (black) against the update Δθ taken (colour).

    All arrows are unit length (normalised), so they show direction only; magnitudes span orders of magnitude.
    """
    surface, spec = pycore.SURFACES[traj.surface], pycore.OPTIMIZERS[traj.optimizer]
    fig, ax = plt.subplots(figsize=(6.4, 6.2), dpi=100)
    draw_surface(ax, surface)
    (x0, x1), (y0, y1) = surface.bounds
    pts, d = descent_field(surface, field_n)
    scale = 0.045 * max(x1 - x0, y1 - y0)
    ax.quiver(pts[:, 0], pts[:, 1], d[:, 0] * scale, d[:, 1] * scale, angles="xy", scale_units="xy", scale=1,
              color="#9a9a9a", width=0.003, label=r"$-\nabla f$ direction (field)")
    ax.plot(*np.array(traj.points).T, color=spec.color, lw=0.8, alpha=0.6)
    # Arrows and angles cover the approach (until first within tol of a minimum); afterwards the run only hovers.
    n = len(traj.grads) if traj.settled_at is None else max(traj.settled_at, 1)
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
    ax.plot(*traj.points[0], "o", color="black", ms=5, zorder=8, label="start")
    _dedupe_legend(ax, loc="upper right")
    ax.set_title(f"{spec.name} on {surface.name}: update direction vs $-\\nabla f$ (all arrows unit length)\n"
                 f"{textwrap.fill(outcome(traj), 95)}\nangle between $\\Delta\\theta_k$ and $-\\nabla f(\\theta_k)$, {'step 1' if n == 1 else f'steps 1–{n}'}: "
                 f"median {np.nanmedian(ang):.1f}°, 90th percentile {np.nanpercentile(ang, 90):.1f}°", fontsize=8)
    fig.subplots_adjust(left=0.1, right=0.93, top=0.88, bottom=0.14)
    _footer(fig, run_text(traj))
    _save(fig, out)


def lr_text(trajs):
    """'lr 0.01 (Adadelta 1)': the most common lr of the runs, and the runs that differ from it by name."""
    lrs = [t.hyperparams["lr"] for t in trajs]
    common = max(set(lrs), key=lrs.count)
    other = [f"{pycore.OPTIMIZERS[t.optimizer].name} {settings.fmt(lr)}" for t, lr in zip(trajs, lrs) if lr != common]
    return f"lr {settings.fmt(common)}" + (f" ({', '.join(other)})" if other else "")


def frame_steps(n_steps, frames):
    """At most ``frames`` distinct step indices from 0 to n_steps, quadratically spaced: early steps, where most
    of the motion is, get more frames. Every frame is labelled with its step, so the time axis stays explicit."""
    count = min(frames, n_steps + 1)
    out = []
    for i in range(count):
        k = round(n_steps * (i / (count - 1)) ** 2) if count > 1 else 0
        out.append(max(k, out[-1] + 1) if out else k)
    return out


def animation(trajs, out, frames=60, px=360, title=None):
    """A step-by-step GIF of one or more runs on the same surface: at most ``frames`` frames, ``px`` wide.

    Frames are rendered by matplotlib, then written by Pillow with one shared adaptive palette (64 colours,
    no dithering), so flat contour bands compress well and colours do not flicker between frames.
    """
    surface = pycore.SURFACES[trajs[0].surface]
    dpi, legend_h = 100, (0.55 if len(trajs) > 1 else 0.0)
    fig, ax = plt.subplots(figsize=(px / dpi, px / dpi + 0.5 + legend_h), dpi=dpi)
    draw_surface(ax, surface, n=151, colorbar=False)
    ax.tick_params(labelsize=6)
    ax.xaxis.label.set_size(7)
    ax.yaxis.label.set_size(7)
    names = ", ".join(pycore.OPTIMIZERS[t.optimizer].name for t in trajs) if len(trajs) < 3 else "all optimizers"
    ax.set_title(title or f"{names} on {surface.name}", fontsize=8)
    lrs = lr_text(trajs)
    note = fig.text(0.02, 0.01, "", fontsize=6, ha="left", va="bottom")
    height = px / dpi + 0.5 + legend_h
    fig.subplots_adjust(left=0.12, right=0.97, top=1 - 0.3 / height, bottom=(0.45 + legend_h) / height)
    lines, heads = [], []
    for t in trajs:
        spec = pycore.OPTIMIZERS[t.optimizer]
        lines.append(ax.plot([], [], color=spec.color, lw=1.5)[0])
        heads.append(ax.plot([], [], marker=MPL_MARKERS[spec.marker], ls="none", color=spec.color, mec="black", ms=7, zorder=8,
                             label=spec.name)[0])
    if len(trajs) > 1:
        fig.legend(handles=heads, loc="lower center", ncol=4, fontsize=5.5, frameon=False,
                   bbox_to_anchor=(0.5, 0.1 / height * 3))
    ax.plot(*trajs[0].start, "o", color="black", ms=4, zorder=7)
    steps = max(t.steps for t in trajs)
    images = []
    for k in frame_steps(steps, frames):
        for t, line, head in zip(trajs, lines, heads):
            pts = np.array(t.points[: k + 1])
            line.set_data(pts[:, 0], pts[:, 1])
            head.set_data([pts[-1, 0]], [pts[-1, 1]])
            if t.outcome == "diverged" and k >= len(t.points) - 1:
                head.set(marker="X", color="#d00000")
        one = trajs[0]
        tail = f"f = {one.losses[min(k, len(one.losses) - 1)]:.3g}" if len(trajs) == 1 else ""
        note.set_text(f"step {k}/{steps}  {tail}\n{lrs}; other hyperparameters torch defaults")
        fig.canvas.draw()
        images.append(Image.fromarray(np.asarray(fig.canvas.buffer_rgba())[..., :3]))
    plt.close(fig)
    _write_gif(images, out)


def _write_gif(images, out, colors=96, ms=90, hold_ms=1500):
    """Frames to a looping GIF with one palette for all frames, built from the first and last frames plus large
    swatches of every registry colour, so thin paths keep their exact colours."""
    w, h = images[0].size
    swatches = [pycore.OPTIMIZERS[k].color for k in pycore.OPTIMIZERS] + ["#d00000", "#000000", "#ffffff"]
    side = 48
    source = Image.new("RGB", (max(w, side * len(swatches)), 2 * h + side), "white")
    source.paste(images[0], (0, 0))
    source.paste(images[-1], (0, h))
    for i, c in enumerate(swatches):
        source.paste(Image.new("RGB", (side, side), c), (i * side, 2 * h))
    palette = source.quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
    frames = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    durations = [ms] * (len(frames) - 1) + [hold_ms]
    frames[0].save(out, save_all=True, append_images=frames[1:], duration=durations, loop=0, optimize=True)


def _save(fig, out):
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    plt.close(fig)
    # An adaptive 256-colour palette keeps the committed PNGs small; figures are flat colour, so nothing is lost.
    Image.open(buf).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                            dither=Image.Dither.NONE).save(out, optimize=True)


def plot_path(surface, key, kind):
    """Where a figure lives, relative to the repository root: kind is "path", "field", "loss", "paths" or "gif"."""
    if kind == "gif":
        return pathlib.Path("visualizations/gifs") / surface / f"{key}.gif"
    name = {"path": f"{key}.png", "field": f"field_{key}.png", "loss": "loss.png", "paths": "paths.png"}[kind]
    return pathlib.Path("visualizations/plots") / surface / name


def jobs(surfaces, optimizers, animated):
    """The list of (kind, surface, key) figures to render."""
    out = []
    for s in surfaces:
        out += [("loss", s, None), ("paths", s, None)] + [("path", s, k) for k in optimizers]
        if s in animated:
            out += [("gif", s, "all")] + [(kind, s, k) for k in optimizers for kind in ("gif", "field")]
    return out


def render(root, todo, steps=settings.STEPS, frames=60, px=360):
    """Render the (kind, surface, key) figures ``todo`` under ``root`` (the repository or a temp dir).

    Runs are made once per (optimizer, surface); figures of all optimizers ("loss", "paths", the "all" GIF) use
    every optimizer in the registry. Returns the paths written.
    """
    root, runs, written = pathlib.Path(root), {}, []

    def run_of(s, k):
        if (s, k) not in runs:
            runs[s, k] = trajectory(k, s, steps)
        return runs[s, k]

    with Progress(len(todo), "figures") as bar:
        for kind, s, k in todo:
            every = [run_of(s, key) for key in pycore.OPTIMIZERS] if k in (None, "all") else None
            path = root / plot_path(s, k, kind)
            if kind == "loss":
                loss_curves(every, path)
            elif kind == "paths":
                paths_overlay(every, path)
            elif kind == "path":
                contour_path(run_of(s, k), path)
            elif kind == "field":
                vector_field(run_of(s, k), path)
            else:
                animation(every or [run_of(s, k)], path, frames=frames, px=px)
            written.append(path)
            bar.advance()
    return written


SMALL = dict(steps=30, frames=4, px=160)  # a quick, low-resolution render for tests


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
    written = render(a.out, jobs(surfaces, optimizers, animated), **size)
    print(f"wrote {len(written)} figures under {a.out}/visualizations")


if __name__ == "__main__":
    main()
