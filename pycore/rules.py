"""Update rules: one ``init``/``update`` pair per optimizer, torch.optim semantics, plain float arithmetic.

Each factory takes the hyperparameters (torch's names and defaults) and returns ``Rule(init, update)``:

* ``init(params) -> state``: a tuple, in the order of the optimizer's ``state_fields`` (torch's state names).
  Per-coordinate entries are tuples of floats; scalar entries (``step``, ``mu_product``) are numbers; an entry
  torch has not created yet is ``None``.
* ``update(grads, state, params, lr) -> (new_params, new_state)``, pure: nothing passed in is changed.
  ``lr`` is the learning rate in effect for this step (a schedule may change it); the factory's ``lr`` is the
  base value, used where torch uses ``initial_lr``. The rule returns the new parameters rather than an update
  vector because torch's decoupled weight decay rounds ``p * (1 - lr*wd)`` before the step: returning
  ``p_new`` keeps the result bit-exact.

Factories do not validate; ``pycore.optimizers.resolve`` does, before anything runs.

Every expression follows torch's ``_single_tensor_<name>`` code (torch 2.13) op by op, in its order, with
hyperparameter-derived scalars computed as torch computes them in Python (see
``shared/reference/optimizer_semantics.md``). Where torch's CPU kernels may fuse a multiply-add, pycore uses
two roundings, which is what torch computes with ``ATEN_CPU_CAPABILITY=default``: the golden tests find
nearly all such trajectories bit-identical, and the rest an ulp apart (<= 1e-15 relative) because torch's CPU
``sqrt`` is not always correctly rounded, while ``math.sqrt`` is. Against torch's normal fused kernels the
golden runs agree to 2e-16 relative (median) and 2e-14 at worst over 50 steps; the tests require 1e-9.

Each update is one pass over the coordinates with every per-step scalar hoisted out of it, which takes about
half the time of one list comprehension per formula line for two coordinates. Runs use the 2-D form that
``pycore.unroll`` derives from this source at import, each pass written out twice; it refuses (at import)
a pass it cannot unroll faithfully, and says which line and why.
"""
from collections import namedtuple
import math

Rule = namedtuple("Rule", "init update")
Rule.__doc__ = "An optimizer as two pure functions over tuples of floats: init(params), update(grads, state, params, lr)."

_sqrt = math.sqrt


def _zeros(params):
    return (0.0,) * len(params)


def _ema_weights(beta):
    """For ``m.lerp_(g, 1 - beta)``: (w, low, w_far). torch's lerp computes m + w(g - m) when |w| < 0.5 and
    g - (g - m)(1 - w) otherwise; these are the constants of both forms, so the branch is chosen once."""
    w = 1 - beta
    return w, abs(w) < 0.5, 1 - w


