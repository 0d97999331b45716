"""The page tells the truth at a glance: the opening view, outcome badges, the runs table, markers that can be seen
and told apart, the inspector everywhere, the 3-D view and the lessons in the real page, and the phone layout.

One page load for most of these (``app``); screenshots go to tests/artifacts/ for a person to look at.
"""
import pytest

import pycore
from pycore.browser import lessons as browser_lessons, static

from pagekit import enable_only, reset, settle, shot, state, wait_ready
from test_page import open_panel, screen

pytestmark = pytest.mark.browser


def set_text(page, name, label, value):
    box = open_panel(page, name).get_by_label(f"{label} value", exact=True)
    box.fill(value)
    box.press("Enter")
    settle(page)


# ---- the opening view ------------------------------------------------------------------------------------------
def test_the_opening_view_plays_from_step_zero_with_presets_labelled(server, open_page):
    page, _ = open_page(server + "index.html", wait=False)
    page.wait_for_function("document.documentElement.dataset.painted === 'true'")
    first = page.evaluate("optviz.state()")
    if not first["ready"]:      # while Python starts, the whole race is shown, still (animating it slowed the start)
        assert first["step"] == first["steps"] and not first["playing"]
        assert page.locator("#plot-status").inner_text().count("plays from the start once Python is ready")
    wait_ready(page)
    played = page.evaluate("optviz.state()")
    assert played["playing"] and played["step"] < 60, "once Python is ready, the race plays from step 0"
    page.wait_for_function(f"optviz.state().step > {played['step']}")
    st = state(page)
    view = static.default_view()
    assert st["enabled"] == view["enabled"] and st["presetMode"]
    rows = page.locator(".legend .lr .tag").all_inner_texts()
    assert len(rows) == len(view["preset"]) and all(t.lower() == "preset" for t in rows)
    assert page.locator("#preset-rule").is_visible() and "times as long" in page.locator("#preset-rule").inner_text()
    page.close()


# ---- outcomes -------------------------------------------------------------------------------------------------
def test_each_outcome_gets_its_own_badge(app):
    page = app
    reset(page, "saddle")
    enable_only(page, "SGD", "Adam")
    set_text(page, "SGD", "lr", "0.1")
    page.evaluate("optviz.clickAt(-1.9, 0, {play: false})")     # on the stable line: SGD stops at the saddle
    st = state(page)
    assert st["runs"]["sgd"]["outcome"] == "stalled" and "saddle" in st["runs"]["sgd"]["reason"]
    badge = page.locator('.legend li[data-key="sgd"] .badge.outcome')
    assert badge.get_attribute("data-outcome") == "stalled" and "converged" not in badge.inner_text().lower()
    page.evaluate("optviz.clickAt(-1.9, 0.3, {play: false})")   # off it: SGD slides off the saddle for ever
    assert state(page)["runs"]["sgd"]["outcome"] == "diverged"
    reset(page, "two_wells")
    enable_only(page, "SGD", "Momentum")
    page.evaluate("optviz.clickAt(1.2, 1.2, {play: false})")
    st = state(page)
    seen = {st["runs"][k]["outcome"] for k in ("sgd", "momentum")}
    looks = {}
    for key in ("sgd", "momentum"):
        b = page.locator(f'.legend li[data-key="{key}"] .badge.outcome')
        looks[b.get_attribute("data-outcome")] = (b.evaluate("n => getComputedStyle(n).backgroundColor"),
                                                  b.locator(".sym").inner_text())
    assert seen <= {"global", "local", "budget"}
    if len(looks) == 2:                  # two outcomes: two colours and two symbols
        (c1, s1), (c2, s2) = looks.values()
        assert c1 != c2 and s1 != s2
    if "local" in seen:
        key = next(k for k in ("sgd", "momentum") if st["runs"][k]["outcome"] == "local")
        assert "f = " in page.locator(f'.legend li[data-key="{key}"] .badge.outcome').inner_text()
    shot(page, "truth-outcomes")


# ---- the runs table ---------------------------------------------------------------------------------------------
def test_the_runs_table_follows_the_step_sorts_and_ends_at_pycores_figures(app):
    page = app
    reset(page, "himmelblau")
    enable_only(page, "SGD", "Adam", "RMSProp")
    page.evaluate("optviz.clickAt(0.5, 0.5, {play: false})")
    st = state(page)
    table = page.locator("#stats")
    rows = table.locator("tbody tr")
    assert rows.count() == 3
    page.evaluate("optviz.setStep(10)")
    adam10 = table.locator('tbody tr[data-key="adam"] td').nth(2).inner_text()
    want = st["runs"]["adam"]["losses"][10]
    assert float(adam10) == pytest.approx(want, rel=1e-3)
    page.evaluate(f"optviz.setStep({st['steps']})")
    for key, run in st["runs"].items():
        cells = table.locator(f'tbody tr[data-key="{key}"] td').all_inner_texts()
        # f now equals f at end at the last step; "To min now" equals pycore's final distance there.
        assert cells[2] == cells[3]
        assert cells[4] == cells[5]
    table.get_by_role("button", name="f end").click()
    order = [r.get_attribute("data-key") for r in rows.all()]
    finals = [st["runs"][k]["losses"][-1] for k in order]
    assert finals == sorted(finals)
    shot(page, "truth-stats")


