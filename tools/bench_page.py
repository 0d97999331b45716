"""The page's performance in headless Chromium, printed (nothing asserted; `make bench` runs it).

1. Cold time to ready, each load in a fresh browser context (empty cache): the app (``data-ready``, i.e. the
   first contour drawn and clicks live) against a bare page that only ``loadPyodide()``s from the same
   web/vendor files and runs ``1+1``. Target: app <= 1.5 x bare.
2. Click to drawn paths, 12 optimizers x 500 steps: ``performance.now()`` from the start of the click
   handling (Python runs + JSON + drawing) to two animation frames later (painted). Both a click (the race
   starts at step 0) and a drag move (full paths drawn). Target: < 150 ms.
3. Playback: frames per second reached with requestAnimationFrame and the JS cost of one frame (no Python
   is called during playback).
"""
import pathlib
import statistics
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from pagekit import CHROMIUM, CHROMIUM_ARGS, LOOPBACK, predicates_as_functions, serve, wait_ready  # noqa: E402

BARE = """<!doctype html><meta charset="utf-8"><title>bare Pyodide</title>
<script type="module">
import { loadPyodide } from "./web/vendor/pyodide/pyodide.mjs";
const py = await loadPyodide({ indexURL: "./web/vendor/pyodide/" });
py.runPython("1+1");
performance.mark("bare:ready");
document.documentElement.dataset.ready = "true";
</script>"""
LOADS = 3
CLICKS = 12


def _context(browser, base):
    # The service worker is blocked: each fresh context would otherwise spend its first seconds caching the
    # runtime for offline use (a one-time cost of a first visit), which is not what these figures measure.
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, service_workers="block")

    def route(r):
        url = r.request.url
        if url == base + "__bare__.html":
            r.fulfill(body=BARE, content_type="text/html")
        elif url.split("/")[2].split(":")[0] in LOOPBACK:
            r.continue_()
        else:
            r.abort()
    ctx.route("**/*", route)
    return ctx


def cold_ready(browser, base, path, mark):
    ctx = _context(browser, base)
    page = ctx.new_page()
    page.goto(base + path)
    wait_ready(page)
    page.wait_for_function(f"performance.getEntriesByName('{mark}').length > 0")
    t = page.evaluate(f"performance.getEntriesByName('{mark}')[0].startTime")
    return t, ctx, page


def main():
    from playwright.sync_api import sync_playwright
    predicates_as_functions()    # the page's policy refuses eval (pagekit.as_function)
    with serve(ROOT) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        bare, app = [], []
        for _ in range(LOADS):  # interleaved, so machine load affects both alike
            t, ctx, _ = cold_ready(browser, base, "__bare__.html", "bare:ready")
            bare.append(t)
            ctx.close()
            t, ctx, page = cold_ready(browser, base, "index.html", "optviz:ready")
            app.append(t)
            if len(app) < LOADS:
                ctx.close()
        b, a = statistics.median(bare), statistics.median(app)
        print(f"cold start, median of {LOADS}: bare Pyodide {b:.0f} ms, app ready {a:.0f} ms, "
              f"ratio {a / b:.2f} (target <= 1.5)")
        print(f"  bare runs: {', '.join(f'{t:.0f}' for t in bare)}; app runs: {', '.join(f'{t:.0f}' for t in app)}")

        page.fill("#steps", "500")
        page.press("#steps", "Enter")
        starts = [(-1.8 + 0.3 * i, 2.8 - 0.25 * i) for i in range(CLICKS)]
        for label, play in (("click (race starts at step 0)", True), ("drag move (full paths drawn)", False)):
            rows = []
            for x, y in starts:
                page.evaluate("([x, y, play]) => { optviz.clickAt(x, y, {play}); optviz.pause(); }", [x, y, play])
                page.wait_for_function("optviz.timing().painted !== undefined")
                rows.append(page.evaluate("optviz.timing()"))
            med = {k: statistics.median(r[k] for r in rows) for k in ("python", "draw", "painted")}
            worst = max(r["painted"] for r in rows)
            print(f"{label}, 12 optimizers x 500 steps, median of {CLICKS}: Python+JSON {med['python']:.1f} ms, "
                  f"drawing {med['draw']:.1f} ms, to paint {med['painted']:.1f} ms (worst {worst:.1f}; "
                  f"target < 150)")

        page.evaluate("optviz.clickAt(-1.5, 2.5, {play: false}); optviz.setStep(0)")
        page.select_option("#speed", "60")
        fps = page.evaluate("""() => new Promise((done) => {
            const before = optviz.frameCost();
            document.getElementById('play').click();
            let frames = 0; const t0 = performance.now();
            const tick = () => {
                frames++;
                if (performance.now() - t0 < 3000) requestAnimationFrame(tick);
                else { optviz.pause(); const c = optviz.frameCost();
                       done({fps: frames / ((performance.now() - t0) / 1000), count: c.count - before.count,
                             mean: (c.total - before.total) / Math.max(1, c.count - before.count), max: c.max}); }
            };
            requestAnimationFrame(tick);
        })""")
        print(f"playback at 60 steps/s for 3 s: {fps['fps']:.1f} frames/s (display rate), {fps['count']} redraws, "
              f"JS per redraw mean {fps['mean']:.2f} ms, max {fps['max']:.2f} ms; no Python calls while playing")
        browser.close()


if __name__ == "__main__":
    main()
