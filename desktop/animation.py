"""Step-by-step animations of runs: frames spaced by motion, the current −∇f and update as arrows, GIF output,
and a filmstrip (a few frames side by side, one PNG that shows on a code host without running anything).

Frame k shows the path up to point k. For one run it also shows, at the current point, the direction of −∇f
and of the update the optimizer takes next (both unit length: their sizes are printed below the plot, since
they span orders of magnitude).
"""
import io
import pathlib

import numpy as np
from PIL import Image

from . import draw

PX = 640          # GIF width in pixels
FRAMES = 60
MOTION_SHARE = 0.8  # frames follow the motion for this share of the progress measure, time for the rest
SMOOTH = 8        # points averaged before measuring motion, so an oscillation in place counts as little motion
FRAME_MS, FIRST_MS, LAST_MS = 90, 1000, 2500
GIF_COLOURS = 64   # one palette for every frame; 64 keep the contour bands and every registry colour


def motion(points, smooth=SMOOTH):
    """Cumulative arc length (one value per point, starting at 0) of the path after a moving average over
    ``smooth`` points: a run that hovers ±η in place adds almost nothing, a run that travels adds its distance."""
    pts = np.asarray(points, dtype=float)
    if len(pts) > smooth:
        kernel = np.ones(smooth) / smooth
        pts = np.column_stack([np.convolve(np.pad(pts[:, i], (smooth - 1, 0), mode="edge"), kernel, "valid")
                               for i in range(2)])
    return np.r_[0.0, np.cumsum(np.hypot(*np.diff(pts, axis=0).T))]


def frame_steps(trajs, count=FRAMES, share=MOTION_SHARE):
    """At most ``count`` distinct step indices from 0 to the longest run's steps, at equal increments of a
    progress measure: ``share`` of it is motion (each run's smoothed arc length as a fraction of its total,
    averaged over the runs), the rest is time. So frames crowd where the paths move and time never stalls;
    every frame is labelled with its step."""
    n = max(t.steps for t in trajs)
    if n == 0 or count < 2:
        return [0]
    progress = (1 - share) * np.arange(n + 1) / n
    for t in trajs:
        arc = motion(t.points)
        done = arc / arc[-1] if arc[-1] > 0 else np.arange(len(arc)) / max(len(arc) - 1, 1)
        progress += share * np.r_[done, np.ones(n + 1 - len(done))] / len(trajs)
    ks = np.searchsorted(progress, np.linspace(0.0, progress[-1], count) - 1e-12)
    return sorted(set(int(k) for k in np.clip(ks, 0, n)) | {0, n})


