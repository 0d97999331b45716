"""Training surfaces from data: the training loss of a two-parameter model over a small seeded dataset is a 2-D
surface; a held-out validation set gives the validation loss that early stopping watches.

Two datasets, each of N = 64 samples drawn once from ``random.Random(DATA_SEED)`` (stdlib, so identical in
CPython and Pyodide), split once by the same permutation from ``random.Random(SPLIT_SEED)``: ``TRAIN`` (48
samples) and ``VAL`` (the other 16). The surface, its gradient and its minimum are the training loss's;
the validation loss is the same loss over ``VAL``.

* ``linreg``: x_i ~ U(0, 2), y_i = 2 x_i - 1 + ε_i, ε_i ~ N(0, 0.5²). Parameters (w, b), loss
  L(w, b) = (1/n) Σ (w x_i + b - y_i)², the mean squared error of the line y = w x + b. The feature is not
  centred, so w and b are correlated: the loss is an elongated, tilted bowl.
* ``logreg``: labels t_i = ±1 (a fair coin) and two correlated features
  x_i = t_i (1, 0.5) + (g_1, 0.8 g_1 + 0.6 g_2), g ~ N(0, 1): overlapping classes. Parameters (w_1, w_2), no
  bias (the classes are symmetric about the origin), loss L(w) = (1/n) Σ log(1 + exp(-t_i w·x_i)) + (λ/2)‖w‖²
  with λ = 0.01: the mean cross-entropy, computed in the stable softplus form, plus a small L2 penalty that
  keeps a unique minimum even if the classes were separable. The validation loss includes the penalty too, as
  Keras's val_loss includes a model's regularization losses.

Sums over samples use ``math.fsum`` (correctly rounded, so independent of the order of the samples): the
gradient of a mini-batch holding every training sample is bit-for-bit the training-loss gradient. Each
minimum is found by Newton's method on the analytic gradient (``pycore.stationary.refine``).

Mini-batches follow torch's ``DataLoader(Subset(data, TRAIN), shuffle=True, drop_last=False)``: each epoch is
a fresh permutation of the n = 48 training positions drawn from one ``random.Random(seed)`` stream, cut into
batches of ``batch_size`` (the last one smaller when batch_size does not divide n). ``run_minibatch`` runs an
optimizer on the mini-batch gradients through ``pycore.run`` itself (same rules, validation and divergence
semantics) while recording the training loss at every step and the training and validation losses after
every epoch, and can stop early (``pycore.earlystop``, Keras's rule).
"""
from collections import namedtuple
import math
import random

from .checks import lookup
from .earlystop import EarlyStopping, check_early_stopping
from .stationary import hessian, refine
from .surfaces import Minimum, Surface
from .trajectory import Trajectory, run

DATA_SEED = 0
N = 64                          # samples drawn
N_VAL = 16                      # of which held out for validation
SPLIT_SEED = 1
LINREG_TRUE = (2.0, -1.0)       # slope and intercept the linreg targets are drawn from
LINREG_NOISE = 0.5
LINREG_X = (0.0, 2.0)           # the feature is uniform on this interval
LOGREG_MEAN = (1.0, 0.5)        # class centres are ±LOGREG_MEAN
LOGREG_L2 = 0.01

Dataset = namedtuple("Dataset", "key surface inputs targets train val params batch_loss batch_grad")
Dataset.__doc__ = """A training surface and its data.

surface: the training loss as a Surface (x axis = params[0], y axis = params[1]); inputs[i]: sample i's
features (a float for linreg, a pair for logreg); targets[i]: y_i or the label t_i = ±1; train, val: the
indices of the training and validation samples (``TRAIN``, ``VAL``); params: the two parameter names;
batch_loss(p, q, indices) and batch_grad(p, q, indices): loss and exact gradient over the samples ``indices``
(``train`` gives ``surface.f`` and ``surface.grad`` exactly; ``val`` the validation loss).
"""


def _split():
    """(training indices, validation indices), each increasing: the last N_VAL of a permutation of range(N)
    drawn from ``random.Random(SPLIT_SEED)`` are held out."""
    order = list(range(N))
    random.Random(SPLIT_SEED).shuffle(order)
    return tuple(sorted(order[:N - N_VAL])), tuple(sorted(order[N - N_VAL:]))


