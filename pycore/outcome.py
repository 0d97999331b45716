"""How a run ended, named for what it is, so a badge never calls a saddle "converged".

Five outcomes (``OUTCOMES``), decided from the run's final point and its recent path:

* ``"global"``: the final point is within ``tol`` of a global minimum of the surface;
* ``"local"``: within ``tol`` of another listed minimum;
* ``"stalled"``: away from every minimum, the iterate has stopped: for the last ``window(steps)`` steps it
  stayed within ``tol`` of where it ended, and it ended at a saddle point or a maximum (listed, or found by
  Newton's method from the end point within ``tol``) or where the gradient has vanished (‖∇f‖ ≤
  ``STALL_GRADIENT`` × the surface's typical gradient: a plateau or a flat valley of non-strict minima);
* ``"diverged"``: the run blew up (``pycore.trajectory.run`` says why);
* ``"budget"``: none of these when the steps ran out or early stopping ended the run (still moving, or crawling
  where the gradient is not small).

``settled_at`` is the first step from which every later point stays within ``tol`` of the final one: the
settling time (not the first time the path passed near a minimum). It is given for "global", "local" and
"stalled", and None otherwise. ``tol`` defaults to 0.01, smaller on a view narrower than 4 units
(``default_tol``).
"""
import functools
import math

from .stationary import classify as kind_of, refine

OUTCOMES = ("global", "local", "stalled", "diverged", "budget")
TOL = 0.01
STALL_GRADIENT = 1e-8
STALL_WINDOW = 0.1      # fraction of the steps taken...
STALL_MIN_STEPS = 10    # ...but at least this many


def default_tol(bounds):
    """0.01, or a quarter of a percent of the view's narrower side when that is smaller (a tiny custom view)."""
    (x0, x1), (y0, y1) = bounds
    return min(TOL, 0.0025 * min(x1 - x0, y1 - y0))


def window(steps):
    """How many final steps a stalled iterate must have stayed put."""
    return max(STALL_MIN_STEPS, math.ceil(STALL_WINDOW * steps))


def settled_at(points, tol):
    """The first index from which every point stays within ``tol`` of the last point."""
    xe, ye = points[-1]
    k = len(points) - 1
    while k > 0 and math.hypot(points[k - 1][0] - xe, points[k - 1][1] - ye) <= tol:
        k -= 1
    return k


@functools.lru_cache(maxsize=64)
def gradient_scale(surface):
    """The surface's typical gradient: the median ‖∇f‖ over a 21 × 21 grid of its view (1 if that is 0)."""
    (x0, x1), (y0, y1) = surface.bounds
    norms = []
    for j in range(21):
        for i in range(21):
            try:
                gx, gy = surface.grad(x0 + (x1 - x0) * i / 20, y0 + (y1 - y0) * j / 20)
                n = math.hypot(gx, gy)
            except (ArithmeticError, ValueError):
                continue
            if math.isfinite(n):
                norms.append(n)
    norms.sort()
    scale = norms[len(norms) // 2] if norms else 0.0
    return scale if scale > 0 else 1.0


def nearest(points, x, y):
    """(index, distance) of the point of ``points`` (records with .x, .y) closest to (x, y), or (None, inf)."""
    best, dist = None, math.inf
    for i, p in enumerate(points):
        d = math.hypot(p.x - x, p.y - y)
        if d < dist:
            best, dist = i, d
    return best, dist


def stationary_near(surface, x, y, tol):
    """("saddle point" | "maximum", (x, y)) for a listed saddle or maximum within ``tol`` of (x, y), or one that
    Newton's method finds there; None when the nearest stationary point is a minimum, is further away, or
    cannot be found (a singular Hessian)."""
    for kind, points in (("saddle point", surface.saddles), ("maximum", surface.maxima)):
        i, d = nearest(points, x, y)
        if i is not None and d <= tol:
            return kind, (points[i].x, points[i].y)
    try:
        px, py = refine(surface.grad, x, y)
        kind = kind_of(surface.grad, px, py)
    except (ArithmeticError, ValueError):
        return None
    if math.hypot(px - x, py - y) <= tol and kind in ("saddle", "max"):
        return ("saddle point" if kind == "saddle" else "maximum"), (px, py)
    return None


def _fmt(v):
    return f"{v:.3g}"


def classify(surface, points, grad, tol, steps, ended=None):
    """(outcome, settled_at, reached, reason) of a run that did not diverge: ``points`` is its path (start
    included), ``grad`` the gradient at the final point, ``steps`` the number of steps asked for; ``reached``
    indexes the surface's minimum the run ended at (None unless "global" or "local"). ``ended`` says why a run
    ended before its steps ran out (early stopping); "budget"'s reason then gives it instead."""
    x, y = points[-1]
    m, dist = nearest(surface.minima, x, y)
    settled = settled_at(points, tol)
    if m is not None and dist <= tol:
        kind = "global" if surface.minima[m].is_global else "local"
        return kind, settled, m, None
    still = len(points) - 1 - settled >= min(window(steps), len(points) - 1) and len(points) > 1
    if still:
        point = stationary_near(surface, x, y, tol)
        if point is not None:
            kind, (px, py) = point
            return "stalled", settled, None, f"stopped at a {kind} of f, ({_fmt(px)}, {_fmt(py)})"
        g = math.hypot(*grad)
        if g <= STALL_GRADIENT * gradient_scale(surface):
            return "stalled", settled, None, (f"stopped where the gradient has vanished (‖∇f‖ = {g:.2g}) at "
                                              f"({_fmt(x)}, {_fmt(y)}): a plateau or a flat valley, not a listed "
                                              f"minimum")
    where = f"{_fmt(dist)} from the nearest minimum" if m is not None else "this surface lists no minimum"
    return "budget", None, None, f"{ended or 'the steps ran out'} before it settled ({where})"
