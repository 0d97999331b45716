// The runs layer of #plot: one path per optimizer up to the playback step, its current dot, and a mark where a
// run diverged. Pixel coordinates are computed once per run; a playback frame only slices them.
//
// A divergence is marked where the path leaves the view (on the plot's edge, the reason on hover), or at its last
// point if it blew up inside the view: never off-screen. Dots are found by distance, not by which element is on
// top: hovering or tapping where several dots overlap offers every optimizer there.
import { el, clear, markerPath } from "./svg.js";

const HIT = 10;   // px: a pointer this close to a dot's centre is on it

// Where the segment from inside point a to point b crosses the box [x0, x1] × [y0, y1] (pixels).
function exitPoint([ax, ay], [bx, by], { x0, x1, y0, y1 }) {
  let t = 1;
  for (const [p, d, lo, hi] of [[ax, bx - ax, x0, x1], [ay, by - ay, y0, y1]]) {
    if (d > 0 && p + d > hi) t = Math.min(t, (hi - p) / d);
    if (d < 0 && p + d < lo) t = Math.min(t, (lo - p) / d);
  }
  return [ax + (bx - ax) * t, ay + (by - ay) * t];
}

export class PathLayer {
  constructor(g, marks, { onInspect, onLeave, onChoose }) {
    this.g = g;
    this.marks = marks;
    this.onInspect = onInspect;
    this.onLeave = onLeave;
    this.onChoose = onChoose;
    this.items = new Map();
    this.hovered = null;
  }

  // runs: {key: run}; meta: {key: optimizer record}; order: keys in display order.
  set(runs, meta, order, geo) {
    clear(this.g);
    clear(this.marks);
    this.items.clear();
    this.geo = geo;
    const box = { x0: geo.margin.left, x1: geo.margin.left + geo.width, y0: geo.margin.top, y1: geo.margin.top + geo.height };
    this.box = box;
    const halos = el("g", {}, this.g);
    const lines = el("g", {}, this.g);
    const dots = el("g", {}, this.marks);
    const marks = el("g", {}, this.marks);
    for (const key of order) {
      const run = runs[key];
      if (!run) continue;
      const o = meta[key];
      const px = run.points.map(([a, b]) => [geo.x(a), geo.y(b)]);
      const pts = px.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`);
      const halo = el("path", { class: "path-halo" }, halos);
      const line = el("path", { class: "path", stroke: o.color, "data-key": key }, lines);
      let mark = null;
      if (run.outcome === "diverged") {
        const inside = ([a, b]) => a >= box.x0 && a <= box.x1 && b >= box.y0 && b <= box.y1;
        const out = px.findIndex((p) => !inside(p));
        const at = out > 0 ? exitPoint(px[out - 1], px[out], box) : out === 0 ? px[0] : px[px.length - 1];
        mark = el("g", { class: "div-mark", transform: `translate(${at[0].toFixed(1)},${at[1].toFixed(1)})`, "data-key": key }, marks);
        el("circle", { r: 8, fill: "#fff", stroke: o.color, "stroke-width": 2 }, mark);
        el("path", { class: "diverged-marker", d: "M-4,-4L4,4M4,-4L-4,4" }, mark);
        el("title", {}, mark).textContent = `${o.name} diverged` + (out > 0 ? " after leaving the view here" : "") + `: ${run.reason}`;
      }
      const dot = el("g", { class: "dot", tabindex: "0", role: "button", "data-key": key }, dots);
      el("path", { d: markerPath(o.marker, 6.5), fill: o.color }, dot);
      dot.addEventListener("focus", () => this.onInspect(key, dot));
      dot.addEventListener("blur", () => this.onLeave(key));
      this.items.set(key, { run, o, px, pts, halo, line, mark, dot, at: null });
    }
  }

  // Shows the enabled runs at point index `step` (clamped to each run's last point). A dot outside the view
  // (a run on its way out) is hidden; its path is clipped at the edge.
  draw(step, enabled) {
    const { x0, x1, y0, y1 } = this.box;
    for (const [key, it] of this.items) {
      const on = enabled.has(key);
      for (const node of [it.halo, it.line, it.dot, it.mark]) if (node) node.style.display = on ? "" : "none";
      it.at = null;
      if (!on) continue;
      const i = Math.min(step, it.pts.length - 1);
      const d = "M" + it.pts.slice(0, i + 1).join("L");
      it.halo.setAttribute("d", d);
      it.line.setAttribute("d", d);
      const [a, b] = it.px[i];
      const visible = a >= x0 && a <= x1 && b >= y0 && b <= y1;
      it.dot.style.display = visible ? "" : "none";
      if (visible) {
        it.dot.setAttribute("transform", `translate(${it.pts[i]})`);
        it.at = [a, b];
      }
      const where = i < step ? `stopped at step ${i} (${it.run.outcome})` : `step ${i}`;
      it.dot.setAttribute("aria-label", `${it.o.name}, ${where}: inspect`);
    }
  }

  // Keys of the shown dots within HIT px of a pointer event, nearest first.
  hit(e) {
    if (!this.geo) return [];
    const svg = this.g.ownerSVGElement;
    const r = svg.getBoundingClientRect();
    const k = this.geo.svgWidth / r.width;
    const px = (e.clientX - r.left) * k, py = (e.clientY - r.top) * k;
    const near = [];
    for (const [key, it] of this.items) {
      if (!it.at) continue;
      const d = Math.hypot(it.at[0] - px, it.at[1] - py);
      if (d <= HIT * k) near.push([d, key]);
    }
    return near.sort((a, b) => a[0] - b[0]).map(([, key]) => key);
  }

  // Pointer moves over the plot: inspect the dot under it, offering every dot there when several overlap.
  hover(e) {
    const keys = e ? this.hit(e) : [];
    const id = keys.join(",");
    if (id === this.hovered) return;
    this.hovered = id;
    for (const [key, it] of this.items) it.dot.classList.toggle("hover", keys.includes(key));
    if (!keys.length) { this.onLeave(null); return; }
    if (keys.length > 1) this.onChoose(keys, this.items.get(keys[0]).dot);
    else this.onInspect(keys[0], this.items.get(keys[0]).dot);
  }

  dot(key) {
    return this.items.get(key)?.dot ?? null;
  }
}
