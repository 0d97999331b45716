"""pycore.expr: the safe f(x, y) parser, its exact gradient and the custom Surface.

The parse-tree strategies below build trees in the parser's own shape, so a round trip through the
canonical text must give the identical tree. Python's own parser serves as an independent oracle for
precedence and float semantics: the *canonical text we generate* is evaluated with ``eval`` over a namespace
with no builtins (never user input; pycore itself never calls eval).
"""
import math
import re

import pytest
from hypothesis import assume, given, settings, strategies as st

import pycore
from pycore.expr import (ExprError, FUNCTIONS, MAX_DEPTH, MAX_LENGTH, compile_tree, custom_surface, describe,
                         parse, to_latex, to_text)


def value(text, x=0.3, y=-0.7):
    return parse(text).f(x, y)


# --- grammar and precedence ----------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("-x**2", -(0.3 ** 2)),
    ("2**-1", 0.5),
    ("2^3^2", 512.0),
    ("2**3**2", 512.0),
    ("(2**3)**2", 64.0),
    ("x - y - 1", 0.3 - (-0.7) - 1),
    ("8/2/2", 2.0),
    ("2*3**2", 18.0),
    ("-2**2", -4.0),
    ("--x", 0.3),
    ("+x", 0.3),
    (".5 + 1. + 1e-3 + 2E+2", 0.5 + 1.0 + 1e-3 + 200.0),
    ("pi*e", math.pi * math.e),
    ("max(x, y) - min(x, y)", 1.0),
    ("sin(x)**2 + cos(x)**2", math.sin(0.3) ** 2 + math.cos(0.3) ** 2),
    ("  x\t+\ny ", 0.3 - 0.7),
])
def test_precedence_and_values(text, expected):
    assert value(text) == expected


def test_caret_is_power_and_canonical_text_uses_python_syntax():
    e = parse("x^2 + 3*sin(y)")
    assert e.text == "x**2 + 3*sin(y)"
    assert e.tree == parse(e.text).tree


def test_every_whitelisted_function_parses_and_evaluates():
    for name, func in FUNCTIONS.items():
        args = ", ".join(["0.25 + 0*x"] * func.arity)
        assert math.isfinite(value(f"{name}({args})")), name


# --- refusals ------------------------------------------------------------------------------------------
HOSTILE = [
    ("__import__('os')", 0),
    ("__import__('os').system('rm -rf /')", 0),
    ("().__class__", 1),
    ("().__class__.__bases__[0].__subclasses__()", 1),
    ("js.document", 0),
    ("x.real", 1),
    ("x.__class__", 1),
    ("lambda: 1", 0),
    ("'x'", 0),
    ('"x"', 0),
    ("[x]", 0),
    ("{x}", 0),
    ("x; y", 1),
    ("x = 1", 2),
    ("x if y else 1", 2),
    ("open('f')", 0),
    ("eval('1')", 0),
    ("globals()", 0),
    ("x @ y", 2),
    ("x # comment", 2),
    ("\\x", 0),
    ("x²", 1),
    ("é", 0),
    ("x()", 1),
    ("sin", 3),
]


@pytest.mark.parametrize("text, pos", HOSTILE)
def test_hostile_input_is_refused_with_its_position(text, pos):
    with pytest.raises(ExprError) as info:
        parse(text)
    assert info.value.pos == pos
    assert str(info.value).startswith(f"column {pos + 1}: ")
    assert info.value.message


MALFORMED = [
    ("x +", 3, "found the end"),
    ("sin(x", 5, "to close the '(' at column 4"),
    ("2 ** ** 3", 5, "found '**'"),
    ("x y", 2, "found 'y'"),
    ("foo(x)", 0, "unknown name 'foo'"),
    ("2x", 1, "write 2*x"),
    ("1e", 1, "exponent needs digits"),
    ("1.2.3", 3, "malformed number"),
    (")", 0, "found ')'"),
    ("(x))", 3, "unmatched ')'"),
    ("sin x", 4, "expected '(' after the function name sin"),
    ("max(x)", 0, "max takes 2 arguments, got 1"),
    ("sin(x, y)", 0, "sin takes 1 argument, got 2"),
    ("(x, y)", 2, "expected ')'"),
    ("e(x)", 1, "e is not a function"),
    ("", 0, "empty expression"),
    ("   ", 0, "empty expression"),
    ("x * (y + )", 9, "found ')'"),
    ("1/0", 1, "evaluates to inf"),
    ("x + log(0)", 4, "evaluates to -inf"),
    ("sqrt(-1) * x", 0, "evaluates to nan"),
    ("1e999 + x", 0, "too large"),
    ("1e308*10 + x", 5, "evaluates to inf"),
]


