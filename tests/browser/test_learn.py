"""Learn in the page: every optimizer's explanation (docs/optimizers/<key>.md) in the Explain tab with its update
rule rendered by KaTeX and its figures loaded, and the measured comparison table in a dialog.

One page load, served from a sub-path (docs and figures are fetched with relative URLs); every request off
loopback and every console error fails the tests (conftest).
"""

import pytest

import pycore

from pagekit import ARTIFACTS, serve_from_sub_path, shot

pytestmark = pytest.mark.browser

NAMES = {k: s.name for k, s in pycore.OPTIMIZERS.items()}


@pytest.fixture(scope="module")
def learn(open_page):
    """(page, watch, base URL) for the page at /some/where/optviz/."""
    with serve_from_sub_path() as base:
        page, watch = open_page(base, width=1400, height=900)
        yield page, watch, base
        page.close()


def shot_viewport(page, name):
    """What a modal dialog looks like: the window as the user sees it (a full-page shot would not show it)."""
    page.evaluate("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def panel_open(page):
    return page.locator("#learn").is_visible() and page.get_attribute("#tab-learn", "aria-selected") == "true"


def explain(page, key):
    """Opens `key`'s explanation the way a user does: the Explain button on its legend row."""
    if panel_open(page):
        page.get_by_role("tab", name="Controls").click()
    page.get_by_role("button", name=f"Explain {NAMES[key]}", exact=True).click()
    page.wait_for_function("k => document.querySelector('#learn .doc h1')?.textContent.includes(`(${k})`)", arg=key)
    return page.locator("#learn .doc")


def raw_dollars(page, root):
    """Text outside KaTeX output that still contains a `$` (math the renderer missed)."""
    return page.evaluate("""sel => {
        const out = [];
        const walk = document.createTreeWalker(document.querySelector(sel), NodeFilter.SHOW_TEXT);
        for (let n = walk.nextNode(); n; n = walk.nextNode()) {
            if (!n.parentElement.closest('.katex, code') && n.textContent.includes('$')) out.push(n.textContent);
        }
        return out;
    }""", root)


def load_images(page, root):
    """Scrolls every image of `root` into view (they load lazily) and returns [src, naturalWidth] for each."""
    return page.evaluate("""async sel => {
        const out = [];
        for (const img of document.querySelectorAll(`${sel} img`)) {
            img.scrollIntoView({ block: 'center' });
            try { await img.decode(); } catch (e) { /* reported as naturalWidth 0 */ }
            out.push([img.src, img.naturalWidth]);
        }
        return out;
    }""", root)


def tex_sources(page, root):
    """The TeX source of every display formula in `root`, read back from KaTeX's MathML annotation."""
    return page.evaluate("""sel => [...document.querySelectorAll(`${sel} .math-display`)].map(
        d => d.querySelector('annotation[encoding="application/x-tex"]')?.textContent ?? null)""", root)


# ---- a failed fetch -------------------------------------------------------------------------------------------
def test_a_doc_that_fails_to_load_says_so(learn):
    """First in this file: the page has not fetched lion.md yet (docs are cached once loaded)."""
    page, watch, _ = learn
    pattern = "**/docs/optimizers/lion.md"
    # On the context, so the request is caught also when the page's service worker makes it.
    page.context.route(pattern, lambda r: r.fulfill(status=404, body="not here"))
    try:
        if panel_open(page):
            page.get_by_role("tab", name="Controls").click()
        page.get_by_role("button", name="Explain Lion", exact=True).click()
        error = page.locator("#learn .load-error")
        error.wait_for()
        assert "docs/optimizers/lion.md" in error.inner_text() and "404" in error.inner_text()
        assert page.locator("#learn .doc").inner_text().strip() == ""
    finally:
        page.context.unroute(pattern)
    # The browser reports the 404 we caused on its console; that one message is expected, nothing else.
    expected = [e for e in watch.errors if "404" in e]
    assert len(expected) == 1, watch.errors
    watch.errors.remove(expected[0])
    # Opening it again retries (the failure is not cached).
    page.select_option("#learn-doc", "adam")
    page.wait_for_function("document.querySelector('#learn .doc h1')?.textContent.includes('(adam)')")
    page.select_option("#learn-doc", "lion")
    page.wait_for_function("document.querySelector('#learn .doc h1')?.textContent.includes('(lion)')")
    assert page.locator("#learn .load-error").is_hidden()


# ---- the Explain tab: every optimizer ---------------------------------------------------------------------
def test_every_optimizer_is_explained_with_rendered_math_and_figures(learn):
    page, _, base = learn
    for key, spec in pycore.OPTIMIZERS.items():
        doc = explain(page, key)
        assert panel_open(page), key
        assert page.locator("#learn-doc").input_value() == key
        assert doc.locator("h2", has_text="Update rule").count() == 1, key
        # The update rule is the registry's LaTeX, rendered by KaTeX; no formula failed, no raw $ is left.
        assert spec.latex.strip() in tex_sources(page, "#learn .doc"), key
        assert doc.locator(".katex").count() > 5, key
        assert doc.locator(".katex-error").count() == 0, key
        assert "$$" not in doc.inner_text(), key
        assert raw_dollars(page, "#learn .doc") == [], key
        # The hyperparameter table and every figure the doc references, fetched relative to the doc.
        assert doc.locator("table").count() >= 2, key
        images = load_images(page, "#learn .doc")
        assert len(images) >= 6, key
        for src, width in images:
            assert src.startswith(base + "visualizations/"), src
            assert width > 0, f"{key}: {src} did not load"
        if key in ("sgd", "adam", "lion"):
            page.evaluate("window.scrollTo(0, 0); document.querySelector('#learn .doc').scrollTop = 0")
            shot(page, f"10-explain-{key}")
        if key == "adam":
            page.evaluate("""() => {
                const d = document.querySelector('#learn .doc');
                d.scrollTop = [...d.querySelectorAll('h2')].find(h => h.textContent.startsWith('On a convex')).offsetTop;
                window.scrollTo(0, 0);
            }""")
            shot(page, "10-explain-adam-figures")


def test_explain_is_keyboard_accessible_and_closes(learn):
    page, _, _ = learn
    if panel_open(page):
        page.get_by_role("tab", name="Controls").click()
    button = page.get_by_role("button", name="Explain Momentum", exact=True)
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#learn .doc h1')?.textContent.includes('(momentum)')")
    assert panel_open(page)
    assert page.evaluate("document.activeElement.matches('#learn .doc')")
    # Keys in the panel scroll the text; they do not drive playback behind it.
    step = page.evaluate("optviz.state().step")
    for key in ("Space", "ArrowDown", "ArrowLeft", "End"):
        page.keyboard.press(key)
    st = page.evaluate("optviz.state()")
    assert (st["step"], st["playing"]) == (step, False)
    # The picker switches optimizers.
    page.select_option("#learn-doc", "rmsprop")
    page.wait_for_function("document.querySelector('#learn .doc h1')?.textContent.includes('(rmsprop)')")
    # Escape closes the panel and gives focus back to the button that opened it.
    page.locator("#learn .doc").focus()
    page.keyboard.press("Escape")
    assert not panel_open(page)
    assert page.locator("#legend").is_visible()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Explain Momentum"
    # The tabs: arrow keys move between Controls and Explain; the close button closes.
    page.get_by_role("tab", name="Controls").focus()
    page.keyboard.press("ArrowRight")
    assert panel_open(page)
    page.keyboard.press("ArrowLeft")
    assert not panel_open(page)
    page.get_by_role("tab", name="Explain").click()
    page.get_by_role("button", name="Close explanation").click()
    assert not panel_open(page)


def test_links_between_docs_open_in_place(learn):
    page, _, base = learn
    url = page.url
    doc = explain(page, "nesterov")
    # "about this surface" opens docs/surfaces.md at the surface's section, with a way back.
    doc.locator("a", has_text="about this surface").first.click()
    page.wait_for_function("document.querySelector('#learn .doc h1')?.textContent.includes('Loss surfaces')")
    assert page.locator("#learn-doc").input_value() == "surfaces"
    assert page.url == url  # the page's address (and its hash) is untouched
    assert doc.locator(".katex-error").count() == 0
    assert raw_dollars(page, "#learn .doc") == []
    images = load_images(page, "#learn .doc")
    assert all(w > 0 for _, w in images), images
    back = page.locator("#learn .back")
    assert back.is_visible() and "Nesterov" in back.inner_text()
    back.click()
    page.wait_for_function("document.querySelector('#learn .doc h1')?.textContent.includes('(nesterov)')")
    # A link to the comparison opens it in its dialog.
    doc.locator("a", has_text="the comparison").first.click()
    page.wait_for_selector("#compare[open] .doc table")
    page.keyboard.press("Escape")
    assert page.locator("#compare").get_attribute("open") is None


# ---- the comparison dialog ------------------------------------------------------------------------------------
def test_comparison_table_is_shown_with_its_method(learn):
    page, _, _ = learn
    if panel_open(page):
        page.get_by_role("tab", name="Controls").click()
    opener = page.get_by_role("button", name="Comparison table")
    opener.click()
    dialog = page.get_by_role("dialog", name="Optimizer comparison, measured")
    dialog.locator(".doc table").first.wait_for()
    # The method is there, in words, before the numbers.
    assert dialog.locator("h2", has_text="Method").is_visible()
    assert "same budget for every optimizer" in dialog.inner_text()
    # The table across all surfaces: one row per optimizer of the registry, in its order.
    table = dialog.locator("h2:has-text('Across all surfaces') + .table-wrap table")
    rows = table.locator("tbody tr td:first-child").all_inner_texts()
    assert rows == list(NAMES.values())
    # Every per-surface table too, and the formulas rendered.
    for t in dialog.locator("h3 ~ .table-wrap table").all()[:10]:
        assert t.locator("tbody tr").count() == len(NAMES)
    assert dialog.locator(".katex").count() >= 10
    assert dialog.locator(".katex-error").count() == 0
    assert raw_dollars(page, "#compare .doc") == []
    # Sections are one click away, including the surface shown in the plot.
    surface = page.evaluate("optviz.state().surface")
    here = dialog.locator(".toc a.here")
    assert here.is_visible() and pycore.SURFACES[surface].name in here.inner_text()
    shot_viewport(page, "11-compare")
    here.click()
    page.wait_for_timeout(100)
    shot_viewport(page, "12-compare-surface")
    dialog.get_by_role("button", name="Close comparison").click()
    assert not dialog.is_visible()
    # Escape closes it too and leaves playback alone.
    opener.click()
    step = page.evaluate("optviz.state().step")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert page.evaluate("optviz.state().step") == step


def test_narrow_screen_stacks_the_panel(learn):
    page, _, _ = learn
    page.set_viewport_size({"width": 760, "height": 900})
    try:
        explain(page, "adamw")
        box = page.locator("#learn").bounding_box()
        plot = page.locator("#plot-wrap").bounding_box()
        assert box["y"] >= plot["y"] + plot["height"]  # below the plot, never over it
        assert box["width"] <= 760
        page.locator("#learn").scroll_into_view_if_needed()
        shot(page, "13-explain-narrow")
    finally:
        page.set_viewport_size({"width": 1400, "height": 900})
