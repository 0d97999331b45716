"""Loss surfaces: one record per surface keeps f, its analytic gradient, bounds, minima and formula together.

Each ``f``/``grad`` pair is defined right above its record. Minima, saddle points and maxima are *computed*:
the record gives rough seeds and ``_surface`` polishes them with Newton's method on the analytic gradient
(``pycore.stationary``), then reads the value from ``f``; the tests check every one is stationary and of the
right kind, and that no point of a fine grid over the bounds lies below the global minimum.
"""
from collections import namedtuple
import math

from .checks import check_bounds, lookup
from .stationary import refine

Minimum = namedtuple("Minimum", "x y value is_global")
Point = namedtuple("Point", "x y value")

TAGS = frozenset({
    "convex",           # the Hessian is positive semi-definite everywhere
    "non-convex",
    "unimodal",         # exactly one minimum
    "multimodal",       # more than one minimum in the view
    "valley",           # a long, narrow, curved or flat-bottomed valley
    "saddle",           # saddle points worth watching (listed in ``saddles``)
    "ill-conditioned",  # Hessian condition number >= 20 at the global minimum
    "non-smooth",       # the gradient is discontinuous somewhere (a subgradient is used there)
    "plateau",          # large regions where the gradient all but vanishes
    "separable",        # f(x, y) = g(x) + h(y)
    "unbounded",        # f is unbounded below outside the view (no global minimum on the plane)
    "custom",           # typed by the user (pycore.expr.custom_surface)
})

_SURFACE_FIELDS = ("name", "f", "grad", "bounds", "key", "minima", "saddles", "starts", "latex", "tags",
                   "levels", "reference", "description", "computed", "maxima")


class Surface(namedtuple("Surface", _SURFACE_FIELDS)):
    """A 2-D loss surface.

    f(x, y) -> float; grad(x, y) -> (df/dx, df/dy); bounds = ((xmin, xmax), (ymin, ymax)), the plotting view;
    minima: Minimum(x, y, value, is_global), every one in the view; saddles and maxima: Point(x, y, value),
    the ones listed; starts: suggested (x, y) starts, the first is the default; latex: the formula; tags: a
    subset of ``TAGS``; levels: "log" or "linear" contour spacing hint; computed: True when minima were found
    numerically (a user-defined surface) rather than from the record's seeds.

    ``Surface(name=..., f=..., grad=..., bounds=...)`` builds a user-defined surface.
    """
    __slots__ = ()

    def __new__(cls, name, f, grad, bounds, key=None, minima=(), saddles=(), starts=(), latex="",
                tags=frozenset(), levels="linear", reference="", description="", computed=False, maxima=()):
        if not callable(f) or not callable(grad):
            raise ValueError(f"surface {name!r}: f and grad must be callables f(x, y) and grad(x, y)")
        (x0, x1), (y0, y1) = bounds = check_bounds(bounds)
        if levels not in ("log", "linear"):
            raise ValueError(f"levels must be 'log' or 'linear', got {levels!r}")
        tags = frozenset(tags)
        if not tags <= TAGS:
            raise ValueError(f"unknown tags {sorted(tags - TAGS)}; allowed: {', '.join(sorted(TAGS))}")
        if not starts:
            starts = ((x0 + 0.8 * (x1 - x0), y0 + 0.8 * (y1 - y0)),)
        try:
            starts = tuple((float(x), float(y)) for x, y in starts)
        except (TypeError, ValueError):
            raise ValueError(f"starts must be (x, y) pairs of numbers, got {starts!r}") from None
        return super().__new__(cls, name, f, grad, bounds, key or name, tuple(minima), tuple(saddles),
                               starts, latex, tags, levels, reference, description, computed, tuple(maxima))

    @property
    def global_minima(self):
        return tuple(m for m in self.minima if m.is_global)


def _stationary(f, grad, seeds):
    pts = [refine(grad, x, y) for x, y in seeds]
    return [(x, y, f(x, y)) for x, y in pts]


def _minima(f, grad, seeds, exact=()):
    """Minimum records from Newton-polished seeds plus ``exact`` (x, y) points where Newton cannot apply
    (a non-smooth minimum); the lowest value(s) are global."""
    found = _stationary(f, grad, seeds) + [(x, y, f(x, y)) for x, y in exact]
    if not found:
        return ()
    low = min(v for _, _, v in found)
    tol = 1e-12 * max(1.0, abs(low))
    return tuple(Minimum(x, y, v, v <= low + tol) for x, y, v in found)


