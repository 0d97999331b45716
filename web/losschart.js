// Loss vs step (log scale) for the enabled optimizers, with a cursor synced to playback; drag on it to scrub.
import { el, clear, fmt, linear } from "./svg.js";

const M = { left: 56, right: 14, top: 10, bottom: 30 };

export class LossChart {
  constructor(svg, note, onScrub, xLabel = "step") {
    this.svg = svg;
    this.xLabel = xLabel;
    this.note = note;
    this.onScrub = onScrub;
    this.lines = new Map();
    let dragging = false;
    const scrub = (e) => {
      if (!this.x) return;
      const r = svg.getBoundingClientRect();
      const px = ((e.clientX - r.left) / r.width) * this.width;
      this.onScrub(Math.round(Math.min(this.steps, Math.max(0, this.x.invert(px)))));
    };
    svg.addEventListener("pointerdown", (e) => { dragging = true; svg.setPointerCapture(e.pointerId); scrub(e); });
    svg.addEventListener("pointermove", (e) => { if (dragging) scrub(e); });
    svg.addEventListener("pointerup", () => { dragging = false; });
  }

  // runs: {key: summary}; order: display order; enabled: Set; fStar: the surface's global minimum value.
  set(runs, meta, order, enabled, steps, fStar) {
    const svg = this.svg;
    clear(svg);
    this.lines.clear();
    this.steps = steps;
    this.width = Math.max(320, svg.parentElement.clientWidth - 28);
    this.height = 190;
    svg.setAttribute("viewBox", `0 0 ${this.width} ${this.height}`);
    const shown = order.filter((k) => runs[k] && enabled.has(k));
    let lo = Infinity, hi = -Infinity;
    for (const k of shown) for (const v of runs[k].losses) {
      const d = v - fStar;
      if (d > 0) { lo = Math.min(lo, d); hi = Math.max(hi, d); }
    }
    this.note.textContent = fStar === 0 ? "(f, log scale)" : `(f − f*, log scale; f* = ${fmt(fStar, 6)})`;
    if (!shown.length || !(hi > 0)) {
      this.x = null;
      el("text", { x: this.width / 2, y: this.height / 2, "text-anchor": "middle", class: "muted", fill: "#5d6778" }, svg)
        .textContent = shown.length ? "No positive values to show on a log scale" : "No optimizer enabled";
      return;
    }
    const e0 = Math.floor(Math.log10(lo)), e1 = Math.max(e0 + 1, Math.ceil(Math.log10(hi)));
    const x = linear(0, Math.max(1, steps), M.left, this.width - M.right);
    const ly = linear(e0, e1, this.height - M.bottom, M.top);
    const y = (d) => ly(d > 0 ? Math.log10(d) : e0);
    this.x = x;
    const grid = el("g", { class: "grid axis" }, svg);
    const every = Math.max(1, Math.ceil((e1 - e0) / 6));
    for (let e = e0; e <= e1; e += every) {
      el("line", { x1: M.left, x2: this.width - M.right, y1: ly(e), y2: ly(e) }, grid);
      el("text", { x: M.left - 6, y: ly(e) + 4, "text-anchor": "end" }, grid).textContent = `1e${e}`;
    }
    for (const t of d3.ticks(0, steps, Math.max(2, Math.round(this.width / 90)))) {
      el("text", { x: x(t), y: this.height - M.bottom + 16, "text-anchor": "middle" }, grid).textContent = String(t);
    }
    el("text", { x: this.width - M.right, y: this.height - 2, "text-anchor": "end" }, grid).textContent = this.xLabel;
    for (const k of shown) {
      const pts = runs[k].losses.map((v, i) => `${x(i).toFixed(1)},${y(v - fStar).toFixed(1)}`);
      el("path", { class: "line", stroke: meta[k].color, d: "M" + pts.join("L"), "data-key": k }, svg);
      const dot = el("circle", { r: 3.5, fill: meta[k].color, stroke: "#fff", "stroke-width": 1 }, svg);
      this.lines.set(k, { pts, dot });
    }
    this.cursor = el("line", { class: "cursor", y1: M.top, y2: this.height - M.bottom }, svg);
  }

  draw(step) {
    if (!this.x) return;
    const cx = this.x(step);
    this.cursor.setAttribute("x1", cx);
    this.cursor.setAttribute("x2", cx);
    for (const { pts, dot } of this.lines.values()) {
      const [a, b] = pts[Math.min(step, pts.length - 1)].split(",");
      dot.setAttribute("cx", a);
      dot.setAttribute("cy", b);
    }
  }
}
