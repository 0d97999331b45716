"""The installable page: manifest, icons (drawn by tools/make_icons.py) and the service worker's static rules.
(The browser side, a reload with the server stopped, is tests/browser/test_share.py.)"""
import importlib.util
import json
import pathlib
import re

from PIL import Image, ImageChops

ROOT = pathlib.Path(__file__).resolve().parent.parent
MANIFEST = json.loads((ROOT / "manifest.webmanifest").read_text())
SW = (ROOT / "sw.js").read_text()


def test_manifest_installs_from_the_page_folder():
    assert MANIFEST["start_url"] == "./" and MANIFEST["scope"] == "./"
    assert MANIFEST["display"] == "standalone"
    assert MANIFEST["name"] and MANIFEST["short_name"] == "optviz"
    html = (ROOT / "index.html").read_text()
    assert '<link rel="manifest" href="./manifest.webmanifest">' in html
    assert f'<meta name="theme-color" content="{MANIFEST["theme_color"]}">' in html


def test_icons_exist_at_their_declared_sizes_and_are_the_tools_drawing():
    spec = importlib.util.spec_from_file_location("make_icons", ROOT / "tools" / "make_icons.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    purposes = set()
    for icon in MANIFEST["icons"]:
        path = ROOT / icon["src"]
        w, h = (int(v) for v in icon["sizes"].split("x"))
        img = Image.open(path)
        assert img.size == (w, h) and icon["type"] == "image/png"
        maskable = icon.get("purpose") == "maskable"
        purposes.add(icon.get("purpose", "any"))
        drawn = tool.draw(w, maskable=maskable)
        assert ImageChops.difference(img.convert("RGBA"), drawn.convert("RGBA")).getbbox() is None, path
    assert {"any", "maskable"} <= purposes
    assert {192, 512} <= {int(i["sizes"].split("x")[0]) for i in MANIFEST["icons"]}


def test_service_worker_revalidates_and_snapshots_only_its_origin():
    """Online every file is revalidated (no stale copy); offline files come from one complete snapshot; nothing
    leaves the page's origin (the browser test in tests/browser/test_share.py checks the behaviour)."""
    assert 'fetch(request, { cache: "no-cache" })' in SW and 'fetch(url, { cache: "no-cache" })' in SW
    assert "new URL(request.url).origin !== self.location.origin" in SW
    assert "await cache.put(MANIFEST" in SW          # the new snapshot replaces the old in one write
    assert not re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}", SW)


def _page_files():
    files = [ROOT / "index.html", ROOT / "pyscript.toml", ROOT / "sw.js", ROOT / "manifest.webmanifest"]
    return files + [p for p in (ROOT / "web").glob("*") if p.is_file()]


def test_no_address_outside_the_page_origin():
    """Only relative URLs (the page works from any sub-path); the SVG namespace URI is not a request."""
    pattern = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
    for path in _page_files():
        if path.suffix in (".png", ".json"):
            continue
        text = path.read_text().replace('"http://www.w3.org/2000/svg"', "")
        found = [m.group(0) for m in pattern.finditer(text)]
        assert not found, f"{path.name} names {found}"
    html = (ROOT / "index.html").read_text()
    for ref in re.findall(r'(?:src|href|config)="([^"]+)"', html):
        assert ref.startswith("./") or ref.startswith("data:"), ref


def test_files_kept_for_offline_use_exist():
    """What the page asks the service worker to keep besides what it loaded: the 3-D view and three.js's files
    (web/vendor is made by `make vendor`, which `make test` runs first)."""
    share = (ROOT / "web" / "share.js").read_text()
    block = re.search(r"export const THREE_FILES = \[(.*?)\]", share, re.S).group(1)
    names = re.findall(r'"([^"]+)"', block)
    assert len(names) == 6
    for name in names:
        assert (ROOT / "web" / "vendor" / "three" / name).is_file(), name
    assert '"web/view3d.js"' in share and (ROOT / "web" / "view3d.js").is_file()


def _static_imports(start):
    """Every module ``web/<start>`` imports statically, transitively, as paths relative to web/ (in order)."""
    seen, todo = [], [start]
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.append(name)
        base = pathlib.PurePosixPath(name).parent
        source = (ROOT / "web" / name).read_text()
        for m in re.finditer(r'^\s*import\s[^;]*?from\s*"(\.[^"]+)"', source, re.M):
            todo.append(str(base / m.group(1)).replace("/./", "/").removeprefix("./"))
    return seen[1:]


def test_every_module_of_the_first_paint_is_preloaded_with_pyscripts():
    """index.html fetches every module app.js imports statically (what the first paint needs), and PyScript's core
    (for the worker, created before the opening view is drawn), at once: a module found only when its importer has
    run would start the worker late."""
    html = (ROOT / "index.html").read_text()
    preloaded = re.findall(r'<link rel="modulepreload" href="\./web/([^"]+)">', html)
    core = ROOT / "web" / "vendor" / "pyscript" / "core.js"
    if not core.exists():
        import pytest
        pytest.skip("web/vendor is not there yet (make vendor)")
    chunk = re.search(r'from"\./(core-[\w-]+\.js)"', core.read_text()).group(1)
    expected = _static_imports("app.js") + ["vendor/pyscript/core.js", f"vendor/pyscript/{chunk}"]
    assert sorted(preloaded) == sorted(expected)
    for name in preloaded:
        assert (ROOT / "web" / name).is_file(), name