def _lattice(lo, hi):
    """Integer points (i, j) with lo <= i, j <= hi: seeds for the lattice-like minima of Rastrigin and Ackley."""
    return [(float(i), float(j)) for i in range(lo, hi + 1) for j in range(lo, hi + 1)]


_SURFACES = []


def _surface(key, name, f, grad, bounds, *, minima, saddles=(), maxima=(), exact_minima=(), **meta):
    """Register a built-in surface. ``minima``, ``saddles`` and ``maxima`` are rough seeds that Newton's method
    polishes; ``exact_minima`` are minima given exactly because the gradient has a kink there (Ackley's origin).
    """
    s = Surface(name, f, grad, bounds, key=key, minima=_minima(f, grad, minima, exact_minima),
                saddles=tuple(Point(*p) for p in _stationary(f, grad, saddles)),
                maxima=tuple(Point(*p) for p in _stationary(f, grad, maxima)), **meta)
    _SURFACES.append(s)
    return s


_JAMIL_YANG = ("M. Jamil, X.-S. Yang, A literature survey of benchmark functions for global optimization "
               "problems, Int. J. Math. Modelling and Numerical Optimisation 4(2), 2013")
_TAU = 2.0 * math.pi


# --- Rosenbrock -------------------------------------------------------------------------------------------
def _rosenbrock(x, y, a=1.0, b=100.0):
    return (a - x) ** 2 + b * (y - x * x) ** 2


def _rosenbrock_grad(x, y, a=1.0, b=100.0):
    r = y - x * x
    return -2.0 * (a - x) - 4.0 * b * x * r, 2.0 * b * r


_surface("rosenbrock", "Rosenbrock", _rosenbrock, _rosenbrock_grad, ((-2.0, 2.0), (-1.0, 3.0)),
         minima=[(1.0, 1.0)], starts=[(-1.5, 2.5), (-1.0, 0.5), (1.5, -0.5)],
         latex=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
         tags={"non-convex", "valley", "unimodal", "ill-conditioned"},
         levels="log", reference="H. H. Rosenbrock, The Computer Journal 3(3), 1960",
         description="A narrow curved valley: easy to reach, slow to follow to the minimum at (1, 1).")


# --- Himmelblau -------------------------------------------------------------------------------------------
def _himmelblau(x, y):
    return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2


def _himmelblau_grad(x, y):
    a, b = x * x + y - 11.0, x + y * y - 7.0
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


_surface("himmelblau", "Himmelblau", _himmelblau, _himmelblau_grad, ((-5.0, 5.0), (-5.0, 5.0)),
         minima=[(3.0, 2.0), (-2.8, 3.1), (-3.8, -3.3), (3.6, -1.8)],
         saddles=[(0.09, 2.9), (-3.07, -0.08), (3.39, 0.07), (-0.13, -1.95)], maxima=[(-0.27, -0.92)],
         starts=[(-1.5, -4.5), (0.0, 0.0), (4.5, 4.5)],
         latex=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2", tags={"non-convex", "multimodal", "saddle"},
         levels="log", reference="D. M. Himmelblau, Applied Nonlinear Programming, McGraw-Hill, 1972",
         description="4 equal minima, 4 saddles and a hill between them: which basin you reach depends on "
                     "the path.")


# --- Rastrigin --------------------------------------------------------------------------------------------
def _rastrigin(x, y, a=10.0):
    return 2.0 * a + x * x - a * math.cos(_TAU * x) + y * y - a * math.cos(_TAU * y)


def _rastrigin_grad(x, y, a=10.0):
    return 2.0 * x + a * _TAU * math.sin(_TAU * x), 2.0 * y + a * _TAU * math.sin(_TAU * y)


