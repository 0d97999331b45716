"""Lessons for the page: the list, one scene's question, and its reveal measured in the scene's own runs.

* ``catalog()``: id, title and topic of every lesson, in order;
* ``scene(lesson)``: its texts (paragraph, question, answers, filled from what the view determines) and its view,
  validated and completed by ``pycore.browser.share.validate_view``: what ``app.applyView`` shows;
* ``reveal(lesson)``: the scene run exactly as the page runs a view (``pycore.browser.runs.run_all``), measured
  (``pycore.lessons``), its reveal filled; with the index of the right answer, every measured value, whether each
  check held, and the basin maps the reveal quotes.

``lesson`` is the id (1 to N, as in ``#lesson=7``), a whole number or its text; anything else is a ValueError
naming the field and the ids there are. Reveals are computed once per lesson and kept (the scenes are constants).
"""
import functools

from .. import lessons as engine
from ..checks import check_whole
from ..optimizers import OPTIMIZERS
from ..specs import resolve_surface
from .runs import run_all
from .share import surface_spec, validate_view


def _id(lesson):
    return check_whole("lesson", lesson, 1, len(engine.SCENES))


def _view(scene):
    return validate_view(scene.view)


def run_scene(scene):
    """({key: Trajectory}, completed view, Surface): the scene's runs, as the page computes them for its view."""
    view = _view(scene)
    spec = surface_spec(view)
    trajs, errors = run_all(spec, view["start"], view["steps"], {k: view["hyperparams"][k] for k in view["enabled"]},
                            {"schedules": {k: v for k, v in view["schedules"].items() if k in view["enabled"]},
                             "noise": view["noise"], "seed": view["seed"], "max_grad_norm": view["max_grad_norm"]})
    if errors:
        key, message = next(iter(errors.items()))
        raise ValueError(f"lesson {scene.id}: {key}: {message}")
    return trajs, view, resolve_surface(spec)


@functools.lru_cache(maxsize=None)
def _static(lesson):
    scene = engine.SCENES[lesson - 1]
    view = _view(scene)
    values, _ = engine.measure(scene, view, resolve_surface(surface_spec(view)), earlier=_static)
    return values


@functools.lru_cache(maxsize=None)
def measured(lesson):
    """(values, basin maps) of lesson ``lesson`` (an int id), measured in its runs; cached."""
    scene = engine.SCENES[lesson - 1]
    trajs, view, surface = run_scene(scene)
    return engine.measure(scene, view, surface, trajs, earlier=lambda i: measured(i)[0])


def _parts(template, values):
    return [{"text": t, "measure": name} if name else {"text": t} for t, name in engine.fill(template, values)]


def catalog():
    """Every lesson's id, title and topic, in order."""
    return [{"id": s.id, "title": s.title, "topic": s.topic} for s in engine.SCENES]


def scene(lesson):
    """Lesson ``lesson``: its place (index, count), title, topic, paragraph, question, answers (texts) and its
    validated view."""
    lesson = _id(lesson)
    s = engine.SCENES[lesson - 1]
    values = _static(lesson)
    fill = lambda template: engine.text(engine.fill(template, values))
    return {"id": s.id, "index": lesson, "count": len(engine.SCENES), "title": s.title, "topic": s.topic,
            "paragraph": fill(s.paragraph), "question": fill(s.question), "answers": [fill(a.text) for a in s.answers],
            "view": _view(s)}


def reveal(lesson):
    """Lesson ``lesson``'s reveal: ``text`` (filled), ``parts`` (the same text as pieces, each measured number
    tagged with its measurement's name), ``right`` (index of the right answer), ``values`` (every measurement),
    ``checks`` (each condition the reveal relies on, with whether it held) and ``maps`` (the basin maps the
    reveal quotes, by optimizer key, with the optimizer's display ``name``)."""
    lesson = _id(lesson)
    s = engine.SCENES[lesson - 1]
    values, maps = measured(lesson)
    parts = _parts(s.reveal, values)
    return {"id": s.id, "text": "".join(p["text"] for p in parts), "parts": parts, "right": s.right,
            "values": dict(values),
            "checks": [{"condition": list(c), "holds": engine.holds(c, values)} for c in s.checks],
            "maps": {key: {"name": OPTIMIZERS[key].name,
                           **{k: m[k] for k in ("optimizer", "nx", "ny", "bounds", "outcomes", "minima", "steps")}}
                     for key, m in maps.items()}}
