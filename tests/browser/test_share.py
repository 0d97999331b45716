"""Schedules, gradient noise and clipping, the shared view in the URL, exports and offline use, in Chromium.

Three page loads: one set up through the UI (schedules, noise, clipping, steps, step, toggles) whose link is
opened in a second page and must give the same ``optviz.state()``; exports are checked against pycore on
CPython. One load with a hostile hash (defaults + notice), which then also receives other bad hashes. The
offline test uses its own server and browser context: first visit until the service worker has cached the
page, then the server is stopped and a reload must still reach ready.
"""
import csv
import io
import json
import math
import re

import pytest
from PIL import Image

import pycore
from pycore import api, api_share

from pagekit import ROOT, serve, shot, wait_ready
from test_page import open_panel

pytestmark = pytest.mark.browser

SURFACE = "himmelblau"
START = (-0.5, 3.5)
ENABLED = ["sgd", "momentum", "adam", "lion"]
SCHEDULES = {"sgd": {"name": "one_cycle", "max_lr": 0.02, "total_steps": 150},
             "adam": {"name": "cosine", "T_max": 120}}


def state(page):
    st = page.evaluate("optviz.state()")
    st.pop("playing")
    return st


def options_of(st):
    o = st["options"]
    return {"noise": o["noise"], "seed": o["seed"], "max_grad_norm": o["max_grad_norm"]}


def assert_runs_match_cpython(st):
    """Every shown run equals pycore.run on CPython with the same schedule, noise, seed and clipping."""
    assert st["runs"]
    for key, r in st["runs"].items():
        hp = {k: tuple(v) if isinstance(v, list) else v for k, v in r["hyperparams"].items()}
        ref = pycore.run(key, st["surface"], start=tuple(st["start"]), steps=st["steps"],
                         schedule=st["options"]["schedules"].get(key), **options_of(st), **hp)
        assert r["status"] == ref.status, key
        assert len(r["points"]) == len(ref.points), key
        for got, want in zip(r["points"], ref.points):
            assert all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(got, want)), key


def set_field(page, selector, value):
    page.fill(selector, value)
    page.press(selector, "Enter")


def settle(page):
    """Writes the hash now instead of after the debounce; returns it."""
    page.evaluate("optviz.flushShare()")
    return page.evaluate("location.hash")


@pytest.fixture(scope="module")
def shared(server, open_page):
    """A page set up through the UI, and the link it wrote."""
    page, _ = open_page(server + "index.html")
    page.select_option("#surface", SURFACE)
    page.evaluate("([x, y]) => optviz.clickAt(x, y, { play: false })", list(START))
    page.get_by_role("button", name="None", exact=True).click()
    for key in ENABLED:
        page.locator(f'#legend button.toggle[data-key="{key}"]').click()
    set_field(page, "#steps", "150")
    # SGD: a one-cycle schedule (it sets the lr itself); Adam: cosine with T_max edited in its field.
    open_panel(page, "SGD")
    page.select_option("#sched-sgd", "one_cycle")
    set_field(page, "#sched-sgd-max_lr", "0.02")
    set_field(page, "#sched-sgd-total_steps", "150")
    open_panel(page, "Adam")
    set_field(page, "#hp-adam .hp-row input[aria-label='lr value']", "0.05")
    page.select_option("#sched-adam", "cosine")
    set_field(page, "#sched-adam-T_max", "120")
    page.check("#noise-on")
    set_field(page, "#noise-sigma", "0.05")
    set_field(page, "#noise-seed", "7")
    page.check("#clip-on")
    set_field(page, "#clip-norm", "2.5")
    page.evaluate("optviz.setStep(77)")
    return page, settle(page)


