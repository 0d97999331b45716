"""Write tests/fixtures/golden_schedules.json: the lrs torch's schedulers give, for pycore.schedules to match.

Each case is a pycore schedule spec; torch builds the scheduler from ``pycore.schedules.torch_code(spec)`` (the
same text the page shows as the torch equivalent) around ``SGD(lr=base_lr)`` and records ``param_groups[0]
["lr"]`` before each of ``steps`` optimizer steps, calling ``scheduler.step()`` after each, as a training loop
does. Needs torch: ``python3 tools/make_golden_schedules.py``.
"""
import json
import pathlib
import sys
import warnings

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pycore.schedules import torch_code  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "golden_schedules.json"
STEPS = 300
BASE_LRS = (0.1, 0.0137, 1.0, 1e-3)

CASES = [
    {"name": "constant"},
    {"name": "step", "step_size": 1, "gamma": 0.5},
    {"name": "step", "step_size": 30},
    {"name": "step", "step_size": 7, "gamma": 0.9},
    {"name": "step", "step_size": 100, "gamma": 1.0},
    {"name": "exponential", "gamma": 0.99},
    {"name": "exponential", "gamma": 0.9},
    {"name": "exponential", "gamma": 0.5},
    {"name": "cosine", "T_max": 300},
    {"name": "cosine", "T_max": 50, "eta_min": 1e-3},
    {"name": "cosine", "T_max": 1},
    {"name": "cosine", "T_max": 7, "eta_min": 0.05},
    {"name": "cosine", "T_max": 100, "eta_min": 0.2},
    {"name": "warmup_cosine", "T_max": 295},
    {"name": "warmup_cosine", "start_factor": 0.1, "total_iters": 30, "T_max": 100, "eta_min": 1e-4},
    {"name": "warmup_cosine", "start_factor": 0.5, "total_iters": 0, "T_max": 50},
    {"name": "warmup_cosine", "start_factor": 1.0, "total_iters": 10, "T_max": 20, "eta_min": 0.01},
    {"name": "warmup_cosine", "start_factor": 0.01, "total_iters": 1, "T_max": 299},
    {"name": "warmup_cosine", "start_factor": 0.25, "total_iters": 299, "T_max": 3},
    {"name": "cyclic", "base_lr": 1e-3, "max_lr": 1e-2, "step_size_up": 50},
    {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 10, "step_size_down": 30},
    {"name": "cyclic", "base_lr": 0.1, "max_lr": 0.01, "step_size_up": 7, "step_size_down": 3},
    {"name": "cyclic", "base_lr": 1e-3, "max_lr": 0.1, "step_size_up": 20, "mode": "triangular2"},
    {"name": "cyclic", "base_lr": 1e-3, "max_lr": 0.1, "step_size_up": 25, "mode": "exp_range", "gamma": 0.99},
    {"name": "cyclic", "base_lr": 0.0, "max_lr": 1.0, "step_size_up": 1, "step_size_down": 1},
    {"name": "one_cycle", "max_lr": 0.05, "total_steps": 300},
    {"name": "one_cycle", "max_lr": 0.05, "total_steps": 300, "anneal_strategy": "linear"},
    {"name": "one_cycle", "max_lr": 1.0, "total_steps": 300, "three_phase": True},
    {"name": "one_cycle", "max_lr": 1.0, "total_steps": 350, "three_phase": True, "anneal_strategy": "linear",
     "pct_start": 0.2},
    {"name": "one_cycle", "max_lr": 0.3, "total_steps": 300, "pct_start": 0.0},
    {"name": "one_cycle", "max_lr": 0.3, "total_steps": 300, "pct_start": 0.999},
    {"name": "one_cycle", "max_lr": 0.3, "total_steps": 300, "pct_start": 0.95, "three_phase": True},
    {"name": "one_cycle", "max_lr": 2.0, "total_steps": 100, "div_factor": 1.0, "final_div_factor": 10.0},
    {"name": "one_cycle", "max_lr": 0.1, "total_steps": 1},
]


def torch_lrs(code, base_lr, steps):
    """torch's lr for optimizer steps 1..steps under the scheduler built by ``code`` (see ``torch_code``)."""
    import torch
    from torch.optim import lr_scheduler

    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=base_lr)
    scheduler = None if code.startswith("None") else eval(code, dict(vars(lr_scheduler), optimizer=optimizer))
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about a step() without gradients; nothing else
        for _ in range(steps):
            out.append(float(optimizer.param_groups[0]["lr"]))
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
    return out


def steps_for(spec):
    return min(STEPS, spec.get("total_steps", STEPS))


def main():
    import torch
    cases = []
    for i, spec in enumerate(CASES):
        base_lr = BASE_LRS[i % len(BASE_LRS)]
        steps = steps_for(spec)
        lrs = torch_lrs(torch_code(spec), base_lr, steps)
        cases.append({"spec": spec, "base_lr": base_lr, "steps": steps, "lrs": lrs})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w") as fh:
        fh.write('{"torch": %s,\n "cases": [\n' % json.dumps(torch.__version__))
        fh.write(",\n".join("  " + json.dumps(c) for c in cases))
        fh.write("\n]}\n")
    print(f"wrote {len(cases)} cases to {OUT.relative_to(ROOT)} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
