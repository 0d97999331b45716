"""The surface library checks itself: every gradient against the function, every listed point against the
gradient and the Hessian, every global flag against a fine grid, every tag and every number in a description
against the record, and published values as a loose cross-check. Pure Python (runs in Pyodide too).
"""
import functools
import math
import random
import re

import pytest
from hypothesis import given, settings, strategies as st

import pycore
from pycore.stationary import classify, hessian
from pycore.surfaces import SURFACES, TAGS, _SURFACES

KEYS = sorted(SURFACES)
REQUIRED = {"rosenbrock", "himmelblau", "rastrigin", "ackley", "beale", "saddle", "two_wells", "quadratic"}
EPS = 2.220446049250313e-16
GRID = 201


def _points(s):
    """Every listed stationary point with its expected kind."""
    return ([(m, "min") for m in s.minima] + [(p, "saddle") for p in s.saddles]
            + [(p, "max") for p in s.maxima])


@functools.lru_cache(maxsize=None)
def _grid(key):
    """f on a GRID x GRID lattice over the bounds (rows are x), with the lattice coordinates."""
    s = SURFACES[key]
    (x0, x1), (y0, y1) = s.bounds
    xs = [x0 + (x1 - x0) * i / (GRID - 1) for i in range(GRID)]
    ys = [y0 + (y1 - y0) * j / (GRID - 1) for j in range(GRID)]
    f = s.f
    return xs, ys, [[f(x, y) for y in ys] for x in xs]


@functools.lru_cache(maxsize=None)
def _grad_scale(key):
    """The largest |grad f| on a 21 x 21 lattice over the bounds: the surface's gradient scale."""
    s = SURFACES[key]
    (x0, x1), (y0, y1) = s.bounds
    return max(math.hypot(*s.grad(x0 + (x1 - x0) * i / 20, y0 + (y1 - y0) * j / 20))
               for i in range(21) for j in range(21))


def _value_tol(key):
    """Rounding-level tolerance on values: f's spread over the view times 1e-12."""
    _, _, vals = _grid(key)
    return 1e-12 * max(1.0, max(map(max, vals)) - min(map(min, vals)))


# --- registry and metadata ----------------------------------------------------------------------------------
def test_registry_has_the_required_surfaces_with_unique_keys():
    assert REQUIRED <= set(SURFACES)
    assert len(SURFACES) >= 14
    assert len(SURFACES) == len(_SURFACES), "two records share a key"
    assert all(s.key == k for k, s in SURFACES.items())
    assert len({s.name for s in _SURFACES}) == len(_SURFACES), "two records share a display name"


def _braces_balanced(tex):
    depth = 0
    for ch in re.sub(r"\\[{}]", "", tex):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("key", KEYS)
def test_metadata_is_complete_and_well_formed(key):
    s = SURFACES[key]
    assert s.name and s.reference and s.description and "\n" not in s.description
    assert s.latex.startswith("f(x, y) = ")
    assert _braces_balanced(s.latex), s.latex
    assert s.latex.count(r"\left") == s.latex.count(r"\right")
    assert s.tags <= TAGS and s.tags
    assert ("convex" in s.tags) != ("non-convex" in s.tags)
    assert s.levels in ("log", "linear")
    assert 2 <= len(s.starts) <= 3


def test_latex_check_can_fail():
    assert not _braces_balanced(r"\left[1 + x^{2\right]")
    assert not _braces_balanced(r"x}{")
    assert _braces_balanced(r"\{x\} + e^{-x}")


@pytest.mark.parametrize("key", KEYS)
def test_starts_and_listed_points_lie_inside_the_bounds(key):
    s = SURFACES[key]
    (x0, x1), (y0, y1) = s.bounds
    for x, y in list(s.starts) + [(p.x, p.y) for p, _ in _points(s)]:
        assert x0 <= x <= x1 and y0 <= y <= y1, (x, y)


@pytest.mark.parametrize("key", KEYS)
def test_view_is_square_or_near_square(key):
    (x0, x1), (y0, y1) = SURFACES[key].bounds
    assert 2 / 3 <= (x1 - x0) / (y1 - y0) <= 3 / 2


