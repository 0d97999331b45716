"""Your own function: a safe parser for f(x, y), its exact gradient, and a Surface built from it.

Nothing the user types is ever handed to ``eval``, ``exec``, ``compile`` or ``ast``. A tokenizer and a
recursive-descent parser accept only this grammar, in Python's precedence::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := ("-" | "+") unary | power
    power  := atom (("**" | "^") unary)?            # right-associative; ^ is accepted as a power too
    atom   := number | x | y | pi | e | name "(" expr ("," expr)* ")" | "(" expr ")"

with ``name`` one of ``FUNCTIONS``. Numbers are floats (``2``, ``.5``, ``1e-3``); there are no integers, so
``9**9**9`` is a float overflow, never a big integer. Anything else is refused with an ``ExprError`` giving
the 0-based offset ``pos`` and a message naming the column and what was expected. Limits: ``MAX_LENGTH``
characters, ``MAX_DEPTH`` levels of nesting (no RecursionError), and a gradient of at most
``MAX_GRADIENT_SIZE`` operations built in at most ``MAX_WORK`` steps per partial, so it stays fast (the
product rule expands a product of many factors quadratically). A constant part that is not a finite float
(``1/0``, ``log(0)``, ``9**9**9``) is refused where it occurs.

The tree is compiled into plain Python closures. f follows IEEE float semantics instead of raising: a
domain error gives nan (``sqrt(-1)``, ``log(-1)``), an overflow or a division of a non-zero number by zero
gives ±inf, ``log(0)`` is -inf, so a run that reaches one reports divergence. The gradient is the symbolic
derivative of the tree, simplified (constants folded, 0 and 1 dropped), compiled the same way: exact, never a
finite difference. At kinks it takes torch's conventions: d|u|/du = sign(u) (0 at 0), and min/max split the
gradient equally at a tie; and a power u**v at a zero base follows torch's ``pow_backward_self`` and
``pow_backward_exponent``: ∂(u**v)/∂u is 0 where v = 0 (``x**y`` at (0, 0)), and ∂(u**v)/∂v is 0 where u = 0
and v ≥ 0 (``0**x``, ``x**y`` at x = 0), instead of the 0·∞ = nan the plain formulas give. Elsewhere at a zero
base the formulas' IEEE values are torch's too: ∂(x**0.5)/∂x = inf and ∂(0**x)/∂x = -inf for x < 0 (a run that
meets one reports divergence with its reason).
"""
from collections import namedtuple
import math

from .checks import check_bounds
from .stationary import classify, hessian, refine
from .surfaces import Minimum, Surface

MAX_LENGTH = 500
MAX_DEPTH = 32
MAX_WORK = 5000    # nodes the derivative rules may build per partial derivative
MAX_GRADIENT_SIZE = 2000   # operations the two compiled partial derivatives may have together
GRID = 64          # custom_surface scans a (GRID + 1) x (GRID + 1) grid for minima
MAX_SEEDS = 100    # at most this many grid minima are polished by Newton's method

_INF, _NAN = math.inf, math.nan


class ExprError(ValueError):
    """A refused expression: ``pos`` is the 0-based offset of the problem, ``message`` says what was
    expected; ``str(err)`` reads "column <pos + 1>: <message>"."""

    def __init__(self, pos, message):
        self.pos, self.message = pos, message
        super().__init__(f"column {pos + 1}: {message}")


# --- IEEE fallbacks for math functions that raise ------------------------------------------------------------
def _nan(*args):
    return _NAN


def _true_div(u, v):
    """u / v with IEEE results for a zero divisor."""
    try:
        return u / v
    except ZeroDivisionError:
        return _NAN if u == 0 or u != u else math.copysign(_INF, u) * math.copysign(1.0, v)


def _log_fallback(v):
    return -_INF if v == 0 else _NAN


def _pow(u, v):
    """u**v with IEEE results instead of exceptions (math.pow never returns a complex number)."""
    try:
        return math.pow(u, v)
    except OverflowError:
        odd = v % 2 == 1
        return -_INF if u < 0 and odd else _INF
    except ValueError:    # a zero base with a negative exponent: ±inf, signed as IEEE (and torch) sign it
        if u == 0:
            return math.copysign(_INF, u) if float(v).is_integer() and v % 2 == 1 else _INF
        return _NAN


def _sign(v):
    return v if v != v else float((v > 0) - (v < 0))


def _min(a, b):
    return _NAN if a != a or b != b else min(a, b)


def _max(a, b):
    return _NAN if a != a or b != b else max(a, b)


# --- The whitelist: one record per function keeps evaluation, fallback, derivative and LaTeX together -----
Function = namedtuple("Function", "name arity fn fallback derivative latex")
Function.__doc__ = """A whitelisted function.

fn: the float function; fallback(*args): its IEEE value when fn raises ValueError/OverflowError;
derivative(args, node) -> tuple of ∂node/∂arg_i trees (node is the call itself); latex(*arg_latex) -> str.
"""
_FUNCTIONS = []


def _function(name, fn, derivative, latex, fallback=_nan, arity=1):
    _FUNCTIONS.append(Function(name, arity, fn, fallback, derivative, latex))


