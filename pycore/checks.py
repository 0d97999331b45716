"""Input checks shared by every entry point (runs, the page's fields, links): each returns the normalised value or
raises ValueError naming the field and, in words, the values it allows, before anything runs.

A number may come as a JSON number or as the text a person typed; both go through ``to_number``, so the same
value gets the same answer wherever it comes from. Text follows one plain decimal grammar (``-1.5``, ``2e-3``);
hexadecimal, ``inf``, ``nan``, digit separators and the like are refused rather than guessed at.
"""
import math
import re

MAX_COORDINATE = 1e12   # |x| and |y| of a start or a view bound
MIN_SPAN = 1e-9         # a view's width and height: at least this, and at least MIN_RELATIVE_SPAN of its size
MIN_RELATIVE_SPAN = 1e-9
MAX_SPAN = 1e12
MAX_WHOLE_DIGITS = 20   # typed whole numbers with more digits are read as floats (too large for any field)
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def short(value, limit=60):
    """repr(value) cut to ``limit`` characters, so a hostile value never floods a message."""
    r = repr(value)
    return r if len(r) <= limit else r[:limit] + "…"


def number_words(v):
    """A bound as people write it: 0, 1000, 1e-06, 4294967295."""
    if float(v).is_integer() and abs(v) < 1e10 and not (abs(v) >= 1e6 and str(int(abs(v))).rstrip("0") == "1"):
        return f"{int(v)}"
    return re.sub(r"e\+?(-?)0*(\d)", r"e\1\2", f"{v:g}")


def range_words(low=-math.inf, high=math.inf, low_open=False, high_open=False):
    """The interval in words: "at least 0", "greater than 0", "from 0 to 1", "from 0 up to but not including 1"."""
    lo, hi = number_words(low) if low > -math.inf else None, number_words(high) if high < math.inf else None
    if lo is None and hi is None:
        return "any finite number"
    if hi is None:
        return f"greater than {lo}" if low_open else f"at least {lo}"
    if lo is None:
        return f"less than {hi}" if high_open else f"at most {hi}"
    if not low_open and not high_open:
        return f"from {lo} to {hi}"
    if not low_open:
        return f"from {lo} up to but not including {hi}"
    if not high_open:
        return f"greater than {lo} and at most {hi}"
    return f"between {lo} and {hi}, both excluded"


def _shown(v):
    """A given value for a message: text in quotes, numbers as numbers."""
    if isinstance(v, str):
        return short(v.strip(), 40)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int) and abs(v) >= 10 ** 20:
        return "a number too large for a float" if abs(v) >= 2 ** 1024 else f"{float(v):g}"
    if isinstance(v, float):
        return number_words(v) if math.isfinite(v) else ("a number too large for a float" if not math.isnan(v)
                                                        else "not a number")
    if v is None:
        return "nothing"
    return short(v)


def to_number(name, v, allowed):
    """``v`` (a JSON number, or text typed by a person) as a finite float; ValueError naming ``name`` and
    ``allowed`` (the values it takes, in words) for anything else: empty or non-numeric text, a bool, NaN, an
    infinity or a number beyond the float range."""
    text = v.strip() if isinstance(v, str) else None
    if text is not None:
        if not text:
            raise ValueError(f"{name} is empty: enter a number {allowed}")
        if not _DECIMAL.fullmatch(text):
            raise ValueError(f"{name} must be a number {allowed}; {_shown(text)} is not a number")
        v = float(text)
        if not math.isfinite(v):
            raise ValueError(f"{name} must be a number {allowed}; {text} is beyond the float range (about ±1.8e308)")
        return v
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"{name} must be a number {allowed}; got {_shown(v)}")
    try:
        f = float(v)
    except OverflowError:
        f = math.inf
    if math.isnan(f):
        raise ValueError(f"{name} must be a number {allowed}; got not-a-number (NaN)")
    if not math.isfinite(f):
        raise ValueError(f"{name} must be a finite number {allowed}; got {_shown(f)}")
    return f


