"""Sharing a view: the page's whole state as a URL hash, checked field by field before anything uses it; the
schedule picker's data; and the exports (CSV, JSON) of the runs on screen.

A view is a dict (``VIEW_KEYS``)::

    {"v": 1, "surface": key, "custom": None | {"expr", "bounds"},
     "data": None | {"dataset", "batch_size", "seed", and "early_stopping" when on},
     "start": [x, y], "steps": n, "step": k, "enabled": [keys], "hyperparams": {key: {name: value}},
     "preset": [keys], "preset_mode": bool, "schedules": {key: spec}, "noise": σ, "seed": s,
     "max_grad_norm": None | c}

``validate_view`` returns it complete and normalised (every optimizer's hyperparameters filled with torch's
defaults, schedules with their defaults) or raises ValueError naming the first bad field; nothing in it is ever
evaluated. Numbers go through the same checks as the page's fields (``pycore.checks``), so a value gets the
same answer typed or linked. ``encode_view`` writes the short form (only what differs from the defaults) as
``#view=<percent-encoded JSON>``; ``decode_view`` reverses it and validates, and answers any text with a view
or a ValueError: the JSON is measured for nesting before it is parsed, and numbers too long for a float are
read as out of range rather than as huge integers.
"""
import json
import math
import urllib.parse

from ..checks import check_bounds, check_flag, check_number, check_whole, short
from ..datasets import DATASETS
from ..optimizers import OPTIMIZERS
from ..schedules import SCHEDULES, get_schedule, to_json as _schedule_json, torch_code
from ..specs import CUSTOM_KEY, data_spec, resolve_surface
from ..surfaces import SURFACES
from ..trajectory import MAX_SEED
from .catalog import MAX_STEPS, check_drawable
from .presets import preset
from .runs import MAX_NOISE, check_hyperparams, check_start_in_view, record, run_options

VERSION = 1
PREFIX = "#view="
MAX_HASH = 12000          # characters; a longer hash is refused before it is decoded (the longest view the
                          # page can make, every field at its longest, takes about 6000)
MAX_NESTING = 8           # the deepest a view nests is 4 ({"schedules": {"adam": {...}}})
MAX_DIGITS = 20           # a JSON integer with more digits is read as a float (too large for any field)
MAX_CLIP = 1e6
VIEW_KEYS = ("v", "surface", "custom", "data", "start", "steps", "step", "enabled", "hyperparams", "preset",
             "preset_mode", "schedules", "noise", "seed", "max_grad_norm")
CSV_COLUMNS = ("optimizer", "step", "x", "y", "loss", "gx", "gy", "lr", "outcome")
EPOCH_COLUMNS = ("epoch", "val_loss")                       # added on a data surface
STOPPING_COLUMNS = ("best_epoch", "best_val_loss", "stopped_epoch", "restored_x", "restored_y")


def _keys(name, value):
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise ValueError(f"{name} must be a list of optimizer keys, got {short(value)}")
    for k in value:
        if k not in OPTIMIZERS:
            raise ValueError(f"{name}: unknown optimizer {short(k)}; expected one of {', '.join(OPTIMIZERS)}")
    if len(set(value)) != len(value):
        raise ValueError(f"{name} lists an optimizer twice: {short(value)}")
    return [k for k in OPTIMIZERS if k in value]


def _per_optimizer(name, value):
    if not isinstance(value, dict):
        raise ValueError(f"{name} must map optimizer keys to settings, got {short(value)}")
    _keys(name, list(value))
    return value


