"""pycore.datasets: the seeded train/validation split, training losses as surfaces, their exact gradients, the
mini-batch sampler and mini-batch runs (early stopping itself: tests/test_earlystop.py)."""
import json
import math
import random

import pytest
from hypothesis import given, settings, strategies as st

import pycore
from pycore.datasets import (DATASETS, LOGREG_L2, N, N_TRAIN, N_VAL, SPLIT_SEED, TRAIN, VAL, MinibatchTrajectory,
                             epoch_batches, get_dataset, minibatches, run_minibatch, steps_per_epoch)
from pycore.stationary import classify

LINREG, LOGREG = DATASETS["linreg"], DATASETS["logreg"]


# --- the split ---------------------------------------------------------------------------------------------------
def test_the_split_is_stated_seeded_and_a_partition():
    assert (len(TRAIN), len(VAL), N_TRAIN, N_VAL) == (48, 16, 48, 16)
    assert sorted(TRAIN + VAL) == list(range(N)) and list(TRAIN) == sorted(TRAIN) and list(VAL) == sorted(VAL)
    order = list(range(N))
    random.Random(SPLIT_SEED).shuffle(order)
    assert set(VAL) == set(order[N - N_VAL:])              # the rule the description states
    for d in DATASETS.values():
        assert (d.train, d.val) == (TRAIN, VAL)
        assert f"{N_TRAIN} train the model" in d.surface.description and f"{N_VAL}, held out" in d.surface.description


# --- the losses are their definitions ------------------------------------------------------------------------
def linreg_definition(w, b, samples=TRAIN):
    return sum((w * LINREG.inputs[i] + b - LINREG.targets[i]) ** 2 for i in samples) / len(samples)


def logreg_definition(w1, w2, samples=TRAIN):
    ce = sum(math.log(1 + math.exp(-LOGREG.targets[i] * (w1 * LOGREG.inputs[i][0] + w2 * LOGREG.inputs[i][1])))
             for i in samples)
    return ce / len(samples) + LOGREG_L2 / 2 * (w1 * w1 + w2 * w2)


def sample_points(d):
    (x0, x1), (y0, y1) = d.surface.bounds
    rng = random.Random(1)
    return list(d.surface.starts) + [(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(20)]


@pytest.mark.parametrize("d, definition", [(LINREG, linreg_definition), (LOGREG, logreg_definition)])
def test_loss_is_the_written_definition(d, definition):
    """The surface is the training loss; the same loss over the validation samples is the validation loss."""
    for p in sample_points(d):
        assert d.surface.f(*p) == pytest.approx(definition(*p), rel=1e-12)
        assert d.batch_loss(*p, VAL) == pytest.approx(definition(*p, VAL), rel=1e-12)


def central_difference(f, x, y, h=1e-3):
    def d(g):
        return (-g(2 * h) + 8 * g(h) - 8 * g(-h) + g(-2 * h)) / (12 * h)
    return d(lambda t: f(x + t, y)), d(lambda t: f(x, y + t))


@pytest.mark.parametrize("d", [LINREG, LOGREG], ids=["linreg", "logreg"])
def test_gradient_matches_central_differences(d):
    for p in sample_points(d) + [(m.x, m.y) for m in d.surface.minima]:
        g, fd = d.surface.grad(*p), central_difference(d.surface.f, *p)
        for a, b in zip(g, fd):
            assert a == pytest.approx(b, rel=1e-8, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["linreg", "logreg"]), st.lists(st.integers(0, N - 1), min_size=1, max_size=N, unique=True),
       st.floats(-3, 5), st.floats(-3, 3))
def test_batch_gradient_matches_central_differences_of_the_batch_loss(key, batch, p, q):
    d = DATASETS[key]
    fd = central_difference(lambda a, b: d.batch_loss(a, b, batch), p, q)
    for a, b in zip(d.batch_grad(p, q, batch), fd):
        assert a == pytest.approx(b, rel=1e-8, abs=1e-9)


