"""The registries and surfaces for the page: optimizer and surface records, marker shapes, contour grids.

* ``catalog()``: optimizers, surfaces, schedules' step limits, marker shapes, outcome names, the preset rule.
* ``surface_record(spec)``: one surface to draw (built-in, custom or data), with its minima and saddles.
* ``surface_grid(spec)``: f sampled at cell centres plus the contour thresholds (log-spaced when the
  surface's ``levels`` hint is "log").
"""
import functools
import math

from ..datasets import DATASETS, steps_per_epoch
from ..expr import MAX_LENGTH
from ..hyperparams import to_json
from ..markers import MINIMUM_MARKERS, SHAPES
from ..optimizers import OPTIMIZERS
from ..outcome import OUTCOMES, default_tol
from ..specs import CUSTOM_KEY, data_spec, resolve_surface
from ..surfaces import SURFACES
from .presets import preset_rule

GRID = 121
GRID_CACHE = 8
LEVELS = 28
DEFAULT_STEPS = 300
MAX_STEPS = 2000
CUSTOM_DEFAULT = {"custom": "x**2 + 3*sin(y)", "bounds": [[-3.0, 3.0], [-3.0, 3.0]]}
SHORT_NAMES = {"linreg": "lin. regression", "logreg": "log. regression"}   # fit the surface menu
OUTCOME_TEXT = {
    "global": "ended at a global minimum",
    "local": "ended at another minimum",
    "stalled": "stalled away from every minimum (a saddle or a plateau)",
    "diverged": "diverged",
    "budget": "still on its way when the steps ran out",
}


def optimizer_record(spec):
    return {
        "key": spec.key, "name": spec.name, "color": spec.color, "marker": spec.marker,
        "hyperparams": [to_json(p) for p in spec.hyperparams], "fixed": dict(spec.fixed),
        "state_fields": list(spec.state_fields), "summary": spec.summary, "latex": spec.latex,
        "notes": spec.notes, "reference": spec.reference, "torch": spec.torch,
    }


def _surface(s):
    return {
        "key": s.key, "name": s.name, "bounds": [list(b) for b in s.bounds], "levels": s.levels,
        "minima": [{"x": m.x, "y": m.y, "value": m.value, "is_global": m.is_global} for m in s.minima],
        "saddles": [{"x": p.x, "y": p.y, "value": p.value} for p in s.saddles],
        "starts": [list(p) for p in s.starts], "latex": s.latex, "tags": sorted(s.tags),
        "description": s.description, "reference": s.reference, "computed": s.computed, "axes": ["x", "y"],
        "tol": default_tol(s.bounds),
    }


def surface_record(spec):
    """What the page needs to draw ``spec``'s surface: its record with ``computed`` (minima found numerically),
    ``axes`` (the axis names), ``tol`` (the outcome tolerance) and, for a dataset, ``data``: the spec's
    settings (batch size, seed, early stopping or None), ``n`` and ``n_val`` (training and validation set
    sizes; n is the largest batch), the parameters and the steps per epoch at the spec's batch size."""
    rec = _surface(resolve_surface(spec))
    key = spec["dataset"] if isinstance(spec, dict) and "dataset" in spec else spec
    if isinstance(key, str) and key in DATASETS:
        data = DATASETS[key]
        settings = data_spec(spec if isinstance(spec, dict) else {"dataset": key})
        n = len(data.train)
        rec["axes"] = list(data.params)
        rec["short"] = SHORT_NAMES[key]
        rec["data"] = {"early_stopping": None, **settings, "n": n, "n_val": len(data.val),
                       "params": list(data.params), "steps_per_epoch": steps_per_epoch(n, settings["batch_size"])}
    return rec


def catalog():
    """Registries for the page: optimizers and surfaces in display order, the data surfaces, the step-count
    limits, marker shapes, outcome names, the custom function's default and limits."""
    return {
        "optimizers": [optimizer_record(s) for s in OPTIMIZERS.values()],
        "surfaces": [_surface(s) for s in SURFACES.values()],
        "datasets": [surface_record(k) for k in DATASETS],
        "custom": {"key": CUSTOM_KEY, "default": CUSTOM_DEFAULT, "max_length": MAX_LENGTH},
        "steps": {"default": DEFAULT_STEPS, "min": 1, "max": MAX_STEPS},
        "markers": {name: [list(p) for p in pts] for name, pts in SHAPES.items()},
        "minimum_markers": dict(MINIMUM_MARKERS),
        "outcomes": [{"key": k, "text": OUTCOME_TEXT[k]} for k in OUTCOMES],
        "preset_rule": preset_rule(),
    }