def _paren(s):
    return rf"\left({s}\right)"


_function("sin", math.sin, lambda a, n: (_call("cos", a),), lambda s: r"\sin" + _paren(s))
_function("cos", math.cos, lambda a, n: (_neg(_call("sin", a)),), lambda s: r"\cos" + _paren(s))
_function("tan", math.tan, lambda a, n: (_div(_num(1.0), _pow_node(_call("cos", a), _num(2.0))),),
          lambda s: r"\tan" + _paren(s))
_function("asin", math.asin, lambda a, n: (_div(_num(1.0), _call("sqrt", (_sub(_num(1.0), _sq(a[0])),))),),
          lambda s: r"\arcsin" + _paren(s))
_function("acos", math.acos,
          lambda a, n: (_neg(_div(_num(1.0), _call("sqrt", (_sub(_num(1.0), _sq(a[0])),)))),),
          lambda s: r"\arccos" + _paren(s))
_function("atan", math.atan, lambda a, n: (_div(_num(1.0), _sum([("+", _num(1.0)), ("+", _sq(a[0]))])),),
          lambda s: r"\arctan" + _paren(s))
_function("sinh", math.sinh, lambda a, n: (_call("cosh", a),), lambda s: r"\sinh" + _paren(s),
          fallback=lambda v: math.copysign(_INF, v))
_function("cosh", math.cosh, lambda a, n: (_call("sinh", a),), lambda s: r"\cosh" + _paren(s),
          fallback=lambda v: _INF)
_function("tanh", math.tanh, lambda a, n: (_sub(_num(1.0), _sq(n)),), lambda s: r"\tanh" + _paren(s))
_function("exp", math.exp, lambda a, n: (n,), lambda s: "e^{" + s + "}", fallback=lambda v: _INF)
_function("log", math.log, lambda a, n: (_div(_num(1.0), a[0]),), lambda s: r"\ln" + _paren(s),
          fallback=_log_fallback)
_function("log10", math.log10, lambda a, n: (_div(_num(1.0), _prod([("*", a[0]), ("*", _num(math.log(10.0)))])),),
          lambda s: r"\log_{10}" + _paren(s), fallback=_log_fallback)
_function("sqrt", math.sqrt, lambda a, n: (_div(_num(0.5), n),), lambda s: r"\sqrt{" + s + "}")
_function("abs", abs, lambda a, n: (_call("sign", a),), lambda s: r"\left|" + s + r"\right|")
_function("sign", _sign, lambda a, n: (_num(0.0),), lambda s: r"\operatorname{sign}" + _paren(s))
# min(a, b) = (a + b - |a - b|)/2, so ∂/∂a = (1 - sign(a - b))/2 and ∂/∂b = (1 + sign(a - b))/2.
_function("min", _min, lambda a, n: _minmax_partials(a, -1.0), lambda s, t: r"\min" + _paren(f"{s}, {t}"),
          arity=2)
_function("max", _max, lambda a, n: _minmax_partials(a, 1.0), lambda s, t: r"\max" + _paren(f"{s}, {t}"),
          arity=2)

FUNCTIONS = {f.name: f for f in _FUNCTIONS}
CONSTANTS = {"pi": math.pi, "e": math.e}
VARIABLES = ("x", "y")
_ALLOWED = ("numbers, x, y, pi, e, + - * / ** ^, parentheses and the functions " + ", ".join(FUNCTIONS))


# --- Tree nodes (plain tuples) and simplifying constructors ---------------------------------------------
#   ("num", v)  ("name", "x"|"y"|"pi"|"e")  ("neg", a)  ("pow", base, exponent)  ("call", name, args)
#   ("sum", (("+" | "-", term), ...))   ("prod", (("*" | "/", factor), ...))   -- evaluated left to right
# The parser builds trees exactly as written; the constructors below simplify derivative trees. Derivative
# trees also hold torch's two power rules as atoms, so the zero-base conventions survive simplification:
#   ("dpow_base", u, v) = where(v == 0, 0, v * u**(v - 1))          (torch's pow_backward_self)
#   ("dpow_exp", u, v)  = where(u == 0 and v >= 0, 0, u**v * log(u))  (torch's pow_backward_exponent)
# Text and LaTeX show them as their plain formulas (``_plain``).
def _num(v):
    return ("num", float(v) + 0.0)   # + 0.0 turns -0.0 into 0.0


def _is_num(node, value=None):
    return node[0] == "num" and (value is None or node[1] == value)


def _neg(a):
    if a[0] == "num":
        return _num(-a[1])
    if a[0] == "neg":
        return a[1]
    return ("neg", a)


def _sum(terms):
    """Sum of signed terms, flattened, zeros dropped and numbers folded into one leading constant."""
    out, const, todo = [], 0.0, list(reversed(terms))
    while todo:
        sign, t = todo.pop()
        if t[0] == "neg":
            todo.append(("-" if sign == "+" else "+", t[1]))
        elif t[0] == "num":
            const += t[1] if sign == "+" else -t[1]
        elif t[0] == "sum":
            todo.extend((s if sign == "+" else ("-" if s == "+" else "+"), u) for s, u in reversed(t[1]))
        else:
            out.append((sign, t))
    if const != 0.0:
        out.insert(0, ("+", _num(const)))
    if not out:
        return _num(0.0)
    if out[0][0] == "-":
        out[0] = ("+", _neg(out[0][1]))
    return out[0][1] if len(out) == 1 else ("sum", tuple(out))


