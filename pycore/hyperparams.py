"""Hyperparameter specs and their validation.

A ``HyperParam`` says what a value means (symbol, doc), what torch accepts (the valid interval), and how the
page should offer it (slider range and scale). ``validate`` turns user keyword arguments into the complete
dict of values in effect, or raises ``ValueError`` naming the parameter and the allowed range before any step
runs.
"""
from collections import namedtuple
import math

from .checks import check_flag, check_number, check_pair, short

INF = math.inf

HyperParam = namedtuple(
    "HyperParam",
    "name symbol default kind low high low_open high_open ui_low ui_high scale doc torch",
)
HyperParam.__doc__ = """One hyperparameter.

kind: "float", "bool" or "pair" (two floats, like torch's ``betas``).
low/high with low_open/high_open: the interval torch accepts (for "pair", each element).
ui_low/ui_high/scale ("log" or "linear"): the page's slider range; values outside it are still valid.
torch: False for a switch torch does not have (pycore adds it for teaching; its default is torch's behaviour).
"""


def hp(name, symbol, default, low=0.0, high=INF, *, kind="float", low_open=False, high_open=None,
       ui=None, scale="linear", doc="", torch=True):
    """Build a HyperParam; ``high_open`` defaults to True for an infinite bound."""
    if high_open is None:
        high_open = high == INF
    ui_low, ui_high = ui if ui is not None else (low, high)
    return HyperParam(name, symbol, default, kind, low, high, low_open, high_open, ui_low, ui_high, scale, doc,
                      torch)


def interval(p):
    """The valid interval in maths notation, e.g. ``[0, 1)``."""
    def fmt(v):
        return "inf" if v == INF else repr(v)
    return f"{'(' if p.low_open else '['}{fmt(p.low)}, {fmt(p.high)}{')' if p.high_open else ']'}"


def check(p, value, owner=""):
    """Return ``value`` normalised (float, bool or tuple of floats), or raise ValueError naming the parameter
    and, in words, the values torch accepts. A number may be given as typed text (``pycore.checks``). pycore is
    stricter than torch in one way, and says so: it refuses infinities, which torch accepts but turns every
    step into NaN."""
    name = f"{owner}: {p.name}" if owner else p.name
    if p.kind == "bool":
        return check_flag(name, value)
    bounds = dict(low=p.low, high=p.high, low_open=p.low_open, high_open=p.high_open)
    if p.kind == "pair":
        first, second = check_pair(name, value)
        return (check_number(f"{name}[0]", first, **bounds), check_number(f"{name}[1]", second, **bounds))
    return check_number(name, value, **bounds)


def validate(specs, values, owner=""):
    """All values in effect: defaults for what is not given; ValueError for unknown names or bad values."""
    by_name = {p.name: p for p in specs}
    unknown = sorted((k for k in values if k not in by_name), key=str)
    if unknown:
        raise ValueError(f"{owner + ': ' if owner else ''}unknown hyperparameter {short(unknown[0])}; "
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
