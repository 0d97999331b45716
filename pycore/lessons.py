"""Guided lessons, "predict, then see": each scene is a record of data, and its reveal quotes numbers measured in
its own runs.

A ``Scene`` holds the view the page shows (in the page's view format, ``pycore.browser.share``: surface, start,
steps, the enabled optimizers and their settings, schedules, noise), a paragraph, a question with 2 to 4 answers,
the index of the right one and a reveal. Every text is a template: ``{name}`` stands for the scene's measurement
``name``, and no number is typed into the text itself. ``measures`` defines each measurement as a call of the
vocabulary ``MEASURES``, ``(function, *args)``, where ``"@name"`` stands for the value of the earlier measurement
``name`` (every argument of a "derived" function is one). The paragraph, question and answers may quote only what
the view determines (settings, curvatures, constants); the reveal may quote anything measured in the runs.

``checks`` are the conditions that make the reveal true, and each answer carries the conditions that would make
it the right one. A condition is ``(measurement, op, other)`` with ``op`` in ``OPS`` and ``other`` a measurement
name, a number or an outcome word. For a scene's runs every check and the right answer's conditions must hold,
and every other answer must fail one of its own (``tests/test_lessons.py``): a change in pycore that breaks a
lesson's point fails the tests.

The engine never runs a view: ``pycore.browser.lessons`` runs the scene as the page does and hands the runs to
``measure``. Everything here is checked when the module is imported (``ValueError`` naming the scene and field).
"""
from collections import namedtuple
import math
import operator
import re

from .compare import basin_map
from .datasets import DATASETS
from .optimizers import OPTIMIZERS
from .outcome import OUTCOMES, default_tol
from .stationary import hessian

Scene = namedtuple("Scene", "id title topic view paragraph question answers right reveal measures checks")
Scene.__doc__ = """One lesson: ``view`` (a view dict, completed by ``pycore.browser.share.validate_view``),
``paragraph``, ``question``, ``answers`` (``Answer`` records), ``right`` (index of the right answer), ``reveal``
(template), ``measures`` (``(name, (function, *args))`` pairs, in order) and ``checks`` (conditions)."""
Answer = namedtuple("Answer", "text conditions")
Answer.__doc__ = "One answer: its text (a template) and the conditions under which it is the right one."
Measure = namedtuple("Measure", "kind takes_key fn")
Measure.__doc__ = """A vocabulary entry: ``kind`` is "view" (from the view and surface alone), "run" (from the
scene's runs), "derived" (from other measurements) or "lesson" (a measurement of an earlier lesson); with
``takes_key`` its first argument is an optimizer key, which the view must enable."""
Context = namedtuple("Context", "view surface runs earlier maps")
Context.__doc__ = """What measurements read: the completed ``view``, its ``surface``, ``runs`` ({key: Trajectory},
None for the view-only texts), ``earlier(id)`` (an earlier lesson's measurements) and ``maps`` (basin maps
computed on the way, by optimizer key)."""

OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
       ">=": operator.ge}
AXES = {"x": 0, "y": 1}
BASIN_GRID = 25                 # basin maps in lessons: 25 x 25 starts, quick enough for the page's worker
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
MEASURES = {}


def _measure(kind, takes_key=None):
    def register(fn):
        MEASURES[fn.__name__.lstrip("_")] = Measure(kind, kind == "run" if takes_key is None else takes_key, fn)
        return fn
    return register


# ---- from the view alone -------------------------------------------------------------------------------------
@_measure("view", takes_key=False)
def _value(ctx, v):
    """A constant the text quotes and other measurements use (a threshold, a radius)."""
    return v


@_measure("view", takes_key=True)
def _setting(ctx, key, name, index=None):
    """A hyperparameter of ``key`` in the view (``index`` picks one of a pair, such as betas)."""
    v = ctx.view["hyperparams"][key][name]
    return v if index is None else v[index]


@_measure("view", takes_key=True)
def _memory(ctx, key, name, index=None):
    """1 / (1 - β) for an averaging factor β of ``key``: about how many steps its average remembers."""
    return 1.0 / (1.0 - _setting(ctx, key, name, index))


@_measure("view", takes_key=True)
def _schedule_setting(ctx, key, name):
    """A parameter of ``key``'s lr schedule in the view."""
    return ctx.view["schedules"][key][name]


@_measure("view", takes_key=False)
def _steps(ctx):
    """The number of steps of every run."""
    return ctx.view["steps"]


@_measure("view", takes_key=False)
def _start(ctx, axis):
    """A coordinate of the start."""
    return ctx.view["start"][AXES[axis]]


@_measure("view", takes_key=False)
def _start_slope(ctx, axis):
    """|∂f/∂axis| at the start, or ‖∇f‖ there for ``axis`` "norm"."""
    g = ctx.surface.grad(*ctx.view["start"])
    return math.hypot(*g) if axis == "norm" else abs(g[AXES[axis]])


@_measure("view", takes_key=False)
def _tol(ctx):
    """How close counts as "at" a point: the outcome's tolerance (``pycore.outcome.default_tol``)."""
    return default_tol(ctx.surface.bounds)


def _global_minimum(surface):
    if not surface.global_minima:
        raise ValueError(f"{surface.name} lists no minimum")
    return surface.global_minima[0]


@_measure("view", takes_key=False)
def _minimum(ctx, what):
    """The first global minimum's coordinate ("x", "y") or value ("f")."""
    m = _global_minimum(ctx.surface)
    return m.value if what == "f" else (m.x, m.y)[AXES[what]]


@_measure("view", takes_key=False)
def _curvature(ctx, which):
    """The smallest ("min") or largest ("max") curvature (Hessian eigenvalue) at the first global minimum."""
    m = _global_minimum(ctx.surface)
    (a, b), (_, d) = hessian(ctx.surface.grad, m.x, m.y)
    root = math.hypot(a - d, 2.0 * b)
    return (a + d - root) / 2 if which == "min" else (a + d + root) / 2


@_measure("view", takes_key=False)
def _start_distance(ctx):
    """The distance from the start to the first global minimum."""
    m = _global_minimum(ctx.surface)
    return math.hypot(ctx.view["start"][0] - m.x, ctx.view["start"][1] - m.y)


@_measure("view", takes_key=False)
def _stable_lr(ctx):
    """2 / the largest curvature at the global minimum: the largest lr for which SGD settles there."""
    return 2.0 / _curvature(ctx, "max")


@_measure("view", takes_key=False)
def _batch_size(ctx):
    """The mini-batch size of a training surface."""
    return ctx.view["data"]["batch_size"]


@_measure("view", takes_key=False)
def _samples(ctx):
    """The number of training samples of a training surface."""
    return len(DATASETS[ctx.view["data"]["dataset"]].train)


@_measure("view", takes_key=False)
def _basin_grid(ctx):
    """The basin maps' grid size (starts per side)."""
    return BASIN_GRID


# ---- from other measurements ---------------------------------------------------------------------------------
@_measure("derived")
def _ratio(ctx, a, b):
    """a / b."""
    return a / b


@_measure("derived")
def _product(ctx, a, b):
    """a × b."""
    return a * b


