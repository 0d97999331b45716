"""pycore.earlystop and early-stopped mini-batch runs: Keras's EarlyStopping rule on hand-computed sequences and
against a transcription of Keras's own code, Lightning's agreement, the checks of the settings, and what a
stopped run records (a prefix of the unstopped run, bit for bit; the restored point on the path)."""
import json
import math

import pytest
from hypothesis import given, settings, strategies as st

import pycore
from pycore.datasets import DATASETS, N_TRAIN, VAL, run_minibatch
from pycore.earlystop import EarlyStopping, check_early_stopping
from pycore.outcome import classify


def watch(values, patience=0, min_delta=0.0):
    """(stopped epoch or None, best epoch, best value) of ``EarlyStopping`` over per-epoch values (epoch 1 first)."""
    m = EarlyStopping(patience, min_delta)
    for epoch, v in enumerate(values, 1):
        if m.epoch_end(epoch, v):
            break
    return m.stopped_epoch, m.best_epoch, m.best


# ---- the rule on hand-computed sequences ---------------------------------------------------------------------
def test_hand_computed_sequence():
    # patience 2, min_delta 0.1: epoch 1 improves on +inf (best 1.0); 2: 0.95 + 0.1 >= 1.0, wait 1; 3: 0.85 + 0.1
    # < 1.0 improves (best 0.85, wait 0); 4: 0.80 + 0.1 >= 0.85, wait 1; 5: 0.76 + 0.1 >= 0.85, wait 2 = patience:
    # stop after epoch 5. The best epoch is 3, although epoch 5's value is the lowest: it did not improve by 0.1.
    assert watch([1.0, 0.95, 0.85, 0.80, 0.76, 0.1], patience=2, min_delta=0.1) == (5, 3, 0.85)


def test_patience_counts_epochs_in_a_row_without_improvement():
    assert watch([3.0, 2.0, 2.0], patience=0) == (3, 2, 2.0)            # patience 0: the first one stops,
    assert watch([3.0, 2.0, 2.0], patience=1) == (3, 2, 2.0)            # as with patience 1
    assert watch([3.0, 2.0, 2.5, 1.0, 1.5, 1.5], patience=2) == (6, 4, 1.0)
    assert watch([3.0, 4.0, 1.0, 2.0, 2.0, 2.0], patience=2) == (5, 3, 1.0)  # the counter restarted at epoch 3
    assert watch([5.0, 4.0, 3.0, 2.0], patience=0) == (None, 4, 2.0)     # always improving: never stops


def test_min_delta_is_strict_as_in_keras():
    # exact binary fractions: 0.75 + 0.25 == 1.0 is not below 1.0, so not an improvement
    assert watch([1.0, 0.75], patience=0, min_delta=0.25) == (2, 1, 1.0)
    assert watch([1.0, 0.5], patience=0, min_delta=0.25) == (None, 2, 0.5)
    assert watch([1.0, 1.0], patience=0) == (2, 1, 1.0)                  # equal is no improvement


def keras_on_epoch_end(state, epoch, current, patience, min_delta):
    """Keras 3's EarlyStopping.on_epoch_end in mode "min" (0-based epoch), transcribed: min_delta negated,
    best from +inf, the counter raised first, the stop never on the first epoch."""
    delta = -abs(min_delta)
    state["wait"] += 1
    if current - delta < state["best"]:
        state.update(best=current, best_epoch=epoch, wait=0)
        return False
    if state["wait"] >= patience and epoch > 0:
        state["stopped_epoch"] = epoch
        return True
    return False


def lightning_stop(values, patience, min_delta):
    """PyTorch Lightning's _evaluate_stopping_criteria in mode "min": the epoch (1-based) it stops at, or None."""
    best, wait, delta = math.inf, 0, -min_delta
    for epoch, current in enumerate(values, 1):
        if current - delta < best:
            best, wait = current, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch
    return None


VALUES = st.lists(st.sampled_from([0.5, 0.75, 1.0, 1.25]) | st.floats(0.01, 10.0), min_size=1, max_size=30)


@settings(max_examples=300, deadline=None)
@given(VALUES, st.integers(0, 6), st.sampled_from([0.0, 0.25, 0.1, 1e-3]))
def test_same_stop_and_best_epoch_as_keras_and_lightning(values, patience, min_delta):
    state = {"wait": 0, "best": math.inf, "best_epoch": None, "stopped_epoch": None}
    for epoch, v in enumerate(values):
        if keras_on_epoch_end(state, epoch, v, patience, min_delta):
            break
    keras = (None if state["stopped_epoch"] is None else state["stopped_epoch"] + 1, state["best_epoch"] + 1,
             state["best"])
    assert watch(values, patience, min_delta) == keras
    assert keras[0] == lightning_stop(values, patience, min_delta)


# ---- settings --------------------------------------------------------------------------------------------------
def test_settings_are_checked_and_default_to_keras():
    assert check_early_stopping(None) is None
    assert check_early_stopping({}) == {"patience": 0, "min_delta": 0.0, "restore_best": False}
    assert check_early_stopping({"patience": "5", "min_delta": " 1e-3", "restore_best": 1}) == {
        "patience": 5, "min_delta": 0.001, "restore_best": True}


