"""Glue between pycore.api and the page's JavaScript (web/app.js); no maths here.

Registers one function, ``window.optvizCall(name, args_json) -> result_json``: JSON strings both ways, so
nothing crosses the boundary but plain data. A ValueError becomes ``{"error": message}`` for the page to show.
The trajectories of the paths on screen are kept here so the step inspector can ask for one step's details.
"""
import json

from js import CustomEvent, window
from pyodide.ffi import create_proxy

from pycore import api, api_lab, api_share

_shown = {}


def _runs(surface, start, steps, settings, options=None):
    trajs, errors = api.run_all(surface, start, steps, settings, options)
    _shown.clear()
    _shown.update(trajs)
    return {"runs": {k: api_lab.run_summary(t) for k, t in trajs.items()}, "errors": errors}


def _inspect(key, step):
    if key not in _shown:
        raise ValueError(f"no run shown for optimizer {key!r}")
    return api.step_info(_shown[key], step)


def _export(kind, order, view):
    """CSV text or JSON-ready data of the shown runs of ``order`` (the enabled optimizers) and the view."""
    missing = [k for k in order if k not in _shown]
    if missing:
        raise ValueError(f"no run shown for optimizer {missing[0]!r}")
    if kind == "csv":
        return api_share.trajectories_csv(_shown, order)
    return api_share.trajectories_json(_shown, order, api_share.validate_view(view))


_CALLS = {
    "catalog": api.catalog,
    "grid": api_lab.grid,
    "runs": _runs,
    "inspect": _inspect,
    "preset": api_lab.preset,
    "check": api.check_hyperparams,
    "lab": api_lab.lab_catalog,
    "surface": api_lab.surface_record,
    "custom": api_lab.check_custom,
    "schedules": api_share.schedule_catalog,
    "schedule_curve": api_share.schedule_curve,
    "share_encode": api_share.encode_view,
    "share_decode": api_share.decode_view,
    "export": _export,
}


def _call(name, args_json):
    try:
        return json.dumps({"ok": _CALLS[name](**json.loads(args_json))}, allow_nan=False, separators=(",", ":"))
    except ValueError as e:
        return json.dumps({"error": str(e)})


window.optvizCall = create_proxy(_call)
window.dispatchEvent(CustomEvent.new("optviz:python"))
