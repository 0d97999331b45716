"""The lab in Chromium, offline: basin map from the worker (the page answers clicks meanwhile), your own
function (hostile text refused, nothing runs), training surfaces with mini-batches, fair lr tuning.

One page load for this file. What the page shows is compared with pycore on CPython for the same settings.
"""
import math

import pytest

import pycore
from pycore import specs
from pycore.browser import lab
from pycore.compare import basin_map
from pycore.datasets import run_minibatch

from pagekit import enable_only, reset, settle, shot, state

pytestmark = pytest.mark.browser
WORKER_MS = 120_000   # the worker boots its own Pyodide; the machine is shared


@pytest.fixture(scope="module")
def page(server, open_page):
    p, _ = open_page(server + "index.html")
    return p



def close(a, b):
    return all(math.isclose(u, v, rel_tol=1e-9, abs_tol=1e-12) for u, v in zip(a, b))


def assert_runs_match(runs, reference):
    for key, r in runs.items():
        ref = reference(key, {k: tuple(v) if isinstance(v, list) else v for k, v in r["hyperparams"].items()})
        assert r["outcome"] == ref.outcome, key
        assert len(r["points"]) == len(ref.points), key
        for got, want in zip(r["points"], ref.points):
            assert close(got, want), (key, got, want)


def click(page, x, y):
    """A real mouse click on the data point (x, y) of the plot."""
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.click(*page.evaluate("([x, y]) => optviz.toScreen(x, y)", [x, y]))


def basin_off(page):
    if page.is_checked("#basin-on"):
        page.uncheck("#basin-on")


# ---- basin map ---------------------------------------------------------------------------------------------
def test_basin_map_from_the_worker_while_the_page_answers_clicks(page):
    reset(page, "himmelblau")
    page.select_option("#basin-opt", "adam")
    panel = page.get_by_role("group", name="Adam hyperparameters", exact=True)
    page.get_by_role("button", name="Adam hyperparameters", exact=True).click()
    box = panel.get_by_label("lr value", exact=True)
    box.fill("0.05")
    box.press("Enter")
    page.select_option("#basin-size", "100")
    page.check("#basin-on")
    page.wait_for_function("optviz.state().lab.basin.done > 0", timeout=WORKER_MS)
    # The map is still being refined: the page answers a real click and draws the runs before the map is done.
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.click(*page.evaluate("([x, y]) => optviz.toScreen(x, y)", [-2, 1]))
    page.wait_for_function("optviz.state().runs.adam && Math.abs(optviz.state().runs.adam.points[0][0] + 2) < 0.05")
    assert not page.evaluate("optviz.state().lab.basin.complete"), "the map finished before the click was answered"
    page.wait_for_function("optviz.state().lab.basin.complete", timeout=WORKER_MS)
    st = state(page)
    assert math.hypot(st["start"][0] + 2, st["start"][1] - 1) < 0.05
    assert st["runs"]["adam"]["points"][0] == st["start"]
    b = st["lab"]["basin"]
    ref = basin_map("himmelblau", "adam", 100, 100, 300, {"lr": 0.05})
    assert b["global_share"] == ref["global_share"] and b["map_optimizer"] == "adam"
    status = page.locator("#basin-status").inner_text()
    assert f"{100 * ref['global_share']:.1f}% of 10,000 starts · lr 0.05 · 300 steps · 100 × 100 grid" in status
    # Drawn between the filled bands and the isolines' frame, axes, minima and paths; legend lists the shares.
    assert page.evaluate("document.querySelector('#plot .bands').nextElementSibling.classList.contains('basin')")
    rows = page.locator("#basin-legend li").all_inner_texts()
    assert any(r.startswith("diverged") for r in rows) and any("no minimum within" in r for r in rows)
    assert sum(float(r.split()[-1].rstrip("%")) for r in rows) == pytest.approx(100, abs=0.2)
    shot(page, "lab-basin")


