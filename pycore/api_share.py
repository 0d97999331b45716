"""Sharing a view: the page's whole state as a URL hash, checked field by field before anything uses it; the
schedule picker's data; and the exports (CSV, JSON) of the runs on screen.

A view is a dict (``VIEW_KEYS``)::

    {"v": 1, "surface": key, "custom": None | {"expr", "bounds"}, "data": None | {"dataset", "batch_size", "seed"},
     "start": [x, y], "steps": n, "step": k, "enabled": [keys], "hyperparams": {key: {name: value}},
     "preset": [keys], "preset_mode": bool, "schedules": {key: spec}, "noise": σ, "seed": s,
     "max_grad_norm": None | c}

``validate_view`` returns it complete and normalised (every optimizer's hyperparameters filled with torch's
defaults, schedules with their defaults) or raises ValueError naming the first bad field; nothing in it is ever
evaluated. ``encode_view`` writes the short form (only what differs from the defaults) as
``#view=<percent-encoded JSON>``; ``decode_view`` reverses it and validates.
"""
import json
import math
import urllib.parse

from . import api
from .checks import check_bounds, check_start, check_whole
from .datasets import DATASETS
from .optimizers import OPTIMIZERS
from .schedules import SCHEDULES, get_schedule, to_json as _schedule_json, torch_code
from .surfaces import SURFACES

VERSION = 1
PREFIX = "#view="
MAX_HASH = 12000          # characters; a longer hash is refused before it is decoded (the longest view the
                          # page can make, every field at its longest, takes about 6000)
MAX_NOISE = 1e3           # σ of the gradient noise the page offers (the runs themselves accept any finite σ)
MAX_SEED = 2 ** 32 - 1
VIEW_KEYS = ("v", "surface", "custom", "data", "start", "steps", "step", "enabled", "hyperparams", "preset",
             "preset_mode", "schedules", "noise", "seed", "max_grad_norm")
CSV_COLUMNS = ("optimizer", "step", "x", "y", "loss", "gx", "gy", "lr", "status")


def _short(value, limit=60):
    """repr(value) cut to ``limit`` characters, so a hostile value never floods a message."""
    r = repr(value)
    return r if len(r) <= limit else r[:limit] + "…"


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _number(name, v, low, high, *, low_open=False):
    if not _is_number(v) or not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {_short(v)}")
    if not ((v > low if low_open else v >= low) and v <= high):
        raise ValueError(f"{name} must be in {'(' if low_open else '['}{low:g}, {high:g}], got {_short(v)}")
    return float(v)


def _keys(name, value):
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise ValueError(f"{name} must be a list of optimizer keys, got {_short(value)}")
    for k in value:
        if k not in OPTIMIZERS:
            raise ValueError(f"{name}: unknown optimizer {_short(k)}; expected one of {', '.join(OPTIMIZERS)}")
    if len(set(value)) != len(value):
        raise ValueError(f"{name} lists an optimizer twice: {_short(value)}")
    return [k for k in OPTIMIZERS if k in value]


def _per_optimizer(name, value):
    if not isinstance(value, dict):
        raise ValueError(f"{name} must map optimizer keys to settings, got {_short(value)}")
    _keys(name, list(value))
    return value