_surface("rastrigin", "Rastrigin", _rastrigin, _rastrigin_grad, ((-5.12, 5.12), (-5.12, 5.12)),
         minima=_lattice(-5, 5), starts=[(2.3, -3.6), (-4.4, 4.2), (0.45, 0.55)],
         latex=r"f(x, y) = 20 + x^2 - 10\cos(2\pi x) + y^2 - 10\cos(2\pi y)",
         tags={"non-convex", "multimodal", "separable"},
         reference="L. A. Rastrigin, Systems of Extremal Control, Nauka, 1974",
         description="A bowl under an egg crate of 121 minima, each a trap for small steps (the saddles "
                     "and maxima between them are not listed).")


# --- Ackley -----------------------------------------------------------------------------------------------
def _ackley(x, y):
    r = math.hypot(x, y) * math.sqrt(0.5)
    return (20.0 - 20.0 * math.exp(-0.2 * r)) + (math.e - math.exp(0.5 * (math.cos(_TAU * x) + math.cos(_TAU * y))))


def _ackley_grad(x, y):
    """At the origin, where the cone term sqrt(0.5(x² + y²)) has no gradient, returns the subgradient (0, 0)."""
    h = math.hypot(x, y)
    ux, uy = (0.0, 0.0) if h == 0.0 else (x / h, y / h)  # unit vector, finite even for subnormal x, y
    c = 2.0 * math.sqrt(2.0) * math.exp(-0.2 * math.sqrt(0.5) * h)
    e = math.pi * math.exp(0.5 * (math.cos(_TAU * x) + math.cos(_TAU * y)))
    return c * ux + e * math.sin(_TAU * x), c * uy + e * math.sin(_TAU * y)


_surface("ackley", "Ackley", _ackley, _ackley_grad, ((-5.0, 5.0), (-5.0, 5.0)),
         minima=[p for p in _lattice(-5, 5) if p != (0.0, 0.0)], exact_minima=[(0.0, 0.0)],
         starts=[(3.3, -2.2), (-4.2, 3.7), (0.6, 0.4)],
         latex=(r"f(x, y) = -20\exp\!\left(-0.2\sqrt{0.5\,(x^2 + y^2)}\right)"
                r" - \exp\!\left(0.5\,(\cos 2\pi x + \cos 2\pi y)\right) + e + 20"),
         tags={"non-convex", "multimodal", "non-smooth"},
         reference="D. H. Ackley, A Connectionist Machine for Genetic Hillclimbing, Kluwer, 1987",
         description="Ripples on a cone: 120 local minima around a sharp global minimum at (0, 0), "
                     "where the gradient is undefined (the subgradient 0 is used).")


# --- Beale ------------------------------------------------------------------------------------------------
def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2


def _beale_grad(x, y):
    y2 = y * y
    y3 = y2 * y
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3
    return (2.0 * (a * (y - 1.0) + b * (y2 - 1.0) + c * (y3 - 1.0)),
            2.0 * x * (a + 2.0 * b * y + 3.0 * c * y2))


_surface("beale", "Beale", _beale, _beale_grad, ((-4.5, 4.5), (-4.5, 4.5)),
         minima=[(3.0, 0.5)], saddles=[(0.0, 1.0), (0.1, -2.6)], starts=[(-1.0, 1.5), (1.0, 3.0), (-3.0, -2.0)],
         latex=r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
         tags={"non-convex", "unimodal", "valley", "saddle", "ill-conditioned"}, levels="log",
         reference=("E. M. L. Beale, On an iterative method for finding a local minimum of a function of "
                    "more than one variable, Tech. Rep. 25, Princeton University, 1958"),
         description="Flat valleys between steep walls (condition number 162 at the minimum, (3, 0.5)); "
                     "plain SGD overshoots the walls.")


# --- Saddle -----------------------------------------------------------------------------------------------
def _saddle(x, y):
    return x * x - y * y


def _saddle_grad(x, y):
    return 2.0 * x, -2.0 * y


_surface("saddle", "Saddle", _saddle, _saddle_grad, ((-2.0, 2.0), (-2.0, 2.0)),
         minima=[], saddles=[(0.1, 0.1)], starts=[(-1.8, 0.01), (1.5, -0.3), (-1.9, 0.0)],
         latex=r"f(x, y) = x^2 - y^2", tags={"non-convex", "saddle", "unbounded", "separable"},
         reference=("Y. Dauphin et al., Identifying and attacking the saddle point problem in "
                    "high-dimensional non-convex optimization, NeurIPS 2014"),
         description="A hyperbolic paraboloid with no minimum: how fast does each optimizer leave the "
                     "saddle at the origin?")


