"""The lab's PyScript worker: basin maps and lr tuning off the main thread (web/lab.js drives it).

Same pyscript.toml as the page, so the same pycore files. The page calls the functions exposed on ``xworker.sync``
(JSON strings both ways, like web/main.py); each call is short, so a new request never waits long:

* ``basin_start(slot, gen, args_json)`` checks the request and keeps its generator of partial maps as job
  ``gen`` of ``slot`` (one job per slot); ``basin_next(slot, gen)`` computes the next chunk of that job only
  (``{"ok": null}`` once it is done or replaced). Cancelling is the page not asking again: a stale job costs
  at most the chunk in progress.
* ``tune(args_json)``: one optimizer's lr tuning (``pycore.api_lab.tune_one``).
"""
import json

from polyscript import xworker

from pycore import api_lab

_jobs = {}   # slot ("map": the map on the plot, "all": the every-optimizer summary) -> (gen, partial maps)


def _reply(fn):
    try:
        return json.dumps({"ok": fn()}, allow_nan=False, separators=(",", ":"))
    except ValueError as e:
        return json.dumps({"error": str(e)})


def basin_start(slot, gen, args_json):
    _jobs.pop(slot, None)

    def start():
        _jobs[slot] = (gen, api_lab.basin(**json.loads(args_json)))
        return gen
    return _reply(start)


def basin_next(slot, gen):
    def step():
        job_gen, parts = _jobs.get(slot, (None, None))
        if job_gen != gen:
            return None
        part = next(parts, None)
        if part is None:
            del _jobs[slot]
        return part
    return _reply(step)


def tune(args_json):
    return _reply(lambda: api_lab.tune_one(**json.loads(args_json)))


xworker.sync.basin_start = basin_start
xworker.sync.basin_next = basin_next
xworker.sync.tune = tune
