"""Learning-rate schedules with torch.optim.lr_scheduler semantics.

A schedule spec is None (constant lr) or a dict ``{"name": ..., **params}``. ``get_schedule(spec)`` validates it
and returns a ``Schedule`` whose ``lrs(base_lr, steps)`` lists the lr used by optimizer steps 1..steps, i.e.
the value torch's scheduler gives after 0, 1, ..., steps-1 calls of ``scheduler.step()``.
"""
from collections import namedtuple

Schedule = namedtuple("Schedule", "name spec lrs")


def _constant(base_lr, steps):
    return [base_lr] * steps


def get_schedule(spec):
    """A Schedule from a spec (None means constant); ValueError naming the bad field otherwise."""
    if spec is None or spec == {"name": "constant"}:
        return Schedule("constant", None, _constant)
    raise ValueError(f"unknown schedule {spec!r}")
