// The surface layer of #plot: filled contour bands, isolines, axes, colour bar and minima, from pycore's grid.
import { el, fmt, hexToRgb, linear, markerPath } from "./svg.js";

// A light perceptual ramp (lightness falls slowly from the valley to the peaks) so coloured paths stand out.
const STOPS = ["#eaf4fb", "#d6ebf2", "#d9efe0", "#eef3d2", "#fbedc8", "#f8dcc0", "#f2c8bf", "#e6b9c6"];

const RGB = STOPS.map(hexToRgb);

export function colour(t) {
  const x = Math.min(1, Math.max(0, t)) * (RGB.length - 1);
  const i = Math.min(RGB.length - 2, Math.floor(x));
  const f = x - i;
  const c = RGB[i].map((a, k) => Math.round(a + (RGB[i + 1][k] - a) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

// Equal-aspect geometry: one data unit is the same number of pixels along x and y; y points up. (pycore checks
// that a view's spans are drawable: positive, finite, and not tiny next to its coordinates.)
export function geometry(bounds, maxWidth, maxHeight, compact = false) {
  const [[x0, x1], [y0, y1]] = bounds;
  const m = compact ? { left: 40, right: 58, top: 8, bottom: 34 } : { left: 52, right: 78, top: 12, bottom: 40 };
  const k = Math.min((maxWidth - m.left - m.right) / (x1 - x0), (maxHeight - m.top - m.bottom) / (y1 - y0));
  const width = k * (x1 - x0);
  const height = k * (y1 - y0);
  return {
    bounds, margin: m, width, height, pxPerUnit: k,
    svgWidth: width + m.left + m.right, svgHeight: height + m.top + m.bottom,
    x: linear(x0, x1, m.left, m.left + width),
    y: linear(y0, y1, m.top + height, m.top),
  };
}

const ISOLINE = { colour: "rgba(40, 52, 70, .16)", width: 0.7 };

// d3's contour polygons of a grid, in grid cells: computed once per grid (a tenth to a fifth of a second for the
// opening view), so a resize or a return to a surface only redraws them.
const computed = new WeakMap();
function bandsOf(grid) {
  if (!computed.has(grid)) computed.set(grid, d3.contours().size([grid.nx, grid.ny]).thresholds(grid.thresholds)(grid.values));
  return computed.get(grid);
}

// The bands that have polygons, in drawing order: the fill of each and its rings in the plot's units (`px`, `py`
// map grid cells there). A band covers where f is at least its threshold, so each is filled over the one below.
function bandRings(grid, px, py) {
  const n = grid.thresholds.length;
  return bandsOf(grid).map((band, k) => ({
    fill: colour((k + 1) / n),
    rings: band.coordinates.flat().map((ring) => ring.map(([a, b]) => [px(a), py(b)])),
  })).filter((band) => band.rings.length);
}

// The filled bands and their isolines, painted once onto a bitmap (an <image> in `g`) rather than kept as ~30 SVG
// paths: a playback frame then repaints a picture under the moving paths, not every band's outline, which had
// held playback of 12 optimizers well under the display rate (38 -> 49 frames/s on the 2-core machine). Painted at
// the screen's pixel ratio, so it is as sharp as the paths; `data-bands` says how many bands it holds.
function paintBands(g, geo, bands) {
  const { margin: m, width, height } = geo;
  const ratio = window.devicePixelRatio || 1;
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width * ratio));
  canvas.height = Math.max(1, Math.round(height * ratio));
  const c = canvas.getContext("2d");
  c.scale(canvas.width / width, canvas.height / height);
  c.translate(-m.left, -m.top);
  c.fillStyle = colour(0);
  c.fillRect(m.left, m.top, width, height);
  c.strokeStyle = ISOLINE.colour;
  c.lineWidth = ISOLINE.width;
  for (const { fill, rings } of bands) {
    c.beginPath();
    for (const ring of rings) {
      ring.forEach(([a, b], i) => (i ? c.lineTo(a, b) : c.moveTo(a, b)));
      c.closePath();
    }
    c.fillStyle = fill;
    c.fill();
    c.stroke();                     // the band's outline is the isoline
  }
  el("image", { class: "iso", href: canvas.toDataURL("image/png"), x: m.left, y: m.top, width, height,
    preserveAspectRatio: "none", "data-bands": bands.length }, g);
}

// The same bands as SVG paths (a 0.1 px grid, each ring thinned to within a quarter of a pixel), for index.html's
// snapshot of the opening view (tools/make_static.py): a path is painted in the page's first frame, where a
// bitmap waits to be fetched and decoded. `area` is the plot area the bitmap covers ({x, y, width, height}).
export function vectorBands(g, grid, area) {
  const { x, y, width, height } = area;
  const px = (c) => x + (c / grid.nx) * width;
  const py = (c) => y + height - (c / grid.ny) * height;
  const at = (v) => Math.round(v * 10) / 10;
  el("rect", { x, y, width, height, fill: colour(0) }, g);
  for (const { fill, rings } of bandRings(grid, px, py)) {
    const d = rings.map((ring) => `M${thin(ring, 0.25).map(([a, b]) => `${at(a)} ${at(b)}`).join("L")}Z`).join("");
    el("path", { d, fill, stroke: ISOLINE.colour, "stroke-width": ISOLINE.width }, g);
  }
}

// The points of a closed ring that keep it within `tol` of itself (Douglas and Peucker's line simplification).
function thin(ring, tol) {
  const keep = new Uint8Array(ring.length);
  keep[0] = keep[ring.length - 1] = 1;
  const stack = [[0, ring.length - 1]];
  while (stack.length) {
    const [i, j] = stack.pop();
    const [ax, ay] = ring[i], [bx, by] = ring[j];
    const len = Math.hypot(bx - ax, by - ay);
    let far = -1, dist = tol;
    for (let k = i + 1; k < j; k++) {
      const [cx, cy] = ring[k];
      const d = len ? Math.abs((bx - ax) * (ay - cy) - (ax - cx) * (by - ay)) / len : Math.hypot(cx - ax, cy - ay);
      if (d > dist) { far = k; dist = d; }
    }
    if (far > 0) { keep[far] = 1; stack.push([i, far], [far, j]); }
  }
  return ring.filter((_, k) => keep[k]);
}

function axes(g, geo, names = ["x", "y"]) {
  const { x, y, margin: m, width, height, bounds } = geo;
  const [[x0, x1], [y0, y1]] = bounds;
  const ax = el("g", { class: "axis", "aria-hidden": "true" }, g);
  const bottom = m.top + height;
  for (const t of d3.ticks(x0, x1, Math.max(3, Math.round(width / 80)))) {
    el("line", { x1: x(t), x2: x(t), y1: bottom, y2: bottom + 5 }, ax);
    el("text", { x: x(t), y: bottom + 17, "text-anchor": "middle" }, ax).textContent = fmt(t);
  }
  for (const t of d3.ticks(y0, y1, Math.max(3, Math.round(height / 70)))) {
    el("line", { x1: m.left - 5, x2: m.left, y1: y(t), y2: y(t) }, ax);
    el("text", { x: m.left - 8, y: y(t) + 4, "text-anchor": "end" }, ax).textContent = fmt(t);
  }
  el("text", { class: "axis-label", x: m.left + width / 2, y: bottom + 34, "text-anchor": "middle" }, ax).textContent = names[0];
  el("text", { class: "axis-label", x: 14, y: m.top + height / 2, "text-anchor": "middle" }, ax).textContent = names[1];
}

function colourBar(g, geo, thresholds, log) {
  const { margin: m, width, height } = geo;
  const bar = el("g", { class: "cbar", "aria-hidden": "true" }, g);
  const left = m.left + width + 16;
  const n = thresholds.length;
  const h = height / (n + 1);
  for (let k = 0; k <= n; k++) {
    el("rect", { x: left, y: m.top + height - (k + 1) * h, width: 12, height: h + 0.5, fill: colour(k / n) }, bar);
  }
  el("rect", { x: left, y: m.top, width: 12, height, fill: "none", stroke: "#9aa3b2" }, bar);
  const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(height / 34))));   // never 0: always ends
  const shown = [];
  for (let k = 0; k < n; k += every) shown.push(k);
  // As few digits as keep neighbouring labels distinct (a nearly flat surface needs more than two).
  let digits = 2;
  while (digits < 8 && new Set(shown.map((k) => fmt(thresholds[k], digits))).size < shown.length) digits++;
  for (const k of shown) {
    const yy = m.top + height - (k + 1) * h;
    el("line", { x1: left + 12, x2: left + 16, y1: yy, y2: yy }, bar);
    el("text", { x: left + 18, y: yy + 4 }, bar).textContent = fmt(thresholds[k], digits);
  }
  el("text", { x: left - 2, y: m.top + height + 16 }, bar).textContent = log ? "f (log)" : "f";
}

