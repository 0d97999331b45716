"""Basin-map benchmark: 100 x 100 starts x 300 steps for one optimizer (target: < 10 s in Pyodide).

Runs in the current interpreter, then (from CPython, when node_modules and the wheels are there) again in
Pyodide via tests/pyodide/run_pytest.mjs --script, then in the page itself (headless Chromium, the PyScript
worker of web/lab_worker.py): the time to the complete map, the worker's boot, and what cancelling costs —
the latency from a settings change to the new job's first partial map (the page stops asking for the old
job's chunks) against the boot time that terminating and restarting the worker would cost instead.
Prints wall and CPU seconds per case; asserts nothing.
"""
import json
import os
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
    if sys.platform != "emscripten":
        browser()


def browser(surface="himmelblau", optimizer="adam", lr="0.1"):
    """The page's basin map in headless Chromium, 100 x 100 starts x 300 steps, offline."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("browser: playwright is not installed; skipped")
        return
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from pagekit import CHROMIUM, CHROMIUM_ARGS, LOOPBACK, predicates_as_functions, serve, wait_ready
    predicates_as_functions()    # the page's policy refuses eval (pagekit.as_function)
    with serve(ROOT) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # The service worker is blocked: a fresh context would spend its first seconds caching the runtime.
        ctx = b.new_context(viewport={"width": 1400, "height": 900}, service_workers="block")
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.split("/")[2].split(":")[0] in LOOPBACK
                  else r.abort())
        page = ctx.new_page()
        page.goto(base + "index.html")
        wait_ready(page)
        page.select_option("#surface", surface)
        page.get_by_role("button", name="Adam hyperparameters", exact=True).click()
        box = page.get_by_role("group", name="Adam hyperparameters", exact=True).get_by_label("lr value", exact=True)
        box.fill(lr)
        box.press("Enter")
        page.select_option("#basin-opt", optimizer)
        page.select_option("#basin-size", "100")
        page.check("#basin-on")
        page.wait_for_function("optviz.state().lab.basin.complete", timeout=600_000)
        first = page.evaluate("optviz.state().lab.basin")
        print(json.dumps({"runtime": "chromium page worker", "case": f"{surface}/{optimizer} {{'lr': {lr}}}",
                          "grid": "100x100x300", "wall_s": round(first["elapsed_ms"] / 1000, 2),
                          "worker_boot_s": round(first["worker_boot_ms"] / 1000, 2),
                          "global_share": round(first["global_share"], 3),
                          "load_avg_1min": round(os.getloadavg()[0], 1)}), flush=True)
        latencies = []
        for other in ("rmsprop", optimizer, "rmsprop"):  # a change while the map is being refined
            page.select_option("#basin-opt", other)
            page.wait_for_function("optviz.state().lab.basin.done > 2000", timeout=600_000)
            page.select_option("#basin-opt", optimizer if other != optimizer else "rmsprop")
            page.wait_for_function("optviz.state().lab.basin.first_chunk_ms !== null", timeout=600_000)
            latencies.append(page.evaluate("optviz.state().lab.basin.first_chunk_ms"))
        print(f"cancel by generation (stop asking for chunks): new job's first map after "
              f"{', '.join(f'{t:.0f}' for t in latencies)} ms; terminate + restart would cost the worker's boot, "
              f"{first['worker_boot_ms']:.0f} ms, before any chunk", flush=True)
        page.uncheck("#basin-on")
        page.get_by_role("button", name="All", exact=True).click()
        page.click("#fair-tune")
        page.wait_for_function("optviz.state().lab.fair.timing", timeout=600_000)
        t = page.evaluate("optviz.state().lab.fair.timing")
        print(f"fair comparison, 12 optimizers x 9 lrs x 3 starts x 300 steps in the worker: {t['total'] / 1000:.1f} s "
              f"(slowest optimizer {max(t['per']):.0f} ms; the page's thread only applies the results)", flush=True)
        b.close()


if __name__ == "__main__":
    main()
