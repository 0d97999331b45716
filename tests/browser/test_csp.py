"""The page under its Content-Security-Policy, in Chromium: the policy tools/serve.py sends is in force (the same
as index.html's meta tag, which a host without headers relies on), and the page, its Python workers, KaTeX, the
3-D view, the lessons and the basin map's pool of workers all run under it without one violation.

Violations are caught where they happen: a ``securitypolicyviolation`` listener in the page (installed before any
of its scripts run) and one in every worker as soon as it exists; each reports on the console, which the conftest
watch turns into a failure, and into a list the test reads. A canary (an image and a fetch from an origin the
policy does not allow) proves both listeners work, so a quiet run means no violation, not a deaf listener.
"""
import pytest

from pagekit import settle
from pycore.browser import lessons as B

from csp_policy import header_policy, meta_policy, directives

pytestmark = pytest.mark.browser
WORKER_MS = 180_000        # every worker boots its own Pyodide; the machine is shared
CANARY = "http://127.0.0.2:9/csp-canary"     # not this origin: refused by img-src / connect-src before any request

PAGE_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const v = `${e.effectiveDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`;
  window.__csp.push(v);
  console.error(`CSP violation in the page: ${v}`);
});
"""
WORKER_LISTENER = """() => {
  if (self.__csp) return;
  self.__csp = [];
  self.addEventListener("securitypolicyviolation", (e) => {
    const v = `${e.effectiveDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`;
    self.__csp.push(v);
    console.error(`CSP violation in a worker: ${v}`);
  });
}"""
# Run from a timer, not from the evaluation itself (DevTools' own evaluations are exempt from the policy).
EVAL_ALLOWED = """() => new Promise((done) => setTimeout(() => {
  try { done((0, eval)("1") === 1); } catch (e) { done(e.name === "EvalError" ? false : String(e)); }
}))"""


@pytest.fixture(scope="module")
def csp_page(server, open_page):
    """(page, watch, response headers, workers) for index.html opened with the violation listeners in place."""
    page, watch = open_page(server + "manifest.webmanifest", wait=False)
    page.add_init_script(PAGE_LISTENER)
    workers = []

    def on_worker(w):
        workers.append(w)
        w.evaluate(WORKER_LISTENER)
    page.on("worker", on_worker)
    response = page.goto(server + "index.html", wait_until="domcontentloaded")
    page.wait_for_selector("html[data-ready=true]", state="attached", timeout=WORKER_MS)
    return page, watch, response.all_headers(), workers


def violations(page, workers):
    return {"page": page.evaluate("window.__csp"),
            **{f"worker {i}": w.evaluate("self.__csp ?? 'no listener'") for i, w in enumerate(workers)}}


def test_the_header_and_the_meta_tag_state_the_same_policy(csp_page):
    page, _, headers, _ = csp_page
    meta = page.evaluate("document.querySelector('meta[http-equiv=Content-Security-Policy]').content")
    assert meta == meta_policy()
    sent = directives(headers["content-security-policy"])
    assert sent == directives(header_policy())
    # A meta tag cannot carry frame-ancestors (browsers ignore it there); everything else is the same.
    assert {k: v for k, v in sent.items() if k != "frame-ancestors"} == directives(meta)
    assert sent["frame-ancestors"] == ["'none'"]


def test_page_worker_katex_lessons_and_basin_pool_run_without_a_violation(csp_page):
    page, watch, _, workers = csp_page
    assert len(workers) >= 1 and all(w.evaluate("Array.isArray(self.__csp)") for w in workers)
    # A run from a click (worker 0 answers).
    page.evaluate("optviz.clickAt(0.5, 0.5, { play: false })")
    settle(page)
    assert page.evaluate("Object.keys(optviz.state().runs).length") > 0
    # An explanation: marked + KaTeX, its figures.
    page.get_by_role("button", name="Explain Adam", exact=True).click()
    page.wait_for_selector("#learn .doc .math-display .katex", timeout=30_000)
    assert page.locator("#learn .doc .katex-error").count() == 0
    page.get_by_role("tab", name="Controls").click()
    # The comparison dialog (the same renderer, tables).
    page.locator(".compare-open", has_text="Comparison table").click()
    page.wait_for_selector("#compare .doc table", timeout=30_000)
    page.keyboard.press("Escape")
    # A lesson, played to its reveal.
    page.evaluate("location.hash = '#lesson=1'")
    card = page.locator("#lessons-card")
    card.locator(".lesson-title", has_text=B.scene(1)["title"]).wait_for(timeout=30_000)
    page.get_by_label(B.scene(1)["answers"][0], exact=True).check()
    page.select_option("#speed", "240")
    card.get_by_role("button", name="Play", exact=True).click()
    card.locator(".lesson-reveal-text").wait_for(timeout=60_000)
    card.get_by_role("button", name="Leave the lessons for the free playground").click()
    # The 3-D view (three.js, loaded on demand) and back.
    page.click("#view3d-toggle")
    page.wait_for_selector("#view3d canvas", state="attached", timeout=30_000)
    page.click("#view3d-toggle")
    # The basin map: every worker of the pool boots and computes.
    page.select_option("#basin-size", "25")
    page.check("#basin-on")
    page.wait_for_function("() => optviz.state().lab.basin.complete", timeout=WORKER_MS)
    # Workers that booted after the map was done answer too, so every worker of the pool has run pycore.
    pool = page.evaluate("""import('./web/engine.js').then((m) => Promise.all(
        Array.from({ length: m.pool.size }, (_, i) => m.pool.call(i, 'catalog', {}))).then(() => m.pool.size))""")
    assert pool >= 2 and len(workers) == pool
    settle(page)
    assert violations(page, workers) == {"page": [], **{f"worker {i}": [] for i in range(len(workers))}}
    assert not watch.errors


def test_the_policy_is_in_force_and_the_listeners_hear_a_violation(csp_page):
    """Runs last in this file: the canary's violations are expected, checked, then cleared from the watch."""
    page, watch, headers, workers = csp_page
    eval_allowed = "'unsafe-eval'" in directives(headers["content-security-policy"])["script-src"]
    assert page.evaluate(EVAL_ALLOWED) is eval_allowed
    assert all(w.evaluate(EVAL_ALLOWED) is eval_allowed for w in workers)
    page.evaluate("(u) => { new Image().src = u + '.png'; }", CANARY)
    workers[0].evaluate("(u) => new Promise((done) => setTimeout(() => fetch(u).then(done, () => done())))", CANARY)
    page.wait_for_function("() => window.__csp.some((v) => v.includes('csp-canary'))", timeout=10_000)
    found = violations(page, workers)
    assert any("img-src" in v and "csp-canary" in v for v in found["page"]), found
    assert any("connect-src" in v and "csp-canary" in v for v in found["worker 0"]), found
    heard = [e for e in watch.errors if "csp-canary" in e or "CSP violation" in e or "Content Security Policy" in e]
    assert any("in the page" in e for e in heard) and any("in a worker" in e for e in heard), watch.errors
    extra = [e for e in found["page"] + found["worker 0"] if "csp-canary" not in e and "eval" not in e]
    assert not extra, extra
    watch.errors[:] = [e for e in watch.errors if e not in heard]