const QUIET = 12;   // more minima than this (Rastrigin, Ackley: 121) are drawn small and light

// Minima and saddles, above the plot's click area so their tooltips show; many local minima are drawn quietly.
function minima(g, geo, surface) {
  const quiet = surface.minima.length > QUIET;
  const layer = el("g", { class: `minima${quiet ? " quiet" : ""}` }, g);
  for (const s of surface.saddles) {
    const p = el("path", { class: "saddle", d: markerPath("x", 4.5), transform: `translate(${geo.x(s.x)},${geo.y(s.y)})` }, layer);
    el("title", {}, p).textContent = `saddle point (${fmt(s.x)}, ${fmt(s.y)}), f = ${fmt(s.value)}`;
  }
  for (const mn of surface.minima) {
    const attrs = { transform: `translate(${geo.x(mn.x)},${geo.y(mn.y)})`, "data-global": String(mn.is_global) };
    const node = mn.is_global
      ? el("path", { ...attrs, class: "min-global", d: markerPath("star", 6) }, layer)
      : el("path", { ...attrs, class: "min-local", d: markerPath("circle", quiet ? 2.2 : 4.5) }, layer);
    el("title", {}, node).textContent =
      `${mn.is_global ? "global" : "local"} minimum (${fmt(mn.x, 6)}, ${fmt(mn.y, 6)}), f = ${fmt(mn.value, 6)}` +
      (surface.computed ? " (found numerically)" : "");
  }
}

// Draws into `g` (emptied by the caller): bands and isolines (a bitmap, see paintBands) clipped to the plot area,
// axes and colour bar; the minima and saddles into `top`, a layer above the plot's click area.
export function drawSurface(g, top, geo, grid, surface) {
  const { x, y, margin: m, width, height } = geo;
  const [[x0, x1], [y0, y1]] = grid.bounds;
  const cx = linear(0, grid.nx, x0, x1);
  const cy = linear(0, grid.ny, y0, y1);
  const px = (c) => x(cx(c));
  const py = (c) => y(cy(c));
  const bands = el("g", { class: "bands", "clip-path": "url(#plot-clip)" }, g);
  paintBands(bands, geo, bandRings(grid, px, py));
  el("rect", { class: "frame", x: m.left, y: m.top, width, height }, g);
  axes(g, geo, surface.axes);
  colourBar(g, geo, grid.thresholds, grid.levels === "log");
  minima(top, geo, surface);
}
