"""Walk-throughs: reproduce the figures of one doc page.

    python3 -m desktop.walkthrough adam          # the figures docs/optimizers/adam.md shows
    python3 -m desktop.walkthrough surfaces      # the figures docs/surfaces.md shows
    python3 -m desktop.walkthrough comparison    # re-measure docs/comparison.md (same as make comparison)
    python3 -m desktop.walkthrough all [--small] [--out DIR]

The figure lists are the ones the docs generator links (``desktop.docs.page_figures``), so a page and its
walk-through cannot disagree.
"""
import argparse

import pycore

from . import ROOT, comparison, docs, figures


def surfaces_figures():
    """The figures docs/surfaces.md shows: every optimizer's path and the loss curves per figure surface."""
    return [(kind, s, None) for s in figures.figure_surfaces() for kind in ("paths", "loss")]


def figure_jobs(page):
    if page == "surfaces":
        return surfaces_figures()
    if page in pycore.OPTIMIZERS:
        return docs.page_figures(page)
    raise ValueError(f"unknown page {page!r}; expected surfaces, comparison, all or one of {', '.join(pycore.OPTIMIZERS)}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("page", help="optimizer key, surfaces, comparison or all")
    ap.add_argument("--out", default=str(ROOT), help="root to write visualizations/ (or docs/ for comparison) under")
    ap.add_argument("--small", action="store_true", help="reduced size (tests): fewer steps, frames and starts")
    a = ap.parse_args(argv)
    if a.page in ("comparison", "all"):
        sizes = ["--grid", "2", "--steps", "50", "--sweep-grid", "2", "--lr-points", "3"] if a.small else []
        out = [] if a.out == str(ROOT) else ["--out", f"{a.out}/docs"]
        comparison.main(sizes + out)
    if a.page != "comparison":
        pages = ["surfaces", *pycore.OPTIMIZERS] if a.page == "all" else [a.page]
        todo = list(dict.fromkeys(job for p in pages for job in figure_jobs(p)))
        figures.render(a.out, todo, **(figures.SMALL if a.small else {}))


if __name__ == "__main__":
    main()
