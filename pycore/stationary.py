"""Stationary points computed, not copied: Newton's method on the analytic gradient.

``refine(grad, x, y)`` polishes an approximate stationary point to machine precision using the analytic
gradient and a central-difference Jacobian of that gradient (the Hessian). ``classify`` tells a minimum from
a saddle or a maximum by the Hessian's eigenvalues.
"""
import math


def hessian(grad, x, y, h=None):
    """Symmetrised central-difference Jacobian of ``grad`` at (x, y): ((fxx, fxy), (fxy, fyy))."""
    hx = h or 1e-5 * max(1.0, abs(x))
    hy = h or 1e-5 * max(1.0, abs(y))
    gxp, gyp = grad(x + hx, y)
    gxm, gym = grad(x - hx, y)
    gxq, gyq = grad(x, y + hy)
    gxr, gyr = grad(x, y - hy)
    fxx = (gxp - gxm) / (2 * hx)
    fyy = (gyq - gyr) / (2 * hy)
    fxy = 0.5 * ((gyp - gym) / (2 * hx) + (gxq - gxr) / (2 * hy))
    return (fxx, fxy), (fxy, fyy)


def refine(grad, x, y, iterations=50):
    """Newton iterations from (x, y) until the step stops shrinking; returns the polished (x, y).

    Raises ValueError when the Hessian is singular or the iteration runs away, so a wrong seed is loud.
    """
    for _ in range(iterations):
        gx, gy = grad(x, y)
        (a, b), (_, d) = hessian(grad, x, y)
        det = a * d - b * b
        if det == 0 or not math.isfinite(det):
            raise ValueError(f"singular Hessian at ({x!r}, {y!r})")
        dx = (d * gx - b * gy) / det
        dy = (a * gy - b * gx) / det
        x, y = x - dx, y - dy
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError("Newton iteration diverged")
        if abs(dx) <= 4e-16 * max(1.0, abs(x)) and abs(dy) <= 4e-16 * max(1.0, abs(y)):
            break
    return x, y


def classify(grad, x, y):
    """'min', 'max' or 'saddle' from the signs of the Hessian's eigenvalues at (x, y)."""
    (a, b), (_, d) = hessian(grad, x, y)
    det, trace = a * d - b * b, a + d
    if det < 0:
        return "saddle"
    return "min" if trace > 0 else "max"
