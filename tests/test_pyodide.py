"""pycore inside Pyodide (the npm package under Node, the same build the page runs).

1. pycore's own pytest suite passes inside Pyodide (tests/pyodide/run_pytest.mjs).
2. The same runs give the same numbers in CPython and in Pyodide (tests/pyodide/parity.py).
"""
import json
import math
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
RUNNER = ROOT / "tests" / "pyodide" / "run_pytest.mjs"
pytestmark = pytest.mark.pyodide


def _node(*args, timeout=900):
    if shutil.which("node") is None:
        pytest.fail("node is required to run pycore inside Pyodide (install Node.js; `make test` expects it)")
    if not (ROOT / "node_modules" / "pyodide").is_dir() or not list((ROOT / ".make" / "wheels").glob("*.whl")):
        pytest.fail("Pyodide or the test wheels are missing: run `make test`, which installs them")
    return subprocess.run(["node", str(RUNNER), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_pycore_suite_passes_inside_pyodide():
    r = _node("-q", "-p", "no:cacheprovider", "tests")
    tail = "\n".join(r.stdout.splitlines()[-30:])
    print(tail)
    assert r.returncode == 0, f"pytest inside Pyodide failed:\n{tail}\n{r.stderr[-3000:]}"
    assert " passed" in tail


def test_same_numbers_in_cpython_and_pyodide():
    script = "tests/pyodide/parity.py"
    cpy = subprocess.run([sys.executable, script], cwd=ROOT, capture_output=True, text=True, check=True)
    pyo = _node("--script", script)
    assert pyo.returncode == 0, pyo.stderr[-3000:]
    a = json.loads(cpy.stdout)
    b = json.loads(pyo.stdout.strip().splitlines()[-1])
    assert a.keys() == b.keys()
    worst = 0.0
    for key in a:
        (sa, pa, la, na), (sb, pb, lb, nb) = a[key], b[key]
        assert (sa, na) == (sb, nb), key
        for u, v in zip([*pa, la], [*pb, lb]):
            worst = max(worst, abs(u - v) / max(abs(u), abs(v), 1e-300))
            assert math.isclose(u, v, rel_tol=1e-9, abs_tol=1e-12), (key, u, v)
    print(f"{len(a)} runs; worst relative difference CPython vs Pyodide: {worst:.3g}")
