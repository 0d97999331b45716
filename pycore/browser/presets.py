"""Presets: a per-surface learning rate per optimizer, chosen by a rule the page shows, so a first look at any
surface is readable. Labelled as presets wherever they are in effect."""
import functools
import math

from ..optimizers import OPTIMIZERS
from ..specs import resolve_surface
from ..trajectory import run

PRESET_STEPS = 200
PRESET_LRS = tuple(float(f"{m}e{e}") for e in range(-6, 0) for m in (1, 2, 5)) + (1.0,)
PRESET_CACHE = 8
WINDING = 2.0   # a readable path is at most this many times longer than the straight line it covers


def preset_rule():
    """The rule behind ``preset``, in words for the page."""
    return (f"Preset: for each optimizer, the learning rate from the 1-2-5 grid {PRESET_LRS[0]:g} … "
            f"{PRESET_LRS[-1]:g} with the lowest loss after {PRESET_STEPS} steps from this surface's default "
            f"start, among the runs that stay in view and whose path is at most {WINDING:g} times as long as the "
            f"straight line from its start to its end (so the path reads as a path, not a tangle); every other "
            f"hyperparameter keeps torch's default.")


def readable(t, bounds):
    """The run stayed in the view and its path is at most ``WINDING`` times its start-to-end distance."""
    if t.outcome == "diverged":
        return False
    (x0, x1), (y0, y1) = bounds
    if not all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in t.points):
        return False
    length = sum(math.hypot(ux, uy) for ux, uy in t.updates)
    (sx, sy), (ex, ey) = t.points[0], t.points[-1]
    return length <= WINDING * math.hypot(ex - sx, ey - sy) + t.tol


@functools.lru_cache(maxsize=PRESET_CACHE)
def _preset(surf):
    start = surf.starts[0]
    out = {}
    for key in OPTIMIZERS:
        best = None
        for lr in PRESET_LRS:
            t = run(key, surf, start=start, steps=PRESET_STEPS, lr=lr)
            if readable(t, surf.bounds) and (best is None or t.losses[-1] < best[0]):
                best = (t.losses[-1], lr)
        out[key] = {"lr": best[1]} if best else None
    return out


def preset(spec):
    """{optimizer key: {"lr": value}} chosen by ``preset_rule()``; None for an optimizer no grid lr suits
    (the page keeps its current lr and says so). Cached for the last ``PRESET_CACHE`` surfaces."""
    return _preset(resolve_surface(spec))


def preset_cache_size():
    return _preset.cache_info().currsize
