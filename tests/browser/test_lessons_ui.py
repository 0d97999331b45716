"""The lessons panel (web/lessons.js) in a harness page under the page's Content-Security-Policy, with a stand-in
app whose calls are answered by pycore.browser.lessons itself: Play only after a prediction, the reveal quotes the
numbers reveal(id) measured, Previous/Next and the #lesson= hash, unknown ids refused with pycore's message, the
keyboard, a phone's width; and screenshots of every lesson's question and reveal for a person to look at."""
import json

import pytest

from pagekit import ROOT, shot
from pycore.browser import lessons as B

pytestmark = pytest.mark.browser
HARNESS = "tests/browser/lessons_harness.html"
CALLS = {"lessons": B.catalog, "lesson": B.scene, "lesson_reveal": B.reveal}
COUNT = len(B.catalog())


def _answer(route):
    """The worker's answer to app.call(name, args): {"ok": result} or {"error": pycore's ValueError text}."""
    name = route.request.url.rsplit("/", 1)[1]
    try:
        body = {"ok": CALLS[name](**json.loads(route.request.post_data or "{}"))}
    except ValueError as e:
        body = {"error": str(e)}
    route.fulfill(status=200, content_type="application/json", body=json.dumps(body, allow_nan=False))


@pytest.fixture
def harness(server, open_page):
    """harness(hash="", width=1280, height=900) -> page: the harness loaded with its calls answered by pycore."""
    def opener(hash="", width=1280, height=900):
        page, _ = open_page(server + "tests/browser/lessons_harness.css", width=width, height=height, wait=False)
        page.route("**/lessons-api/*", _answer)   # before the harness starts asking
        page.goto(server + HARNESS + hash)
        page.wait_for_function("document.documentElement.dataset.ready === 'true'")
        return page
    return opener


def _title(page):
    return page.locator(".lesson-title")


def _wait_lesson(page, lesson):
    page.wait_for_function("(t) => document.querySelector('.lesson-title')?.textContent === t",
                           arg=B.scene(lesson)["title"])


def _wait_ready_to_play(page):
    page.wait_for_function("document.querySelector('.lesson-hint').textContent.startsWith('Now press Play')")


def _pick(page, lesson, index):
    page.get_by_label(B.scene(lesson)["answers"][index], exact=True).check()


def _play_to_end(page):
    page.get_by_role("button", name="Play", exact=True).click()
    page.evaluate("harness.emit('ended')")
    page.locator(".lesson-reveal-text").wait_for()


def _hash(page):
    return page.evaluate("location.hash")


def test_play_is_offered_only_after_an_answer_is_picked(harness):
    page = harness("#lesson=1")
    _wait_lesson(page, 1)
    play = page.get_by_role("button", name="Play", exact=True)
    assert play.is_disabled()
    assert page.locator(".lesson-hint").text_content() == "Pick an answer first: predict, then see."
    assert page.evaluate("harness.listening('ended')") == 0
    page.evaluate("harness.emit('ended')")            # playback ending before a prediction reveals nothing
    assert page.locator(".lesson-reveal").text_content() == ""
    _pick(page, 1, 0)
    _wait_ready_to_play(page)
    assert play.is_enabled()
    play.click()
    assert "play" in page.evaluate("harness.log")
    assert page.locator(".lesson-answers input:enabled").count() == 0      # the prediction is locked in
    assert page.locator(".lesson-reveal").text_content() == ""             # nothing until the run ends
    assert page.evaluate("harness.listening('ended')") == 1
    page.evaluate("harness.emit('ended')")
    page.locator(".lesson-reveal-text").wait_for()
    assert page.evaluate("harness.listening('ended')") == 0
    assert page.get_by_role("button", name="Play again").is_visible()


def test_the_reveal_quotes_the_numbers_pycore_measured(harness):
    page = harness("#lesson=13")
    _wait_lesson(page, 13)
    r, s = B.reveal(13), B.scene(13)
    wrong = next(i for i in range(len(s["answers"])) if i != r["right"])
    _pick(page, 13, wrong)
    _wait_ready_to_play(page)
    _play_to_end(page)
    assert page.locator(".lesson-reveal-text").text_content() == r["text"]
    numbers = page.locator(".lesson-reveal-text .lesson-num").all_text_contents()
    assert numbers == [p["text"] for p in r["parts"] if "measure" in p]
    verdict = page.locator(".lesson-verdict").text_content()
    assert s["answers"][r["right"]] in verdict and f"You picked: {s['answers'][wrong]}" in verdict
    assert page.locator("canvas.lesson-basin").count() == len(r["maps"]) == 2
    assert page.locator(".lesson-reveal").get_attribute("aria-live") == "polite"

    page = harness("#lesson=1")
    _wait_lesson(page, 1)
    _pick(page, 1, B.reveal(1)["right"])
    _wait_ready_to_play(page)
    _play_to_end(page)
    assert page.locator(".lesson-verdict").text_content().startswith("Well predicted: ")


