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
import statistics
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


PAIRS = 3     # interleaved 1-worker / N-worker maps: the machine's speed drifts by up to 1.5x over minutes


def _open(b, base, workers, surface, lr, warm):
    """A page with a pool of ``workers``, the surface and Adam's lr set, playback paused, and a complete map of
    ``warm`` drawn (long enough for every worker of the pool to boot and join)."""
    from pagekit import LOOPBACK, wait_ready
    ctx = b.new_context(viewport={"width": 1400, "height": 900}, service_workers="block")
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.split("/")[2].split(":")[0] in LOOPBACK else r.abort())
    page = ctx.new_page()
    page.goto(base + f"index.html?workers={workers}")
    wait_ready(page)
    page.select_option("#surface", surface)
    page.evaluate("optviz.idle()")
    page.get_by_role("button", name="Adam hyperparameters", exact=True).click()
    box = page.get_by_role("group", name="Adam hyperparameters", exact=True).get_by_label("lr value", exact=True)
    box.fill(lr)
    box.press("Enter")
    page.evaluate("optviz.idle()")
    page.evaluate("optviz.pause()")                 # the map's own cost on the page's thread, not playback's
    page.select_option("#basin-opt", warm)
    page.select_option("#basin-size", "100")
    page.check("#basin-on")
    page.wait_for_function("optviz.state().lab.basin.complete", timeout=600_000)
    return ctx, page


def _map(page, key):
    """A complete map of ``key`` from a complete map of another optimizer: (the map's state, the page's longest
    task meanwhile in ms)."""
    longest = page.evaluate("""async (key) => {
        const seen = [];
        const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => seen.push(e.duration)));
        obs.observe({ type: "longtask" });
        const sel = document.getElementById('basin-opt');
        sel.value = key; sel.dispatchEvent(new Event('change'));
        await new Promise((done) => { const check = () => optviz.state().lab.basin.complete
            && optviz.state().lab.basin.total === 10000 ? done() : setTimeout(check, 50); check(); });
        obs.disconnect();
        return seen.length ? Math.max(...seen) : 0;
    }""", key)
    return page.evaluate("optviz.state().lab.basin"), longest


def browser(surface="himmelblau", optimizer="adam", lr="0.1"):
    """The page's basin map in headless Chromium, 100 x 100 starts x 300 steps, offline, with a pool of 1 worker
    and of N = max(2, cores) workers (``?workers=``), both pages open and their maps interleaved (``PAIRS``
    pairs, alternating Adam and RMSProp): time to the complete map (workers already booted), the page's longest
    task meanwhile (target <= 50 ms), cancel latency, and fair tuning."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("browser: playwright is not installed; skipped")
        return
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from pagekit import CHROMIUM, CHROMIUM_ARGS, predicates_as_functions, serve
    predicates_as_functions()    # the page's policy refuses eval (pagekit.as_function)
    n = max(2, os.cpu_count() or 2)
    warm = "rmsprop" if optimizer != "rmsprop" else "adam"
    with serve(ROOT) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = {workers: _open(b, base, workers, surface, lr, warm) for workers in (1, n)}
        ratios = []
        for i in range(PAIRS):
            key = (optimizer, warm)[i % 2]
            times = {}
            for workers, (_, page) in pages.items():
                m, longest = _map(page, key)
                times[workers] = m["elapsed_ms"]
                print(json.dumps({"runtime": "chromium page", "workers": workers, "case": f"{surface}/{key}",
                                  "grid": "100x100x300", "map_s": round(m["elapsed_ms"] / 1000, 2),
                                  "workers_used": m["workers"], "longest_page_task_ms": round(longest),
                                  "longest_task_target_ms": 50, "global_share": round(m["global_share"], 3),
                                  "load_avg_1min": round(os.getloadavg()[0], 1)}), flush=True)
            ratios.append(times[n] / times[1])
        pages[1][0].close()
        page = pages[n][1]
        latencies = []
        for other in (warm, optimizer, warm):
            page.select_option("#basin-opt", other)
            page.wait_for_function("optviz.state().lab.basin.done > 2000", timeout=600_000)
            page.select_option("#basin-opt", optimizer if other != optimizer else warm)
            page.wait_for_function("optviz.state().lab.basin.first_chunk_ms !== null", timeout=600_000)
            latencies.append(page.evaluate("optviz.state().lab.basin.first_chunk_ms"))
        print(f"cancel by generation: the new map's first chunk {', '.join(f'{t:.0f}' for t in latencies)} ms "
              f"after the change", flush=True)
        page.uncheck("#basin-on")
        page.get_by_role("button", name="All", exact=True).click()
        page.click("#fair-tune")
        page.wait_for_function("optviz.state().lab.fair.timing", timeout=600_000)
        t = page.evaluate("optviz.state().lab.fair.timing")
        print(f"fair comparison, 12 optimizers x 9 lrs x 3 starts x 300 steps over {n} workers: "
              f"{t['total'] / 1000:.1f} s", flush=True)
        pages[n][0].close()
        print(f"basin map 100 x 100 x 300, {n} workers against 1, {PAIRS} interleaved pairs: ratios "
              f"{', '.join(f'{r:.2f}' for r in ratios)}; median {statistics.median(ratios):.2f} "
              f"(target <= 0.6 x the single worker)")
        b.close()


if __name__ == "__main__":
    main()
