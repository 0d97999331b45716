"""Runs: an optimizer on a surface from a start, exactly N steps, every step recorded.

``run`` validates everything before the first step, never raises on a run that blows up, and never hands a
NaN to the caller: a non-finite loss, gradient or iterate, or an iterate more than ``ESCAPE_SPANS`` view widths
outside the surface's bounds, ends the run with ``status == "diverged"``, keeping the last finite point.
"""
from collections import namedtuple
import math
import random

from .checks import check_start, check_whole
from .optimizers import resolve
from .surfaces import get_surface
from .schedules import get_schedule

ESCAPE_SPANS = 10.0

_FIELDS = ("optimizer", "surface", "start", "steps", "points", "losses", "grads", "updates", "states",
           "state_fields", "lrs", "hyperparams", "schedule", "noise", "seed", "max_grad_norm", "status", "reason",
           "converged_at", "reached", "tol", "grad_tol")


class Trajectory(namedtuple("Trajectory", _FIELDS)):
    """One run. ``points[0]`` is the start; step k (1-based) used ``grads[k-1]`` at ``points[k-1]`` with
    learning rate ``lrs[k-1]``, moved by ``updates[k-1]`` to ``points[k]`` and left ``states[k-1]``.
    ``losses[i]`` is f at ``points[i]``. ``status`` is "converged" (some point within ``tol`` of a listed
    minimum or with a gradient norm below ``grad_tol``; ``converged_at`` is the first such index),
    "max_steps" or "diverged" (``reason`` says why). ``reached`` indexes the surface's minimum the final
    point lies within ``tol`` of, or is None.
    """
    __slots__ = ()

    def to_dict(self):
        """JSON-ready: lists of [x, y], per-step state dicts by torch's state names, effective step sizes."""
        fields = self.state_fields
        states = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in zip(fields, s) if v is not None}
                  for s in self.states]
        return {
            "optimizer": self.optimizer, "surface": self.surface, "start": list(self.start),
            "steps": self.steps, "points": [list(p) for p in self.points], "losses": list(self.losses),
            "grads": [list(g) for g in self.grads], "updates": [list(u) for u in self.updates],
            "states": states, "effective_lr": [effective_lr(g, u) for g, u in zip(self.grads, self.updates)], "lrs": list(self.lrs),
            "hyperparams": {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.hyperparams.items()},
            "schedule": self.schedule, "noise": self.noise, "seed": self.seed,
            "max_grad_norm": self.max_grad_norm, "status": self.status,
            "reason": self.reason, "converged_at": self.converged_at, "reached": self.reached,
            "tol": self.tol, "grad_tol": self.grad_tol,
        }


def effective_lr(grad, update):
    """‖Δθ‖ / ‖g‖: the step size the optimizer actually took per unit of gradient (None if g = 0)."""
    gn = math.hypot(*grad)
    return math.hypot(*update) / gn if gn > 0 else None


def start_on(surf, start):
    """A checked start on ``surf``: (x, y, f, gx, gy), or ValueError if f or its gradient is not finite there."""
    x, y = check_start(start)
    loss = surf.f(x, y)
    gx, gy = surf.grad(x, y)
    if not (math.isfinite(loss) and math.isfinite(gx) and math.isfinite(gy)):
        raise ValueError(f"{surf.name}: f or its gradient is not finite at the start ({x!r}, {y!r})")
    return x, y, loss, gx, gy


def minimum_finder(minima, tol):
    """point -> index of a minimum within ``tol`` (Euclidean), or None.

    Each minimum is filed under the 3 x 3 grid cells of size ``tol`` around it, so a query is one lookup.
    """
    cells = {}
    for i, m in enumerate(minima):
        cx, cy = math.floor(m.x / tol), math.floor(m.y / tol)
        for key in [(cx + a, cy + b) for a in (-1, 0, 1) for b in (-1, 0, 1)]:
            cells.setdefault(key, []).append(i)
    hypot, floor = math.hypot, math.floor

    def find(x, y):
        for k in cells.get((floor(x / tol), floor(y / tol)), ()):
            if hypot(x - minima[k].x, y - minima[k].y) <= tol:
                return k
        return None
    return find


