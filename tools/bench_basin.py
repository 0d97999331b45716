"""Basin-map benchmark: 100 x 100 starts x 300 steps for one optimizer (target: < 10 s in Pyodide).

Runs in the current interpreter, then (from CPython, when node_modules and the wheels are there) again in
Pyodide via tests/pyodide/run_pytest.mjs --script. Prints wall and CPU seconds per case; asserts nothing.
"""
import json
import pathlib
import platform
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT) if sys.platform != "emscripten" else ".")
from pycore.compare import basin_map  # noqa: E402

CASES = [("himmelblau", "sgd", {"lr": 0.01}), ("himmelblau", "adam", {"lr": 0.1}),
         ("rosenbrock", "adam", {"lr": 0.05}), ("six_hump_camel", "rmsprop", {"lr": 0.01}),
         ("rastrigin", "momentum", {"lr": 0.01})]


def main():
    runtime = "pyodide" if sys.platform == "emscripten" else f"cpython {platform.python_version()}"
    for surface, optimizer, hp in CASES:
        wall, cpu = time.perf_counter(), time.process_time()
        m = basin_map(surface, optimizer, 100, 100, 300, hp)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(json.dumps({"runtime": runtime, "case": f"{surface}/{optimizer} {hp}", "grid": "100x100x300",
                          "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                          "global_share": round(m["global_share"], 3)}), flush=True)
    pyodide_ready = (ROOT / "node_modules" / "pyodide").exists() and (ROOT / ".make" / "wheels").exists()
    if sys.platform != "emscripten" and pyodide_ready:
        subprocess.run(["node", "tests/pyodide/run_pytest.mjs", "--script", "tools/bench_basin.py"], cwd=ROOT)


if __name__ == "__main__":
    main()
