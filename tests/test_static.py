"""web/first_view.json is exactly what pycore computes now (``make static`` refreshes it), and what it holds
decodes to pycore's own numbers bit for bit."""
import base64
import json
import pathlib
import struct
import sys

import pycore
from pycore.browser import static

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import make_static  # noqa: E402


def test_first_view_file_is_current():
    assert make_static.OUT.read_text() == make_static.text(), "web/first_view.json is stale: run make static"


def _floats(b64):
    raw = base64.b64decode(b64)
    return list(struct.unpack(f"<{len(raw) // 8}d", raw))


def test_the_race_in_it_is_pycore_run():
    data = json.loads(make_static.OUT.read_text())
    view, race = data["view"], data["race"]
    floats = _floats(race["floats"])
    assert set(race["runs"]) == set(pycore.OPTIMIZERS) and view["enabled"] == list(static.DEFAULT_ENABLED)
    for key, rec in race["runs"].items():
        t = pycore.run(key, view["surface"], start=tuple(view["start"]), steps=view["steps"],
                       **{k: tuple(v) if isinstance(v, list) else v for k, v in view["hyperparams"][key].items()})
        n, o = rec["n"], rec["offset"]
        assert floats[o:o + 2 * n] == [v for p in t.points for v in p]
        assert floats[o + 2 * n:o + 3 * n] == t.losses and rec["outcome"] == t.outcome
    assert len(_floats(data["grid"]["values"])) == data["grid"]["nx"] * data["grid"]["ny"]


def test_the_opening_view_uses_labelled_presets():
    view = static.default_view()
    assert view["preset_mode"] and set(view["enabled"]) <= set(view["preset"]) and view["step"] == 0