def run(optimizer, surface, start=None, steps=100, *, schedule=None, noise=0.0, seed=0, max_grad_norm=None,
        tol=1e-3, grad_tol=1e-8, **hyperparams):
    """Run ``optimizer`` (key or spec) on ``surface`` (key or Surface) for exactly ``steps`` steps.

    ``hyperparams`` use torch's names; missing ones take torch's defaults. ``schedule`` is a schedule spec
    (see ``pycore.schedules``) applied to ``lr``. ``noise`` adds N(0, noise²) to each gradient coordinate,
    drawn from ``random.Random(seed)``, so stochastic runs are reproducible. ``max_grad_norm`` clips the
    (noisy) gradient as ``torch.nn.utils.clip_grad_norm_`` does: g ← g · c/(‖g‖ + 1e-6) when that factor is
    below 1. It is off unless asked for, and recorded in the trajectory. Raises ValueError for bad input
    (before any step); a run that blows up returns with ``status == "diverged"`` instead.
    """
    spec, values, rule = resolve(optimizer, **hyperparams)
    surf = get_surface(surface)
    x, y = check_start(surf.starts[0] if start is None else start)
    check_whole("steps", steps, 0)
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not noise >= 0 or noise == math.inf:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if max_grad_norm is not None and (isinstance(max_grad_norm, bool) or not isinstance(max_grad_norm, (int, float))
                                      or not 0 < max_grad_norm < math.inf):
        raise ValueError(f"max_grad_norm must be a positive number or None, got {max_grad_norm!r}")
    for name, v in (("tol", tol), ("grad_tol", grad_tol)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < math.inf:
            raise ValueError(f"{name} must be a positive number, got {v!r}")
    sched = get_schedule(schedule)
    lrs = sched.lrs(values["lr"], steps)

    f, grad, update = surf.f, surf.grad, rule.update
    x, y, loss, gx, gy = start_on(surf, (x, y))

    (bx0, bx1), (by0, by1) = surf.bounds
    span = ESCAPE_SPANS * max(bx1 - bx0, by1 - by0)
    lo_x, hi_x, lo_y, hi_y = bx0 - span, bx1 + span, by0 - span, by1 + span
    near = minimum_finder(surf.minima, tol)
    gauss = random.Random(seed).gauss if noise else None

    points, losses, grads, updates, states = [(x, y)], [loss], [], [], []
    state = rule.init((x, y))
    status, reason, converged_at = "max_steps", None, None
    if near(x, y) is not None or math.hypot(gx, gy) < grad_tol:
        converged_at = 0
    isfinite, hypot = math.isfinite, math.hypot
    for k in range(steps):
        if gauss is not None:
            gx, gy = gx + noise * gauss(0.0, 1.0), gy + noise * gauss(0.0, 1.0)
        if max_grad_norm is not None:
            coef = max_grad_norm / (hypot(gx, gy) + 1e-6)
            if coef < 1.0:
                gx, gy = gx * coef, gy * coef
        (nx, ny), state = update((gx, gy), state, (x, y), lrs[k])
        if not (lo_x <= nx <= hi_x and lo_y <= ny <= hi_y):  # also catches NaN: comparisons are False
            reason = (f"step {k + 1}: the iterate became ({nx!r}, {ny!r})" if not (isfinite(nx) and isfinite(ny))
                      else f"step {k + 1}: the iterate ({nx:.4g}, {ny:.4g}) left the surface's region by more "
                           f"than {ESCAPE_SPANS:g} view widths")
            status = "diverged"
            break
        loss = f(nx, ny)
        ngx, ngy = grad(nx, ny)
        if not (isfinite(loss) and isfinite(ngx) and isfinite(ngy)):
            reason = f"step {k + 1}: f or its gradient overflowed at ({nx:.4g}, {ny:.4g})"
            status = "diverged"
            break
        grads.append((gx, gy))
        updates.append((nx - x, ny - y))
        states.append(state)
        x, y, gx, gy = nx, ny, ngx, ngy
        points.append((x, y))
        losses.append(loss)
        if converged_at is None and (hypot(gx, gy) < grad_tol or near(x, y) is not None):
            converged_at = k + 1
    if status != "diverged" and converged_at is not None:
        status = "converged"
    return Trajectory(spec.key, surf.key, points[0], steps, points, losses, grads, updates, states,
                      spec.state_fields, lrs[:len(grads)], values, sched.spec, float(noise), seed, max_grad_norm, status,
                      reason, converged_at, near(x, y), tol, grad_tol)
