"""Figures render (small, fast, in a temp dir), show what they claim, and the committed set stays small."""
import numpy as np
import pytest
from PIL import Image

import pycore
from desktop import ROOT, docs, figures, walkthrough

SMALL_JOBS = [("path", "two_wells", "momentum"), ("field", "quadratic", "adam"), ("loss", "rosenbrock", None),
              ("paths", "two_wells", None), ("gif", "quadratic", "lion"), ("gif", "two_wells", "all")]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("figs")
    return root, figures.render(root, SMALL_JOBS, **figures.SMALL)


def test_every_kind_of_figure_renders(rendered):
    root, written = rendered
    assert [p.relative_to(root) for p in written] == [figures.plot_path(s, k, kind) for kind, s, k in SMALL_JOBS]
    for p in written:
        with Image.open(p) as im:
            assert im.width > 100 and im.height > 100
            if p.suffix == ".gif":
                assert 1 < im.n_frames <= figures.SMALL["frames"] + 1


def test_gif_keeps_the_registry_colours(rendered):
    root, _ = rendered
    with Image.open(root / figures.plot_path("quadratic", "lion", "gif")) as im:
        im.seek(im.n_frames - 1)
        colours = {c for _, c in im.convert("RGB").getcolors(1 << 16)}
    assert tuple(int(pycore.OPTIMIZERS["lion"].color[i:i + 2], 16) for i in (1, 3, 5)) in colours


def test_descent_field_is_unit_minus_gradient():
    surf = pycore.SURFACES["rosenbrock"]
    pts, d = figures.descent_field(surf, 7)
    g = np.array([surf.grad(*p) for p in pts])
    norm = np.hypot(g[:, 0], g[:, 1])
    flat = norm == 0  # this grid hits the minimum (1, 1): no direction there, and no NaN either
    assert flat.sum() == 1 and np.all(d[flat] == 0)
    assert np.allclose(np.hypot(d[~flat, 0], d[~flat, 1]), 1.0)
    assert np.allclose(d[~flat], -g[~flat] / norm[~flat, None])


def test_angles_and_arc_spacing():
    assert figures.angle_deg(np.array([[1.0, 0.0]]), np.array([[0.0, 2.0]]))[0] == pytest.approx(90.0)
    pts = [(0.0, 0.0)] * 50 + [(float(i), 0.0) for i in range(1, 11)]  # stalls, then moves
    idx = figures.arc_indices(pts, 5)
    assert idx[0] < 50 and max(idx) >= 55


def test_frame_steps_and_lr_text():
    assert figures.frame_steps(1000, 60)[0] == 0 and figures.frame_steps(1000, 60)[-1] == 1000
    assert len(figures.frame_steps(1000, 60)) == 60 and figures.frame_steps(3, 60) == [0, 1, 2, 3]
    runs = [figures.trajectory(k, "quadratic", 3) for k in ("sgd", "adadelta", "adam")]
    assert figures.lr_text(runs) == "lr 0.01 (Adadelta 1)"


def test_figure_surfaces_cover_the_brief():
    keys = figures.figure_surfaces()
    assert "convex" in pycore.SURFACES[keys[0]].tags
    assert {"rosenbrock", "himmelblau", "two_wells"} <= set(keys) and {"rastrigin", "beale"} & set(keys)


def test_committed_figures_are_complete_and_small():
    expected = {ROOT / figures.plot_path(s, k, kind)
                for kind, s, k in figures.jobs(figures.figure_surfaces(), list(pycore.OPTIMIZERS),
                                               figures.animated_surfaces())}
    on_disk = set((ROOT / "visualizations").rglob("*.png")) | set((ROOT / "visualizations").rglob("*.gif"))
    assert expected <= on_disk
    assert sum(p.stat().st_size for p in on_disk) < 15e6
    for p in on_disk:
        if p.suffix == ".gif":
            with Image.open(p) as im:
                assert im.n_frames <= 60 and im.width <= 400


def test_walkthroughs_reproduce_their_pages_at_reduced_size(tmp_path):
    walkthrough.main(["sgd", "--small", "--out", str(tmp_path)])
    walkthrough.main(["surfaces", "--small", "--out", str(tmp_path)])
    for kind, s, k in docs.page_figures("sgd") + walkthrough.surfaces_figures():
        assert (tmp_path / figures.plot_path(s, k, kind)).exists()
    walkthrough.main(["comparison", "--small", "--out", str(tmp_path)])
    assert "## Method" in (tmp_path / "docs" / "comparison.md").read_text()
    with pytest.raises(ValueError, match="unknown page"):
        walkthrough.figure_jobs("nope")


def test_every_surface_formula_renders_as_mathtext_not_raw_latex():
    import pycore
    from desktop.figures import formula
    raw = [k for k, s in pycore.SURFACES.items() if not formula(s).startswith("$")]
    assert raw == []