@pytest.mark.parametrize("d", [LINREG, LOGREG], ids=["linreg", "logreg"])
def test_a_batch_of_every_training_sample_in_any_order_is_the_full_gradient_exactly(d):
    order = list(TRAIN)
    random.Random(3).shuffle(order)
    for p in sample_points(d):
        assert d.batch_grad(*p, order) == d.surface.grad(*p)
        assert d.batch_loss(*p, order) == d.surface.f(*p)


# --- minima -------------------------------------------------------------------------------------------------
def test_linreg_minimum_is_the_least_squares_solution_on_the_training_set():
    xs, ys = [LINREG.inputs[i] for i in TRAIN], [LINREG.targets[i] for i in TRAIN]
    mx, my = sum(xs) / N_TRAIN, sum(ys) / N_TRAIN
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    intercept = my - slope * mx
    (m,) = LINREG.surface.minima
    assert (m.x, m.y) == (pytest.approx(slope, rel=1e-12), pytest.approx(intercept, rel=1e-12))
    assert m.value == pytest.approx(linreg_definition(slope, intercept), rel=1e-12)
    assert abs(slope - 2.0) < 0.3 and abs(intercept + 1.0) < 0.3      # near the line the data came from


@pytest.mark.parametrize("d", [LINREG, LOGREG], ids=["linreg", "logreg"])
def test_minimum_is_stationary_inside_the_view_and_below_every_sample(d):
    (m,) = d.surface.minima
    (x0, x1), (y0, y1) = d.surface.bounds
    assert m.is_global and x0 < m.x < x1 and y0 < m.y < y1
    assert math.hypot(*d.surface.grad(m.x, m.y)) < 1e-12
    assert classify(d.surface.grad, m.x, m.y) == "min"
    assert m.value == d.surface.f(m.x, m.y)
    assert all(d.surface.f(*p) > m.value for p in sample_points(d))


def test_records():
    for key, d in DATASETS.items():
        s = d.surface
        assert (d.key, s.key, get_dataset(key)) == (key, key, d)
        assert f"n = {N_TRAIN}" in s.latex and len(d.inputs) == len(d.targets) == N
        assert "convex" in s.tags and pycore.run("adam", s, steps=5, lr=0.1).outcome == "budget"
    assert set(LOGREG.targets) == {-1.0, 1.0}
    with pytest.raises(ValueError, match="unknown dataset"):
        get_dataset("mnist")


# --- the sampler --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size", [1, 7, 10, 16, 47, 48])
def test_every_index_exactly_once_per_epoch(batch_size):
    epochs = epoch_batches(N_TRAIN, batch_size, seed=5, epochs=4)
    per = steps_per_epoch(N_TRAIN, batch_size)
    assert per == math.ceil(N_TRAIN / batch_size)
    for batches in epochs:
        assert len(batches) == per
        assert sorted(i for b in batches for i in b) == list(range(N_TRAIN))
        assert all(len(b) == batch_size for b in batches[:-1])
        assert len(batches[-1]) == N_TRAIN - batch_size * (per - 1)      # drop_last=False: a smaller last batch


def test_same_seed_same_batches_other_seed_other_batches():
    assert epoch_batches(N_TRAIN, 8, 0, 3) == epoch_batches(N_TRAIN, 8, 0, 3)
    assert epoch_batches(N_TRAIN, 8, 0, 3) != epoch_batches(N_TRAIN, 8, 1, 3)
    first, second = epoch_batches(N_TRAIN, 8, 0, 2)
    assert first != second                                       # reshuffled every epoch


def test_sampler_is_pinned():
    # The batches are part of what a shared URL restores, so they must not change between versions.
    it = minibatches(10, 4, 0)
    order = list(range(10))
    random.Random(0).shuffle(order)
    assert [next(it) for _ in range(3)] == [tuple(order[:4]), tuple(order[4:8]), tuple(order[8:])]


@pytest.mark.parametrize("batch_size", [0, 49, 2.0, True, "8", None])
def test_bad_batch_size_is_refused(batch_size):
    with pytest.raises(ValueError, match="batch_size must be a whole number from 1 to 48"):
        run_minibatch("sgd", "linreg", steps=3, batch_size=batch_size)


