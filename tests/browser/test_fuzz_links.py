"""A standing fuzz of the page's links: hostile ``#view=`` and ``#lesson=`` hashes from a seeded generator
(tests/browser/hostile_links.py: deep nesting, 500- and 5 000-digit numbers in every numeric field, 1e308, 5e-324
and -0.0, degenerate and vast bounds, unknown keys, long and odd strings, wrong types, valid views at the edges)
are opened one after another in the same live page (``location.hash = …``), and the nastiest as first loads.

For each link CPython's ``decode_view`` of the same text says what must happen, and the page must do it within
``LINK_SECONDS``: a refused view shows the notice (``#share-notice``) and changes nothing; an accepted one is
applied (surface, start, steps, step, optimizers, function, data and options as decoded); a ``#lesson=`` link
opens the lessons with their message. Nothing drawn (the plot, the charts, every optimizer's lr curve) may hold
NaN or Infinity, and there may be no page error and
no console error (the conftest watch, checked after every link so the culprit is named). The page's JavaScript
heap, after garbage collection, may grow by at most ``HEAP_GROWTH_MB`` over the whole batch, and by at most
``CUSTOM_GROWTH_MB`` over 30 new custom functions typed in a row (the contour grids of earlier functions are not
kept: web/app.js keeps the last few).
"""
import time

import pytest

from pycore.browser.share import decode_view, encode_view, validate_view

from hostile_links import links
from pagekit import wait_ready

pytestmark = pytest.mark.browser

LINK_SECONDS = 20          # a generous bound on a shared 2-core machine; a link takes about a second
HEAP_GROWTH_MB = 30
CUSTOM_GROWTH_MB = 2.5     # a leaked 121x121 grid per function would be 117 KiB each, 3.4 MB for 30
LINKS = links()
FIRST = dict(LINKS)["nesting"]                 # the page itself opens on a 5 900-deep link
FRESH = ["bounds span 1e-307", "lesson bad percent-encoding"]

STATE = """() => optviz.idle().then(() => {
  const s = optviz.state();
  const notice = document.getElementById('share-notice');
  const lesson = document.querySelector('#lessons-card .lesson-notice');
  return { surface: s.surface, start: s.start, steps: s.steps, step: s.step, enabled: s.enabled, custom: s.custom ?? null,
           data: s.data ?? null, options: s.options, hyperparams: s.hyperparams, notice: !notice.hidden,
           noticeText: document.getElementById('share-notice-text').textContent,
           lessonNotice: lesson && !lesson.hidden && !document.getElementById('lessons-card').hidden ? lesson.textContent : null };
})"""
# Attributes of anything drawn (SVG) or positioned (style) that hold NaN or Infinity (not counting data: URLs,
# the encoded bytes of a bitmap such as the contour bands, whose base64 may spell either word).
NON_FINITE = """() => [...document.querySelectorAll('svg, svg *, [style]')].flatMap((e) => [...e.attributes]
  .filter((a) => !a.value.startsWith('data:') && /NaN|Infinity/.test(a.value)).map((a) => `<${e.tagName} ${a.name}="${a.value.slice(0, 80)}">`)).slice(0, 5)"""
VIEW_FIELDS = ("surface", "start", "steps", "step", "enabled", "custom", "data")


def expected(link):
    """What the page must end with: ("view", decoded view), ("notice", message) or ("lesson", None)."""
    if link.startswith("#lesson="):
        return "lesson", None
    try:
        return "view", decode_view(link)
    except ValueError as e:
        return "notice", str(e)


def _numbers(v):
    """JSON-like data with every number a float (JavaScript has one number type: 1 and 1.0 are the same)."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dict):
        return {k: _numbers(x) for k, x in v.items()}
    return [_numbers(x) for x in v]


def applied(state, view):
    """The fields of ``view`` that ``state`` (STATE) does not show as decoded."""
    got = {k: state[k] for k in VIEW_FIELDS}
    got["options"] = state["options"]
    want = {k: view[k] for k in VIEW_FIELDS}
    want["options"] = {k: view[k] for k in ("schedules", "noise", "seed", "max_grad_norm")}
    if want["data"] is None and got["data"] is not None and got["surface"] != got["data"].get("dataset"):
        got["data"] = None               # the page remembers the last data settings while another surface shows
    if want["custom"] is None and got["surface"] != "custom":
        got["custom"] = None             # likewise the last function
    return {k: (got[k], want[k]) for k in want if _numbers(got[k]) != _numbers(want[k])}


def heap_mb(cdp):
    """The page's JavaScript heap in use after a full garbage collection."""
    for _ in range(2):
        cdp.send("HeapProfiler.collectGarbage")
    return cdp.send("Runtime.getHeapUsage")["usedSize"] / 2 ** 20


