"""Python starts from Pyodide's memory snapshot (web/pyodide.mjs, made by tools/vendor.py): each worker fetches it
and needs no fallback; without it, a worker starts Pyodide the ordinary way and the page works the same."""
import pytest

from pagekit import wait_ready

pytestmark = pytest.mark.browser

FALLBACK = "Pyodide starts without its snapshot"


def _open(open_page, url, **kwargs):
    page, watch = open_page(url, wait=False, **kwargs)
    notes, snapshots = [], []
    page.on("console", lambda m: m.type == "warning" and notes.append(m.text))
    page.context.on("requestfinished", lambda r: r.url.endswith("/snapshot.bin.gz") and snapshots.append(r.url))
    wait_ready(page)
    return page, notes, snapshots


def test_the_worker_starts_from_the_snapshot(server, open_page):
    page, notes, snapshots = _open(open_page, server + "index.html")
    assert snapshots and not [n for n in notes if FALLBACK in n], notes
    assert page.evaluate("optviz.python('catalog').then((c) => c.optimizers.length)") == 12
    page.context.close()


def test_without_the_snapshot_the_worker_starts_the_ordinary_way(server, open_page):
    page, notes, _ = _open(open_page, server + "index.html", missing={"/web/vendor/pyodide/snapshot.bin.gz"})
    assert [n for n in notes if FALLBACK in n], notes
    assert page.evaluate("optviz.python('catalog').then((c) => c.optimizers.length)") == 12
    page.context.close()


@pytest.mark.parametrize("width,height", [(1400, 900), (1280, 900), (390, 844)])
def test_the_plot_does_not_move_while_the_page_starts(server, open_page, width, height):
    """What is above the plot (the header's buttons, which the features' modules wire later) is in place from the
    first paint, so the picture a student sees first does not jump when scripts or Python arrive."""
    page, _ = open_page(server + "index.html", width=width, height=height, wait=False)
    top = "() => Math.round(document.getElementById('plot-wrap').getBoundingClientRect().top)"
    first = page.evaluate(top)
    wait_ready(page)
    page.wait_for_timeout(300)
    assert page.evaluate(top) == first
    page.context.close()