@_measure("lesson")
def _lesson(ctx, lesson, name):
    """Measurement ``name`` of an earlier lesson, measured in that lesson's own runs."""
    return ctx.earlier(lesson)[name]


# ---- from the runs -----------------------------------------------------------------------------------------------
@_measure("run")
def _outcome(ctx, key):
    """How the run ended: one of ``pycore.outcome.OUTCOMES``."""
    return ctx.runs[key].outcome


@_measure("run")
def _settled_at(ctx, key):
    """The step from which the run stayed within tol of its end (None unless it ended at a minimum or stalled)."""
    return ctx.runs[key].settled_at


@_measure("run")
def _diverged_at(ctx, key):
    """The step at which the run diverged, or None."""
    t = ctx.runs[key]
    return len(t.points) if t.outcome == "diverged" else None


@_measure("run")
def _final(ctx, key, axis):
    """A coordinate of the last point."""
    return ctx.runs[key].points[-1][AXES[axis]]


@_measure("run")
def _final_loss(ctx, key):
    """f at the last point."""
    return ctx.runs[key].losses[-1]


@_measure("run")
def _gap(ctx, key, axis):
    """|last point - global minimum| along one axis."""
    m = _global_minimum(ctx.surface)
    return abs(ctx.runs[key].points[-1][AXES[axis]] - (m.x, m.y)[AXES[axis]])


@_measure("run")
def _distance(ctx, key):
    """The last point's distance to the first global minimum."""
    m = _global_minimum(ctx.surface)
    x, y = ctx.runs[key].points[-1]
    return math.hypot(x - m.x, y - m.y)


@_measure("run")
def _settled_along(ctx, key, axis):
    """The step from which the coordinate stayed within tol of the global minimum's, or None if it did not end
    there."""
    m, i, t = _global_minimum(ctx.surface), AXES[axis], ctx.runs[key]
    target = (m.x, m.y)[i]
    k = len(t.points)
    while k > 0 and abs(t.points[k - 1][i] - target) <= t.tol:
        k -= 1
    return k if k < len(t.points) else None


@_measure("run")
def _step(ctx, key, k):
    """‖Δθ‖ of step k (1 = the first, -1 = the last)."""
    return math.hypot(*ctx.runs[key].updates[k - 1 if k > 0 else k])


@_measure("run")
def _coordinate_step(ctx, key, axis, k):
    """|Δθ| along one axis at step k (1 = the first, -1 = the last)."""
    return abs(ctx.runs[key].updates[k - 1 if k > 0 else k][AXES[axis]])


@_measure("run")
def _step_per_slope(ctx, key, axis, k):
    """|Δθ| / |g| along one axis at step k: how far the step went per unit of slope."""
    i, t = AXES[axis], ctx.runs[key]
    return abs(t.updates[k - 1][i]) / abs(t.grads[k - 1][i])


@_measure("run")
def _coordinate_steps(ctx, key, which):
    """The smallest ("min") or largest ("max") |Δθ| along either axis over all steps."""
    sizes = [abs(c) for u in ctx.runs[key].updates for c in u]
    return min(sizes) if which == "min" else max(sizes)


@_measure("run")
def _path_length(ctx, key):
    """Distance travelled: Σ‖Δθ‖."""
    return math.fsum(math.hypot(*u) for u in ctx.runs[key].updates)


@_measure("run")
def _crossings(ctx, key, axis):
    """How many times the coordinate passed the global minimum's (changed side of it)."""
    i, m = AXES[axis], _global_minimum(ctx.surface)
    sides = [p[i] - (m.x, m.y)[i] for p in ctx.runs[key].points]
    sides = [s for s in sides if s != 0]
    return sum(1 for a, b in zip(sides, sides[1:]) if (a < 0) != (b < 0))


@_measure("run")
def _reversals(ctx, key):
    """How many steps turned back on the previous one (Δθ_k · Δθ_{k-1} < 0): the zigzags."""
    u = ctx.runs[key].updates
    return sum(1 for a, b in zip(u, u[1:]) if a[0] * b[0] + a[1] * b[1] < 0)


@_measure("run")
def _rises(ctx, key):
    """How many steps increased f."""
    losses = ctx.runs[key].losses
    return sum(1 for a, b in zip(losses, losses[1:]) if b > a)


@_measure("run")
def _extreme(ctx, key, axis, which):
    """The largest value of a coordinate along the path ("max"), or its largest size ("abs")."""
    values = [p[AXES[axis]] for p in ctx.runs[key].points]
    return max(values) if which == "max" else max(map(abs, values))


@_measure("run")
def _first_beyond(ctx, key, axis, radius):
    """The first step at which |coordinate| exceeded ``radius``, or None."""
    i = AXES[axis]
    return next((k for k, p in enumerate(ctx.runs[key].points) if abs(p[i]) > radius), None)


@_measure("run")
def _closest_saddle(ctx, key):
    """The path's closest approach to a listed saddle point."""
    return min(math.hypot(x - s.x, y - s.y) for x, y in ctx.runs[key].points for s in ctx.surface.saddles)


@_measure("run")
def _mean_distance(ctx, key, last):
    """The mean distance to the global minimum over the last ``last`` points."""
    m = _global_minimum(ctx.surface)
    points = ctx.runs[key].points[-last:]
    return math.fsum(math.hypot(x - m.x, y - m.y) for x, y in points) / len(points)


@_measure("run")
def _epochs(ctx, key):
    """Completed passes over the data of a mini-batch run."""
    return ctx.runs[key].minibatch["epochs"]


@_measure("run")
def _lr_at(ctx, key, k):
    """The lr step k used (after the schedule)."""
    return ctx.runs[key].lrs[k - 1]


@_measure("run")
def _l2_gradient(ctx, key):
    """‖∇f + λθ‖ at the last point, λ the run's weight_decay: 0 where the run minimises f + λ/2‖θ‖²."""
    t = ctx.runs[key]
    lam, (x, y) = t.hyperparams["weight_decay"], t.points[-1]
    gx, gy = ctx.surface.grad(x, y)
    return math.hypot(gx + lam * x, gy + lam * y)


@_measure("run")
def _basin_share(ctx, key):
    """Percent of the starts of a BASIN_GRID × BASIN_GRID grid over the view from which ``key``, with the view's
    settings and steps (no noise: basin maps have none), ends at a global minimum (``pycore.compare.basin_map``,
    kept in ``ctx.maps``)."""
    if key not in ctx.maps:
        view = ctx.view
        hp = {k: tuple(v) if isinstance(v, list) else v for k, v in view["hyperparams"][key].items()}
        ctx.maps[key] = basin_map(ctx.surface, key, BASIN_GRID, BASIN_GRID, view["steps"], hp,
                                  schedule=view["schedules"].get(key), max_grad_norm=view["max_grad_norm"])
    return 100.0 * ctx.maps[key]["global_share"]


# ---- scenes --------------------------------------------------------------------------------------------------
def view(surface, start, steps, settings, **extra):
    """A lesson's view: ``settings`` ({key: hyperparameters}) lists the enabled optimizers in display order."""
    return {"v": 1, "surface": surface, "start": list(start), "steps": steps, "step": 0,
            "enabled": [k for k in OPTIMIZERS if k in settings], "hyperparams": settings, **extra}