TRAIN, VAL = _split()
N_TRAIN = len(TRAIN)
SPLIT_TEXT = (f"{N} points drawn with seed {DATA_SEED}; {N_TRAIN} train the model (the surface is their loss) "
              f"and {N_VAL}, held out at random with seed {SPLIT_SEED}, give the validation loss")


# --- mini-batches --------------------------------------------------------------------------------------------
def _check_batch_size(batch_size, n):
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be a whole number from 1 to {n}, got {batch_size!r}")


def _check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be a whole number, got {seed!r}")


def minibatches(n, batch_size, seed):
    """Endless mini-batches of range(n): epoch after epoch, a permutation from ``random.Random(seed)`` cut
    into consecutive tuples of ``batch_size`` indices (the last batch of an epoch is smaller when
    ``batch_size`` does not divide n)."""
    _check_batch_size(batch_size, n)
    _check_seed(seed)
    rng = random.Random(seed)
    while True:
        order = list(range(n))
        rng.shuffle(order)
        for i in range(0, n, batch_size):
            yield tuple(order[i:i + batch_size])


def steps_per_epoch(n, batch_size):
    """ceil(n / batch_size): the number of batches (optimizer steps) in one epoch."""
    _check_batch_size(batch_size, n)
    return -(-n // batch_size)


def epoch_batches(n, batch_size, seed, epochs):
    """The first ``epochs`` epochs of ``minibatches``, as a list of epochs, each a list of batches."""
    it, per = minibatches(n, batch_size, seed), steps_per_epoch(n, batch_size)
    return [[next(it) for _ in range(per)] for _ in range(epochs)]


# --- linear regression: mean squared error over (w, b) ------------------------------------------------------
def _linreg_data():
    rng = random.Random(DATA_SEED)
    w, b = LINREG_TRUE
    xs = [rng.uniform(*LINREG_X) for _ in range(N)]
    ys = [w * x + b + rng.gauss(0.0, LINREG_NOISE) for x in xs]
    return tuple(xs), tuple(ys)


def _make_linreg():
    xs, ys = _linreg_data()

    def moments(indices):
        """(m, Σx, Σx², Σxy, Σy, Σy²) over the samples ``indices``, each sum correctly rounded."""
        fsum = math.fsum
        return (len(indices), fsum(xs[i] for i in indices), fsum(xs[i] * xs[i] for i in indices),
                fsum(xs[i] * ys[i] for i in indices), fsum(ys[i] for i in indices),
                fsum(ys[i] * ys[i] for i in indices))

    def loss_from(mom, w, b):
        # (1/m) Σ (w x + b - y)² expanded: (w² Σx² + 2wb Σx + m b² - 2w Σxy - 2b Σy + Σy²)/m
        m, sx, sxx, sxy, sy, syy = mom
        return (w * w * sxx + 2.0 * w * b * sx + m * b * b - 2.0 * w * sxy - 2.0 * b * sy + syy) / m

    def grad_from(mom, w, b):
        m, sx, sxx, sxy, sy, _ = mom
        return 2.0 * (w * sxx + b * sx - sxy) / m, 2.0 * (w * sx + b * m - sy) / m

    full = moments(TRAIN)

    def f(w, b):
        return loss_from(full, w, b)

    def grad(w, b):
        return grad_from(full, w, b)

    def batch_loss(w, b, indices):
        return loss_from(moments(indices), w, b)

    def batch_grad(w, b, indices):
        return grad_from(moments(indices), w, b)

    tw, tb = LINREG_TRUE
    surface = _data_surface(
        "linreg", "Linear regression (MSE)", f, grad, ((tw - 4.0, tw + 4.0), (tb - 4.0, tb + 4.0)),
        starts=[(tw - 3.5, tb + 3.0), (tw + 3.5, tb - 3.5), (tw - 3.0, tb - 3.0)],
        latex=(r"L(w, b) = \frac{1}{n}\sum_{i \in \mathrm{train}}\left(w\,x_i + b - y_i\right)^2,\quad n = "
               + str(N_TRAIN)),
        description=(f"Training loss: mean squared error of the line y = w·x + b. Data: {SPLIT_TEXT}. "
                     f"x ~ U({LINREG_X[0]:g}, {LINREG_X[1]:g}), y = {tw:g}x {'-' if tb < 0 else '+'} {abs(tb):g} + N(0, {LINREG_NOISE:g}²). "
                     f"Horizontal axis: slope w; vertical axis: intercept b."))
    return Dataset("linreg", surface, xs, ys, TRAIN, VAL, ("w", "b"), batch_loss, batch_grad)


# --- logistic regression: mean cross-entropy + L2 over (w1, w2) -----------------------------------------------
def _logreg_data():
    rng = random.Random(DATA_SEED)
    mx, my = LOGREG_MEAN
    inputs, labels = [], []
    for _ in range(N):
        t = 1.0 if rng.random() < 0.5 else -1.0
        g1, g2 = rng.gauss(0.0, 1.0), rng.gauss(0.0, 1.0)
        inputs.append((t * mx + g1, t * my + 0.8 * g1 + 0.6 * g2))
        labels.append(t)
    return tuple(inputs), tuple(labels)


def _softplus(u):
    """log(1 + e^u) without overflow."""
    return u + math.log1p(math.exp(-u)) if u > 0 else math.log1p(math.exp(u))


def _sigmoid_neg(m):
    """σ(-m) = 1 / (1 + e^m) without overflow."""
    if m >= 0:
        e = math.exp(-m)
        return e / (1.0 + e)
    return 1.0 / (1.0 + math.exp(m))


def _make_logreg():
    inputs, labels = _logreg_data()
    data = tuple((t * a, t * c) for (a, c), t in zip(inputs, labels))    # t_i x_i: the margin is w·(t_i x_i)
    lam = LOGREG_L2

    def batch_loss(w1, w2, indices):
        ce = math.fsum(_softplus(-(w1 * data[i][0] + w2 * data[i][1])) for i in indices)
        return ce / len(indices) + 0.5 * lam * (w1 * w1 + w2 * w2)

    def batch_grad(w1, w2, indices):
        # ∂/∂w = -(1/m) Σ σ(-t_i w·x_i) t_i x_i + λ w
        s = [(_sigmoid_neg(w1 * data[i][0] + w2 * data[i][1]), data[i]) for i in indices]
        m = len(indices)
        return (-math.fsum(a * u for a, (u, _) in s) / m + lam * w1,
                -math.fsum(a * v for a, (_, v) in s) / m + lam * w2)

    def f(w1, w2):
        return batch_loss(w1, w2, TRAIN)

    def grad(w1, w2):
        return batch_grad(w1, w2, TRAIN)

    surface = _data_surface(
        "logreg", "Logistic regression (cross-entropy)", f, grad, ((-2.0, 6.0), (-4.0, 4.0)),
        starts=[(-1.5, 3.5), (5.5, -3.5), (-1.5, -3.5)],
        latex=(r"L(w_1, w_2) = \frac{1}{n}\sum_{i \in \mathrm{train}}\log\left(1 + e^{-t_i\,(w_1 x_{i1} + w_2 x_{i2})}\right)"
               r" + \frac{\lambda}{2}\left(w_1^2 + w_2^2\right),\quad n = " + str(N_TRAIN)
               + r",\ \lambda = " + f"{lam:g}"),
        description=(f"Training loss: mean cross-entropy of a logistic model without bias, plus an L2 term "
                     f"λ/2·‖w‖² with λ = {lam:g} (in the validation loss too). Data: {SPLIT_TEXT}. Labels "
                     f"t = ±1, features t·({LOGREG_MEAN[0]:g}, {LOGREG_MEAN[1]:g}) plus correlated Gaussian "
                     f"noise. Horizontal axis: w₁; vertical axis: w₂."))
    return Dataset("logreg", surface, inputs, labels, TRAIN, VAL, ("w1", "w2"), batch_loss, batch_grad)


def _data_surface(key, name, f, grad, bounds, **meta):
    """The Surface of a convex data loss: its minimum by Newton's method from the origin, tagged
    ill-conditioned when the Hessian's condition number there is at least 20."""
    x, y = refine(grad, 0.0, 0.0)
    (a, b), (_, d) = hessian(grad, x, y)
    root = math.hypot(a - d, 2.0 * b)
    cond = (a + d + root) / (a + d - root)
    tags = {"convex", "unimodal"} | ({"ill-conditioned"} if cond >= 20 else set())
    return Surface(name, f, grad, bounds, key=key, minima=(Minimum(x, y, f(x, y), True),), tags=tags,
                   levels="log", **meta)


DATASETS = {d.key: d for d in (_make_linreg(), _make_logreg())}


def get_dataset(dataset):
    """A Dataset from a key or a Dataset; ValueError for an unknown key."""
    return lookup(DATASETS, dataset, "dataset", Dataset)


# --- mini-batch runs ---------------------------------------------------------------------------------------
class MinibatchTrajectory(Trajectory):
    """A ``Trajectory`` of a mini-batch run: the same fields, where ``grads[k]`` is the mini-batch gradient
    step k + 1 used and ``losses`` the training loss, plus ``minibatch``: a JSON-ready dict with the dataset,
    batch_size, steps_per_epoch, the number of completed epochs, ``epoch_losses`` and ``val_losses`` (the
    training and validation losses at the start and after each completed epoch) and ``early_stopping`` (None,
    or the settings with ``best_epoch``, ``best_val_loss``, ``wait`` (epochs in a row without improvement at
    the end), ``stopped_epoch`` (None when it did not stop) and ``restored``). ``to_dict`` includes those keys
    too.

    ``points[-1]`` is always where the last step left the parameters: the stop point when early stopping ended
    the run, and what its outcome describes. With ``restore_best``, the parameters the run returns are
    ``restored["point"]``, the end of the best epoch: ``points[restored["step"]]``, already on the path (a
    restore is not a step, so nothing is appended).
    """

    def to_dict(self):
        return {**super().to_dict(), **self.minibatch}


def _stopping(monitor, spec, t, per):
    """The early-stopping part of a run's record (see ``MinibatchTrajectory``)."""
    best = monitor.best_epoch
    restored = None
    if spec["restore_best"] and best is not None:
        k = best * per
        restored = {"epoch": best, "step": k, "point": list(t.points[k]), "loss": t.losses[k],
                    "val_loss": monitor.best}
    return {**spec, "best_epoch": best, "best_val_loss": None if best is None else monitor.best,
            "wait": monitor.wait, "stopped_epoch": monitor.stopped_epoch, "restored": restored}


def run_minibatch(optimizer, dataset, start=None, *, epochs=None, steps=None, batch_size=N_TRAIN, seed=0,
                  early_stopping=None, **options):
    """Run ``optimizer`` on mini-batch gradients of ``dataset`` for ``epochs`` epochs or ``steps`` steps.

    Step k uses the gradient of the k-th batch of ``minibatches(n, batch_size, seed)`` (positions in the
    training set) at the current point. ``options`` are ``pycore.run``'s (hyperparameters by torch's names,
    schedule, noise, max_grad_norm, tol); validation, divergence and outcome are run's own, since the run is
    ``pycore.run`` on the dataset's surface with the mini-batch gradient as its ``gradient``. batch_size = n is
    full-batch gradient descent on the training loss, exactly. ``early_stopping`` ({"patience", "min_delta",
    "restore_best"}, ``pycore.earlystop``) watches the validation loss after every epoch and may end the run
    at an epoch's end; steps after the last complete epoch are not watched. Returns a ``MinibatchTrajectory``.
    """
    data = get_dataset(dataset)
    n = len(data.train)
    per = steps_per_epoch(n, batch_size)
    _check_seed(seed)
    if (epochs is None) == (steps is None):
        raise ValueError("give exactly one of epochs and steps")
    for name, v in (("epochs", epochs), ("steps", steps)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
            raise ValueError(f"{name} must be a whole number >= 0, got {v!r}")
    es = check_early_stopping(early_stopping)
    total = steps if steps is not None else epochs * per
    batches = minibatches(n, batch_size, seed)
    batch_grad, batch_loss, train, val = data.batch_grad, data.batch_loss, data.train, data.val

    def stochastic_grad(p, q):     # run() asks once per point: at the start, then after each step
        return batch_grad(p, q, [train[i] for i in next(batches)])

    monitor = None if es is None else EarlyStopping(es["patience"], es["min_delta"])

    def epoch_end(k, p, q):
        if k % per == 0 and monitor.epoch_end(k // per, batch_loss(p, q, val)):
            return f"early stopping ended the run after epoch {k // per}"
        return None

    t = MinibatchTrajectory._make(run(optimizer, data.surface, start, total, seed=seed, gradient=stochastic_grad,
                                      stop=None if monitor is None else epoch_end, **options))
    done = len(t.updates) // per
    ends = [e * per for e in range(done + 1)]
    t.minibatch = {"dataset": data.key, "batch_size": batch_size, "steps_per_epoch": per, "epochs": done,
                   "epoch_losses": [t.losses[k] for k in ends],
                   "val_losses": [batch_loss(*t.points[k], val) for k in ends],
                   "early_stopping": None if monitor is None else _stopping(monitor, es, t, per)}
    return t
