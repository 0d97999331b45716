"""Hostile ``#view=`` (and ``#lesson=``) links from a seeded generator, for tests/browser/test_fuzz_links.py.

``links(seed)`` returns a fixed list of about 45 ``(family, hash)`` pairs (some fixed, some drawn with the seed
from larger pools), each at most ``MAX_HASH`` characters and percent-encoded the way the page's own links are
(so the hash the page reads is the hash generated, and CPython's ``decode_view`` of the same text is the oracle
for what the page must do). Families:

* ``nesting``: arrays nested ~5 950 levels deep (the most a link holds), inside a field, and objects;
* ``digits``: 500- and 5 000-digit integers in numeric fields (drawn from start, steps, step, noise, seed,
  max_grad_norm, hyperparameters, schedule fields, custom bounds, batch size), and five at once;
* ``extreme``: 1e308, 5e-324, -0.0 and their neighbours in numeric fields, a -0.0 start, an lr of 1e308 (one
  that a cosine schedule takes to inf, as torch's does);
* ``bounds``: custom views whose spans are 1e-307, 5e-324 or 1e-300, and (drawn) tiny on one axis, vast,
  over functions that overflow, inverted;
* ``keys``: ``__proto__``, ``optimizer`` as a hyperparameter name, and (drawn) ``constructor``, ``toString``…;
* ``strings``: long strings, control and bidi characters, lone surrogates, markup, bad percent-encoding;
* ``types``: fields with a value of the wrong type;
* ``valid``: views that decode (edges of what is allowed), so the page must apply them;
* ``functions``: custom functions that are degenerate: losses apart by less than 1e-300, values beyond the float
  range, finite only on the view's edge (refused: nothing to draw), and (drawn) flat, poles, half undefined,
  overflowing, huge values, a start at the minimum;
* ``lesson``: ``#lesson=`` links with malformed percent-encoding and a 5 000-digit number.
"""
import json
import random
import urllib.parse

MAX_HASH = 12000
BASE = {"v": 1, "surface": "rosenbrock", "start": [-1.5, 2.0], "steps": 60, "step": 10, "enabled": ["sgd", "adam"]}
CUSTOM = {"expr": "x**2 + 3*sin(y)", "bounds": [[-3, 3], [-2, 2.5]]}


def _hash(body):
    """``#view=`` + ``body`` (JSON text) percent-encoded as encode_view does."""
    return "#view=" + urllib.parse.quote(body, safe=",:[]{}")


def _with_raw_numbers(view, numbers):
    """JSON text of ``view`` with each placeholder string ``"@k"`` replaced by the raw number text numbers[k]
    (Python refuses to print integers of more than 4 300 digits, and JSON has no -0 literal otherwise)."""
    text = json.dumps(view, separators=(",", ":"), ensure_ascii=False)
    for k, raw in enumerate(numbers):
        text = text.replace(f'"@{k}"', raw)
    return text


