"""pycore.tuning: equal-budget lr tuning with a stated objective."""
import json
import math

import pytest

import pycore
from pycore.expr import custom_surface
from pycore.tuning import LR_RANGE, POINTS, STEPS, lr_grid, tune

FAST = dict(points=5, steps=150)


def test_lr_grid_is_log_spaced_with_exact_ends():
    g = lr_grid(1e-4, 1.0, 9)
    assert (g[0], g[4], g[-1], len(g)) == (1e-4, 0.01, 1.0, 9)
    ratios = [b / a for a, b in zip(g, g[1:])]
    assert all(r == pytest.approx(math.sqrt(10), rel=1e-12) for r in ratios)


def test_tuned_lr_is_the_argmin_of_the_reported_objective():
    r = tune("rosenbrock", **FAST)
    grid = r["method"]["grid"]
    for key, rec in r["results"].items():
        finite = [(v, lr) for v, lr in zip(rec["objective"], grid) if v < math.inf]
        assert finite, key
        best_value = min(v for v, _ in finite)
        assert rec["lr"] == min(lr for v, lr in finite if v == best_value)
        assert rec["best"] == best_value
        assert rec["hyperparams"]["lr"] == rec["lr"]
        assert rec["at_edge"] == (rec["lr"] in (grid[0], grid[-1]))


def test_objective_is_the_mean_final_gap_of_ordinary_runs():
    r = tune("himmelblau", ["adam", "sgd"], **FAST)
    surf = pycore.SURFACES["himmelblau"]
    f_star = min(m.value for m in surf.minima if m.is_global)
    assert r["method"]["f_star"] == f_star
    for key in ("adam", "sgd"):
        for lr, score, bad in zip(r["method"]["grid"], r["results"][key]["objective"], r["results"][key]["diverged"]):
            runs = [pycore.run(key, surf, start, 150, lr=lr) for start in surf.starts]
            assert bad == sum(t.outcome == "diverged" for t in runs)
            expected = math.inf if bad else sum(t.losses[-1] - f_star for t in runs) / len(runs)
            assert score == expected


def test_diverging_grid_points_score_inf_never_nan():
    r = tune("rosenbrock", ["sgd"], **FAST)
    rec = r["results"]["sgd"]
    assert not any(math.isnan(v) for v in rec["objective"])
    assert [v == math.inf for v in rec["objective"]] == [b > 0 for b in rec["diverged"]]
    assert rec["objective"][-1] == math.inf          # lr = 1 on Rosenbrock blows up


def test_no_lr_is_chosen_when_every_lr_diverges():
    rec = tune("rosenbrock", ["sgd"], lr_range=(10.0, 100.0), **FAST)["results"]["sgd"]
    assert (rec["lr"], rec["best"], rec["hyperparams"]) == (None, None, None)
    assert all(v == math.inf for v in rec["objective"])


def test_ties_go_to_the_smaller_lr():
    flat = pycore.Surface("flat", lambda x, y: 1.0, lambda x, y: (0.0, 0.0), ((-1, 1), (-1, 1)))
    r = tune(flat, ["adam", "sgd"], **FAST)
    for rec in r["results"].values():
        assert len(set(rec["objective"])) == 1 and rec["lr"] == r["method"]["grid"][0]


def test_deterministic():
    assert tune("beale", ["adam", "rmsprop"], **FAST) == tune("beale", ["adam", "rmsprop"], **FAST)


def test_method_states_grid_budget_starts_and_objective():
    r = tune("rosenbrock", ["adam"])
    m = r["method"]
    assert (m["points"], m["steps"], m["lr_range"]) == (POINTS, STEPS, list(LR_RANGE))
    assert m["starts"] == [list(s) for s in pycore.SURFACES["rosenbrock"].starts]
    for words in (f"exactly {STEPS} steps for every optimizer", "f(final point) − f*", "diverges",
                  "scores +inf", "smaller lr wins", f"{POINTS} learning rates from 0.0001 to 1", "log scale",
                  "torch's default", "no gradient clipping", "(-1.5, 2.5)"):
        assert words in m["text"], words
    json.dumps(r)     # plain data (inf is written as Infinity)


def test_overrides_and_clipping_are_applied_and_reported():
    plain = tune("rosenbrock", ["sgd"], **FAST)
    r = tune("rosenbrock", ["sgd"], hyperparams={"sgd": {"momentum": 0.5}}, max_grad_norm=1.0, **FAST)
    assert r["results"]["sgd"]["hyperparams"]["momentum"] == 0.5
    assert "sgd: momentum=0.5" in r["method"]["fixed"] and "sgd: momentum=0.5" in r["method"]["text"]
    assert "clipping to norm 1" in r["method"]["text"] and r["method"]["max_grad_norm"] == 1.0
    assert r["results"]["sgd"]["objective"] != plain["results"]["sgd"]["objective"]
    assert r["results"]["sgd"]["diverged"] == [0] * 5      # clipped steps cannot blow up here


def test_surface_without_minima_tunes_the_final_loss():
    surf = custom_surface("x + y", ((-1, 1), (-1, 1)))
    r = tune(surf, ["sgd"], **FAST)
    assert r["method"]["f_star"] is None and "lists no minimum" in r["method"]["text"]
    t = pycore.run("sgd", surf, steps=150, lr=r["results"]["sgd"]["lr"])
    assert r["results"]["sgd"]["best"] == t.losses[-1]


def test_progress_reports_each_optimizer_in_order():
    seen = []
    tune("quadratic", ["adam", "sgd", "lion"], progress=lambda rec: seen.append(rec["optimizer"]), **FAST)
    assert seen == ["adam", "sgd", "lion"]


@pytest.mark.parametrize("kwargs, words", [
    ({"lr_range": (1.0, 0.1)}, "lr_range"),
    ({"lr_range": (0.0, 1.0)}, "lr_range"),
    ({"lr_range": "fast"}, "lr_range"),
    ({"points": 1}, "points"),
    ({"steps": 0}, "steps"),
    ({"steps": 2.5}, "steps"),
    ({"starts": []}, "at least one"),
    ({"starts": [(math.inf, 0.0)]}, "start x must be"),
    ({"optimizers": ["adam", "sgdx"]}, "unknown optimizer"),
    ({"hyperparams": {"adam": {"lr": 0.1}}}, "what is tuned"),
    ({"hyperparams": {"sgd": {"momentum": 0.5}}, "optimizers": ["adam"]}, "not being tuned"),
    ({"hyperparams": {"adam": {"betas": (1.5, 0.9)}}}, "betas"),
    ({"max_grad_norm": 0}, "max_grad_norm"),
])
def test_bad_input_is_refused_before_any_run(kwargs, words):
    calls = []
    with pytest.raises(ValueError, match=words):
        tune("rosenbrock", progress=calls.append, **kwargs)
    assert calls == []


def test_start_where_f_is_not_finite_is_refused():
    surf = custom_surface("log(x) + y**2", ((0.1, 2), (-1, 1)))
    with pytest.raises(ValueError, match="not a finite number at the start"):
        tune(surf, ["adam"], starts=[(-1.0, 0.0)])