@pytest.mark.parametrize("text, pos, words", MALFORMED)
def test_error_positions(text, pos, words):
    with pytest.raises(ExprError) as info:
        parse(text)
    assert (info.value.pos, words in info.value.message) == (pos, True), info.value.message


def test_length_limit():
    with pytest.raises(ExprError) as info:
        parse("x+" * 5000 + "x")
    assert info.value.pos == MAX_LENGTH and "10001 characters" in info.value.message
    parse("+".join(["x"] * (MAX_LENGTH // 2)))    # 499 characters: fine


@pytest.mark.parametrize("opening, closing, at", [("(", ")", 0), ("-", "", 0), ("sin(", ")", 3), ("x**", "", 1)])
def test_depth_limit_is_an_error_not_a_recursion_error(opening, closing, at):
    ok = opening * MAX_DEPTH + "x" + closing * MAX_DEPTH
    deep = opening * (MAX_DEPTH + 1) + "x" + closing * (MAX_DEPTH + 1)
    assert len(deep) <= MAX_LENGTH
    try:
        parse(ok)
    except ExprError as err:       # x**x**...**x is deep enough, but its gradient is too large (another limit)
        assert "too large to differentiate" in err.message
    with pytest.raises(ExprError) as info:
        parse(deep)
    assert info.value.pos == MAX_DEPTH * len(opening) + at      # the token that opens level MAX_DEPTH + 1
    assert "nested too deeply" in info.value.message


@pytest.mark.parametrize("text", ["9**9**9", "x**9**9**9", "x**(2**2**2**2**2)", "10**400", "exp(1000)*x"])
def test_huge_constant_powers_are_refused(text):
    with pytest.raises(ExprError) as info:
        parse(text)
    assert "not a finite number" in info.value.message


@pytest.mark.parametrize("text", ["*".join(["x"] * 250), "/".join(["y"] * 250), "*".join(["sin(x*y)"] * 55),
                                  "(x*y)**" * 30 + "x"])
def test_gradients_too_large_to_evaluate_quickly_are_refused(text):
    with pytest.raises(ExprError) as info:
        parse(text)
    assert "too large to differentiate" in info.value.message


def test_realistic_long_expressions_are_accepted():
    goldstein_price = ("(1 + (x + y + 1)**2*(19 - 14*x + 3*x**2 - 14*y + 6*x*y + 3*y**2))"
                       "*(30 + (2*x - 3*y)**2*(18 - 32*x + 12*x**2 + 48*y - 36*x*y + 27*y**2))")
    e = parse(goldstein_price)
    assert e.f(0.0, -1.0) == 3.0 and e.grad(0.0, -1.0) == (0.0, 0.0)
    assert parse("+".join(["x"] * 250)).grad(1.0, 2.0) == (250.0, 0.0)


def test_huge_exponents_on_variables_evaluate_as_floats():
    e = parse("x**1e300 + 2**(1e6*y)")
    assert e.f(2.0, 0.0) == math.inf
    assert e.f(0.5, -1.0) == 0.0
    assert e.grad(2.0, 0.0)[0] == math.inf


def test_non_text_is_refused():
    with pytest.raises(ExprError):
        parse(None)
    with pytest.raises(ValueError):
        parse(b"x")


# --- IEEE semantics instead of exceptions -----------------------------------------------------------------
@pytest.mark.parametrize("text, x, y, expected", [
    ("sqrt(x)", -1.0, 0.0, math.nan),
    ("log(x)", 0.0, 0.0, -math.inf),
    ("log(x)", -1.0, 0.0, math.nan),
    ("log10(x)", 0.0, 0.0, -math.inf),
    ("x/y", 1.0, 0.0, math.inf),
    ("x/y", -1.0, 0.0, -math.inf),
    ("x/y", 0.0, 0.0, math.nan),
    ("x/y", 1.0, -0.0, -math.inf),
    ("asin(x)", 2.0, 0.0, math.nan),
    ("acos(x)", 2.0, 0.0, math.nan),
    ("exp(x)", 1000.0, 0.0, math.inf),
    ("sinh(x)", -1000.0, 0.0, -math.inf),
    ("cosh(x)", -1000.0, 0.0, math.inf),
    ("x**0.5", -1.0, 0.0, math.nan),
    ("x**-1", 0.0, 0.0, math.inf),
    ("x**y", -10.0, 401.0, -math.inf),
    ("x**y", -10.0, 400.0, math.inf),
    ("sin(exp(x))", 1000.0, 0.0, math.nan),
    ("sign(x)", -3.0, 0.0, -1.0),
    ("sign(sqrt(x))", -1.0, 0.0, math.nan),
    ("min(sqrt(x), y)", -1.0, 0.0, math.nan),
    ("max(y, sqrt(x))", -1.0, 0.0, math.nan),
])
def test_domain_errors_give_ieee_values(text, x, y, expected):
    got = value(text, x, y)
    assert got == expected or (math.isnan(got) and math.isnan(expected))
    parse(text).grad(x, y)     # never raises either


def test_a_run_into_a_domain_error_reports_divergence():
    surf = custom_surface("log(x) + y**2", ((0.01, 3.0), (-1.0, 1.0)))
    t = pycore.run("sgd", surf, start=(0.5, 0.5), steps=50, lr=1.0)
    assert t.outcome == "diverged" and "step 1" in t.reason
    assert all(math.isfinite(v) for v in t.losses)
    with pytest.raises(ValueError, match="not a finite number at the start"):
        pycore.run("sgd", surf, start=(-1.0, 0.5), steps=5)


# --- gradients -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, gx, gy", [
    ("x**2 + 3*sin(y)", "2*x", "3*cos(y)"),
    ("x*y", "y", "x"),
    ("pi*x + e**y", "pi", "e**y"),
    ("tanh(x)", "1 - tanh(x)**2", "0"),
    ("atan(y)", "0", "1/(1 + y**2)"),
    ("7", "0", "0"),
])
def test_partials_are_simplified(text, gx, gy):
    dx, dy = parse(text).partials
    assert (to_text(dx), to_text(dy)) == (gx, gy)


def test_kink_conventions_follow_torch():
    assert parse("abs(x)").grad(0.0, 0.0) == (0.0, 0.0)
    assert parse("max(x, y)").grad(1.0, 1.0) == (0.5, 0.5)
    assert parse("min(x, y)").grad(1.0, 1.0) == (0.5, 0.5)
    assert parse("min(x, y)").grad(0.0, 1.0) == (1.0, 0.0)
    assert parse("max(x, y)").grad(0.0, 1.0) == (0.0, 1.0)
    assert parse("abs(x - 2*y)").grad(-1.0, 0.0) == (-1.0, 2.0)



# torch's power rules (aten FunctionsManual.cpp, torch 2.x), written out from its source:
#   pow_backward(grad, self, exponent: Scalar)    = 0 if exponent == 0 else grad * exponent * self.pow(exponent - 1)
#   pow_backward_self(grad, self, exponent)        = where(exponent == 0, 0, grad * exponent * self.pow(exponent - 1))
#   pow_backward_exponent(grad, self, exponent, result)
#                                                  = grad * where(self == 0 & exponent >= 0, 0, result * self.log())
#   pow_backward_exponent(grad, base: Scalar, ...) = the same with the condition exponent >= 0 when base == 0
# with IEEE pow and log (C99 Annex F: pow(±0, y < 0) is ±inf, signed only for odd integers y; log(±0) = -inf).
def _c99_pow(u, v):
    if u == 0 and v < 0:
        return math.copysign(math.inf, u) if v.is_integer() and v % 2 == 1 else math.inf
    try:
        return math.pow(u, v)
    except ValueError:
        return math.nan
    except OverflowError:
        return -math.inf if u < 0 and v.is_integer() and v % 2 == 1 else math.inf


def _c99_log(u):
    return -math.inf if u == 0 else math.log(u) if u > 0 else math.nan


def torch_base_partial(u, v):
    return 0.0 if v == 0 else v * _c99_pow(u, v - 1)


def torch_exponent_partial(u, v):
    return 0.0 if u == 0 and v >= 0 else _c99_pow(u, v) * _c99_log(u)


def _same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


BASES = [0.0, -0.0, 0.5, 2.0, -1.5]
EXPONENTS = [0.0, 1.0, 2.0, 3.0, 0.5, -0.5, -1.0, -2.0]


@pytest.mark.parametrize("u", BASES)
@pytest.mark.parametrize("v", EXPONENTS)
def test_power_partials_follow_torch_at_every_base_and_exponent(u, v):
    """x**y, (x - 1)**y, x**c, 0**y and 2**y give torch's partials, zero base included (where 0·∞ used to be nan:
    x**y at (0, 0) and (0, 2), 0**y for y ≥ 0)."""
    f = parse("x**y")
    assert f.f(u, v) == _c99_pow(u, v) or math.isnan(f.f(u, v)) and math.isnan(_c99_pow(u, v))
    gx, gy = f.grad(u, v)
    assert _same(gx, torch_base_partial(u, v)) and _same(gy, torch_exponent_partial(u, v)), (gx, gy)
    shifted = parse("(x - 1)**y").grad(u + 1.0, v)           # a base that is zero away from the origin
    assert _same(shifted[0], torch_base_partial(u + 1.0 - 1.0, v))
    assert _same(shifted[1], torch_exponent_partial(u + 1.0 - 1.0, v))
    if v != 0:                                               # a number exponent: pow_backward with a Scalar
        gx, gy = parse(f"x**({v!r})").grad(u, 0.0)
        assert _same(gx, torch_base_partial(u, v)) and gy == 0.0
    assert _same(parse("0**y").grad(u, v)[1], torch_exponent_partial(0.0, v))   # a Scalar base of 0
    assert _same(parse("2**y").grad(u, v)[1], _c99_pow(2.0, v) * math.log(2.0))


def test_power_partials_at_a_zero_base_are_finite_where_torch_is():
    assert parse("x**y").grad(0.0, 0.0) == (0.0, 0.0)
    assert parse("x**y").grad(0.0, 2.0) == (0.0, 0.0)
    assert parse("x**y").grad(0.0, 1.0) == (1.0, 0.0)
    assert parse("0**x + y").grad(1.0, 3.0) == (0.0, 1.0)
    assert parse("x**2").grad(0.0, 0.0) == (0.0, 0.0)
    assert parse("x**0.5").grad(0.0, 0.0) == (math.inf, 0.0)      # torch: 0.5 * 0**-0.5 = inf
    assert parse("x**-1").f(-0.0, 0.0) == -math.inf             # IEEE (and torch): (-0)**-1 = -inf


def test_power_partials_are_shown_as_their_formulas():
    assert [to_text(p) for p in parse("x**y").partials] == ["y*x**(-1 + y)", "x**y*log(x)"]
    assert [to_text(p) for p in parse("0**x").partials] == ["0**x*log(0)", "0"]
    assert [to_latex(p) for p in parse("(x - 1)**y").partials] == [
        r"y \, \left(x - 1\right)^{-1 + y}", r"\left(x - 1\right)^{y} \, \ln\left(x - 1\right)"]


def test_a_run_through_a_zero_base_is_not_refused_where_torch_has_a_gradient():
    s = custom_surface("x**y + (x - 0.5)**2 + (y - 1)**2", ((0, 1), (0, 2)))
    t = pycore.run("adam", s, start=(0.0, 0.0), steps=20, lr=0.01)
    assert t.points[1] == pytest.approx((0.01, 0.01))         # Adam's first step: lr · sign(g), g = (-1, -2)
    with pytest.raises(ValueError, match="not a finite number at the start"):
        pycore.run("sgd", custom_surface("abs(x)**0.5 + y**2", ((-1, 1), (-1, 1))), start=(0.0, 0.5), steps=5)

def central_difference(f, x, y, h):
    """Fourth-order central differences of f at (x, y) with step h."""
    def d(g):
        return (-g(2 * h) + 8 * g(h) - 8 * g(-h) + g(-2 * h)) / (12 * h)
    return d(lambda t: f(x + t, y)), d(lambda t: f(x, y + t))


# Smooth trees in the parser's own shape. Numbers are non-negative (a sign is a "neg" node).
numbers = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 0.25, 1.5, 10.0, 1e-3])
leaves = st.one_of(numbers.map(lambda v: ("num", v)), st.sampled_from([("name", "x"), ("name", "y"),
                                                                      ("name", "pi"), ("name", "e")]))