def test_next_previous_and_the_hash(harness):
    page = harness("#lesson=1")
    _wait_lesson(page, 1)
    entries = page.evaluate("history.length")
    assert page.locator(".lesson-count").text_content() == f"Lesson 1 of {COUNT} · {B.scene(1)['topic']}"
    assert page.get_by_role("button", name="← Previous").is_disabled()
    page.get_by_role("button", name="Next →").click()
    _wait_lesson(page, 2)
    assert _hash(page) == "#lesson=2"
    assert page.evaluate("harness.lessons.current()") == 2
    assert page.evaluate("document.activeElement.className") == "lesson-title"
    page.get_by_role("button", name="← Previous").click()
    _wait_lesson(page, 1)
    assert _hash(page) == "#lesson=1"
    assert page.evaluate("history.length") == entries      # progress replaces the address, adds no entries
    page.evaluate(f"harness.lessons.open({COUNT})")
    _wait_lesson(page, COUNT)
    assert page.get_by_role("button", name="Next →").is_disabled() and _hash(page) == f"#lesson={COUNT}"
    page.evaluate("location.hash = '#lesson=7'")        # a link to lesson 7 followed in the open page
    _wait_lesson(page, 7)
    assert _hash(page) == "#lesson=7"
    applied = [e for e in page.evaluate("harness.log") if e.startswith("applyView")]
    assert len(applied) == 5


def test_an_unknown_lesson_gives_a_message_and_no_change(harness):
    page = harness("#lesson=5")
    _wait_lesson(page, 5)
    page.evaluate("location.hash = '#lesson=99'")
    notice = page.locator(".lesson-notice")
    notice.wait_for()
    assert notice.text_content() == f"There is no such lesson: lesson must be a whole number from 1 to {COUNT}; got 99."
    assert _title(page).text_content() == B.scene(5)["title"] and _hash(page) == "#lesson=5"
    assert page.evaluate("harness.lessons.current()") == 5

    page = harness("#lesson=abc")                      # a bad link on arrival: the list of lessons, and why
    page.locator(".lesson-notice").wait_for()
    assert "'abc' is not a number" in page.locator(".lesson-notice").text_content()
    assert page.locator(".lesson-index").is_visible() and _hash(page) == ""
    page.locator(".lesson-index-item").first.wait_for()
    assert page.locator(".lesson-index-item").all_text_contents() == [c["title"] for c in B.catalog()]


def test_explore_leaves_for_the_playground_and_the_list_reopens_lessons(harness):
    page = harness("#lesson=4")
    _wait_lesson(page, 4)
    page.get_by_role("button", name="Explore this scene freely").click()
    assert page.evaluate("harness.log")[-1] == "toPlayground"
    assert _hash(page) == "" and page.evaluate("harness.lessons.current()") is None
    page.get_by_role("button", name=B.catalog()[8]["title"]).click()
    _wait_lesson(page, 9)
    assert _hash(page) == "#lesson=9"


def test_a_lesson_works_from_the_keyboard(harness):
    page = harness("#lesson=2")
    _wait_lesson(page, 2)
    page.get_by_label(B.scene(2)["answers"][0], exact=True).focus()
    page.keyboard.press("ArrowDown")                   # radios: arrows move the choice
    assert page.get_by_label(B.scene(2)["answers"][1], exact=True).is_checked()
    _wait_ready_to_play(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Play"
    page.keyboard.press("Enter")
    assert page.evaluate("harness.log")[-1] == "play"


def test_readable_on_a_phone(harness):
    page = harness("#lesson=11", width=390, height=844)
    _wait_lesson(page, 11)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    for el in page.locator(".lesson button:visible, .lesson label:visible").all():
        box = el.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, el.text_content()


def test_the_module_writes_no_html_and_no_inline_style():
    source = (ROOT / "web" / "lessons.js").read_text()
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", ".style", "setAttribute(\"style",
                   "eval(", "new Function"):
        assert banned not in source, banned


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_screenshots_of_every_lesson(harness, width, height):
    """Every lesson's question (an answer picked) and its reveal, into tests/artifacts/ for a person to look at.
    Odd lessons are answered right, even ones wrong, so both verdicts are seen."""
    page = harness("#lesson=1", width=width, height=height)
    for lesson in range(1, COUNT + 1):
        if lesson > 1:
            page.get_by_role("button", name="Next →").click()
        _wait_lesson(page, lesson)
        right = B.reveal(lesson)["right"]
        pick = right if lesson % 2 else (right + 1) % len(B.scene(lesson)["answers"])
        _pick(page, lesson, pick)
        _wait_ready_to_play(page)
        shot(page, f"lesson-{lesson:02d}-question-{width}")
        _play_to_end(page)
        assert page.locator(".lesson-reveal-text").text_content() == B.reveal(lesson)["text"]
        shot(page, f"lesson-{lesson:02d}-reveal-{width}")
