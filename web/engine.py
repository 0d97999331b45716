"""The page's Python, in a PyScript worker (web/engine.js starts one at load and, for basin maps and tuning, one
more per core the browser reports). The page's own thread never runs Python, so it never waits for it.

Each exposed function takes and returns JSON text, except a race, whose points and losses cross as one
Float64Array. Every call is answered, never raised: ``{"ok": result}``, ``{"error": message}`` for a
ValueError (bad input, said in words), or ``{"error": ..., "bug": true}`` for anything else, which the page
reports as a fault rather than a traceback.

Races run in slices (``race`` then ``race_more``), one optimizer at a time within ``SLICE_SECONDS``, so a slow
custom function shows progress and a newer request replaces an older one between two runs. A race may run
only some of its optimizers here (``only``: web/engine.js deals them to two workers); the trajectories of the
last few finished races stay here with what was asked, and a run another worker made is made again here
when asked for (runs are exact and deterministic, so it is the same run), so the inspector, the exports and
the field overlay ask worker 0 alone, for one step's details only when someone looks.
"""
import hashlib
import importlib
import json
import pathlib
import sys
import time
import traceback

import js
from polyscript import xworker
from pyodide.ffi import to_js


def _snapshot_or_files():
    """Pyodide's snapshot (web/pyodide.mjs) holds pycore already imported, and the SHA-256 of each file it was
    imported from. The snapshot's pycore is used only if the files this page serves (PyScript has just written
    them here) are the same; otherwise it is forgotten and imported afresh from them, and the console says so."""
    made = sys.modules.get("_pycore_snapshot")
    if made is None:            # started without the snapshot: nothing imported yet
        return
    served = {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(pathlib.Path("pycore").rglob("*.py"))}
    if served != made.files:
        for name in [n for n in sys.modules if n.partition(".")[0] == "pycore"]:
            del sys.modules[name]
        importlib.invalidate_caches()
        js.console.warn("pycore has changed since Pyodide's snapshot was made: imported from its files instead "
                        "(tools/vendor.py makes the snapshot again)")


_snapshot_or_files()
from pycore.browser import catalog, field, lab, lessons, presets, runs, share  # after the check

SLICE_SECONDS = 0.06
_race = {"id": None, "plan": None, "trajs": {}, "errors": {}, "args": None, "total": 0, "checked": None,
         "seconds": 0.0}
_shown = {}          # finished races: id -> {"trajs": {key: Trajectory}, "args": what the race asked} (the last few)
MAX_SHOWN = 3
_plans = {}          # basin jobs: id -> plan (the last few)
MAX_PLANS = 4


def _fault(e):
    """The answer for a fault, not bad input: what it was, in one line."""
    return json.dumps({"error": f"pycore could not answer ({type(e).__name__}: {e})", "bug": True})


def _answer(fn):
    try:
        result = fn()
    except ValueError as e:
        return json.dumps({"error": str(e)})
    except Exception as e:
        traceback.print_exc()
        return _fault(e)
    try:
        return json.dumps({"ok": result}, allow_nan=False, separators=(",", ":"))
    except ValueError as e:     # a non-finite number in an answer: pycore's fault, never the person's input
        traceback.print_exc()
        return _fault(e)


def _race_slice():
    """Run optimizers until the slice is used up; the packed race when all have run, else its progress. The
    packed race says how long Python took for it (``python_ms``: runs and packing, not the transfer)."""
    t0 = time.perf_counter()
    for key, out in _race["plan"]:
        (_race["errors"] if isinstance(out, str) else _race["trajs"])[key] = out
        if time.perf_counter() - t0 > SLICE_SECONDS:
            done = len(_race["trajs"]) + len(_race["errors"])
            if done < _race["total"]:
                _race["seconds"] += time.perf_counter() - t0
                return None, {"pending": _race["id"], "done": done, "total": _race["total"]}
    _shown[_race["id"]] = {"trajs": _race["trajs"], "args": _race["args"]}
    while len(_shown) > MAX_SHOWN:
        del _shown[next(iter(_shown))]
    records, floats = runs.pack(_race["trajs"], _race["args"]["surface"])
    seconds = _race["seconds"] + time.perf_counter() - t0
    head = {"id": _race["id"], **_race["checked"], "runs": records, "errors": _race["errors"],
            "python_ms": round(seconds * 1000, 1)}
    return floats, head