def _sub(a, b):
    return _sum([("+", a), ("-", b)])


def _prod(factors):
    """Product of factors (op "*" or "/"), flattened, numbers folded into a leading coefficient;
    a zero factor makes it 0 (the symbolic convention: the derivative of a constant is exactly 0)."""
    out, coef = [], 1.0
    for op, t in factors:
        if t[0] == "neg":
            coef, t = -coef, t[1]
        if t[0] == "num":
            if op == "*":
                if t[1] == 0.0:
                    return _num(0.0)
                coef *= t[1]
            else:
                coef = _true_div(coef, t[1])
        elif t[0] == "prod" and op == "*":
            inner = _prod(t[1])
            if inner[0] == "neg":
                coef, inner = -coef, inner[1]
            rest = inner[1] if inner[0] == "prod" else (("*", inner),)
            if rest[0][1][0] == "num":
                coef *= rest[0][1][1]
                rest = rest[1:]
            out.extend(rest)
        else:
            out.append((op, t))
    if not out or coef == 0.0:
        return _num(coef)
    negative = coef < 0
    coef = abs(coef)
    if coef != 1.0 or out[0][0] == "/":
        out.insert(0, ("*", _num(coef)))
    node = out[0][1] if len(out) == 1 else ("prod", tuple(out))
    return _neg(node) if negative else node


def _mul(a, b):
    return _prod([("*", a), ("*", b)])


def _div(a, b):
    return _prod([("*", a), ("/", b)])


def _pow_node(base, exponent):
    if _is_num(exponent, 1.0):
        return base
    if _is_num(exponent, 0.0):
        return _num(1.0)
    if base[0] == "num" and exponent[0] == "num":
        return _num(_pow(base[1], exponent[1]))
    return ("pow", base, exponent)


def _sq(a):
    return _pow_node(a, _num(2.0))


def _call(name, args):
    args = tuple(args)
    if all(a[0] == "num" for a in args):
        return _num(_apply(FUNCTIONS[name], [a[1] for a in args]))
    return ("call", name, args)


def _minmax_partials(args, sign):
    a, b = args
    s = _call("sign", (_sub(a, b),))
    return (_prod([("*", _num(0.5)), ("*", _sum([("+", _num(1.0)), ("+", _mul(_num(sign), s))]))]),
            _prod([("*", _num(0.5)), ("*", _sum([("+", _num(1.0)), ("-", _mul(_num(sign), s))]))]))


def _apply(func, values):
    try:
        return func.fn(*values)
    except (ValueError, OverflowError):
        return func.fallback(*values)


# --- Differentiation ---------------------------------------------------------------------------------------
def derivative(node, var, budget=None):
    """∂node/∂var as a simplified tree (var is "x" or "y").

    ``budget`` (a one-item list, default ``[MAX_WORK]``) counts the nodes the rules build; an expression
    whose derivative needs more (e.g. a product of hundreds of factors, which the product rule expands
    quadratically) is refused with an ExprError rather than compiled into a gradient too slow to run.
    """
    budget = [MAX_WORK] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise ExprError(0, f"the expression is too large to differentiate: its derivative needs more than "
                           f"{MAX_WORK} steps to build")
    op = node[0]
    if op == "num":
        return _num(0.0)
    if op == "name":
        return _num(1.0 if node[1] == var else 0.0)
    if op == "neg":
        return _neg(derivative(node[1], var, budget))
    if op == "sum":
        return _sum([(s, derivative(t, var, budget)) for s, t in node[1]])
    if op == "prod":
        # d(Π a_i^{e_i}) = Σ_i e_i · (Π_{j≠i} a_j^{e_j}) · a_i^{e_i - 1} · da_i with e_i = ±1
        factors, terms = node[1], []
        for i, (op_i, a) in enumerate(factors):
            da = derivative(a, var, budget)
            if _is_num(da, 0.0):
                continue
            budget[0] -= len(factors)
            rest = [f for j, f in enumerate(factors) if j != i]
            if op_i == "*":
                terms.append(("+", _prod(rest + [("*", da)])))
            else:
                terms.append(("-", _prod(rest + [("*", da), ("/", _sq(a))])))
        return _sum(terms)
    if op == "pow":
        a, b = node[1], node[2]
        da, db = derivative(a, var, budget), derivative(b, var, budget)
        terms = []
        if not _is_num(da, 0.0):      # b · a^(b-1) · da; 0 where b = 0 (a number b is never 0 here)
            if b[0] == "num":
                terms.append(("+", _prod([("*", b), ("*", _pow_node(a, _sub(b, _num(1.0)))), ("*", da)])))
            else:
                terms.append(("+", _mul(("dpow_base", a, b), da)))
        if not _is_num(db, 0.0):      # a^b · ln(a) · db; 0 where a = 0 and b ≥ 0
            if a == ("name", "e"):
                terms.append(("+", _mul(node, db)))
            elif (a[0] == "num" and a[1] != 0.0) or a[0] == "name" and a[1] in CONSTANTS:
                terms.append(("+", _prod([("*", node), ("*", _call("log", (a,))), ("*", db)])))
            else:
                terms.append(("+", _mul(("dpow_exp", a, b), db)))
        return _sum(terms)
    # call: chain rule over each argument
    func = FUNCTIONS[node[1]]
    args = node[2]
    partials = func.derivative(args, node)
    return _sum([("+", _mul(p, derivative(a, var, budget))) for p, a in zip(partials, args)])