def _surface_fields(view):
    """surface (a key of the built-in or data surfaces, or the custom key), custom ({expr, bounds} or None) and
    data ({dataset, batch_size, seed} or None), each checked by the same code that resolves surfaces for runs
    (``api_lab.resolve_surface``: the expression goes through pycore.expr's whitelist parser, nothing else)."""
    from .api_lab import CUSTOM_KEY, resolve_surface, surface_record  # LAB's surfaces (it imports api)

    surface = view.get("surface")
    known = list(SURFACES) + list(DATASETS) + [CUSTOM_KEY]
    if not isinstance(surface, str) or surface not in known:
        raise ValueError(f"unknown surface {_short(surface)}; expected one of {', '.join(known)}")
    custom, data = view.get("custom"), view.get("data")
    if custom is not None:
        if not isinstance(custom, dict) or set(custom) != {"expr", "bounds"} or not isinstance(custom["expr"], str):
            raise ValueError(f"custom must be {{'expr': text, 'bounds': [[x0, x1], [y0, y1]]}}, got {_short(custom)}")
        if not (isinstance(custom["bounds"], list) and all(isinstance(b, list) for b in custom["bounds"])
                and all(_is_number(v) for b in custom["bounds"] for v in b)):
            raise ValueError(f"custom bounds must be [[x0, x1], [y0, y1]] numbers, got {_short(custom['bounds'])}")
        resolve_surface({"custom": custom["expr"], "bounds": custom["bounds"]})
        custom = {"expr": custom["expr"], "bounds": [list(b) for b in check_bounds(custom["bounds"])]}
    if data is not None:
        if not isinstance(data, dict) or not set(data) <= {"dataset", "batch_size", "seed"}:
            raise ValueError(f"data must be {{'dataset', 'batch_size', 'seed'}}, got {_short(data)}")
        rec = surface_record(data)["data"]
        data = {"dataset": rec["dataset"], "batch_size": rec["batch_size"], "seed": rec["seed"]}
    if (custom is not None) != (surface == CUSTOM_KEY) or (data is not None) != (surface in DATASETS):
        raise ValueError(f"surface {surface!r} needs {'custom' if surface == CUSTOM_KEY else 'data'} and nothing else"
                         if surface in DATASETS or surface == CUSTOM_KEY else
                         f"surface {surface!r} takes neither custom nor data")
    if data is not None and data["dataset"] != surface:
        raise ValueError(f"data names dataset {data['dataset']!r} but the surface is {surface!r}")
    return {"surface": surface, "custom": custom, "data": data}


def validate_view(view):
    """The complete, normalised view, or ValueError naming the first field that is unknown, missing, of the
    wrong type or out of range. Optimizer settings go through the same checks as the page's controls."""
    if not isinstance(view, dict):
        raise ValueError(f"a view is a JSON object, got {_short(view)}")
    unknown = sorted(set(view) - set(VIEW_KEYS), key=str)
    if unknown:
        raise ValueError(f"unknown view field {_short(unknown[0])}; expected {', '.join(VIEW_KEYS)}")
    if view.get("v") != VERSION:
        raise ValueError(f"view version must be {VERSION}, got {_short(view.get('v'))}")
    for k in ("surface", "start", "steps", "step", "enabled"):
        if k not in view:
            raise ValueError(f"the view has no {k!r}")
    out = {"v": VERSION, **_surface_fields(view)}
    start = view["start"]
    if not (isinstance(start, list) and len(start) == 2 and all(_is_number(v) for v in start)):
        raise ValueError(f"start must be a list of two numbers [x, y], got {_short(start)}")
    out["start"] = list(check_start(start))
    steps = check_whole("steps", view["steps"], 1, api.MAX_STEPS)
    out["steps"] = steps
    out["step"] = check_whole("step", view["step"], 0, steps)
    out["enabled"] = _keys("enabled", view["enabled"])
    given = _per_optimizer("hyperparams", view.get("hyperparams", {}))
    out["hyperparams"] = {}
    for key in OPTIMIZERS:
        values = given.get(key, {})
        if not isinstance(values, dict):
            raise ValueError(f"hyperparams[{key!r}] must map names to values, got {_short(values)}")
        out["hyperparams"][key] = api.check_hyperparams(key, values)
    out["preset"] = _keys("preset", view.get("preset", []))
    out["preset_mode"] = view.get("preset_mode", False)
    if not isinstance(out["preset_mode"], bool):
        raise ValueError(f"preset_mode must be true or false, got {_short(out['preset_mode'])}")
    if out["preset"]:  # a "preset" tag is only shown on the lr the preset rule actually picks
        if out["surface"] not in SURFACES or out["custom"] or out["data"]:
            raise ValueError("presets exist only for the built-in surfaces")
        chosen = api.preset(out["surface"])
        for key in out["preset"]:
            if chosen[key] is None or chosen[key]["lr"] != out["hyperparams"][key]["lr"]:
                raise ValueError(f"preset: {key}'s lr {out['hyperparams'][key]['lr']!r} is not the preset's")
    schedules = _per_optimizer("schedules", view.get("schedules", {}))
    out["schedules"] = {}
    for key in OPTIMIZERS:
        if schedules.get(key) is not None:
            spec = get_schedule(schedules[key]).spec
            if spec is not None:
                out["schedules"][key] = spec
    out["noise"] = _number("noise", view.get("noise", 0.0), 0.0, MAX_NOISE)
    out["seed"] = check_whole("seed", view.get("seed", 0), 0, MAX_SEED)
    c = view.get("max_grad_norm")
    out["max_grad_norm"] = None if c is None else _number("max_grad_norm", c, 0.0, 1e6, low_open=True)
    api.run_options({k: out[k] for k in ("schedules", "noise", "seed", "max_grad_norm")})
    return out


