"""Glue between pycore.api and the page's JavaScript (web/app.js); no maths here.

Registers one function, ``window.optvizCall(name, args_json) -> result_json``: JSON strings both ways, so
nothing crosses the boundary but plain data. A ValueError becomes ``{"error": message}`` for the page to show.
The trajectories of the paths on screen are kept here so the step inspector can ask for one step's details.
"""
import json

from js import CustomEvent, window
from pyodide.ffi import create_proxy

from pycore import api

_shown = {}


def _runs(surface, start, steps, settings, options=None):
    trajs, errors = api.run_all(surface, start, steps, settings, options)
    _shown.clear()
    _shown.update(trajs)
    return {"runs": {k: api.run_summary(t) for k, t in trajs.items()}, "errors": errors}


def _inspect(key, step):
    if key not in _shown:
        raise ValueError(f"no run shown for optimizer {key!r}")
    return api.step_info(_shown[key], step)


_CALLS = {
    "catalog": api.catalog,
    "grid": api.surface_grid,
    "runs": _runs,
    "inspect": _inspect,
    "preset": api.preset,
    "check": api.check_hyperparams,
}


def _call(name, args_json):
    try:
        return json.dumps({"ok": _CALLS[name](**json.loads(args_json))}, allow_nan=False, separators=(",", ":"))
    except ValueError as e:
        return json.dumps({"error": str(e)})


window.optvizCall = create_proxy(_call)
window.dispatchEvent(CustomEvent.new("optviz:python"))