def _tree_size(node, limit):
    """Number of nodes in ``node`` counting repeats (what a call evaluates), or limit + 1 if above ``limit``."""
    count, todo = 0, [node]
    while todo and count <= limit:
        n = todo.pop()
        count += 1
        if n[0] in ("sum", "prod"):
            todo.extend(t for _, t in n[1])
        elif n[0] in ("neg", "pow", "dpow_base", "dpow_exp"):
            todo.extend(n[1:])
        elif n[0] == "call":
            todo.extend(n[2])
    return min(count, limit + 1)


# --- Compilation into closures ------------------------------------------------------------------------
def _leading_constants(items):
    """Length of the all-constant prefix of a sum's or product's operands (folded left to right)."""
    k = 0
    while k < len(items) and _constant(items[k][1]):
        k += 1
    return k


def _constant(node):
    op = node[0]
    if op == "num":
        return True
    if op == "name":
        return node[1] in CONSTANTS
    if op in ("sum", "prod"):
        return all(_constant(t) for _, t in node[1])
    if op == "neg":
        return _constant(node[1])
    if op in ("pow", "dpow_base", "dpow_exp"):
        return _constant(node[1]) and _constant(node[2])
    return all(_constant(a) for a in node[2])


def compile_tree(node):
    """A closure (x, y) -> float evaluating ``node`` with Python's float semantics, left to right, but with
    IEEE results (nan, ±inf) where Python would raise. Constant subtrees are evaluated once."""
    if _constant(node) and node[0] != "num":
        return _build(_num(_build(_fold_children(node))(0.0, 0.0)))
    return _build(node)


def _build(node):
    op = node[0]
    if op == "num":
        c = node[1]
        return lambda x, y: c
    if op == "name":
        return (lambda x, y: x) if node[1] == "x" else (lambda x, y: y)
    if op == "neg":
        a = compile_tree(node[1])
        return lambda x, y: -a(x, y)
    if op in ("sum", "prod"):
        items = node[1]
        k = _leading_constants(items)
        if 1 < k < len(items):
            items = (("+" if op == "sum" else "*", (op, items[:k])),) + items[k:]
        acc = compile_tree(items[0][1])
        for sym, t in items[1:]:
            acc = _BINARY[sym](acc, t)
        return acc
    if op == "pow":
        a = compile_tree(node[1])
        if node[2][0] == "num":       # math.pow is what Python's float ** computes, so f matches Python
            c, pow_ = node[2][1], math.pow

            def power(x, y):
                u = a(x, y)
                try:
                    return pow_(u, c)
                except (OverflowError, ValueError):
                    return _pow(u, c)
            return power
        b = compile_tree(node[2])
        return lambda x, y: _pow(a(x, y), b(x, y))
    if op == "dpow_base":
        v, power = compile_tree(node[2]), compile_tree(_pow_node(node[1], _sub(node[2], _num(1.0))))

        def dpow_base(x, y):
            w = v(x, y)
            return 0.0 if w == 0 else w * power(x, y)
        return dpow_base
    if op == "dpow_exp":
        u, v, power = compile_tree(node[1]), compile_tree(node[2]), compile_tree(("pow",) + node[1:])
        log = FUNCTIONS["log"]

        def dpow_exp(x, y):
            base = u(x, y)
            if base == 0 and v(x, y) >= 0:
                return 0.0
            return power(x, y) * _apply(log, (base,))
        return dpow_exp
    func = FUNCTIONS[node[1]]
    fn, fallback = func.fn, func.fallback
    if func.arity == 1:
        a = compile_tree(node[2][0])

        def call1(x, y):
            u = a(x, y)
            try:
                return fn(u)
            except (ValueError, OverflowError):
                return fallback(u)
        return call1
    a, b = (compile_tree(t) for t in node[2])
    return lambda x, y: fn(a(x, y), b(x, y))


def _fold_children(node):
    """``node`` with each constant child replaced by its value (so a constant node evaluates in O(size))."""
    op = node[0]
    if op == "name":
        return _num(CONSTANTS[node[1]])
    value = lambda t: _num(compile_tree(t)(0.0, 0.0))  # noqa: E731
    if op in ("sum", "prod"):
        return (op, tuple((s, value(t)) for s, t in node[1]))
    if op == "neg":
        return ("neg", value(node[1]))
    if op in ("pow", "dpow_base", "dpow_exp"):
        return (op, value(node[1]), value(node[2]))
    return ("call", node[1], tuple(value(a) for a in node[2]))


