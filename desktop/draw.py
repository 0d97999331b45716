"""Drawing primitives every figure shares: the surface, a path, the registry's colours and markers, outcome text,
and PNG output that keeps every registry colour exact.

Figures are ``matplotlib.figure.Figure`` objects drawn on an Agg canvas, never through pyplot, so importing
this module changes no global backend: the same functions draw into a notebook (which shows the returned
figure) and into the committed files (``save``).
"""
import functools
import io
import math
import pathlib

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.mathtext import MathTextParser
from matplotlib.path import Path
from matplotlib.ticker import LogLocator, MaxNLocator
from PIL import Image

import pycore
from pycore import datasets
from pycore.markers import SHAPES
from pycore.outcome import window

from . import settings

# pycore's marker shapes (shared with the page) as matplotlib paths.
MPL_MARKERS = {name: Path(pts + (pts[0],), [Path.MOVETO] + [Path.LINETO] * (len(pts) - 1) + [Path.CLOSEPOLY])
               for name, pts in SHAPES.items()}
# A pale grey ramp keeps every path colour readable on top of the contours.
SURFACE_CMAP = mcolors.LinearSegmentedColormap.from_list("surface", ["#ffffff", "#b4b4b4"])
DIVERGED = "#d00000"
FLOOR = 1e-16   # log plots of f - f* draw smaller gaps (and exact zeros) at this floor, as their labels say
# Colours a saved image must keep exactly: every optimizer's, the divergence cross, black and white.
EXACT_COLOURS = tuple(s.color for s in pycore.OPTIMIZERS.values()) + (DIVERGED, "#000000", "#ffffff")


def new_figure(width, height, dpi=100):
    """A Figure of ``width`` x ``height`` inches on its own Agg canvas (no pyplot, no global state)."""
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def spec_of(traj):
    return pycore.OPTIMIZERS[traj.optimizer]


def surface_of(traj):
    """The surface a run was on: a registry surface or a dataset's training surface (``pycore.datasets``)."""
    key = traj.surface
    return pycore.SURFACES[key] if key in pycore.SURFACES else datasets.get_dataset(key).surface


def trajectory(key, surface, steps=settings.STEPS, start=None, **hyperparams):
    """The run a figure shows: optimizer ``key`` with the ``common`` setting (overridden by ``hyperparams``)
    from the surface's default start."""
    values = {**settings.overrides(key, "common"), **hyperparams}
    return pycore.run(key, surface, start=start, steps=steps, tol=settings.TOL, **values)


# ------------------------------------------------------------------------------------------------ surface ---
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
    """The global minimum value (computed by pycore), or None for a surface without a global minimum."""
    glob = surface.global_minima
    return min(m.value for m in glob) if glob else None


def gap(surface, values):
    """f - f* floored at ``FLOOR`` for log axes."""
    return np.maximum(np.asarray(values, dtype=float) - f_star(surface), FLOOR)


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


def draw_surface(ax, surface, n=201, colorbar=True, view=None, marks=True):
    """Filled contours (log-spaced levels of f - f* when the surface asks for log levels), minima and saddles
    (hollow stars, circles and crosses on top of the paths: shapes no optimizer uses), limited to ``view``
    ((x0, x1), (y0, y1)) if given.
    ``colorbar``: True, False, or the Axes to draw it in. Returns the filled contour set."""
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
    if marks:
        small = len(surface.minima) > 20  # e.g. Rastrigin's grid of local minima: keep them from hiding the paths
        for m in surface.minima:
            glob = m.is_global
            ax.plot(m.x, m.y, "*" if glob else "o", ms=14 if glob else (3.5 if small else 7), mfc="none",
                    mec="black", mew=1.1, ls="none", zorder=9, label="global minimum" if glob else "local minimum")
        for s in surface.saddles:
            ax.plot(s.x, s.y, "x", ms=6, color="black", ls="none", zorder=9, label="saddle point")
    (x0, x1), (y0, y1) = view or surface.bounds
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$x$", ylabel="$y$", aspect="equal")
    if colorbar:
        cb = (ax.figure.colorbar(filled, cax=colorbar) if not isinstance(colorbar, bool) else
              ax.figure.colorbar(filled, ax=ax, shrink=0.85, pad=0.02))
        cb.set_label(label)
        if surface.levels == "log":
            exps = range(math.ceil(math.log10(levels[0])), math.floor(math.log10(levels[-1])) + 1)
            cb.set_ticks([10.0 ** e for e in exps], labels=[f"$10^{{{e}}}$" for e in exps])
            cb.ax.minorticks_off()
        else:
            cb.locator = MaxNLocator(6)
            cb.update_ticks()
    return filled