# --- Two wells (Dupont) ------------------------------------------------------------------------------------
def _two_wells(x, y, a=2.0, b=3.0, c=0.2, d=0.2):
    y2 = y * y
    return x * x + y2 - a * math.exp(-((x - 1.0) ** 2 + y2) / c) - b * math.exp(-((x + 1.0) ** 2 + y2) / d)


def _two_wells_grad(x, y, a=2.0, b=3.0, c=0.2, d=0.2):
    y2 = y * y
    p = 2.0 * a / c * math.exp(-((x - 1.0) ** 2 + y2) / c)
    q = 2.0 * b / d * math.exp(-((x + 1.0) ** 2 + y2) / d)
    return 2.0 * x + p * (x - 1.0) + q * (x + 1.0), (2.0 + p + q) * y


_surface("two_wells", "Two wells", _two_wells, _two_wells_grad, ((-2.0, 2.0), (-2.0, 2.0)),
         minima=[(-0.94, 0.0), (0.9, 0.0)], saddles=[(0.07, 0.0)], starts=[(1.2, 1.2), (0.3, -0.8), (-1.5, 1.5)],
         latex=(r"f(x, y) = x^2 + y^2 - 2\,e^{-((x - 1)^2 + y^2)/0.2}"
                r" - 3\,e^{-((x + 1)^2 + y^2)/0.2}"),
         tags={"non-convex", "multimodal", "saddle"},
         reference="E. Dupont, Visualizing optimization algorithms (D3 demo), 2017",
         description="Two Gaussian wells in a bowl: the deeper one is on the left, and neither minimum "
                     "sits at (±1, 0).")


# --- Ill-conditioned quadratic ---------------------------------------------------------------------------
def _quadratic(x, y, k=25.0):
    return 0.5 * (x * x + k * y * y)


def _quadratic_grad(x, y, k=25.0):
    return x, k * y


_surface("quadratic", "Ill-conditioned quadratic", _quadratic, _quadratic_grad, ((-3.0, 3.0), (-3.0, 3.0)),
         minima=[(0.5, 0.5)], starts=[(-2.8, 1.0), (2.5, 2.5), (-2.8, 0.05)],
         latex=r"f(x, y) = \tfrac{1}{2}\,(x^2 + 25\,y^2)", tags={"convex", "unimodal", "ill-conditioned", "separable"},
         reference="G. Goh, Why Momentum Really Works, Distill, 2017",
         description="Curvatures 1 and 25 (condition number 25): a step size that is safe across the "
                     "ellipse crawls along it.")


# --- Booth ------------------------------------------------------------------------------------------------
def _booth(x, y):
    return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2


def _booth_grad(x, y):
    a, b = x + 2.0 * y - 7.0, 2.0 * x + y - 5.0
    return 2.0 * a + 4.0 * b, 4.0 * a + 2.0 * b


_surface("booth", "Booth", _booth, _booth_grad, ((-10.0, 10.0), (-10.0, 10.0)),
         minima=[(0.0, 0.0)], starts=[(-8.0, -6.0), (8.0, 8.0), (-9.0, 9.0)],
         latex=r"f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2", tags={"convex", "unimodal"}, levels="log",
         reference=_JAMIL_YANG,
         description="A tilted convex bowl (condition number 9) with its minimum at (1, 3).")


# --- Matyas -----------------------------------------------------------------------------------------------
def _matyas(x, y):
    return 0.26 * (x * x + y * y) - 0.48 * x * y


def _matyas_grad(x, y):
    return 0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x


_surface("matyas", "Matyas", _matyas, _matyas_grad, ((-10.0, 10.0), (-10.0, 10.0)),
         minima=[(0.5, -0.5)], starts=[(-9.0, -5.0), (8.0, -8.0), (6.0, 9.0)],
         latex=r"f(x, y) = 0.26\,(x^2 + y^2) - 0.48\,xy", tags={"convex", "unimodal", "ill-conditioned"},
         levels="log", reference=_JAMIL_YANG,
         description="A quadratic bowl rotated 45°: a long flat diagonal valley (condition number 25) "
                     "that per-coordinate step sizes cannot straighten out.")