def test_basin_map_restarts_when_settings_change(page):
    reset(page, "six_hump_camel")
    page.select_option("#basin-size", "25")
    page.select_option("#basin-opt", "adam")
    page.check("#basin-on")
    page.wait_for_function("optviz.state().lab.basin.done > 0", timeout=WORKER_MS)
    before = state(page)["lab"]["basin"]["generation"]
    page.select_option("#basin-opt", "rmsprop")       # mid-computation: the Adam job is dropped
    page.wait_for_function("optviz.state().lab.basin.complete", timeout=WORKER_MS)
    b = state(page)["lab"]["basin"]
    assert b["generation"] > before and b["map_optimizer"] == "rmsprop"
    ref = basin_map("six_hump_camel", "rmsprop", 25, 25, 300, {})
    assert b["global_share"] == ref["global_share"]
    page.fill("#steps", "120")                          # the step budget is part of the map
    page.press("#steps", "Enter")
    page.wait_for_function("optviz.state().lab.basin.complete", timeout=WORKER_MS)
    assert state(page)["lab"]["basin"]["global_share"] == basin_map("six_hump_camel", "rmsprop", 25, 25, 120, {})["global_share"]
    page.fill("#steps", "300")
    page.press("#steps", "Enter")
    basin_off(page)
    assert page.locator("#plot .basin").count() == 0


def test_share_for_every_enabled_optimizer(page):
    reset(page, "himmelblau")
    enable_only(page, "SGD", "RMSProp", "Adam")
    page.click("#basin-all")
    page.wait_for_function("optviz.state().lab.basin.summary.done", timeout=WORKER_MS)
    shares = state(page)["lab"]["basin"]["summary"]["shares"]
    assert list(shares) == ["sgd", "rmsprop", "adam"]
    for key, share in shares.items():
        assert share == basin_map("himmelblau", key, 25, 25, 300)["global_share"], key
    rows = page.locator("#basin-all-table tbody tr").all_inner_texts()
    assert rows[0].startswith("SGD") and "lr 0.001" in rows[0]
    shot(page, "lab-basin-all")
    page.fill("#steps", "200")                          # the summary no longer describes the view
    page.press("#steps", "Enter")
    settle(page)
    assert page.locator("#basin-all-table").is_hidden()
    assert "settings changed" in page.locator("#basin-all-note").inner_text()
    page.fill("#steps", "300")
    page.press("#steps", "Enter")


# ---- your own function -------------------------------------------------------------------------------------
def test_custom_function_becomes_the_surface(page):
    reset(page, "custom")
    assert page.locator("#custom-card").is_visible()
    page.fill("#custom-expr", "(x - 1)**2 + 3*sin(y) + 0.3*cos(3*x)")
    page.wait_for_function("optviz.state().custom && optviz.state().custom.expr.endsWith('cos(3*x)')")
    st = state(page)
    assert st["surface"] == "custom" and st["custom"]["bounds"] == [[-3, 3], [-3, 3]]
    surf = specs.resolve_surface({"custom": st["custom"]["expr"], "bounds": st["custom"]["bounds"]})
    assert_runs_match(st["runs"], lambda k, hp: pycore.run(k, surf, tuple(st["start"]), st["steps"], **hp))
    titles = page.eval_on_selector_all("#plot .minima title", "ns => ns.map((n) => n.textContent)")
    assert titles and all("found numerically" in t for t in titles)
    assert page.locator("#custom-gradient").inner_text().startswith("∂f/∂x = ")
    assert page.locator("#custom-minima").inner_text() == f"Minima found numerically in the view: {len(surf.minima)}."
    for id_, v in (("#custom-x0", "-4"), ("#custom-y1", "2")):
        page.fill(id_, v)
        page.press(id_, "Enter")
    page.wait_for_function("optviz.state().custom.bounds[0][0] === -4 && optviz.state().custom.bounds[1][1] === 2")
    settle(page)
    assert page.evaluate("optviz.geometry().bounds") == [[-4, 3], [-3, 2]]
    shot(page, "lab-custom")


