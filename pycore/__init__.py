"""pycore: exact, standard-library-only optimizers (torch.optim semantics) and 2-D loss surfaces.

    >>> import pycore
    >>> t = pycore.run("adam", "rosenbrock", start=(-1.5, 2.5), steps=500, lr=0.05)
    >>> t.status, len(t.points)
"""
from .hyperparams import HyperParam
from .optimizers import OPTIMIZERS, OptimizerSpec, get_optimizer, PALETTE
from .rules import Rule
from .surfaces import SURFACES, Surface, Minimum, get_surface
from .schedules import get_schedule
from .trajectory import Trajectory, run

__all__ = ["HyperParam", "OPTIMIZERS", "OptimizerSpec", "get_optimizer", "PALETTE", "Rule", "SURFACES",
           "Surface", "Minimum", "get_surface", "get_schedule", "Trajectory", "run"]
