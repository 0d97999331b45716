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
import os
import re
import shutil
import time
import urllib.parse

import pytest
from PIL import Image

import pycore
from pycore.browser import catalog, runs as browser_runs, share as api_share, static

from pagekit import LOOPBACK, ROOT, serve, settle as idle, shot, wait_ready
from test_page import open_panel

pytestmark = pytest.mark.browser

SURFACE = "himmelblau"
START = (-0.5, 3.5)
ENABLED = ["sgd", "momentum", "adam", "lion"]
SCHEDULES = {"sgd": {"name": "one_cycle", "max_lr": 0.02, "total_steps": 150},
             "adam": {"name": "cosine", "T_max": 120}}


def state(page):
    st = page.evaluate("optviz.idle().then(() => optviz.state())")
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
        assert r["outcome"] == ref.outcome, key
        assert len(r["points"]) == len(ref.points), key
        for got, want in zip(r["points"], ref.points):
            assert all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(got, want)), key


def set_field(page, selector, value):
    page.fill(selector, value)
    page.press(selector, "Enter")
    idle(page)


def settle(page):
    """Writes the hash now instead of after the debounce (once the page has settled); returns it."""
    page.evaluate("optviz.idle().then(() => optviz.flushShare())")
    return page.evaluate("location.hash")


@pytest.fixture(scope="module")
def shared(server, open_page):
    """A page set up through the UI, and the link it wrote."""
    page, _ = open_page(server + "index.html")
    page.select_option("#surface", SURFACE)
    idle(page)
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
    idle(page)
    page.fill("#clip-norm", "0")
    page.click("#clip-on")  # refused: the box goes back to what is in effect (off)
    idle(page)
    assert "max_grad_norm" in page.locator("#clip-error").inner_text()
    assert not page.locator("#clip-on").is_checked()
    for bad in ("1e400", "Infinity", "-1e400", "abc", ""):      # never a silent infinity
        set_field(page, "#clip-norm", bad)
        assert "max_grad_norm" in page.locator("#clip-error").inner_text(), bad
        assert not page.locator("#clip-on").is_checked() and "Infinity" not in page.locator("#run-notes").inner_text()
    set_field(page, "#clip-norm", "2.5")
    assert page.locator("#clip-error").is_hidden() and page.locator("#clip-on").is_checked()
    # Gradient noise typed to 0 turns it off; typed back, it turns on again; bad values get a message.
    set_field(page, "#noise-sigma", "0")
    assert not page.locator("#noise-on").is_checked() and state(page)["options"]["noise"] == 0
    for bad in ("abc", "1e400", "-2"):
        set_field(page, "#noise-sigma", bad)
        assert "gradient noise σ" in page.locator("#noise-error").inner_text(), bad
    set_field(page, "#noise-sigma", "2.5")
    assert page.locator("#noise-on").is_checked() and state(page)["options"]["noise"] == 2.5
    assert page.locator("#noise-error").is_hidden()
    set_field(page, "#sched-adam-T_max", "120")
    set_field(page, "#noise-sigma", "0.05")
    assert page.locator("#noise-error").is_hidden()
    after = state(page)
    assert after == before


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
    assert list(rows[0]) == ["optimizer", "step", "x", "y", "loss", "gx", "gy", "lr", "outcome"]
    assert sorted({r["optimizer"] for r in rows}) == sorted(ENABLED)
    for key in ENABLED:
        mine = [r for r in rows if r["optimizer"] == key]
        run = st["runs"][key]
        assert [[float(r["x"]), float(r["y"])] for r in mine] == run["points"]
        assert all(r["outcome"] == run["outcome"] for r in mine)
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
    assert data["runs"]["adam"]["stats"]["outcome"] == st["runs"]["adam"]["outcome"]
    # The statistics table as CSV: one row per shown optimizer, pycore's final figures.
    with page.expect_download() as d:
        page.click("#export-stats")
    d.value.save_as(tmp_path / "stats.csv")
    stats = list(csv.DictReader(io.StringIO((tmp_path / "stats.csv").read_text())))
    assert [r["optimizer"] for r in stats] == ENABLED
    assert all(r["outcome"] == st["runs"][r["optimizer"]]["outcome"] for r in stats)
    # PNG: the plot with its contour colours, the enabled paths and the axes' text.
    with page.expect_download() as d:
        page.click("#export-png")
    d.value.save_as(tmp_path / "plot.png")
    img = Image.open(tmp_path / "plot.png").convert("RGB")
    geo = page.evaluate("optviz.geometry()")
    assert img.width >= geo["width"] * 2
    colours = img.getcolors(maxcolors=1 << 20)
    assert len(colours) > 200  # filled contour bands and the colour bar, not a blank image
    meta = {o["key"]: o for o in catalog.catalog()["optimizers"]}
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
    view = static.default_view()
    assert (st["surface"], st["start"], st["enabled"], st["steps"]) == (view["surface"], view["start"],
                                                                         view["enabled"], view["steps"])
    assert st["options"] == {"schedules": {}, "noise": 0, "seed": 0, "max_grad_norm": None}
    assert st["hyperparams"] == view["hyperparams"]
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
        assert page.evaluate("optviz.flushShare().then(() => location.hash)") == api_share.encode_view(view)
        assert (got["start"], got["steps"], got["enabled"]) == ([0.5, -0.25], 40, ["adam", "lion"])
        assert set(got["runs"]) == {"adam", "lion"} and not got["errors"]
        shot(page, f"share-link-{view['surface']}")