def _sum(children, signs):
    return ("sum", tuple(zip(("+",) + tuple(signs), children)))


def _prod(children, ops):
    return ("prod", tuple(zip(("*",) + tuple(ops), children)))


def positive(u):       # 1 + u², a smooth positive base
    return ("sum", (("+", ("num", 1.0)), ("+", ("pow", u, ("num", 2.0)))))


def smooth_trees(extend_with_ops=True):
    def extend(inner):
        pair = st.lists(inner, min_size=2, max_size=3)
        return st.one_of(
            pair.flatmap(lambda c: st.lists(st.sampled_from("+-"), min_size=len(c) - 1, max_size=len(c) - 1)
                         .map(lambda s: _sum(c, s))),
            pair.map(lambda c: _prod(c, ["*"] * (len(c) - 1))),
            st.tuples(inner, inner).map(lambda ab: ("prod", (("*", ab[0]), ("/", positive(ab[1]))))),
            inner.map(lambda a: ("neg", a)),
            st.tuples(inner, st.sampled_from([2.0, 3.0, 0.5])).map(
                lambda a: ("pow", positive(a[0]) if a[1] == 0.5 else a[0], ("num", a[1]))),
            st.tuples(inner, inner).map(lambda ab: ("pow", positive(ab[0]), ab[1])),
            st.tuples(st.sampled_from(["sin", "cos", "tanh", "atan", "exp", "sinh"]), inner).map(
                lambda fa: ("call", fa[0], (fa[1],))),
            inner.map(lambda a: ("call", "log", (positive(a),))),
            inner.map(lambda a: ("call", "sqrt", (positive(a),))),
        )
    return st.recursive(leaves, extend, max_leaves=12)


