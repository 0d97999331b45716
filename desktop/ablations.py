"""Controlled comparisons: one thing changes, everything else (surface, start, steps, other hyperparameters)
stays as in the figures (``desktop.settings``' common lr). Each figure states what changed and what did not.

* ``adam_bias_correction``: Adam (exactly torch's) against the same rule without the bias correction,
  θ ← θ − η m/(√v + ε): pycore's ``bias_correction=False``, a teaching switch torch does not have.
* ``adam_l2_vs_adamw``: Adam with L2 in the gradient (g + λθ, then normalised by √v̂) against AdamW
  (θ ← θ(1 − ηλ) outside the normalised step), at the same λ, for several λ.
* ``momentum_sweep``: heavy-ball momentum with μ from 0 (plain SGD) to 0.99.
* ``momentum_nesterov_stability``: Momentum and Nesterov at learning rates just below and above their linear
  stability limits on the quadratic, ηh < 2(1 + μ) and ηh < 2(1 + μ)/(1 + 2μ), with h the largest curvature.
"""
import functools
import math
import textwrap

import numpy as np

import pycore
from pycore.stationary import hessian

from . import draw, settings

CORRECTION_SURFACE = "quadratic"
DECAY_SURFACE = "himmelblau"
DECAYS = (0.01, 0.1, 0.5)              # λ; 0.01 is AdamW's default
MOMENTA = (0.0, 0.5, 0.9, 0.99)
STABILITY_SURFACE = "quadratic"
LIMIT_FACTORS = (0.9, 1.1)              # learning rates at these multiples of each limit
EARLY = 200                             # step panels of the bias-correction and stability figures show these
STEP_WINDOW = (1e-2, 20.0)              # ... over this range of |Δθ_i|/η
ILLUSTRATION = "#222222"   # the colour of a run that is not a torch optimizer


def _path_axes(fig, surface, rect):
    ax = fig.add_axes(rect)
    draw.draw_surface(ax, surface, n=151, colorbar=False)
    ax.tick_params(labelsize=7)
    return ax


def _line(ax, traj, color, label, ls="-"):
    pts = np.array(traj.points)
    ax.plot(pts[:, 0], pts[:, 1], color=color, lw=1.5, ls=ls, label=label, zorder=6)
    ax.plot(*traj.points[0], "o", color="black", ms=5, zorder=7, label="start")


@functools.lru_cache(maxsize=4)
def correction_runs(steps):
    """(with, without): Adam from the quadratic's default start, and the same with pycore's teaching switch
    ``bias_correction=False`` (not a torch option)."""
    return (draw.trajectory("adam", CORRECTION_SURFACE, steps),
            draw.trajectory("adam", CORRECTION_SURFACE, steps, bias_correction=False))


def _first(traj):
    """|Δx| of the first step in units of η."""
    return abs(traj.updates[0][0]) / traj.hyperparams["lr"] if traj.updates else float("nan")


def _largest(traj):
    """The largest step of any coordinate in the first ``EARLY`` steps, in units of η."""
    if not traj.updates:
        return float("nan")
    return float(np.abs(np.array(traj.updates[:EARLY])).max() / traj.hyperparams["lr"])


def adam_bias_correction_caption(steps=settings.STEPS):
    exact, plain = correction_runs(steps)
    return (f"Adam with its bias correction (torch's rule) {draw.outcome(exact)}; without it (pycore's "
            f"bias_correction=False, an illustration: not a torch option) it {draw.outcome(plain)}. Its first step is "
            f"{_first(plain):.3g}η instead of {_first(exact):.3g}η, and its steps reach {_largest(plain):.3g}η in the "
            f"first {min(steps, EARLY)} (the corrected run: at most {_largest(exact):.3g}η).")


