"""Update rules: one ``init``/``update`` pair per optimizer, torch.optim semantics, plain float arithmetic.

Each factory takes the hyperparameters (torch's names) and returns ``Rule(init, update)``:

* ``init(params) -> state``: a tuple, in the order of the optimizer's ``state_fields`` (torch's state names).
  Per-coordinate entries are tuples of floats; scalar entries (``step``, ``mu_product``) are numbers; an entry
  torch has not created yet is ``None``.
* ``update(grads, state, params, lr) -> (new_params, new_state)``. ``lr`` is the learning rate in effect for
  this step (a schedule may change it); the factory's ``lr`` is the base value, used where torch uses
  ``initial_lr``. The rule returns the new parameters rather than an update vector because torch's decoupled
  weight decay rounds ``p * (1 - lr*wd)`` before the step: returning ``p_new`` keeps the result bit-exact.

Every expression follows torch's ``_single_tensor_<name>`` code op by op (see
``shared/reference/optimizer_semantics.md``). Where torch's CPU kernels may fuse a multiply-add, pycore uses
two roundings, which is what torch computes with ``ATEN_CPU_CAPABILITY=default``; the fused and unfused
results differ by at most an ulp per operation.
"""
from collections import namedtuple
import math

Rule = namedtuple("Rule", "init update")
Rule.__doc__ = "An optimizer as two pure functions over tuples of floats: init(params), update(grads, state, params, lr)."

_sqrt = math.sqrt


def _zeros(params):
    return tuple([0.0] * len(params))


def _lerp(a, b, w):
    """torch.lerp(a, b, w) for a scalar weight: a + w(b - a), computed from the nearer end."""
    return a + w * (b - a) if abs(w) < 0.5 else b - (b - a) * (1 - w)


def _coupled_decay(grads, params, weight_decay):
    """L2 penalty folded into the gradient: g + λθ."""
    return tuple([g + weight_decay * p for g, p in zip(grads, params)])


def _sign(x):
    return (x > 0) - (x < 0) + 0.0