def _compact(view):
    """The view without what equals its default (shorter links; ``validate_view`` fills it back in)."""
    short = {"v": VERSION}
    short["surface"] = view["surface"]
    for k in ("custom", "data"):
        if view[k] is not None:
            short[k] = view[k]
    short.update(start=view["start"], steps=view["steps"], step=view["step"], enabled=view["enabled"])
    defaults = {key: api.check_hyperparams(key, {}) for key in OPTIMIZERS}
    hps = {}
    for key, values in view["hyperparams"].items():
        changed = {n: v for n, v in values.items() if v != defaults[key][n]}
        if changed:
            hps[key] = changed
    for k, v in (("hyperparams", hps), ("preset", view["preset"]), ("preset_mode", view["preset_mode"]),
                 ("schedules", view["schedules"]), ("noise", view["noise"]), ("seed", view["seed"]),
                 ("max_grad_norm", view["max_grad_norm"])):
        if v:
            short[k] = v
    return short


def encode_view(view):
    """``#view=`` + the percent-encoded compact JSON of a valid view."""
    text = json.dumps(_compact(validate_view(view)), allow_nan=False, separators=(",", ":"))
    link = PREFIX + urllib.parse.quote(text, safe=",:[]{}")
    if len(link) > MAX_HASH:
        raise ValueError(f"this view needs {len(link)} characters, more than a link may hold ({MAX_HASH})")
    return link


def decode_view(text):
    """The validated view in a URL hash (as ``location.hash`` gives it), or ValueError saying what is wrong."""
    if not isinstance(text, str):
        raise ValueError(f"the link's hash must be text, got {_short(text)}")
    if len(text) > MAX_HASH:
        raise ValueError(f"the link's hash is {len(text)} characters long; at most {MAX_HASH} are read")
    if not text.startswith(PREFIX):
        raise ValueError(f"the link's hash must start with {PREFIX!r}, got {_short(text[:20])}")
    try:
        raw = urllib.parse.unquote(text[len(PREFIX):], errors="strict")
        view = json.loads(raw, parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise ValueError(f"the link's view is not valid JSON: {_short(str(e), 100)}") from None
    return validate_view(view)


def _no_constant(name):
    raise ValueError(f"the link's view contains {name}, which is not a number JSON allows")


# ---- schedules for the picker ----------------------------------------------------------------------------
def schedule_catalog():
    """Every schedule record, JSON-ready, in display order."""
    return [_schedule_json(s) for s in SCHEDULES.values()]


def schedule_curve(spec, base_lr, steps):
    """The picker's preview: the normalised spec, the lr of steps 1..steps, whether it replaces the optimizer's
    lr, and the equivalent torch code; ValueError (naming the parameter) for a bad spec."""
    s = get_schedule(spec)
    check_whole("steps", steps, 1, api.MAX_STEPS)
    return {"spec": s.spec, "lrs": s.lrs(float(base_lr), steps), "sets_lr": SCHEDULES[s.name].sets_lr,
            "torch": torch_code(spec)}


# ---- exports ---------------------------------------------------------------------------------------------
def trajectories_csv(trajs, order):
    """One row per optimizer per point: step k's x, y, loss; the gradient step k used (after noise and
    clipping) and its lr, empty at step 0; the run's status. Numbers as repr, so they read back exactly."""
    rows = [",".join(CSV_COLUMNS)]
    for key in order:
        t = trajs[key]
        for k, (x, y) in enumerate(t.points):
            used = (*t.grads[k - 1], t.lrs[k - 1]) if k else None
            cells = [key, str(k), repr(x), repr(y), repr(t.losses[k])]
            cells += [repr(v) for v in used] if used else ["", "", ""]
            rows.append(",".join(cells + [t.status]))
    return "\n".join(rows) + "\n"


def trajectories_json(trajs, order, view):
    """The view settings and each shown run's full record (``Trajectory.to_dict``)."""
    return {"view": view, "runs": {key: trajs[key].to_dict() for key in order}}