# --- gradients ----------------------------------------------------------------------------------------------
def _gradcheck(f, grad, x, y):
    """None if grad(x, y) agrees with central differences of f, else a message.

    h = 1e-6·max(1, |x|) per coordinate (the actually representable step is used). The tolerance allows
    the difference quotient's rounding error (1e3·ε·max(1, |f|)/h) and its truncation, well below 1e-7 of
    the gradient's size; a gradient wrong by a factor 1 + 1e-5 fails.
    """
    gx, gy = grad(x, y)
    fa = max(1.0, abs(f(x, y)))
    for i, (g, v) in enumerate(((gx, x), (gy, y))):
        h = 1e-6 * max(1.0, abs(v))
        if i == 0:
            a, b = x + h, x - h
            fd = (f(a, y) - f(b, y)) / (a - b)
        else:
            a, b = y + h, y - h
            fd = (f(x, a) - f(x, b)) / (a - b)
        tol = 1e3 * EPS * fa / h + 1e-7 * (abs(gx) + abs(gy))
        if not abs(fd - g) <= tol:
            return f"d/d{'xy'[i]} at ({x!r}, {y!r}): analytic {g!r}, central difference {fd!r}, tol {tol:.3g}"
    return None


def _widened(s, margin=0.25):
    """The bounds widened by ``margin`` of their span on each side: gradients are checked beyond the view."""
    (x0, x1), (y0, y1) = s.bounds
    dx, dy = margin * (x1 - x0), margin * (y1 - y0)
    return (x0 - dx, x1 + dx), (y0 - dy, y1 + dy)


@pytest.mark.parametrize("key", KEYS)
def test_gradient_matches_central_differences_at_random_points(key):
    s = SURFACES[key]
    (x0, x1), (y0, y1) = _widened(s)
    rng = random.Random(key)
    for _ in range(400):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        assert _gradcheck(s.f, s.grad, x, y) is None


@pytest.mark.parametrize("key", KEYS)
@settings(max_examples=60, deadline=None, derandomize=True)
@given(u=st.floats(0.0, 1.0), v=st.floats(0.0, 1.0))
def test_gradient_matches_central_differences_hypothesis(key, u, v):
    s = SURFACES[key]
    (x0, x1), (y0, y1) = _widened(s)
    x, y = x0 + u * (x1 - x0), y0 + v * (y1 - y0)
    assert _gradcheck(s.f, s.grad, x, y) is None


