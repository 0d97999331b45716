"""Shared test set-up.

* The repository root is put on sys.path so `import pycore` works from a clean clone.
* Inside Pyodide (sys.platform == "emscripten", see tests/pyodide/run_pytest.mjs) only pycore's own tests are
  collected: the browser and desktop (numpy/matplotlib) tests and the Pyodide launcher itself are left out,
  and hypothesis has no deadline (WebAssembly timing is uneven).
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

IN_PYODIDE = sys.platform == "emscripten"

# Test files that need the desktop stack, a browser or a subprocess, or that check files CPython generates at build
# time (web/first_view.json: Pyodide's libm pow may round a loss an ulp differently); never collected in Pyodide.
NOT_IN_PYODIDE = ["browser/*", "pyodide/*", "test_pyodide.py", "test_docs.py", "test_figures.py",
                  "test_comparison_table.py", "test_bench.py", "test_webapp.py", "test_notebooks.py",
                  "test_static.py"]
collect_ignore_glob = NOT_IN_PYODIDE if IN_PYODIDE else []

try:
    from hypothesis import settings
    settings.register_profile("pyodide", deadline=None)
    settings.register_profile("default", deadline=None)
    settings.load_profile("pyodide" if IN_PYODIDE else "default")
except ImportError:  # hypothesis is a test dependency; its absence only disables the profiles
    pass