# --- mini-batch runs ----------------------------------------------------------------------------------------
def test_steps_use_the_batches_in_order_and_losses_are_training_and_validation_losses():
    t = run_minibatch("momentum", "logreg", epochs=3, batch_size=10, seed=4, lr=0.5)
    batches = [[TRAIN[i] for i in b] for epoch in epoch_batches(N_TRAIN, 10, 4, 3) for b in epoch]
    assert len(t.grads) == len(batches) == 3 * 5
    for k, (p, g) in enumerate(zip(t.points, t.grads)):
        assert g == LOGREG.batch_grad(*p, batches[k])
    assert t.losses == [LOGREG.surface.f(*p) for p in t.points]
    mb = t.minibatch
    assert (mb["dataset"], mb["batch_size"], mb["steps_per_epoch"], mb["epochs"]) == ("logreg", 10, 5, 3)
    assert mb["epoch_losses"] == [t.losses[0], t.losses[5], t.losses[10], t.losses[15]]
    assert mb["val_losses"] == [LOGREG.batch_loss(*t.points[k], VAL) for k in (0, 5, 10, 15)]
    assert mb["early_stopping"] is None and len(t.points) == 16


def test_full_batch_is_exactly_gradient_descent():
    for key in DATASETS:
        mb = run_minibatch("adam", key, steps=40, batch_size=N_TRAIN, seed=9, lr=0.1)
        full = pycore.run("adam", DATASETS[key].surface, steps=40, lr=0.1)
        assert (mb.points, mb.grads, mb.losses, mb.outcome) == (full.points, full.grads, full.losses, full.outcome)


def test_reproducible_and_seed_dependent():
    a = run_minibatch("sgd", "linreg", epochs=2, batch_size=4, seed=1, lr=0.05)
    b = run_minibatch("sgd", "linreg", epochs=2, batch_size=4, seed=1, lr=0.05)
    c = run_minibatch("sgd", "linreg", epochs=2, batch_size=4, seed=2, lr=0.05)
    assert a.points == b.points and a.points != c.points
    assert a.seed == 1 and a.steps == 2 * 12


def test_small_batches_make_the_path_noisy_but_still_descend():
    t = run_minibatch("sgd", "linreg", epochs=30, batch_size=4, seed=0, lr=0.05)
    losses = t.minibatch["epoch_losses"]
    assert losses[-1] < 0.2 * losses[0]
    assert any(b > a for a, b in zip(t.losses, t.losses[1:]))     # stochastic: not monotone


def test_result_is_a_trajectory_and_json_ready():
    t = run_minibatch("adam", "linreg", steps=10, batch_size=16, lr=0.1, max_grad_norm=1.0)
    assert isinstance(t, pycore.Trajectory) and isinstance(t, MinibatchTrajectory)
    assert t._fields == pycore.Trajectory._fields
    d = json.loads(json.dumps(t.to_dict()))
    assert d["batch_size"] == 16 and d["max_grad_norm"] == 1.0 and d["surface"] == "linreg"
    assert d["epochs"] == 3 and len(d["epoch_losses"]) == len(d["val_losses"]) == 4   # 3 steps per epoch


def test_divergence_is_reported_like_any_run():
    t = run_minibatch("sgd", "linreg", epochs=50, batch_size=8, lr=5.0)
    assert t.outcome == "diverged" and t.reason
    assert all(math.isfinite(v) for v in t.losses)
    assert len(t.minibatch["epoch_losses"]) == len(t.minibatch["val_losses"]) == t.minibatch["epochs"] + 1


@pytest.mark.parametrize("kwargs, words", [
    ({}, "exactly one of epochs and steps"),
    ({"epochs": 1, "steps": 1}, "exactly one of epochs and steps"),
    ({"epochs": -1}, "epochs must be a whole number"),
    ({"steps": 2.5}, "steps must be a whole number"),
    ({"steps": 1, "seed": 1.5}, "seed must be a whole number"),
    ({"steps": 1, "lr": -1.0}, "lr"),
    ({"steps": 1, "start": (math.nan, 0.0)}, "start x must be"),
])
def test_bad_arguments_are_refused(kwargs, words):
    with pytest.raises(ValueError, match=words):
        run_minibatch("sgd", "linreg", **kwargs)
