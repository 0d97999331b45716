"""Engine benchmark, run in CPython directly and in Pyodide via tests/pyodide/run_pytest.mjs --script.

Prints steps per second per optimizer (full per-step records, Rosenbrock, 1000 steps) and the time for all
12 optimizers x 1000 steps (target: <= 70 ms in Pyodide; 128 ms before issue 11). Best of several repeats.
"""
import json
import platform
import sys
import time

sys.path.insert(0, ".")
import pycore  # noqa: E402

STEPS, REPEATS = 1000, 5


def best(fn):
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    runtime = "pyodide" if sys.platform == "emscripten" else f"cpython {platform.python_version()}"
    per = {k: best(lambda k=k: pycore.run(k, "rosenbrock", start=(-1.5, 2.5), steps=STEPS, lr=1e-4))
           for k in pycore.OPTIMIZERS}
    total = best(lambda: [pycore.run(k, "rosenbrock", start=(-1.5, 2.5), steps=STEPS, lr=1e-4)
                          for k in pycore.OPTIMIZERS])
    print(json.dumps({"runtime": runtime, "steps_per_second": {k: round(STEPS / t) for k, t in per.items()},
                      "all_12_x_1000_ms": round(total * 1000, 1),
                      "target_ms_in_pyodide": 70}))


if __name__ == "__main__":
    main()