def _add_closure(a, t):
    if t[0] == "num":
        c = t[1]
        return lambda x, y: a(x, y) + c
    if t == ("name", "x"):
        return lambda x, y: a(x, y) + x
    if t == ("name", "y"):
        return lambda x, y: a(x, y) + y
    b = compile_tree(t)
    return lambda x, y: a(x, y) + b(x, y)


def _sub_closure(a, t):
    if t[0] == "num":
        c = t[1]
        return lambda x, y: a(x, y) - c
    b = compile_tree(t)
    return lambda x, y: a(x, y) - b(x, y)


def _mul_closure(a, t):
    if t[0] == "num":
        c = t[1]
        return lambda x, y: a(x, y) * c
    if t == ("name", "x"):
        return lambda x, y: a(x, y) * x
    if t == ("name", "y"):
        return lambda x, y: a(x, y) * y
    b = compile_tree(t)
    return lambda x, y: a(x, y) * b(x, y)


def _div_closure(a, t):
    b = compile_tree(t)

    def div(x, y):
        u, v = a(x, y), b(x, y)
        try:
            return u / v
        except ZeroDivisionError:
            return _true_div(u, v)
    return div


_BINARY = {"+": _add_closure, "-": _sub_closure, "*": _mul_closure, "/": _div_closure}


# --- Text and LaTeX ------------------------------------------------------------------------------------
_PREC = {"sum": 1, "prod": 2, "neg": 3, "pow": 4, "num": 5, "name": 5, "call": 5}


def _prec(node):
    if node[0] == "num" and (node[1] < 0 or (node[1] == 0 and math.copysign(1.0, node[1]) < 0)):
        return 3
    return _PREC[node[0]]


def _format_number(v):
    if v.is_integer() and abs(v) < 1e16:
        return str(int(v)) if v != 0 or math.copysign(1.0, v) > 0 else "-0"
    return repr(v)


def _plain(node):
    """``node`` with torch's power-rule atoms written as their plain formulas (v*u**(v - 1), u**v*log(u)) and
    simplified as the derivative rules simplify, for text and LaTeX; ``node`` itself when it holds none."""
    op = node[0]
    if op in ("num", "name"):
        return node
    if op == "dpow_base":
        u, v = _plain(node[1]), _plain(node[2])
        return _mul(v, _pow_node(u, _sub(v, _num(1.0))))
    if op == "dpow_exp":
        u, v = _plain(node[1]), _plain(node[2])
        return _prod([("*", _pow_node(u, v)), ("*", ("call", "log", (u,)))])   # log(0) written, not folded
    if op in ("sum", "prod"):
        items = tuple((s, _plain(t)) for s, t in node[1])
        if all(t is old for (_, t), (_, old) in zip(items, node[1])):
            return node
        return (_sum if op == "sum" else _prod)(list(items))
    if op == "neg":
        a = _plain(node[1])
        return node if a is node[1] else _neg(a)
    if op == "pow":
        a, b = _plain(node[1]), _plain(node[2])
        return node if a is node[1] and b is node[2] else _pow_node(a, b)
    args = tuple(_plain(a) for a in node[2])
    return node if all(a is old for a, old in zip(args, node[2])) else _call(node[1], args)


def to_text(node):
    """Canonical text that parses back to the same tree (Python syntax: ``**`` for powers); a derivative tree
    is written with its power rules as plain formulas."""
    node = _plain(node)
    op = node[0]
    if op == "num":
        return _format_number(node[1])
    if op == "name":
        return node[1]
    if op == "neg":
        return "-" + _wrap_text(node[1], 3)
    if op == "sum":
        parts = [_wrap_text(node[1][0][1], 2)]
        parts += [f" {s} {_wrap_text(t, 2)}" for s, t in node[1][1:]]
        return "".join(parts)
    if op == "prod":
        return _wrap_text(node[1][0][1], 3) + "".join(s + _wrap_text(t, 3) for s, t in node[1][1:])
    if op == "pow":
        return _wrap_text(node[1], 5) + "**" + _wrap_text(node[2], 3)
    return node[1] + "(" + ", ".join(to_text(a) for a in node[2]) + ")"


def _wrap_text(node, min_prec):
    node = _plain(node)
    s = to_text(node)
    return s if _prec(node) >= min_prec else "(" + s + ")"


def _latex_number(v):
    s = _format_number(abs(v))
    if "e" in s:
        mantissa, exponent = s.split("e")
        s = ("" if mantissa == "1" else mantissa + r" \times ") + "10^{" + str(int(exponent)) + "}"
    return ("-" if math.copysign(1.0, v) < 0 else "") + s