# Every numeric field of a view, as a function placing a placeholder there: (name, view-with-"@0").
def _numeric_slots():
    def view(**changes):
        return {**BASE, **changes}
    custom = lambda b: view(surface="custom", custom={"expr": "x**2 + y**2", "bounds": b}, start=[0.5, 0.5])  # noqa: E731
    return [
        ("start x", lambda: view(start=["@0", 2.0])),
        ("start y", lambda: view(start=[-1.5, "@0"])),
        ("steps", lambda: view(steps="@0")),
        ("step", lambda: view(step="@0")),
        ("noise", lambda: view(noise="@0")),
        ("seed", lambda: view(seed="@0")),
        ("max_grad_norm", lambda: view(max_grad_norm="@0")),
        ("adam lr", lambda: view(hyperparams={"adam": {"lr": "@0"}})),
        ("adam betas", lambda: view(hyperparams={"adam": {"betas": ["@0", 0.999]}})),
        ("adam eps", lambda: view(hyperparams={"adam": {"eps": "@0"}})),
        ("sgd momentum", lambda: view(hyperparams={"sgd": {"momentum": "@0"}})),
        ("cosine T_max", lambda: view(schedules={"adam": {"name": "cosine", "T_max": "@0"}})),
        ("step gamma", lambda: view(schedules={"sgd": {"name": "step", "step_size": 10, "gamma": "@0"}})),
        ("cyclic step_size_up", lambda: view(schedules={"sgd": {"name": "cyclic", "base_lr": 0.001, "max_lr": 0.01,
                                                                "step_size_up": "@0"}})),
        ("one_cycle total_steps", lambda: view(schedules={"adam": {"name": "one_cycle", "max_lr": 0.05,
                                                                   "total_steps": "@0"}})),
        ("bounds x from", lambda: custom([["@0", 1], [-1, 1]])),
        ("bounds y to", lambda: custom([[-1, 1], [-1, "@0"]])),
        ("batch size", lambda: view(surface="linreg", data={"dataset": "linreg", "batch_size": "@0", "seed": 0},
                                    start=[0.0, 0.0])),
    ]


def _nesting(rng):
    out = []
    depth = (MAX_HASH - len("#view=")) // 2 - rng.randrange(1, 50)              # ~5 950 levels, within the limit
    out.append(("nesting", "#view=" + "[" * depth + "]" * depth))
    body = json.dumps(BASE, separators=(",", ":"))[:-1] + ',"hyperparams":'
    room = (MAX_HASH - len(_hash(body)) - 10) // 2
    out.append(("nesting", _hash(body) + "[" * room + "]" * room + "}"))
    level = urllib.parse.quote('{"a":', safe=",:[]{}")                       # objects: {%22a%22: per level
    n = (MAX_HASH - 20) // (len(level) + 1)
    out.append(("nesting", "#view=" + level * n + "1" + "}" * n))
    return out


def _digits(rng):
    out = []
    slots = _numeric_slots()
    for digits in (500, 5000):
        for name, make in rng.sample(slots, 2):
            sign = rng.choice(["", "-"])
            raw = sign + str(rng.randrange(1, 10)) + "".join(rng.choice("0123456789") for _ in range(digits - 1))
            out.append((f"digits {digits} in {name}", _hash(_with_raw_numbers(make(), [raw]))))
    # every slot at once with 500 digits (one link, several hostile numbers)
    view = {**BASE, "start": ["@0", "@1"], "noise": "@2", "seed": "@3", "max_grad_norm": "@4"}
    raws = ["9" * 500, "-" + "9" * 500, "1" + "0" * 499, "7" * 500, "1" * 500]
    out.append(("digits 500 in five fields", _hash(_with_raw_numbers(view, raws))))
    return out


def _extreme(rng):
    out = []
    values = ["1e308", "-1e308", "1.7976931348623157e308", "5e-324", "-5e-324", "-0.0", "2.2250738585072014e-308",
              "1e-320", "4.9e-324"]
    for name, make in rng.sample(_numeric_slots(), 3):
        raw = rng.choice(values)
        out.append((f"extreme {raw} in {name}", _hash(_with_raw_numbers(make(), [raw]))))
    out.append(("extreme -0.0 start", _hash(_with_raw_numbers({**BASE, "surface": "quadratic", "start": ["@0", "@1"]},
                                                              ["-0.0", "-0.0"]))))
    out.append(("extreme lr 1e308 with a schedule", _hash(json.dumps(
        {**BASE, "hyperparams": {"sgd": {"lr": 1e308}}, "schedules": {"sgd": {"name": "cosine", "T_max": 50}}}))))
    out.append(("extreme lr 1e308 that the schedule overflows", _hash(json.dumps(   # torch's recursion: inf at step 3
        {**BASE, "hyperparams": {"adam": {"lr": 1e308}}, "schedules": {"adam": {"name": "cosine", "T_max": 1}}}))))
    return out