def _scene(id, title, topic, view, paragraph, question, answers, right, reveal, measures, checks=()):
    return Scene(id, title, topic, view, paragraph, question, tuple(answers), right, reveal,
                 tuple(measures.items()), tuple(checks))


def _answer(text, *conditions):
    return Answer(text, conditions)


QUADRATIC, QUADRATIC_START = "quadratic", (-2.8, 1.0)
WELLS_START = (1.2, 1.2)
STEEP_START = (-4.8, -4.2)
L2_SURFACE = {"expr": "0.05*(x - 2)^2 + 5*(y - 1)^2", "bounds": [[-1, 3], [-1, 3]]}
LINREG_START = (-1.5, 2.0)

SCENES = (
    _scene(
        1, "A small learning rate", "Learning rate: too small",
        view(QUADRATIC, QUADRATIC_START, 200, {"sgd": {"lr": 0.01}}),
        "Gradient descent steps against the slope: each step is lr times the gradient. This bowl curves "
        "{kappa} times more steeply along y than along x. On such a bowl each SGD step covers the share "
        "lr × curvature of the distance still to go along each axis: here {share_x} of it along x and "
        "{share_y} along y.",
        "With lr = {lr}, where is SGD after {steps} steps?",
        [_answer("At the minimum: both directions are done.", ("outcome", "==", "global")),
         _answer("Done along y, but still on its way along x.",
                 ("outcome", "==", "budget"), ("gap_y", "<=", "tol"), ("gap_x", ">", "tol")),
         _answer("Past the minimum and off the map: the steps grew.", ("outcome", "==", "diverged"))],
        1,
        "After {steps} steps SGD is {gap_x} from the minimum along x, but within {tol} of it along y since "
        "step {y_done}. Covering {share_y} of the distance per step finishes y quickly; covering "
        "{share_x} leaves x crawling. And the steps shrink with the slope: the first was {first} long, the "
        "last {last}.",
        {"lr": ("setting", "sgd", "lr"), "steps": ("steps",), "h_min": ("curvature", "min"),
         "h_max": ("curvature", "max"), "kappa": ("ratio", "h_max", "h_min"),
         "share_x": ("product", "lr", "h_min"), "share_y": ("product", "lr", "h_max"), "tol": ("tol",),
         "outcome": ("outcome", "sgd"), "gap_x": ("gap", "sgd", "x"), "gap_y": ("gap", "sgd", "y"),
         "y_done": ("settled_along", "sgd", "y"), "first": ("step", "sgd", 1), "last": ("step", "sgd", -1)},
        [("y_done", "<", "steps"), ("last", "<", "first")]),
    _scene(
        2, "A well-chosen learning rate", "Learning rate: about right",
        view(QUADRATIC, QUADRATIC_START, 200, {"sgd": {"lr": 0.07}}),
        "A larger lr moves x faster. But along y the share lr × curvature then exceeds the whole distance: each "
        "step jumps across the valley floor to the other side. The jump still brings SGD closer as long as "
        "lr × curvature stays below two, which on this bowl means lr below {limit}.",
        "With lr = {lr}, when does SGD settle within {tol} of the minimum?",
        [_answer("Within {few} steps.", ("settled", "<=", "few")),
         _answer("After {few} steps, but within {steps}.", ("settled", ">", "few"), ("outcome", "==", "global")),
         _answer("Never: y keeps jumping across the floor.", ("outcome", "!=", "global"))],
        0,
        "It settled at step {settled}. Each step along y covered {share_y} times the distance to the floor, so "
        "y changed sides at every step, {y_cross} times, while x came in from one side and never crossed. In "
        "the last lesson, "
        "with lr = {prev_lr}, SGD was still {prev_gap} away after {prev_steps} steps.",
        {"lr": ("setting", "sgd", "lr"), "steps": ("steps",), "h_max": ("curvature", "max"),
         "limit": ("stable_lr",), "tol": ("tol",), "few": ("value", 100),
         "share_y": ("product", "lr", "h_max"), "outcome": ("outcome", "sgd"), "settled": ("settled_at", "sgd"),
         "y_cross": ("crossings", "sgd", "y"), "x_cross": ("crossings", "sgd", "x"),
         "prev_lr": ("lesson", 1, "lr"), "prev_gap": ("lesson", 1, "gap_x"), "prev_steps": ("lesson", 1, "steps")},
        [("lr", "<", "limit"), ("share_y", ">", 1), ("y_cross", "==", "steps"), ("x_cross", "==", 0)]),
    _scene(
        3, "Too large a learning rate", "Learning rate: too large (divergence)",
        view(QUADRATIC, QUADRATIC_START, 200, {"sgd": {"lr": 0.085}}),
        "The largest lr for which SGD settles on this bowl is {limit}: two divided by the largest curvature, "
        "{h_max}. The last lesson used lr = {prev_lr}.",
        "Now lr = {lr}, only a little larger. What happens?",
        [_answer("SGD settles even sooner.", ("outcome", "==", "global"), ("settled", "<", "prev_settled")),
         _answer("SGD settles, a little later.", ("outcome", "==", "global"), ("settled", ">=", "prev_settled")),
         _answer("SGD diverges.", ("outcome", "==", "diverged"))],
        2,
        "It diverged at step {div}. Each step along y covered {share_y} times the distance to the floor: every "
        "jump landed farther out than it started, and |y| grew from {y0} to {y_max} before the run left the "
        "map. Along x it was still closing in, from {x0} to {x_end}: one direction is enough to diverge.",
        {"limit": ("stable_lr",), "h_max": ("curvature", "max"), "lr": ("setting", "sgd", "lr"),
         "prev_lr": ("lesson", 2, "lr"), "share_y": ("product", "lr", "h_max"), "y0": ("start", "y"),
         "x0": ("start", "x"), "outcome": ("outcome", "sgd"), "settled": ("settled_at", "sgd"),
         "prev_settled": ("lesson", 2, "settled"), "div": ("diverged_at", "sgd"),
         "y_max": ("extreme", "sgd", "y", "abs"), "x_end": ("final", "sgd", "x"),
         "x_cross": ("crossings", "sgd", "x")},
        [("lr", ">", "limit"), ("prev_lr", "<", "limit"), ("share_y", ">", 2), ("x_end", ">", "x0"),
         ("x_cross", "==", 0)]),
    _scene(
        4, "A narrow valley", "Ill-conditioning and SGD's zigzag",
        view("matyas", (-9.0, -5.0), 150, {"sgd": {"lr": 1.8}}),
        "This bowl is tilted: its valley runs along the diagonal. Across the valley the curvature is {h_max}, "
        "along the floor only {h_min}, {kappa} times less. The gradient points mostly across the valley, and "
        "the steep direction caps the lr: SGD settles only for lr below {limit}.",
        "SGD runs with lr = {lr}, close to that cap. What does its path look like?",
        [_answer("A straight slide down to the floor, then along it to the minimum.", ("turns", "<", "few")),
         _answer("A zigzag across the valley that creeps along the floor.",
                 ("turns", ">=", "few"), ("outcome", "==", "global")),
         _answer("It climbs out of the valley and diverges.", ("outcome", "==", "diverged"))],
        1,
        "The path turned back on itself {turns} times. Across the valley each step covered {share_across} times "
        "the distance to the floor, overshooting it; along the floor each step covered only {share_along} of "
        "the way, so SGD needed {settled} steps to settle. Even at the cap a step could cover at most "
        "{best_along} of the way along the floor: with curvatures {kappa} times apart, no single lr is quick in "
        "both directions.",
        {"lr": ("setting", "sgd", "lr"), "h_min": ("curvature", "min"), "h_max": ("curvature", "max"),
         "kappa": ("ratio", "h_max", "h_min"), "limit": ("stable_lr",), "few": ("value", 10),
         "share_across": ("product", "lr", "h_max"), "share_along": ("product", "lr", "h_min"),
         "best_along": ("product", "limit", "h_min"), "turns": ("reversals", "sgd"),
         "outcome": ("outcome", "sgd"), "settled": ("settled_at", "sgd")},
        [("lr", "<", "limit"), ("share_across", ">", 1)]),
    _scene(
        5, "Momentum", "Momentum: overshoot and speed-up",
        view(QUADRATIC, QUADRATIC_START, 200, {"sgd": {"lr": 0.01}, "momentum": {"lr": 0.01, "momentum": 0.9}}),
        "Momentum adds each gradient to a velocity that keeps μ = {mu} of its previous value, and steps along "
        "the velocity. On a steady slope the velocity builds up until the steps are {gain} times SGD's. Both "
        "run here with lr = {lr}, from the same start.",
        "Which one settles at the minimum first, and how does it get there?",
        [_answer("SGD: the velocity's memory of old slopes holds Momentum back.",
                 ("s_outcome", "==", "global"), ("m_outcome", "!=", "global")),
         _answer("Momentum, on a straight path.", ("m_outcome", "==", "global"), ("m_cross", "==", 0)),
         _answer("Momentum, after overshooting the minimum and swinging back.",
                 ("m_outcome", "==", "global"), ("s_outcome", "!=", "global"), ("m_cross", ">", 0))],
        2,
        "Momentum settled at step {m_settled}; SGD, with the same lr, is still {s_gap} from the minimum after "
        "{steps} steps. But the velocity carried Momentum past the minimum: x changed sides {m_cross} times and "
        "reached {m_over} on the far side, and f rose on {m_rises} of Momentum's steps, never on SGD's.",
        {"mu": ("setting", "momentum", "momentum"), "gain": ("memory", "momentum", "momentum"),
         "lr": ("setting", "sgd", "lr"), "m_lr": ("setting", "momentum", "lr"), "steps": ("steps",),
         "s_outcome": ("outcome", "sgd"), "m_outcome": ("outcome", "momentum"),
         "m_settled": ("settled_at", "momentum"), "s_gap": ("distance", "sgd"),
         "m_cross": ("crossings", "momentum", "x"), "m_over": ("extreme", "momentum", "x", "max"),
         "m_rises": ("rises", "momentum"), "s_rises": ("rises", "sgd")},
        [("m_lr", "==", "lr"), ("m_over", ">", 0), ("m_rises", ">", 0), ("s_rises", "==", 0)]),
    _scene(
        6, "Nesterov's look-ahead", "Nesterov vs momentum",
        view(QUADRATIC, QUADRATIC_START, 200, {"momentum": {"lr": 0.01, "momentum": 0.9},
                                               "nesterov": {"lr": 0.01, "momentum": 0.9}}),
        "Nesterov's momentum takes the gradient where the velocity is about to carry the iterate, not where it "
        "is. So when the velocity starts to overshoot, the gradient it adds already points back. Both run with "
        "lr = {lr} and μ = {mu}.",
        "Compared with Momentum, what does Nesterov do?",
        [_answer("Overshoots more and settles later.", ("n_rises", ">", "m_rises"), ("n_settled", ">", "m_settled")),
         _answer("Overshoots less and settles sooner.",
                 ("n_rises", "<", "m_rises"), ("n_settled", "<", "m_settled"), ("n_over", "<", "m_over")),
         _answer("Exactly the same: only the bookkeeping differs.", ("n_path", "==", "m_path"))],
        1,
        "Nesterov settled at step {n_settled}, Momentum at step {m_settled}. f rose on {n_rises} of Nesterov's "
        "steps against {m_rises} of Momentum's, and its farthest swing past the minimum reached x = {n_over} "
        "instead of {m_over}.",
        {"lr": ("setting", "momentum", "lr"), "mu": ("setting", "momentum", "momentum"),
         "n_lr": ("setting", "nesterov", "lr"), "n_mu": ("setting", "nesterov", "momentum"),
         "n_settled": ("settled_at", "nesterov"), "m_settled": ("settled_at", "momentum"),
         "n_rises": ("rises", "nesterov"), "m_rises": ("rises", "momentum"),
         "n_over": ("extreme", "nesterov", "x", "max"), "m_over": ("extreme", "momentum", "x", "max"),
         "n_path": ("path_length", "nesterov"), "m_path": ("path_length", "momentum")},
        [("n_lr", "==", "lr"), ("n_mu", "==", "mu"), ("n_over", ">", 0)]),
    _scene(
        7, "AdaGrad", "AdaGrad's decaying step",
        view(QUADRATIC, QUADRATIC_START, 300, {"adagrad": {"lr": 0.05}}),
        "AdaGrad divides each coordinate's step by the square root of the sum of all its squared gradients so "
        "far. At the first step that makes the step lr along every axis, however steep the slope; after that "
        "the sum can only grow.",
        "With lr = {lr}, where is AdaGrad after {steps} steps?",
        [_answer("At the minimum.", ("outcome", "==", "global")),
         _answer("Stopped short: its steps have shrunk to almost nothing.",
                 ("outcome", "==", "budget"), ("gap_x", ">", "tol"), ("shrink", "<", 0.1)),
         _answer("Off the map: the first step was too long.", ("outcome", "==", "diverged"))],
        1,
        "Its first step moved {sx1} along x and {sy1} along y: lr along each, although the slope along y was "
        "{g_ratio} times steeper. Then the sums grew: step {mid} was {s_mid} long and the last one {s_last}. "
        "In {steps} steps AdaGrad travelled {path} and is still {gap_x} from the minimum along x.",
        {"lr": ("setting", "adagrad", "lr"), "steps": ("steps",), "tol": ("tol",), "mid": ("value", 30),
         "gx0": ("start_slope", "x"), "gy0": ("start_slope", "y"), "g_ratio": ("ratio", "gy0", "gx0"),
         "outcome": ("outcome", "adagrad"), "sx1": ("coordinate_step", "adagrad", "x", 1),
         "sy1": ("coordinate_step", "adagrad", "y", 1), "s1": ("step", "adagrad", 1),
         "s_mid": ("step", "adagrad", "@mid"), "s_last": ("step", "adagrad", -1),
         "shrink": ("ratio", "s_last", "s1"), "path": ("path_length", "adagrad"),
         "gap_x": ("gap", "adagrad", "x"), "rx1": ("ratio", "sx1", "lr"), "ry1": ("ratio", "sy1", "lr")},
        [("rx1", ">", 0.999), ("rx1", "<", 1.001), ("ry1", ">", 0.999), ("ry1", "<", 1.001),
         ("s_mid", "<", "s1"), ("s_last", "<", "s_mid")]),
    _scene(
        8, "RMSProp", "RMSProp's fix",
        view(QUADRATIC, QUADRATIC_START, 300, {"adagrad": {"lr": 0.05}, "rmsprop": {"lr": 0.05}}),
        "RMSProp keeps AdaGrad's division but replaces the growing sum by a moving average that keeps "
        "α = {alpha} of itself at each step: it remembers roughly the last {memory} squared gradients. Both run "
        "here with lr = {lr}.",
        "Which one reaches the minimum within {steps} steps?",
        [_answer("Only AdaGrad.", ("a_outcome", "==", "global"), ("r_outcome", "!=", "global")),
         _answer("Only RMSProp.", ("r_outcome", "==", "global"), ("a_outcome", "!=", "global")),
         _answer("Both.", ("a_outcome", "==", "global"), ("r_outcome", "==", "global")),
         _answer("Neither.", ("a_outcome", "!=", "global"), ("r_outcome", "!=", "global"))],
        1,
        "RMSProp settled at step {r_settled}; AdaGrad is still {a_gap} away. AdaGrad's sum keeps every past "
        "gradient: at step {mid} it moved only {a_eff} along x per unit of slope, against {a_eff1} at its first "
        "step. RMSProp's average forgets, and at step {mid} it moved {r_eff} per unit of slope, {gain} times as "
        "much. Its first step was even {r_first} times lr: the average starts at zero and torch does not "
        "correct for that, so the first divisor is small.",
        {"alpha": ("setting", "rmsprop", "alpha"), "memory": ("memory", "rmsprop", "alpha"),
         "lr": ("setting", "rmsprop", "lr"), "a_lr": ("setting", "adagrad", "lr"), "steps": ("steps",),
         "mid": ("value", 30), "a_outcome": ("outcome", "adagrad"), "r_outcome": ("outcome", "rmsprop"),
         "r_settled": ("settled_at", "rmsprop"), "a_gap": ("distance", "adagrad"),
         "a_eff1": ("step_per_slope", "adagrad", "x", 1), "a_eff": ("step_per_slope", "adagrad", "x", "@mid"),
         "r_eff": ("step_per_slope", "rmsprop", "x", "@mid"), "gain": ("ratio", "r_eff", "a_eff"),
         "r_sx1": ("coordinate_step", "rmsprop", "x", 1), "r_first": ("ratio", "r_sx1", "lr")},
        [("a_lr", "==", "lr"), ("mid", "<", "r_settled"), ("a_eff", "<", "a_eff1"), ("gain", ">", 10),
         ("r_first", ">", 2)]),
    _scene(
        9, "Adam's first step", "Adam's bias correction",
        view(QUADRATIC, QUADRATIC_START, 200, {"adam": {"lr": 0.05}}),
        "Adam keeps two moving averages per coordinate: m of the gradients (β₁ = {b1}, about the last {m_mem} "
        "steps) and v of their squares (β₂ = {b2}, about the last {v_mem}). Both start at zero, so Adam divides "
        "each by the share of its memory filled so far (bias correction), then steps lr × m̂ / √v̂.",
        "At the start the slope along y is {g_ratio} times steeper than along x. How long is Adam's first "
        "step along each axis?",
        [_answer("About {g_ratio} times longer along y than along x.", ("ratio_yx", ">", 2)),
         _answer("The same along both: lr.",
                 ("rx1", ">", 0.999), ("rx1", "<", 1.001), ("ry1", ">", 0.999), ("ry1", "<", 1.001)),
         _answer("Longer along x than along y.", ("ratio_yx", "<", 0.5))],
        1,
        "It moved {sx1} along x and {sy1} along y: lr on both axes, because at the first step m̂ / √v̂ is the "
        "gradient divided by its own size. No step of the run moved farther than {max_c} along an axis, and "
        "Adam settled at step {settled}.",
        {"lr": ("setting", "adam", "lr"), "b1": ("setting", "adam", "betas", 0),
         "b2": ("setting", "adam", "betas", 1), "m_mem": ("memory", "adam", "betas", 0),
         "v_mem": ("memory", "adam", "betas", 1), "gx0": ("start_slope", "x"), "gy0": ("start_slope", "y"),
         "g_ratio": ("ratio", "gy0", "gx0"), "sx1": ("coordinate_step", "adam", "x", 1),
         "sy1": ("coordinate_step", "adam", "y", 1), "rx1": ("ratio", "sx1", "lr"), "ry1": ("ratio", "sy1", "lr"),
         "ratio_yx": ("ratio", "sy1", "sx1"), "max_c": ("coordinate_steps", "adam", "max"),
         "r_max": ("ratio", "max_c", "lr"), "over": ("extreme", "adam", "x", "max"),
         "settled": ("settled_at", "adam")},
        [("r_max", "<=", 1)]),
    _scene(
        10, "Adam without bias correction", "Adam's bias correction",
        view(QUADRATIC, QUADRATIC_START, 200, {"adam": {"lr": 0.05, "bias_correction": False}}),
        "Here Adam runs with its bias correction switched off, a switch pycore has for this lesson (torch always "
        "corrects). m and v are then used as they are, and in the first steps both are still mostly the zeros "
        "they started from. Same start and lr = {lr} as in the last lesson.",
        "Without the correction, how long is Adam's first step along x?",
        [_answer("lr, as with the correction.", ("r1", ">", 0.999), ("r1", "<", 1.001)),
         _answer("Shorter than lr: m starts at zero.", ("r1", "<", 0.999)),
         _answer("Several times lr: v starts at zero too, and only its square root divides.", ("r1", ">", 2))],
        2,
        "It was {r1} times lr: m holds a small share of the gradient, v a far smaller share of its square, and "
        "only √v divides. The longest step along an axis was {r_max} times lr (with the correction: "
        "{prev_rmax}), and the long early steps carried Adam past the minimum to x = {over} (with the "
        "correction: {prev_over}).",
        {"lr": ("setting", "adam", "lr"), "prev_lr": ("lesson", 9, "lr"),
         "sx1": ("coordinate_step", "adam", "x", 1), "r1": ("ratio", "sx1", "lr"),
         "max_c": ("coordinate_steps", "adam", "max"), "r_max": ("ratio", "max_c", "lr"),
         "prev_rmax": ("lesson", 9, "r_max"), "over": ("extreme", "adam", "x", "max"),
         "prev_over": ("lesson", 9, "over")},
        [("lr", "==", "prev_lr"), ("r_max", ">", "prev_rmax"), ("over", ">", "prev_over"), ("over", ">", 0)]),
    _scene(
        11, "Adam + L2 or AdamW", "Adam + L2 vs AdamW",
        view("custom", (-0.5, 2.5), 400, {"adam": {"lr": 0.05, "weight_decay": 0.1},
                                          "adamw": {"lr": 0.05, "weight_decay": 0.1}}, custom=L2_SURFACE),
        "Both runs get weight decay λ = {lam}. Adam adds λθ to the gradient (L2 regularisation), so the decay "
        "goes through Adam's division by √v̂ along with the slope. AdamW subtracts lr × λθ from θ directly, "
        "outside that division. f's minimum is at ({mx}, {my}); f curves {h_max} along y but only {h_min} "
        "along x.",
        "Where does each run end?",
        [_answer("At the same point: weight decay is weight decay.", ("ratio_x", ">", 0.95), ("ratio_x", "<", 1.05)),
         _answer("Adam + L2 much closer to zero along x, the flat direction; AdamW near f's minimum.",
                 ("ratio_x", "<", 0.75), ("w_dist", "<", 0.25)),
         _answer("AdamW much closer to zero along x; Adam + L2 near f's minimum.", ("ratio_x", ">", 1.33))],
        1,
        "Adam + L2 stopped at ({ax}, {ay}), where the slope of f and λθ cancel (‖∇f + λθ‖ = {resid}): the "
        "minimum of f plus half of λ‖θ‖². Along x, where f is flat, that pulled it {a_gap_x} short of f's "
        "minimum; along y, where f is steep, only {a_gap_y}. AdamW ended at ({wx}, {wy}), {w_dist} from f's "
        "minimum: its decay is not part of the gradient, so Adam's division never sees it. With Adam, L2 "
        "regularisation and weight decay are different things.",
        {"lam": ("setting", "adam", "weight_decay"), "w_lam": ("setting", "adamw", "weight_decay"),
         "lr": ("setting", "adam", "lr"), "w_lr": ("setting", "adamw", "lr"),
         "mx": ("minimum", "x"), "my": ("minimum", "y"), "h_min": ("curvature", "min"),
         "h_max": ("curvature", "max"), "ax": ("final", "adam", "x"), "ay": ("final", "adam", "y"),
         "wx": ("final", "adamw", "x"), "wy": ("final", "adamw", "y"), "ratio_x": ("ratio", "ax", "wx"),
         "resid": ("l2_gradient", "adam"), "a_gap_x": ("gap", "adam", "x"), "a_gap_y": ("gap", "adam", "y"),
         "w_dist": ("distance", "adamw")},
        [("w_lam", "==", "lam"), ("w_lr", "==", "lr"), ("resid", "<", 1e-6), ("a_gap_x", ">", 1e-1),
         ("a_gap_y", "<", 1e-2)]),
    _scene(
        12, "A saddle", "Escaping a saddle",
        view("saddle", (-1.8, 0.01), 300, {"sgd": {"lr": 0.01}, "adam": {"lr": 0.01}}),
        "f = x² − y² has no minimum. At the origin it has a saddle: a minimum along x and a maximum along y. "
        "The start lies {y0} off the x axis, the line that leads straight into the saddle, so the slope along y "
        "is only {gy0} there. Both runs use lr = {lr}.",
        "Which one first gets farther than {r} from the x axis, leaving the saddle behind?",
        [_answer("SGD.", ("s_esc", "<", "a_esc")),
         _answer("Adam.", ("a_esc", "<", "s_esc")),
         _answer("Neither: both stop at the saddle.", ("s_out", "==", "stalled"), ("a_out", "==", "stalled"))],
        1,
        "Adam got there at step {a_esc}, SGD at step {s_esc}. SGD's step is proportional to the slope: it slid "
        "along x towards the saddle, came within {s_close} of it and lingered while the slope along y slowly "
        "grew. Adam divides each coordinate by the size of its own gradients: its first step along y was "
        "{a_sy1}, a full lr, however flat the slope, and it never came closer to the saddle than {a_close}. "
        "f falls without end along y, so both keep going: there is no minimum to arrive at.",
        {"y0": ("start", "y"), "gy0": ("start_slope", "y"), "lr": ("setting", "sgd", "lr"),
         "a_lr": ("setting", "adam", "lr"),
         "r": ("value", 1.0), "s_esc": ("first_beyond", "sgd", "y", "@r"),
         "a_esc": ("first_beyond", "adam", "y", "@r"), "s_out": ("outcome", "sgd"), "a_out": ("outcome", "adam"),
         "s_close": ("closest_saddle", "sgd"), "a_close": ("closest_saddle", "adam"),
         "a_sy1": ("coordinate_step", "adam", "y", 1), "a_ry1": ("ratio", "a_sy1", "lr")},
        [("a_lr", "==", "lr"), ("s_close", "<", "a_close"), ("a_ry1", ">", 0.999), ("a_ry1", "<", 1.001),
         ("s_out", "!=", "stalled"), ("a_out", "!=", "stalled")]),
    _scene(
        13, "Two wells", "Local minima and the basin map",
        view("two_wells", WELLS_START, 200, {"sgd": {"lr": 0.01}, "momentum": {"lr": 0.01, "momentum": 0.9}}),
        "Two wells in one bowl: a deeper one on the left, marked with a star, and a shallower one on the right, "
        "marked with a circle, next to the start. Both runs use lr = {lr}; Momentum keeps μ = {mu} of its "
        "velocity.",
        "Where does each one end?",
        [_answer("Both in the shallow well next to the start.", ("s_out", "==", "local"), ("m_out", "==", "local")),
         _answer("SGD in the shallow well; Momentum, carried over the ridge, in the deep one.",
                 ("s_out", "==", "local"), ("m_out", "==", "global")),
         _answer("Both in the deep well.", ("s_out", "==", "global"), ("m_out", "==", "global"))],
        1,
        "SGD followed the slope into the shallow well (f = {s_loss}); Momentum's velocity carried it over the "
        "ridge into the deep one (f = {m_loss}). Luck, or a rule? The maps below run both from each start of a "
        "{grid} × {grid} grid over this view, with the same settings: SGD reaches the deep well from {s_share} % "
        "of the starts, Momentum from {m_share} %. Where you end depends on where you start, and on how you "
        "move.",
        {"lr": ("setting", "sgd", "lr"), "m_lr": ("setting", "momentum", "lr"),
         "mu": ("setting", "momentum", "momentum"), "s_out": ("outcome", "sgd"), "m_out": ("outcome", "momentum"),
         "s_loss": ("final_loss", "sgd"), "m_loss": ("final_loss", "momentum"), "grid": ("basin_grid",),
         "s_share": ("basin_share", "sgd"), "m_share": ("basin_share", "momentum")},
        [("m_lr", "==", "lr"), ("m_loss", "<", "s_loss"), ("s_share", "<", 100), ("m_share", "!=", "s_share")]),
    _scene(
        14, "Mini-batches", "Gradient noise and batch size",
        view("linreg", LINREG_START, 300, {"sgd": {"lr": 0.1}},
             data={"dataset": "linreg", "batch_size": 4, "seed": 1}),
        "This surface is a training loss: the mean squared error of a straight line fitted to {n} training points. "
        "Across the plot runs the line's slope w, up the plot its intercept b; the minimum is the best line. "
        "With mini-batches, each step uses the error on only {batch} points drawn at random, so it points "
        "downhill only on average.",
        "With batches of {batch} and lr = {lr}, what does SGD do near the minimum?",
        [_answer("It settles at the minimum, as with all the data.", ("outcome", "==", "global")),
         _answer("It keeps jittering around the minimum without settling.",
                 ("outcome", "==", "budget"), ("mean_d", ">", "tol")),
         _answer("The noise throws it off: it diverges.", ("outcome", "==", "diverged"))],
        1,
        "It never settled: over its last {last} steps it stayed {mean_d} from the minimum on average, while "
        "{tol} counts as arrived. Each step follows a different sample of the data. In {steps} steps it went "
        "through the data {epochs} times.",
        {"n": ("samples",), "batch": ("batch_size",), "lr": ("setting", "sgd", "lr"), "steps": ("steps",),
         "tol": ("tol",), "last": ("value", 100), "outcome": ("outcome", "sgd"),
         "mean_d": ("mean_distance", "sgd", "@last"), "epochs": ("epochs", "sgd")}),
    _scene(
        15, "Bigger batches", "Gradient noise and batch size",
        view("linreg", LINREG_START, 300, {"sgd": {"lr": 0.1}},
             data={"dataset": "linreg", "batch_size": 16, "seed": 1}),
        "Same data, start, lr = {lr} and number of steps as in the last lesson, but each step now averages the "
        "slope over {batch} points.",
        "How far from the minimum does SGD stay now?",
        [_answer("About as far as with the smaller batches.", ("gain", ">", 0.8), ("gain", "<", 1.25)),
         _answer("Closer: an average over more points is less noisy.", ("gain", ">=", 1.25)),
         _answer("Farther.", ("gain", "<=", 0.8))],
        1,
        "Over its last {last} steps it stayed {mean_d} from the minimum on average, against {prev_mean} with "
        "batches of {prev_batch}: {gain} times closer. The price is work: each step computed the error on "
        "{batch} points instead of {prev_batch}, and it went through the data {epochs} times instead of "
        "{prev_epochs}.",
        {"lr": ("setting", "sgd", "lr"), "batch": ("batch_size",), "prev_lr": ("lesson", 14, "lr"),
         "steps": ("steps",), "prev_steps": ("lesson", 14, "steps"), "prev_batch": ("lesson", 14, "batch"),
         "last": ("lesson", 14, "last"), "mean_d": ("mean_distance", "sgd", "@last"),
         "prev_mean": ("lesson", 14, "mean_d"), "gain": ("ratio", "prev_mean", "mean_d"),
         "epochs": ("epochs", "sgd"), "prev_epochs": ("lesson", 14, "epochs")},
        [("lr", "==", "prev_lr"), ("steps", "==", "prev_steps"), ("batch", ">", "prev_batch")]),
    _scene(
        16, "A steep start", "A warm-up schedule",
        view("styblinski_tang", STEEP_START, 100, {"sgd": {"lr": 0.05}}),
        "Four minima around a hill. The deepest, marked with a star, lies {d0} from this start, but out here "
        "the walls are steep: the slope at the start is {g0}.",
        "SGD runs with lr = {lr}. Where does it end?",
        [_answer("In the deepest minimum, next to the start.", ("outcome", "==", "global")),
         _answer("In another minimum, across the map.", ("outcome", "==", "local")),
         _answer("Off the map: it diverges.", ("outcome", "==", "diverged"))],
        1,
        "Its first step was {s1} long, lr times that slope: it flew past the deepest minimum, across the map, "
        "and ended in the minimum at ({fx}, {fy}), where f = {floss}. The deepest has f = {fmin}.",
        {"d0": ("start_distance",), "g0": ("start_slope", "norm"), "lr": ("setting", "sgd", "lr"),
         "outcome": ("outcome", "sgd"), "s1": ("step", "sgd", 1), "fx": ("final", "sgd", "x"),
         "fy": ("final", "sgd", "y"), "floss": ("final_loss", "sgd"), "fmin": ("minimum", "f")},
        [("s1", ">", "d0")]),
    _scene(
        17, "Warm-up", "A warm-up schedule",
        view("styblinski_tang", STEEP_START, 100, {"sgd": {"lr": 0.05}},
             schedules={"sgd": {"name": "warmup_cosine", "start_factor": 0.01, "total_iters": 50, "T_max": 50}}),
        "The same start and lr = {lr}, now with a warm-up schedule: the lr starts at {f0} times its value and "
        "rises to it over the first {warm} steps, then falls back along a cosine. The first steps are short while "
        "the slope is steep.",
        "Where does SGD end now?",
        [_answer("In the deepest minimum, next to the start.", ("outcome", "==", "global")),
         _answer("In another minimum, across the map.", ("outcome", "==", "local")),
         _answer("Off the map: it diverges.", ("outcome", "==", "diverged"))],
        0,
        "It settled in the deepest minimum at step {settled}, f = {floss}. Its first step used lr = {lr1} and was "
        "{s1} long (without warm-up: {prev_s1}). By the time the lr reached {lr}, SGD was at the bottom, where "
        "it is stable for any lr below {limit}.",
        {"lr": ("setting", "sgd", "lr"), "prev_lr": ("lesson", 16, "lr"), "f0": ("schedule_setting", "sgd",
         "start_factor"), "warm": ("schedule_setting", "sgd", "total_iters"), "outcome": ("outcome", "sgd"),
         "settled": ("settled_at", "sgd"), "floss": ("final_loss", "sgd"), "lr1": ("lr_at", "sgd", 1),
         "s1": ("step", "sgd", 1), "prev_s1": ("lesson", 16, "s1"), "limit": ("stable_lr",)},
        [("lr", "==", "prev_lr"), ("settled", "<", "warm"), ("lr", "<", "limit")]),
    _scene(
        18, "Lion: only the sign", "Lion's sign update",
        view(QUADRATIC, QUADRATIC_START, 300, {"adam": {"lr": 0.02}, "lion": {"lr": 0.02}}),
        "Lion keeps one moving average of the gradients, like Adam's m, and no average of their squares. Its "
        "update is the sign of a mix of that average and the current gradient, times lr. Both run with "
        "lr = {lr}.",
        "What happens to Lion's steps as it nears the minimum?",
        [_answer("They shrink with the slope, like SGD's.", ("r_min", "<", 0.5)),
         _answer("They stay lr along each axis, so it overshoots and swings back.",
                 ("r_min", ">", 0.999), ("r_max", "<", 1.001), ("l_cross", ">", 0)),
         _answer("They shrink once its average has forgotten the steep start, like Adam's.", ("r_min", "<", 0.5))],
        1,
        "Every one of Lion's steps moved lr = {l_max} along each axis, whatever the slope. "
        "So it cannot slow down: it ran past the minimum to x = {over}, crossed it {l_cross} times, and after "
        "{steps} steps it is still {l_dist} away, swinging across. Adam's steps shrank as it approached: its "
        "last was {a_last} long, and it ended {a_dist} from the minimum.",
        {"lr": ("setting", "lion", "lr"), "a_lr": ("setting", "adam", "lr"), "steps": ("steps",),
         "l_min": ("coordinate_steps", "lion", "min"), "l_max": ("coordinate_steps", "lion", "max"),
         "r_min": ("ratio", "l_min", "lr"), "r_max": ("ratio", "l_max", "lr"), "over": ("extreme", "lion", "x", "max"),
         "l_cross": ("crossings", "lion", "x"), "l_dist": ("distance", "lion"), "l_out": ("outcome", "lion"),
         "a_last": ("step", "adam", -1), "a_dist": ("distance", "adam")},
        [("a_lr", "==", "lr"), ("l_out", "!=", "diverged"), ("a_dist", "<", "l_dist")]),
)


