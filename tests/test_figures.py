"""Figures render (small, fast, in a temp dir), show what they claim, keep every registry colour, cut nothing off,
and the committed set is complete, in sync with the runs (``visualizations/index.json``) and small."""
import io
import json
import re
from collections import namedtuple

import numpy as np
import pytest
from matplotlib.colors import to_hex
from PIL import Image

import pycore
from desktop import ROOT, ablations, animation, docs, draw, figures, mechanism, walkthrough
from pycore.markers import MINIMUM_MARKERS

SMALL_JOBS = [("path", "two_wells", "momentum"), ("field", "quadratic", "adam"), ("steps", "himmelblau", "adagrad"),
              ("loss", "rosenbrock", None), ("paths", "two_wells", None), ("gif", "quadratic", "lion"),
              ("gif", "two_wells", "all"), ("ablation", None, "adam_bias_correction")]


def colours(path, frame=None):
    with Image.open(path) as im:
        if frame is not None:
            im.seek(frame)
        return {c for _, c in im.convert("RGB").getcolors(1 << 20)}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("figs")
    return root, figures.render(root, SMALL_JOBS, **figures.SMALL)


@pytest.fixture(scope="module")
def quadratic_runs():
    return [draw.trajectory(k, "quadratic") for k in pycore.OPTIMIZERS]


def test_every_kind_of_figure_renders(rendered):
    root, written = rendered
    assert {kind for kind, _, _ in SMALL_JOBS} == set(figures.KINDS)
    assert [p.relative_to(root) for p in written] == [figures.plot_path(s, k, kind) for kind, s, k in SMALL_JOBS]
    for p in written:
        with Image.open(p) as im:
            assert im.width > 100 and im.height > 100
            if p.suffix == ".gif":
                assert 1 < im.n_frames <= figures.SMALL["frames"]


def test_overlays_keep_every_registry_colour_exactly(rendered, quadratic_runs):
    """A median-cut palette merged Momentum with AdaGrad and RMSProp with Adadelta (review (b) 1): the palette
    now starts with the registry colours, so each one is in the saved PNG and in every GIF frame, unchanged."""
    root, _ = rendered
    fig = figures.paths_grid(quadratic_runs)
    png = Image.open(io.BytesIO(draw.png_bytes(fig))).convert("RGB")
    found = {c for _, c in png.getcolors(1 << 20)}
    assert {draw.rgb(s.color) for s in pycore.OPTIMIZERS.values()} <= found
    with Image.open(root / figures.plot_path("two_wells", "all", "gif")) as im:
        last = im.n_frames - 1
    every = colours(root / figures.plot_path("two_wells", "all", "gif"), last)
    assert {draw.rgb(s.color) for s in pycore.OPTIMIZERS.values()} <= every
    assert draw.rgb(pycore.OPTIMIZERS["lion"].color) in colours(root / figures.plot_path("quadratic", "lion", "gif"), 1)


def test_no_optimizer_marker_looks_like_a_minimum_or_saddle():
    marks = set(MINIMUM_MARKERS.values())
    for spec in pycore.OPTIMIZERS.values():
        assert spec.marker not in marks and draw.MPL_MARKERS[spec.marker] is not None
    assert len({s.marker for s in pycore.OPTIMIZERS.values()}) == len(pycore.OPTIMIZERS)


def test_a_cut_off_legend_or_title_refuses_to_save():
    fig = draw.new_figure(3, 2)
    ax = fig.add_axes([0.1, 0.1, 0.8, 0.8])
    ax.plot([0, 1], [0, 1], label="a long label that cannot fit")
    ax.legend(loc="center left", bbox_to_anchor=(0.9, 0.5))
    with pytest.raises(ValueError, match="cut off"):
        draw.png_bytes(fig)