def contour_levels(values, kind, floor, n=LEVELS):
    """``n`` increasing thresholds spanning the sampled values.

    "linear": evenly spaced between min and max. "log": ``base + d_k`` with d_k geometric from the
    smallest sampled f − base (at least (max − base)·1e-6) up to max − base, where ``base`` is the lowest known
    minimum value: equal ratios of the height above the minimum, which is what makes valleys like
    Rosenbrock's readable. Thresholds that round to the same value at 12 significant digits are dropped, so a
    nearly flat view never gets repeated labels. Every threshold is finite for finite values, even when max − min
    exceeds the float range (f from -1.7e308 to 1.7e308): spans are taken by halves, levels as weighted means.
    """
    lo, hi = min(values), max(values)
    if not hi > lo:
        return [lo]
    if kind == "linear":
        if math.isfinite(hi - lo):
            levels = [lo + (hi - lo) * (k + 0.5) / n for k in range(n)]
        else:
            levels = [lo * (1 - t) + hi * t for t in ((k + 0.5) / n for k in range(n))]
    else:
        base = min(lo, floor)
        top = hi - base
        if math.isfinite(top):
            low = max(lo - base, top * 1e-6)
            levels = [base + low * (top / low) ** (k / (n - 1)) for k in range(n)]
        else:                                         # by halves: base + 2·d_k, d_k up to (hi − base)/2
            top, low = hi / 2 - base / 2, max(lo / 2 - base / 2, (hi / 2 - base / 2) * 1e-6)
            levels = [base + d + d for d in (low * (top / low) ** (k / (n - 1)) for k in range(n))]
    out = []
    for v in levels:
        if not out or float(f"{v:.12g}") > float(f"{out[-1]:.12g}"):
            out.append(v)
    return out


def _grid(surf, nx, ny):
    (x0, x1), (y0, y1) = surf.bounds
    dx, dy = (x1 - x0) / nx, (y1 - y0) / ny
    f = surf.f
    xs = [x0 + (i + 0.5) * dx for i in range(nx)]
    values = []
    for j in range(ny):
        y = y0 + (j + 0.5) * dy
        for x in xs:
            try:
                values.append(f(x, y))
            except (ArithmeticError, ValueError):
                values.append(math.nan)
    return values


@functools.lru_cache(maxsize=GRID_CACHE)
def _surface_grid(surf, nx, ny):
    values = _grid(surf, nx, ny)
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        raise ValueError(f"{surf.name}: f is not a finite number at any of the {nx} × {ny} points where the plot "
                         f"samples the view (the centres of its cells), so there is nothing to draw; choose a view "
                         f"where f can be computed")
    top = max(finite)
    clipped = len(values) - len(finite)
    if clipped:
        values = [v if math.isfinite(v) else top for v in values]
    floor = min([m.value for m in surf.minima] + [min(finite)])
    return {"surface": surf.key, "nx": nx, "ny": ny, "bounds": [list(b) for b in surf.bounds], "values": values,
            "min": min(finite), "max": top, "clipped": clipped, "levels": surf.levels,
            "thresholds": contour_levels(values, surf.levels, floor)}


def surface_grid(spec, nx=GRID, ny=GRID):
    """f at the centres of an nx × ny grid of cells over the surface's bounds, row by row from the bottom.

    ``values[j*nx + i]`` is f(x0 + (i + ½)·dx, y0 + (j + ½)·dy): the convention of d3-contour, whose contour
    coordinate c maps back to x0 + c·dx. Non-finite samples (none on the shipped surfaces) are replaced by the
    largest finite one and counted in ``clipped``, so nothing non-finite reaches the view. Cached for the
    last ``GRID_CACHE`` surfaces.
    """
    return _surface_grid(resolve_surface(spec), nx, ny)


def check_drawable(spec):
    """ValueError (in words) unless the surface of ``spec`` can be drawn: the same grid the page draws, so a view
    the checks accept is never one the plot then refuses (a custom f finite only on the view's edge)."""
    surface_grid(spec)


def grid_cache_size():
    return _surface_grid.cache_info().currsize