def check_number(name, v, low=-math.inf, high=math.inf, *, low_open=False, high_open=False):
    """A finite float in the interval, from a JSON number or typed text; ValueError in words otherwise."""
    allowed = range_words(low, high, low_open, high_open)
    f = to_number(name, v, allowed)
    if not ((f > low if low_open else f >= low) and (f < high if high_open else f <= high)):
        raise ValueError(f"{name} must be {allowed}; got {_shown(f)}")
    return f


def check_whole(name, v, low, high=math.inf):
    """A whole number (int, whole float, or typed digits) in [low, high], as an int."""
    allowed = f"whole number {range_words(low, high)}" if high < math.inf else f"whole number of at least {low}"
    if isinstance(v, str):
        text = v.strip()
        if not text:
            raise ValueError(f"{name} is empty: enter a {allowed}")
        if not _DECIMAL.fullmatch(text):
            raise ValueError(f"{name} must be a {allowed}; {_shown(text)} is not a number")
        # More digits than any whole-number field allows are read as a float (possibly inf), as links read them:
        # int() of more than 4300 digits would raise Python's own message about its conversion limit.
        long = len(text.lstrip("+-")) > MAX_WHOLE_DIGITS
        v = float(text) if long or any(c in text for c in ".eE") else int(text)
    if isinstance(v, float) and math.isfinite(v) and v.is_integer() and abs(v) < 2 ** 53:
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
        raise ValueError(f"{name} must be a {allowed}; got {_shown(v)}")
    return v


def check_flag(name, v):
    """True or False; 1 and 0 (which torch also takes as flags) are read as True and False."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int) and v in (0, 1):
        return bool(v)
    raise ValueError(f"{name} must be true or false (1 or 0); got {_shown(v)}")


def check_pair(name, v):
    """A list or tuple of exactly two items (not checked further)."""
    if not isinstance(v, (list, tuple)) or len(v) != 2:
        raise ValueError(f"{name} must be a pair of numbers; got {_shown(v)}")
    return v


def check_start(start, name="start"):
    """A finite (x, y) pair of floats, each at most ``MAX_COORDINATE`` in size."""
    x, y = check_pair(name, start)
    return (check_number(f"{name} x", x, -MAX_COORDINATE, MAX_COORDINATE),
            check_number(f"{name} y", y, -MAX_COORDINATE, MAX_COORDINATE))


def check_bounds(bounds, name="bounds"):
    """((xmin, xmax), (ymin, ymax)) as floats a plot can draw: each bound at most ``MAX_COORDINATE`` in size,
    min < max, and each span between ``MIN_SPAN`` (and ``MIN_RELATIVE_SPAN`` of the bounds' size, so the
    axis ticks stay distinct numbers) and ``MAX_SPAN``."""
    xs, ys = check_pair(name, bounds)
    out = []
    for axis, pair in (("x", xs), ("y", ys)):
        lo, hi = check_pair(f"{name} {axis}", pair)
        lo = check_number(f"{name} {axis} from", lo, -MAX_COORDINATE, MAX_COORDINATE)
        hi = check_number(f"{name} {axis} to", hi, -MAX_COORDINATE, MAX_COORDINATE)
        if not lo < hi:
            raise ValueError(f"{name}: {axis} from must be less than {axis} to; got {_shown(lo)} and {_shown(hi)}")
        least = max(MIN_SPAN, MIN_RELATIVE_SPAN * max(abs(lo), abs(hi)))
        if not least <= hi - lo <= MAX_SPAN:
            raise ValueError(f"{name}: the {axis} range ({axis} to minus {axis} from) must be at least "
                             f"{number_words(least)} and at most {number_words(MAX_SPAN)}, so the plot can draw it "
                             f"and tell its ticks apart; got {_shown(hi - lo)}")
        out.append((lo, hi))
    return tuple(out)


def lookup(registry, value, kind, record_type):
    """A registry record from its key, or ``value`` itself when it already is one; ValueError for an unknown
    key naming the ``kind`` and the keys there are."""
    if isinstance(value, record_type):
        return value
    try:
        return registry[value]
    except (KeyError, TypeError):
        raise ValueError(f"unknown {kind} {short(value)}; expected one of {', '.join(registry)}") from None