def test_schedule_picker_curve_and_override(shared):
    page, _ = shared
    st = state(page)
    assert st["options"]["schedules"]["sgd"]["name"] == "one_cycle"
    assert st["options"]["schedules"]["adam"] == pycore.schedules.get_schedule(SCHEDULES["adam"]).spec
    # The lr control of SGD is marked overridden (one-cycle sets the lr); Adam's (cosine scales it) is not.
    sgd_lr = page.locator("#hp-sgd .hp-row").first
    assert "overridden" in sgd_lr.get_attribute("class")
    assert sgd_lr.locator("input[type=range]").is_disabled()
    assert "sets the lr" in sgd_lr.inner_text()
    adam_lr = page.locator("#hp-adam .hp-row").first
    assert "overridden" not in adam_lr.get_attribute("class")
    # The legend rows say which schedule is in effect.
    assert "One-cycle" in page.locator('#legend li[data-key="sgd"] .sched-note').inner_text()
    assert "Cosine annealing (T_max 120)" in page.locator('#legend li[data-key="adam"] .sched-note').inner_text()
    assert page.locator('#legend li[data-key="lion"] .sched-note').is_hidden()
    # The curve is pycore's lrs: its last point is at the bottom for one-cycle (lr → max_lr/25/1e4).
    label = page.locator("#hp-adam svg.sched-curve").get_attribute("aria-label")
    lrs = pycore.schedules.get_schedule(SCHEDULES["adam"]).lrs(0.05, 150)
    assert f"steps 1 to 150" in label and "at most 0.05" in label
    assert len(lrs) == 150
    # Runs use the schedule, the noise and the clipping (CPython agrees to 1e-9).
    assert st["options"]["noise"] == 0.05 and st["options"]["seed"] == 7 and st["options"]["max_grad_norm"] == 2.5
    assert_runs_match_cpython(st)
    notes = page.locator("#run-notes")
    assert notes.is_visible()
    assert "N(0, 0.05²)" in notes.inner_text() and "seed 7" in notes.inner_text()
    assert "‖g‖ ≤ 2.5" in notes.inner_text()
    shot(page, "share-schedules")


def test_bad_schedule_value_shows_message_and_changes_nothing(shared):
    page, _ = shared
    before = state(page)
    set_field(page, "#sched-adam-T_max", "-3")
    err = page.locator("#hp-adam .sched .error")
    assert err.is_visible() and "T_max" in err.inner_text()
    set_field(page, "#noise-sigma", "-1")
    assert "noise" in page.locator("#noise-error").inner_text()
    page.uncheck("#clip-on")
    page.fill("#clip-norm", "0")
    page.click("#clip-on")  # refused: the box goes back to what is in effect (off)
    assert "max_grad_norm" in page.locator("#clip-error").inner_text()
    assert not page.locator("#clip-on").is_checked()
    set_field(page, "#clip-norm", "2.5")
    page.check("#clip-on")
    assert page.locator("#clip-error").is_hidden()
    after = state(page)
    assert after == before
    set_field(page, "#sched-adam-T_max", "120")
    set_field(page, "#noise-sigma", "0.05")
    assert page.locator("#noise-error").is_hidden()


def test_link_restores_the_same_state(shared, open_page, server):
    page, link = shared
    assert link.startswith("#view=")
    want = state(page)
    assert want["step"] == 77 and want["steps"] == 150 and want["enabled"] == ENABLED
    other, _ = open_page(server + "index.html" + link)
    got = state(other)
    assert got == want
    assert other.locator("#noise-on").is_checked() and other.locator("#clip-on").is_checked()
    assert other.locator("#run-notes").is_visible()
    assert "Cosine" in other.locator('#legend li[data-key="adam"] .sched-note').inner_text()
    assert other.locator("#share-notice").is_hidden()
    assert other.evaluate("location.hash") == link


def test_hash_follows_the_view_and_copy_link(shared):
    page, link = shared
    page.locator('#legend button.toggle[data-key="lion"]').click()  # the hash is rewritten shortly after
    page.wait_for_function("(h) => location.hash !== h", arg=link)
    assert api_share.decode_view(page.evaluate("location.hash"))["enabled"] == ["sgd", "momentum", "adam"]
    page.locator('#legend button.toggle[data-key="lion"]').click()
    page.wait_for_function("(h) => location.hash === h", arg=link)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("#copy-link")
    expect_status = page.locator("#share-status")
    expect_status.wait_for()
    assert "Link copied" in expect_status.inner_text()
    assert page.evaluate("navigator.clipboard.readText()") == page.evaluate("location.href")