# ---- markers ---------------------------------------------------------------------------------------------------
def test_minima_tooltips_are_reachable_and_many_minima_are_quiet(app):
    page = app
    reset(page, "himmelblau")
    m = pycore.SURFACES["himmelblau"].minima[0]
    x, y = screen(page, m.x, m.y)
    title = page.evaluate("([x, y]) => document.elementFromPoint(x, y)?.closest('.minima [data-global]')"
                          "?.querySelector('title')?.textContent ?? null", [x, y])
    assert title and title.startswith("global minimum")
    reset(page, "two_wells")
    normal = page.locator("#plot .min-local").first.bounding_box()["width"] / page.evaluate("optviz.geometry().width")
    reset(page, "rastrigin")
    assert page.locator("#plot .minima.quiet").count() == 1
    quiet = page.locator("#plot .min-local").first.bounding_box()["width"] / page.evaluate("optviz.geometry().width")
    assert quiet < 0.6 * normal, "the 120 local minima are drawn small and light, so the paths stay readable"
    shot(page, "truth-rastrigin")


def test_overlapping_dots_are_all_offered_and_a_click_cycles(app):
    page = app
    reset(page, "himmelblau")
    enable_only(page, "Adam", "AdamW")
    set_text(page, "AdamW", "weight_decay", "0")            # AdamW at λ = 0 is Adam: the same path, one spot
    set_text(page, "Adam", "lr", "0.05")
    set_text(page, "AdamW", "lr", "0.05")
    page.evaluate("optviz.clickAt(0.5, 0.5, {play: false}).then(() => optviz.setStep(40))")
    settle(page)
    page.evaluate("document.getElementById('plot').scrollIntoView({block: 'center'})")
    box = page.locator('#plot .dot[data-key="adam"]').bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    card = page.locator("#inspector")
    card.wait_for(state="visible")
    text = card.inner_text()
    assert "2 dots here" in text and "Adam" in text and "AdamW" in text
    first = card.get_attribute("data-key")
    page.mouse.click(cx, cy)                                  # a click on a dot inspects, never starts a run
    page.wait_for_function("(k) => document.getElementById('inspector').dataset.key !== k", arg=first)
    assert "dot" in page.locator("#click-note").inner_text()
    assert state(page)["start"] == [0.5, 0.5]
    shot(page, "truth-overlap")


def test_the_inspector_at_step_zero_on_every_kind_of_surface(app):
    page = app
    for surface in ("custom", "linreg"):
        reset(page, surface)
        enable_only(page, "Adam")
        page.evaluate("optviz.setStep(0)")
        settle(page)
        page.locator('#plot .dot[data-key="adam"]').focus()
        card = page.locator("#inspector")
        card.wait_for(state="visible")
        assert "starts here" in card.inner_text()
        page.keyboard.press("ArrowRight")                    # the step keys still work afterwards
        assert state(page)["step"] == 1
        page.locator("h1").click()
    reset(page)


def test_data_surface_colour_bar_labels_are_distinct(app):
    page = app
    for surface in ("linreg", "logreg"):
        reset(page, surface)
        labels = page.eval_on_selector_all("#plot .cbar text", "ns => ns.map((n) => n.textContent)")[:-1]
        assert len(labels) == len(set(labels)) > 3, labels
    reset(page)


def test_basin_status_names_noise_turned_on_after_the_map(app):
    page = app
    reset(page, "himmelblau")
    page.select_option("#basin-size", "25")
    page.check("#basin-on")
    page.wait_for_function("optviz.state().lab.basin.complete", timeout=120_000)
    assert "noise" not in page.locator("#basin-status").inner_text()
    page.check("#noise-on")
    settle(page)
    page.wait_for_function("document.getElementById('basin-status').textContent.includes('noise')")
    page.uncheck("#noise-on")
    page.uncheck("#basin-on")
    settle(page)