def test_small_multiples_give_each_optimizer_its_own_panel(quadratic_runs):
    """A chaotic path or an oscillating loss paints only its own panel (review (b) 3 and 4)."""
    for fig in (figures.paths_grid(quadratic_runs), figures.loss_grid(quadratic_runs)):
        titled = [ax for ax in fig.axes if ax.get_title()]
        assert len(titled) == len(pycore.OPTIMIZERS)
        for ax, t in zip(titled, quadratic_runs):
            assert ax.get_title().startswith(draw.spec_of(t).name + "\n")
            drawn = [to_hex(line.get_color()) for line in ax.get_lines()]
            own = draw.spec_of(t).color.lower()
            assert own in drawn, draw.spec_of(t).name
            assert not ({s.color.lower() for s in pycore.OPTIMIZERS.values()} - {own}) & set(drawn)


def test_loss_axes_state_their_floor_and_context_never_oscillates(quadratic_runs):
    lion = quadratic_runs[-1]
    y = draw.gap(draw.surface_of(lion), lion.losses)
    assert y.min() == draw.FLOOR and np.any(np.diff(y[-200:]) > 0)     # Lion oscillates down to exact zeros
    fig = draw.new_figure(4, 3)
    ax = fig.add_axes([0.1, 0.1, 0.8, 0.8])
    draw.draw_context(ax, [lion], draw.loss_top([lion]))
    assert np.all(np.diff(ax.get_lines()[0].get_ydata()) <= 0)
    assert "1e-16" in draw.clip_text(1e4) and "10000" in draw.clip_text(1e4)


def test_outcome_words_are_the_engines():
    words = {k: draw.outcome(draw.trajectory(k, "quadratic")) for k in ("sgd", "adadelta", "lion")}
    assert words["sgd"].startswith("ended at the global minimum (0, 0); settled within 0.01 from step ")
    assert words["adadelta"].startswith("budget: the steps ran out before it settled (0.0117 from the nearest")
    assert "but still moving" in words["lion"]
    assert draw.outcome(draw.trajectory("sgd", "rosenbrock")).startswith("diverged (step 2:")


def test_frames_follow_the_motion():
    Run = namedtuple("Run", "points steps")
    moves = [(0.01 * i, 0.0) for i in range(101)] + [(1.0, 0.0)] * 900          # moves 100 steps, then stops
    steps = animation.frame_steps([Run(moves, 1000)], 60)
    assert steps[0] == 0 and steps[-1] == 1000 and len(steps) <= 60
    assert sum(k <= 100 for k in steps) >= 0.7 * len(steps)
    hover = [(0.01 * (i % 2), 0.0) for i in range(1001)]                      # ±η in place
    assert animation.motion(hover)[-1] < 0.02 * animation.motion(moves)[-1] + 0.1


def test_committed_gifs_are_large_and_show_the_current_step(rendered):
    for p in (ROOT / "visualizations" / "gifs").rglob("*.gif"):
        with Image.open(p) as im:
            assert im.width >= 640 and 10 < im.n_frames <= animation.FRAMES, p
    scene_images = animation.render_frames([draw.trajectory("momentum", "quadratic", 40)], 3, px=640)[1]
    assert scene_images[0].size[0] == 640


def test_step_sizes_are_the_runs_own():
    k, g, d, uphill, shown = mechanism.sizes(draw.trajectory("sgd", "quadratic"))
    assert np.allclose(d[shown] / g[shown], 0.01, rtol=1e-9)                   # SGD: |Δθ_i| = η|g_i|
    _, _, d, _, shown = mechanism.sizes(draw.trajectory("lion", "quadratic"))
    assert np.allclose(d[shown], 0.01, rtol=1e-9)                              # Lion: every step is η
    _, _, _, uphill, _ = mechanism.sizes(draw.trajectory("momentum", "quadratic"))
    assert uphill.any()                                                        # momentum carries it uphill


def test_field_zooms_to_a_short_path():
    surf = pycore.SURFACES["quadratic"]
    short = draw.trajectory("adagrad", "quadratic")
    view, zoomed = figures.field_view(surf, short.points)
    assert zoomed and all(draw.in_view(surf, p) for p in short.points)
    (x0, x1), (y0, y1) = view
    assert all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in short.points)
    assert figures.field_view(surf, draw.trajectory("momentum", "quadratic").points) == (surf.bounds, False)