def map_axes(fig, view, left, bottom, width):
    """(ax, cax): an equal-aspect axes for ``view`` ((x0, x1), (y0, y1)) ``width`` inches wide at (``left``,
    ``bottom``) inches, and a colour-bar axes of the same height beside it."""
    (x0, x1), (y0, y1) = view
    height = width * (y1 - y0) / (x1 - x0)
    fw, fh = fig.get_figwidth(), fig.get_figheight()
    ax = fig.add_axes([left / fw, bottom / fh, width / fw, height / fh])
    cax = fig.add_axes([(left + width + 0.12) / fw, bottom / fh, 0.16 / fw, height / fh])
    return ax, cax


def map_height(view, width):
    (x0, x1), (y0, y1) = view
    return width * (y1 - y0) / (x1 - x0)


# --------------------------------------------------------------------------------------------------- paths ---
def in_view(surface, point):
    (x0, x1), (y0, y1) = surface.bounds
    return x0 <= point[0] <= x1 and y0 <= point[1] <= y1


def draw_path(ax, traj, upto=None, label=None, ms=5, lw=1.6):
    """The path of ``traj`` up to point ``upto`` in the registry colour and marker, the start as a black dot,
    the end as a larger marker (or a red cross where it diverged, if that is in view)."""
    spec = spec_of(traj)
    pts = np.array(traj.points[: (len(traj.points) if upto is None else upto + 1)])
    diverged = " (diverged)" if traj.outcome == "diverged" else ""
    line, = ax.plot(pts[:, 0], pts[:, 1], color=spec.color, lw=lw, marker=MPL_MARKERS[spec.marker], ms=ms,
                    markevery=0.08, label=label or spec.name + diverged, zorder=6)
    ax.plot(*traj.points[0], "o", color="black", ms=5, zorder=7, label="start")
    end = pts[-1]
    if traj.outcome == "diverged" and (upto is None or upto >= len(traj.points) - 1):
        if in_view(surface_of(traj), end):  # else the last point is off the view; the title says where
            ax.plot(*end, "X", color=DIVERGED, ms=11, mec="black", zorder=8, label="diverged here")
    else:
        ax.plot(*end, marker=MPL_MARKERS[spec.marker], ls="none", color=spec.color, ms=2 * ms - 1, mec="black",
                zorder=8)
    return line


MARKS = ("global minimum", "local minimum", "saddle point", "start", "diverged here")


def legend_entries(axes):
    """(handles, labels), one per label over ``axes``: the surface's marks first, then the runs in order."""
    seen = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    order = sorted(seen, key=lambda lab: MARKS.index(lab) if lab in MARKS else len(MARKS))
    return [seen[lab] for lab in order], order


def legend(ax, **kw):
    """One legend entry per label of ``ax``."""
    handles, labels = legend_entries([ax])
    box = ax.legend(handles, labels, fontsize=7, framealpha=0.9, **kw)
    box.set_zorder(20)  # above the paths, which a chaotic run draws everywhere
    return box


# ---------------------------------------------------------------------------------------------------- text ---
def still_moving(traj):
    """Whether a run that ended within tol of a minimum had not stayed there: its path came within tol of its
    end point only in the last ``pycore.outcome.window`` steps (e.g. an oscillation of about tol)."""
    return traj.settled_at is not None and traj.steps - traj.settled_at < window(traj.steps)


def outcome(traj):
    """One line on how the run ended, in the engine's outcome words: the minimum and the settling step, the
    stall, the divergence and its reason, or the budget running out."""
    x, y = traj.points[-1]
    if traj.outcome == "diverged":
        return f"diverged ({traj.reason})"
    if traj.outcome in ("global", "local"):
        m = surface_of(traj).minima[traj.reached]
        where = f"the {traj.outcome} minimum ({m.x:.3g}, {m.y:.3g})"
        if still_moving(traj):
            return (f"ended within {traj.tol:g} of {where} but still moving: within {traj.tol:g} of its end point "
                    f"only from step {traj.settled_at}")
        return f"ended at {where}; settled within {traj.tol:g} from step {traj.settled_at}"
    if traj.outcome == "stalled":
        return f"stalled: {traj.reason}; settled within {traj.tol:g} from step {traj.settled_at}"
    return f"budget: {traj.reason}; after {traj.steps} steps at ({x:.3g}, {y:.3g}), f = {traj.losses[-1]:.3g}"