@pytest.mark.parametrize("text, column", [
    ("__import__('os')", 1), ("().__class__", 2), ("js.document", 1), ("9**9**9", 2), ("exp(10**400)", 7),
    ("x" * 10_000, 501), ("x + (y", 7),
])
def test_hostile_or_broken_functions_are_refused_and_nothing_runs(page, text, column):
    if state(page)["surface"] != "custom":
        reset(page, "custom")
    page.evaluate("optviz.pause()")
    before, timing = state(page), page.evaluate("JSON.stringify(optviz.timing())")
    page.fill("#custom-expr", text)
    page.press("#custom-expr", "Enter")
    settle(page)
    err = page.locator("#custom-error")
    assert err.is_visible() and err.inner_text().startswith(f"Column {column}: ")
    caret = page.locator("#custom-caret").inner_text().split("\n")
    assert caret[1].endswith("^") and len(caret[1]) - 1 <= len(caret[0])
    assert page.get_attribute("#custom-expr", "aria-invalid") == "true"
    assert state(page) == before, "a refused function changed the view"
    assert page.evaluate("JSON.stringify(optviz.timing())") == timing, "a refused function ran the optimizers"
    if text.startswith("x + ("):
        shot(page, "lab-custom-error")


def test_bad_bounds_are_refused(page):
    reset(page, "custom")
    page.fill("#custom-expr", "x**2 + y**2")
    page.press("#custom-expr", "Enter")
    settle(page)
    page.evaluate("optviz.pause()")
    before = state(page)
    for bad, words in (("-10", "x from must be less than x to"), ("1e400", "beyond the float range"),
                       ("-3 + 1e-300", "not a number"), ("0x10", "not a number"), ("", "empty")):
        page.fill("#custom-x1", bad)
        page.press("#custom-x1", "Enter")
        settle(page)
        assert words in page.locator("#custom-bounds-error").inner_text(), bad
        assert state(page) == before
    page.fill("#custom-x0", "0")
    page.fill("#custom-x1", "1e-307")                   # a view too narrow to draw: refused, the page stays live
    page.press("#custom-x1", "Enter")
    settle(page)
    assert "x range" in page.locator("#custom-bounds-error").inner_text()
    assert state(page) == before
    page.fill("#custom-x0", "-3")
    page.fill("#custom-x1", "3")
    page.press("#custom-x1", "Enter")
    settle(page)
    assert page.locator("#custom-bounds-error").is_hidden()


# ---- training surfaces -------------------------------------------------------------------------------------
def test_data_surface_with_mini_batches_and_loss_per_epoch(page):
    reset(page, "linreg")
    assert page.locator("#data-card").is_visible() and page.locator("#epoch-card").is_visible()
    assert page.locator("#surface option:checked").inner_text() == "Data: lin. regression"
    assert page.eval_on_selector("#surface option:checked", "o => o.parentElement.label") == "Data surfaces (training loss)"
    assert page.eval_on_selector_all("#plot .axis-label", "ns => ns.map((n) => n.textContent)") == ["w", "b"]
    st = state(page)
    assert st["data"] == {"dataset": "linreg", "batch_size": 48, "seed": 0}
    assert "Full batch" in page.locator("#data-note").inner_text()
    page.fill("#batch-size", "8")
    page.press("#batch-size", "Enter")
    page.fill("#data-seed", "3")
    page.press("#data-seed", "Enter")
    st = state(page)
    assert st["data"] == {"dataset": "linreg", "batch_size": 8, "seed": 3}
    assert_runs_match(st["runs"], lambda k, hp: run_minibatch(k, "linreg", tuple(st["start"]), steps=st["steps"],
                                                              batch_size=8, seed=3, **hp))
    assert "6 steps per epoch" in page.locator("#data-note").inner_text()
    # per epoch: the training loss (solid) and the validation loss (dashed) of each enabled optimizer
    assert page.locator("#epoch-chart path.line:not(.val)").count() == len(st["enabled"])
    assert page.locator("#epoch-chart path.line.val").count() == len(st["enabled"])
    before = state(page)
    for bad in ("0", "49", "2.5", "abc", "1e400"):
        page.fill("#batch-size", bad)
        page.press("#batch-size", "Enter")
        settle(page)
        assert "batch size must be a whole number from 1 to 48" in page.locator("#data-error").inner_text(), bad
        assert state(page) == before and page.input_value("#batch-size") == "8"
    shot(page, "lab-data")
    # Another surface and back: the data surface keeps its batch size and seed.
    page.select_option("#surface", "himmelblau")
    settle(page)
    page.select_option("#surface", "linreg")
    assert state(page)["data"] == {"dataset": "linreg", "batch_size": 8, "seed": 3}
    assert page.input_value("#batch-size") == "8"


