"""The Jupyter notebooks in ``notebooks/``: one per optimizer family and one comparison, committed with their
outputs so they read on a code host without running.

    python3 -m desktop.notebooks [NAME ...]   # execute in place (fresh kernel, offline) and save the outputs

Every number a notebook's text quotes is printed by one of its cells; ``tests/test_notebooks.py`` executes each
notebook again and fails on an error or when a committed text output differs from the fresh one.
"""
import argparse
import time

from . import ROOT

NOTEBOOKS_DIR = ROOT / "notebooks"
# notebook: the optimizer pages it teaches (every other page links the comparison notebook only)
FAMILIES = {"sgd_momentum.ipynb": ("sgd", "momentum", "nesterov"), "adagrad.ipynb": ("adagrad",),
            "rmsprop.ipynb": ("rmsprop",), "adadelta.ipynb": ("adadelta",), "adam.ipynb": ("adam", "adamw")}
COMPARE = "compare.ipynb"
NOTEBOOKS = tuple(FAMILIES) + (COMPARE,)
TIMEOUT = 300   # seconds per cell


def notebook_for(key):
    """The notebook that teaches optimizer ``key``: its family's, or the comparison."""
    return next((name for name, keys in FAMILIES.items() if key in keys), COMPARE)


def execute(path, timeout=TIMEOUT):
    """The notebook at ``path`` executed top to bottom in a fresh python3 kernel started in its folder (no
    timing metadata, so re-running changes only what the cells print)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def text_outputs(nb):
    """Per code cell, its text outputs in order: printed streams and the text/plain of results and displays."""
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        texts = []
        for o in cell.get("outputs", []):
            if o.output_type == "stream":
                texts.append(o.text)
            elif o.output_type in ("execute_result", "display_data"):
                texts.append(o.data.get("text/plain", ""))
            elif o.output_type == "error":
                texts.append(f"{o.ename}: {o.evalue}")
        out.append(texts)
    return out


def main(argv=None):
    import nbformat

    ap = argparse.ArgumentParser(description="Execute the notebooks in place and save their outputs")
    ap.add_argument("names", nargs="*", help=f"notebook file names (default: all of {', '.join(NOTEBOOKS)})")
    a = ap.parse_args(argv)
    for name in a.names or NOTEBOOKS:
        path = NOTEBOOKS_DIR / name
        t0 = time.perf_counter()
        nb = execute(path)
        nbformat.write(nb, path)
        print(f"{name}: executed in {time.perf_counter() - t0:.1f} s, {path.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