def outcome_short(traj):
    """The outcome in a few words, for a panel title: "global, settled from step 92", "diverged at step 2"."""
    if traj.outcome == "diverged":
        return f"diverged at step {len(traj.points)}"
    if traj.outcome in ("global", "local", "stalled"):
        if still_moving(traj):
            return f"{traj.outcome}; near its end only from step {traj.settled_at}"
        return f"{traj.outcome}, settled from step {traj.settled_at}"
    return f"budget: not settled in {traj.steps} steps"


def run_text(traj):
    """'1000 steps from (-1.5, 2.5); lr=0.01, ...': the settings of a run, for a figure footer."""
    x, y = traj.start
    return (f"{traj.steps} steps from ({x:g}, {y:g}); hyperparameters in effect: "
            f"{settings.describe(traj.optimizer, traj.hyperparams)}; no gradient clipping, no noise")


def lr_text(trajs):
    """'lr 0.01 (Adadelta 1)': the most common lr of the runs, and the runs that differ from it by name."""
    lrs = [t.hyperparams["lr"] for t in trajs]
    common = max(set(lrs), key=lrs.count)
    other = [f"{spec_of(t).name} {settings.fmt(lr)}" for t, lr in zip(trajs, lrs) if lr != common]
    return f"lr {settings.fmt(common)}" + (f" ({', '.join(other)})" if other else "")


def settings_text(trajs):
    """The settings shared by runs of every optimizer from one start, for a figure footer."""
    x, y = trajs[0].start
    return (f"{trajs[0].steps} steps each from ({x:g}, {y:g}); {settings.SETTING_TEXT['common']}. "
            f"All other hyperparameters at their defaults; no clipping, no noise.")


def title(fig, text, size=8.5):
    """A title centred on the figure (not on an axes that a colour bar has narrowed)."""
    fig.text(0.5, 0.985, text, fontsize=size, ha="center", va="top", linespacing=1.4)


def footer(fig, text, y=0.01, size=7):
    fig.text(0.01, y, text, fontsize=size, ha="left", va="bottom", wrap=True, color="#333333")


# -------------------------------------------------------------------------------------------------- output ---
def clipped(fig):
    """The texts and legends of ``fig`` that stick out of it (by more than a pixel): nothing may be cut off."""
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    out = []
    artists = list(fig.texts) + list(fig.legends)
    for ax in fig.axes:
        artists += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label] + list(ax.texts)
        if ax.get_legend() is not None:
            artists.append(ax.get_legend())
    for a in artists:
        if not a.get_visible() or (hasattr(a, "get_text") and not a.get_text()):
            continue
        e = a.get_window_extent(renderer)
        if e.x0 < box.x0 - 1 or e.y0 < box.y0 - 1 or e.x1 > box.x1 + 1 or e.y1 > box.y1 + 1:
            out.append(a)
    return out


def palette(images, colors=256):
    """(colors x 3 uint8): ``EXACT_COLOURS`` first, then an adaptive (median cut) palette of ``images`` for the
    rest, so mapping to it keeps every registry colour exact (a median cut alone merges close colours)."""
    exact = [rgb(c) for c in EXACT_COLOURS]
    sample = Image.new("RGB", (max(im.width for im in images), sum(im.height for im in images)), "white")
    y = 0
    for im in images:
        sample.paste(im, (0, y))
        y += im.height
    adaptive = sample.quantize(colors=colors - len(exact), method=Image.Quantize.MEDIANCUT).getpalette()
    adaptive = np.array(adaptive[: 3 * (colors - len(exact))], dtype=np.uint8).reshape(-1, 3)
    return np.vstack([np.array(exact, dtype=np.uint8), adaptive])