points = st.tuples(st.floats(-2, 2), st.floats(-2, 2))


def _parses(tree):
    text = to_text(tree)
    assume(len(text) <= MAX_LENGTH)
    try:
        return parse(text)
    except ExprError as err:       # a generated constant part may overflow: refused, as it should be
        assume("not a finite number" not in err.message)
        raise


@settings(max_examples=300, deadline=None)
@given(smooth_trees())
def test_round_trip_through_canonical_text(tree):
    e = _parses(tree)
    assert e.tree == tree
    assert parse(e.text).text == e.text


PYTHON_NAMES = {**{name: getattr(math, name) for name in FUNCTIONS if hasattr(math, name)},
                "abs": abs, "pi": math.pi, "e": math.e}


@settings(max_examples=300, deadline=None)
@given(smooth_trees(), points)
def test_f_equals_python_evaluation_bit_for_bit(tree, point):
    e = _parses(tree)
    # Python would compute integer literals in exact integer arithmetic; the oracle must use floats too
    as_floats = re.sub(r"\b\d+(\.\d*)?(e[+-]?\d+)?", lambda m: m[0] if m[1] or m[2] else m[0] + ".0", e.text)
    try:
        expected = eval(as_floats, {"__builtins__": {}}, {**PYTHON_NAMES, "x": point[0], "y": point[1]})
    except (OverflowError, ZeroDivisionError, ValueError):
        assume(False)
    assume(isinstance(expected, float) and math.isfinite(expected))
    assert e.f(*point) == expected


