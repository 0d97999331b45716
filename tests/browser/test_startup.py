"""Python starts from Pyodide's memory snapshot (web/pyodide.mjs, made by tools/vendor.py), pycore already imported:
each worker fetches it and needs neither fallback; without it, a worker starts Pyodide the ordinary way, and with
pycore's files changed since it was made, imports them afresh: the page works the same."""
import pytest

from pagekit import ROOT, wait_ready

pytestmark = pytest.mark.browser

FALLBACK = "Pyodide starts without its snapshot"
CHANGED = "pycore has changed since Pyodide's snapshot was made"


def _open(open_page, url, **kwargs):
    page, watch = open_page(url, wait=False, **kwargs)
    notes, snapshots = [], []
    page.on("console", lambda m: m.type == "warning" and notes.append(m.text))
    page.context.on("requestfinished", lambda r: r.url.endswith("/snapshot.bin.gz") and snapshots.append(r.url))
    wait_ready(page)
    return page, notes, snapshots


def test_the_worker_starts_from_the_snapshot(server, open_page):
    page, notes, snapshots = _open(open_page, server + "index.html")
    assert snapshots and not [n for n in notes if FALLBACK in n or CHANGED in n], notes
    assert page.evaluate("optviz.python('catalog').then((c) => c.optimizers.length)") == 12
    page.context.close()


def test_a_changed_pycore_is_imported_from_its_files(server, open_page):
    """A pycore file the snapshot was not made from (here one with a line added) is never mixed with the
    snapshot's copy: the worker forgets that copy, imports the files served, and says so."""
    path = "pycore/browser/catalog.py"
    changed = (ROOT / path).read_text() + "\n# changed after the snapshot was made\n"
    page, notes, _ = _open(open_page, server + "index.html", files={"/" + path: changed})
    assert [n for n in notes if CHANGED in n] and not [n for n in notes if FALLBACK in n], notes
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
