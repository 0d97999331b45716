"""Input checks shared by every entry point: each returns the normalised value or raises ValueError saying
what was expected and what was given, before anything runs."""
import math


def check_bounds(bounds):
    """((xmin, xmax), (ymin, ymax)) as finite floats with min < max."""
    try:
        (x0, x1), (y0, y1) = bounds
        x0, x1, y0, y1 = (float(v) for v in (x0, x1, y0, y1))
    except (TypeError, ValueError):
        raise ValueError(f"bounds must be ((xmin, xmax), (ymin, ymax)) numbers, got {bounds!r}") from None
    if not all(math.isfinite(v) for v in (x0, x1, y0, y1)):
        raise ValueError(f"bounds must be finite, got {bounds!r}")
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"bounds must be ((xmin, xmax), (ymin, ymax)) with xmin < xmax and ymin < ymax, got {bounds!r}")
    return (x0, x1), (y0, y1)


def check_start(start):
    """A finite (x, y) pair of floats."""
    try:
        x, y = (float(v) for v in start)
    except (TypeError, ValueError):
        raise ValueError(f"start must be a pair of numbers (x, y), got {start!r}") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f"start must be finite, got {start!r}")
    return x, y


def check_whole(name, v, low, high=math.inf):
    """An int (not a bool) in [low, high]."""
    if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
        raise ValueError(f"{name} must be a whole number in [{low}, {'inf)' if high == math.inf else f'{high}]'}, "
                         f"got {v!r}")
    return v


def lookup(registry, value, kind, record_type):
    """A registry record from its key, or ``value`` itself when it already is one; ValueError for an unknown
    key naming the ``kind`` and the keys there are."""
    if isinstance(value, record_type):
        return value
    try:
        return registry[value]
    except (KeyError, TypeError):
        raise ValueError(f"unknown {kind} {value!r}; expected one of {', '.join(registry)}") from None