def adam_bias_correction(steps=settings.STEPS):
    """Adam with and without bias correction on the quadratic: paths, step sizes per coordinate, loss."""
    surface = pycore.SURFACES[CORRECTION_SURFACE]
    lr = settings.COMMON_LR
    exact, plain = correction_runs(steps)
    colour = pycore.OPTIMIZERS["adam"].color
    runs = ((exact, colour, "-", "Adam (= torch.optim.Adam)"),
            (plain, ILLUSTRATION, "--", "bias_correction=False (an illustration: not a torch option)"))
    fig = draw.new_figure(12.0, 5.6)
    ax = _path_axes(fig, surface, [0.05, 0.24, 0.27, 0.54])
    for t, c, ls, label in runs:
        _line(ax, t, c, label, ls)
    ax.set_title("paths from the same start", fontsize=9)
    a_step = fig.add_axes([0.39, 0.24, 0.27, 0.54])
    early = min(steps, EARLY)
    for t, c, ls, label in runs:
        d = np.abs(np.array(t.updates[:early])).reshape(-1, 2) / lr
        a_step.plot(np.arange(1, len(d) + 1), d[:, 0], color=c, ls=ls, lw=1.6)
        a_step.plot(np.arange(1, len(d) + 1), d[:, 1], color=c, ls=ls, lw=0.8)
    a_step.plot([], [], color="#666666", lw=1.6, label="coordinate x (thick)")
    a_step.plot([], [], color="#666666", lw=0.8, label="coordinate y (thin)")
    a_step.axhline(1.0, color="black", ls=":", lw=0.8, label=r"$|\Delta\theta_i| = \eta$")
    a_step.set(xscale="log", yscale="log", xlabel="step $k$", ylabel=r"$|\Delta\theta_i| / \eta$",
               xlim=(1, max(early, 2)), ylim=STEP_WINDOW)
    a_step.grid(True, alpha=0.3)
    a_step.legend(fontsize=7.5, loc="lower left")
    a_step.set_title(f"step per coordinate in units of η, first {early} steps\nfirst step {_first(exact):.3g}η against "
                     f"{_first(plain):.3g}η; largest {_largest(exact):.3g}η against {_largest(plain):.3g}η", fontsize=9)
    a_loss = fig.add_axes([0.74, 0.24, 0.24, 0.54])
    top = draw.loss_top([exact, plain])
    for t, c, ls, label in runs:
        y = np.clip(draw.gap(surface, t.losses), draw.FLOOR, top)
        a_loss.plot(np.arange(len(y)), y, color=c, ls=ls, lw=1.3, label=label)
    draw.loss_axes(a_loss, top, steps)
    a_loss.set(xlabel="step $k$", ylabel=r"$f(\theta_k) - f^*$")
    a_loss.set_title("loss (log scale)", fontsize=9)
    handles, labels = draw.legend_entries([ax])
    fig.legend(handles, labels, loc="upper center", ncol=len(labels), fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, 0.135))
    fig.suptitle(f"Adam with and without bias correction on {surface.name} ({draw.formula(surface)})\n"
                 f"with: {draw.outcome_short(exact)}; without: {draw.outcome_short(plain)}", fontsize=10)
    draw.footer(fig, textwrap.fill(
        f"Both: {steps} steps from ({exact.start[0]:g}, {exact.start[1]:g}); "
        f"{_others('adam', ('bias_correction',))}; no clipping, no noise. The dashed run is pycore's Adam with "
        "bias_correction=False, θ ← θ − η m/(√v + ε): an illustration, since torch always corrects.", 200))
    return fig


# --------------------------------------------------------------------------------------- L2 against AdamW ---
def _box(ax, half, view):
    """The square |x|, |y| = half, where it lies inside ``view``."""
    (x0, x1), (y0, y1) = view
    if half < max(abs(x0), abs(x1), abs(y0), abs(y1)):
        ax.plot([-half, half, half, -half, -half], [-half, -half, half, half, -half], color="black", ls=":",
                lw=1.0, zorder=4, label=r"$|x| = 1/\lambda$ and $|y| = 1/\lambda$")


def _others(key, skip):
    """The common-lr setting of ``key`` in effect, without the hyperparameters ``skip`` (those that vary)."""
    values = settings.in_effect(key, settings.overrides(key, "common"))
    return ", ".join(f"{k}={settings.fmt(v)}" for k, v in values.items() if k not in skip)


def _end(traj):
    x, y = traj.points[-1]
    return f"({x:.3g}, {y:.3g})"


@functools.lru_cache(maxsize=4)
def decay_runs(steps):
    """[(Adam + L2, AdamW)] from Himmelblau's default start, one pair per λ of ``DECAYS``."""
    return [(draw.trajectory("adam", DECAY_SURFACE, steps, weight_decay=lam),
             draw.trajectory("adamw", DECAY_SURFACE, steps, weight_decay=lam)) for lam in DECAYS]


