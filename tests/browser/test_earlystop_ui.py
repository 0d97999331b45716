"""Early stopping in Chromium, offline: the data card's checkbox and fields (typed text checked by pycore, a refused
value named and undone), the per-epoch chart's training and validation lines with each run's stop and best
epoch, the restored points on the plot, and a link that restores it all. One page load for this file; every
number is compared with pycore on CPython for the same settings."""
import math

import pytest

from pycore.browser import runs

from pagekit import enable_only, reset, settle, shot, state

pytestmark = pytest.mark.browser
ES = {"patience": 3, "min_delta": 0.0, "restore_best": True}
LR = 0.05
NAMES = {"sgd": "SGD", "adam": "Adam"}


@pytest.fixture(scope="module")
def page(server, open_page):
    p, _ = open_page(server + "index.html")
    return p


def set_lr(page, name, value):
    panel = page.get_by_role("group", name=f"{name} hyperparameters", exact=True)
    if not panel.is_visible():
        page.get_by_role("button", name=f"{name} hyperparameters", exact=True).click()
    box = panel.get_by_label("lr value", exact=True)
    box.fill(value)
    box.press("Enter")
    settle(page)


def type_into(page, selector, text):
    page.fill(selector, text)
    page.press(selector, "Enter")
    settle(page)


def reference(st, early_stopping=ES):
    spec = {"dataset": "linreg", "batch_size": 8, "seed": 0, "early_stopping": early_stopping}
    trajs, errors = runs.run_all(spec, st["start"], st["steps"], {"sgd": {"lr": LR}, "adam": {"lr": LR}})
    assert errors == {}
    return trajs


def to_end(page):
    page.evaluate("optviz.pause(); optviz.setStep(optviz.state().steps)")
    settle(page)


def centre(page, selector):
    box = page.locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def check_view(page):
    """What the page shows is pycore's early-stopped runs: paths, the chart's lines and marks, restored points."""
    st = state(page)
    trajs = reference(st)
    for key, t in trajs.items():
        got = st["runs"][key]["points"]
        assert len(got) == len(t.points) < st["steps"] + 1, key          # the run ends at its stop step
        assert all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for p, q in zip(got, t.points) for a, b in zip(p, q))
        es = t.minibatch["early_stopping"]
        stop = page.locator(f"#epoch-chart .es-stop[data-key={key}]")
        assert stop.count() == 1
        assert f"stopped after epoch {es['stopped_epoch']}" in stop.locator("title").text_content()
        best = page.locator(f"#epoch-chart .es-best[data-key={key}]")
        assert f"restored best epoch {es['best_epoch']}" in best.locator("title").text_content()
        mark = f"#plot .restored[data-key={key}] .restored-mark"
        assert page.locator(mark).is_visible()
        title = page.locator(f"{mark} title").text_content()
        assert title.startswith(f"{NAMES[key]}: restored best epoch {es['best_epoch']} (step {es['restored']['step']})")
        want = page.evaluate("([x, y]) => optviz.toScreen(x, y)", es["restored"]["point"])
        assert math.dist(centre(page, mark), want) < 1.5, key
        assert "stopped early" in page.locator(f"#legend li[data-key={key}] .badge.outcome").inner_text()
    assert page.locator("#epoch-chart path.line.val").count() == page.locator("#epoch-chart path.line:not(.val)").count() == 2
    assert page.locator("#epoch-key").inner_text().split("\n") == [
        "training loss (48 samples)", "validation loss (16 held out)", "early stop", "best epoch, restored"]
    return st


def test_early_stopping_on_a_training_surface(page, open_page):
    reset(page, "linreg")
    enable_only(page, "SGD", "Adam")
    set_lr(page, "SGD", str(LR))
    set_lr(page, "Adam", str(LR))
    type_into(page, "#batch-size", "8")
    # Off: both losses drawn per epoch, no stop marks, every run takes all its steps.
    assert page.locator("#epoch-chart path.line.val").count() == 2 and page.locator("#epoch-chart .es-stop").count() == 0
    assert not page.is_checked("#es-on") and "Off: every run takes all its steps" in page.inner_text("#es-note")
    assert all(len(r["points"]) == state(page)["steps"] + 1 for r in state(page)["runs"].values())

    page.fill("#es-patience", "3")
    page.check("#es-on")
    settle(page)
    assert state(page)["data"] == {"dataset": "linreg", "batch_size": 8, "seed": 0, "early_stopping": ES}
    note = page.inner_text("#es-note")
    assert 'EarlyStopping(monitor="val_loss", patience=3, min_delta=0, restore_best_weights=True)' in note
    assert "improves if it is below the best so far minus min_delta" in note
    to_end(page)
    st = check_view(page)
    assert page.locator("#surface-card .key li", has_text="restored best epoch").is_visible()
    page.evaluate("optviz.setStep(10)")
    assert page.locator("#plot .restored").first.is_hidden()         # shown once the run has ended
    to_end(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    settle(page)
    shot(page, "earlystop-1280")

    # Refused values: pycore's message next to the fields, nothing changes, the boxes go back.
    before = state(page)
    for selector, text, words in (
            ("#es-patience", "-1", "early stopping patience must be a whole number of at least 0; got -1"),
            ("#es-patience", "2.5", "early stopping patience must be a whole number of at least 0; got 2.5"),
            ("#es-delta", "abc", "early stopping min_delta must be a number at least 0; 'abc' is not a number"),
            ("#es-delta", "-0.1", "early stopping min_delta must be at least 0; got -0.1")):
        type_into(page, selector, text)
        assert page.inner_text("#es-error") == words
        assert state(page) == before
        assert (page.input_value("#es-patience"), page.input_value("#es-delta")) == ("3", "0")
    shot(page, "earlystop-refused")
    type_into(page, "#es-patience", "4")                 # an accepted value clears the message
    assert page.locator("#es-error").is_hidden() and state(page)["data"]["early_stopping"]["patience"] == 4
    type_into(page, "#es-patience", "3")

    # Hiding an optimizer hides its lines and marks.
    page.get_by_role("button", name="SGD", exact=True).click()
    assert page.locator("#epoch-chart path.line").count() == 2 and page.locator("#epoch-chart .es-stop").count() == 1
    assert page.locator("#plot .restored[data-key=sgd]").is_hidden()
    page.get_by_role("button", name="SGD", exact=True).click()
    assert page.locator("#epoch-chart .es-stop").count() == 2 and page.locator("#plot .restored[data-key=sgd]").is_visible()

    # A link restores it.
    page.evaluate("optviz.idle().then(() => { optviz.pause(); return optviz.flushShare(); })")
    assert "early_stopping" in page.url
    other, _ = open_page(page.url)
    got = state(other)
    for key in ("surface", "data", "start", "steps", "enabled", "runs"):
        assert got[key] == st[key], key
    assert other.is_checked("#es-on") and other.input_value("#es-patience") == "3"
    to_end(other)
    check_view(other)
    other.close()

    # The same link on a phone.
    phone, _ = open_page(page.url, width=390, height=844)
    to_end(phone)
    check_view(phone)
    shot(phone, "earlystop-390")
    phone.close()

    # Off again: every run takes all its steps and the marks go.
    page.uncheck("#es-on")
    settle(page)
    assert "early_stopping" not in state(page)["data"]
    assert page.locator("#epoch-chart .es-stop").count() == 0 and page.locator("#plot .restored").count() == 0