def leave_lessons(page):
    if page.locator("#lessons-card").is_visible():
        page.get_by_role("button", name="Leave the lessons for the free playground").click()


def open_link(page, watch, name, link):
    """Sets the hash in the live page and waits for the outcome CPython predicts; returns the seconds it took."""
    leave_lessons(page)
    page.evaluate("document.getElementById('share-notice').hidden = true")
    kind, want = expected(link)
    before = page.evaluate(STATE)
    t0 = time.monotonic()
    page.evaluate("(h) => { location.hash = h; }", link)
    while True:
        time.sleep(0.1)
        state = page.evaluate(STATE)
        if kind == "notice" and state["notice"]:
            # the view did not change, and the notice says why in pycore's words
            assert {k: state[k] for k in (*VIEW_FIELDS, "options", "hyperparams")} == \
                   {k: before[k] for k in (*VIEW_FIELDS, "options", "hyperparams")}, name
            assert want[:60] in state["noticeText"], (name, state["noticeText"])
            break
        if kind == "view" and time.monotonic() - t0 > 0.3 and not applied(state, want):
            assert not state["notice"], (name, state["noticeText"])
            break
        if kind == "lesson" and state["lessonNotice"]:
            assert "lesson must be a whole number" in state["lessonNotice"], (name, state["lessonNotice"])
            break
        if time.monotonic() - t0 > LINK_SECONDS:
            detail = applied(state, want) if kind == "view" else state["noticeText"]
            pytest.fail(f"{name}: no {kind} within {LINK_SECONDS} s ({detail})")
    seconds = time.monotonic() - t0
    assert not page.evaluate(NON_FINITE), (name, page.evaluate(NON_FINITE))
    assert not watch.errors, (name, watch.errors)
    return seconds


@pytest.fixture(scope="module")
def fuzz_page(server, open_page):
    page, watch = open_page(server + "index.html" + FIRST)
    notice = page.locator("#share-notice")
    assert notice.is_visible() and "nests" in notice.inner_text()
    cdp = page.context.new_cdp_session(page)
    yield page, watch, cdp
    cdp.detach()
    page.close()


def test_hostile_links_in_a_live_page(fuzz_page):
    page, watch, cdp = fuzz_page
    assert len(LINKS) >= 30 and len({name.split()[0] for name, _ in LINKS}) >= 9
    for gear in page.locator("#legend .gear").all():    # each optimizer's panel, so its lr curve is redrawn too
        gear.click()
        gear.click()
    assert page.locator("svg.sched-curve").count() == len(page.locator("#legend .gear").all())
    start = heap_mb(cdp)
    took = {name: open_link(page, watch, name, link) for name, link in LINKS}
    leave_lessons(page)
    grown = heap_mb(cdp) - start
    slowest = max(took, key=took.get)
    print(f"\n{len(LINKS)} links in {sum(took.values()):.0f} s (slowest: {slowest}, {took[slowest]:.1f} s); "
          f"JS heap {start:.1f} MB, {grown:+.1f} MB after the batch")
    assert grown < HEAP_GROWTH_MB, f"the heap grew by {grown:.1f} MB over {len(LINKS)} links"
    assert page.evaluate("({}).polluted === undefined && window.pwned === undefined")