def adam_l2_vs_adamw_caption(steps=settings.STEPS):
    parts = [f"at λ = {lam:g}, Adam + L2 ends at {_end(c)} ({draw.outcome_short(c)}) and AdamW at {_end(d)} "
             f"({draw.outcome_short(d)})" for lam, (c, d) in zip(DECAYS, decay_runs(steps))]
    return (f"Adam with L2 in the gradient against AdamW at the same weight decay λ on "
            f"{pycore.SURFACES[DECAY_SURFACE].name}, {steps} steps, lr {settings.COMMON_LR:g}: " + "; ".join(parts) + ".")


def adam_l2_vs_adamw(steps=settings.STEPS):
    """Adam + L2 (coupled, in the gradient) against AdamW (decoupled) at the same λ, one panel per λ."""
    surface = pycore.SURFACES[DECAY_SURFACE]
    fig = draw.new_figure(12.0, 5.9)
    adam, adamw = pycore.OPTIMIZERS["adam"], pycore.OPTIMIZERS["adamw"]
    axes = []
    for i, (lam, (coupled, decoupled)) in enumerate(zip(DECAYS, decay_runs(steps))):
        ax = _path_axes(fig, surface, [0.05 + i * 0.32, 0.2, 0.27, 0.56])
        _box(ax, 1 / lam, surface.bounds)
        draw.draw_path(ax, coupled, label=r"Adam, L2 in the gradient: $g + \lambda\theta$, then $\div\sqrt{\hat v}$")
        draw.draw_path(ax, decoupled, label=r"AdamW: $\theta \leftarrow \theta(1 - \eta\lambda)$, outside the division")
        ax.set_title(f"λ = {lam:g}\n{adam.name} + L2: {draw.outcome_short(coupled)}, at {_end(coupled)}\n"
                     f"{adamw.name}: {draw.outcome_short(decoupled)}, at {_end(decoupled)}", fontsize=8.5)
        axes.append(ax)
    handles, labels = draw.legend_entries(axes)
    fig.legend(handles, labels, loc="upper center", ncol=3, fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.14))
    fig.suptitle(f"Adam + L2 against AdamW at the same weight decay λ on {surface.name} ({draw.formula(surface)})",
                 fontsize=10)
    draw.footer(fig, textwrap.fill(
        f"Each: {steps} steps from ({surface.starts[0][0]:g}, {surface.starts[0][1]:g}); "
        f"{_others('adam', ('weight_decay', 'decoupled_weight_decay'))}; no clipping, no noise. Only weight_decay and "
        "where it acts differ. The dotted square marks |x|, |y| = 1/λ where it is in view.", 200))
    return fig


# --------------------------------------------------------------------------------------- momentum sweep ---
@functools.lru_cache(maxsize=4)
def sweep_runs(steps):
    """Momentum from the quadratic's default start, one run per μ of ``MOMENTA``."""
    return [draw.trajectory("momentum", "quadratic", steps, momentum=mu) for mu in MOMENTA]


def momentum_sweep_caption(steps=settings.STEPS):
    parts = [f"μ = {mu:g}{' (plain SGD)' if mu == 0 else ''}: {draw.outcome_short(t)}"
             for mu, t in zip(MOMENTA, sweep_runs(steps))]
    return (f"Momentum with μ from 0 to {MOMENTA[-1]:g} on the {pycore.SURFACES['quadratic'].name.lower()}, "
            f"{steps} steps, lr {settings.COMMON_LR:g}: " + "; ".join(parts) + ".")


