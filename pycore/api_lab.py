"""The page's lab features as JSON-ready data: surfaces given as specs, mini-batch runs, basin maps, lr tuning.

A surface *spec* is what the page sends wherever it names a surface:

* a key of ``SURFACES`` (``"rosenbrock"``) or of ``DATASETS`` (``"linreg"``: the full-data loss);
* ``{"custom": text, "bounds": [[xmin, xmax], [ymin, ymax]]}``: your own f(x, y) (``pycore.expr``);
* ``{"dataset": "linreg" | "logreg", "batch_size": B, "seed": s}``: a training surface whose runs use
  mini-batch gradients (B = n is full-batch gradient descent, exactly).

``resolve_surface`` turns a spec into a ``Surface`` (custom ones are cached, so the same text and bounds give
the same object and the grid cache in ``api.surface_grid`` hits); ``runner`` gives the function that runs one
optimizer on it (``pycore.run``, or ``run_minibatch`` for a dataset spec). Everything is checked: a bad spec
raises ValueError naming the field and what is allowed.
"""
import functools
import math

from . import api
from .checks import check_bounds, check_whole
from .compare import basin_levels
from .datasets import DATASETS, N, run_minibatch, steps_per_epoch
from .expr import MAX_LENGTH, custom_surface, describe
from .optimizers import get_optimizer
from .surfaces import get_surface
from .trajectory import run
from .tuning import tune

CUSTOM_KEY = "custom"
CUSTOM_DEFAULT = {"custom": "x**2 + 3*sin(y)", "bounds": [[-3.0, 3.0], [-3.0, 3.0]]}
BASIN_SIZES = (25, 50, 100)
BASIN_CHUNK = 400       # starts per partial map: the worker answers a cancel within one chunk
MAX_SEED = 2 ** 32 - 1
SHORT_NAMES = {"linreg": "lin. regression", "logreg": "log. regression"}   # fit the surface menu


@functools.lru_cache(maxsize=16)
def _custom(text, bounds):
    return custom_surface(text, bounds)


def _check_keys(spec, required, optional=()):
    missing = [k for k in required if k not in spec]
    extra = sorted(set(spec) - set(required) - set(optional))
    if missing or extra:
        raise ValueError(f"a surface spec with {required[0]!r} takes the fields {', '.join(required + optional)}; "
                         f"got {', '.join(sorted(spec)) or 'none'}")


def _data_spec(spec):
    """(dataset, batch_size, seed) from a dataset spec, checked."""
    _check_keys(spec, ("dataset",), ("batch_size", "seed"))
    key = spec["dataset"]
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {key!r}; expected one of {', '.join(DATASETS)}")
    n = len(DATASETS[key].targets)
    batch = spec.get("batch_size", n)
    check_whole("batch_size", batch, 1, n)
    seed = spec.get("seed", 0)
    check_whole("seed", seed, 0, MAX_SEED)
    return key, batch, seed


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
        return DATASETS[_data_spec(spec)[0]].surface
    raise ValueError(f"a surface spec is a surface key, {{'custom': text, 'bounds': ...}} or "
                     f"{{'dataset': key, 'batch_size': B, 'seed': s}}; got fields {', '.join(sorted(spec))}")


def runner(spec):
    """run(key, start=..., steps=..., schedule=..., noise=..., seed=..., max_grad_norm=..., **hp) for ``spec``.

    On a dataset spec every step uses the gradient of the next mini-batch drawn from the spec's seed (which
    also seeds any gradient noise, so the ``seed`` run option does not apply there); elsewhere ``pycore.run``.
    """
    if isinstance(spec, dict) and "dataset" in spec:
        key, batch, data_seed = _data_spec(spec)

        def run_data(optimizer, *, start, steps, seed=0, **options):
            return run_minibatch(optimizer, key, start, steps=steps, batch_size=batch, seed=data_seed, **options)
        return run_data
    surf = resolve_surface(spec)
    return functools.partial(run, surface=surf)


def _record(surf):
    rec = api._surface(surf)
    rec["computed"] = surf.computed
    rec["axes"] = ["x", "y"]
    return rec


