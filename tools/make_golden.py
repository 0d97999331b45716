"""Regenerate tests/fixtures/golden_torch.json: reference trajectories from torch.optim and lion-pytorch.

Every pycore optimizer (torch's defaults and several non-default settings each) runs STEPS steps on two
surfaces from two starts each, in float64 (``torch.set_default_dtype(torch.float64)``). Each step records the
gradient used, the new parameters and the optimizer state under torch's names, so the tests check state
parity as well as the path.

torch is run twice, in subprocesses: once with ``ATEN_CPU_CAPABILITY=default`` (plain two-rounding kernels,
which pycore reproduces bit for bit) and once with the machine's normal kernels (AVX2/AVX512, fused
multiply-adds; pycore agrees to about 1e-15 relative). The first is stored in full; the second as the signed
distance in ulps from the first, which is exact and keeps the file small (see ``ulp_diff``/``ulp_apply``).

The gradient fed to torch is the surface's formula written in pycore's expression order (so pycore's
``Surface.grad`` reproduces it bit for bit, which the tests check); at every step it is also checked
against torch autograd of ``f`` to 1e-12.

    python3 tools/make_golden.py          # needs torch==2.13.0 and lion-pytorch==0.2.5
"""
import json
import math
import os
import pathlib
import platform
import struct
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "golden_torch.json"
STEPS = 50


# --- surfaces: f for autograd, grad in pycore's expression order ------------------------------------------
def rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def rosenbrock_grad(x, y):
    r = y - x * x
    return -2.0 * (1.0 - x) - 4.0 * 100.0 * x * r, 2.0 * 100.0 * r


def himmelblau(x, y):
    return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2


def himmelblau_grad(x, y):
    a, b = x * x + y - 11.0, x + y * y - 7.0
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


SURFACES = {
    # key: (f, grad, starts, formula)
    "rosenbrock": (rosenbrock, rosenbrock_grad, [(-1.5, 2.5), (-1.0, 0.5)],
                   "f = (1 - x)^2 + 100 (y - x^2)^2; grad = (-2(1 - x) - 400 x r, 200 r), r = y - x^2"),
    "himmelblau": (himmelblau, himmelblau_grad, [(-1.5, -4.5), (0.0, 0.0)],
                   "f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2; grad = (4 x a + 2 b, 2 a + 4 y b), "
                   "a = x^2 + y - 11, b = x + y^2 - 7"),
}

