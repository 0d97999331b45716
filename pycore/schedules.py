"""Learning-rate schedules with torch.optim.lr_scheduler semantics, float for float.

A schedule spec is None (constant lr) or a dict ``{"name": ..., **params}`` with torch's parameter names.
``get_schedule(spec)`` validates it and returns ``Schedule(name, spec, lrs)``: ``spec`` is the JSON-ready dict
with every default filled in (None for constant), and ``lrs(base_lr, steps)`` lists the lr used by optimizer
steps 1..steps, i.e. the value torch's scheduler gives after 0, 1, ..., steps-1 calls of ``scheduler.step()``.
Each schedule repeats torch's own ``get_lr`` arithmetic (the recursive, "chainable" form that ``step()``
uses, not the closed form), so the values agree with torch to the last bit in CPython, also past ``T_max``
(Pyodide's libm ``cos`` can differ by an ulp: there they agree to within 1e-14 relative).

``SCHEDULES[name]`` is the record the page's picker reads: display name, parameters (``HyperParam`` with the
interval torch accepts; ``default`` None marks a parameter torch requires), choices for string parameters, a
LaTeX formula, the torch constructor (``torch_code(spec)`` fills it in) and ``example``, a preset spec.

How a spec relates to the optimizer's lr (``base_lr``):

* constant, step, exponential, cosine, warmup_cosine scale the optimizer's lr, as torch's do. warmup_cosine
  is exactly ``SequentialLR(optimizer, [LinearLR(optimizer, start_factor, end_factor=1.0, total_iters=W),
  CosineAnnealingLR(optimizer, T_max, eta_min)], milestones=[W])`` with W = ``total_iters``: steps 1..W rise
  from start_factor·lr towards lr (never quite reaching it), step W+1 uses the full lr, and the cosine's
  T_max counts from there.
* cyclic and one_cycle *set* the lr (``sets_lr`` is True): torch's CyclicLR overwrites the optimizer's lr with
  ``base_lr`` and OneCycleLR starts from ``max_lr / div_factor``, so the optimizer's lr has no effect and
  ``lrs`` ignores it. Both are built with ``cycle_momentum=False``: only the lr is scheduled, the optimizer's
  momentum/betas stay as set.
* one_cycle needs ``steps <= total_steps``: torch raises after ``total_steps + 1`` values and the last of
  those is an extrapolation past the schedule's end, so ``lrs`` refuses more than ``total_steps`` steps.
"""
from collections import namedtuple
import math

from .checks import check_whole, range_words
from .hyperparams import INF, check, hp, to_json as _param_json

Schedule = namedtuple("Schedule", "name spec lrs")

ScheduleSpec = namedtuple("ScheduleSpec", "key name params choices make latex summary torch sets_lr example")
ScheduleSpec.__doc__ = """One schedule for the picker.

params: HyperParams (kind "float", "int", "bool" or "choice"; default None = required, as in torch);
choices: {param: allowed strings}; make(values) -> lrs(base_lr, steps); torch: the constructor as a format
string over the spec; sets_lr: the schedule replaces the optimizer's lr; example: a preset spec (not torch's
defaults) for the picker to start from.
"""

_PI = math.pi


def _constant(values):
    def lrs(base_lr, steps):
        return [base_lr] * steps
    return lrs


def _step(values):
    """StepLR: η_t = η_{t-1}·γ when t is a positive multiple of step_size."""
    step_size, gamma = values["step_size"], values["gamma"]

    def lrs(base_lr, steps):
        lr, out = base_lr, []
        for t in range(steps):
            if t != 0 and t % step_size == 0:
                lr = lr * gamma
            out.append(lr)
        return out
    return lrs


def _exponential(values):
    """ExponentialLR: η_t = η_{t-1}·γ."""
    gamma = values["gamma"]

    def lrs(base_lr, steps):
        lr, out = base_lr, []
        for t in range(steps):
            if t:
                lr = lr * gamma
            out.append(lr)
        return out
    return lrs