# ---- measuring and filling -----------------------------------------------------------------------------------
def lookup(lesson):
    """The scene with id ``lesson`` (1-based), or KeyError."""
    if isinstance(lesson, bool) or not isinstance(lesson, int) or not 1 <= lesson <= len(SCENES):
        raise KeyError(lesson)
    return SCENES[lesson - 1]


def _references(kind, args):
    """The names of the measurements a measurement uses: all arguments of a derived one, ``"@name"`` ones else."""
    return list(args) if kind == "derived" else [a[1:] for a in args if isinstance(a, str) and a[:1] == "@"]


def _resolve(kind, args, values):
    """The arguments with measurements in place of their names."""
    if kind == "derived":
        return [values[a] for a in args]
    return [values[a[1:]] if isinstance(a, str) and a[:1] == "@" else a for a in args]


def measure(scene, view, surface, runs=None, earlier=None):
    """({name: value}, {key: basin map}): the scene's measurements for its completed ``view`` on ``surface``.
    Without ``runs`` only what the view determines (what the paragraph, question and answers quote)."""
    ctx = Context(view, surface, runs, earlier, {})
    values = {}
    for name, (fn, *args) in scene.measures:
        if runs is None and name not in STATIC[scene.id]:
            continue
        entry = MEASURES[fn]
        values[name] = entry.fn(ctx, *_resolve(entry.kind, args, values))
    return values, ctx.maps


