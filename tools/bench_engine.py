"""Engine benchmark, run in CPython directly and in Pyodide via tests/pyodide/run_pytest.mjs --script.

Prints steps per second per optimizer (full per-step records, Rosenbrock, 1000 steps) and the time for all
12 optimizers x 1000 steps (target: <= 70 ms in Pyodide; 128 ms before issue 11). Best of several repeats, after
``WARMUP_SECONDS`` of the same work: V8 runs Pyodide's WebAssembly first as quickly compiled baseline code and
swaps in optimized code compiled in the background, which took about a second here. The first repeat's time,
before any warm-up, is printed too.
"""
import json
import platform
import sys
import time

sys.path.insert(0, ".")
import pycore  # noqa: E402

STEPS, REPEATS, WARMUP_SECONDS = 1000, 5, 3.0


def best(fn):
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def one(key):
    return pycore.run(key, "rosenbrock", start=(-1.5, 2.5), steps=STEPS, lr=1e-4)


def all_12():
    return [one(k) for k in pycore.OPTIMIZERS]


def main():
    runtime = "pyodide" if sys.platform == "emscripten" else f"cpython {platform.python_version()}"
    t0 = time.perf_counter()
    all_12()
    first = time.perf_counter() - t0
    while time.perf_counter() - t0 < WARMUP_SECONDS:
        all_12()
    per = {k: best(lambda k=k: one(k)) for k in pycore.OPTIMIZERS}
    total = best(all_12)
    print(json.dumps({"runtime": runtime, "steps_per_second": {k: round(STEPS / t) for k, t in per.items()},
                      "all_12_x_1000_ms": round(total * 1000, 1), "target_ms_in_pyodide": 70,
                      "first_all_12_x_1000_ms_before_warm_up": round(first * 1000, 1)}))


if __name__ == "__main__":
    main()