def _site_copy(tmp):
    """The page's files (no tests, no git, no node_modules) in a temporary folder, all three hours old."""
    site = tmp / "site"
    site.mkdir()
    for name in ("index.html", "pyscript.toml", "sw.js", "manifest.webmanifest"):
        shutil.copy2(ROOT / name, site / name)
    for folder in ("web", "pycore", "docs"):
        shutil.copytree(ROOT / folder, site / folder, ignore=shutil.ignore_patterns("__pycache__"))
    old = time.time() - 3 * 3600
    for path in site.rglob("*"):
        os.utime(path, (old, old))
    return site


def _edit(path, old, new):
    """Replace text in a file and give it back its old modification time (as a checkout would)."""
    st = path.stat()
    path.write_text(path.read_text().replace(old, new, 1))
    os.utime(path, (st.st_atime, st.st_mtime))


def _versions(page):
    """What each of three files says about its version: the page's HTML, its JavaScript, the worker's pycore."""
    return {
        "index.html": page.evaluate("document.querySelector('meta[name=optviz-test]')?.content ?? 'v1'"),
        "web/app.js": page.evaluate("window.__optvizEdit ?? 'v1'"),
        "pycore": "v2" if "EDITED" in page.evaluate("optviz.python('catalog', {})")["preset_rule"] else "v1",
    }


def _kept(context, url):
    """A first visit, until the service worker has kept the page for offline use."""
    page = context.new_page()
    page.goto(url + "index.html", wait_until="domcontentloaded")
    wait_ready(page)
    page.wait_for_function("document.documentElement.dataset.offline === 'ready'", timeout=180_000)
    return page


def _edit_to_v2(site):
    """The page's HTML, its JavaScript and the worker's pycore, each edited to say version 2 (see ``_versions``)."""
    _edit(site / "index.html", "<head>", '<head>\n  <meta name="optviz-test" content="v2">')
    _edit(site / "web" / "app.js", "main().catch(fault);", 'window.__optvizEdit = "v2";\nmain().catch(fault);')
    _edit(site / "pycore" / "browser" / "presets.py", "every other", "EDITED: every other")


