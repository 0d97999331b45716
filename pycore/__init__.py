"""pycore: exact, standard-library-only optimizers (torch.optim semantics) and 2-D loss surfaces.

    >>> import pycore
    >>> t = pycore.run("adam", "rosenbrock", start=(-1.5, 2.5), steps=500, lr=0.05)
    >>> t.status, len(t.points)
    ('max_steps', 501)

Modules: rules (update rules), optimizers (registry), surfaces, trajectory (run), schedules, compare (race
tables and basin maps: ``pycore.compare.compare``, ``pycore.compare.basin_map``), expr (your own function),
datasets (training surfaces), tuning (fair lr tuning).
"""
from .hyperparams import HyperParam
from .optimizers import OPTIMIZERS, OptimizerSpec, get_optimizer, PALETTE
from .rules import Rule
from .surfaces import SURFACES, Surface, Minimum, get_surface
from .schedules import SCHEDULES, get_schedule
from .trajectory import Trajectory, run

__all__ = ["HyperParam", "OPTIMIZERS", "OptimizerSpec", "get_optimizer", "PALETTE", "Rule", "SURFACES",
           "Surface", "Minimum", "get_surface", "SCHEDULES", "get_schedule", "Trajectory", "run"]