@pytest.mark.parametrize("spec, words", [
    ({"patience": -1}, "early stopping patience must be a whole number of at least 0; got -1"),
    ({"patience": 2.5}, "early stopping patience must be a whole number of at least 0; got 2.5"),
    ({"patience": "abc"}, "early stopping patience must be a whole number of at least 0; 'abc' is not a number"),
    ({"patience": ""}, "early stopping patience is empty"),
    ({"patience": True}, "early stopping patience must be a whole number"),
    ({"min_delta": -0.1}, "early stopping min_delta must be at least 0; got -0.1"),
    ({"min_delta": "1e400"}, "beyond the float range"),
    ({"min_delta": math.nan}, "not-a-number"),
    ({"restore_best": "yes"}, "early stopping restore_best must be true or false"),
    ({"monitor": "loss"}, "early_stopping takes the fields patience, min_delta, restore_best; got 'monitor'"),
    ([5], "early_stopping must be null (off) or an object"),
    (True, "early_stopping must be null (off) or an object"),
])
def test_bad_settings_are_refused_in_words(spec, words):
    with pytest.raises(ValueError) as e:
        check_early_stopping(spec)
    assert words in str(e.value)
    with pytest.raises(ValueError):
        run_minibatch("sgd", "linreg", steps=5, early_stopping=spec)


# ---- early-stopped runs ----------------------------------------------------------------------------------------
RUN = dict(start=(-1.5, 2.0), steps=300, batch_size=8, seed=0, lr=0.05)
PER = N_TRAIN // 8


def test_a_stopped_run_is_the_unstopped_runs_prefix_and_stops_where_the_rule_says():
    free = run_minibatch("sgd", "linreg", **RUN)
    es = {"patience": 3, "min_delta": 0.0, "restore_best": True}
    t = run_minibatch("sgd", "linreg", **RUN, early_stopping=es)
    stop, best, best_value = watch(free.minibatch["val_losses"][1:], 3)
    assert stop is not None and stop * PER < RUN["steps"]
    mb = t.minibatch
    assert mb["early_stopping"] == {**es, "best_epoch": best, "best_val_loss": best_value, "wait": stop - best,
                                    "stopped_epoch": stop,
                                    "restored": {"epoch": best, "step": best * PER,
                                                 "point": list(free.points[best * PER]),
                                                 "loss": free.losses[best * PER], "val_loss": best_value}}
    # The run ends at the stop step: everything up to there is the unstopped run's, bit for bit.
    n = stop * PER + 1
    assert len(t.points) == n and t.points == free.points[:n] and t.grads == free.grads[:n - 1]
    assert t.losses == free.losses[:n] and t.lrs == free.lrs[:n - 1] and t.steps == RUN["steps"]
    assert mb["epochs"] == stop and mb["val_losses"] == free.minibatch["val_losses"][:stop + 1]
    assert mb["val_losses"][best] == DATASETS["linreg"].batch_loss(*t.points[best * PER], VAL) == best_value
    # Its outcome is pycore.outcome's for the stop point, its reason says that early stopping ended it.
    surf = DATASETS["linreg"].surface
    ended = f"early stopping ended the run after epoch {stop}"
    want = classify(surf, t.points, surf.grad(*t.points[-1]), t.tol, RUN["steps"], ended)
    assert (t.outcome, t.settled_at, t.reached, t.reason) == want
    assert t.outcome == "budget" and t.reason.startswith(ended + " before it settled")
    assert json.loads(json.dumps(t.to_dict(), allow_nan=False))["early_stopping"] == mb["early_stopping"]


def test_restore_best_applies_when_the_steps_run_out_too_and_only_when_asked():
    t = run_minibatch("sgd", "linreg", **RUN, early_stopping={"patience": 10_000, "restore_best": True})
    es = t.minibatch["early_stopping"]
    assert es["stopped_epoch"] is None and len(t.points) == RUN["steps"] + 1     # Keras restores on train end
    vals = t.minibatch["val_losses"]
    assert es["best_val_loss"] == min(vals[1:]) and vals[es["best_epoch"]] == es["best_val_loss"]
    assert es["restored"]["point"] == list(t.points[es["best_epoch"] * PER])
    off = run_minibatch("sgd", "linreg", **RUN, early_stopping={"patience": 3})
    assert off.minibatch["early_stopping"]["restored"] is None
    assert off.minibatch["early_stopping"]["stopped_epoch"] is not None


def test_full_batch_with_early_stopping_is_still_exact_gradient_descent_on_the_training_loss():
    t = run_minibatch("adam", "logreg", steps=200, batch_size=N_TRAIN, lr=0.3,
                      early_stopping={"patience": 2, "min_delta": 1e-3})
    full = pycore.run("adam", DATASETS["logreg"].surface, steps=200, lr=0.3)
    stop = t.minibatch["early_stopping"]["stopped_epoch"]
    assert stop is not None and t.points == full.points[:stop + 1]