@pytest.fixture
def cached_context(browser):
    """A context with the browser's HTTP cache on: Playwright's request routing (which the other tests use to
    block the network) turns the cache off, and the cache is what could serve a stale file. Requests leaving
    loopback are recorded instead, and the test fails on any."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="allow")
    off = []
    local = lambda u: u.startswith(("blob:", "data:")) or urllib.parse.urlsplit(u).hostname in LOOPBACK  # noqa: E731
    ctx.on("request", lambda r: local(r.url) or off.append(r.url))
    errors = []
    ctx.on("weberror", lambda e: errors.append(str(e.error)))
    yield ctx
    ctx.close()
    assert not off, f"requests outside loopback: {off}"
    assert not errors, errors


def test_a_reload_after_an_edit_is_never_a_mix_online_or_offline(cached_context, tmp_path):
    """Visit, edit three files keeping their old modification times, reload: every file is the new version (the
    service worker revalidates each one; tools/serve.py compares content). Then stop the server: the offline
    reload is the new version too, all of it (the snapshot is replaced in one step)."""
    site = _site_copy(tmp_path)
    with serve(site) as url:
        page = _kept(cached_context, url)
        assert _versions(page) == {"index.html": "v1", "web/app.js": "v1", "pycore": "v1"}
        _edit_to_v2(site)
        page.reload(wait_until="domcontentloaded")
        wait_ready(page)
        assert _versions(page) == {"index.html": "v2", "web/app.js": "v2", "pycore": "v2"}
        tab = page.context.new_page()                   # a new tab: the browser's normal (non-reload) caching
        tab.goto(url + "index.html", wait_until="domcontentloaded")
        wait_ready(tab)
        assert _versions(tab) == {"index.html": "v2", "web/app.js": "v2", "pycore": "v2"}
        tab.close()
        page.wait_for_function("document.documentElement.dataset.offline === 'ready'", timeout=180_000)
        assert "all from the version on screen" in page.locator("#offline-status").inner_text()
    # The server is gone: every file comes from the service worker's snapshot, which is the new version.
    page.reload(wait_until="domcontentloaded")
    wait_ready(page)
    assert _versions(page) == {"index.html": "v2", "web/app.js": "v2", "pycore": "v2"}
    page.wait_for_function("document.documentElement.dataset.offline === 'offline'", timeout=180_000)
    assert page.locator("#offline-status").inner_text() == ("Offline: this page runs from the copy this browser "
                                                            "kept, all of one version.")
    # Files loaded only on demand were kept too, from the same version.
    for path in ("docs/optimizers/adam.md", "docs/comparison.md"):
        text = page.evaluate("(p) => fetch(p).then((r) => r.ok ? r.text() : `HTTP ${r.status}`)", path)
        assert text == (site / path).read_text(), path
    page.evaluate("optviz.clickAt(0.5, 0.5, { play: false })")
    st = state(page)
    assert st["start"] == [0.5, 0.5] and st["runs"]
    shot(page, "share-offline")


def test_a_snapshot_that_fails_leaves_the_kept_copy_whole(cached_context, tmp_path):
    """Visit (version 1 kept), edit three files and remove one the snapshot must keep, reload: online the page is
    version 2, but its snapshot fails, so the status says the previous copy is kept. Offline, the reload is version
    1, all of it: a file fetched for the failed snapshot never replaces its kept version (the Cache API ignores a
    URL's fragment, so a key that carried the version there let it)."""
    site = _site_copy(tmp_path)
    with serve(site) as url:
        page = _kept(cached_context, url)
        _edit_to_v2(site)
        (site / "docs" / "comparison.md").unlink()
        page.reload(wait_until="domcontentloaded")
        wait_ready(page)
        assert _versions(page) == {"index.html": "v2", "web/app.js": "v2", "pycore": "v2"}
        page.wait_for_function("document.documentElement.dataset.offline === 'partial'", timeout=180_000)
        assert "the previous copy (1 file could not be fetched now)" in page.locator("#offline-status").inner_text()
    page.reload(wait_until="domcontentloaded")
    wait_ready(page)
    assert _versions(page) == {"index.html": "v1", "web/app.js": "v1", "pycore": "v1"}
    text = page.evaluate("fetch('docs/comparison.md').then((r) => r.ok ? r.text() : `HTTP ${r.status}`)")
    assert text == (ROOT / "docs" / "comparison.md").read_text()
