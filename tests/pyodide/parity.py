"""Prints, as JSON, the final state of a fixed set of runs: every optimizer on every surface from its default
start, plus noisy and scheduled runs. tests/test_pyodide.py runs this in CPython and in Pyodide and compares."""
import json
import sys

sys.path.insert(0, ".")
import pycore  # noqa: E402

out = {}
for s in pycore.SURFACES:
    for o in pycore.OPTIMIZERS:
        t = pycore.run(o, s, steps=200)
        out[f"{o}/{s}"] = [t.outcome, t.points[-1], t.losses[-1], len(t.points)]
    t = pycore.run("sgd", s, steps=100, noise=0.3, seed=7, lr=1e-3)
    out[f"noisy/{s}"] = [t.outcome, t.points[-1], t.losses[-1], len(t.points)]
print(json.dumps(out))