def test_exports(shared, tmp_path):
    page, _ = shared
    st = state(page)
    # CSV: one row per enabled optimizer per point, numbers exactly pycore's.
    with page.expect_download() as d:
        page.click("#export-csv")
    path = tmp_path / "runs.csv"
    d.value.save_as(path)
    assert d.value.suggested_filename == f"optviz-{SURFACE}.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert list(rows[0]) == ["optimizer", "step", "x", "y", "loss", "gx", "gy", "lr", "status"]
    assert sorted({r["optimizer"] for r in rows}) == sorted(ENABLED)
    for key in ENABLED:
        mine = [r for r in rows if r["optimizer"] == key]
        run = st["runs"][key]
        assert [[float(r["x"]), float(r["y"])] for r in mine] == run["points"]
        assert all(r["status"] == run["status"] for r in mine)
    sgd = [r for r in rows if r["optimizer"] == "sgd"]
    want_lrs = pycore.schedules.get_schedule(SCHEDULES["sgd"]).lrs(1e-3, 150)
    assert len(sgd) == 151
    for r, want in zip(sgd[1:], want_lrs):  # Pyodide's libm cos may differ by an ulp (pycore.schedules)
        assert math.isclose(float(r["lr"]), want, rel_tol=1e-13)
    # JSON: the view and each run's full record.
    with page.expect_download() as d:
        page.click("#export-json")
    d.value.save_as(tmp_path / "runs.json")
    data = json.loads((tmp_path / "runs.json").read_text())
    assert list(data["runs"]) == ENABLED
    assert data["view"]["step"] == st["step"] and data["view"]["noise"] == 0.05
    assert data["runs"]["adam"]["schedule"]["T_max"] == 120
    assert data["runs"]["adam"]["points"] == st["runs"]["adam"]["points"]
    # PNG: the plot with its contour colours, the enabled paths and the axes' text.
    with page.expect_download() as d:
        page.click("#export-png")
    d.value.save_as(tmp_path / "plot.png")
    img = Image.open(tmp_path / "plot.png").convert("RGB")
    geo = page.evaluate("optviz.geometry()")
    assert img.width >= geo["width"] * 2
    colours = img.getcolors(maxcolors=1 << 20)
    assert len(colours) > 200  # filled contour bands and the colour bar, not a blank image
    meta = {o["key"]: o for o in api.catalog()["optimizers"]}
    for key in ("sgd", "adam"):
        c = tuple(int(meta[key]["color"][i:i + 2], 16) for i in (1, 3, 5))
        near = sum(n for n, p in colours if sum(abs(a - b) for a, b in zip(p, c)) < 30)
        assert near > 20, f"{key}'s path colour {c} is missing from the PNG"
    dark = sum(n for n, p in colours if max(p) < 110)
    assert dark > 200  # axis labels, ticks and frame
    img.save(ROOT / "tests" / "artifacts" / "share-export.png")


HOSTILE = [
    "#view=" + "A" * 10_000,
    "#view={not json",
    "#view=%ZZ%FF",
    "#view=" + '{"v":1,"surface":"rosenbrock","start":[0,0],"steps":300,"step":0,"enabled":[],"__proto__":{"x":1}}',
    "#view=" + '{"v":1,"surface":"rosenbrock","start":[0,0],"steps":99999,"step":0,"enabled":[]}',
    "#view=" + '{"v":1,"surface":"custom","custom":{"expr":"__import__(\'os\')","bounds":[[-1,1],[-1,1]]},'
               '"start":[0,0],"steps":10,"step":0,"enabled":["sgd"]}',
    "#view=%7B%22v%22:1,%22surface%22:%22%3Cimg%20src=x%20onerror=window.pwned=1%3E%22%7D",
]


