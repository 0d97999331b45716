"""Marker shapes as data: one closed polygon per name, shared by the page (SVG) and the figures (matplotlib), so
a shape is drawn the same everywhere. Vertices are in a unit box around (0, 0), y pointing up.

Minima and saddles have their own shapes (``MINIMUM_MARKERS``); no optimizer uses one of them, so a dot on
the plot is never mistaken for a minimum.
"""
import math

MINIMUM_MARKERS = {"global": "star", "local": "circle", "saddle": "x"}


def _round(points):
    return tuple((round(x, 4), round(y, 4)) for x, y in points)


def _regular(n, r=1.0, start=90.0, inner=None):
    """An n-gon (or an n-pointed star with ``inner`` radius) with its first vertex at angle ``start`` degrees."""
    count = 2 * n if inner else n
    pts = []
    for i in range(count):
        a = math.radians(start + 360.0 * i / count)
        rr = inner if inner and i % 2 else r
        pts.append((rr * math.cos(a), rr * math.sin(a)))
    return _round(pts)


def _scaled(points, sx, sy):
    return _round((x * sx, y * sy) for x, y in points)


def _rotated(points, degrees):
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return _round((x * c - y * s, x * s + y * c) for x, y in points)


_T = 0.36   # half the thickness of the plus and wye arms
_PLUS = ((-_T, 1), (_T, 1), (_T, _T), (1, _T), (1, -_T), (_T, -_T), (_T, -1), (-_T, -1), (-_T, -_T), (-1, -_T),
         (-1, _T), (-_T, _T))


def _wye():
    """Three thick arms pointing up, lower right and lower left, joined at the centre."""
    t = 0.27
    inner = t / math.sin(math.radians(60.0))
    pts = []
    for a in (90.0, -30.0, -150.0):
        pts.extend(_rotated(((-t, 1.1), (t, 1.1)), a - 90.0))
        r = math.radians(a - 60.0)
        pts.append((inner * math.cos(r), inner * math.sin(r)))
    return _round(pts)


SHAPES = {
    "square": ((-0.85, -0.85), (0.85, -0.85), (0.85, 0.85), (-0.85, 0.85)),
    "triangle-up": _regular(3, 1.15, 90.0),
    "triangle-down": _regular(3, 1.15, -90.0),
    "triangle-left": _regular(3, 1.15, 180.0),
    "triangle-right": _regular(3, 1.15, 0.0),
    "diamond": _regular(4, 1.15, 90.0),
    "thin-diamond": _scaled(_regular(4, 1.2, 90.0), 0.62, 1.0),
    "pentagon": _regular(5, 1.05, 90.0),
    "hexagon": _regular(6, 1.0, 90.0),
    "plus": _PLUS,
    "hourglass": ((-0.9, 1.0), (0.9, 1.0), (0.12, 0.0), (0.9, -1.0), (-0.9, -1.0), (-0.12, 0.0)),
    "wye": _wye(),
    "star": _regular(5, 1.3, 90.0, inner=0.55),
    "circle": _regular(24, 1.0, 90.0),
    "x": _rotated(_PLUS, 45.0),
}
