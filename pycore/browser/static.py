"""The first view, computed at build time so the page can draw it before Python has started.

``first_view()`` is everything the page shows when it opens with no link: the registries (``catalog``), the
schedule records, the default view (``DEFAULT``, a scene chosen to read in five seconds: four classic
optimizers on Rosenbrock's valley with the preset learning rates, labelled as presets), its surface's contour
grid and its race. ``python3 tools/make_static.py`` writes it to ``web/first_view.json``; a test fails when
that file differs from what pycore computes now. Float arrays are stored as base64 of little-endian float64,
so the page gets pycore's numbers bit for bit.
"""
import base64
from array import array
import sys

from ..optimizers import OPTIMIZERS
from .catalog import DEFAULT_STEPS, catalog, surface_grid, surface_record
from .presets import preset
from .runs import pack, run_all
from .share import schedule_catalog, validate_view

DEFAULT_SURFACE = "rosenbrock"
DEFAULT_ENABLED = ("sgd", "momentum", "rmsprop", "adam")


def floats64(values):
    """base64 of the values as little-endian float64 (exact)."""
    a = array("d", values)
    if sys.byteorder != "little":
        a.byteswap()
    return base64.b64encode(a.tobytes()).decode("ascii")


def default_view():
    """The opening view: Rosenbrock from its default start, four optimizers at the preset learning rates
    (the rest one click away in the legend), every other setting torch's default, playing from step 0."""
    lrs = preset(DEFAULT_SURFACE)
    chosen = [k for k in OPTIMIZERS if lrs[k] is not None]
    return validate_view({
        "v": 1, "surface": DEFAULT_SURFACE, "start": list(surface_record(DEFAULT_SURFACE)["starts"][0]),
        "steps": DEFAULT_STEPS, "step": 0, "enabled": list(DEFAULT_ENABLED),
        "hyperparams": {k: {"lr": lrs[k]["lr"]} for k in chosen}, "preset": chosen, "preset_mode": True,
    })


def first_view():
    """The page's opening data, JSON-ready (see the module docstring)."""
    view = default_view()
    grid = dict(surface_grid(view["surface"]))
    grid["values"] = floats64(grid["values"])
    trajs, errors = run_all(view["surface"], view["start"], view["steps"], view["hyperparams"])
    records, floats = pack(trajs, view["surface"])
    return {"catalog": catalog(), "schedules": schedule_catalog(), "view": view,
            "surface": surface_record(view["surface"]), "grid": grid,
            "race": {"id": 0, "start": view["start"], "steps": view["steps"], "runs": records, "errors": errors,
                     "floats": floats64(floats)}}
