"""The notebooks: one per optimizer family and a comparison, each drawing the four kinds of figure with the
desktop code, committed with outputs, quoting no number its cells do not print, and running without error to
the same text outputs as committed (each is executed here in a fresh kernel, offline)."""
import re

import nbformat
import pytest

from desktop import notebooks, prose

PATHS = {name: notebooks.NOTEBOOKS_DIR / name for name in notebooks.NOTEBOOKS}
# The figure kinds every notebook draws, by the desktop function that draws it.
KINDS = {"contour and path": r"figures\.(contour_path|paths_grid)\(", "animation": r"animation\.filmstrip\(",
         "loss against step or epoch": r"figures\.(loss_grid|epoch_grid)\(",
         "gradient against update": r"figures\.vector_field\(|mechanism\.steps_figure\("}


def read(name):
    return nbformat.read(PATHS[name], as_version=4)


def source(nb, kind):
    return "\n".join(c.source for c in nb.cells if c.cell_type == kind)


def test_the_notebooks_the_brief_names_exist_and_the_docs_link_them():
    assert set(notebooks.NOTEBOOKS) == {"sgd_momentum.ipynb", "adagrad.ipynb", "rmsprop.ipynb", "adadelta.ipynb",
                                        "adam.ipynb", "compare.ipynb"}
    for name, path in PATHS.items():
        assert path.exists(), name
    for keys in notebooks.FAMILIES.values():
        for key in keys:
            assert notebooks.notebook_for(key) in notebooks.FAMILIES


@pytest.mark.parametrize("name", notebooks.NOTEBOOKS)
def test_each_notebook_runs_pycore_and_draws_every_kind_with_the_desktop_code(name):
    code = source(read(name), "code")
    assert "import pycore" in code and re.search(r"pycore\.run\(|draw\.trajectory\(|run_minibatch\(", code)
    missing = [kind for kind, pattern in KINDS.items() if not re.search(pattern, code)]
    assert not missing, (name, missing)
    assert "import matplotlib.pyplot" not in code      # no drawing code copied into the notebooks


@pytest.mark.parametrize("name", notebooks.NOTEBOOKS)
def test_text_quotes_no_number_and_asks_for_predictions(name):
    """Numbers are printed by cells; the markdown only explains (math and code spans aside)."""
    nb = read(name)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            assert not prose.numbers(cell.source), (name, prose.numbers(cell.source), cell.source[:120])
    assert "**Predict" in source(nb, "markdown"), name


@pytest.mark.parametrize("name", notebooks.NOTEBOOKS)
def test_committed_with_outputs(name):
    nb = read(name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("outputs") or c is code[0] for c in code), f"{name}: run python3 -m desktop.notebooks {name}"
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4, name
    assert not [o for c in code for o in c.outputs if o.output_type == "error"], name
    assert PATHS[name].stat().st_size < 1.2e6, name


@pytest.mark.slow
@pytest.mark.parametrize("name", notebooks.NOTEBOOKS)
def test_a_fresh_run_prints_what_is_committed(name):
    fresh = notebooks.execute(PATHS[name], timeout=240)
    assert notebooks.text_outputs(fresh) == notebooks.text_outputs(read(name)), \
        f"{name}: outputs drifted; run python3 -m desktop.notebooks {name} and commit"