def _race_reply(step):
    try:
        floats, head = step()
    except ValueError as e:
        return js.JSON.parse(json.dumps({"error": str(e)}))
    except Exception as e:
        traceback.print_exc()
        return js.JSON.parse(_fault(e))
    try:
        text = json.dumps({"ok": head}, allow_nan=False)
    except ValueError as e:     # a non-finite number in an answer: pycore's fault, never the person's input
        traceback.print_exc()
        return js.JSON.parse(_fault(e))
    reply = js.JSON.parse(text)
    if floats is not None:
        reply.ok.floats = to_js(memoryview(floats))
    return reply


def _part(args):
    """The settings of the optimizers this worker runs: all of them, or those ``only`` names."""
    settings, only = args["settings"], args.get("only")
    return settings if only is None or not isinstance(settings, dict) else {k: settings[k] for k in only if k in settings}


def race(request_id, args_json):
    """Start a race (``pycore.browser.runs.plan_runs``: everything checked first) and run its first slice."""
    def start():
        args = json.loads(args_json)
        part = _part(args)
        checked, plan = runs.plan_runs(args["surface"], args["start"], args["steps"], part, args.get("options"))
        _race.update(id=request_id, plan=plan, trajs={}, errors={}, args=args, total=len(part), checked=checked,
                     seconds=0.0)
        return _race_slice()
    return _race_reply(start)


def race_more(request_id):
    """The next slice of race ``request_id``; an error if a newer race replaced it."""
    def more():
        if _race["id"] != request_id or _race["plan"] is None:
            raise ValueError("this race was replaced by a newer one")
        return _race_slice()
    return _race_reply(more)


def _shown_traj(race_id, key):
    """The run of ``key`` in finished race ``race_id``; made here if another worker ran it."""
    shown = _shown.get(race_id)
    if shown is not None and key not in shown["trajs"] and key in shown["args"]["settings"]:
        a = shown["args"]
        trajs, _ = runs.run_all(a["surface"], a["start"], a["steps"], {key: a["settings"][key]}, a.get("options"))
        shown["trajs"].update(trajs)
    if shown is None or key not in shown["trajs"]:
        raise ValueError(f"no run of {key!r} is shown")
    return shown["trajs"][key]


def _inspect(race_id, key, step):
    return runs.step_info(_shown_traj(race_id, key), step)


def _field(race_id, key, step, nx, ny):
    return field.field(_shown_traj(race_id, key), _shown[race_id]["args"]["surface"], step, nx, ny)


def _export(race_id, kind, order, view):
    """CSV text or JSON-ready data of the shown runs of ``order`` (the enabled optimizers) and the view."""
    trajs = {k: _shown_traj(race_id, k) for k in order}
    if kind == "csv":
        return share.trajectories_csv(trajs, order)
    if kind == "stats":
        return share.stats_csv(trajs, order, _shown[race_id]["args"]["surface"])
    return share.trajectories_json(trajs, order, share.validate_view(view))


def _basin_job(job, **args):
    plan, head = lab.basin_job(**args)
    _plans[job] = plan
    while len(_plans) > MAX_PLANS:
        del _plans[next(iter(_plans))]
    return head


def _basin_chunk(job, cells):
    if job not in _plans:
        raise ValueError("this basin map was replaced by a newer one")
    return lab.basin_chunk(_plans[job], cells)


def _resources():
    """The URLs this worker has loaded (the runtime, pycore's files), for the page's offline snapshot."""
    return [e.name for e in js.performance.getEntriesByType("resource")]


_CALLS = {
    "resources": _resources,
    "catalog": catalog.catalog,
    "grid": catalog.surface_grid,
    "surface": catalog.surface_record,
    "preset": presets.preset,
    "check": runs.check_hyperparams,
    "custom": lab.check_custom,
    "schedules": share.schedule_catalog,
    "schedule_curve": share.schedule_curve,
    "share_encode": share.encode_view,
    "share_decode": share.decode_view,
    "share_check": share.validate_view,
    "inspect": _inspect,
    "field": _field,
    "export": _export,
    "basin_job": _basin_job,
    "basin_chunk": _basin_chunk,
    "basin_share": lab.basin_share,
    "tune": lab.tune_one,
    "lessons": lessons.catalog,
    "lesson": lessons.scene,
    "lesson_reveal": lessons.reveal,
}


def call(name, args_json):
    """``_CALLS[name](**args)`` answered as JSON text."""
    return _answer(lambda: _CALLS[name](**json.loads(args_json)))


xworker.sync.call = call
xworker.sync.race = race
xworker.sync.race_more = race_more
xworker.postMessage("optviz:ready")