def to_latex(node):
    """LaTeX for KaTeX: ``\\frac`` for quotients, ``e^{u}`` for exp, ``\\ln`` for the natural log."""
    node = _plain(node)
    op = node[0]
    if op == "num":
        return _latex_number(node[1])
    if op == "name":
        return r"\pi" if node[1] == "pi" else node[1]
    if op == "neg":
        return "-" + _wrap_latex(node[1], 4 if _prec(node[1]) == 3 else 2)
    if op == "sum":
        first = node[1][0][1]
        parts = [_wrap_latex(first, 2)]
        parts += [f" {s} {_wrap_latex(t, 4 if _prec(t) == 3 else 2)}" for s, t in node[1][1:]]
        return "".join(parts)
    if op == "prod":
        num = [t for s, t in node[1] if s == "*"]
        den = [t for s, t in node[1] if s == "/"]
        top = _latex_product(num) if num else "1"
        if not den:
            return top
        bottom = _latex_product(den) if len(den) > 1 else to_latex(den[0])
        return r"\frac{" + top + "}{" + bottom + "}"
    if op == "pow":
        base = node[1]
        b = to_latex(base)
        if _prec(base) < 5 or (base[0] == "call" and base[1] == "exp"):
            b = _paren(b)
        return b + "^{" + to_latex(node[2]) + "}"
    func = FUNCTIONS[node[1]]
    return func.latex(*(to_latex(a) for a in node[2]))


def _wrap_latex(node, min_prec):
    node = _plain(node)
    s = to_latex(node)
    return s if _prec(node) >= min_prec else _paren(s)


def _latex_product(factors):
    if len(factors) == 1:
        return to_latex(factors[0])
    out = ""
    for i, t in enumerate(factors):
        s = _wrap_latex(t, 3 if i == 0 else 4)
        if i:
            out += r" \cdot " if s[0].isdigit() or s[0] == "-" else r" \, "
        out += s
    return out


# --- Tokenizer and parser ----------------------------------------------------------------------------
Token = namedtuple("Token", "kind text pos")   # kind: num, name, op, end, error (text is then the message)

_OPERATORS = ("**", "+", "-", "*", "/", "^", "(", ")", ",")


_DIGITS = "0123456789"
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"


def _digits_end(text, j):
    while j < len(text) and text[j] in _DIGITS:
        j += 1
    return j


def _number_end(text, i):
    """End offset of the decimal number starting at i (ASCII digits, one point, an optional exponent)."""
    n, j = len(text), _digits_end(text, i)
    if j < n and text[j] == ".":
        j = _digits_end(text, j + 1)
    if j < n and text[j] in "eE":
        k = j + 1
        if k < n and text[k] in "+-":
            k += 1
        if k < n and text[k] in _DIGITS:
            j = _digits_end(text, k)
    return j


def _tokenize(text):
    """Tokens up to the end, or up to an "error" token at the first character that cannot start one."""
    tokens, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif c in _DIGITS or (c == "." and text[i + 1:i + 2] in tuple(_DIGITS)):
            j = _number_end(text, i)
            if j < n and text[j] in _DIGITS + _LETTERS + ".":
                if text[j] in "eE" and not (text[j + 1:j + 2] and text[j + 1] in _LETTERS):
                    msg = f"malformed number {text[i:j + 1]!r}: an exponent needs digits, e.g. 1e-3"
                elif text[j] in "._":
                    msg = f"malformed number {text[i:j + 1]!r}"
                else:
                    msg = (f"expected an operator between {text[i:j]!r} and {text[j]!r} "
                           f"(write {text[i:j]}*{text[j]} for a product)")
                tokens.append(Token("error", msg, j))
                return tokens
            tokens.append(Token("num", text[i:j], i))
            i = j
        elif c in _LETTERS:
            j = i
            while j < n and text[j] in _LETTERS + _DIGITS:
                j += 1
            tokens.append(Token("name", text[i:j], i))
            i = j
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
            if op is None:
                hint = " (attribute access is not allowed)" if c == "." else ""
                tokens.append(Token("error", f"unexpected character {c!r}{hint}; allowed: {_ALLOWED}", i))
                return tokens
            tokens.append(Token("op", op, i))
            i += len(op)
    tokens.append(Token("end", "", n))
    return tokens


def _describe(tok):
    if tok.kind == "end":
        return "the end of the expression"
    return f"number {tok.text}" if tok.kind == "num" else repr(tok.text)


_OPERAND = "a number, x, y, pi, e, a function such as sin(...) or '('"


