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


def test_service_worker_cache_is_versioned_and_stays_on_its_origin():
    version = re.search(r"const VERSION = (\d+);", SW)
    assert version and "const CACHE = `optviz-v${VERSION}`;" in SW
    assert 'name.startsWith("optviz-") && name !== CACHE' in SW  # activation deletes older versions
    assert not re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}", SW)
    for path in re.findall(r'"\./([^"]*)"', SW.split("const CORE = ")[1].split(";")[0]):
        assert (ROOT / (path or "index.html")).is_file(), path
