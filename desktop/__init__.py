"""Desktop side of optviz (CPython + numpy + matplotlib): figures, the measured comparison table, the docs.

pycore never imports this package. Entry points:

* ``python3 -m desktop.figures``    renders ``visualizations/plots`` and ``visualizations/gifs``;
* ``python3 -m desktop.comparison`` measures runs and writes ``docs/comparison.md`` (+ ``docs/comparison.json``);
* ``python3 -m desktop.docs``       refreshes the generated sections of ``docs/optimizers/*.md`` and ``docs/surfaces.md``;
* ``python3 -m desktop.walkthrough KEY`` reproduces the figures one doc page shows;
* ``python3 -m desktop.notebooks``  executes ``notebooks/*.ipynb`` in place, so their committed outputs are current.

Figures: ``draw`` (shared primitives), ``figures`` (per run and per surface, and the renderer), ``animation``
(GIFs), ``mechanism`` (step sizes), ``ablations`` (controlled comparisons).
"""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
