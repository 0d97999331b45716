"""The hyperparameter settings the figures and the comparison use, defined once so every output can state them.

Two settings, both torch's defaults for everything but ``lr``:

* ``defaults``: torch's (lion-pytorch's for Lion) defaults, untouched.
* ``common``: one learning rate, ``COMMON_LR``, for every optimizer, because several defaults (SGD 1e-3,
  Lion 1e-4) barely move in the step budget. The exception is Adadelta, which keeps its default lr = 1.0: its
  lr multiplies a step that Adadelta already scales to the units of θ (RMS[Δθ]/RMS[g]), and 1.0 is Zeiler's
  paper form; lr = 1e-2 would only shrink that step 100-fold.
"""
import pycore
from pycore.hyperparams import validate

STEPS = 1000
TOL = 1e-2  # a run has reached a minimum when it ends within this distance of it
COMMON_LR = 1e-2
SETTINGS = ("defaults", "common")
SETTING_TEXT = {
    "defaults": "torch defaults (lion-pytorch's for Lion)",
    "common": f"torch defaults except lr = {COMMON_LR:g} for every optimizer but Adadelta, which keeps lr = 1.0",
}


def overrides(key, setting):
    """The hyperparameters a setting changes from the defaults for optimizer ``key``."""
    if setting == "defaults" or key == "adadelta":
        return {}
    if setting == "common":
        return {"lr": COMMON_LR}
    raise ValueError(f"unknown setting {setting!r}; expected one of {', '.join(SETTINGS)}")


def in_effect(key, hyperparams):
    """Every hyperparameter in effect (defaults filled in), as pycore validates them."""
    spec = pycore.OPTIMIZERS[key]
    return validate(spec.hyperparams, hyperparams, key)


def fmt(value):
    """A hyperparameter value as text: 0.01, 1e-08, (0.9, 0.999), False."""
    if isinstance(value, tuple):
        return "(" + ", ".join(fmt(v) for v in value) + ")"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def describe(key, hyperparams):
    """``lr=0.01, betas=(0.9, 0.999), ...``: every value in effect, in the registry's order."""
    return ", ".join(f"{k}={fmt(v)}" for k, v in in_effect(key, hyperparams).items())