def _surface_fields(view):
    """surface (a key of the built-in or data surfaces, or the custom key), custom ({expr, bounds} or None) and
    data ({dataset, batch_size, seed[, early_stopping]} or None), each checked by the same code that resolves
    surfaces for runs
    (``pycore.specs``: the expression goes through pycore.expr's whitelist parser, nothing else)."""
    surface = view.get("surface")
    known = list(SURFACES) + list(DATASETS) + [CUSTOM_KEY]
    if not isinstance(surface, str) or surface not in known:
        raise ValueError(f"unknown surface {short(surface)}; expected one of {', '.join(known)}")
    custom, data = view.get("custom"), view.get("data")
    if custom is not None:
        if not isinstance(custom, dict) or set(custom) != {"expr", "bounds"} or not isinstance(custom["expr"], str):
            raise ValueError(f"custom must be {{'expr': text, 'bounds': [[x0, x1], [y0, y1]]}}, got {short(custom)}")
        bounds = check_bounds(custom["bounds"], "custom bounds")
        check_drawable({"custom": custom["expr"], "bounds": bounds})    # parses, builds and samples it as drawn
        custom = {"expr": custom["expr"], "bounds": [list(b) for b in bounds]}
    if data is not None:
        if not isinstance(data, dict):
            raise ValueError(f"data must be {{'dataset', 'batch_size', 'seed', 'early_stopping'}}, got {short(data)}")
        data = data_spec(data)
    if (custom is not None) != (surface == CUSTOM_KEY) or (data is not None) != (surface in DATASETS):
        raise ValueError(f"surface {surface!r} needs {'custom' if surface == CUSTOM_KEY else 'data'} and nothing else"
                         if surface in DATASETS or surface == CUSTOM_KEY else
                         f"surface {surface!r} takes neither custom nor data")
    if data is not None and data["dataset"] != surface:
        raise ValueError(f"data names dataset {data['dataset']!r} but the surface is {surface!r}")
    return {"surface": surface, "custom": custom, "data": data}


def surface_spec(view):
    """The surface spec (``pycore.specs``) a valid view shows."""
    if view["custom"]:
        return {"custom": view["custom"]["expr"], "bounds": view["custom"]["bounds"]}
    return dict(view["data"]) if view["data"] else view["surface"]


def validate_view(view):
    """The complete, normalised view, or ValueError naming the first field that is unknown, missing, of the
    wrong type or out of range. Optimizer settings go through the same checks as the page's controls."""
    if not isinstance(view, dict):
        raise ValueError(f"a view is a JSON object, got {short(view)}")
    unknown = sorted((k for k in view if k not in VIEW_KEYS), key=str)
    if unknown:
        raise ValueError(f"unknown view field {short(unknown[0])}; expected {', '.join(VIEW_KEYS)}")
    if view.get("v") != VERSION or isinstance(view.get("v"), bool):
        raise ValueError(f"view version must be {VERSION}, got {short(view.get('v'))}")
    for k in ("surface", "start", "steps", "step", "enabled"):
        if k not in view:
            raise ValueError(f"the view has no {k!r}")
    out = {"v": VERSION, **_surface_fields(view)}
    surf = resolve_surface(surface_spec(out))
    if not isinstance(view["start"], list):
        raise ValueError(f"start must be a list of two numbers [x, y], got {short(view['start'])}")
    out["start"] = list(check_start_in_view(surf, view["start"]))
    out["steps"] = check_whole("steps", view["steps"], 1, MAX_STEPS)
    out["step"] = check_whole("step", view["step"], 0, out["steps"])
    out["enabled"] = _keys("enabled", view["enabled"])
    given = _per_optimizer("hyperparams", view.get("hyperparams", {}))
    out["hyperparams"] = {}
    for key in OPTIMIZERS:
        values = given.get(key, {})
        if not isinstance(values, dict):
            raise ValueError(f"hyperparams[{key!r}] must map names to values, got {short(values)}")
        out["hyperparams"][key] = check_hyperparams(key, values)
    out["preset"] = _keys("preset", view.get("preset", []))
    out["preset_mode"] = check_flag("preset_mode", view.get("preset_mode", False))
    if out["preset"]:  # a "preset" tag is only shown on the lr the preset rule actually picks
        if out["surface"] not in SURFACES:
            raise ValueError("presets exist only for the built-in surfaces")
        chosen = preset(out["surface"])
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
    out["noise"] = check_number("gradient noise σ", view.get("noise", 0.0), 0.0, MAX_NOISE)
    out["seed"] = check_whole("seed", view.get("seed", 0), 0, MAX_SEED)
    c = view.get("max_grad_norm")
    out["max_grad_norm"] = None if c is None else check_number("max_grad_norm", c, 0.0, MAX_CLIP, low_open=True)
    run_options({k: out[k] for k in ("schedules", "noise", "seed", "max_grad_norm")})
    return out