def sgd(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """SGD with optional heavy-ball or Nesterov momentum (torch.optim.SGD).

    b_1 = g_1,  b_t = μ b_{t-1} + (1-τ) g_t;  d = g + μ b_t (Nesterov) or b_t;  θ ← θ - η d.
    """
    damp = 1 - dampening

    def init(params):
        return (None,)

    def update(grads, state, params, lr):
        buf, = state
        if weight_decay != 0:
            grads = [g + weight_decay * p for g, p in zip(grads, params)]
        if momentum == 0:
            return tuple([p + -lr * g for p, g in zip(params, grads)]), state
        if buf is None:                         # torch's first step: the buffer is a copy of g, no dampening
            buf = grads
        else:
            buf = [b * momentum + damp * g for b, g in zip(buf, grads)]
        new = []
        for p, g, b in zip(params, grads, buf):
            new.append(p + -lr * (g + momentum * b if nesterov else b))
        return tuple(new), (tuple(buf),)

    return Rule(init, update)


def momentum(lr=1e-3, momentum=0.9, dampening=0.0, weight_decay=0.0):
    """Heavy-ball momentum: torch.optim.SGD(momentum=0.9), b ← μb + (1-τ)g;  θ ← θ - η b."""
    return sgd(lr, momentum, dampening, weight_decay, nesterov=False)


def nesterov(lr=1e-3, momentum=0.9, weight_decay=0.0):
    """Nesterov momentum: torch.optim.SGD(momentum=0.9, nesterov=True), b ← μb + g;  θ ← θ - η(g + μb)."""
    return sgd(lr, momentum, 0.0, weight_decay, nesterov=True)


def adagrad(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    """Adagrad (torch.optim.Adagrad): s ← s + g²;  θ ← θ - η_t g / (√s + ε),  η_t = η / (1 + (t-1)·lr_decay)."""
    def init(params):
        return (0, (initial_accumulator_value,) * len(params))

    def update(grads, state, params, lr):
        step, acc = state
        step += 1
        neg_clr = -(lr / (1 + (step - 1) * lr_decay))
        new, sums = [], []
        for p, g, s in zip(params, grads, acc):
            if weight_decay != 0:
                g = g + weight_decay * p
            s = g * g + s
            sums.append(s)
            new.append(p + (neg_clr * g) / (_sqrt(s) + eps))
        return tuple(new), (step, tuple(sums))

    return Rule(init, update)


def rmsprop(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    """RMSprop (torch.optim.RMSprop): v ← αv + (1-α)g²;  θ ← θ - η g / (√v + ε)  (centered: √(v - ḡ²)).

    With momentum: b ← μb + g / (√v + ε);  θ ← θ - η b.
    """
    w, low, w_far = _ema_weights(alpha)

    def init(params):
        zeros = _zeros(params)
        return (0, zeros, zeros if centered else None, zeros if momentum > 0 else None)

    def update(grads, state, params, lr):
        step, square_avg, grad_avg, buf = state
        step += 1
        new, sq, ga, bf = [], [], [], []
        for i, (p, g, v) in enumerate(zip(params, grads, square_avg)):
            if weight_decay != 0:
                g = g + weight_decay * p
            v = (w * g) * g + v * alpha
            sq.append(v)
            if centered:
                a = grad_avg[i]
                a = a + w * (g - a) if low else g - (g - a) * w_far
                ga.append(a)
                avg = _sqrt(v - a * a) + eps
            else:
                avg = _sqrt(v) + eps
            if momentum > 0:
                b = buf[i] * momentum + g / avg
                bf.append(b)
                new.append(p + -lr * b)
            else:
                new.append(p + (-lr * g) / avg)
        return tuple(new), (step, tuple(sq), tuple(ga) if centered else None, tuple(bf) if momentum > 0 else None)

    return Rule(init, update)


def adadelta(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
    """Adadelta (torch.optim.Adadelta): v ← ρv + (1-ρ)g²;  Δ = √(u + ε)/√(v + ε) · g;  u ← ρu + (1-ρ)Δ²;
    θ ← θ - η Δ."""
    w = 1 - rho

    def init(params):
        zeros = _zeros(params)
        return (0, zeros, zeros)

    def update(grads, state, params, lr):
        step, square_avg, acc_delta = state
        step += 1
        new, sq, acc = [], [], []
        for p, g, v, u in zip(params, grads, square_avg, acc_delta):
            if weight_decay != 0:
                g = g + weight_decay * p
            v = (w * g) * g + v * rho
            delta = _sqrt(u + eps) / _sqrt(v + eps) * g
            sq.append(v)
            acc.append((w * delta) * delta + u * rho)
            new.append(p + -lr * delta)
        return tuple(new), (step, tuple(sq), tuple(acc))

    return Rule(init, update)


def _adam_moments(betas, weight_decay, decoupled_weight_decay):
    """The step Adam, NAdam and RAdam share, as ``moments(grads, params, exp_avg, exp_avg_sq, lr)``:

    weight decay (g ← g + λθ, or θ ← θ(1 - ηλ) if decoupled), then m ← β1 m + (1-β1) g (torch's lerp) and
    v ← β2 v + (1-β2) g². Returns lists (params, grads, m, v) after it.
    """
    beta1, beta2 = betas
    w1, low, w1_far = _ema_weights(beta1)
    w2 = 1 - beta2
    coupled = weight_decay != 0 and not decoupled_weight_decay
    decoupled = weight_decay != 0 and decoupled_weight_decay

    def moments(grads, params, exp_avg, exp_avg_sq, lr):
        decay = 1 - lr * weight_decay
        ps, gs, ms, vs = [], [], [], []
        for p, g, m, v in zip(params, grads, exp_avg, exp_avg_sq):
            if coupled:
                g = g + weight_decay * p
            elif decoupled:
                p = p * decay
            ps.append(p)
            gs.append(g)
            ms.append(m + w1 * (g - m) if low else g - (g - m) * w1_far)
            vs.append((w2 * g) * g + v * beta2)
        return ps, gs, ms, vs

    return moments


def adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled_weight_decay=False,
         bias_correction=True):
    """Adam (torch.optim.Adam): m ← β1 m + (1-β1) g;  v ← β2 v + (1-β2) g²;
    θ ← θ - η m̂ / (√v̂ + ε), with m̂ = m/(1-β1ᵗ), v̂ = v/(1-β2ᵗ); AMSGrad uses the running max of v.

    Weight decay: g ← g + λθ, or θ ← θ(1 - ηλ) first when ``decoupled_weight_decay`` (AdamW).
    ``bias_correction=False`` (not a torch option; for teaching) uses m̂ = m and v̂ = v.
    """
    beta1, beta2 = betas
    moments = _adam_moments(betas, weight_decay, decoupled_weight_decay)

    def init(params):
        zeros = _zeros(params)
        return (0, zeros, zeros, zeros if amsgrad else None)

    def update(grads, state, params, lr):
        step, exp_avg, exp_avg_sq, max_sq = state
        step += 1
        params, _, ms, vs = moments(grads, params, exp_avg, exp_avg_sq, lr)
        neg_step_size = -(lr / (1 - beta1 ** step)) if bias_correction else -lr
        bc2_sqrt = (1 - beta2 ** step) ** 0.5 if bias_correction else 1.0
        if amsgrad:
            max_sq = tuple(map(max, max_sq, vs))                # max of the uncorrected v
        new = [p + (neg_step_size * m) / (_sqrt(v) / bc2_sqrt + eps)
               for p, m, v in zip(params, ms, max_sq if amsgrad else vs)]
        return tuple(new), (step, tuple(ms), tuple(vs), max_sq)

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
    moments = _adam_moments(betas, weight_decay, decoupled_weight_decay)

    def init(params):
        zeros = _zeros(params)
        return (0, 1.0, zeros, zeros)

    def update(grads, state, params, lr):
        step, mu_product, exp_avg, exp_avg_sq = state
        step += 1
        bias_correction2 = 1 - beta2 ** step
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product = mu_product * mu
        c_grad = -lr * (1.0 - mu) / (1.0 - mu_product)
        c_avg = (-lr * mu_next) / (1.0 - mu_product * mu_next)
        params, grads, ms, vs = moments(grads, params, exp_avg, exp_avg_sq, lr)
        new = []
        for p, g, m, v in zip(params, grads, ms, vs):
            denom = _sqrt(v / bias_correction2) + eps
            new.append(p + (c_grad * g) / denom + (c_avg * m) / denom)     # two addcdiv_, left to right
        return tuple(new), (step, mu_product, tuple(ms), tuple(vs))

    return Rule(init, update)


def radam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False):
    """RAdam (torch.optim.RAdam): momentum SGD with m̂ while ρ_t ≤ 5, then Adam with the rectifier r_t:

    ρ_∞ = 2/(1-β2) - 1,  ρ_t = ρ_∞ - 2t β2ᵗ/(1-β2ᵗ),  r_t = √((ρ_t-4)(ρ_t-2)ρ_∞ / ((ρ_∞-4)(ρ_∞-2)ρ_t)),
    θ ← θ - η m̂ · r_t √(1-β2ᵗ)/(√v + ε)  (ρ_t > 5),  else θ ← θ - η m̂.
    """
    beta1, beta2 = betas
    rho_inf = 2 / (1 - beta2) - 1
    moments = _adam_moments(betas, weight_decay, decoupled_weight_decay)

    def init(params):
        zeros = _zeros(params)
        return (0, zeros, zeros)

    def update(grads, state, params, lr):
        step, exp_avg, exp_avg_sq = state
        step += 1
        params, _, ms, vs = moments(grads, params, exp_avg, exp_avg_sq, lr)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            sqrt_bc2 = bias_correction2 ** 0.5
            # torch: ((m̂·lr)·adaptive)·rect with adaptive = sqrt_bc2 / (√v + ε), a float over a tensor,
            # which torch computes as (1 / (√v + ε))·sqrt_bc2
            new = [p - m / bias_correction1 * lr * ((1.0 / (_sqrt(v) + eps)) * sqrt_bc2) * rect
                   for p, m, v in zip(params, ms, vs)]
        else:
            new = [p - m / bias_correction1 * lr for p, m in zip(params, ms)]
        return tuple(new), (step, tuple(ms), tuple(vs))

    return Rule(init, update)


def adamax(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """Adamax (torch.optim.Adamax): m ← β1 m + (1-β1) g;  u ← max(β2 u, |g| + ε);  θ ← θ - η/(1-β1ᵗ) · m / u."""
    beta1, beta2 = betas
    w1, low, w1_far = _ema_weights(beta1)

    def init(params):
        zeros = _zeros(params)
        return (0, zeros, zeros)

    def update(grads, state, params, lr):
        step, exp_avg, exp_inf = state
        step += 1
        neg_clr = -(lr / (1 - beta1 ** step))
        new, ms, us = [], [], []
        for p, g, m, u in zip(params, grads, exp_avg, exp_inf):
            if weight_decay != 0:
                g = g + weight_decay * p
            m = m + w1 * (g - m) if low else g - (g - m) * w1_far
            u = max(u * beta2, abs(g) + eps)
            ms.append(m)
            us.append(u)
            new.append(p + (neg_clr * m) / u)
        return tuple(new), (step, tuple(ms), tuple(us))

    return Rule(init, update)


def lion(lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, decoupled_weight_decay=False):
    """Lion (Chen et al. 2023, as lion-pytorch 0.2.5 implements it):

    θ ← θ(1 - ηλ);  θ ← θ - η sign(β1 m + (1-β1) g);  m ← β2 m + (1-β2) g.
    With ``decoupled_weight_decay`` λ is divided by the initial lr, so the decay no longer scales with η.
    """
    beta1, beta2 = betas
    w1, w2 = 1.0 - beta1, 1.0 - beta2
    wd = weight_decay / lr if decoupled_weight_decay else weight_decay

    def init(params):
        return (_zeros(params),)

    def update(grads, state, params, lr):
        exp_avg, = state
        decay = 1.0 - lr * wd
        new, ms = [], []
        for p, g, m in zip(params, grads, exp_avg):
            c = w1 * g + m * beta1
            new.append(p * decay + -lr * ((c > 0) - (c < 0)))   # sign(c) in {-1, 0, 1}
            ms.append(w2 * g + m * beta2)
        return tuple(new), (tuple(ms),)

    return Rule(init, update)