def surface_record(spec):
    """What the page needs to draw ``spec``'s surface: ``api.catalog``'s record plus ``computed`` (minima found
    numerically), ``axes`` (the axis names) and, for a dataset, ``data`` (its size, parameters, batch-size
    range, steps per epoch at the spec's batch size, and the seed)."""
    surf = resolve_surface(spec)
    rec = _record(surf)
    key = spec["dataset"] if isinstance(spec, dict) and "dataset" in spec else spec
    if isinstance(key, str) and key in DATASETS:
        data = DATASETS[key]
        _, batch, seed = _data_spec(spec if isinstance(spec, dict) else {"dataset": key})
        rec["axes"] = list(data.params)
        rec["short"] = SHORT_NAMES[key]
        rec["data"] = {"dataset": key, "n": len(data.targets), "params": list(data.params), "batch_size": batch,
                       "seed": seed, "steps_per_epoch": steps_per_epoch(len(data.targets), batch)}
    return rec


def lab_catalog():
    """The lab's registries: the data surfaces (records), the custom default and limits, basin grid sizes."""
    return {"datasets": [surface_record(k) for k in DATASETS], "n": N,
            "custom": {"default": CUSTOM_DEFAULT, "max_length": MAX_LENGTH},
            "basin": {"sizes": list(BASIN_SIZES), "default": BASIN_SIZES[1]}}


def check_custom(expr, bounds):
    """The verdict on a typed f(x, y) and bounds, for the field: {"ok": True, "surface": record, "text",
    "latex", "gradient_text", "gradient_latex"} or {"ok": False, "field": "expr" | "bounds", "message", and
    for "expr" "pos"/"column" (1-based)}. Nothing here runs an optimizer."""
    verdict = describe(expr)
    if not verdict["ok"]:
        return {**verdict, "field": "expr"}
    try:
        surf = resolve_surface({"custom": expr, "bounds": bounds})
    except ValueError as e:
        return {"ok": False, "field": "bounds", "message": str(e)}
    return {**verdict, "surface": _record(surf)}


def grid(surface):
    """``api.surface_grid`` for a spec."""
    return api.surface_grid(resolve_surface(surface))


def preset(surface):
    """``api.preset`` for a spec (on a dataset: the full-data loss)."""
    return api.preset(resolve_surface(surface))


def run_summary(traj):
    """``api.run_summary`` plus, for a mini-batch run, ``epoch_losses`` and its ``minibatch`` record."""
    out = api.run_summary(traj)
    extra = getattr(traj, "minibatch", None)
    if extra is not None:
        out["minibatch"] = dict(extra)
    return out


def basin(surface, optimizer, hyperparams=None, size=BASIN_SIZES[1], steps=api.DEFAULT_STEPS, options=None,
          chunk=BASIN_CHUNK):
    """An iterator of partial basin maps (``pycore.compare.basin_levels``) for the page's worker, checked first.

    ``options`` are the page's run options: the optimizer's schedule and ``max_grad_norm`` apply; gradient
    noise and mini-batches do not (a basin map is deterministic: on a dataset spec it uses the full-data loss).
    """
    surf = resolve_surface(surface)
    if size not in BASIN_SIZES:
        raise ValueError(f"size must be one of {', '.join(map(str, BASIN_SIZES))}, got {size!r}")
    check_whole("steps", steps, 1, api.MAX_STEPS)
    opts = api.run_options(options)
    hp = {k: (tuple(v) if isinstance(v, list) else v) for k, v in (hyperparams or {}).items()}
    return basin_levels(surf, optimizer, size, size, steps, hp, schedule=opts["schedules"].get(optimizer),
                        max_grad_norm=opts["max_grad_norm"], chunk=chunk)


def tune_one(surface, optimizer, hyperparams=None, steps=api.DEFAULT_STEPS):
    """``pycore.tuning.tune`` for one optimizer on a spec's (full-data) surface: the other hyperparameters
    fixed at the values given, lr on the default log grid, no gradient clipping. JSON-ready (no inf: an lr
    that diverges has objective None)."""
    surf = resolve_surface(surface)
    defaults = {p.name: p.default for p in get_optimizer(optimizer).hyperparams}
    given = {k: (tuple(v) if isinstance(v, list) else v) for k, v in (hyperparams or {}).items()}
    fixed = {k: v for k, v in given.items() if k != "lr" and v != defaults.get(k)}
    out = tune(surf, [optimizer], steps=steps, hyperparams={optimizer: fixed} if fixed else None)
    rec = out["results"][optimizer]
    rec["objective"] = [v if math.isfinite(v) else None for v in rec["objective"]]
    return {"method": out["method"], "result": rec}