def holds(condition, values):
    """Whether ``(name, op, other)`` holds for the measured ``values`` (an ordering with None never holds)."""
    name, op, other = condition
    left, right = values[name], values.get(other, other) if isinstance(other, str) else other
    if (left is None or right is None) and op not in ("==", "!="):
        return False
    return OPS[op](left, right)


def shown(value):
    """A measurement as the text shows it: whole numbers as they are, others to 3 significant digits, in plain
    decimals from 1e-5 to 1e6 and in e-notation beyond; negative numbers with a minus sign (−)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError(f"cannot quote {value!r}")
    if value < 0:
        return "\u2212" + shown(-value)
    if isinstance(value, int) or value == 0:
        return str(int(value))
    mantissa, power = f"{value:.2e}".split("e")
    exponent = int(power)
    if not -5 <= exponent < 6:
        return f"{mantissa.rstrip('0').rstrip('.')}e{exponent}"
    text = f"{float(mantissa + 'e' + power):.{max(0, 2 - exponent)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fill(template, values):
    """The template's parts with every placeholder filled: a list of (text, name or None); ValueError naming a
    measurement that has no value (None, as a settling step of a run that did not settle)."""
    parts, at = [], 0
    for m in PLACEHOLDER.finditer(template):
        if m.start() > at:
            parts.append((template[at:m.start()], None))
        name = m.group(1)
        if values.get(name) is None:
            raise ValueError(f"measurement {name!r} has no value to quote")
        parts.append((shown(values[name]), name))
        at = m.end()
    if at < len(template):
        parts.append((template[at:], None))
    return parts


def text(parts):
    """The filled parts as one string."""
    return "".join(t for t, _ in parts)


# ---- checking the scenes ---------------------------------------------------------------------------------------
RESERVED = set(OUTCOMES)


def _static_names(scene, earlier):
    """The measurements computable from the view alone (``earlier``: those of the earlier lessons, by id)."""
    static = set()
    for name, (fn, *args) in scene.measures:
        kind = MEASURES[fn].kind
        if kind == "lesson" and args[1] in earlier[args[0]] or (
                kind in ("view", "derived") and all(r in static for r in _references(kind, args))):
            static.add(name)
    return static


def _templates(scene):
    return [("title", scene.title), ("paragraph", scene.paragraph), ("question", scene.question)] + \
        [(f"answer {i + 1}", a.text) for i, a in enumerate(scene.answers)] + [("reveal", scene.reveal)]


def _check_scene(i, scene, earlier_names, earlier_static):
    where = f"lesson {scene.id} ({scene.title})"
    if scene.id != i + 1:
        raise ValueError(f"{where}: ids run 1, 2, ... in order; expected {i + 1}")
    if not 2 <= len(scene.answers) <= 4 or not 0 <= scene.right < len(scene.answers):
        raise ValueError(f"{where}: 2 to 4 answers and the index of the right one")
    names = []
    for name, (fn, *args) in scene.measures:
        if name in names or name in RESERVED or fn not in MEASURES:
            raise ValueError(f"{where}: measurement {name!r} is a duplicate, a reserved word or calls an unknown "
                             f"function {fn!r}")
        entry = MEASURES[fn]
        if entry.takes_key and args[0] not in scene.view["enabled"]:
            raise ValueError(f"{where}: {name!r} measures {args[0]!r}, which the view does not enable")
        if fn == "lesson" and not (isinstance(args[0], int) and 0 < args[0] < scene.id
                                   and args[1] in earlier_names[args[0]]):
            raise ValueError(f"{where}: {name!r} quotes {args[1]!r} of lesson {args[0]}, not an earlier "
                             f"lesson's measurement")
        if not all(r in names for r in _references(entry.kind, args)):
            raise ValueError(f"{where}: {name!r} uses measurements not defined before it")
        names.append(name)
    static = _static_names(scene, earlier_static)
    for field, template in _templates(scene):
        used = set(PLACEHOLDER.findall(template))
        allowed = set(names) if field == "reveal" else static
        if used - allowed or PLACEHOLDER.sub("", template).count("{") or PLACEHOLDER.sub("", template).count("}"):
            raise ValueError(f"{where}: the {field} quotes {sorted(used - allowed) or 'a stray brace'}; it may "
                             f"quote {'any measurement' if field == 'reveal' else 'what the view determines'}")
    conditions = list(scene.checks) + [c for a in scene.answers for c in a.conditions]
    for name, op, other in conditions:
        if name not in names or op not in OPS or not (
                isinstance(other, (int, float)) and not isinstance(other, bool)
                or other in names or other in OUTCOMES):
            raise ValueError(f"{where}: bad condition {(name, op, other)!r}")
    return names


def _check_all():
    names, static = {}, {}
    for i, scene in enumerate(SCENES):
        names[scene.id] = _check_scene(i, scene, names, static)
        static[scene.id] = _static_names(scene, static)
    return static


STATIC = _check_all()