# ---- fair comparison ---------------------------------------------------------------------------------------
def test_fair_tuning_applies_tuned_learning_rates(page):
    reset(page, "himmelblau")
    enable_only(page, "SGD", "Adam", "Lion")
    page.click("#fair-tune")
    click(page, 1, -1)      # the page stays live while the worker tunes
    assert state(page)["runs"]["adam"]["points"][0][0] == pytest.approx(1, abs=0.05)
    page.wait_for_function("optviz.state().lab.fair.timing", timeout=WORKER_MS)
    st = state(page)
    assert st["tuned"] == ["sgd", "adam", "lion"]
    for key in st["tuned"]:
        want = lab.tune_one("himmelblau", key, steps=st["steps"])["result"]["lr"]
        assert st["hyperparams"][key]["lr"] == want
        assert st["runs"][key]["hyperparams"]["lr"] == want
        row = page.locator(f"#legend li[data-key={key}] .lr")
        assert "tuned" in row.inner_text().lower()
    method = page.locator("#fair-method").inner_text()
    assert "9 learning rates from 0.0001 to 1" in method and "no gradient clipping" in method
    assert page.locator("#fair-table tbody tr").count() == 3
    assert page.locator("#settings-mode").inner_text() == (
        "Hyperparameters: TUNED learning rates for Himmelblau, everything else torch defaults")
    shot(page, "lab-fair")
    panel = page.get_by_role("group", name="Adam hyperparameters", exact=True)
    if not panel.is_visible():
        page.get_by_role("button", name="Adam hyperparameters", exact=True).click()
    box = panel.get_by_label("lr value", exact=True)
    box.fill("0.01")
    box.press("Enter")
    assert state(page)["tuned"] == ["sgd", "lion"]
    assert page.locator("#fair-table tbody tr").count() == 3


# ---- the view in a link ------------------------------------------------------------------------------------
@pytest.mark.parametrize("setup", ["custom", "data"])
def test_a_link_restores_a_custom_or_data_reset(page, open_page, setup):
    if setup == "custom":
        reset(page, "custom")
        page.fill("#custom-expr", "(x - 1)**2 + 2*cos(y)")
        page.press("#custom-expr", "Enter")
        page.fill("#custom-y0", "-1")
        page.press("#custom-y0", "Enter")
    else:
        reset(page, "logreg")
        page.fill("#batch-size", "16")
        page.press("#batch-size", "Enter")
        page.fill("#data-seed", "7")
        page.press("#data-seed", "Enter")
    page.evaluate("optviz.idle().then(() => { optviz.pause(); return optviz.flushShare(); })")
    want = state(page)
    other, _ = open_page(page.url)
    got = state(other)
    for key in ("surface", "custom", "data", "start", "steps", "enabled", "runs"):
        assert got[key] == want[key], key
    if setup == "custom":
        assert other.input_value("#custom-expr") == "(x - 1)**2 + 2*cos(y)" and other.input_value("#custom-y0") == "-1"
    else:
        assert other.input_value("#batch-size") == "16" and other.locator("#epoch-card").is_visible()
    other.close()