@pytest.mark.parametrize("key", KEYS)
def test_gradient_check_catches_a_slightly_wrong_gradient(key):
    """The check above can fail: a 1e-5 relative error, or a swapped pair, is caught somewhere."""
    s = SURFACES[key]
    (x0, x1), (y0, y1) = s.bounds
    rng = random.Random(1)
    pts = [(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(50)]
    mutants = [
        lambda x, y: tuple(g * (1 + 1e-5) for g in s.grad(x, y)),
        lambda x, y: (s.grad(x, y)[0], s.grad(x, y)[1] + 1e-5 * abs(s.grad(x, y)[0])),
        lambda x, y: s.grad(x, y)[::-1],
    ]
    for m in mutants:
        assert any(_gradcheck(s.f, m, x, y) for x, y in pts)


@pytest.mark.parametrize("key", KEYS)
def test_value_and_gradient_finite_over_a_wide_region(key):
    s = SURFACES[key]
    (x0, x1), (y0, y1) = _widened(s, 2.0)
    for i in range(41):
        for j in range(41):
            x, y = x0 + (x1 - x0) * i / 40, y0 + (y1 - y0) * j / 40
            assert all(math.isfinite(v) for v in (s.f(x, y), *s.grad(x, y))), (x, y)


# --- listed stationary points ----------------------------------------------------------------------------------
def _smooth_points(s):
    return [(p, kind) for p, kind in _points(s) if not ("non-smooth" in s.tags and (p.x, p.y) == (0.0, 0.0))]


@pytest.mark.parametrize("key", KEYS)
def test_listed_points_are_stationary_of_their_kind_with_the_value_of_f(key):
    s = SURFACES[key]
    scale = _grad_scale(key)
    for p, kind in _points(s):
        assert p.value == s.f(p.x, p.y)
    for p, kind in _smooth_points(s):
        assert math.hypot(*s.grad(p.x, p.y)) <= 1e-11 * scale, (p, kind)
        assert classify(s.grad, p.x, p.y) == kind, (p, kind)


@pytest.mark.parametrize("key", KEYS)
def test_listed_points_are_distinct(key):
    pts = [p for p, _ in _points(SURFACES[key])]
    (x0, x1), _ = SURFACES[key].bounds
    for i, p in enumerate(pts):
        for q in pts[:i]:
            assert math.hypot(p.x - q.x, p.y - q.y) > 1e-6 * (x1 - x0), (p, q)


@pytest.mark.parametrize("key", KEYS)
def test_global_flags_against_a_201_grid(key):
    s = SURFACES[key]
    _, _, vals = _grid(key)
    low = min(map(min, vals))
    tol = _value_tol(key)
    if not s.minima:
        return
    best = min(m.value for m in s.minima)
    assert low >= best - tol, f"a grid point has f = {low!r} below the global minimum {best!r}"
    for m in s.minima:
        assert m.is_global == (m.value <= best + tol), m
        if not m.is_global:
            assert m.value > best + 1e3 * tol


def _descend(s, x, y, iterations=500):
    """Levenberg-Marquardt descent from (x, y): damped Newton steps -(H + mu I)^-1 grad that must lower f.
    Returns where it stops: at a minimum, or just after it leaves the view."""
    (x0, x1), (y0, y1) = s.bounds
    fv, mu = s.f(x, y), 1.0
    for _ in range(iterations):
        gx, gy = s.grad(x, y)
        (a, b), (_, d) = hessian(s.grad, x, y)
        mu = max(mu, 1e-12 * (abs(a) + abs(d)))
        while True:
            pa, pd = a + mu, d + mu
            det = pa * pd - b * b
            if det > 0 and pa > 0:
                dx, dy = -(pd * gx - b * gy) / det, -(pa * gy - b * gx) / det
                fn = s.f(x + dx, y + dy)
                if fn < fv:
                    break
            mu *= 4.0
            if mu > 1e30:
                return x, y
        x, y, fv, mu = x + dx, y + dy, fn, mu / 4.0
        if not (x0 <= x <= x1 and y0 <= y <= y1) or math.hypot(dx, dy) <= 1e-13 * (x1 - x0):
            return x, y
    return x, y


@pytest.mark.parametrize("key", KEYS)
def test_every_minimum_in_the_view_is_listed(key):
    """Each interior grid point lower than its 8 neighbours is within two grid cells of a listed minimum, or
    a damped-Newton descent from it reaches a listed minimum or leaves the view (a valley running out of it:
    Beale's toward x -> -inf)."""
    s = SURFACES[key]
    xs, ys, vals = _grid(key)
    (x0, x1), (y0, y1) = s.bounds
    cell = max(xs[1] - xs[0], ys[1] - ys[0])
    near = lambda x, y, r: any(math.hypot(m.x - x, m.y - y) <= r for m in s.minima)
    for i in range(1, GRID - 1):
        row, up, down = vals[i], vals[i - 1], vals[i + 1]
        for j in range(1, GRID - 1):
            v = row[j]
            if (v < row[j - 1] and v < row[j + 1] and v < up[j - 1] and v < up[j] and v < up[j + 1]
                    and v < down[j - 1] and v < down[j] and v < down[j + 1]) and not near(xs[i], ys[j], 2 * cell):
                x, y = _descend(s, xs[i] + 0.1 * cell, ys[j] + 0.07 * cell)  # off any grid-aligned saddle
                inside = x0 <= x <= x1 and y0 <= y <= y1
                assert not inside or near(x, y, 1e-6 * (x1 - x0)), \
                    f"unlisted minimum near ({x:.6g}, {y:.6g}), found from the grid point ({xs[i]:.4g}, {ys[j]:.4g})"


def test_minimum_search_can_fail():
    """The search above finds a minimum the record leaves out."""
    s = SURFACES["two_wells"]
    (x0, x1), _ = s.bounds
    x, y = _descend(s, 0.8, 0.3)
    assert math.hypot(x - 0.905317899, y) < 1e-6 and s.minima[1].is_global is False
    x, y = _descend(s, -1.0, -0.3)
    assert math.hypot(x - s.minima[0].x, y) < 1e-6 * (x1 - x0)


def _rounds_to(value, text):
    """True when ``value`` printed with as many decimals as ``text`` gives ``text`` (unicode minus allowed)."""
    text = text.replace("−", "-")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return abs(value - float(text)) <= 0.5 * 10 ** -decimals + 1e-12


def _condition(s, m):
    (a, b), (_, d) = hessian(s.grad, m.x, m.y)
    half, disc = 0.5 * (a + d), math.hypot(0.5 * (a - d), b)
    return (half + disc) / (half - disc)


@pytest.mark.parametrize("key", KEYS)
def test_numbers_in_the_description_match_the_record(key):
    s = SURFACES[key]
    text = s.description
    pts = [p for p, _ in _points(s)]
    num = r"[−-]?\d+(?:\.\d+)?"
    for a, b in re.findall(rf"\(({num}), ({num})\)", text):
        assert any(_rounds_to(p.x, a) and _rounds_to(p.y, b) for p in pts), f"({a}, {b}) is not listed"
    globals_ = s.global_minima
    counts = {"minima": len(s.minima), "equal minima": len(s.minima) if len(globals_) == len(s.minima) else -1,
              "global minima": len(globals_), "local minima": len(s.minima) - len(globals_),
              "saddles": len(s.saddles), "maxima": len(s.maxima)}
    for n, what in re.findall(r"(\d+) ((?:equal |global |local )?(?:minima|saddles|maxima))", text):
        assert int(n) == counts[what], f"{n} {what}"
    for n in re.findall(r"condition number (\d+)", text):
        assert round(_condition(s, globals_[0])) == int(n)
    for v in re.findall(rf"minimum ({num}) at", text):
        assert _rounds_to(globals_[0].value, v)


# --- tags that can be computed -----------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _min_hessian_eigenvalue(key):
    s = SURFACES[key]
    (x0, x1), (y0, y1) = s.bounds
    out = math.inf
    for i in range(21):
        for j in range(21):
            (a, b), (_, d) = hessian(s.grad, x0 + (x1 - x0) * i / 20, y0 + (y1 - y0) * j / 20)
            out = min(out, 0.5 * (a + d) - math.hypot(0.5 * (a - d), b))
    return out


@pytest.mark.parametrize("key", KEYS)
def test_computable_tags_are_true(key):
    s = SURFACES[key]
    tags = s.tags
    lam = _min_hessian_eigenvalue(key)
    assert ("convex" in tags) == (lam >= -1e-6 * _grad_scale(key)), lam
    assert ("multimodal" in tags) == (len(s.minima) > 1)
    assert ("unimodal" in tags) == (len(s.minima) == 1)
    assert ("saddle" in tags) == bool(s.saddles)
    if s.minima:
        assert ("ill-conditioned" in tags) == (_condition(s, s.global_minima[0]) >= 20) or "non-smooth" in tags
    (x0, x1), (y0, y1) = s.bounds
    rng = random.Random(2)
    mixed = 0.0  # f(x, y) - f(x, y') - f(x', y) + f(x', y') vanishes for every pair iff f is separable
    for _ in range(50):
        x, xp, y, yp = rng.uniform(x0, x1), rng.uniform(x0, x1), rng.uniform(y0, y1), rng.uniform(y0, y1)
        mixed = max(mixed, abs(s.f(x, y) - s.f(x, yp) - s.f(xp, y) + s.f(xp, yp)))
    assert ("separable" in tags) == (mixed <= 1e-9 * _grad_scale(key) * (x1 - x0)), mixed
    if "unbounded" in tags:
        best = min((m.value for m in s.minima), default=math.inf)
        far = [s.f(x0 + (x1 - x0) * i / 10, y0 + (y1 - y0) * j / 10) for i in range(-50, 61) for j in range(-50, 61)]
        assert min(far) < best - 1.0 and min(far) < min(map(min, _grid(key)[2]))


@pytest.mark.parametrize("key", KEYS)
def test_non_smooth_tag_marks_a_kink_at_a_listed_minimum(key):
    """One-sided slopes differ at some listed minimum exactly when the surface is tagged non-smooth."""
    s = SURFACES[key]
    h = 1e-7
    kinks = [m for m in s.minima
             if abs((s.f(m.x + h, m.y) - m.value) / h + (s.f(m.x - h, m.y) - m.value) / h) > 1e-3 * _grad_scale(key)]
    assert bool(kinks) == ("non-smooth" in s.tags)


# --- published values, as a cross-check of the computed ones --------------------------------------------------------
PUBLISHED = {  # key: [(x, y, f, kind, coordinate tolerance)]; literature values, typed from the sources.
    # f is compared to the digits it is published with; coordinates within the tolerance given.
    "rosenbrock": [(1.0, 1.0, 0.0, "global", 1e-12)],
    "himmelblau": [(3.0, 2.0, 0.0, "global", 1e-12), (-2.805118, 3.131312, 0.0, "global", 1e-5),
                   (-3.779310, -3.283186, 0.0, "global", 1e-5), (3.584428, -1.848126, 0.0, "global", 1e-5),
                   (-0.270845, -0.923039, 181.617, "max", 1e-5)],
    "rastrigin": [(0.0, 0.0, 0.0, "global", 1e-12)],
    "ackley": [(0.0, 0.0, 0.0, "global", 0.0)],
    "beale": [(3.0, 0.5, 0.0, "global", 1e-10), (0.0, 1.0, 14.203125, "saddle", 1e-10)],
    "saddle": [(0.0, 0.0, 0.0, "saddle", 1e-12)],
    "two_wells": [(-0.936, 0.0, -2.063, "global", 1e-3), (0.905, 0.0, -1.093, "local", 1e-3)],
    "quadratic": [(0.0, 0.0, 0.0, "global", 1e-12)],
    "booth": [(1.0, 3.0, 0.0, "global", 1e-10)],
    "matyas": [(0.0, 0.0, 0.0, "global", 1e-12)],
    "six_hump_camel": [(0.0898, -0.7126, -1.0316, "global", 1e-4), (-0.0898, 0.7126, -1.0316, "global", 1e-4)],
    "goldstein_price": [(0.0, -1.0, 3.0, "global", 1e-10)],
    "styblinski_tang": [(-2.903534, -2.903534, -78.33233, "global", 1e-5)],
    # Jamil & Yang and Wikipedia give f = -1.9133 here; the exact value is -pi/3 - sqrt(3)/2 = -1.913223, so
    # the published last digit is off (see test_global_values_are_exact_where_known).
    "mccormick": [(-0.54719, -1.54719, -1.913, "global", 1e-5)],
    "three_hump_camel": [(0.0, 0.0, 0.0, "global", 1e-12)],
    "plateau": [(0.0, 0.0, 0.0, "global", 1e-12)],
}


@pytest.mark.parametrize("key", KEYS)
def test_computed_points_agree_with_published_values(key):
    s = SURFACES[key]
    assert key in PUBLISHED, "add the literature values for a new surface"
    pools = {"global": s.global_minima, "local": [m for m in s.minima if not m.is_global],
             "saddle": s.saddles, "max": s.maxima}
    for x, y, value, kind, tol in PUBLISHED[key]:
        near = [p for p in pools[kind] if abs(p.x - x) <= tol and abs(p.y - y) <= tol]
        assert len(near) == 1, f"no computed {kind} within {tol} of ({x}, {y})"
        digits = len(repr(value).split(".")[1]) if "." in repr(value) else 0
        assert abs(near[0].value - value) <= max(0.5 * 10 ** -digits, 1e-12), (near[0], value)


def test_global_values_are_exact_where_known():
    assert abs(SURFACES["ackley"].global_minima[0].value) <= 1e-15
    assert SURFACES["goldstein_price"].global_minima[0].value == pytest.approx(3.0, abs=1e-12)
    assert SURFACES["styblinski_tang"].global_minima[0].value == pytest.approx(-78.33233140754282, abs=1e-10)
    assert SURFACES["rastrigin"].global_minima[0].value == 0.0
    assert SURFACES["mccormick"].global_minima[0].value == pytest.approx(-math.pi / 3 - math.sqrt(3) / 2, abs=1e-14)


def test_two_wells_minima_are_not_at_plus_minus_one():
    s = SURFACES["two_wells"]
    for m in s.minima:
        assert abs(abs(m.x) - 1.0) > 0.05 and m.y == 0.0
    assert [m.is_global for m in sorted(s.minima, key=lambda m: m.x)] == [True, False]


def test_lattice_surfaces_list_all_121_minima():
    for key in ("rastrigin", "ackley"):
        s = SURFACES[key]
        assert len(s.minima) == 121 and len(s.global_minima) == 1
        cells = {(round(m.x), round(m.y)) for m in s.minima}
        assert cells == {(i, j) for i in range(-5, 6) for j in range(-5, 6)}


# --- Ackley's kink ------------------------------------------------------------------------------------------------
def test_ackley_subgradient_at_the_origin_and_finite_gradient_near_it():
    s = SURFACES["ackley"]
    assert s.grad(0.0, 0.0) == (0.0, 0.0)
    for x, y in ((1e-300, 0.0), (5e-324, 5e-324), (0.0, -1e-200), (1e-8, 1e-8), (-1e-160, 3e-170)):
        assert all(math.isfinite(g) for g in s.grad(x, y)), (x, y)


def test_ackley_origin_is_below_the_grid_and_every_nearby_point():
    s = SURFACES["ackley"]
    m = s.global_minima[0]
    assert (m.x, m.y) == (0.0, 0.0)
    assert m.value < min(v for row in _grid("ackley")[2] for v in row if v != m.value)
    for k in range(1, 9):
        for a in range(16):
            t = 2 * math.pi * a / 16
            assert s.f(10 ** -k * math.cos(t), 10 ** -k * math.sin(t)) > m.value


# --- the Surface constructor ------------------------------------------------------------------------------------------
def _bowl(x, y):
    return x * x + 2 * y * y


def _bowl_grad(x, y):
    return 2 * x, 4 * y


def test_user_defined_surface_works_in_run():
    s = pycore.Surface(name="bowl", f=_bowl, grad=_bowl_grad, bounds=((-1, 1), (-2, 2)))
    assert s.key == "bowl" and s.bounds == ((-1.0, 1.0), (-2.0, 2.0)) and s.levels == "linear"
    (x0, x1), (y0, y1) = s.bounds
    assert all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in s.starts)
    t = pycore.run("sgd", s, steps=20, lr=0.1)
    assert t.surface == "bowl" and t.points[0] == s.starts[0] and t.losses[-1] < t.losses[0]