def _bounds(rng):
    def custom(expr, bounds, start):
        return _hash(_with_raw_numbers({**BASE, "surface": "custom", "custom": {"expr": expr, "bounds": "@0"},
                                        "start": start}, [bounds]))
    return [
        ("bounds span 1e-307", custom("x**2 + y**2", "[[0,1e-307],[0,1e-307]]", [0, 0])),
        ("bounds span 5e-324", custom("x**2 + y**2", "[[0,5e-324],[0,5e-324]]", [0, 0])),
        ("bounds span 1e-300", custom("x**2 + y**2", "[[0,1e-300],[0,1e-300]]", [0, 0])),
    ] + rng.sample([
        ("bounds one axis 1e-300", custom("x**2 + y**2", "[[-1,1],[0,1e-300]]", [0, 0])),
        ("bounds span 1e-9 at 1", custom("x + y", "[[1,1.000000001],[1,1.000000001]]", [1, 1])),
        ("bounds vast, f overflows", custom("exp(x) + y**9", "[[-5e11,5e11],[-5e11,5e11]]", [0, 0])),
        ("bounds vast, f = x**2", custom("x**2 + y**2", "[[-5e11,5e11],[-1e12,0]]", [1e11, -1e11])),
        ("bounds too vast", custom("x**2 + y**2", "[[-1e12,1e12],[-1e12,1e12]]", [0, 0])),
        ("bounds inverted", custom("x", "[[1,-1],[-1,1]]", [0, 0])),
    ], 3)


def _keys(rng):
    view = lambda **c: _hash(json.dumps({**BASE, **c}))  # noqa: E731
    return [("keys __proto__", view(__proto__={"polluted": 1})),
            ("keys optimizer as a hyperparameter", view(hyperparams={"adam": {"optimizer": 1}}))] + rng.sample([
        ("keys constructor", view(constructor={"prototype": {"polluted": 1}})),
        ("keys __proto__ optimizer", view(hyperparams={"__proto__": {"lr": 1}}, enabled=["__proto__"])),
        ("keys schedule named __proto__", view(schedules={"sgd": {"name": "__proto__"}})),
        ("keys toString in a schedule", view(schedules={"adam": {"name": "cosine", "T_max": 50, "toString": 1}})),
        ("keys unknown field", view(zzz=1)),
    ], 2)


def _strings(rng):
    view = lambda **c: _hash(json.dumps({**BASE, **c}))  # noqa: E731
    long = "".join(rng.choice("abcxyz<>&\"'") for _ in range(5000))
    return rng.sample([
        ("strings long surface", view(surface=long)),
        ("strings long expr", view(surface="custom", custom={"expr": "x+" * 2500 + "y", "bounds": [[-1, 1], [-1, 1]]},
                                   start=[0, 0])),
        ("strings bidi and controls", view(surface="\u202e\u0000\u200b<script>alert(1)</script>")),
        ("strings lone surrogate", "#view=" + urllib.parse.quote(json.dumps(BASE)[:-1] + ',"x":"\\ud800"}',
                                                                 safe=",:[]{}")),
        ("strings bad percent-encoding", "#view=%7B%22v%22:1%E0%A4%A" + "%FF" * 100),
        ("strings markup in a key", view(enabled=["<img src=x onerror=window.pwned=1>"])),
    ], 4)


def _types(rng):
    view = lambda **c: _hash(json.dumps({**BASE, **c}))  # noqa: E731
    return rng.sample([
        ("types start object", view(start={"x": 1, "y": 2})),
        ("types steps text", view(steps="300")),
        ("types steps list", view(steps=[300])),
        ("types enabled text", view(enabled="sgd,adam")),
        ("types hyperparams list", view(hyperparams=[["adam", {"lr": 1}]])),
        ("types custom text", view(surface="custom", custom="x**2")),
        ("types v true", view(v=True)),
        ("types betas of three", view(hyperparams={"adam": {"betas": [0.9, 0.99, 0.999]}})),
        ("types null view", "#view=null"),
    ], 4)