@settings(max_examples=400, deadline=None)
@given(smooth_trees(), points)
def test_gradient_matches_central_differences(tree, point):
    e = _parses(tree)
    x, y = point
    f0, (gx, gy) = e.f(x, y), e.grad(x, y)
    assume(all(math.isfinite(v) and abs(v) < 1e6 for v in (f0, gx, gy)))
    h = 1e-3
    coarse, fine = central_difference(e.f, x, y, h), central_difference(e.f, x, y, h / 2)
    scale = 1.0 + abs(f0) + abs(gx) + abs(gy)
    # where the difference quotient has not settled (steep higher derivatives), it is no reference
    assume(all(abs(a - b) <= 1e-7 * scale for a, b in zip(coarse, fine)))
    assert abs(gx - fine[0]) <= 1e-6 * scale
    assert abs(gy - fine[1]) <= 1e-6 * scale


def test_gradient_of_a_known_surface_is_the_hand_derived_one():
    e = parse("(1 - x)**2 + 100*(y - x**2)**2")
    for x, y in [(-1.5, 2.5), (0.3, -0.7), (1.0, 1.0)]:
        assert e.grad(x, y) == pytest.approx(pycore.SURFACES["rosenbrock"].grad(x, y), rel=1e-14, abs=1e-14)


# --- LaTeX ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, latex", [
    ("x**2 + 3*sin(y)", r"x^{2} + 3 \, \sin\left(y\right)"),
    ("sin(x*y)*exp(-x**2 - y**2)", r"\sin\left(x \, y\right) \, e^{-x^{2} - y^{2}}"),
    ("(x + 1)/(y*2)", r"\frac{x + 1}{y \cdot 2}"),
    ("x/(y + 1)/2", r"\frac{x}{\left(y + 1\right) \cdot 2}"),
    ("1/x", r"\frac{1}{x}"),
    ("sqrt(abs(x)) + log(y)", r"\sqrt{\left|x\right|} + \ln\left(y\right)"),
    ("pi*x - -y", r"\pi \, x - \left(-y\right)"),
    ("(x**2)**0.5 + 1e-3*y", r"\left(x^{2}\right)^{0.5} + 0.001 \, y"),
    ("exp(x)**2 + 2.5e-7", r"\left(e^{x}\right)^{2} + 2.5 \times 10^{-7}"),
    ("1e-5*x + 1e20", r"10^{-5} \, x + 10^{20}"),
    ("max(x, y) + log10(x)", r"\max\left(x, y\right) + \log_{10}\left(x\right)"),
])
def test_latex(text, latex):
    assert parse(text).latex == latex