class _Scene:
    """The figure of an animation with its moving parts; ``image(k)`` renders frame k by blitting the moving
    parts over the static background (contours, colour bar, title) drawn once."""

    def __init__(self, trajs, px, title=None):
        self.trajs = trajs
        self.single = len(trajs) == 1
        surface = draw.surface_of(trajs[0])
        dpi, width = 100, px / 100
        (x0, x1), (y0, y1) = surface.bounds
        # Layout in inches: title, the square-scaled axes with a colour bar, x label, legend, two text lines.
        ax_w = width - 1.55
        ax_h = draw.map_height(surface.bounds, ax_w)
        top, below = 0.62, 0.5 + (0.42 if self.single else 0.6) + 0.55
        height = top + ax_h + below
        fig = self.fig = draw.new_figure(width, height, dpi)
        ax, cax = draw.map_axes(fig, surface.bounds, 0.62, below, ax_w)
        self.ax = ax
        draw.draw_surface(ax, surface, n=151, colorbar=cax)
        names = ", ".join(draw.spec_of(t).name for t in trajs) if len(trajs) < 3 else "All optimizers"
        ax.set_title((title or f"{names} on {surface.name}") + f"\n{draw.formula(surface)}", fontsize=10)
        ax.plot(*trajs[0].start, "o", color="black", ms=5, zorder=7, label="start")
        self.lines, self.heads = [], []
        for t in trajs:
            spec = draw.spec_of(t)
            self.lines.append(ax.plot([], [], color=spec.color, lw=1.6, animated=True)[0])
            self.heads.append(ax.plot([], [], marker=draw.MPL_MARKERS[spec.marker], ls="none", color=spec.color,
                                      mec="black", ms=9, zorder=8, label=spec.name, animated=True)[0])
        moving = list(self.lines) + list(self.heads)
        self.arrow_len = 0.11 * max(x1 - x0, y1 - y0)
        if self.single:
            spec = draw.spec_of(trajs[0])
            kw = dict(angles="xy", scale_units="xy", scale=1, width=0.007, zorder=9, animated=True)
            self.grad_arrow = ax.quiver([0], [0], [0], [0], color="black", label=r"$-\nabla f$ here (direction)", **kw)
            self.step_arrow = ax.quiver([0], [0], [0], [0], color=spec.color,
                                        label=rf"{spec.name}'s next update $\Delta\theta$ (direction)", **kw)
            moving += [self.grad_arrow, self.step_arrow]
        handles, labels = draw.legend_entries([ax])
        fig.legend(handles, labels, loc="upper center", ncol=3 if self.single else 5, fontsize=8, frameon=False,
                   bbox_to_anchor=(0.5, (below - 0.42) / height), handlelength=1.3, columnspacing=1.0)
        fig.text(0.02, 0.3 / height, draw.lr_text(trajs) + "; other hyperparameters torch defaults; no clipping, "
                 "no noise", fontsize=8, ha="left", va="bottom")
        self.note = fig.text(0.02, 0.06 / height, "", fontsize=8.5, ha="left", va="bottom", animated=True)
        self.moving = moving + [self.note]
        fig.canvas.draw()
        self.background = fig.canvas.copy_from_bbox(fig.bbox)

    def _arrow(self, quiver, at, vector):
        norm = float(np.hypot(*vector))
        u = (np.asarray(vector) / norm * self.arrow_len) if norm > 0 else np.zeros(2)
        quiver.set_offsets([at])
        quiver.set_UVC([u[0]], [u[1]])
        quiver.set_visible(norm > 0)

    def image(self, k):
        n = max(t.steps for t in self.trajs)
        gone = []
        for t, line, head in zip(self.trajs, self.lines, self.heads):
            pts = np.array(t.points[: k + 1])
            line.set_data(pts[:, 0], pts[:, 1])
            head.set_data([pts[-1, 0]], [pts[-1, 1]])
            ended = t.outcome == "diverged" and k >= len(t.points) - 1
            head.set(marker="X" if ended else draw.MPL_MARKERS[draw.spec_of(t).marker],
                     color=draw.DIVERGED if ended else draw.spec_of(t).color)
            if ended:
                gone.append(f"{draw.spec_of(t).name} (step {len(t.points)})")
        if self.single:
            t = self.trajs[0]
            i = min(k, len(t.points) - 1)
            if i < len(t.grads):
                g, u = np.array(t.grads[i]), np.array(t.updates[i])
                self._arrow(self.grad_arrow, t.points[i], -g)
                self._arrow(self.step_arrow, t.points[i], u)
                text = (f"step {k} of {n}:  f = {t.losses[i]:.3g},  |∇f| = {np.hypot(*g):.3g},  "
                        f"next |Δθ| = {np.hypot(*u):.3g}")
            else:
                self.grad_arrow.set_visible(False)
                self.step_arrow.set_visible(False)
                text = f"step {k} of {n}:  f = {t.losses[i]:.3g},  " + ("diverged" if gone else "end of the run")
        else:
            text = f"step {k} of {n}" + (f";  diverged: {', '.join(gone)}" if gone else "")
        self.note.set_text(text)
        canvas = self.fig.canvas
        canvas.restore_region(self.background)
        for a in self.moving:
            if a is self.note:
                self.fig.draw_artist(a)
            else:
                self.ax.draw_artist(a)
        return draw.rgb_image(self.fig)


def render_frames(trajs, count=FRAMES, px=PX, title=None):
    """(steps, images): at most ``count`` frames of an animation of ``trajs`` (runs on one surface), RGB."""
    scene = _Scene(trajs, px, title)
    steps = frame_steps(trajs, count)
    return steps, [scene.image(k) for k in steps]


def gif_bytes(images):
    """Frames as a looping GIF: one palette for all frames (registry colours exact, no dithering, so colours
    neither shift nor flicker), the first frame held 1 s and the last 2.5 s."""
    apply = draw.palette_mapper(draw.palette([images[0], images[len(images) // 2], images[-1]], colors=GIF_COLOURS))
    quantised = [apply(im) for im in images]
    durations = [FIRST_MS] + [FRAME_MS] * (len(images) - 2) + [LAST_MS] if len(images) > 1 else [LAST_MS]
    buf = io.BytesIO()
    quantised[0].save(buf, format="gif", save_all=True, append_images=quantised[1:], duration=durations, loop=0,
                      optimize=True)
    return buf.getvalue()


def animation(trajs, out, count=FRAMES, px=PX, title=None):
    """Write the GIF of ``trajs`` (at most ``count`` frames, ``px`` wide) to ``out``."""
    _, images = render_frames(trajs, count, px, title)
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(gif_bytes(images))


def filmstrip(trajs, n=4, width=480, columns=2, title=None):
    """``n`` frames of the animation (equal steps of motion, as in the GIF), rendered at the GIF's size, scaled to
    ``width`` pixels and laid out ``columns`` to a row, as one palette image: what a notebook shows of an
    animation without running it."""
    _, images = render_frames(trajs, n, PX, title)
    scaled = [im.resize((width, round(im.height * width / im.width)), Image.Resampling.LANCZOS) for im in images]
    w, h = scaled[0].size
    rows = -(-len(scaled) // columns)
    sheet = Image.new("RGB", (w * min(columns, len(scaled)), h * rows), "white")
    for i, im in enumerate(scaled):
        sheet.paste(im, ((i % columns) * w, (i // columns) * h))
    return draw.quantise([sheet], colors=128)[0]