def _cosine_next(lr, base_lr, t, T_max, eta_min):
    """CosineAnnealingLR.get_lr at last_epoch t >= 1 given the previous lr: torch's recursion, with its
    special case one step past each trough (where the recursion would divide by 1 + cos π = 0)."""
    if (t - 1 - T_max) % (2 * T_max) == 0:
        return lr + (base_lr - eta_min) * (1 - math.cos(_PI / T_max)) / 2
    return (1 + math.cos(_PI * t / T_max)) / (1 + math.cos(_PI * (t - 1) / T_max)) * (lr - eta_min) + eta_min


def _cosine(values):
    T_max, eta_min = values["T_max"], values["eta_min"]

    def lrs(base_lr, steps):
        lr, out = base_lr, []
        for t in range(steps):
            if t:
                lr = _cosine_next(lr, base_lr, t, T_max, eta_min)
            out.append(lr)
        return out
    return lrs


def _warmup_cosine(values):
    """SequentialLR([LinearLR(start_factor, 1.0, total_iters=W), CosineAnnealingLR(T_max, eta_min)], [W])."""
    sf, W, T_max, eta_min = values["start_factor"], values["total_iters"], values["T_max"], values["eta_min"]
    rise = 1.0 - sf

    def lrs(base_lr, steps):
        lr, out = (base_lr * sf if W else base_lr), []
        for t in range(steps):
            if 0 < t < W:  # LinearLR.get_lr
                lr = lr * (1.0 + rise / (W * sf + (t - 1) * rise))
            elif t == W and W:  # SequentialLR hands over: CosineAnnealingLR's closed form at epoch 0
                lr = eta_min + (base_lr - eta_min) * (1 + math.cos(_PI * 0 / T_max)) / 2
            elif t > W:
                lr = _cosine_next(lr, base_lr, t - W, T_max, eta_min)
            out.append(lr)
        return out
    return lrs


def _cyclic(values):
    """CyclicLR: a triangle between base_lr and max_lr, step_size_up steps up, step_size_down down."""
    base, top, mode, gamma = values["base_lr"], values["max_lr"], values["mode"], values["gamma"]
    up = float(values["step_size_up"])
    total = up + float(values["step_size_down"])
    ratio = up / total

    def lrs(base_lr, steps):
        out = []
        for t in range(steps):
            cycle = math.floor(1 + t / total)
            x = 1.0 + t / total - cycle
            scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
            height = (top - base) * scale
            if mode == "triangular":
                out.append(base + height * 1.0)
            elif mode == "triangular2":
                out.append(base + height * (1 / (2.0 ** (cycle - 1))))
            else:
                out.append(base + height * gamma ** t)
        return out
    return lrs


def _one_cycle(values):
    """OneCycleLR: anneal initial → max over pct_start of the steps, then max → min (or max → initial → min)."""
    total, pct, top = values["total_steps"], values["pct_start"], values["max_lr"]
    initial = top / values["div_factor"]
    low = initial / values["final_div_factor"]
    if values["three_phase"]:
        phases = ((float(pct * total) - 1, initial, top), (float(2 * pct * total) - 2, top, initial),
                  (total - 1, initial, low))
    else:
        phases = ((float(pct * total) - 1, initial, top), (total - 1, top, low))
    cos = values["anneal_strategy"] == "cos"

    def at(t):
        start_step = 0.0
        for i, (end_step, a, b) in enumerate(phases):
            if t <= end_step or i == len(phases) - 1:
                f = (t - start_step) / (end_step - start_step)
                return b + (a - b) / 2.0 * (math.cos(_PI * f) + 1) if cos else (b - a) * f + a
            start_step = end_step

    try:
        at(0), at(total)  # torch evaluates t = 0 .. total_steps in a training loop
    except ZeroDivisionError:
        raise ValueError(f"one_cycle: pct_start={pct!r} with total_steps={total!r} gives a phase of 0 steps (torch "
                         "divides by zero): pct_start * total_steps must not be 1, nor total_steps (two phases) "
                         "nor (total_steps + 1) / 2 (three phases)") from None

    def lrs(base_lr, steps):
        if steps > total:
            raise ValueError(f"one_cycle: total_steps ({total}) must be at least the number of steps ({steps}); "
                             "torch's OneCycleLR has no values past total_steps")
        return [at(t) for t in range(steps)]
    return lrs