class _Parser:
    def __init__(self, text):
        self.text, self.tokens, self.i, self.depth = text, _tokenize(text), 0, 0

    def peek(self):
        tok = self.tokens[self.i]
        if tok.kind == "error":
            raise ExprError(tok.pos, tok.text)
        return tok

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def enter(self, tok):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(tok.pos, f"nested too deeply: at most {MAX_DEPTH} levels of parentheses, "
                                     f"function calls, powers and signs")

    def check(self, node, tok):
        """Refuse a constant part whose value is not a finite float, at the operator that made it."""
        if _constant(node):
            v = compile_tree(node)(0.0, 0.0)
            if not math.isfinite(v):
                raise ExprError(tok.pos, f"the constant part {to_text(node)} evaluates to {v!r}, "
                                         f"not a finite number")
        return node

    def parse(self):
        if not self.text.strip():
            raise ExprError(0, f"empty expression: expected {_OPERAND}")
        node = self.expr()
        tok = self.peek()
        if tok.kind != "end":
            if tok.text == ")":
                raise ExprError(tok.pos, "unmatched ')'")
            raise ExprError(tok.pos, f"expected an operator (+ - * / ** ^) or the end, found {_describe(tok)}")
        return node

    def chain(self, ops, operand, kind):
        items = [(ops[0], operand())]
        while self.peek().kind == "op" and self.peek().text in ops:
            tok = self.take()
            items.append((tok.text, operand()))
            self.check((kind, tuple(items)), tok)
        return items[0][1] if len(items) == 1 else (kind, tuple(items))

    def expr(self):
        return self.chain("+-", self.term, "sum")

    def term(self):
        return self.chain("*/", self.unary, "prod")

    def unary(self):
        tok = self.peek()
        if tok.kind == "op" and tok.text in "+-":
            self.take()
            self.enter(tok)
            operand = self.unary()
            self.depth -= 1
            return operand if tok.text == "+" else ("neg", operand)
        return self.power()

    def power(self):
        base = self.atom()
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("**", "^"):
            self.take()
            self.enter(tok)
            exponent = self.unary()
            self.depth -= 1
            return self.check(("pow", base, exponent), tok)
        return base

    def atom(self):
        tok = self.take()
        if tok.kind == "num":
            v = float(tok.text)
            if not math.isfinite(v):
                raise ExprError(tok.pos, f"number {tok.text} is too large for a float")
            return ("num", v)
        if tok.kind == "name":
            if tok.text in VARIABLES or tok.text in CONSTANTS:
                after = self.peek()
                if after.kind == "op" and after.text == "(":
                    raise ExprError(after.pos, f"{tok.text} is not a function (write {tok.text}*(...) for a product)")
                return ("name", tok.text)
            if tok.text not in FUNCTIONS:
                raise ExprError(tok.pos, f"unknown name {tok.text!r}; allowed: {_ALLOWED}")
            return self.call(tok)
        if tok.kind == "op" and tok.text == "(":
            self.enter(tok)
            node = self.expr()
            self.close(tok)
            self.depth -= 1
            return node
        raise ExprError(tok.pos, f"expected {_OPERAND}, found {_describe(tok)}")

    def call(self, name):
        func = FUNCTIONS[name.text]
        tok = self.peek()
        if not (tok.kind == "op" and tok.text == "("):
            raise ExprError(tok.pos, f"expected '(' after the function name {name.text}, found {_describe(tok)}")
        self.take()
        self.enter(tok)
        args = [self.expr()]
        while self.peek().kind == "op" and self.peek().text == ",":
            self.take()
            args.append(self.expr())
        self.close(tok)
        self.depth -= 1
        if len(args) != func.arity:
            raise ExprError(name.pos, f"{name.text} takes {func.arity} argument{'s' if func.arity > 1 else ''}, "
                                      f"got {len(args)}")
        return self.check(("call", name.text, tuple(args)), name)

    def close(self, opening):
        tok = self.peek()
        if not (tok.kind == "op" and tok.text == ")"):
            what = "an operator or ')'" if tok.text != "," else "')'"
            raise ExprError(tok.pos, f"expected {what} to close the '(' at column {opening.pos + 1}, "
                                     f"found {_describe(tok)}")
        return self.take()


# --- Public API ----------------------------------------------------------------------------------------
Expr = namedtuple("Expr", "source tree text latex f grad partials")
Expr.__doc__ = """A parsed f(x, y).

source: the text as typed; tree: the parse tree; text: canonical text (parses back to ``tree``); latex: f in
LaTeX; f(x, y) -> float; grad(x, y) -> (∂f/∂x, ∂f/∂y), exact; partials: the two simplified derivative trees
(render them with ``to_text``/``to_latex``).
"""


def parse(text):
    """Parse f(x, y) from text; ExprError (a ValueError) with the position for anything not whitelisted."""
    if not isinstance(text, str):
        raise ExprError(0, f"the expression must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExprError(MAX_LENGTH, f"the expression is {len(text)} characters long; at most {MAX_LENGTH} "
                                    f"are allowed")
    tree = _Parser(text).parse()
    partials = (derivative(tree, "x"), derivative(tree, "y"))
    size = _tree_size(partials[0], MAX_GRADIENT_SIZE) + _tree_size(partials[1], MAX_GRADIENT_SIZE)
    if size > MAX_GRADIENT_SIZE:
        raise ExprError(0, f"the expression is too large to differentiate: its gradient would take more than "
                           f"{MAX_GRADIENT_SIZE} operations")
    gx, gy = compile_tree(partials[0]), compile_tree(partials[1])
    return Expr(text, tree, to_text(tree), to_latex(tree), compile_tree(tree),
                lambda x, y: (gx(x, y), gy(x, y)), partials)


def describe(text):
    """JSON-ready verdict on ``text`` for the page's input field: {"ok": True, "text", "latex",
    "gradient_text": [∂f/∂x, ∂f/∂y], "gradient_latex": [...]} or {"ok": False, "pos", "column", "message"}."""
    try:
        e = parse(text)
    except ExprError as err:
        return {"ok": False, "pos": err.pos, "column": err.pos + 1, "message": err.message}
    return {"ok": True, "text": e.text, "latex": e.latex, "gradient_text": [to_text(p) for p in e.partials],
            "gradient_latex": [to_latex(p) for p in e.partials]}