@settings(max_examples=200, deadline=None)
@given(smooth_trees())
def test_latex_braces_balance(tree):
    for t in (tree,) + _parses(tree).partials:
        s = to_latex(t)
        depth = 0
        for c in s.replace(r"\{", "").replace(r"\}", ""):
            depth += (c == "{") - (c == "}")
            assert depth >= 0
        assert depth == 0 and s.count(r"\left") == s.count(r"\right")


# --- compile_tree ----------------------------------------------------------------------------------------
def test_constant_prefixes_fold_without_reordering():
    # x + 1 + 2 must stay (x + 1) + 2: folding 1 + 2 first would round differently
    f = compile_tree(parse("x + 0.1 + 0.2").tree)
    assert f(1e16, 0.0) == (1e16 + 0.1) + 0.2
    assert compile_tree(parse("0.1 + 0.2 + x").tree)(0.0, 0.0) == 0.1 + 0.2


def test_describe_is_json_ready_for_the_page():
    import json
    ok = json.loads(json.dumps(describe("x^2 + 3*sin(y)")))
    assert ok == {"ok": True, "text": "x**2 + 3*sin(y)", "latex": r"x^{2} + 3 \, \sin\left(y\right)",
                  "gradient_text": ["2*x", "3*cos(y)"], "gradient_latex": [r"2 \, x", r"3 \, \cos\left(y\right)"]}
    bad = json.loads(json.dumps(describe("x +")))
    assert bad == {"ok": False, "pos": 3, "column": 4, "message": bad["message"]} and "expected" in bad["message"]


