"""Write web/first_view.json, the page's opening view computed by pycore (``pycore.browser.static``), so the page
draws its first contour and race before Python has started. ``make static``; tests/test_static.py fails when
the file is stale."""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pycore.browser.static import first_view  # noqa: E402

OUT = ROOT / "web" / "first_view.json"


def text():
    return json.dumps(first_view(), allow_nan=False, separators=(",", ":"), ensure_ascii=False) + "\n"


if __name__ == "__main__":
    OUT.write_text(text())
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KiB)")