def find_minima(f, grad, bounds, grid=GRID):
    """Minima of f inside ``bounds``, found numerically.

    f is sampled on a (grid + 1)² lattice; every interior sample no higher than its 8 neighbours (at most
    ``MAX_SEEDS``, lowest first) seeds Newton's method on the exact gradient (``stationary.refine``). A
    result is kept when it is inside the bounds, stationary (the next Newton step is below 1e-8 of the view)
    and the Hessian classifies it as a strict minimum; duplicates within 1e-6 of the view are merged. The
    lowest found is flagged global: global within the view, among the minima found. Returns (minima, samples)
    with samples[i][j] = f(x_i, y_j) (non-finite values as inf).
    """
    (x0, x1), (y0, y1) = bounds
    xs = [x0 + (x1 - x0) * i / grid for i in range(grid + 1)]
    ys = [y0 + (y1 - y0) * j / grid for j in range(grid + 1)]
    samples = []
    for x in xs:
        row = [f(x, y) for y in ys]
        samples.append([v if math.isfinite(v) else _INF for v in row])
    seeds = []
    for i in range(1, grid):
        for j in range(1, grid):
            v = samples[i][j]
            if v < _INF and all(v <= samples[i + di][j + dj] for di in (-1, 0, 1) for dj in (-1, 0, 1)):
                seeds.append((v, xs[i], ys[j]))
    seeds.sort()
    span = max(x1 - x0, y1 - y0)
    found = []
    for _, sx, sy in seeds[:MAX_SEEDS]:
        try:
            mx, my = refine(grad, sx, sy)
        except ValueError:
            continue
        if not (x0 <= mx <= x1 and y0 <= my <= y1) or any(math.hypot(mx - p, my - q) <= 1e-6 * span
                                                          for p, q, _ in found):
            continue
        value, (gx, gy) = f(mx, my), grad(mx, my)
        (a, b), (_, d) = hessian(grad, mx, my)
        det = a * d - b * b
        if not (math.isfinite(value) and math.isfinite(det)) or det == 0:
            continue
        step = math.hypot((d * gx - b * gy) / det, (a * gy - b * gx) / det)
        if step <= 1e-8 * span and classify(grad, mx, my) == "min":
            found.append((mx, my, value))
    if not found:
        return (), samples
    low = min(v for _, _, v in found)
    tol = 1e-12 * max(1.0, abs(low))
    found.sort(key=lambda m: m[2])
    return tuple(Minimum(x, y, v, v <= low + tol) for x, y, v in found), samples


def custom_surface(text, bounds, name="Your function"):
    """A Surface (key "custom") for f(x, y) given as text over ``bounds`` = ((xmin, xmax), (ymin, ymax)).

    Raises ExprError for text that does not parse and ValueError for bad bounds or for an f that is not
    finite anywhere on the view. Minima come from ``find_minima`` and the record has ``computed=True``.
    The default start is the point at 80% of each axis, or the nearest grid sample where f and its gradient
    are finite. Contours are spaced on a log scale when most of the view lies within 10% of f's range above
    its lowest sample.
    """
    expr = parse(text)
    bounds = check_bounds(bounds)
    (x0, x1), (y0, y1) = bounds
    minima, samples = find_minima(expr.f, expr.grad, bounds)
    finite = sorted(v for row in samples for v in row if v < _INF)
    if not finite:
        raise ValueError(f"f(x, y) = {expr.text} is not finite anywhere in the view {bounds!r}")
    start = _default_start(expr, bounds, samples)
    low, high, median = finite[0], finite[-1], finite[len(finite) // 2]
    levels = "log" if high > low and (median - low) < 0.1 * (high - low) else "linear"
    return Surface(name, expr.f, expr.grad, bounds, key="custom", minima=minima, starts=(start,),
                   latex="f(x, y) = " + expr.latex, tags={"custom"}, levels=levels,
                   description=f"f(x, y) = {expr.text}, typed by you; minima found numerically "
                               f"(grid scan over the view, then Newton's method).",
                   computed=True)


def _default_start(expr, bounds, samples):
    (x0, x1), (y0, y1) = bounds
    grid = len(samples) - 1

    def ok(x, y):
        return math.isfinite(expr.f(x, y)) and all(math.isfinite(g) for g in expr.grad(x, y))

    sx, sy = x0 + 0.8 * (x1 - x0), y0 + 0.8 * (y1 - y0)
    if ok(sx, sy):
        return sx, sy
    cells = sorted(((i - 0.8 * grid) ** 2 + (j - 0.8 * grid) ** 2, i, j)
                   for i in range(grid + 1) for j in range(grid + 1) if samples[i][j] < _INF)
    for _, i, j in cells:
        x, y = x0 + (x1 - x0) * i / grid, y0 + (y1 - y0) * j / grid
        if ok(x, y):
            return x, y
    raise ValueError(f"f(x, y) = {expr.text} has no point in the view where f and its gradient are finite")
