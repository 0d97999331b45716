"""Write the page's opening view, computed by pycore (``pycore.browser.static``): ``make static``.

* ``web/first_view.json``: the data web/app.js draws the opening view from before Python has started
  (tests/test_static.py fails when it differs from what pycore computes now).
* The snapshot: that drawing itself, in ``index.html`` (the ``<svg id="plot">`` element, as web/app.js draws it
  from the file at 1280 × 900, with its contour bands as paths rather than a bitmap: web/contour.js
  ``vectorBands``). So the opening view is in the page's very first paint, before any script has run; web/app.js
  then replaces it with the live drawing. tests/browser/test_snapshot.py fails when the two differ. Making it
  needs the page drawn in Chromium (``make static`` installs what is missing); ``--json`` writes the data alone.
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pycore.browser.static import first_view  # noqa: E402

OUT = ROOT / "web" / "first_view.json"
INDEX = ROOT / "index.html"
SNAPSHOT_VIEWPORT = {"width": 1280, "height": 900}
PLOT = re.compile(r'<svg id="plot"(?P<attrs>[^>]*)>(?P<inner>.*?)</svg>', re.S)
# In the page, once the opening view is drawn: the plot, its band bitmap replaced by the same bands as paths.
SERIALIZE = """async () => {
    const { vectorBands } = await import("./web/contour.js");
    const { decodeFloats } = await import("./web/races.js");
    const first = await (await fetch("./web/first_view.json")).json();
    const plot = document.getElementById("plot");
    const copy = plot.cloneNode(true);
    const image = copy.querySelector(".bands image.iso");
    const area = Object.fromEntries(["x", "y", "width", "height"].map((k) => [k, Number(image.getAttribute(k))]));
    vectorBands(image.parentNode, { ...first.grid, values: decodeFloats(first.grid.values) }, area);
    image.remove();
    return { viewBox: plot.getAttribute("viewBox"), maxWidth: plot.style.maxWidth, inner: copy.innerHTML };
}"""


def text():
    return json.dumps(first_view(), allow_nan=False, separators=(",", ":"), ensure_ascii=False) + "\n"


def drawn(page):
    """The opening view as the page in ``page`` draws it (call once ``data-painted`` is set, at
    SNAPSHOT_VIEWPORT): {viewBox, maxWidth, inner}, the plot element's viewBox, width and content."""
    shot = page.evaluate(SERIALIZE)
    assert "<svg" not in shot["inner"], "the plot holds a nested <svg>: PLOT cannot find its end"
    return shot


def in_index():
    """The snapshot index.html holds: {viewBox, maxWidth, inner}, and its opening tag's other attributes."""
    m = PLOT.search(INDEX.read_text())
    attrs = dict(re.findall(r'([\w:-]+)="([^"]*)"', m["attrs"]))
    return {"viewBox": attrs.pop("viewBox", None), "maxWidth": attrs.pop("style", "").removeprefix("max-width: ")
            .removesuffix(";"), "inner": m["inner"], "attrs": attrs}


def write_snapshot(shot):
    """index.html's plot element from a drawing (``drawn``)."""
    page = INDEX.read_text()
    attrs = in_index()["attrs"]
    attrs.update({"class": "snapshot", "viewBox": shot["viewBox"], "style": f"max-width: {shot['maxWidth']};"})
    tag = "<svg id=\"plot\"" + "".join(f' {k}="{v}"' for k, v in attrs.items() if k != "id") + ">"
    INDEX.write_text(PLOT.sub(lambda _: tag + shot["inner"] + "</svg>", page, count=1))


def snapshot():
    """Draws the opening view in Chromium from the files on disk and writes it (``write_snapshot``)."""
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from pagekit import CHROMIUM, CHROMIUM_ARGS, predicates_as_functions, serve
    from playwright.sync_api import sync_playwright
    predicates_as_functions()
    with serve(ROOT) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport=SNAPSHOT_VIEWPORT, service_workers="block")
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
        page = ctx.new_page()
        page.goto(base + "index.html")
        page.wait_for_function("() => document.documentElement.dataset.painted === 'true'")
        write_snapshot(drawn(page))
        browser.close()


if __name__ == "__main__":
    OUT.write_text(text())
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KiB)")
    if "--json" not in sys.argv[1:]:
        snapshot()
        print(f"wrote the snapshot in index.html ({len(in_index()['inner']) // 1024} KiB)")