def _int(name, default, low=1, doc=""):
    return hp(name, name, default, low, INF, kind="int", ui=(low, 1000), doc=doc)


def _gamma(default, doc="multiplicative factor of learning rate decay"):
    return hp("gamma", r"\gamma", default, 0.0, 1.0, low_open=True, ui=(0.5, 1.0), doc=doc)


def _rate(name, symbol, default, doc):
    return hp(name, symbol, default, 0.0, INF, ui=(1e-5, 10.0), scale="log", doc=doc)


_ETA_MIN = hp("eta_min", r"\eta_{\min}", 0.0, 0.0, INF, ui=(0.0, 1.0), doc="minimum learning rate")
_T_MAX = _int("T_max", None, doc="steps from the start of the cosine to its minimum (half a period)")

_RECORDS = [
    ScheduleSpec("constant", "Constant", (), {}, _constant, r"\eta_t = \eta",
                 "The optimizer's lr at every step.", "None  # no scheduler", False, {"name": "constant"}),
    ScheduleSpec("step", "Step decay", (_int("step_size", None, doc="period of learning rate decay"), _gamma(0.1)),
                 {}, _step, r"\eta_t = \eta\,\gamma^{\lfloor t / s \rfloor}",
                 "Multiplies the lr by gamma every step_size steps.",
                 "StepLR(optimizer, step_size={step_size!r}, gamma={gamma!r})", False,
                 {"name": "step", "step_size": 100, "gamma": 0.5}),
    ScheduleSpec("exponential", "Exponential decay", (_gamma(None),), {}, _exponential,
                 r"\eta_t = \eta\,\gamma^{t}", "Multiplies the lr by gamma every step.",
                 "ExponentialLR(optimizer, gamma={gamma!r})", False, {"name": "exponential", "gamma": 0.99}),
    ScheduleSpec("cosine", "Cosine annealing", (_T_MAX, _ETA_MIN), {}, _cosine,
                 r"\eta_t = \eta_{\min} + \tfrac{1}{2}(\eta - \eta_{\min})\bigl(1 + \cos\tfrac{\pi t}{T_{\max}}\bigr)",
                 "Half a cosine from the lr down to eta_min over T_max steps; past T_max it rises again "
                 "(torch anneals without restarts, so the cosine continues).",
                 "CosineAnnealingLR(optimizer, T_max={T_max!r}, eta_min={eta_min!r})", False,
                 {"name": "cosine", "T_max": 300, "eta_min": 0.0}),
    ScheduleSpec("warmup_cosine", "Linear warm-up + cosine",
                 (hp("start_factor", r"f_0", 1.0 / 3, 0.0, 1.0, low_open=True, ui=(0.01, 1.0),
                     doc="lr factor at the first step of the warm-up"),
                  _int("total_iters", 5, low=0, doc="warm-up length in steps (LinearLR total_iters and the "
                                                    "SequentialLR milestone)"),
                  _T_MAX, _ETA_MIN), {}, _warmup_cosine,
                 r"\eta_t = \begin{cases} \eta\bigl(f_0 + (1 - f_0)\,t/W\bigr) & t < W \\ "
                 r"\eta_{\min} + \tfrac{1}{2}(\eta - \eta_{\min})\bigl(1 + \cos\tfrac{\pi (t - W)}{T_{\max}}\bigr)"
                 r" & t \ge W \end{cases}",
                 "Raises the lr linearly from start_factor·lr over total_iters steps, then cosine-anneals it "
                 "to eta_min over T_max steps.",
                 "SequentialLR(optimizer, [LinearLR(optimizer, start_factor={start_factor!r}, end_factor=1.0, "
                 "total_iters={total_iters!r}), CosineAnnealingLR(optimizer, T_max={T_max!r}, "
                 "eta_min={eta_min!r})], milestones=[{total_iters!r}])", False,
                 {"name": "warmup_cosine", "start_factor": 0.1, "total_iters": 30, "T_max": 270, "eta_min": 0.0}),
    ScheduleSpec("cyclic", "Cyclic (triangular)",
                 (_rate("base_lr", r"\eta_{\text{base}}", None, "lower end of the cycle (replaces the optimizer's lr)"),
                  _rate("max_lr", r"\eta_{\max}", None, "upper end of the cycle"),
                  _int("step_size_up", 2000, doc="steps from base_lr up to max_lr"),
                  _int("step_size_down", None, doc="steps from max_lr down to base_lr (torch: None = step_size_up)"),
                  hp("mode", r"\text{mode}", "triangular", kind="choice",
                     doc="triangular: constant amplitude; triangular2: halved every cycle; exp_range: "
                         "scaled by gamma^t"),
                  _gamma(1.0, doc="amplitude factor per step in exp_range mode")),
                 {"mode": ("triangular", "triangular2", "exp_range")}, _cyclic,
                 r"\eta_t = \eta_{\text{base}} + (\eta_{\max} - \eta_{\text{base}})\,h_t\,s_t,\quad "
                 r"h_t = \begin{cases} \tau/u & \tau \le u \\ (u + d - \tau)/d & \tau > u \end{cases},\ "
                 r"\tau = t \bmod (u + d),\quad s_t = 1,\ 2^{-\lfloor t/(u + d) \rfloor}\ \text{or}\ \gamma^t",
                 "Sweeps the lr up and down between base_lr and max_lr; it replaces the optimizer's lr.",
                 "CyclicLR(optimizer, base_lr={base_lr!r}, max_lr={max_lr!r}, step_size_up={step_size_up!r}, "
                 "step_size_down={step_size_down!r}, mode={mode!r}, gamma={gamma!r}, cycle_momentum=False)", True,
                 {"name": "cyclic", "base_lr": 1e-3, "max_lr": 1e-2, "step_size_up": 50}),
    ScheduleSpec("one_cycle", "One-cycle",
                 (_rate("max_lr", r"\eta_{\max}", None, "peak learning rate (replaces the optimizer's lr)"),
                  _int("total_steps", None, doc="length of the cycle; the run may not be longer"),
                  hp("pct_start", r"p", 0.3, 0.0, 1.0, doc="fraction of the cycle spent raising the lr"),
                  hp("anneal_strategy", r"\text{anneal}", "cos", kind="choice", doc="cos or linear annealing"),
                  hp("div_factor", r"d", 25.0, 0.0, INF, low_open=True, ui=(1.0, 1000.0), scale="log",
                     doc="initial lr = max_lr / div_factor"),
                  hp("final_div_factor", r"d_f", 1e4, 0.0, INF, low_open=True, ui=(1.0, 1e6), scale="log",
                     doc="final lr = initial lr / final_div_factor"),
                  hp("three_phase", r"\text{three\_phase}", False, kind="bool",
                     doc="go back down to the initial lr before annealing to the final lr (the paper's form)")),
                 {"anneal_strategy": ("cos", "linear")}, _one_cycle,
                 r"\eta_t = \begin{cases} A\bigl(\tfrac{\eta_{\max}}{d}, \eta_{\max}, \tfrac{t}{pT - 1}\bigr) & "
                 r"t \le pT - 1 \\ A\bigl(\eta_{\max}, \tfrac{\eta_{\max}}{d\,d_f}, \tfrac{t - pT + 1}{T - pT}\bigr)"
                 r" & t > pT - 1 \end{cases},\quad A(a, b, f) = b + \tfrac{a - b}{2}(1 + \cos \pi f)\ "
                 r"\text{or}\ a + (b - a) f",
                 "Warms the lr up to max_lr over pct_start of the cycle, then anneals it far below the start; it "
                 "replaces the optimizer's lr.",
                 "OneCycleLR(optimizer, max_lr={max_lr!r}, total_steps={total_steps!r}, pct_start={pct_start!r}, "
                 "anneal_strategy={anneal_strategy!r}, div_factor={div_factor!r}, "
                 "final_div_factor={final_div_factor!r}, three_phase={three_phase!r}, cycle_momentum=False)", True,
                 {"name": "one_cycle", "max_lr": 0.05, "total_steps": 300}),
]
SCHEDULES = {s.key: s for s in _RECORDS}
del _RECORDS

