"""`make bench`: every benchmark, figures printed, nothing asserted.

1. The engine in CPython and in Pyodide (tools/bench_engine.py; target: 12 optimizers x 1000 steps with
   full records <= 70 ms in Pyodide).
2. Every other tools/bench_*.py that exists (the page: time to ready vs a bare Pyodide boot, click to paths;
   the basin map), each run as its own process.
"""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def section(title, cmd):
    print(f"\n== {title}", flush=True)
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
    print("\n".join(lines[-40:]) if lines else "(no output)")
    if r.returncode != 0:
        print(f"(exited {r.returncode}) {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ''}")


def main():
    section("engine, CPython", [sys.executable, "tools/bench_engine.py"])
    section("engine, Pyodide (Node)", ["node", "tests/pyodide/run_pytest.mjs", "--script", "tools/bench_engine.py"])
    for script in sorted((ROOT / "tools").glob("bench_*.py")):
        if script.name != "bench_engine.py":
            section(script.stem.replace("bench_", ""), [sys.executable, str(script.relative_to(ROOT))])


if __name__ == "__main__":
    main()