# --- settings: registry key -> list of hyperparameter dicts (pycore names = torch names) ----------------
SETTINGS = {
    "sgd": [{}, {"weight_decay": 0.1}, {"lr": 2e-4, "momentum": 0.9, "dampening": 0.5},
            {"lr": 1e-4, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}],
    "momentum": [{}, {"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.05}],
    "nesterov": [{}, {"lr": 5e-4, "momentum": 0.8, "weight_decay": 0.1}],
    "adagrad": [{}, {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.5},
                {"lr": 0.05, "weight_decay": 0.1, "eps": 1e-6}],
    "rmsprop": [{}, {"centered": True}, {"lr": 1e-3, "centered": True, "momentum": 0.9},
                {"lr": 1e-3, "alpha": 0.9, "weight_decay": 0.01, "eps": 1e-6, "momentum": 0.5}],
    "adadelta": [{}, {"lr": 0.5, "rho": 0.5, "eps": 1e-4, "weight_decay": 0.1}],
    "adam": [{}, {"lr": 0.05, "amsgrad": True}, {"lr": 0.02, "weight_decay": 0.1},
             {"lr": 0.02, "weight_decay": 0.1, "decoupled_weight_decay": True},
             {"lr": 0.05, "betas": [0.5, 0.9], "eps": 1e-3}],
    "adamw": [{}, {"lr": 0.05, "weight_decay": 0.5, "amsgrad": True}],
    "nadam": [{}, {"lr": 0.01, "momentum_decay": 0.05, "weight_decay": 0.1},
              {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}],
    "radam": [{}, {"lr": 3e-3, "weight_decay": 0.1, "decoupled_weight_decay": True},
              {"lr": 2e-3, "betas": [0.8, 0.99], "weight_decay": 0.05}],
    "adamax": [{}, {"lr": 0.05, "betas": [0.8, 0.99], "weight_decay": 0.1}],
    "lion": [{}, {"lr": 1e-3, "weight_decay": 0.5}, {"lr": 1e-3, "weight_decay": 1e-3, "decoupled_weight_decay": True},
             {"lr": 3e-3, "betas": [0.95, 0.98]}],
}

# Runs with a learning rate that changes every step (lr_k = lr * LR_FACTOR**k, set on the param group before
# step k+1), on the first Rosenbrock start: they pin down which lr a rule uses where (decoupled decay uses the
# current lr; Lion's decoupled decay divides by the initial lr).
LR_FACTOR = 0.95
SCHEDULED = [("adagrad", {"lr": 0.1, "lr_decay": 0.01}), ("adam", {"lr": 0.05, "weight_decay": 0.1,
             "decoupled_weight_decay": True}), ("lion", {"lr": 3e-3, "weight_decay": 0.1,
             "decoupled_weight_decay": True}), ("momentum", {"lr": 2e-4, "dampening": 0.1})]

# The torch constructor each registry entry stands for, with the arguments the entry pins.
TORCH = {
    "sgd": ("torch.optim.SGD", {}), "momentum": ("torch.optim.SGD", {"momentum": 0.9}),
    "nesterov": ("torch.optim.SGD", {"momentum": 0.9, "nesterov": True}),
    "adagrad": ("torch.optim.Adagrad", {}), "rmsprop": ("torch.optim.RMSprop", {}),
    "adadelta": ("torch.optim.Adadelta", {}), "adam": ("torch.optim.Adam", {}), "adamw": ("torch.optim.AdamW", {}),
    "nadam": ("torch.optim.NAdam", {}), "radam": ("torch.optim.RAdam", {}), "adamax": ("torch.optim.Adamax", {}),
    "lion": ("lion_pytorch.Lion", {}),
}


def torch_kwargs(key, hyperparams):
    """(constructor name, keyword arguments) for a registry key and user hyperparameters."""
    ctor, pinned = TORCH[key]
    kwargs = {**pinned, **hyperparams}
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    return ctor, kwargs


def torch_run(key, hyperparams, surface, start, steps, lrs=None):
    """Run torch's optimizer; returns dict(grads, points, states) as Python floats (states by torch name).
    Stops early if the gradient overflows (a diverging run)."""
    import torch
    import lion_pytorch

    torch.set_default_dtype(torch.float64)
    f, grad = SURFACES[surface][:2]
    ctor, kwargs = torch_kwargs(key, hyperparams)
    module, name = ctor.rsplit(".", 1)
    cls = getattr(lion_pytorch if module == "lion_pytorch" else torch.optim, name)
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = cls([p], **kwargs)
    grads, points, states = [], [list(start)], []
    for k in range(steps):
        if lrs is not None:
            opt.param_groups[0]["lr"] = lrs[k]
        x, y = p.detach().tolist()
        g = grad(x, y)
        if not all(map(math.isfinite, g)):
            break
        check = torch.autograd.grad(f(p[0], p[1]), p)[0].tolist()
        for a, b in zip(g, check):
            assert abs(a - b) <= 1e-12 * max(1.0, abs(a)), (surface, x, y, g, check)
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        grads.append(list(g))
        points.append(p.detach().tolist())
        states.append({name: v.tolist() for name, v in opt.state[p].items()})
    return {"grads": grads, "points": points, "states": states}


def all_runs():
    """Every (key, hyperparams, surface, start, lrs) the file holds, in a fixed order."""
    runs = []
    for key, settings in SETTINGS.items():
        for hyperparams in settings:
            for surface, (_, _, starts, _) in SURFACES.items():
                for start in starts:
                    runs.append((key, hyperparams, surface, start, None))
    for key, hyperparams in SCHEDULED:
        lr = hyperparams["lr"]
        runs.append((key, hyperparams, "rosenbrock", SURFACES["rosenbrock"][2][0],
                     [lr * LR_FACTOR ** k for k in range(STEPS)]))
    return runs


def emit():
    """Child process: every run with this process's torch kernels, as JSON on stdout."""
    import torch
    out = [torch_run(key, hp, surface, start, STEPS, lrs) for key, hp, surface, start, lrs in all_runs()]
    json.dump({"capability": torch.backends.cpu.get_cpu_capability(), "runs": out}, sys.stdout)


# --- exact, compact storage of the second variant --------------------------------------------------------
def _ordered(x):
    """The float's position on the number line as an integer (adjacent floats differ by 1)."""
    b = struct.unpack("<q", struct.pack("<d", x))[0]
    return b if b >= 0 else -(b & 0x7FFFFFFFFFFFFFFF)


def ulp_diff(a, b):
    """How many floats lie between a and b (signed): b == ulp_apply(a, ulp_diff(a, b)) exactly."""
    return _ordered(b) - _ordered(a)


def ulp_apply(a, n):
    i = _ordered(a) + n
    bits = i if i >= 0 else (-i) | (1 << 63)
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def _map2(fn, a, b):
    """fn applied leaf by leaf over two equally nested lists/dicts of floats."""
    if isinstance(a, dict):
        return {k: _map2(fn, a[k], b[k]) for k in a}
    if isinstance(a, list):
        return [_map2(fn, x, y) for x, y in zip(a, b)]
    return fn(a, b)


def _child(env_extra):
    env = {**os.environ, **env_extra}
    res = subprocess.run([sys.executable, __file__, "--emit"], env=env, check=True, capture_output=True, text=True)
    return json.loads(res.stdout)


def main():
    import torch
    from importlib import metadata

    plain = _child({"ATEN_CPU_CAPABILITY": "default"})
    native = _child({})
    assert plain["capability"] == "DEFAULT", plain["capability"]
    runs = []
    for (key, hp, surface, start, lrs), a, b in zip(all_runs(), plain["runs"], native["runs"]):
        ctor, kwargs = torch_kwargs(key, hp)
        run = {"optimizer": key, "hyperparams": hp, "torch": ctor, "torch_kwargs": kwargs, "surface": surface,
               "start": list(start), **a, "native": _map2(ulp_diff, a, b)}
        if lrs is not None:
            run["lrs"] = lrs
        runs.append(run)
    doc = {
        "generator": "tools/make_golden.py",
        "torch": torch.__version__, "lion_pytorch": metadata.version("lion-pytorch"),
        "python": platform.python_version(), "machine": platform.machine(),
        "default_dtype": "float64", "steps": STEPS, "lr_factor": LR_FACTOR,
        "variants": {
            "plain": f"ATEN_CPU_CAPABILITY=default ({plain['capability']}): two roundings per op; stored in full",
            "native": f"normal kernels ({native['capability']}): fused multiply-adds; stored as ulp distances "
                      "from the plain values (ulp_apply in tools/make_golden.py)",
        },
        "surfaces": {k: {"formula": v[3], "starts": [list(s) for s in v[2]]} for k, v in SURFACES.items()},
        "note": "torch's CPU sqrt kernel is not always correctly rounded (e.g. sqrt(0.29947500000000027) gives "
                "0x1.18303f1088bf6p-1, IEEE gives ...bf7p-1), so a correctly rounded re-implementation can differ "
                "from the plain variant by an ulp where that happens",
        "state_layout": "states[k] = torch's optimizer.state[p] after step k+1; tensors as lists",
        "runs": runs,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    worst = max(abs(n) for r in runs for n in _leaves(r["native"]))
    print(f"{OUT.relative_to(ROOT)}: {len(runs)} runs x {STEPS} steps, {OUT.stat().st_size / 1e6:.2f} MB; "
          f"native vs plain kernels: at most {worst} ulp apart")


def _leaves(x):
    if isinstance(x, dict):
        x = list(x.values())
    if isinstance(x, list):
        for v in x:
            yield from _leaves(v)
    else:
        yield x


if __name__ == "__main__":
    emit() if "--emit" in sys.argv else main()
