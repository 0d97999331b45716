"""Hyperparameter specs and their validation.

A ``HyperParam`` says what a value means (symbol, doc), what torch accepts (the valid interval), and how the
page should offer it (slider range and scale). ``validate`` turns user keyword arguments into the complete
dict of values in effect, or raises ``ValueError`` naming the parameter and the allowed range before any step
runs.
"""
from collections import namedtuple
import math
import numbers

INF = math.inf

HyperParam = namedtuple(
    "HyperParam",
    "name symbol default kind low high low_open high_open ui_low ui_high scale doc",
)
HyperParam.__doc__ = """One hyperparameter.

kind: "float", "bool" or "pair" (two floats, like torch's ``betas``).
low/high with low_open/high_open: the interval torch accepts (for "pair", each element).
ui_low/ui_high/scale ("log" or "linear"): the page's slider range; values outside it are still valid.
"""


def hp(name, symbol, default, low=0.0, high=INF, *, kind="float", low_open=False, high_open=None,
       ui=None, scale="linear", doc=""):
    """Build a HyperParam; ``high_open`` defaults to True for an infinite bound."""
    if high_open is None:
        high_open = high == INF
    ui_low, ui_high = ui if ui is not None else (low, high)
    return HyperParam(name, symbol, default, kind, low, high, low_open, high_open, ui_low, ui_high, scale, doc)


def interval(p):
    """The valid interval in maths notation, e.g. ``[0, 1)``."""
    def fmt(v):
        return "inf" if v == INF else repr(v)
    return f"{'(' if p.low_open else '['}{fmt(p.low)}, {fmt(p.high)}{')' if p.high_open else ']'}"


def _is_number(v):
    """A real number (int, float, numpy scalar, ...) that is not a bool."""
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _in_range(p, v):
    """v (any real) lies in p's interval; NaN and infinities never do."""
    try:
        v = float(v)
    except OverflowError:          # an int too large for a float
        return False
    if not math.isfinite(v):
        return False
    above = v > p.low if p.low_open else v >= p.low
    below = v < p.high if p.high_open else v <= p.high
    return above and below


def check(p, value, owner=""):
    """Return ``value`` normalised (float, bool or tuple of floats), or raise ValueError."""
    where = f"{owner}: " if owner else ""
    if p.kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{where}{p.name} must be True or False, got {value!r}")
        return value
    if p.kind == "pair":
        if not isinstance(value, (tuple, list)) or len(value) != 2 or not all(_is_number(v) for v in value):
            raise ValueError(f"{where}{p.name} must be a pair of numbers, each in {interval(p)}, got {value!r}")
        for i, v in enumerate(value):
            if not _in_range(p, v):
                raise ValueError(f"{where}{p.name}[{i}] must be in {interval(p)}, got {v!r}")
        return (float(value[0]), float(value[1]))
    if not _is_number(value):
        raise ValueError(f"{where}{p.name} must be a number in {interval(p)}, got {value!r}")
    if not _in_range(p, value):
        raise ValueError(f"{where}{p.name} must be in {interval(p)}, got {value!r}")
    return float(value)


def validate(specs, values, owner=""):
    """All values in effect: defaults for what is not given; ValueError for unknown names or bad values."""
    by_name = {p.name: p for p in specs}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        raise ValueError(f"{owner + ': ' if owner else ''}unknown hyperparameter {unknown[0]!r}; "
                         f"expected one of {', '.join(by_name)}")
    return {p.name: check(p, values.get(p.name, p.default), owner) for p in specs}


def to_json(p):
    """A HyperParam as a JSON-ready dict (infinite bounds become None)."""
    def num(v):
        return None if v in (INF, -INF) else v
    d = p._asdict()
    for k in ("low", "high", "ui_low", "ui_high"):
        d[k] = num(d[k])
    if p.kind == "pair":
        d["default"] = list(p.default)
    d["interval"] = interval(p)
    return d
