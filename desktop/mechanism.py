"""The sizes of a run's steps, which direction-only pictures cannot show: how big a step each coordinate took
for the gradient it saw, and how that ratio, the effective learning rate, changed over the run.

Per coordinate i and step k (from the trajectory, so the same for every optimizer, nothing re-derived):

* step size |Δθ_i| against gradient size |g_i|: SGD's points lie on the line |Δθ| = η|g|; a method that
  normalises its step by its gradients' size (Adam, RMSProp, AdaGrad, Lion) lies near a flat line instead;
* effective learning rate η_i(k) = |Δθ_i| / |g_i|: constant η for SGD, shrinking as η/√(Σg²) for AdaGrad,
  η/√v̂ for Adam, inflated by the momentum buffer for Momentum (up to η/(1 − μ)).
"""
import textwrap

import matplotlib
import numpy as np
from matplotlib import cm, colors as mcolors

from . import draw

STEP_CMAP = "viridis"
ARRIVED = 1e-8  # a coordinate whose gradient fell below this fraction of its largest has arrived; not drawn


def sizes(traj):
    """(k, |g|, |Δθ|, uphill, shown): step numbers 1..n; gradient and step size per coordinate (n x 2 arrays);
    whether the coordinate moved along +g_i (against its own descent direction, e.g. carried by momentum);
    and which entries a figure draws: a nonzero step, taken before the coordinate's gradient fell below
    ``ARRIVED`` times its largest in the run (after that the coordinate has arrived and the ratio is rounding)."""
    g, u = np.array(traj.grads, dtype=float).reshape(-1, 2), np.array(traj.updates, dtype=float).reshape(-1, 2)
    ag, au = np.abs(g), np.abs(u)
    peak = ag.max(axis=0) if len(ag) else np.zeros(2)
    return np.arange(1, len(g) + 1), ag, au, g * u > 0, (ag >= ARRIVED * peak) & (ag > 0) & (au > 0)


def _loss_panel(ax, traj, every):
    top = draw.loss_top(every)
    draw.draw_context(ax, [o for o in every if o.optimizer != traj.optimizer], top)
    draw.draw_loss(ax, traj, top, label=draw.spec_of(traj).name)
    ax.plot([], [], color=draw.CONTEXT, label="the other optimizers (same start): lowest loss so far")
    draw.loss_axes(ax, top, traj.steps)
    ax.set(xlabel="step $k$", ylabel="$f(\\theta_k) - f^*$")
    ax.legend(fontsize=8, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False)
    ax.set_title("(a) loss against step, log scale", fontsize=9, loc="left")
    return top


def _size_panel(ax, traj, lr):
    """Step size against gradient size, one point per coordinate and step, coloured by step."""
    spec = draw.spec_of(traj)
    k, g, d, _, shown = sizes(traj)
    norm = mcolors.LogNorm(1, max(len(k), 2))
    cmap = matplotlib.colormaps[STEP_CMAP]
    marker = draw.MPL_MARKERS[spec.marker]
    for i, (name, filled) in enumerate((("x", True), ("y", False))):
        ok = shown[:, i]
        order = np.argsort(-k[ok])          # early steps drawn last, on top
        colours = cmap(norm(k[ok][order]))
        ax.scatter(g[ok, i][order], d[ok, i][order], s=16, marker=marker, linewidths=0.7, edgecolors=colours,
                   facecolors=colours if filled else "none", zorder=3)
        ax.plot([], [], marker=marker, ls="none", color="#444444", mfc=None if filled else "none",
                label=f"coordinate {name} ({'filled' if filled else 'hollow'}; colour: step)")
    if shown.any():
        gs = np.geomspace(g[shown].min() / 2, g[shown].max() * 2, 50)
        ax.plot(gs, lr * gs, color="black", ls="--", lw=0.9, label=r"$|\Delta\theta| = \eta|g|$ (SGD's step)")
    ax.axhline(lr, color="black", ls=":", lw=0.9, label=rf"$|\Delta\theta| = \eta$ = {lr:g}")
    ax.set(xscale="log", yscale="log", xlabel="gradient size $|g_i|$ at step $k$",
           ylabel=r"step size $|\Delta\theta_i|$ at step $k$")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7.5, loc="upper left")
    cb = ax.figure.colorbar(cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, pad=0.02)
    cb.set_label("step $k$", fontsize=8)
    ax.set_title("(b) step size against gradient size, per coordinate", fontsize=9, loc="left")


def _rate_panel(ax, traj, lr):
    """|Δθ_i| / |g_i| against step, one line per coordinate, with η for reference."""
    spec = draw.spec_of(traj)
    k, g, d, uphill, shown = sizes(traj)
    rates = [np.array([lr])]
    for i, (name, solid) in enumerate((("x", True), ("y", False))):
        ok = shown[:, i]
        rates.append(d[ok, i] / g[ok, i])
        ax.plot(k[ok], rates[-1], color=spec.color, lw=1.0, ls="-" if solid else "--",
                label=f"coordinate {name}: moved along $+g_{name}$ in {int(uphill[ok, i].sum())} of these steps")
    ax.axhline(lr, color="black", ls=":", lw=0.9, label=rf"$\eta$ = {lr:g} (SGD's value)")
    every = np.concatenate(rates)
    ax.set(xscale="log", yscale="log", xlabel="step $k$", ylim=(every.min() / 2, every.max() * 2),
           ylabel=r"effective learning rate $|\Delta\theta_i| / |g_i|$")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7.5, loc="best")
    ax.set_title("(c) effective learning rate per coordinate", fontsize=9, loc="left")


def steps_figure(traj, every):
    """Three panels for one run: its loss among the other optimizers' (``every``: runs from the same start),
    step size against gradient size per coordinate, and the effective learning rate per coordinate over time."""
    surface, spec = draw.surface_of(traj), draw.spec_of(traj)
    lr = traj.hyperparams["lr"]
    fig = draw.new_figure(11.0, 8.4)
    top = _loss_panel(fig.add_axes([0.08, 0.63, 0.86, 0.24]), traj, every)
    _size_panel(fig.add_axes([0.08, 0.14, 0.36, 0.4]), traj, lr)
    _rate_panel(fig.add_axes([0.58, 0.14, 0.36, 0.4]), traj, lr)
    fig.suptitle(f"{spec.name} on {surface.name} ({draw.formula(surface)}): how big its steps were\n"
                 f"{textwrap.fill(draw.outcome(traj), 120)}", fontsize=10)
    k, *_, shown = sizes(traj)
    hidden = shown.size - int(shown.sum())
    note = f"(a): {draw.clip_text(top)}."
    if hidden:
        note += (f" (b), (c): a coordinate's steps once its gradient is below {ARRIVED:g} of its largest in the run "
                 f"are not drawn (it has arrived; {hidden} of {shown.size} points).")
    draw.footer(fig, note + "\n" + textwrap.fill(draw.run_text(traj), 190))
    return fig