def _compact(view):
    """The view without what equals its default (shorter links; ``validate_view`` fills it back in)."""
    short_view = {"v": VERSION, "surface": view["surface"]}
    for k in ("custom", "data"):
        if view[k] is not None:
            short_view[k] = view[k]
    short_view.update(start=view["start"], steps=view["steps"], step=view["step"], enabled=view["enabled"])
    defaults = {key: check_hyperparams(key, {}) for key in OPTIMIZERS}
    hps = {}
    for key, values in view["hyperparams"].items():
        changed = {n: v for n, v in values.items() if v != defaults[key][n]}
        if changed:
            hps[key] = changed
    for k, v in (("hyperparams", hps), ("preset", view["preset"]), ("preset_mode", view["preset_mode"]),
                 ("schedules", view["schedules"]), ("noise", view["noise"]), ("seed", view["seed"]),
                 ("max_grad_norm", view["max_grad_norm"])):
        if v:
            short_view[k] = v
    return short_view


def encode_view(view):
    """``#view=`` + the percent-encoded compact JSON of a valid view."""
    text = json.dumps(_compact(validate_view(view)), allow_nan=False, separators=(",", ":"))
    link = PREFIX + urllib.parse.quote(text, safe=",:[]{}")
    if len(link) > MAX_HASH:
        raise ValueError(f"this view needs {len(link)} characters, more than a link may hold ({MAX_HASH})")
    return link


