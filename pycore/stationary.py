"""Stationary points computed, not copied: Newton's method on the analytic gradient.

``refine(grad, x, y)`` polishes an approximate stationary point to machine precision using the analytic
gradient and a central-difference Jacobian of that gradient (the Hessian H). ``classify`` tells a strict
minimum from a saddle or a maximum by the signs of H's eigenvalues: det H < 0 is a saddle; det H > 0 is a
minimum when tr H > 0 and a maximum when tr H < 0; det H ≈ 0 (relative to ‖H‖²) is "degenerate".
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
    """Newton steps (x, y) ← (x, y) − H⁻¹∇f from a seed; returns the polished (x, y).

    Stops once the step is at rounding level, or once a small step (< 1e-9 of the scale) stops shrinking
    (the iteration has reached the floating-point floor). Raises ValueError when the Hessian is singular, the
    iteration runs away or it has not settled after ``iterations`` steps, so a wrong seed is loud.
    """
    last = math.inf
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
        step = max(abs(dx) / max(1.0, abs(x)), abs(dy) / max(1.0, abs(y)))
        if step <= 4e-16 or (step < 1e-9 and step >= 0.5 * last):
            return x, y
        last = step
    raise ValueError(f"Newton iteration did not settle near ({x!r}, {y!r}) in {iterations} steps")


def classify(grad, x, y, rtol=1e-7):
    """'min', 'max', 'saddle' or 'degenerate' (|det H| <= rtol·‖H‖²) from the Hessian at (x, y)."""
    (a, b), (_, d) = hessian(grad, x, y)
    det, trace = a * d - b * b, a + d
    if abs(det) <= rtol * (a * a + 2 * b * b + d * d):
        return "degenerate"
    if det < 0:
        return "saddle"
    return "min" if trace > 0 else "max"
