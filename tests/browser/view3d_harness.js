// Harness for tests/browser/test_view3d.py: web/view3d.js on a fixed analytic surface (Rosenbrock on
// [-2, 2] x [-1, 3], log levels, the grid computed here the way pycore.api.surface_grid does) with three runs
// computed here: Adam and Momentum converging, SGD with too large a step diverging out of the box.
// The test imports this module again (same instance) and calls start(), then draws and reads pixels.
// SGD is drawn in vermillion here (not its registry grey): a colour no mesh, label or tick pixel comes near.
import { createView3D } from "../../web/view3d.js";

const N = 121, LEVELS = 28, BOUNDS = [[-2, 2], [-1, 3]], START = [-1.5, 2.5];
const f = (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
const grad = (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];

export function grid() {
  const [[x0, x1], [y0, y1]] = BOUNDS;
  const dx = (x1 - x0) / N, dy = (y1 - y0) / N;
  const values = [];
  for (let j = 0; j < N; j++) for (let i = 0; i < N; i++) values.push(f(x0 + (i + 0.5) * dx, y0 + (j + 0.5) * dy));
  const lo = Math.min(...values), hi = Math.max(...values), base = Math.min(lo, 0);
  const top = hi - base, low = Math.max(lo - base, top * 1e-6);
  const thresholds = Array.from({ length: LEVELS }, (_, k) => base + low * (top / low) ** (k / (LEVELS - 1)));
  return { nx: N, ny: N, bounds: BOUNDS, values, thresholds, levels: "log", min: lo, max: hi };
}

// A second, linear surface: the bowl x² + y² on [-1, 1]², 40 x 40 samples, 10 levels.
export function bowl() {
  const n = 40, values = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) values.push(((2 * i + 1) / n - 1) ** 2 + ((2 * j + 1) / n - 1) ** 2);
  const lo = Math.min(...values), hi = Math.max(...values);
  const thresholds = Array.from({ length: 10 }, (_, k) => lo + ((hi - lo) * (k + 0.5)) / 10);
  const bounds = [[-1, 1], [-1, 1]];
  return { grid: { nx: n, ny: n, bounds, values, thresholds, levels: "linear", min: lo, max: hi },
    surface: { name: "Bowl", bounds, levels: "linear", minima: [{ x: 0, y: 0, value: 0, is_global: true }], saddles: [] } };
}

// A run of `step` (state, gradient) -> [update, state] from START, stopping like pycore once the iterate is
// more than 10 view widths outside the bounds.
function run(steps, step) {
  let [x, y] = START, state = null;
  const points = [[x, y]], losses = [f(x, y)];
  for (let k = 1; k <= steps; k++) {
    let d;
    [d, state] = step(grad(x, y), state, k);
    x += d[0]; y += d[1];
    if (Math.abs(x) > 40 || Math.abs(y) > 40) return { points, losses, status: "diverged" };
    points.push([x, y]);
    losses.push(f(x, y));
  }
  return { points, losses, status: "max_steps" };
}

const adam = (lr) => ([gx, gy], s, k) => {
  const [m, v] = s || [[0, 0], [0, 0]];
  const m2 = [0.9 * m[0] + 0.1 * gx, 0.9 * m[1] + 0.1 * gy];
  const v2 = [0.999 * v[0] + 0.001 * gx * gx, 0.999 * v[1] + 0.001 * gy * gy];
  const c1 = 1 - 0.9 ** k, c2 = 1 - 0.999 ** k;
  const d = [0, 1].map((i) => -lr * (m2[i] / c1) / (Math.sqrt(v2[i] / c2) + 1e-8));
  return [d, [m2, v2]];
};
const momentum = (lr) => ([gx, gy], b) => {
  const b2 = b ? [0.9 * b[0] + gx, 0.9 * b[1] + gy] : [gx, gy];
  return [[-lr * b2[0], -lr * b2[1]], b2];
};
const sgd = (lr) => ([gx, gy]) => [[-lr * gx, -lr * gy], null];

export const surface = { name: "Rosenbrock", bounds: BOUNDS, levels: "log", minima: [{ x: 1, y: 1, value: 0, is_global: true }], saddles: [] };
export const meta = {
  adam: { name: "Adam", color: "#CC79A7", marker: "star" },
  momentum: { name: "Momentum", color: "#0072B2", marker: "square" },
  sgd: { name: "SGD", color: "#D55E00", marker: "circle" },
};
export const order = ["sgd", "momentum", "adam"];
export const runs = { adam: run(2000, adam(0.05)), momentum: run(2000, momentum(1e-3)), sgd: run(2000, sgd(3e-3)) };
export let view = null;
export const hovered = [];  // every onHover call: the key, or null

// Two animation frames: the view renders on the next one.
export const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));

// The view on this module's surface and runs, or on `data` ({grid, surface, runs, meta, order}, e.g. from pycore).
export async function start(data = { grid: grid(), surface, runs, meta, order }) {
  view = createView3D(document.getElementById("view3d"), { onHover: (key) => hovered.push(key) });
  view.setSurface(data.grid, data.surface);
  view.setRuns(data.runs, data.meta, data.order);
  view.draw(2000, new Set(data.order));
  await frames();
}

// Pixels of the canvas as drawn: how many are opaque and how many distinct colours, and for each colour asked
// about ("#rrggbb" or "rgb(r,g,b)"), how many pixels lie within `tol` (RGB distance) of it and their bounding box in client pixels.
export function pixels(colours = [], tol = 24) {
  const c = view.canvas, w = c.width, h = c.height, k = c.clientWidth / w, rect = c.getBoundingClientRect();
  const g = Object.assign(document.createElement("canvas"), { width: w, height: h }).getContext("2d");
  g.drawImage(c, 0, 0);
  const data = g.getImageData(0, 0, w, h).data;
  const targets = colours.map((c) => (c.startsWith("#") ? [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16))
    : c.match(/\d+/g).map(Number)));
  const found = colours.map(() => ({ count: 0, box: [Infinity, Infinity, -Infinity, -Infinity] }));
  const distinct = new Set();
  let opaque = 0;
  for (let p = 0; p < w * h; p++) {
    const r = data[4 * p], gg = data[4 * p + 1], b = data[4 * p + 2];
    if (data[4 * p + 3] < 255) continue;  // the page's background shows through
    opaque += 1;
    distinct.add((r << 16) | (gg << 8) | b);
    targets.forEach((t, i) => {
      if (Math.hypot(r - t[0], gg - t[1], b - t[2]) > tol) return;
      const x = rect.left + (p % w) * k, y = rect.top + Math.floor(p / w) * k, s = found[i];
      s.count += 1;
      s.box = [Math.min(s.box[0], x), Math.min(s.box[1], y), Math.max(s.box[2], x), Math.max(s.box[3], y)];
    });
  }
  return { width: w, height: h, opaque, distinct: distinct.size, found };
}

document.documentElement.dataset.ready = "true";
