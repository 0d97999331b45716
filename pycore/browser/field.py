"""The update field for the page: from each point of a grid over the view, the inspected optimizer's next step
with its state at the shown step (``pycore.field``), next to the plain gradient step −η∇f with the same η.

``field(traj, surface, step, nx, ny)`` is JSON-ready and bounded (at most ``MAX_SIDE`` × ``MAX_SIDE`` points
plus the run's own point). Both fields share one scale per frame (``scale``), stated on the page with its
numbers: an arrow's length is logarithmic in its size s, 1 + log10(s/T)/D of the full length, from the top T,
the optimizer's longest step Δθ, down to T/10^D, D being the powers of ten the arrows up to T span (1 to
``MAX_DECADES``). The optimizer's steps set the top so that their sizes are what the lengths show: a gradient
step −η∇f longer than T is drawn at full length and marked as longer, and any arrow shorter than T/10^D at the
shortest length, marked as shorter: no size is hidden.
"""
import math

from ..checks import check_whole
from ..compare import cell_centres
from ..field import next_step_field
from ..specs import resolve_surface

MAX_SIDE = 25
MAX_DECADES = 4


def _rows(f):
    """[x, y, −η∇f, Δθ] per arrow of Field ``f`` that is finite to draw, and how many failed each way."""
    rows, bad = [], 0
    isfinite, hypot = math.isfinite, math.hypot
    for a in f.arrows:
        if a is None:
            continue
        dx, dy = -f.lr * a.gx, -f.lr * a.gy
        if isfinite(hypot(dx, dy)) and isfinite(hypot(a.ux, a.uy)):
            rows.append([a.x, a.y, dx, dy, a.ux, a.uy])
        else:
            bad += 1
    return rows, f.no_gradient, f.no_update + bad


def scale(rows):
    """The frame's scale for ``rows`` ([x, y, −η∇f, Δθ] each): ``top`` T (the longest Δθ, or the longest −η∇f when
    every Δθ is 0), ``decades`` D, ``floor`` T/10^D, ``marks`` (T, T/10, ..., T/10^D for the page's key) and the
    longest arrow of each field."""
    hypot = math.hypot
    steps = [hypot(r[4], r[5]) for r in rows]
    grads = [hypot(r[2], r[3]) for r in rows]
    top = max(steps, default=0.0) or max(grads, default=0.0)
    out = {"top": top, "longest_update": max(steps, default=0.0), "longest_gradient_step": max(grads, default=0.0)}
    if top == 0:
        return {**out, "decades": 1, "floor": 0.0, "marks": []}
    low = min(s for s in steps + grads if 0 < s <= top)
    decades = min(MAX_DECADES, max(1, math.ceil(math.log10(top) - math.log10(low))))
    return {**out, "decades": decades, "floor": top / 10 ** decades,
            "marks": [top / 10 ** d for d in range(decades + 1)]}


def field(traj, surface, step, nx, ny):
    """The field of the step after point ``step`` (clamped to the run's last point, as the inspector does) on an
    ``nx`` × ``ny`` grid of cell centres over the view of ``surface`` (the run's surface spec).

    ``arrows``: per kept point [x, y, −η∇f (2 numbers), Δθ (2 numbers)]; ``here``: the same at the run's own
    point, or None (its actual next step when no gradient noise or mini-batches are on, which ``ignored``
    names: the field uses the exact ∇f); ``scale``: see ``scale``; ``left_out``: why points are missing, in
    words. ValueError in words for a bad grid or step.
    """
    nx = check_whole("field grid columns", nx, 2, MAX_SIDE)
    ny = check_whole("field grid rows", ny, 2, MAX_SIDE)
    k = check_whole("step", step, 0, traj.steps)
    i = min(k, len(traj.points) - 1)
    surf = resolve_surface(surface)
    try:
        grid = next_step_field(traj, i, cell_centres(surf.bounds, nx, ny), surf)
    except ValueError as e:                     # the schedule has no lr for the step after the run's last
        raise ValueError(f"there is no field after step {i}: {e}") from None
    arrows, no_gradient, no_update = _rows(grid)
    own = _rows(next_step_field(traj, i, [traj.points[i]], surf))[0]
    here = own[0] if own else None
    total = nx * ny
    left_out = [f"{n} of {total} points left out: {why}" for n, why in (
        (no_gradient, "f or its gradient is not a finite number there"),
        (no_update, "the step from there is not a finite number (torch would give NaN or infinity)")) if n]
    minibatch = getattr(traj, "minibatch", None)
    ignored = [name for name, on in (("gradient noise", traj.noise > 0),
                                     ("mini-batches", minibatch is not None and minibatch["steps_per_epoch"] > 1))
               if on]
    return {
        "optimizer": traj.optimizer, "step": i, "requested": k, "next": grid.step, "lr": grid.lr, "nx": nx,
        "ny": ny, "arrows": arrows, "here": here, "scale": scale(arrows + own), "left_out": left_out,
        "ignored": ignored,
    }
