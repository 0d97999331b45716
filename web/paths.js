// The runs layer of #plot: one path per optimizer up to the playback step, its current dot, and a marker where a
// run diverged. Pixel coordinates are computed once per run; a playback frame only slices them.
import { el, clear, markerPath } from "./svg.js";

export class PathLayer {
  constructor(g, { onInspect, onLeave }) {
    this.g = g;
    this.onInspect = onInspect;
    this.onLeave = onLeave;
    this.items = new Map();
  }

  // runs: {key: run summary}; meta: {key: optimizer record}; order: keys in display order.
  set(runs, meta, order, geo) {
    clear(this.g);
    this.items.clear();
    const halos = el("g", {}, this.g);
    const lines = el("g", {}, this.g);
    const marks = el("g", {}, this.g);
    const dots = el("g", {}, this.g);
    for (const key of order) {
      const run = runs[key];
      if (!run) continue;
      const o = meta[key];
      const pts = run.points.map(([a, b]) => `${geo.x(a).toFixed(1)},${geo.y(b).toFixed(1)}`);
      const halo = el("path", { class: "path-halo" }, halos);
      const line = el("path", { class: "path", stroke: o.color, "data-key": key }, lines);
      let mark = null;
      if (run.status === "diverged") {
        const [a, b] = run.points[run.points.length - 1];
        mark = el("g", { class: "div-mark", transform: `translate(${geo.x(a)},${geo.y(b)})`, "data-key": key }, marks);
        el("circle", { r: 8, fill: "#fff", stroke: o.color, "stroke-width": 2 }, mark);
        el("path", { class: "diverged-marker", d: "M-4,-4L4,4M4,-4L-4,4" }, mark);
        el("title", {}, mark).textContent = `${o.name} diverged: ${run.reason}`;
      }
      const dot = el("g", { class: "dot", tabindex: "0", role: "button", "data-key": key }, dots);
      el("path", { d: markerPath(o.marker, 6.5), fill: o.color }, dot);
      dot.addEventListener("pointerenter", () => this.onInspect(key, dot));
      dot.addEventListener("focus", () => this.onInspect(key, dot));
      dot.addEventListener("pointerleave", () => { if (document.activeElement !== dot) this.onLeave(key); });
      dot.addEventListener("blur", () => this.onLeave(key));
      this.items.set(key, { run, o, pts, halo, line, mark, dot });
    }
  }

  // Shows the enabled runs at point index `step` (clamped to each run's last point).
  draw(step, enabled) {
    for (const [key, it] of this.items) {
      const on = enabled.has(key);
      for (const node of [it.halo, it.line, it.dot, it.mark]) if (node) node.style.display = on ? "" : "none";
      if (!on) continue;
      const i = Math.min(step, it.pts.length - 1);
      const d = "M" + it.pts.slice(0, i + 1).join("L");
      it.halo.setAttribute("d", d);
      it.line.setAttribute("d", d);
      it.dot.setAttribute("transform", `translate(${it.pts[i]})`);
      const where = i < step ? `stopped at step ${i} (${it.run.status})` : `step ${i}`;
      it.dot.setAttribute("aria-label", `${it.o.name}, ${where}: inspect`);
    }
  }

  dot(key) {
    return this.items.get(key)?.dot ?? null;
  }
}
