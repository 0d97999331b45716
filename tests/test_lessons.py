"""Guided lessons: every scene runs the way the page runs it, every reveal is true for its run, the right answer is
the one the measurements support, and no text quotes a number that was typed rather than measured."""
import json
import re

import pytest

from pycore import lessons as L
from pycore.browser import lessons as B
from pycore.browser.share import validate_view

IDS = [s.id for s in L.SCENES]
# The issue's list of topics; each must have at least one lesson.
TOPICS = ("Learning rate: too small", "Learning rate: about right", "Learning rate: too large (divergence)",
          "Ill-conditioning and SGD's zigzag", "Momentum: overshoot and speed-up", "Nesterov vs momentum",
          "AdaGrad's decaying step", "RMSProp's fix", "Adam's bias correction", "Adam + L2 vs AdamW",
          "Escaping a saddle", "Local minima and the basin map", "Gradient noise and batch size",
          "A warm-up schedule", "Lion's sign update")
TYPED_NUMBER = re.compile(r"(?<![A-Za-z_])\d")   # a digit not inside a name such as L2


def _json(value):
    return json.loads(json.dumps(value, allow_nan=False))


def test_catalog_lists_every_lesson_in_order():
    cat = B.catalog()
    assert len(cat) >= 10
    assert [c["id"] for c in cat] == list(range(1, len(cat) + 1))
    assert all(c["title"] and c["topic"] for c in cat)
    assert _json(cat) == cat


def test_every_topic_of_the_issue_has_a_lesson():
    assert set(TOPICS) <= {s.topic for s in L.SCENES}
    assert {s.topic for s in L.SCENES} <= set(TOPICS)


@pytest.mark.parametrize("lesson", IDS)
def test_the_reveal_is_true_for_the_run_and_the_right_answer_is_the_one_it_supports(lesson):
    scene = L.SCENES[lesson - 1]
    values, _ = B.measured(lesson)
    failed = [c for c in scene.checks if not L.holds(c, values)]
    assert not failed, f"lesson {lesson}: checks fail: " + "; ".join(
        f"{n} {op} {o} (measured {values[n]!r} vs {values.get(o, o) if isinstance(o, str) else o!r})"
        for n, op, o in failed)
    supported = [i for i, a in enumerate(scene.answers) if all(L.holds(c, values) for c in a.conditions)]
    assert supported == [scene.right], f"lesson {lesson}: the runs support answers {supported}, not {scene.right}"


@pytest.mark.parametrize("lesson", IDS)
def test_the_reveal_is_filled_with_the_measured_numbers(lesson):
    r = B.reveal(lesson)
    assert _json(r) == r
    assert "{" not in r["text"] and "}" not in r["text"]
    assert r["text"] == "".join(p["text"] for p in r["parts"])
    scene = L.SCENES[lesson - 1]
    quoted = set(L.PLACEHOLDER.findall(scene.reveal))
    assert quoted == {p["measure"] for p in r["parts"] if "measure" in p}
    for p in r["parts"]:
        if "measure" in p:
            assert p["text"] == L.shown(r["values"][p["measure"]])
    assert r["right"] == scene.right and all(c["holds"] for c in r["checks"])


@pytest.mark.parametrize("lesson", IDS)
def test_the_scene_is_a_valid_view_with_texts_filled_from_it(lesson):
    s = B.scene(lesson)
    assert _json(s) == s
    assert s["view"] == validate_view(s["view"]) == validate_view(L.SCENES[lesson - 1].view)
    assert s["view"]["step"] == 0 and s["view"]["enabled"]
    assert (s["index"], s["count"]) == (lesson, len(L.SCENES))
    assert 2 <= len(s["answers"]) <= 4
    for text in [s["paragraph"], s["question"], *s["answers"]]:
        assert text and "{" not in text and "}" not in text


@pytest.mark.parametrize("lesson", IDS)
def test_no_text_quotes_a_typed_number(lesson):
    scene = L.SCENES[lesson - 1]
    for field, template in L._templates(scene):
        bare = L.PLACEHOLDER.sub("", template)
        assert not TYPED_NUMBER.search(bare), f"lesson {lesson} {field}: a typed number in {bare!r}"


def test_the_runs_are_the_pages_runs():
    """run_scene is run_all on the scene's view: the same trajectories the page draws for that view."""
    from pycore.browser.runs import run_all
    from pycore.browser.share import surface_spec
    for lesson in (3, 14, 17):
        scene = L.SCENES[lesson - 1]
        trajs, view, _ = B.run_scene(scene)
        again, errors = run_all(surface_spec(view), view["start"], view["steps"],
                                {k: view["hyperparams"][k] for k in view["enabled"]},
                                {"schedules": view["schedules"], "noise": view["noise"], "seed": view["seed"],
                                 "max_grad_norm": view["max_grad_norm"]})
        assert not errors and set(trajs) == set(view["enabled"])
        assert all(trajs[k].points == again[k].points for k in trajs)


def test_basin_lesson_returns_its_maps():
    r = B.reveal(13)
    assert set(r["maps"]) == {"sgd", "momentum"}
    for key, m in r["maps"].items():
        assert m["nx"] == m["ny"] == L.BASIN_GRID and len(m["outcomes"]) == L.BASIN_GRID ** 2
        share = 100 * sum(1 for v in m["outcomes"] if v is not None and v >= 0 and m["minima"][v]["is_global"])
        assert share / L.BASIN_GRID ** 2 == pytest.approx(r["values"]["s_share" if key == "sgd" else "m_share"])