def momentum_sweep(steps=settings.STEPS):
    """Heavy-ball momentum with μ in ``MOMENTA`` on the quadratic: path and loss per μ (μ = 0 is SGD)."""
    surface = pycore.SURFACES["quadratic"]
    runs = sweep_runs(steps)
    fig = draw.new_figure(12.0, 7.4)
    top = draw.loss_top(runs)
    base = pycore.OPTIMIZERS["momentum"]
    for i, (mu, t) in enumerate(zip(MOMENTA, runs)):
        ax = _path_axes(fig, surface, [0.05 + i * 0.235, 0.5, 0.2, 0.33])
        draw.draw_path(ax, t, ms=4, lw=1.3)
        ax.set_title(f"μ = {mu:g}{' (plain SGD)' if mu == 0 else ''}\n{draw.outcome_short(t)}", fontsize=9)
        if i:
            ax.set_ylabel("")
            ax.tick_params(labelleft=False)
        a_loss = fig.add_axes([0.05 + i * 0.235, 0.13, 0.2, 0.27])
        draw.draw_context(a_loss, [o for o in runs if o is not t], top)
        draw.draw_loss(a_loss, t, top)
        draw.loss_axes(a_loss, top, steps)
        a_loss.tick_params(labelsize=7, labelleft=i == 0)
        a_loss.set_xlabel("step $k$", fontsize=8)
        if i == 0:
            a_loss.set_ylabel(r"$f(\theta_k) - f^*$", fontsize=8)
    fig.suptitle(f"{base.name}: the momentum factor μ from 0 to {MOMENTA[-1]:g} on {surface.name} "
                 f"({draw.formula(surface)})\nabove: the path; below: the loss (grey: the other values' lowest loss so far)",
                 fontsize=10)
    draw.footer(fig, textwrap.fill(
        f"Each: {steps} steps from ({surface.starts[0][0]:g}, {surface.starts[0][1]:g}); "
        f"{_others('momentum', ('momentum',))}; no clipping, no noise. Only μ differs. "
        f"Loss: log scale, {draw.clip_text(top)}.", 200))
    return fig


# ------------------------------------------------------------------------------------ stability limits ---
def curvature(surface):
    """(h, v): the largest Hessian eigenvalue at the surface's global minimum and its unit eigenvector."""
    m = surface.global_minima[0]
    h = np.array(hessian(surface.grad, m.x, m.y))
    values, vectors = np.linalg.eigh(h)
    return float(values[-1]), vectors[:, -1]


def stability_limits(h, mu=0.9):
    """The largest stable lr on a quadratic of curvature h: {"momentum": 2(1 + μ)/h, "nesterov": 2(1 + μ)/((1 +
    2μ) h)} (linear stability of torch's heavy-ball and Nesterov updates)."""
    return {"momentum": 2 * (1 + mu) / h, "nesterov": 2 * (1 + mu) / ((1 + 2 * mu) * h)}


@functools.lru_cache(maxsize=4)
def stability_runs(steps):
    """(μ, h, v, limits, cases): Momentum's default μ, the quadratic's largest curvature h and its direction v,
    both limits, and per lr [(lr, factor, whose limit, {key: run})] at ``LIMIT_FACTORS`` times each limit."""
    mu = settings.in_effect("momentum", {})["momentum"]
    h, v = curvature(pycore.SURFACES[STABILITY_SURFACE])
    limits = stability_limits(h, mu)
    cases = [(f * limits[whose], f, whose, {key: draw.trajectory(key, STABILITY_SURFACE, steps, lr=f * limits[whose])
                                           for key in ("momentum", "nesterov")})
             for whose in ("nesterov", "momentum") for f in LIMIT_FACTORS]
    return mu, h, v, limits, cases


def _stable(traj):
    if traj.outcome == "diverged":
        return f"diverged at step {len(traj.points)}"
    return f"no divergence in {traj.steps} steps"


def momentum_nesterov_stability_caption(steps=settings.STEPS):
    mu, h, _, limits, cases = stability_runs(steps)
    parts = [f"at lr {lr:.3g} ({f:g} × {pycore.OPTIMIZERS[whose].name}'s limit), Momentum: {_stable(runs['momentum'])}; "
             f"Nesterov: {_stable(runs['nesterov'])}" for lr, f, whose, runs in cases]
    return (f"On the {pycore.SURFACES[STABILITY_SURFACE].name.lower()} (largest curvature h = {h:.4g}, μ = {mu:g}) "
            f"Momentum is stable for lr < 2(1 + μ)/h = {limits['momentum']:.4g} and Nesterov for lr < 2(1 + μ)/((1 + "
            f"2μ)h) = {limits['nesterov']:.4g}. " + ". ".join(p[0].upper() + p[1:] for p in parts) + ".")