def rgb(hex_colour):
    """'#0072B2' -> (0, 114, 178)."""
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def palette_mapper(pal):
    """A function mapping an RGB image to a 'P' image over ``pal``, each colour to the exactly nearest palette
    colour (Pillow's own mapping looks colours up on a coarse grid, which can move a registry colour to a
    neighbour). Colours seen once are remembered, so the frames of one GIF are mapped quickly."""
    p = pal.astype(np.int32)
    lut = np.zeros(1 << 24, dtype=np.uint8)
    known = np.zeros(1 << 24, dtype=bool)

    def apply(im):
        a = np.asarray(im.convert("RGB"), dtype=np.int32)
        code = (a[..., 0] << 16) | (a[..., 1] << 8) | a[..., 2]
        seen = np.zeros(1 << 24, dtype=bool)
        seen[code] = True
        new = np.flatnonzero(seen & ~known)
        for i in range(0, len(new), 4096):
            chunk = new[i:i + 4096]
            rgb_ = np.stack([chunk >> 16, (chunk >> 8) & 255, chunk & 255], axis=1)
            lut[chunk] = ((rgb_[:, None, :] - p[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        known[new] = True
        out = Image.fromarray(lut[code], "P")
        out.putpalette(pal.ravel().tolist())
        return out

    return apply


def quantise(images, colors=256):
    """``images`` (RGB) mapped to one shared palette that keeps the registry colours exact, without dithering."""
    apply = palette_mapper(palette(images, colors))
    return [apply(im) for im in images]


def rgb_image(fig):
    """The figure as last drawn on its canvas, as an RGB Pillow image."""
    return Image.fromarray(np.asarray(fig.canvas.buffer_rgba())[..., :3].copy())


def png_bytes(fig):
    """The figure as a palette PNG (small, registry colours exact). ValueError if a text or legend is cut off."""
    fig.canvas.draw()
    cut = clipped(fig)
    if cut:
        raise ValueError("cut off at the figure's edge: " + "; ".join(
            (a.get_text() if hasattr(a, "get_text") else type(a).__name__)[:60] for a in cut))
    buf = io.BytesIO()
    quantise([rgb_image(fig)])[0].save(buf, format="png", optimize=True)
    return buf.getvalue()


def save(fig, out):
    """Write ``fig`` to ``out`` as a palette PNG (see ``png_bytes``)."""
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(png_bytes(fig))


# -------------------------------------------------------------------------------------------------- losses ---
def loss_top(trajs):
    """The top of a log loss axis for runs from one start: 100 times the largest gap at the start, rounded up
    to a power of 10 (a diverging run goes further; it is drawn at the top and ends in a red cross)."""
    surface = surface_of(trajs[0])
    return 10.0 ** math.ceil(math.log10(max(float(gap(surface, [t.losses[0]])[0]) for t in trajs) * 100))


def clip_text(top):
    return f"values below {FLOOR:g}, and zeros, drawn at {FLOOR:g}; above {top:g} at {top:g}"


CONTEXT = "#c4c4c4"
CONTEXT_TEXT = "grey: the other optimizers' lowest loss so far"


def draw_loss(ax, traj, top, lw=1.3, zorder=3, label=None):
    """f(θ_k) − f* against step k on a log axis, clipped to [FLOOR, top]; a diverged run ends in a red cross."""
    y = np.clip(gap(surface_of(traj), traj.losses), FLOOR, top)
    ax.plot(np.arange(len(y)), y, color=spec_of(traj).color, lw=lw, zorder=zorder, label=label)
    if traj.outcome == "diverged":
        ax.plot(len(y) - 1, y[-1], "X", color=DIVERGED, mec="black", ms=8, zorder=zorder + 1)


def draw_context(ax, trajs, top):
    """The runs ``trajs`` as thin grey lines of their lowest loss so far (a running minimum never oscillates,
    so context lines cannot paint over the run in colour)."""
    for t in trajs:
        y = np.minimum.accumulate(np.clip(gap(surface_of(t), t.losses), FLOOR, top))
        ax.plot(np.arange(len(y)), y, color=CONTEXT, lw=0.8, zorder=2)


def loss_axes(ax, top, steps):
    ax.set_yscale("log")
    ax.set_ylim(FLOOR / 3, top * 3)
    ax.set_xlim(0, steps)
    ax.grid(True, which="major", alpha=0.3)
    ax.yaxis.set_major_locator(LogLocator(numticks=6))


def show_in_notebook():
    """In Jupyter, display every matplotlib Figure as ``png_bytes`` makes it (the palette PNG of the committed
    figures: small, registry colours exact, nothing cut off) instead of the inline backend's full-colour PNG."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, png_bytes)
