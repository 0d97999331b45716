"""Browser fixtures: the page served the way `make serve` does, one Chromium for the session, no network.

* ``server``: ``python -m http.server`` on a free loopback port, serving the repository root (tools/vendor.py
  first brings web/vendor up to date).
* ``browser``: Debian's Chromium through Playwright (Playwright cannot download its own browser here).
* ``open_page(url)``: a new context whose every request not to 127.0.0.1/localhost is aborted and recorded,
  with console errors and page errors collected; waits for ``data-ready``. Both lists must stay empty: the
  autouse ``offline_and_clean`` check fails the test otherwise.
* ``app``: the page loaded once for the session (Pyodide takes seconds to start; tests share it and set up
  the state they need through the UI or ``window.optviz``).
"""
import os
import subprocess
import sys
import urllib.parse

import pytest

from pagekit import CHROMIUM, CHROMIUM_ARGS, LOOPBACK, ROOT, predicates_as_functions, serve, wait_ready


def _ensure_vendor():
    """tools/vendor.py, idempotent: copies what is missing and makes Pyodide's snapshot again if pycore changed
    since it was made (the page would still work, importing pycore afresh, but slower and with a warning)."""
    if (ROOT / "node_modules").is_dir():      # what it copies from (make test installs it first)
        subprocess.run([sys.executable, str(ROOT / "tools" / "vendor.py")], check=True, stdout=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def server():
    _ensure_vendor()
    with serve(ROOT) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    predicates_as_functions()      # the page's policy refuses eval, which string predicates need (pagekit)
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (make test installs Debian's chromium)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watch:
    """What a page did that a test must not allow: requests off loopback, console errors, page errors."""

    def __init__(self):
        self.blocked, self.errors = [], []

    def check(self):
        assert not self.blocked, f"requests outside loopback: {self.blocked}"
        assert not self.errors, f"console errors: {self.errors}"


WATCHES = []
CONTEXTS = []      # every context open_page made and that is still open, oldest first


@pytest.fixture(scope="session")
def open_page(browser):
    """open_page(url, width=1400, height=900, wait=True, service_workers="block", files=None) -> (page, watch);
    with ``wait`` the page is ready (data-ready="true"), without it the call returns as soon as the document is
    parsed. The page's service worker (sw.js) is blocked unless a test asks for it (test_share.py's offline test),
    so no test depends on, or is slowed by, what it caches. ``files`` answers the paths it names (e.g.
    ``/web/app.js``) with the text given instead of the file's; ``missing`` answers its paths with 404."""
    def opener(url, width=1400, height=900, wait=True, service_workers="block", files=None, missing=()):
        watch = Watch()
        WATCHES.append(watch)
        ctx = browser.new_context(viewport={"width": width, "height": height}, service_workers=service_workers)
        CONTEXTS.append(ctx)

        def route(r):
            parts = urllib.parse.urlsplit(r.request.url)
            if parts.hostname in LOOPBACK and parts.path in (files or {}):
                kind = "text/javascript" if parts.path.endswith(".js") else "text/plain"
                r.fulfill(body=files[parts.path], content_type=kind)
            elif parts.hostname in LOOPBACK and parts.path in missing:
                r.fulfill(status=404, body="not here")
            elif parts.hostname in LOOPBACK:
                r.continue_()
            else:
                watch.blocked.append(r.request.url)
                r.abort()
        ctx.route("**/*", route)
        page = ctx.new_page()
        page.on("console", lambda m: m.type == "error" and watch.errors.append(m.text))
        page.on("pageerror", lambda e: watch.errors.append(f"page error: {e}"))
        page.goto(url, wait_until="domcontentloaded")
        if wait:
            wait_ready(page)
        return page, watch

    yield opener
    for ctx in CONTEXTS:
        ctx.close()
    CONTEXTS.clear()


@pytest.fixture(scope="session")
def app(server, open_page):
    """The page at the server's root, loaded once for the session."""
    page, _ = open_page(server + "index.html")
    return page


@pytest.fixture(autouse=True)
def offline_and_clean():
    """Every browser test fails on a request outside loopback or a console error, in any page it opened.

    The pages a test opened itself are closed when it ends (those of session and module fixtures, set up before
    this fixture, stay open for the tests that share them): a page left open keeps its Python workers and its
    animations running and slows every later test on this 2-core machine."""
    mine = len(CONTEXTS)
    yield
    try:
        for w in WATCHES:
            w.check()
    finally:
        for ctx in CONTEXTS[mine:]:
            ctx.close()
        del CONTEXTS[mine:]


RAF_PROBE = """() => new Promise(done => {
    const t = setTimeout(() => done(`no animation frame in 2 s (visibility ${document.visibilityState})`), 2000);
    requestAnimationFrame(() => { clearTimeout(t); done(`frames run (visibility ${document.visibilityState})`); });
})"""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser test fails, its report says for each open page whether the page still renders frames:
    Playwright's clicks wait for an animation frame, so a page that stopped rendering shows up as a click that
    times out "waiting for element to be visible, enabled and stable"."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    lines = []
    for ctx in CONTEXTS:
        for page in ctx.pages:
            try:
                lines.append(f"{page.url[:100]}: {page.evaluate(RAF_PROBE)}")
            except Exception as e:      # a closed or crashed page says so instead
                lines.append(f"{page.url[:100]}: {type(e).__name__}: {str(e)[:200]}")
    report.sections.append(("open pages", "\n".join(lines) or "none"))