# --- Six-hump camel ---------------------------------------------------------------------------------------
def _six_hump_camel(x, y):
    x2, y2 = x * x, y * y
    return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2


def _six_hump_camel_grad(x, y):
    x2 = x * x
    return x * (8.0 - 8.4 * x2 + 2.0 * x2 * x2) + y, x + y * (16.0 * y * y - 8.0)


_surface("six_hump_camel", "Six-hump camel", _six_hump_camel, _six_hump_camel_grad, ((-2.2, 2.2), (-1.6, 1.6)),
         minima=[(0.09, -0.71), (-0.09, 0.71), (1.7, -0.8), (-1.7, 0.8), (1.6, 0.57), (-1.6, -0.57)],
         saddles=[(0.05, 0.05), (1.11, -0.77), (-1.11, 0.77), (1.64, -0.23), (-1.64, 0.23), (1.3, 0.6),
                  (-1.3, -0.6)],
         maxima=[(1.23, 0.16), (-1.23, -0.16)], starts=[(1.9, 1.2), (-1.0, -1.2), (0.0, 0.05)],
         latex=r"f(x, y) = \left(4 - 2.1\,x^2 + \tfrac{x^4}{3}\right)x^2 + xy + (4y^2 - 4)\,y^2",
         tags={"non-convex", "multimodal", "saddle"},
         reference="L. C. W. Dixon, G. P. Szegő (eds.), Towards Global Optimisation 2, North-Holland, 1978",
         description="2 global minima, 4 local minima and 7 saddles packed into a small window.")


# --- Goldstein-Price --------------------------------------------------------------------------------------
def _goldstein_price(x, y):
    p, s = x + y + 1.0, 2.0 * x - 3.0 * y
    q = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y
    t = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y
    return (1.0 + p * p * q) * (30.0 + s * s * t)


def _goldstein_price_grad(x, y):
    p, s = x + y + 1.0, 2.0 * x - 3.0 * y
    q = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y
    t = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y
    a, b = 1.0 + p * p * q, 30.0 + s * s * t
    da = 2.0 * p * q + p * p * (6.0 * x + 6.0 * y - 14.0)  # dA/dx == dA/dy
    dbx = 4.0 * s * t + s * s * (24.0 * x - 36.0 * y - 32.0)
    dby = -6.0 * s * t + s * s * (54.0 * y - 36.0 * x + 48.0)
    return da * b + a * dbx, da * b + a * dby


_surface("goldstein_price", "Goldstein–Price", _goldstein_price, _goldstein_price_grad,
         ((-2.0, 2.0), (-2.0, 2.0)),
         minima=[(0.0, -1.0), (-0.6, -0.4), (1.8, 0.2), (1.2, 0.8)],
         saddles=[(-0.4, -0.6), (1.2, -0.2), (1.4, 0.6), (0.6, 0.4)], maxima=[(0.8, 0.2)],
         starts=[(-1.5, 1.5), (1.0, 1.5), (-1.6, -1.6)],
         latex=(r"f(x, y) = \left[1 + (x + y + 1)^2\,(19 - 14x + 3x^2 - 14y + 6xy + 3y^2)\right]"
                r"\left[30 + (2x - 3y)^2\,(18 - 32x + 12x^2 + 48y - 36xy + 27y^2)\right]"),
         tags={"non-convex", "multimodal", "saddle"}, levels="log",
         reference="A. A. Goldstein, J. F. Price, On descent from local minima, Math. Comp. 25(115), 1971",
         description="Steep walls around a plateau: the global minimum 3 at (0, −1) and 3 local minima.")


# --- Styblinski-Tang --------------------------------------------------------------------------------------
def _styblinski_tang(x, y):
    x2, y2 = x * x, y * y
    return 0.5 * (x2 * x2 - 16.0 * x2 + 5.0 * x + y2 * y2 - 16.0 * y2 + 5.0 * y)


def _styblinski_tang_grad(x, y):
    return 2.0 * x ** 3 - 16.0 * x + 2.5, 2.0 * y ** 3 - 16.0 * y + 2.5