def test_30_custom_functions_in_a_row_leave_the_heap_flat(fuzz_page):
    page, watch, cdp = fuzz_page
    view = validate_view({"v": 1, "surface": "custom", "custom": {"expr": "x**2 + y**2", "bounds": [[-2, 2], [-2, 2]]},
                          "start": [1.0, 1.0], "steps": 50, "step": 0, "enabled": ["adam"]})
    page.evaluate("(h) => { location.hash = h; }", encode_view(view))
    page.wait_for_function("() => optviz.state().surface === 'custom'")

    def typed(i):
        expr = f"(x - {i / 20})**2 + {1 + i % 7}*(y + {i / 30})**2 + sin({i}*x)/{i + 2}"
        page.fill("#custom-expr", expr)
        page.press("#custom-expr", "Enter")
        page.wait_for_function("(e) => optviz.state().custom?.expr === e && !optviz.state().busy", arg=expr,
                               timeout=LINK_SECONDS * 1000)
        page.evaluate("optviz.idle()")
    for i in range(5):                        # the grid cache fills up first (web/app.js keeps the last 8)
        typed(i)
    start = heap_mb(cdp)
    for i in range(5, 35):
        typed(i)
    grown = heap_mb(cdp) - start
    print(f"\n30 custom functions: JS heap {start:.1f} MB, {grown:+.2f} MB")
    assert grown < CUSTOM_GROWTH_MB, f"the heap grew by {grown:.2f} MB over 30 custom functions"
    assert not page.evaluate(NON_FINITE) and not watch.errors


@pytest.mark.parametrize("name", FRESH)
def test_hostile_first_loads(server, open_page, name):
    """The link as the address a page opens with: ready, then the notice (or the lessons' message), never a hang,
    a traceback or a dead page; a click afterwards still runs."""
    link = dict(LINKS)[name]
    kind, want = expected(link)
    t0 = time.monotonic()
    page, watch = open_page(server + "index.html" + link, wait=False)
    wait_ready(page)
    state = page.evaluate(STATE)
    if kind == "lesson":
        page.locator("#lessons-card .lesson-notice").wait_for(timeout=LINK_SECONDS * 1000)
        assert "lesson must be a whole number" in page.locator("#lessons-card .lesson-notice").inner_text()
        leave_lessons(page)
    else:
        assert kind == "notice" and state["notice"], (name, state["noticeText"])
        assert want[:60] in state["noticeText"]
    page.evaluate("optviz.clickAt(0.5, 0.5, { play: false })")
    assert page.evaluate(STATE)["start"] == [0.5, 0.5]
    assert not page.evaluate(NON_FINITE) and not watch.errors
    print(f"\n{name}: first load ready and answered in {time.monotonic() - t0:.0f} s")
    page.close()


def test_3d_view_of_a_function_beyond_the_float_range(fuzz_page):
    """f from -1.7e308 to 1.7e308 (max − min overflows): the 3-D mesh's heights are all numbers (web/view3d.js
    takes the span by halves), and the 2-D contour thresholds are finite (pycore.browser.catalog)."""
    page, watch, _ = fuzz_page
    snap = page.evaluate("""async () => {
      const { createView3D } = await import('./web/view3d.js');
      const expr = '1.7e308*sin(x) + y**2', bounds = [[-2, 2], [-2, 2]];
      const grid = await optviz.python('grid', { spec: { custom: expr, bounds } });
      const custom = await optviz.python('custom', { expr, bounds });
      const box = document.createElement('div');
      box.style.width = '320px';
      box.style.height = '240px';
      document.body.append(box);
      const view = await createView3D(box);
      try {
        view.setSurface(grid, custom.surface);
        return { ...view.snapshot(), thresholds: grid.thresholds.every(Number.isFinite), levels: grid.levels };
      } finally {
        view.dispose();
        box.remove();
      }
    }""")
    assert snap["thresholds"] and snap["finite"], snap
    assert not watch.errors


def test_a_link_opened_while_the_page_rewrites_its_address_is_not_lost(fuzz_page):
    """The page writes its view into the address (replaceState, after a debounce and a round trip to pycore). A link
    opened just before that write lands must still be opened: the fuzz once lost one this way under load. Here the
    address is rewritten before the hashchange handler runs, deterministically."""
    page, watch, _ = fuzz_page
    leave_lessons(page)
    page.evaluate("document.getElementById('share-notice').hidden = true")
    link = dict(LINKS)["types v true"]
    page.evaluate("(h) => { location.hash = h; history.replaceState(history.state, '', location.pathname); }", link)
    page.locator("#share-notice").wait_for(timeout=LINK_SECONDS * 1000)
    assert "view version must be 1" in page.locator("#share-notice-text").inner_text()
    assert not watch.errors