# ---- the 3-D view in the page ----------------------------------------------------------------------------------
def test_the_3d_view_draws_the_runs_and_follows_the_toggles(app):
    page = app
    reset(page, "himmelblau")
    enable_only(page, "SGD", "Adam")
    page.evaluate("optviz.clickAt(0.5, 0.5, {play: false})")
    settle(page)
    page.click("#view3d-toggle")
    page.wait_for_function("document.querySelector('#view3d canvas') !== null", timeout=60_000)
    page.wait_for_timeout(500)
    colours = page.evaluate("""() => { const c = document.querySelector('#view3d canvas');
        const x = document.createElement('canvas'); x.width = c.width; x.height = c.height;
        const g = x.getContext('2d'); g.drawImage(c, 0, 0);
        const d = g.getImageData(0, 0, x.width, x.height).data; const s = new Set();
        for (let i = 0; i < d.length; i += 40) s.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        return s.size; }""")
    assert colours > 50, "the 3-D canvas is drawn, not blank"
    assert page.locator("#plot").is_hidden()
    shot(page, "truth-3d")
    page.get_by_role("button", name="Adam", exact=True).click()   # a legend toggle hides the path in 3-D too
    page.wait_for_timeout(300)
    assert "adam" not in state(page)["enabled"]
    page.click("#view3d-toggle")
    assert page.locator("#plot").is_visible()
    page.get_by_role("button", name="Adam", exact=True).click()


# ---- lessons in the real page -----------------------------------------------------------------------------------
def test_every_lesson_in_the_page_predict_then_see(server, open_page):
    page, _ = open_page(server + "index.html#lesson=1")
    catalog = browser_lessons.catalog()
    card = page.locator("#lessons-card")
    for lesson in catalog:
        page.evaluate("(k) => { location.hash = '#lesson=' + k; }", lesson["id"])
        page.wait_for_function("(t) => document.querySelector('#lessons-card .lesson-title')?.textContent === t",
                               arg=browser_lessons.scene(lesson["id"])["title"])
        settle(page)
        play = card.get_by_role("button", name="Play", exact=True)
        assert play.is_disabled(), "predict first: no Play before an answer"
        assert page.locator("#play").is_disabled(), "the page's own Play waits during a lesson"
        assert page.evaluate("getComputedStyle(document.querySelector('.loss-card')).visibility") == "hidden"
        shot(page, f"lesson-{lesson['id']:02d}-question")
        card.locator(".lesson-answers input").first.check()
        page.wait_for_function("(b) => !b.disabled", arg=play.element_handle(), timeout=120_000)
        page.select_option("#speed", "240")
        play.click()
        card.locator(".lesson-reveal-text").wait_for(timeout=180_000)
        reveal = browser_lessons.reveal(lesson["id"])
        assert card.locator(".lesson-reveal-text").inner_text().strip() == "".join(p["text"] for p in reveal["parts"]).strip()
        assert page.evaluate("location.hash") == f"#lesson={lesson['id']}"
        shot(page, f"lesson-{lesson['id']:02d}-reveal")
    card.get_by_role("button", name="Explore this scene freely").click()
    settle(page)
    assert card.is_hidden() and not page.locator("#play").is_disabled()
    page.evaluate("optviz.flushShare()")
    assert page.evaluate("location.hash").startswith("#view=")
    page.close()


# ---- phone -------------------------------------------------------------------------------------------------------
def test_phone_layout_plot_first_wide_and_controls_close(server, browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                              device_scale_factor=2, service_workers="block")
    ctx.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url.split("/")[2] else r.abort())
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "index.html")
    wait_ready(page)
    plot = page.locator("#plot").bounding_box()
    assert plot["width"] >= 340 and plot["y"] < 120, plot
    order = page.evaluate("""() => ['plot-wrap', 'play', 'surface', 'legend'].map((id) =>
        document.getElementById(id).getBoundingClientRect().top)""")
    assert order == sorted(order), "plot, playback, surface menu, legend: in that order"
    assert order[2] < 844, "the surface menu is on the first screen"
    assert page.locator(".hint.touch").is_visible() and not page.locator(".hint:not(.touch)").is_visible()
    page.evaluate("optviz.pause()")
    dot = page.locator('#plot .dot[data-key="adam"]').bounding_box()
    page.touchscreen.tap(dot["x"] + dot["width"] / 2, dot["y"] + dot["height"] / 2)
    card = page.locator("#inspector")
    card.wait_for(state="visible")
    c = card.bounding_box()
    assert c["y"] >= plot["y"] + plot["height"] - 1, "the inspector sits under the plot, never over it"
    play = page.locator("#play").bounding_box()
    assert not (c["y"] < play["y"] + play["height"] and play["y"] < c["y"] + c["height"]), "Play stays uncovered"
    shot(page, "phone-ready")
    # Nothing widens the page past the phone's width (the runs table scrolls inside its card), also on a training
    # surface with early stopping's extra card and chart.
    wide = "document.documentElement.scrollWidth"
    assert page.evaluate(wide) <= 390
    page.keyboard.press("Escape")
    page.select_option("#surface", "linreg")
    page.evaluate("optviz.idle()")
    page.check("#es-on")
    page.evaluate("optviz.idle()")
    page.locator("#epoch-card").wait_for(state="visible")
    assert page.evaluate(wide) <= 390
    shot(page, "phone-linreg-early-stopping")
    assert not errors
    ctx.close()
