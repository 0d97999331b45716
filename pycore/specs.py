"""Surface specs: one way, in the engine, to name any surface a run can use.

A spec is

* a key of ``SURFACES`` (``"rosenbrock"``) or of ``DATASETS`` (``"linreg"``: the training loss, full batch);
* ``{"custom": text, "bounds": [[xmin, xmax], [ymin, ymax]]}``: your own f(x, y) (``pycore.expr``);
* ``{"dataset": "linreg" | "logreg", "batch_size": B, "seed": s, "early_stopping": None | {...}}``: a training
  surface (its training loss) whose runs use mini-batch gradients (B = n, the training set's size, is
  full-batch gradient descent, exactly) and may stop early on the validation loss (``pycore.earlystop``).

``resolve_surface(spec)`` gives the ``Surface`` (custom ones are cached, least recently used first out, so the
same text and bounds give the same object); ``runner(spec)`` gives the function that runs one optimizer on it
(``pycore.run``, or ``run_minibatch`` for a dataset spec). A bad spec raises ValueError naming the field.
"""
import functools

from .checks import check_bounds, check_whole, short
from .datasets import DATASETS, run_minibatch
from .earlystop import check_early_stopping
from .expr import custom_surface
from .outcome import gradient_scale
from .surfaces import get_surface
from .trajectory import MAX_SEED, run

CUSTOM_KEY = "custom"
CUSTOM_CACHE = 16


@functools.lru_cache(maxsize=CUSTOM_CACHE)
def _custom(text, bounds):
    return custom_surface(text, bounds)


def _check_keys(spec, required, optional=()):
    missing = [k for k in required if k not in spec]
    extra = sorted((k for k in spec if k not in required + optional), key=str)
    if missing or extra:
        raise ValueError(f"a surface spec with {required[0]!r} takes the fields {', '.join(required + optional)}; "
                         f"got {', '.join(short(k, 30) for k in sorted(spec, key=str)) or 'none'}")


def data_spec(spec):
    """A dataset spec checked and normalised: {"dataset", "batch_size", "seed"} (defaults: the whole training
    set, seed 0) and "early_stopping" only when it is on."""
    _check_keys(spec, ("dataset",), ("batch_size", "seed", "early_stopping"))
    key = spec["dataset"]
    if not isinstance(key, str) or key not in DATASETS:
        raise ValueError(f"unknown dataset {short(key)}; expected one of {', '.join(DATASETS)}")
    n = len(DATASETS[key].train)
    out = {"dataset": key, "batch_size": check_whole("batch size", spec.get("batch_size", n), 1, n),
           "seed": check_whole("mini-batch seed", spec.get("seed", 0), 0, MAX_SEED)}
    early = check_early_stopping(spec.get("early_stopping"))
    return {**out, "early_stopping": early} if early else out


def resolve_surface(spec):
    """The Surface a spec names (see the module docstring); ValueError for anything else."""
    if isinstance(spec, str):
        if spec in DATASETS:
            return DATASETS[spec].surface
        return get_surface(spec)
    if not isinstance(spec, dict):
        return get_surface(spec)
    if "custom" in spec:
        _check_keys(spec, ("custom", "bounds"))
        text = spec["custom"]
        if not isinstance(text, str):
            raise ValueError(f"custom must be the text of f(x, y), got {type(text).__name__}")
        return _custom(text, check_bounds(spec["bounds"]))
    if "dataset" in spec:
        return DATASETS[data_spec(spec)["dataset"]].surface
    raise ValueError(f"a surface spec is a surface key, {{'custom': text, 'bounds': ...}} or "
                     f"{{'dataset': key, 'batch_size': B, 'seed': s}}; got fields "
                     f"{', '.join(short(k, 30) for k in sorted(spec, key=str))}")


def runner(spec):
    """run(key, start=..., steps=..., schedule=..., noise=..., seed=..., max_grad_norm=..., **hp) for ``spec``.

    On a dataset spec every step uses the gradient of the next mini-batch drawn from the spec's seed (which
    also seeds any gradient noise, so the ``seed`` run option does not apply there), with the spec's early
    stopping; elsewhere ``pycore.run``.
    """
    if isinstance(spec, dict) and "dataset" in spec:
        data = data_spec(spec)

        def run_data(optimizer, *, start, steps, seed=0, **options):
            return run_minibatch(optimizer, data["dataset"], start, steps=steps, batch_size=data["batch_size"],
                                 seed=data["seed"], early_stopping=data.get("early_stopping"), **options)
        return run_data
    return functools.partial(run, surface=resolve_surface(spec))


def cache_sizes():
    """How many entries each of the engine's caches holds (all are bounded)."""
    return {"custom surfaces": _custom.cache_info().currsize, "gradient scales": gradient_scale.cache_info().currsize}