@pytest.mark.parametrize("bounds", [((1, -1), (0, 1)), ((0, 0), (0, 1)), ((0, 1), (2, 1)), ((0, math.nan), (0, 1)),
                                    ((0, math.inf), (0, 1)), ((0, 1),), "abcd", None, ((0, 1), (0, "a")),
                                    ((0, 1, 2), (0, 1))])
def test_bad_bounds_are_rejected(bounds):
    with pytest.raises(ValueError, match="bounds"):
        pycore.Surface(name="bowl", f=_bowl, grad=_bowl_grad, bounds=bounds)


def test_bad_levels_tags_and_callables_are_rejected():
    ok = dict(name="bowl", f=_bowl, grad=_bowl_grad, bounds=((-1, 1), (-1, 1)))
    with pytest.raises(ValueError, match="levels"):
        pycore.Surface(**ok, levels="cubic")
    with pytest.raises(ValueError, match="unknown tags"):
        pycore.Surface(**ok, tags={"convex", "shiny"})
    with pytest.raises(ValueError, match="callables"):
        pycore.Surface(**{**ok, "grad": (0, 0)})


# --- surfaces in run() ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", KEYS)
def test_adam_runs_finitely_from_every_suggested_start(key):
    s = SURFACES[key]
    for start in s.starts:
        t = pycore.run("adam", key, start=start, steps=50)
        assert t.outcome != "diverged" and len(t.points) == 51
        assert all(math.isfinite(v) for p in t.points for v in p) and all(map(math.isfinite, t.losses))
    assert pycore.run("adam", key, steps=1).points[0] == s.starts[0]
