// Loss vs step (log scale) for the enabled optimizers, with a cursor synced to playback; drag on it to scrub. A run
// may carry a second series, `val` (drawn dashed in its colour: the validation loss of web/epochchart.js).
import { el, clear, fmt, linear } from "./svg.js";

const M = { left: 56, right: 14, top: 10, bottom: 30 };
const DECADES = 12;

// log10(v − f*) for v > f*, also where v − f* exceeds the float range (f* = -1e308, v = 1e308): by halves.
function gapLog(v, fStar) {
  const d = v - fStar;
  return Number.isFinite(d) ? Math.log10(d) : Math.log10(v / 2 - fStar / 2) + Math.log10(2);
}

// Ticks for a linear axis over [lo, hi]: d3's when it can make them (it cannot below a spread of about 1e-300,
// nor where hi − lo overflows), else the two ends; labels with as few digits as keep them distinct.
function linearTicks(lo, hi) {
  const spread = hi - lo;
  let ticks = spread > 1e-290 && Number.isFinite(spread) ? d3.ticks(lo, hi, 5).filter(Number.isFinite) : [];
  if (ticks.length < 2) ticks = [lo, hi];
  let digits = 3;
  while (digits < 17 && new Set(ticks.map((t) => fmt(t, digits))).size < ticks.length) digits++;
  return ticks.map((t) => [t, fmt(t, digits)]);
}

export class LossChart {
  constructor(svg, note, onScrub, xLabel = "step", yName = "f") {
    this.svg = svg;
    this.xLabel = xLabel;
    this.yName = yName;
    this.note = note;
    this.onScrub = onScrub;
    this.lines = [];
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

  // runs: {key: run}; order: display order; enabled: Set; fStar: the surface's global minimum value (null when
  // it lists none: then f itself on a linear axis). On the log axis at most DECADES decades are shown, so one run
  // reaching 1e-30 does not squash the others; smaller gaps are drawn on the bottom line, as the note says.
  set(runs, meta, order, enabled, steps, fStar) {
    const svg = this.svg;
    if (this.width === undefined) this.measure();
    clear(svg);
    this.lines = [];
    this.steps = steps;
    this.height = 190;
    this.bottom = this.height - M.bottom;      // the x axis, for marks dropped onto it
    svg.setAttribute("viewBox", `0 0 ${this.width} ${this.height}`);
    const shown = order.filter((k) => runs[k] && enabled.has(k));
    const series = [];
    for (const k of shown) {
      series.push({ k, values: runs[k].losses });
      if (runs[k].val) series.push({ k, values: runs[k].val, val: true });
    }
    const log = fStar !== null && fStar !== undefined;
    // lo, hi: the range of f (linear), or of log10(f − f*) over the losses above f* (log).
    let lo = Infinity, hi = -Infinity;
    for (const { values } of series) for (const v of values) {
      if (log && !(v > fStar)) continue;
      const d = log ? gapLog(v, fStar) : v;
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
    }
    if (!shown.length || !(hi > lo || (log && hi > -Infinity))) {
      this.x = null;
      this.note.textContent = "";
      el("text", { x: this.width / 2, y: this.height / 2, "text-anchor": "middle", class: "muted", fill: "#5d6778" }, svg)
        .textContent = shown.length ? "Nothing to plot: every loss is the same" : "No optimizer enabled";
      return;
    }
    let ticks, y;
    if (log) {
      const e1 = Math.max(Math.floor(lo) + 1, Math.ceil(hi));
      const e0 = Math.max(Math.floor(lo), e1 - DECADES);
      const ly = linear(e0, e1, this.height - M.bottom, M.top);
      y = (v) => ly(v > fStar ? Math.max(e0, gapLog(v, fStar)) : e0);
      const every = Math.max(1, Math.ceil((e1 - e0) / 6));
      ticks = [];
      for (let e = e0; e <= e1; e += every) ticks.push([ly(e), `1e${e}`]);
      const clipped = lo < e0;
      const f = this.yName;
      this.note.textContent = (fStar === 0 ? `(${f}, log scale` : `(${f} − ${f}*, log scale; ${f}* = ${fmt(fStar, 6)}`) +
        (clipped ? `; gaps below 1e${e0} drawn on the bottom line)` : ")");
    } else {
      // (v − lo)/(hi − lo) by halves, so a spread beyond the float range still maps into the chart.
      const half = hi / 2 - lo / 2, bottom = this.height - M.bottom;
      y = (v) => bottom - (bottom - M.top) * ((v / 2 - lo / 2) / half);
      ticks = linearTicks(lo, hi).map(([t, label]) => [y(t), label]);
      this.note.textContent = `(${this.yName}, linear scale: this surface lists no minimum to measure from)`;
    }
    const x = linear(0, Math.max(1, steps), M.left, this.width - M.right);
    this.x = x;
    const grid = el("g", { class: "grid axis" }, svg);
    for (const [yy, label] of ticks) {
      el("line", { x1: M.left, x2: this.width - M.right, y1: yy, y2: yy }, grid);
      el("text", { x: M.left - 6, y: yy + 4, "text-anchor": "end" }, grid).textContent = label;
    }
    for (const t of d3.ticks(0, steps, Math.max(2, Math.round(this.width / 90)))) {
      el("text", { x: x(t), y: this.height - M.bottom + 16, "text-anchor": "middle" }, grid).textContent = String(t);
    }
    el("text", { x: this.width - M.right, y: this.height - 2, "text-anchor": "end" }, grid).textContent = this.xLabel;
    this.yOf = y;
    for (const { k, values, val } of series) {
      const c = meta[k].color;
      const pts = Array.from(values, (v, i) => this.point(i, v).map((p) => p.toFixed(1)).join(","));
      el("path", { class: val ? "line val" : "line", stroke: c, d: "M" + pts.join("L"), "data-key": k }, svg);
      // the validation series' dot is hollow, as its line is dashed
      const dot = el("circle", { r: 3.5, fill: val ? "#fff" : c, stroke: val ? c : "#fff", "stroke-width": val ? 1.5 : 1 }, svg);
      this.lines.push({ pts, dot });
    }
    this.cursor = el("line", { class: "cursor", y1: M.top, y2: this.height - M.bottom }, svg);
  }

  // Takes the width the page gives the chart, for the next set(). Reading it makes the browser lay the page out
  // if anything changed since it last did, so callers measure before changing the page (a resize), not after.
  measure() {
    this.width = Math.max(300, this.svg.parentElement.clientWidth - 28);
  }

  // Chart coordinates [x, y] of the value v at index i, or null when the last set() drew no lines.
  point(i, v) {
    return this.x ? [this.x(i), this.yOf(v)] : null;
  }

  draw(step) {
    if (!this.x) return;
    const cx = this.x(step);
    this.cursor.setAttribute("x1", cx);
    this.cursor.setAttribute("x2", cx);
    for (const { pts, dot } of this.lines) {
      const [a, b] = pts[Math.min(step, pts.length - 1)].split(",");
      dot.setAttribute("cx", a);
      dot.setAttribute("cy", b);
    }
  }
}
