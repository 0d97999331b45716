"""index.html's snapshot of the opening view (tools/make_static.py, ``make static``): it is exactly what the page
draws from web/first_view.json now, it is on screen before any script has run and looks like the live drawing,
and a link shows only its surface (the race there is the link's, for Python to compute)."""
import io
import sys

import numpy as np
import pytest
from PIL import Image

from pagekit import ROOT, shot

sys.path.insert(0, str(ROOT / "tools"))
import make_static  # noqa: E402

pytestmark = pytest.mark.browser

NO_SCRIPT = "// index.html's snapshot alone: tests/browser/test_snapshot.py\n"


def _painted(open_page, url):
    page, _ = open_page(url, **make_static.SNAPSHOT_VIEWPORT, wait=False)
    page.wait_for_function("() => document.documentElement.dataset.painted === 'true'")
    return page


def _bands_area(page):
    """A screenshot of the plot area's bands alone (the race, minima and status line hidden), as RGB pixels."""
    page.evaluate("""() => document.querySelectorAll('#plot .race, #plot .minima-layer, .plot-status')
        .forEach((e) => { e.style.visibility = 'hidden'; })""")
    box = page.locator("#plot .frame").bounding_box()
    png = page.screenshot(clip={k: box[k] for k in ("x", "y", "width", "height")})
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def test_the_snapshot_is_what_the_page_draws_now(server, open_page):
    page = _painted(open_page, server + "index.html")
    now, committed = make_static.drawn(page), make_static.in_index()
    stale = "index.html's snapshot of the opening view is stale: run make static"
    assert (committed["viewBox"], committed["maxWidth"]) == (now["viewBox"], now["maxWidth"]), stale
    assert committed["inner"] == now["inner"], stale
    assert committed["attrs"]["class"] == "snapshot"
    assert page.evaluate("document.querySelectorAll('#plot.snapshot').length") == 0     # replaced by the live plot
    live = _bands_area(page)
    page.context.close()

    before = _snapshot_page(open_page, server, "")
    still = _bands_area(before)
    before.context.close()
    # The same bands: paths (thinned to a quarter of a pixel) against the live bitmap, antialiased alike.
    assert still.shape == live.shape
    diff = np.abs(still - live).max(axis=2)
    assert diff.mean() < 1 and (diff > 48).mean() < 0.002, (diff.mean(), (diff > 48).mean())


def _snapshot_page(open_page, server, hash_, width=1280, height=900):
    page, _ = open_page(server + "index.html" + hash_, width=width, height=height, wait=False,
                        files={"/web/app.js": NO_SCRIPT})
    page.wait_for_load_state("load")
    return page


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_before_any_script_the_opening_view_is_on_screen(server, open_page, width, height):
    page = _snapshot_page(open_page, server, "", width, height)
    seen = page.evaluate("""() => {
        const shown = (q) => [...document.querySelectorAll(q)].filter((e) => e.getBoundingClientRect().width > 0
            && getComputedStyle(e).display !== 'none' && getComputedStyle(e).visibility !== 'hidden').length;
        const plot = document.getElementById('plot').getBoundingClientRect();
        return { snapshot: !!document.querySelector('#plot.snapshot'), bands: shown('#plot .bands path'),
                 paths: shown('#plot .race path'), width: plot.width, height: plot.height,
                 room: document.getElementById('plot-wrap').clientWidth };
    }""")
    assert seen["snapshot"] and seen["bands"] >= 10 and seen["paths"] >= 4, seen
    assert 0 < seen["width"] <= seen["room"] and seen["height"] <= max(340, height - 230) + 1, seen
    shot(page, f"snapshot-{width}")
    page.context.close()


def test_a_link_shows_the_snapshots_surface_without_its_race(server, open_page):
    page = _snapshot_page(open_page, server, "#view=linked")
    seen = page.evaluate("""() => ({
        bands: [...document.querySelectorAll('#plot .bands path')].filter((e) => e.getBoundingClientRect().width > 0).length,
        race: [...document.querySelectorAll('#plot .race')].map((g) => getComputedStyle(g).display) })""")
    assert seen["bands"] >= 10 and seen["race"] and set(seen["race"]) == {"none"}, seen
    shot(page, "snapshot-linked")
    page.context.close()
