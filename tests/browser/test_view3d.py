"""The 3-D view (web/view3d.js) in Chromium, through tests/browser/view3d_harness.html: Rosenbrock on
[-2, 2] x [-1, 3] with log levels and three runs computed in the harness (Adam and Momentum converging, SGD
diverging out of the view). Checked on the pixels drawn and on the view's snapshot() hook, at a desktop and a
phone size; screenshots go to tests/artifacts/ for a person to look at.
"""
import pytest

from pagekit import shot

pytestmark = pytest.mark.browser

HARNESS = "tests/browser/view3d_harness.html"
MODULE = "const h = await import('/tests/browser/view3d_harness.js');"
# Headless Chromium composites a WebGL canvas in software and its GL driver says so once per context, as a
# console warning (an empty WebGL page does the same): the only warning allowed.
SOFTWARE_COMPOSITING = "GPU stall due to ReadPixels"
MOMENTUM, SGD = "#0072B2", "#D55E00"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


def js(page, body, arg=None):
    """Runs `body` (statements ending in a return) with the harness module as `h`."""
    return page.evaluate(f"async (arg) => {{ {MODULE} {body} }}", arg)


def draw(page, step, enabled):
    js(page, "h.view.draw(arg.step, new Set(arg.enabled)); await h.frames(); return null;", {"step": step, "enabled": enabled})


def snapshot(page):
    return js(page, "return h.view.snapshot();")


def pixels(page, colours, tol=24):
    return js(page, "return h.pixels(arg.colours, arg.tol);", {"colours": colours, "tol": tol})


def count(page, colour):
    return pixels(page, [colour])["found"][0]["count"]


def warm_ramp(page):
    """The contour ramp's warmer end, colour(t) of web/contour.js for t = 5/7, 6/7, 1: only the mesh has
    these colours (the floor is near the ramp's coolest)."""
    return js(page, "const { colour } = await import('/web/contour.js'); return [5 / 7, 6 / 7, 1].map(colour);")


@pytest.fixture(scope="module", params=list(SIZES))
def harness(request, server, open_page):
    """The harness at one size with the view started, shared by this module's tests; no console warning."""
    width, height = SIZES[request.param]
    page, _ = open_page(server + HARNESS, width=width, height=height)
    warnings = []
    page.on("console", lambda m: m.type == "warning" and SOFTWARE_COMPOSITING not in m.text and warnings.append(m.text))
    js(page, "await h.start(); return null;")
    yield page, request.param
    assert not warnings, f"console warnings: {warnings}"


@pytest.fixture
def view(harness):
    """The shared view back at its start: all three runs at their last step, the initial camera."""
    page, size = harness
    js(page, "h.view.resetCamera(); return null;")
    draw(page, 2000, ["sgd", "momentum", "adam"])
    return page, size


def test_surface_and_paths_are_drawn(view):
    page, size = view
    px = pixels(page, warm_ramp(page) + [MOMENTUM], tol=30)
    assert px["distinct"] > 3000, "the mesh should be shaded, not flat"
    ramp = sum(f["count"] for f in px["found"][:3])
    assert ramp > 0.1 * px["opaque"], "the contour's colours should cover the mesh"
    assert px["found"][3]["count"] > 50, "Momentum's path should be visible in its colour"
    snap = snapshot(page)
    assert snap["paths"]["momentum"] == 2000 and snap["paths"]["adam"] == 2000
    assert set(snap["dots"]) == {"momentum", "adam"}  # SGD's last point is outside the view: no dot
    label = page.get_attribute("#view3d", "aria-label")
    assert label.startswith("3-D view of the loss surface Rosenbrock: height is f on a log scale")
    assert "1 global minimum" in label and "Paths of SGD, Momentum, Adam up to step 2000" in label
    assert page.get_attribute("#view3d", "role") == "img"
    shot(page, f"view3d-{size}")


def test_toggling_a_run_off_removes_its_path(view):
    page, _ = view
    assert count(page, MOMENTUM) > 50
    draw(page, 2000, ["sgd", "adam"])
    snap = snapshot(page)
    assert snap["paths"]["momentum"] == 0 and "momentum" not in snap["dots"]
    assert snap["paths"]["adam"] == 2000
    assert count(page, MOMENTUM) < 3
    assert "Paths of SGD, Adam up to step 2000" in page.get_attribute("#view3d", "aria-label")
    draw(page, 2000, ["sgd", "momentum", "adam"])
    assert snapshot(page)["paths"]["momentum"] == 2000
    assert count(page, MOMENTUM) > 50


