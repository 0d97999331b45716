"""Early stopping with patience on the validation loss, with Keras's semantics.

``EarlyStopping`` is ``keras.callbacks.EarlyStopping(monitor="val_loss", mode="min", min_delta, patience,
restore_best_weights)`` (Keras 3; no ``baseline``, no ``start_from_epoch``), with epochs counted from 1:

* at the end of every epoch the wait counter goes up by one; the epoch *improves* when
  ``val_loss + min_delta < best`` (Keras's arithmetic for val_loss < best − min_delta), and then ``best`` becomes
  that val_loss, the epoch becomes the best epoch and the counter goes back to 0;
* otherwise, once the counter has reached ``patience``, training stops after this epoch: the ``patience``-th
  epoch in a row without improvement (patience 0 stops at the first one, as patience 1 does);
* ``best`` starts at +∞, so the first epoch always improves (the validation loss here is always finite, so
  Keras's "never on the first epoch" guard never applies);
* with ``restore_best``, the parameters at the end of the best epoch are what training returns, whether it
  stopped early or ran out of steps (Keras restores in ``on_train_end``).

PyTorch Lightning's ``EarlyStopping(monitor="val_loss", mode="min")`` applies the same rule (its counter is reset
on an improvement and counted otherwise; the same stop epoch follows), but it uses ``min_delta`` with its sign
(a negative one lets a slightly worse value count as an improvement; Keras takes its absolute value, and here a
negative one is refused), defaults to patience 3, also stops on a non-finite value, and has no
restore-best option (a ``ModelCheckpoint`` reloads the best one).
"""
import math

from .checks import check_flag, check_number, check_whole, short

FIELDS = ("patience", "min_delta", "restore_best")
DEFAULTS = {"patience": 0, "min_delta": 0.0, "restore_best": False}   # Keras's


def check_early_stopping(spec):
    """None (off) for None, else {"patience", "min_delta", "restore_best"} checked (typed text allowed; missing
    fields take Keras's defaults); ValueError naming the field and its allowed values otherwise."""
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise ValueError(f"early_stopping must be null (off) or an object with the fields {', '.join(FIELDS)}; "
                         f"got {short(spec)}")
    extra = sorted((k for k in spec if k not in FIELDS), key=str)
    if extra:
        raise ValueError(f"early_stopping takes the fields {', '.join(FIELDS)}; got {short(extra[0], 30)}")
    given = {**DEFAULTS, **spec}
    return {"patience": check_whole("early stopping patience", given["patience"], 0),
            "min_delta": check_number("early stopping min_delta", given["min_delta"], 0.0),
            "restore_best": check_flag("early stopping restore_best", given["restore_best"])}


class EarlyStopping:
    """The monitor (see the module docstring): ``epoch_end(epoch, val_loss)`` after each epoch, True to stop.
    ``best``, ``best_epoch`` (None before the first epoch), ``wait`` and ``stopped_epoch`` (None unless it
    stopped) are Keras's attributes; restoring the best epoch is the run's part (``pycore.datasets``)."""

    def __init__(self, patience=0, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best, self.best_epoch, self.wait, self.stopped_epoch = math.inf, None, 0, None

    def epoch_end(self, epoch, val_loss):
        self.wait += 1
        if val_loss + self.min_delta < self.best:
            self.best, self.best_epoch, self.wait = val_loss, epoch, 0
            return False
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False