def sgd(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """SGD with optional heavy-ball or Nesterov momentum (torch.optim.SGD).

    b_1 = g_1,  b_t = μ b_{t-1} + (1-τ) g_t;  d = g + μ b_t (Nesterov) or b_t;  θ ← θ - η d.
    """
    def init(params):
        return (None,)

    def update(grads, state, params, lr):
        buf, = state
        if weight_decay != 0:
            grads = _coupled_decay(grads, params, weight_decay)
        direction = grads
        if momentum != 0:
            if buf is None:
                buf = grads
            else:
                buf = tuple([b * momentum + (1 - dampening) * g for b, g in zip(buf, grads)])
            direction = tuple([g + momentum * b for g, b in zip(grads, buf)]) if nesterov else buf
        return tuple([p + -lr * d for p, d in zip(params, direction)]), (buf,)

    return Rule(init, update)


def adagrad(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    """Adagrad (torch.optim.Adagrad): s ← s + g²;  θ ← θ - η_t g / (√s + ε),  η_t = η / (1 + (t-1)·lr_decay)."""
    def init(params):
        return (0, tuple([initial_accumulator_value] * len(params)))

    def update(grads, state, params, lr):
        step, acc = state
        step += 1
        if weight_decay != 0:
            grads = _coupled_decay(grads, params, weight_decay)
        clr = lr / (1 + (step - 1) * lr_decay)
        acc = tuple([g * g + s for g, s in zip(grads, acc)])
        new = tuple([p + (-clr * g) / (_sqrt(s) + eps) for p, g, s in zip(params, grads, acc)])
        return new, (step, acc)

    return Rule(init, update)


def rmsprop(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    """RMSprop (torch.optim.RMSprop): v ← αv + (1-α)g²;  θ ← θ - η g / (√v + ε)  (centered: √(v - ḡ²))."""
    def init(params):
        zeros = _zeros(params)
        return (0, zeros, zeros if centered else None, zeros if momentum > 0 else None)

    def update(grads, state, params, lr):
        step, square_avg, grad_avg, buf = state
        step += 1
        if weight_decay != 0:
            grads = _coupled_decay(grads, params, weight_decay)
        square_avg = tuple([((1 - alpha) * g) * g + v * alpha for g, v in zip(grads, square_avg)])
        if centered:
            grad_avg = tuple([_lerp(a, g, 1 - alpha) for a, g in zip(grad_avg, grads)])
            avg = [_sqrt(v - a * a) + eps for v, a in zip(square_avg, grad_avg)]
        else:
            avg = [_sqrt(v) + eps for v in square_avg]
        if momentum > 0:
            buf = tuple([b * momentum + g / d for b, g, d in zip(buf, grads, avg)])
            new = tuple([p + -lr * b for p, b in zip(params, buf)])
        else:
            new = tuple([p + (-lr * g) / d for p, g, d in zip(params, grads, avg)])
        return new, (step, square_avg, grad_avg, buf)

    return Rule(init, update)


def adadelta(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
    """Adadelta (torch.optim.Adadelta): Δ = √(u + ε)/√(v + ε) · g;  u ← ρu + (1-ρ)Δ²;  θ ← θ - η Δ."""
    def init(params):
        zeros = _zeros(params)
        return (0, zeros, zeros)

    def update(grads, state, params, lr):
        step, square_avg, acc_delta = state
        step += 1
        if weight_decay != 0:
            grads = _coupled_decay(grads, params, weight_decay)
        square_avg = tuple([((1 - rho) * g) * g + v * rho for g, v in zip(grads, square_avg)])
        delta = [_sqrt(u + eps) / _sqrt(v + eps) * g for u, v, g in zip(acc_delta, square_avg, grads)]
        acc_delta = tuple([((1 - rho) * d) * d + u * rho for d, u in zip(delta, acc_delta)])
        return tuple([p + -lr * d for p, d in zip(params, delta)]), (step, square_avg, acc_delta)

    return Rule(init, update)


def _decay(grads, params, lr, weight_decay, decoupled):
    """Weight decay as torch applies it before the moments: θ(1 - ηλ) if decoupled, else g + λθ."""
    if weight_decay == 0:
        return grads, params
    if decoupled:
        return grads, tuple([p * (1 - lr * weight_decay) for p in params])
    return _coupled_decay(grads, params, weight_decay), params


def _moments(grads, m, v, beta1, beta2):
    """m ← β1 m + (1-β1) g (as torch's lerp);  v ← β2 v + (1-β2) g²."""
    m = tuple([_lerp(a, g, 1 - beta1) for a, g in zip(m, grads)])
    v = tuple([((1 - beta2) * g) * g + b * beta2 for g, b in zip(grads, v)])
    return m, v


def adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled_weight_decay=False):
    """Adam (torch.optim.Adam): θ ← θ - η m̂ / (√v̂ + ε), with m̂ = m/(1-β1ᵗ), v̂ = v/(1-β2ᵗ)."""
    beta1, beta2 = betas

    def init(params):
        zeros = _zeros(params)
        return (0, zeros, zeros, zeros if amsgrad else None)

    def update(grads, state, params, lr):
        step, m, v, vmax = state
        step += 1
        grads, params = _decay(grads, params, lr, weight_decay, decoupled_weight_decay)
        m, v = _moments(grads, m, v, beta1, beta2)
        step_size = lr / (1 - beta1 ** step)
        bc2_sqrt = (1 - beta2 ** step) ** 0.5
        if amsgrad:
            vmax = tuple([max(a, b) for a, b in zip(vmax, v)])
            denom = [_sqrt(s) / bc2_sqrt + eps for s in vmax]
        else:
            denom = [_sqrt(s) / bc2_sqrt + eps for s in v]
        new = tuple([p + (-step_size * a) / d for p, a, d in zip(params, m, denom)])
        return new, (step, m, v, vmax)

    return Rule(init, update)


def adamw(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
    """AdamW (torch.optim.AdamW): Adam with decoupled decay θ ← θ(1 - ηλ) before the step."""
    return adam(lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True)


def nadam(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
          decoupled_weight_decay=False):
    """NAdam (torch.optim.NAdam), Dozat's schedule μ_t = β1(1 - ½·0.96^{tψ}):

    θ ← θ - η [(1-μ_t) g / (1-Πμ_{≤t}) + μ_{t+1} m / (1-Πμ_{≤t+1})] / (√v̂ + ε).
    """
    beta1, beta2 = betas

    def init(params):
        zeros = _zeros(params)
        return (0, 1.0, zeros, zeros)

    def update(grads, state, params, lr):
        step, mu_product, m, v = state
        step += 1
        bias_correction2 = 1 - beta2 ** step
        grads, params = _decay(grads, params, lr, weight_decay, decoupled_weight_decay)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product = mu_product * mu
        m, v = _moments(grads, m, v, beta1, beta2)
        denom = [_sqrt(s / bias_correction2) + eps for s in v]
        c_grad = -lr * (1.0 - mu) / (1.0 - mu_product)
        c_avg = (-lr * mu_next) / (1.0 - mu_product * mu_next)
        new = [p + (c_grad * g) / d for p, g, d in zip(params, grads, denom)]
        new = tuple([p + (c_avg * a) / d for p, a, d in zip(new, m, denom)])
        return new, (step, mu_product, m, v)

    return Rule(init, update)


def radam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False):
    """RAdam (torch.optim.RAdam): momentum SGD with m̂ until ρ_t > 5, then Adam with the rectifier r_t."""
    beta1, beta2 = betas
    rho_inf = 2 / (1 - beta2) - 1

    def init(params):
        zeros = _zeros(params)
        return (0, zeros, zeros)

    def update(grads, state, params, lr):
        step, m, v = state
        step += 1
        grads, params = _decay(grads, params, lr, weight_decay, decoupled_weight_decay)
        m, v = _moments(grads, m, v, beta1, beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        m_hat = [a / bias_correction1 for a in m]
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            sqrt_bc2 = bias_correction2 ** 0.5
            adaptive = [(1.0 / (_sqrt(s) + eps)) * sqrt_bc2 for s in v]
            new = tuple([p - a * lr * r * rect for p, a, r in zip(params, m_hat, adaptive)])
        else:
            new = tuple([p - a * lr for p, a in zip(params, m_hat)])
        return new, (step, m, v)

    return Rule(init, update)


def adamax(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """Adamax (torch.optim.Adamax): u ← max(β2 u, |g| + ε);  θ ← θ - η/(1-β1ᵗ) · m / u."""
    beta1, beta2 = betas

    def init(params):
        zeros = _zeros(params)
        return (0, zeros, zeros)

    def update(grads, state, params, lr):
        step, m, u = state
        step += 1
        if weight_decay != 0:
            grads = _coupled_decay(grads, params, weight_decay)
        m = tuple([_lerp(a, g, 1 - beta1) for a, g in zip(m, grads)])
        u = tuple([max(b * beta2, abs(g) + eps) for b, g in zip(u, grads)])
        clr = lr / (1 - beta1 ** step)
        new = tuple([p + (-clr * a) / b for p, a, b in zip(params, m, u)])
        return new, (step, m, u)

    return Rule(init, update)


def lion(lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, decoupled_weight_decay=False):
    """Lion (Chen et al. 2023, as lion-pytorch implements it):

    θ ← θ(1 - ηλ);  θ ← θ - η sign(β1 m + (1-β1) g);  m ← β2 m + (1-β2) g.
    With ``decoupled_weight_decay`` λ is divided by the initial lr, so the decay no longer scales with η.
    """
    beta1, beta2 = betas
    initial_lr = lr

    def init(params):
        return (_zeros(params),)

    def update(grads, state, params, lr):
        m, = state
        wd = weight_decay / initial_lr if decoupled_weight_decay else weight_decay
        params = [p * (1.0 - lr * wd) for p in params]
        new = tuple([p + -lr * _sign((1.0 - beta1) * g + a * beta1) for p, g, a in zip(params, grads, m)])
        m = tuple([(1.0 - beta2) * g + a * beta2 for g, a in zip(grads, m)])
        return new, (m,)

    return Rule(init, update)
