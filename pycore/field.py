"""The update field: from every point of a grid, the step an optimizer would take next with the state it has now.

After step k of a run the optimizer holds a state S_k and step k+1 will use the learning rate η_{k+1}. The
field asks the rule what that step would be from other points θ' with that very state:

    θ'_new = update(g(θ'), S_k, θ', η_{k+1}),   Δθ(θ') = θ'_new − θ',   g = ∇f (clipped as the run clips it),

next to the plain gradient step −η_{k+1}∇f(θ') with the same learning rate. For plain SGD the two are the same
step; any difference is what the optimizer's state (momentum, adaptive scaling) does to the gradient.

"Given its current state" means S_k, the state torch holds after step k (k = 0: before any step, the state
``init`` makes), by torch's names:

* SGD: none (its momentum buffer stays unset without momentum): Δθ = −η(∇f + λθ').
* Momentum, Nesterov: ``momentum_buffer`` b_k; at k = 0 there is none and torch's first step copies g.
* AdaGrad: ``sum`` of squared gradients and ``step`` (lr_decay divides by 1 + k·decay).
* RMSProp: ``square_avg``; ``grad_avg`` if centered; ``momentum_buffer`` with momentum; ``step``.
* Adadelta: ``square_avg`` and ``acc_delta``; ``step``.
* Adam, AdamW: ``exp_avg`` m, ``exp_avg_sq`` v (``max_exp_avg_sq`` with amsgrad) and ``step`` t = k, so the
  bias corrections are those of step k+1.
* NAdam: m, v, ``step`` and ``mu_product`` (the product of its momentum schedule so far).
* RAdam: m, v and ``step`` (rectified or not as step k+1 would be).
* Adamax: m, ``exp_inf`` u and ``step``.
* Lion: ``exp_avg`` m.

Entries that are per coordinate, (m_x, m_y), apply to each grid point's same coordinate: every point's x uses
m_x and its y uses m_y; counters and products are shared. That is the honest "what would it do from here"
because every rule is elementwise: coordinate i of the new point depends only on θ_i, g_i, entry i of the state
and shared scalars. The memory belongs to the parameter (the running average of x's gradient), not to a place,
so the field is exactly the step the optimizer would take if, after step k, it stood at θ' and saw the gradient
there. At the run's own point θ_k it is the run's step k+1, bit for bit (gradient noise and mini-batches aside:
the field uses the exact ∇f).

The grid goes through the rule as one parameter vector (x0, y0, x1, y1, ...) with the state tiled alike, in
one ``update`` call: each point gets the same float operations as a call of its own. A point where f or ∇f is
not finite, or whose update fails (0/0 with eps = 0, √ of a negative, an overflow) or is not finite, is left out
and counted: nothing non-finite is returned.
"""
from collections import namedtuple
import math

from .checks import check_whole
from .compare import clip_pairs, update_each
from .optimizers import resolve
from .schedules import get_schedule
from .surfaces import get_surface
from .trajectory import evaluate

Arrow = namedtuple("Arrow", "x y gx gy ux uy")
Arrow.__doc__ = "At (x, y): ∇f = (gx, gy) before any clipping, and the update Δθ = (ux, uy) the rule would take."

Field = namedtuple("Field", "step lr arrows no_gradient no_update")
Field.__doc__ = """The field of step ``step`` (1-based, with learning rate ``lr``): ``arrows`` has one entry per
point asked for, an Arrow or None where it was left out; ``no_gradient`` points were left out because f or ∇f
is not finite there, ``no_update`` because the update failed or is not finite."""


def tile(state, n):
    """A rule's state for one point, repeated for n points in lockstep: per-coordinate tuples (m_x, m_y) become
    (m_x, m_y, m_x, m_y, ...); scalars (step, mu_product) and unset entries (None) are shared."""
    return tuple(s * n if isinstance(s, tuple) else s for s in state)


def lr_of_step(traj, k):
    """The learning rate of step k (1-based) of ``traj``'s schedule, also past the run's last step."""
    if k <= len(traj.lrs):
        return traj.lrs[k - 1]
    return get_schedule(traj.schedule).lrs(traj.hyperparams["lr"], k)[k - 1]


def update_field(rule, state, lr, surface, points, *, max_grad_norm=None):
    """Field of one update: for each (x, y) in ``points`` the rule's step from there with ``state`` (one point's
    state, as a run holds it) and ``lr``, the gradient clipped to ``max_grad_norm`` as ``pycore.run`` clips it.
    Returns (arrows, no_gradient, no_update) as in ``Field``."""
    surf = get_surface(surface)
    arrows = [None] * len(points)
    ids, params, grads = [], [], []
    for i, (x, y) in enumerate(points):
        here = evaluate(surf, x, y)
        if here is not None:
            ids.append(i)
            params += (x, y)
            grads += here[1:]
    if not ids:
        return arrows, len(points), 0
    params, grads = tuple(params), tuple(grads)
    used = grads if max_grad_norm is None else clip_pairs(grads, max_grad_norm)
    state = tile(state, len(ids))
    try:
        new, _ = rule.update(used, state, params, lr)
    except (ArithmeticError, ValueError):
        new, _ = update_each(rule, used, state, params, lr)      # failed points come back as NaN
    isfinite, failed = math.isfinite, 0
    for j, i in enumerate(ids):
        x, y = params[2 * j], params[2 * j + 1]
        ux, uy = new[2 * j] - x, new[2 * j + 1] - y
        if isfinite(ux) and isfinite(uy):
            arrows[i] = Arrow(x, y, grads[2 * j], grads[2 * j + 1], ux, uy)
        else:
            failed += 1
    return arrows, len(points) - len(ids), failed


def next_step_field(traj, k, points, surface=None):
    """The field of step k+1 of ``traj`` over ``points``: its optimizer and hyperparameters, its state after
    step k (0 ≤ k ≤ the last point's index), the lr of step k+1 and its gradient clipping. ``surface``: the
    Surface the run used (default: ``traj.surface`` by key)."""
    k = check_whole("step", k, 0, len(traj.points) - 1)
    _, _, rule = resolve(traj.optimizer, traj.hyperparams)
    state = traj.states[k - 1] if k else rule.init(traj.points[0])
    lr = lr_of_step(traj, k + 1)
    arrows, no_gradient, no_update = update_field(rule, state, lr, traj.surface if surface is None else surface,
                                                  points, max_grad_norm=traj.max_grad_norm)
    return Field(k + 1, lr, arrows, no_gradient, no_update)
