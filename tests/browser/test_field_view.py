"""The update field on the page: the Field toggle draws pycore's two fields under the paths for the inspected
optimizer, follows the step and the optimizer, asks the worker one request at a time, refuses bad requests in
words, and reads on a phone. Numbers drawn are compared with pycore.browser.field on CPython.

These tests use a page of their own (``fpage``), not the session's shared ``app``, whose opening state other
test files expect."""
import math

import pytest

import pycore
from pycore.browser import field as browser_field

from pagekit import enable_only, hover_dot, reset, settle, shot, state

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def fpage(server, open_page):
    page, _ = open_page(server + "index.html", width=1280, height=900)
    yield page
    page.close()


def field_state(page):
    return page.evaluate("optviz.idle().then(() => optviz.field())")


def field_on(page):
    if page.get_by_role("button", name="Field").get_attribute("aria-pressed") != "true":
        page.get_by_role("button", name="Field").click()
    settle(page)
    page.wait_for_function("optviz.field().drawn && optviz.field().drawn.field")
    return field_state(page)


def field_off(page):
    if page.get_by_role("button", name="Field").get_attribute("aria-pressed") == "true":
        page.get_by_role("button", name="Field").click()


def cpython_field(st, key, step, nx, ny):
    r = st["runs"][key]
    hp = {k: tuple(v) if isinstance(v, list) else v for k, v in r["hyperparams"].items()}
    t = pycore.run(key, st["surface"], start=tuple(st["start"]), steps=st["steps"], **hp)
    return browser_field.field(t, st["surface"], step, nx, ny)


def assert_same_numbers(got, want):
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12)


def path_ds(page):
    return page.eval_on_selector_all("#plot .field-layer path", "ps => ps.map(p => p.getAttribute('d') || '')")


def test_field_draws_both_fields_for_the_inspected_optimizer_and_follows_the_step(fpage):
    page = fpage
    reset(page)
    page.evaluate("optviz.clickAt(-1.5, 2.5, {play: false}).then(() => optviz.setStep(30))")
    enable_only(page, "SGD", "Momentum", "Adam")
    hover_dot(page, "momentum")
    page.locator("#inspector").wait_for(state="visible")
    f = field_on(page)
    assert f["chosen"] == "momentum" and page.locator("#field-opt").input_value() == "momentum"
    drawn = f["drawn"]["field"]
    nx, ny = f["wanted"]["nx"], f["wanted"]["ny"]
    assert drawn["optimizer"] == "momentum" and (drawn["step"], drawn["next"]) == (30, 31)
    assert 2 <= nx <= browser_field.MAX_SIDE and len(drawn["arrows"]) == nx * ny
    # Both fields are drawn, one arrow per grid point each (a stem "M..L.." then its head), and the run's own one.
    grad, upd = (page.locator(f"#plot .field-layer path.{c}").get_attribute("d") for c in ("field-grad", "field-upd"))
    assert grad.count("M") >= 2 * nx * ny and upd.count("M") >= 2 * nx * ny
    assert page.locator("#plot .field-layer path.field-here").count() == 1
    assert not any("NaN" in d or "Infinity" in d for d in path_ds(page))
    # The numbers behind the arrows are pycore's, and the bold one at the dot is the run's next step.
    st = state(page)
    want = cpython_field(st, "momentum", 30, nx, ny)
    for got_row, want_row in zip(drawn["arrows"], want["arrows"]):
        assert_same_numbers(got_row, want_row)
    assert_same_numbers(drawn["here"], want["here"])
    p = st["runs"]["momentum"]["points"]
    assert_same_numbers(drawn["here"][4:], [p[31][0] - p[30][0], p[31][1] - p[30][1]])
    assert drawn["scale"] == pytest.approx(want["scale"], rel=1e-9)
    # The first grid arrow of each field is drawn from its point, along pycore's vector, at the scale's length.
    s, px = drawn["scale"], f["drawn"]["px"]
    g = page.evaluate("optviz.geometry()")
    frame = page.locator("#plot rect.frame")
    left, top = float(frame.get_attribute("x")), float(frame.get_attribute("y"))
    assert px["min"] < px["max"] < min(g["width"] / nx, g["height"] / ny)
    for (x0, y0, x1, y1), c in zip(f["drawn"]["first"], (2, 4)):
        row = drawn["arrows"][0]
        vx, vy = row[c], row[c + 1]
        assert (x0 - left, y0 - top) == pytest.approx(((row[0] - g["bounds"][0][0]) * g["pxPerUnit"],
                                                              (g["bounds"][1][1] - row[1]) * g["pxPerUnit"]))
        assert math.atan2(-(y1 - y0), x1 - x0) == pytest.approx(math.atan2(vy, vx), abs=1e-9)
        t = min(1, max(0, 1 + math.log10(math.hypot(vx, vy) / s["top"]) / s["decades"]))
        assert math.hypot(x1 - x0, y1 - y0) == pytest.approx(px["min"] + (px["max"] - px["min"]) * t, rel=1e-9)
    key = page.locator("#field-key").inner_text()
    assert "at step 30: what its step 31 would do" in key and "Momentum's step from there" in key
    assert f"η = {drawn['lr']:g}" in key and "Length on a log scale" in key
    # Another step: new update arrows (the buffer changed), the same gradient steps.
    before = upd
    page.get_by_role("button", name="Step forward").click()
    page.wait_for_function("optviz.field().drawn && optviz.field().drawn.field.step === 31")
    f31 = field_state(page)["drawn"]["field"]
    assert page.locator("#plot .field-layer path.field-upd").get_attribute("d") != before
    assert [r[4:] for r in f31["arrows"]] != [r[4:] for r in drawn["arrows"]]
    assert [r[:4] for r in f31["arrows"]] == [r[:4] for r in drawn["arrows"]]
    assert "at step 31: what its step 32 would do" in page.locator("#field-key").inner_text()
    shot(page, "field-01-momentum")
    # The field sits under the paths and above the contour bands.
    order = page.eval_on_selector_all("#plot > g", "gs => gs.map(g => g.getAttribute('class') || '')")
    assert order.index("field-layer") < len(order) - 1
    assert page.evaluate("""() => {
        const layer = document.querySelector('#plot .field-layer');
        const bands = document.querySelector('#plot .bands'), path = document.querySelector('#plot path.path');
        const before = (a, b) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
        return before(bands, layer) && before(layer, path);
    }""")
    page.mouse.move(5, 5)
    field_off(page)
    assert page.locator("#plot .field-layer path").count() == 0 and page.locator("#field-key").is_hidden()


