"""pycore: exact, standard-library-only optimizers (torch.optim semantics) and 2-D loss surfaces.

    >>> import pycore
    >>> t = pycore.run("adam", "rosenbrock", start=(-1.5, 2.5), steps=500, lr=0.05)
    >>> t.outcome, t.settled_at, len(t.points)
    ('budget', None, 501)

The engine: rules (update rules), optimizers (registry), markers, surfaces, trajectory (run), outcome (how a
run ended), schedules, compare (race tables and basin maps: ``pycore.compare.compare``,
``pycore.compare.basin_map``), expr (your own function), datasets (training surfaces), specs (naming any of
those surfaces), tuning (fair lr tuning). ``pycore.browser`` is the page's boundary on top of it.
"""
from .hyperparams import HyperParam
from .optimizers import OPTIMIZERS, OptimizerSpec, get_optimizer, PALETTE
from .rules import Rule
from .surfaces import SURFACES, Surface, Minimum, get_surface
from .schedules import SCHEDULES, get_schedule
from .outcome import OUTCOMES
from .trajectory import Trajectory, run

__all__ = ["HyperParam", "OPTIMIZERS", "OptimizerSpec", "get_optimizer", "PALETTE", "Rule", "SURFACES",
           "Surface", "Minimum", "get_surface", "SCHEDULES", "get_schedule", "OUTCOMES", "Trajectory", "run"]