def test_a_smaller_step_shortens_the_path(view):
    page, _ = view
    draw(page, 2000, ["momentum"])
    full = count(page, MOMENTUM)
    draw(page, 40, ["momentum"])
    snap = snapshot(page)
    assert snap["paths"] == {"sgd": 0, "momentum": 40, "adam": 0}
    assert 0 < count(page, MOMENTUM) < 0.8 * full
    draw(page, 0, ["momentum"])
    assert snapshot(page)["paths"]["momentum"] == 0


def test_a_diverging_path_is_clipped_to_the_view_box(view):
    page, _ = view
    runs = js(page, "return {n: h.runs.sgd.points.length, last: h.runs.sgd.points.at(-1)};")
    snap = snapshot(page)
    assert 0 < snap["paths"]["sgd"] <= runs["n"] - 1
    assert abs(runs["last"][0]) > 2  # it ends outside the bounds: what is drawn must stop at the box
    found = pixels(page, [SGD])["found"][0]
    assert found["count"] > 20
    left, top, right, bottom = snap["box"]
    x0, y0, x1, y1 = found["box"]
    assert left - 3 <= x0 and x1 <= right + 3 and top - 3 <= y0 and y1 <= bottom + 3


def test_hovering_a_dot_reports_it(view):
    page, _ = view
    draw(page, 150, ["momentum", "adam"])
    x, y = snapshot(page)["dots"]["momentum"]
    page.mouse.move(x + 2, y + 1)
    assert js(page, "return h.hovered.at(-1);") == "momentum"
    page.mouse.move(x + 60, y + 60)
    assert js(page, "return h.hovered.at(-1);") is None


def test_orbit_and_zoom_stay_within_limits_and_reset(view):
    page, _ = view
    home = snapshot(page)
    box = page.locator("#view3d canvas").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 150, cy - 400, steps=4)  # rotate, and tilt down as far as it goes
    page.mouse.up()
    for _ in range(3):
        page.mouse.wheel(0, 3000)  # zoom out as far as it goes
    js(page, "await h.frames(); return null;")
    moved = snapshot(page)
    assert moved["camera"] != home["camera"]
    cam, target = moved["camera"], moved["target"]
    assert cam[2] > target[2], "the camera stays above the horizon"
    dist = sum((a - b) ** 2 for a, b in zip(cam, target)) ** 0.5
    home_dist = sum((a - b) ** 2 for a, b in zip(home["camera"], home["target"])) ** 0.5
    assert dist <= 2.5 * home_dist + 1e-6
    assert count(page, warm_ramp(page)[2]) > 0, "the surface is still in view"
    js(page, "h.view.resetCamera(); await h.frames(); return null;")
    assert snapshot(page)["camera"] == pytest.approx(home["camera"], abs=1e-9)


def test_the_view_follows_its_container(view):
    page, _ = view
    size = js(page, """const el = document.getElementById('view3d'); el.style.width = '300px'; el.style.height = '200px';
        await h.frames(); const c = h.view.canvas; return [c.clientWidth, c.clientHeight];""")
    assert size == [300, 200]
    assert count(page, warm_ramp(page)[2]) > 0, "the surface is refitted into the smaller view"
    js(page, "const el = document.getElementById('view3d'); el.style.width = ''; el.style.height = ''; await h.frames(); return null;")


def test_a_new_surface_drops_the_runs(view):
    page, _ = view
    js(page, "const b = h.bowl(); h.view.setSurface(b.grid, b.surface); await h.frames(); return null;")
    assert snapshot(page)["paths"] == {}
    label = page.get_attribute("#view3d", "aria-label")
    assert label.startswith("3-D view of the loss surface Bowl: height is f over x from -1 to 1 and y from -1 to 1")
    assert "No optimizer paths shown" in label
    js(page, "h.view.setSurface(h.grid(), h.surface); h.view.setRuns(h.runs, h.meta, h.order); return null;")
    draw(page, 2000, ["sgd", "momentum", "adam"])
    assert snapshot(page)["paths"]["momentum"] == 2000


def test_dispose_removes_the_canvas(view):
    page, _ = view
    js(page, "h.view.dispose(); return null;")
    assert page.locator("#view3d canvas").count() == 0
    assert page.get_attribute("#view3d", "aria-label") is None and page.get_attribute("#view3d", "role") is None