MAX_WHOLE = 10 ** 9   # whole-number parameters (step counts): torch sets no limit; larger ones only overflow
# Parameters whose default None means "the same as another one" (torch: step_size_down=None).
_FOLLOWS = {"step_size_down": "step_size_up"}

def _check_value(p, value, owner, choices):
    """A parameter's value normalised, or ValueError naming it and what is allowed."""
    if p.kind == "choice":
        if value not in choices:
            raise ValueError(f"{owner}: {p.name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
        return value
    if p.kind != "int":
        return check(p, value, owner)
    return check_whole(f"{owner}: {p.name}", value, int(p.low), min(p.high, MAX_WHOLE))


def get_schedule(spec):
    """A Schedule from a spec (None means constant); ValueError naming the bad field otherwise."""
    if spec is None:
        spec = {"name": "constant"}
    if not isinstance(spec, dict) or "name" not in spec:
        raise ValueError(f"a schedule is None or a dict with a 'name', got {spec!r}")
    name = spec["name"]
    record = SCHEDULES.get(name) if isinstance(name, str) else None
    if record is None:
        raise ValueError(f"unknown schedule {name!r}; expected one of {', '.join(SCHEDULES)}")
    given = {k: v for k, v in spec.items() if k != "name"}
    by_name = {p.name: p for p in record.params}
    unknown = sorted(set(given) - set(by_name))
    if unknown:
        raise ValueError(f"{name}: unknown parameter {unknown[0]!r}; expected "
                         f"{', '.join(by_name) if by_name else 'none'}")
    values = {}
    for p in record.params:
        value = given.get(p.name, p.default)
        if value is None and p.name in _FOLLOWS:
            value = values[_FOLLOWS[p.name]]
        if value is None:
            raise ValueError(f"{name}: {p.name} is required (torch has no default): {p.doc}, "
                             f"{'a whole number' if p.kind == 'int' else 'a number'}, "
                             f"{range_words(p.low, p.high, p.low_open, p.high_open)}")
        values[p.name] = _check_value(p, value, name, record.choices.get(p.name, ()))
    if name == "constant":
        return Schedule("constant", None, record.make(values))
    return Schedule(name, {"name": name, **values}, record.make(values))


def torch_code(spec):
    """The torch.optim.lr_scheduler constructor that gives the same lrs as ``spec``, as Python source."""
    s = get_schedule(spec)
    return SCHEDULES[s.name].torch.format(**(s.spec or {}))


def to_json(record):
    """A ScheduleSpec as JSON-ready metadata for the page's picker (``make`` left out)."""
    params = []
    for p in record.params:
        d = _param_json(p)
        d["required"] = p.default is None and p.name not in _FOLLOWS
        if p.name in _FOLLOWS:
            d["follows"] = _FOLLOWS[p.name]
        if p.name in record.choices:
            d["choices"] = list(record.choices[p.name])
        params.append(d)
    return {"key": record.key, "name": record.name, "params": params, "latex": record.latex,
            "summary": record.summary, "torch": record.torch, "sets_lr": record.sets_lr,
            "example": dict(record.example)}
