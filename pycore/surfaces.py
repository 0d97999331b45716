"""Loss surfaces: one record per surface keeps f, its analytic gradient, bounds, minima and formula together.

Each ``f``/``grad`` pair is defined right above its record. Minima and saddle points are *computed*: the record
gives rough seeds and ``_surface`` polishes them with Newton's method on the analytic gradient
(``pycore.stationary``), then reads the value from ``f``; the tests check every one is stationary and of the
right kind.
"""
from collections import namedtuple
import math

from .stationary import refine

Minimum = namedtuple("Minimum", "x y value is_global")
Point = namedtuple("Point", "x y value")

_SURFACE_FIELDS = ("name", "f", "grad", "bounds", "key", "minima", "saddles", "starts", "latex", "tags",
                   "levels", "reference", "description", "computed")


class Surface(namedtuple("Surface", _SURFACE_FIELDS)):
    """A 2-D loss surface.

    f(x, y) -> float; grad(x, y) -> (df/dx, df/dy); bounds = ((xmin, xmax), (ymin, ymax)), the plotting view;
    minima: Minimum(x, y, value, is_global), every known one; saddles: Point(x, y, value); starts: suggested
    (x, y) starts, the first is the default; latex: the formula; tags: e.g. {"convex", "multimodal"};
    levels: "log" or "linear" contour spacing hint; computed: True when minima were found numerically
    (a user-defined surface) rather than from the record's seeds.

    ``Surface(name=..., f=..., grad=..., bounds=...)`` builds a user-defined surface.
    """
    __slots__ = ()

    def __new__(cls, name, f, grad, bounds, key=None, minima=(), saddles=(), starts=(), latex="",
                tags=frozenset(), levels="linear", reference="", description="", computed=False):
        (x0, x1), (y0, y1) = bounds
        if not (x0 < x1 and y0 < y1):
            raise ValueError(f"bounds must be ((xmin, xmax), (ymin, ymax)) with min < max, got {bounds!r}")
        if levels not in ("log", "linear"):
            raise ValueError(f"levels must be 'log' or 'linear', got {levels!r}")
        bounds = ((float(x0), float(x1)), (float(y0), float(y1)))
        if not starts:
            starts = ((x0 + 0.8 * (x1 - x0), y0 + 0.8 * (y1 - y0)),)
        return super().__new__(cls, name, f, grad, bounds, key or name, tuple(minima), tuple(saddles),
                               tuple(starts), latex, frozenset(tags), levels, reference, description, computed)

    @property
    def global_minima(self):
        return tuple(m for m in self.minima if m.is_global)


def _stationary(f, grad, seeds):
    pts = [refine(grad, x, y) for x, y in seeds]
    return [(x, y, f(x, y)) for x, y in pts]


def _minima(f, grad, seeds, exact=()):
    """Minimum records from Newton-polished seeds plus ``exact`` (x, y) points where Newton cannot apply
    (a non-smooth minimum); the lowest value(s) are global."""
    found = _stationary(f, grad, seeds) + [(x, y, f(x, y)) for x, y in exact]
    if not found:
        return ()
    low = min(v for _, _, v in found)
    tol = 1e-12 * max(1.0, abs(low))
    return tuple(Minimum(x, y, v, v <= low + tol) for x, y, v in found)


_SURFACES = []


def _surface(key, name, f, grad, bounds, *, minima, saddles=(), exact_minima=(), **meta):
    s = Surface(name, f, grad, bounds, key=key, minima=_minima(f, grad, minima, exact_minima),
                saddles=tuple(Point(*p) for p in _stationary(f, grad, saddles)), **meta)
    _SURFACES.append(s)
    return s


# --- Rosenbrock -------------------------------------------------------------------------------------------
def _rosenbrock(x, y, a=1.0, b=100.0):
    return (a - x) ** 2 + b * (y - x * x) ** 2


def _rosenbrock_grad(x, y, a=1.0, b=100.0):
    r = y - x * x
    return -2.0 * (a - x) - 4.0 * b * x * r, 2.0 * b * r


_surface("rosenbrock", "Rosenbrock", _rosenbrock, _rosenbrock_grad, ((-2.0, 2.0), (-1.0, 3.0)),
         minima=[(1.0, 1.0)], starts=[(-1.5, 2.5), (-1.0, 0.5), (1.5, -0.5)],
         latex=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2", tags={"non-convex", "valley", "unimodal"},
         levels="log", reference="H. H. Rosenbrock, The Computer Journal 3(3), 1960",
         description="A narrow curved valley: easy to reach, slow to follow to the minimum at (1, 1).")


SURFACES = {s.key: s for s in _SURFACES}


def get_surface(surface):
    """A Surface from a key or a Surface; ValueError for an unknown key."""
    if isinstance(surface, Surface):
        return surface
    try:
        return SURFACES[surface]
    except (KeyError, TypeError):
        raise ValueError(f"unknown surface {surface!r}; expected one of {', '.join(SURFACES)}") from None
