"""docs/comparison.md is what the code measures: cells recomputed at full size, the page re-rendered from its data,
and the whole pipeline run at a reduced grid. Timing is machine-dependent and is excluded throughout."""
import json
import math
import statistics

import pytest

import pycore
from desktop import comparison, settings

# Recomputed at FULL size on every test run: one convex and one multimodal surface, every optimizer (~10 s).
FULL_SIZE_SUBSET = ("quadratic", "himmelblau")


@pytest.fixture(scope="module")
def committed():
    return comparison.load()


def test_committed_data_is_a_full_size_run_of_every_optimizer(committed):
    assert committed["plan"] == json.loads(json.dumps(comparison.FULL._asdict()))
    assert committed["surfaces"] == list(comparison.SURFACES)
    assert committed["optimizers"] == list(pycore.OPTIMIZERS)
    assert committed["settings"] == settings.SETTING_TEXT


@pytest.mark.parametrize("surface", FULL_SIZE_SUBSET)
def test_committed_cells_equal_a_fresh_full_size_measurement(committed, surface):
    fresh = json.loads(json.dumps(comparison.measure(comparison.FULL, [surface], processes=2, timing=False)))
    assert fresh["cells"][surface] == committed["cells"][surface]
    section = comparison.surface_section(fresh, surface)
    assert section in comparison.MD.read_text()


def test_committed_markdown_is_rendered_from_the_committed_data(committed):
    md = comparison.MD.read_text()
    assert comparison.strip_timing(md) == comparison.strip_timing(comparison.render(committed))


def test_state_memory_matches_the_rules_state(committed):
    for key in pycore.OPTIMIZERS:
        per_param, scalars = comparison.state_memory(key)
        assert committed["memory"][key] == {"per_parameter": per_param, "scalars": scalars}
    assert committed["memory"]["sgd"]["per_parameter"] == []          # momentum 0: torch allocates no buffer
    assert committed["memory"]["adam"]["per_parameter"] == ["exp_avg", "exp_avg_sq"]


def test_measure_setting_agrees_with_independent_runs():
    """The lockstep runner's metrics equal the ones computed from pycore.run one start at a time."""
    plan = comparison.FULL._replace(grid=3, steps=200)
    surf = pycore.SURFACES["two_wells"]
    for key in ("momentum", "adam", "radam"):
        got = comparison.measure_setting(key, "two_wells", plan, {"lr": 0.05})
        runs = [pycore.run(key, surf, start=s, steps=plan.steps, tol=plan.tol, lr=0.05)
                for s in comparison.starts(surf, plan.grid)]
        glob = [t for t in runs if t.reached is not None and surf.minima[t.reached].is_global]
        fstar = min(m.value for m in surf.global_minima)
        gaps = [math.inf if t.outcome == "diverged" else t.losses[-1] - fstar for t in runs]
        assert got["global"] == len(glob) / len(runs)
        assert got["diverged"] == sum(t.outcome == "diverged" for t in runs) / len(runs)
        assert got["median_steps"] == (statistics.median(t.settled_at for t in glob) if glob else None)
        assert got["median_gap"] == comparison._sig(statistics.median(gaps))


def test_sweep_summary_ranges():
    sweep = [{"lr": 0.1, "diverged": 0.0, "converged": 0.2}, {"lr": 1.0, "diverged": 0.0, "converged": 0.5},
             {"lr": 10.0, "diverged": 1.0, "converged": 0.0}]
    s = comparison.sweep_summary(sweep)
    assert s == {"divergence_rate": 1 / 3, "stable": (0.1, 1.0), "converging": (1.0, 1.0)}
    assert comparison.lr_range(s["stable"]) == "0.1 – 1" and comparison.lr_range(s["converging"]) == "1"
    assert comparison.sweep_summary([{"lr": 1.0, "diverged": 0.5, "converged": 0.0}])["stable"] is None


def test_summary_names_the_measured_best(committed):
    overall = comparison.overall(committed)
    for setting in settings.SETTINGS:
        best = max(v[setting] for v in overall.values())
        names = [pycore.OPTIMIZERS[k].name for k, v in overall.items() if v[setting] == best]
        text = comparison.summary(committed)
        assert all(n in text for n in names) and comparison.pct(best) in text


def test_pipeline_runs_at_a_reduced_grid(tmp_path):
    comparison.main(["--out", str(tmp_path), "--grid", "2", "--steps", "40", "--sweep-grid", "1",
                     "--surfaces", "quadratic,two_wells", "--processes", "1", "--no-timing"])
    data = json.loads((tmp_path / "comparison.json").read_text())
    md = (tmp_path / "comparison.md").read_text()
    assert data["plan"]["grid"] == 2 and data["plan"]["steps"] == 40
    for s in ("quadratic", "two_wells"):
        for key, cell in data["cells"][s].items():
            assert 0 <= cell["settings"]["common"]["global"] <= 1
            assert len(cell["sweep"]) == len(comparison.SWEEP_LRS)
    for spec in pycore.OPTIMIZERS.values():
        assert f"| {spec.name} |" in md
    assert "## What the numbers say" in md and "## Method" in md