def nesting(text):
    """How deeply the JSON ``text`` nests arrays and objects (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest


def _int(digits):
    """A JSON integer: an int, or a float (possibly inf) when it has more than ``MAX_DIGITS`` digits, so no
    field ever meets an integer too large to convert."""
    return int(digits) if len(digits.lstrip("-")) <= MAX_DIGITS else float(digits)


def _no_constant(name):
    raise ValueError(f"the link's view contains {name}, which is not a number JSON allows")


def decode_view(text):
    """The validated view in a URL hash (as ``location.hash`` gives it), or ValueError saying what is wrong."""
    if not isinstance(text, str):
        raise ValueError(f"the link's hash must be text, got {short(text)}")
    if len(text) > MAX_HASH:
        raise ValueError(f"the link's hash is {len(text)} characters long; at most {MAX_HASH} are read")
    if not text.startswith(PREFIX):
        raise ValueError(f"the link's hash must start with {PREFIX!r}, got {short(text[:20])}")
    try:
        raw = urllib.parse.unquote(text[len(PREFIX):], errors="strict")
    except UnicodeDecodeError:
        raise ValueError("the link's view is not valid text (bad percent-encoding)") from None
    if nesting(raw) > MAX_NESTING:
        raise ValueError(f"the link's view nests {nesting(raw)} levels deep; a view nests at most {MAX_NESTING}")
    try:
        view = json.loads(raw, parse_int=_int, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise ValueError(f"the link's view is not valid JSON: {short(str(e), 100)}") from None
    return validate_view(view)


# ---- schedules for the picker ----------------------------------------------------------------------------
def schedule_catalog():
    """Every schedule record, JSON-ready, in display order."""
    return [_schedule_json(s) for s in SCHEDULES.values()]


def schedule_curve(spec, base_lr, steps):
    """The picker's preview: the normalised spec, the lr of steps 1..steps, whether it replaces the optimizer's
    lr, and the equivalent torch code; ValueError (naming the parameter) for a bad spec.

    torch's schedulers may take an allowed lr out of the float range (cosine's recursion doubles it one step past
    a trough: an lr of 1e308 becomes inf); then ``lrs`` stops before the first step whose lr is not a finite
    number and ``overflow`` is that step (None otherwise). A run that reaches it diverges, with that reason."""
    s = get_schedule(spec)
    steps = check_whole("steps", steps, 1, MAX_STEPS)
    base = check_number("lr", base_lr, 0.0)
    lrs = s.lrs(base, steps)
    bad = next((i for i, v in enumerate(lrs) if not math.isfinite(v)), None)
    return {"spec": s.spec, "lrs": lrs if bad is None else lrs[:bad], "overflow": None if bad is None else bad + 1,
            "sets_lr": SCHEDULES[s.name].sets_lr, "torch": torch_code(spec)}


# ---- exports ---------------------------------------------------------------------------------------------
def _data_runs(trajs, order):
    """Whether the runs are on a data surface (they all are, or none is)."""
    return any(hasattr(trajs[k], "minibatch") for k in order)


def trajectories_csv(trajs, order):
    """One row per optimizer per point: step k's x, y, loss; the gradient step k used (after noise and
    clipping) and its lr, empty at step 0; the run's outcome. On a data surface (where loss is the training
    loss) also the epoch that ends at step k and the validation loss there, empty between epochs' ends.
    Numbers as repr, so they read back exactly."""
    data = _data_runs(trajs, order)
    rows = [",".join(CSV_COLUMNS + (EPOCH_COLUMNS if data else ()))]
    for key in order:
        t = trajs[key]
        for k, (x, y) in enumerate(t.points):
            used = (*t.grads[k - 1], t.lrs[k - 1]) if k else None
            cells = [key, str(k), repr(x), repr(y), repr(t.losses[k])]
            cells += [repr(v) for v in used] if used else ["", "", ""]
            cells.append(t.outcome)
            if data:
                epoch, within = divmod(k, t.minibatch["steps_per_epoch"])
                cells += [str(epoch), repr(t.minibatch["val_losses"][epoch])] if not within else ["", ""]
            rows.append(",".join(cells))
    return "\n".join(rows) + "\n"


def _stopping(rec):
    """The early-stopping cells of a run's record (``STOPPING_COLUMNS``), None where they do not apply."""
    es = rec["minibatch"]["early_stopping"] or {}
    x, y = (es.get("restored") or {}).get("point", (None, None))
    return {"best_epoch": es.get("best_epoch"), "best_val_loss": es.get("best_val_loss"),
            "stopped_epoch": es.get("stopped_epoch"), "restored_x": x, "restored_y": y}


def stats_csv(trajs, order, surface):
    """The stats table: one row per run with its outcome, settling step, final loss, distance to the nearest
    minimum, path length and mean step length (``pycore.browser.runs.record``); on a data surface also early
    stopping's best epoch and its validation loss, the epoch it stopped after and the restored point (empty
    when off, when it did not stop or when nothing is restored)."""
    surf = resolve_surface(surface)
    columns = ("optimizer", "outcome", "settled_at", "final_loss", "final_distance", "path_length", "mean_step",
               "reason") + (STOPPING_COLUMNS if _data_runs(trajs, order) else ())
    rows = [",".join(columns)]
    for key in order:
        rec = record(trajs[key], surf)
        if "minibatch" in rec:
            rec.update(_stopping(rec))
        cells = [key] + ["" if rec[c] is None else repr(rec[c]) if isinstance(rec[c], float) else str(rec[c])
                         for c in columns[1:]]
        rows.append(",".join('"' + c.replace('"', '""') + '"' if "," in c or '"' in c else c for c in cells))
    return "\n".join(rows) + "\n"


def trajectories_json(trajs, order, view):
    """The view settings and each shown run's full record (``Trajectory.to_dict``) with its statistics."""
    surf = resolve_surface(surface_spec(view))
    return {"view": view, "runs": {key: {**trajs[key].to_dict(), "stats": record(trajs[key], surf)}
                                   for key in order}}