def momentum_nesterov_stability(steps=settings.STEPS):
    """Momentum and Nesterov on the quadratic at lrs just below and above each one's stability limit: the
    distance from the minimum along the stiffest direction, per step (log scale)."""
    surface = pycore.SURFACES[STABILITY_SURFACE]
    mu, h, v, limits, cases = stability_runs(steps)
    m = surface.global_minima[0]
    fig = draw.new_figure(12.0, 5.2)
    top = 10.0 ** math.ceil(math.log10(2 * max(abs(b) for b in surface.bounds[0] + surface.bounds[1])) + 1)
    for i, (lr, factor, whose, runs) in enumerate(cases):
        ax = fig.add_axes([0.06 + i * 0.235, 0.2, 0.2, 0.54])
        words = []
        for key, t in runs.items():
            dist = np.clip(np.abs((np.array(t.points) - (m.x, m.y)) @ v), draw.FLOOR, top)
            spec = pycore.OPTIMIZERS[key]
            ax.plot(np.arange(len(dist)), dist, color=spec.color, lw=1.1, label=spec.name)
            if t.outcome == "diverged":
                ax.plot(len(dist) - 1, dist[-1], "X", color=draw.DIVERGED, mec="black", ms=8, zorder=5)
            words.append(f"{spec.name}: {_stable(t)}")
        ax.set(yscale="log", ylim=(draw.FLOOR / 3, top * 3), xlim=(0, min(steps, EARLY)), xlabel="step $k$")
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=7, labelleft=i == 0)
        if i == 0:
            ax.set_ylabel("distance from the minimum\nalong the stiffest direction", fontsize=8)
        ax.set_title(f"lr = {lr:.3g} = {factor:g} × {pycore.OPTIMIZERS[whose].name}'s limit\n" + "\n".join(words),
                     fontsize=8.5)
        if i == 0:
            ax.legend(fontsize=8, loc="lower left")
    fig.suptitle(f"Momentum and Nesterov near their stability limits on {surface.name} ({draw.formula(surface)}), "
                 f"μ = {mu:g}\nlargest curvature h = {h:.4g}: Momentum is stable for lr < 2(1 + μ)/h = "
                 f"{limits['momentum']:.4g}, Nesterov for lr < 2(1 + μ)/((1 + 2μ)h) = {limits['nesterov']:.4g}",
                 fontsize=10)
    draw.footer(fig, textwrap.fill(
        f"Each: {steps} steps from ({surface.starts[0][0]:g}, {surface.starts[0][1]:g}); "
        f"{_others('momentum', ('lr',))}; no clipping, no noise. Only the lr differs. Shown: the first "
        f"{min(steps, EARLY)} steps. Log scale: distances below {draw.FLOOR:g} drawn at {draw.FLOOR:g}, "
        f"above {top:g} at {top:g}; red cross: diverged (pycore stops a run that leaves the view by 10 widths).", 200))
    return fig


# name: (figure, caption, the optimizer page it sits on)
ABLATIONS = {"adam_bias_correction": (adam_bias_correction, adam_bias_correction_caption, "adam"),
             "adam_l2_vs_adamw": (adam_l2_vs_adamw, adam_l2_vs_adamw_caption, "adamw"),
             "momentum_sweep": (momentum_sweep, momentum_sweep_caption, "momentum"),
             "momentum_nesterov_stability": (momentum_nesterov_stability, momentum_nesterov_stability_caption,
                                             "nesterov")}
TITLES = {"adam_bias_correction": "Adam with and without bias correction",
          "adam_l2_vs_adamw": "Adam + L2 against AdamW at the same λ",
          "momentum_sweep": "the momentum factor μ",
          "momentum_nesterov_stability": "Momentum and Nesterov near their stability limits"}


def figure(name, steps=settings.STEPS):
    """The ablation figure ``name`` (a key of ``ABLATIONS``) with ``steps`` steps per run."""
    return ABLATIONS[name][0](steps)


def caption(name, steps=settings.STEPS):
    """What the ablation ``name`` shows, in words and numbers from its runs."""
    return ABLATIONS[name][1](steps)


def on_page(key):
    """The ablations the optimizer page ``key`` shows."""
    return [name for name, (_, _, page) in ABLATIONS.items() if page == key]
