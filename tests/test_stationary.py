"""Newton refinement and Hessian classification (pycore.stationary) on functions with known answers."""
import math

import pytest

from pycore.stationary import classify, hessian, refine


def _quartic_grad(x, y):
    """f = (x - 1)^4 / 4 + x^2 + (y + 2)^2 + x y: smooth, one minimum, off-axis coupling."""
    return (x - 1) ** 3 + 2 * x + y, 2 * (y + 2) + x


def test_hessian_of_a_quadratic_is_exact_to_rounding():
    (a, b), (c, d) = hessian(lambda x, y: (2 * x + 3 * y, 3 * x + 10 * y), 0.7, -4.0)
    assert (a, b, c, d) == pytest.approx((2, 3, 3, 10), rel=1e-9)
    assert b == c


def test_refine_polishes_a_rough_seed_to_a_zero_of_the_gradient():
    x, y = refine(_quartic_grad, 0.0, 0.0)
    gx, gy = _quartic_grad(x, y)
    assert math.hypot(gx, gy) < 1e-14
    # the seed moved: this is not the identity
    assert math.hypot(x, y) > 0.1


def test_refine_finds_each_stationary_point_of_x3_minus_3x_plus_y2():
    grad = lambda x, y: (3 * x * x - 3, 2 * y)  # f = x^3 - 3x + y^2: a minimum at (1, 0), a saddle at (-1, 0)
    assert refine(grad, 1.3, 0.2) == pytest.approx((1.0, 0.0), abs=1e-15)
    assert refine(grad, -0.8, -0.3) == pytest.approx((-1.0, 0.0), abs=1e-15)
    assert classify(grad, 1.0, 0.0) == "min" and classify(grad, -1.0, 0.0) == "saddle"


def test_refine_is_loud_on_a_bad_seed():
    with pytest.raises(ValueError, match="singular"):
        refine(lambda x, y: (1.0, 2.0), 0.0, 0.0)  # a plane: no stationary point, zero Hessian
    with pytest.raises(ValueError):
        refine(lambda x, y: (math.exp(x), y), 0.0, 0.0)  # f = e^x + y^2 / 2 runs off to x -> -inf


@pytest.mark.parametrize("grad, kind", [
    (lambda x, y: (2 * x, 2 * y), "min"),
    (lambda x, y: (-2 * x, -6 * y), "max"),
    (lambda x, y: (2 * x, -2 * y), "saddle"),
    (lambda x, y: (2 * x - 3 * y, -3 * x + 2 * y), "saddle"),  # rotated: eigenvalues 5 and -1
    (lambda x, y: (4 * x ** 3, 2 * y), "degenerate"),  # x^4 + y^2: zero curvature along x
    (lambda x, y: (0.0, 0.0), "degenerate"),
])
def test_classify(grad, kind):
    assert classify(grad, 0.0, 0.0) == kind