@pytest.mark.parametrize("bad", [0, 99, -1, "abc", "", None, True, 2.5, [3], {"id": 1}])
def test_an_unknown_lesson_is_refused_with_a_message(bad):
    for fn in (B.scene, B.reveal):
        expected = rf"lesson (must be|is empty: enter) a whole number from 1 to {len(L.SCENES)}"
        with pytest.raises(ValueError, match=expected):
            fn(bad)


def test_an_id_may_come_as_text_from_the_hash():
    assert B.scene("7")["id"] == 7 and B.reveal(" 7 ")["id"] == 7


def _mutated(lesson, **changes):
    """The lesson's verdict on a changed scene: whether every check and the right answer still hold."""
    scene = L.SCENES[lesson - 1]._replace(**changes)
    trajs, view, surface = B.run_scene(scene)
    values, _ = L.measure(scene, view, surface, trajs, earlier=lambda i: B.measured(i)[0])
    return (all(L.holds(c, values) for c in scene.checks)
            and all(L.holds(c, values) for c in scene.answers[scene.right].conditions))


def test_a_change_that_breaks_a_lessons_point_fails_its_checks():
    """The checks have teeth: the same scene with settings that undo its point no longer passes."""
    assert _mutated(3)
    assert not _mutated(3, view=L.view(L.QUADRATIC, L.QUADRATIC_START, 200, {"sgd": {"lr": 0.07}}))
    assert not _mutated(10, view=L.view(L.QUADRATIC, L.QUADRATIC_START, 200, {"adam": {"lr": 0.05}}))
    no_warm_up = {"name": "warmup_cosine", "start_factor": 1.0, "total_iters": 1, "T_max": 99}
    assert not _mutated(17, view={**L.SCENES[16].view, "schedules": {"sgd": no_warm_up}})
    assert not _mutated(15, view={**L.SCENES[14].view, "data": {"dataset": "linreg", "batch_size": 4, "seed": 1}})


def test_a_lesson_that_continues_the_last_one_shows_the_same_surface_and_start():
    """The texts of these lessons compare with the lesson before ("the last lesson", "the same start")."""
    for lesson in (2, 3, 10, 15, 17):
        this, last = L.SCENES[lesson - 1].view, L.SCENES[lesson - 2].view
        assert (this["surface"], this["start"]) == (last["surface"], last["start"]), lesson


def test_every_measurement_is_quoted_checked_or_used():
    """No dead data: each measurement appears in a text or a condition, feeds another one, or a later lesson
    quotes it."""
    later = {(a[0], a[1]) for s in L.SCENES for _, (fn, *a) in s.measures if fn == "lesson"}
    for s in L.SCENES:
        used = {n for _, t in L._templates(s) for n in L.PLACEHOLDER.findall(t)}
        used |= {x for c in list(s.checks) + [c for a in s.answers for c in a.conditions] for x in (c[0], c[2])
                 if isinstance(x, str)}
        used |= {r for _, (fn, *a) in s.measures for r in L._references(L.MEASURES[fn].kind, a)}
        assert [n for n, _ in s.measures if n not in used and (s.id, n) not in later] == [], s.id


def test_every_measurement_function_is_used_by_some_lesson():
    used = {fn for s in L.SCENES for _, (fn, *_) in s.measures}
    assert used == set(L.MEASURES)


def _broken(**changes):
    return L.SCENES[1]._replace(**changes)


@pytest.mark.parametrize("changes, message", [
    ({"id": 5}, "ids run"),
    ({"right": 3}, "2 to 4 answers"),
    ({"answers": (L.Answer("only one", ()),), "right": 0}, "2 to 4 answers"),
    ({"measures": (("lr", ("nonsense",)),)}, "unknown function"),
    ({"measures": (("global", ("steps",)),)}, "reserved"),
    ({"measures": (("x", ("outcome", "adam")),)}, "does not enable"),
    ({"measures": (("x", ("lesson", 5, "lr")),)}, "not an earlier"),
    ({"measures": (("x", ("ratio", "a", "b")),)}, "not defined before"),
    ({"question": "{settled}?"}, "the question quotes"),
    ({"reveal": "{nothing}"}, "the reveal quotes"),
    ({"reveal": "a stray { brace"}, "stray brace"),
    ({"checks": (("settled", "~", 3),)}, "bad condition"),
    ({"checks": (("settled", "<", "no such thing"),)}, "bad condition"),
])
def test_bad_scene_data_is_refused_naming_the_problem(changes, message):
    with pytest.raises(ValueError, match=message):
        L._check_scene(1, _broken(**changes), {1: ["lr", "gap_x", "steps"]}, {1: {"lr", "steps"}})


def test_numbers_are_shown_to_three_significant_digits():
    cases = {1000.0: "1000", 0.000874: "0.000874", 1.09e-9: "1.09e-9", 25.000000001: "25", -2.8: "\u22122.8",
             200: "200", 123456.0: "123000", 0.0099: "0.0099", 99.96: "100", 0.0: "0"}
    assert {v: L.shown(v) for v in cases} == cases


def test_a_measurement_without_a_value_cannot_be_quoted():
    with pytest.raises(ValueError, match="'settled' has no value"):
        L.fill("settled at {settled}", {"settled": None})


def test_an_ordering_with_no_value_never_holds():
    assert not L.holds(("a", "<", "b"), {"a": None, "b": 3})
    assert not L.holds(("a", ">=", 3), {"a": None})
    assert L.holds(("a", "!=", "diverged"), {"a": "budget"})