_surface("styblinski_tang", "Styblinski–Tang", _styblinski_tang, _styblinski_tang_grad,
         ((-5.0, 5.0), (-5.0, 5.0)),
         minima=[(-2.9, -2.9), (-2.9, 2.75), (2.75, -2.9), (2.75, 2.75)],
         saddles=[(-2.9, 0.16), (0.16, -2.9), (0.16, 2.75), (2.75, 0.16)], maxima=[(0.16, 0.16)],
         starts=[(-0.4, 4.6), (0.5, 0.5), (4.5, 4.0)],
         latex=r"f(x, y) = \tfrac{1}{2}\left(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y\right)",
         tags={"non-convex", "multimodal", "saddle", "separable"},
         reference=("M. A. Styblinski, T.-S. Tang, Experiments in nonconvex optimization: stochastic "
                    "approximation with function smoothing and simulated annealing, Neural Networks 3(4), 1990"),
         description="4 minima of different depths around a central hill; the deepest is at "
                     "(−2.90, −2.90).")


# --- McCormick --------------------------------------------------------------------------------------------
def _mccormick(x, y):
    return math.sin(x + y) + (x - y) ** 2 - 1.5 * x + 2.5 * y + 1.0


def _mccormick_grad(x, y):
    c, d = math.cos(x + y), 2.0 * (x - y)
    return c + d - 1.5, c - d + 2.5


_surface("mccormick", "McCormick", _mccormick, _mccormick_grad, ((-1.5, 4.0), (-3.0, 4.0)),
         minima=[(-0.5, -1.5), (2.6, 1.6)], saddles=[(1.5, 0.5)], starts=[(3.5, 3.5), (-1.0, 3.0), (3.5, -2.5)],
         latex=r"f(x, y) = \sin(x + y) + (x - y)^2 - 1.5x + 2.5y + 1",
         tags={"non-convex", "multimodal", "saddle", "valley", "unbounded"},
         reference=_JAMIL_YANG,
         description="A sinusoidal valley along x − y = 1 that keeps descending past the view's lower "
                     "left corner: the minima are local to the view.")


# --- Three-hump camel -------------------------------------------------------------------------------------
def _three_hump_camel(x, y):
    x2 = x * x
    return 2.0 * x2 - 1.05 * x2 * x2 + x2 ** 3 / 6.0 + x * y + y * y


def _three_hump_camel_grad(x, y):
    x2 = x * x
    return x * (4.0 - 4.2 * x2 + x2 * x2) + y, x + 2.0 * y


_surface("three_hump_camel", "Three-hump camel", _three_hump_camel, _three_hump_camel_grad,
         ((-2.5, 2.5), (-2.5, 2.5)),
         minima=[(0.1, 0.1), (1.75, -0.87), (-1.75, 0.87)], saddles=[(1.07, -0.54), (-1.07, 0.54)],
         starts=[(2.3, 1.0), (-2.2, -2.0), (1.2, -2.0)],
         latex=r"f(x, y) = 2x^2 - 1.05x^4 + \tfrac{x^6}{6} + xy + y^2",
         tags={"non-convex", "multimodal", "saddle"},
         reference=_JAMIL_YANG,
         description="A global minimum at (0, 0) flanked by 2 local minima behind low saddles.")


# --- Plateau (Gaussian well) ------------------------------------------------------------------------------
def _plateau(x, y):
    return 1.0 - math.exp(-0.5 * (x * x + y * y))


def _plateau_grad(x, y):
    e = math.exp(-0.5 * (x * x + y * y))
    return x * e, y * e


_surface("plateau", "Plateau (Gaussian well)", _plateau, _plateau_grad, ((-4.0, 4.0), (-4.0, 4.0)),
         minima=[(0.3, 0.3)], starts=[(3.2, 2.4), (-3.6, -3.4), (1.5, -1.0)],
         latex=r"f(x, y) = 1 - e^{-(x^2 + y^2)/2}", tags={"non-convex", "unimodal", "plateau"},
         reference="A Gaussian well (the classic vanishing-gradient plateau)",
         description="A narrow well in a flat plain: far out the gradient all but vanishes, so rules "
                     "that rescale the gradient (Adam, RMSprop) move and plain SGD barely does.")


SURFACES = {s.key: s for s in _SURFACES}


def get_surface(surface):
    """A Surface from a key or a Surface; ValueError for an unknown key."""
    return lookup(SURFACES, surface, "surface", Surface)