def test_hostile_hash_restores_defaults_with_a_notice(server, open_page):
    page, _ = open_page(server + "index.html#<script>window.pwned=1</script>")
    notice = page.locator("#share-notice")
    assert notice.is_visible()
    assert "defaults" in notice.inner_text() and "#view=" in notice.inner_text()
    st = state(page)
    first = next(iter(pycore.SURFACES.values()))
    assert st["surface"] == first.key and st["start"] == list(first.starts[0])
    assert st["enabled"] == list(pycore.OPTIMIZERS) and st["steps"] == api.DEFAULT_STEPS
    assert st["options"] == {"schedules": {}, "noise": 0, "seed": 0, "max_grad_norm": None}
    assert st["hyperparams"] == {k: api.check_hyperparams(k, {}) for k in pycore.OPTIMIZERS}
    assert page.evaluate("location.hash") == ""  # the bad hash is dropped, not re-shared
    shot(page, "share-hostile")
    # Later bad hashes (typed into the address bar) change nothing and say why.
    for text in HOSTILE:
        page.locator("#share-notice-close").click()
        page.evaluate("(h) => { location.hash = h; }", text)
        page.wait_for_function("!document.getElementById('share-notice').hidden")
        assert state(page) == st, text
    assert page.evaluate("window.pwned") is None
    assert page.evaluate("document.querySelector('[onerror]')") is None
    # A good link opened later restores LAB's surfaces too: a custom f(x, y) and a data surface.
    for changes in ({"surface": "custom", "custom": {"expr": "x**2 + 3*sin(y)", "bounds": [[-3.0, 3.0], [-2.0, 2.5]]}},
                    {"surface": "linreg", "data": {"dataset": "linreg", "batch_size": 8, "seed": 5}}):
        view = api_share.validate_view({"v": 1, "start": [0.5, -0.25], "steps": 40, "step": 12,
                                        "enabled": ["adam", "lion"], **changes})
        page.evaluate("(h) => { location.hash = h; }", api_share.encode_view(view))
        page.wait_for_function("(s) => optviz.state().surface === s && optviz.state().step === 12", arg=view["surface"])
        got = state(page)
        assert got["custom"] == view["custom"] if view["custom"] else got["data"] == view["data"]
        assert page.evaluate("optviz.flushShare() || location.hash") == api_share.encode_view(view)
        assert (got["start"], got["steps"], got["enabled"]) == ([0.5, -0.25], 40, ["adam", "lion"])
        assert set(got["runs"]) == {"adam", "lion"} and not got["errors"]
        shot(page, f"share-link-{view['surface']}")


def test_offline_reload_after_first_visit(browser, open_page):
    """First visit until the service worker controls the page and has cached it; stop the server; reload."""
    with serve(ROOT) as url:
        page, _ = open_page(url + "index.html", service_workers="allow")
        page.wait_for_function("document.documentElement.dataset.offline === 'ready'", timeout=120_000)
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        assert "Available offline" in page.locator("#offline-status").inner_text()
        cache = "optviz-v" + re.search(r"const VERSION = (\d+);", (ROOT / "sw.js").read_text()).group(1)
        assert page.evaluate("caches.keys()") == [cache]
        cached = page.evaluate("(n) => caches.open(n).then((c) => c.keys()).then((ks) => ks.map((r) => r.url))", cache)
        for part in ("index.html", "web/app.js", "pycore/api.py", "pyodide.asm.wasm", "python_stdlib.zip"):
            assert any(u.endswith(part) for u in cached), part
    # The server is gone: every file must now come from the service worker's cache.
    page.reload(wait_until="domcontentloaded")
    wait_ready(page)
    # Files loaded only on demand were cached too: an explanation, the comparison, the lab's worker script.
    for path in ("docs/optimizers/adam.md", "docs/comparison.md", "web/lab_worker.py"):
        text = page.evaluate("(p) => fetch(p).then((r) => r.ok ? r.text() : `HTTP ${r.status}`)", path)
        assert text == (ROOT / path).read_text(), path
    page.evaluate("optviz.clickAt(0.5, 0.5, { play: false })")
    st = state(page)
    assert st["start"] == [0.5, 0.5] and st["runs"]
    shot(page, "share-offline")