# --- custom_surface ---------------------------------------------------------------------------------------
def test_custom_surface_record():
    s = custom_surface("(x - 1)**2 + 2*(y + 2)**2", ((-4, 4), (-4, 4)))
    assert isinstance(s, pycore.Surface)
    assert (s.key, s.computed, s.tags) == ("custom", True, frozenset({"custom"}))
    assert s.latex == r"f(x, y) = \left(x - 1\right)^{2} + 2 \, \left(y + 2\right)^{2}"
    assert s.bounds == ((-4.0, 4.0), (-4.0, 4.0))
    assert len(s.minima) == 1
    m = s.minima[0]
    assert (m.x, m.y, m.is_global) == (pytest.approx(1.0, abs=1e-12), pytest.approx(-2.0, abs=1e-12), True)
    assert s.starts[0] == pytest.approx((2.4, 2.4))
    t = pycore.run("adam", s, steps=3000, lr=0.05)
    assert t.outcome == "global" and t.reached == 0


def test_himmelblau_four_global_minima_found_numerically():
    s = custom_surface("(x**2 + y - 11)**2 + (x + y**2 - 7)**2", ((-5, 5), (-5, 5)))
    assert len(s.minima) == 4 and all(m.is_global for m in s.minima)
    assert min(math.hypot(m.x - 3, m.y - 2) for m in s.minima) < 1e-10
    for m in s.minima:
        assert math.hypot(*s.grad(m.x, m.y)) < 1e-9 and m.value < 1e-20


def test_multimodal_minima_are_stationary_distinct_and_global_is_lowest():
    s = custom_surface("sin(3*x)*cos(3*y) + 0.05*(x**2 + y**2)", ((-2, 2), (-2, 2)))
    assert len(s.minima) >= 4
    low = min(m.value for m in s.minima)
    assert [m for m in s.minima if m.is_global] == [m for m in s.minima if m.value == low]
    for i, m in enumerate(s.minima):
        assert math.hypot(*s.grad(m.x, m.y)) < 1e-9
        assert -2 <= m.x <= 2 and -2 <= m.y <= 2
        assert all(math.hypot(m.x - n.x, m.y - n.y) > 1e-3 for n in s.minima[i + 1:])


def test_flat_directions_list_no_false_minima():
    assert custom_surface("x + y", ((-1, 1), (-1, 1))).minima == ()
    assert custom_surface("x**2", ((-1, 1), (-1, 1))).minima == ()     # a valley of minima, none strict


def test_contour_spacing_hint_is_computed_from_the_samples():
    assert custom_surface("(1 - x)**2 + 100*(y - x**2)**2", ((-2, 2), (-1, 3))).levels == "log"
    assert custom_surface("x**2 + y**2", ((-2, 2), (-2, 2))).levels == "linear"


def test_default_start_avoids_non_finite_points():
    s = custom_surface("log(-x) + y**2", ((-1, 1), (-1, 1)))
    x, y = s.starts[0]
    assert x < 0 and math.isfinite(s.f(x, y))


@pytest.mark.parametrize("bounds", [((1, -1), (0, 1)), ((0, 1), (0, 0)), ((0, math.inf), (0, 1)), "box",
                                    ((0, 1),), ((0, "a"), (0, 1))])
def test_custom_surface_refuses_bad_bounds(bounds):
    with pytest.raises(ValueError, match="bounds"):
        custom_surface("x + y", bounds)


def test_custom_surface_refuses_a_function_finite_nowhere():
    with pytest.raises(ValueError, match="not finite anywhere"):
        custom_surface("log(-1 - x**2) + y", ((-1, 1), (-1, 1)))


def test_custom_surface_passes_parse_errors_through():
    with pytest.raises(ExprError) as info:
        custom_surface("x +* y", ((-1, 1), (-1, 1)))
    assert info.value.pos == 3