def _valid(rng):
    view = lambda **c: _hash(json.dumps({**BASE, **c}))  # noqa: E731
    return [
        ("valid at the view's corner", view(start=[-2.0, 3.0], step=60)),
        ("valid custom function", view(surface="custom", custom=CUSTOM, start=[2.5, -1.5], enabled=["adam", "lion"])),
        ("valid data surface", view(surface="linreg", data={"dataset": "linreg", "batch_size": 1, "seed": 4294967295},
                                    start=[0.0, 0.0])),
        ("valid tiny lr, clipping, noise", view(hyperparams={"sgd": {"lr": 1e-300}}, max_grad_norm=1e-300, noise=1000,
                                                seed=4294967295)),
        ("valid x**y through a zero base", view(surface="custom", custom={"expr": "x**y + (x - 0.5)**2 + (y - 1)**2",
                                                                          "bounds": [[0, 1], [0, 2]]},
                                                start=[0.0, 0.0], enabled=["adam"])),
    ]


def _lesson(rng):
    return [
        ("lesson bad percent-encoding", "#lesson=%E0%A4%A"),
        ("lesson huge number", "#lesson=" + "9" * 5000),
    ]


def _functions(rng):
    """Valid custom views whose f is degenerate: flat, nearly flat, poles, half undefined, overflowing."""
    def custom(expr, bounds, start, **more):
        return _hash(json.dumps({**BASE, "surface": "custom", "custom": {"expr": expr, "bounds": bounds},
                                 "start": start, **more}))
    return [
        ("functions losses apart by less than 1e-300", custom("1e-310*(x + y)", [[-3, 3], [-3, 3]], [2.0, 1.0],
                                                              enabled=["lion"])),
        ("functions losses near the float limit", custom("1.7e308*sin(x) + y**2", [[-2, 2], [-2, 2]], [1.5, 0.5],
                                                         enabled=["adam"], hyperparams={"adam": {"lr": 0.01}})),
        ("functions finite only on the view's edge", custom("exp(x*y)", [[-1001000.0, -999000.0], [-1001000.0, 0.0]],
                                                            [-1e6, -1e-4])),
    ] + rng.sample([
        ("functions flat", custom("0*x + 0*y + 1", [[-1, 1], [-1, 1]], [0.5, 0.5])),
        ("functions nearly flat", custom("1e-300*x + 1e-300*y", [[-1, 1], [-1, 1]], [0.5, 0.5])),
        ("functions a pole", custom("1/x + y**2", [[-1, 1], [-1, 1]], [0.5, 0.5])),
        ("functions half undefined", custom("log(x) + sqrt(y)", [[-1, 1], [-1, 1]], [0.5, 0.5])),
        ("functions overflowing", custom("exp(x) + y", [[-800, 800], [-1, 1]], [-700, 0])),
        ("functions huge values", custom("1e300*(x**2 + y**2)", [[-10, 10], [-10, 10]], [5, 5])),
        ("functions at a minimum, every optimizer", custom("x**2 + y**2", [[-1, 1], [-1, 1]], [0, 0],
                                                           enabled=["sgd", "momentum", "nesterov", "adagrad", "rmsprop",
                                                                    "adadelta", "adam", "adamw", "nadam", "radam",
                                                                    "adamax", "lion"], step=60)),
    ], 4)


FAMILIES = (_nesting, _digits, _extreme, _bounds, _keys, _strings, _types, _valid, _functions, _lesson)


def links(seed=20261201):
    """The fixed, seeded list of (family, hash) pairs."""
    rng = random.Random(seed)
    out = [pair for family in FAMILIES for pair in family(rng)]
    for name, text in out:
        assert len(text) <= MAX_HASH, (name, len(text))
    return out