def test_the_optimizer_is_chosen_in_the_key_and_sgd_steps_along_the_gradient(fpage):
    page = fpage
    reset(page)
    page.evaluate("optviz.clickAt(0.5, 2.5, {play: false}).then(() => optviz.setStep(12))")
    field_on(page)
    page.locator("#field-opt").select_option("sgd")
    page.wait_for_function("optviz.field().drawn && optviz.field().drawn.field.optimizer === 'sgd'")
    drawn = field_state(page)["drawn"]["field"]
    for x, y, dx, dy, ux, uy in drawn["arrows"]:       # SGD's step is the gradient step, to θ's rounding
        assert (ux, uy) == pytest.approx((dx, dy), rel=1e-9, abs=1e-12 * max(1.0, abs(x), abs(y)))
    page.locator("#field-opt").select_option("adam")
    page.wait_for_function("optviz.field().drawn && optviz.field().drawn.field.optimizer === 'adam'")
    assert page.locator("#plot .field-layer path.field-upd").get_attribute("stroke") == pycore.OPTIMIZERS["adam"].color
    # Gradient noise is not in the field, and the key says so.
    page.locator("#noise-on").check()
    page.wait_for_function("optviz.state().options.noise > 0")
    page.wait_for_function("document.getElementById('field-notes').textContent.includes('Gradient noise is not')")
    page.locator("#noise-on").uncheck()
    page.wait_for_function("optviz.state().options.noise === 0")
    # Hiding the chosen optimizer moves the field to one that is shown; with none shown, the key says what to do.
    page.get_by_role("button", name="Adam", exact=True).click()
    page.wait_for_function("optviz.field().drawn && optviz.field().drawn.field.optimizer !== 'adam'")
    assert field_state(page)["chosen"] in state(page)["enabled"]
    page.get_by_role("button", name="None", exact=True).click()
    assert "turn an optimizer on in the legend" in page.locator("#field-key").inner_text()
    assert page.locator("#plot .field-layer path").count() == 0
    page.get_by_role("button", name="All", exact=True).click()
    field_off(page)


def test_bad_field_requests_are_refused_in_words(fpage):
    page = fpage
    reset(page)
    ask = "(args) => optviz.python('field', args).then(() => 'answered', (e) => e.message)"
    base = {"race_id": page.evaluate("optviz.field().wanted.race_id"), "key": "adam", "step": 3}
    assert page.evaluate(ask, {**base, "nx": 5, "ny": 5}) == "answered"
    assert page.evaluate(ask, {**base, "nx": 40, "ny": 5}) == \
        "field grid columns must be a whole number from 2 to 25; got 40"
    assert page.evaluate(ask, {**base, "nx": 5, "ny": "x"}) == \
        "field grid rows must be a whole number from 2 to 25; 'x' is not a number"
    assert page.evaluate(ask, {**base, "step": -2, "nx": 5, "ny": 5}).startswith("step must be a whole number from 0")
    assert page.evaluate(ask, {**base, "key": "nope", "nx": 5, "ny": 5}) == "no run of 'nope' is shown"


def test_the_field_follows_playback_and_ends_on_the_last_step(fpage):
    """While playing, one request at a time: the field skips steps rather than queue them, and catches up."""
    page = fpage
    reset(page)
    page.evaluate("optviz.clickAt(-1.0, 1.5, {play: false}).then(() => optviz.setStep(0))")
    field_on(page)
    page.evaluate("""() => { window.fieldSteps = new Set(); window.fieldWatch = setInterval(() => {
        const d = optviz.field().drawn; if (d && d.field) window.fieldSteps.add(d.field.step); }, 10); }""")
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("!optviz.state().playing", timeout=60_000)
    page.wait_for_function("optviz.field().drawn && optviz.field().drawn.field.step === optviz.state().steps")
    seen = page.evaluate("clearInterval(window.fieldWatch), [...window.fieldSteps]")
    assert len(seen) > 3 and seen == sorted(seen)
    f = field_state(page)
    assert f["inFlight"] is None and f["drawn"]["id"] == f["wanted"]["id"]
    field_off(page)


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_screenshots_and_a_phone(open_page, server, width, height):
    page, _ = open_page(server + "index.html", width=width, height=height)
    page.evaluate("optviz.pause()")
    f = field_on(page)                      # on the opening view: the worker runs it first, then answers
    assert f["drawn"]["field"]["arrows"]
    page.evaluate("optviz.setStep(40)")
    page.wait_for_function("optviz.field().drawn && optviz.field().drawn.field.step === 40")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    box = page.locator("#field-key").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    nx = field_state(page)["wanted"]["nx"]
    assert nx >= 8                          # a phone still gets a readable grid
    shot(page, f"field-02-opening-{width}")
    page.close()