def test_uncorrected_adam_is_pycores_switch_and_labelled_an_illustration():
    exact, plain = ablations.correction_runs(50)
    b1, b2 = exact.hyperparams["betas"]
    assert abs(plain.updates[0][0]) / 0.01 == pytest.approx((1 - b1) / (1 - b2) ** 0.5, rel=1e-6)   # 3.16η (up to ε)
    assert abs(exact.updates[0][0]) / 0.01 == pytest.approx(1.0, rel=1e-6)
    assert exact.hyperparams["bias_correction"] and not plain.hyperparams["bias_correction"]
    assert "not a torch option" in ablations.adam_bias_correction_caption(50)


def test_stability_limits_match_the_runs():
    """Just below each limit the run does not diverge, just above it does (2000 steps)."""
    h, _ = ablations.curvature(pycore.SURFACES["quadratic"])
    assert h == pytest.approx(25.0, rel=1e-6)
    for key, limit in ablations.stability_limits(h, 0.9).items():
        assert draw.trajectory(key, "quadratic", 2000, lr=0.97 * limit).outcome != "diverged", key
        assert draw.trajectory(key, "quadratic", 2000, lr=1.03 * limit).outcome == "diverged", key


def test_ablations_sit_on_their_pages():
    assert {ablations.ABLATIONS[n][2] for n in ablations.ABLATIONS} == {"adam", "adamw", "momentum", "nesterov"}
    for name, (_, _, page) in ablations.ABLATIONS.items():
        assert ("ablation", None, name) in docs.page_figures(page)


def test_figure_surfaces_cover_the_brief():
    keys = figures.figure_surfaces()
    assert "convex" in pycore.SURFACES[keys[0]].tags
    assert {"rosenbrock", "himmelblau", "two_wells"} <= set(keys) and {"rastrigin", "beale"} & set(keys)


def test_committed_figures_are_complete_in_sync_and_small():
    """Every figure of the default set is committed, nothing else is, and the index of what each shows matches
    the runs now: a change to the engine or the settings fails here until `python3 -m desktop.figures` runs."""
    expected = {ROOT / figures.plot_path(s, k, kind) for kind, s, k in figures.default_jobs()}
    on_disk = set((ROOT / "visualizations").rglob("*.png")) | set((ROOT / "visualizations").rglob("*.gif"))
    assert expected == on_disk, {"missing": sorted(map(str, expected - on_disk)),
                                 "extra": sorted(map(str, on_disk - expected))}
    committed = json.loads((ROOT / figures.INDEX).read_text())
    fresh = figures.manifest(figures.default_jobs())
    stale = sorted(p for p in fresh if committed.get(p) != fresh[p])
    assert not stale and set(committed) == set(fresh), f"stale figures, run python3 -m desktop.figures: {stale[:5]}"
    assert sum(p.stat().st_size for p in on_disk) < 20e6


def test_walkthroughs_reproduce_their_pages_at_reduced_size(tmp_path):
    """The adam page's figures render through the walk-through; the surfaces page's list is the one its page links
    (those kinds render in test_every_kind_of_figure_renders)."""
    walkthrough.main(["adam", "--small", "--out", str(tmp_path)])
    for kind, s, k in docs.page_figures("adam"):
        assert (tmp_path / figures.plot_path(s, k, kind)).exists()
    linked = set(re.findall(r"\]\(\.\./(visualizations/[^)]+)\)", (ROOT / "docs" / "surfaces.md").read_text()))
    assert linked == {figures.plot_path(s, k, kind).as_posix() for kind, s, k in walkthrough.surfaces_figures()}
    walkthrough.main(["comparison", "--small", "--out", str(tmp_path)])
    assert "## Method" in (tmp_path / "docs" / "comparison.md").read_text()
    with pytest.raises(ValueError, match="unknown page"):
        walkthrough.figure_jobs("nope")


def test_every_surface_formula_renders_as_mathtext_not_raw_latex():
    raw = [k for k, s in pycore.SURFACES.items() if not draw.formula(s).startswith("$")]
    assert raw == []
