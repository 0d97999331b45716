// The page: state, wiring and playback. Python (pycore via web/main.py) computes; this file only draws and
// routes events. Runs are computed once per change, then animated here with requestAnimationFrame.
import { call, PyError, startPython } from "./python.js";
import { drawSurface, geometry } from "./contour.js";
import { PathLayer } from "./paths.js";
import { LossChart } from "./losschart.js";
import { buildLegend } from "./controls.js";
import { renderInspector, placeInspector } from "./inspector.js";
import { el, clear } from "./svg.js";
import { initShare, registerOffline } from "./share.js";
import { initLearn } from "./learn.js";
import { initLab, surfaceSpec, gridSpec } from "./lab.js";

const $ = (id) => document.getElementById(id);
const plot = $("plot");
const wrap = $("plot-wrap");
const card = $("inspector");

const S = {
  catalog: null, meta: {}, order: [], surfaces: {},
  surface: null, start: null, steps: 0, step: 0, enabled: new Set(),
  playing: false, speed: 60, runs: {}, errors: {}, grid: null, geo: null,
  settings: { values: {}, preset: new Set() }, presetMode: false,
  options: { schedules: {}, noise: 0, seed: 0, max_grad_norm: null },  // shared run options (web/share.js)
  inspecting: null, inspectCache: new Map(), timing: null, ready: false,
  frames: { count: 0, total: 0, max: 0 },  // cost of playback frames (ms), for tools/bench_page.py
};
const grids = new Map();
let legend, paths, loss, layers, share, lab;

// ---- loading -------------------------------------------------------------------------------------------
function progress(n, label) {
  $("loading-progress").value = n;
  $("loading-stage").textContent = label;
}

function fail(message) {
  $("loading").classList.add("error");
  $("loading").querySelector(".loading-title").textContent = "Something went wrong";
  $("loading-stage").textContent = message;
}

// ---- layout and drawing --------------------------------------------------------------------------------
function layout() {
  const surf = S.surfaces[S.surface];
  const maxW = Math.max(240, wrap.clientWidth - 16);  // the ResizeObserver redraws once the width is known
  const maxH = Math.max(340, window.innerHeight - 210);
  const geo = geometry(surf.bounds, maxW, maxH);
  S.geo = geo;
  plot.setAttribute("viewBox", `0 0 ${geo.svgWidth} ${geo.svgHeight}`);
  plot.style.maxWidth = `${geo.svgWidth}px`;
  plot.style.margin = "0 auto";
  clear(plot);
  const defs = el("defs", {}, plot);
  const clip = el("clipPath", { id: "plot-clip" }, defs);
  el("rect", { x: geo.margin.left, y: geo.margin.top, width: geo.width, height: geo.height }, clip);
  layers = {
    surface: el("g", {}, plot),
    area: el("rect", { class: "plot-area", x: geo.margin.left, y: geo.margin.top, width: geo.width, height: geo.height, fill: "transparent" }, plot),
    start: el("g", { class: "start-marker start-handle" }, plot),
    runs: el("g", { "clip-path": "url(#plot-clip)" }, plot),
  };
  drawSurface(layers.surface, geo, S.grid, surf);
  lab.drawn(layers.surface, geo);
  el("circle", { r: 7 }, layers.start);
  el("path", { d: "M-3.5,0H3.5M0,-3.5V3.5" }, layers.start);
  el("title", {}, layers.start).textContent = "Start point: drag to move it";
  paths = new PathLayer(layers.runs, { onInspect: inspect, onLeave: uninspect });
  paths.set(S.runs, S.meta, S.order, geo);
  loss.set(S.runs, S.meta, S.order, S.enabled, S.steps, fStar());
  draw();
}

function fStar() {
  const g = S.surfaces[S.surface].minima.filter((m) => m.is_global);
  return g.length ? g[0].value : 0;
}

function draw() {
  const step = S.step;
  paths.draw(step, S.enabled);
  loss.draw(step);
  lab.draw();
  const r = $("step");
  r.max = S.steps;
  r.value = step;
  $("step-readout").textContent = `${step} / ${S.steps}`;
  const [x, y] = S.start;
  layers.start.setAttribute("transform", `translate(${S.geo.x(x)},${S.geo.y(y)})`);
  for (const [id, v] of [["start-x", x], ["start-y", y]]) {
    const input = $(id);
    if (document.activeElement !== input) input.value = String(Number(v.toPrecision(6)));
  }
  if (S.inspecting && !S.playing) showInspector();
  else if (S.playing) card.hidden = true;
  share?.changed();
}

// ---- computing runs ------------------------------------------------------------------------------------
function settingsFor() {
  const out = {};
  for (const k of S.order) out[k] = S.settings.values[k];
  return out;
}

// Recomputes every optimizer's run (enabled or not, so toggles are instant) and redraws.
function rerun({ step = S.step } = {}) {
  const t0 = performance.now();
  const res = call("runs", { surface: surfaceSpec(S), start: S.start, steps: S.steps, settings: settingsFor(), options: S.options });
  const t1 = performance.now();
  S.runs = res.runs;
  S.errors = res.errors;
  S.inspectCache.clear();
  S.step = Math.max(0, Math.min(step, S.steps));
  for (const k of S.order) legend.setStatus(k, S.runs[k], S.errors[k]);
  paths.set(S.runs, S.meta, S.order, S.geo);
  loss.set(S.runs, S.meta, S.order, S.enabled, S.steps, fStar());
  lab.ran();
  draw();
  const t2 = performance.now();
  S.timing = { python: t1 - t0, draw: t2 - t1, total: t2 - t0 };
  requestAnimationFrame(() => requestAnimationFrame(() => { S.timing.painted = performance.now() - t0; }));
}

// ---- surface, steps, presets ---------------------------------------------------------------------------
function setSurface(key) {
  S.surface = key;
  lab.select(key);
  const gridKey = JSON.stringify(gridSpec(S));
  if (!grids.has(gridKey)) grids.set(gridKey, call("grid", { surface: gridSpec(S) }));
  S.grid = grids.get(gridKey);
  const surf = S.surfaces[key];
  S.start = [...surf.starts[0]];
  $("surface").value = key;
  const f = $("surface-formula");
  try { katex.render(surf.latex, f, { displayMode: false, throwOnError: true }); } catch { f.textContent = surf.latex; }
  $("surface-description").textContent = surf.description;
  $("key-saddle").hidden = !surf.saddles.length;
  if (S.presetMode) applyPreset();
  pause();
  S.runs = {};
  layout();
  rerun({ step: S.steps });
}

function applyPreset() {
  const p = call("preset", { surface: gridSpec(S) });
  for (const k of S.order) {
    if (!p[k]) { S.settings.preset.delete(k); continue; }  // every candidate diverged: keep the current lr
    S.settings.values[k] = { ...S.settings.values[k], lr: p[k].lr };
    S.settings.preset.add(k);
    S.settings.tuned.delete(k);
  }
  S.presetMode = true;
  refreshSettingsView();
}

function defaultsOf(k) {
  return Object.fromEntries(S.meta[k].hyperparams.map((p) => [p.name, p.default]));
}

function resetDefaults() {
  for (const k of S.order) S.settings.values[k] = defaultsOf(k);
  S.settings.preset.clear();
  S.settings.tuned.clear();
  S.presetMode = false;
  refreshSettingsView();
}

function refreshSettingsView() {
  for (const k of S.order) legend.showValues(k);
  const chosen = (k) => S.settings.preset.has(k) || S.settings.tuned.has(k);  // lr set by the preset or tuning
  const changed = S.order.some((k) => JSON.stringify(S.settings.values[k]) !== JSON.stringify(
    chosen(k) ? { ...defaultsOf(k), lr: S.settings.values[k].lr } : defaultsOf(k)));
  const mode = $("settings-mode");
  mode.replaceChildren();
  const source = S.settings.tuned.size ? "tuned" : S.settings.preset.size ? "preset" : null;
  if (source) {
    const tag = Object.assign(document.createElement("span"), { className: "tag", textContent: source });
    mode.append("Hyperparameters: ", tag, ` learning rates for ${S.surfaces[S.surface].name}`,
      changed ? ", plus your changes" : ", everything else torch defaults");
  } else {
    mode.append(changed ? "Hyperparameters: your changes to torch defaults" : "Hyperparameters: torch defaults");
  }
  $("preset-rule").hidden = !S.settings.preset.size;
  $("preset").setAttribute("aria-pressed", String(S.presetMode));
}

// A hyperparameter edit from a panel: pycore checks it; on success it takes effect and everything re-runs.
function commit(key, name, value) {
  let values;
  try {
    values = call("check", { optimizer: key, hyperparams: { ...S.settings.values[key], [name]: value } });
  } catch (e) {
    if (e instanceof PyError) return e.message;
    throw e;
  }
  S.settings.values[key] = values;
  if (name === "lr") { S.settings.preset.delete(key); S.settings.tuned.delete(key); }
  refreshSettingsView();
  rerun();
  return null;
}

// A start typed in the x or y box; the other coordinate keeps its exact value.
function setStartFromInput(axis) {
  const err = $("start-error");
  const text = $(`start-${axis}`).value.trim();
  const v = text === "" ? text : Number(text);
  const old = S.start;
  const start = axis === "x" ? [v, old[1]] : [old[0], v];
  try {
    S.start = start;
    rerun({ step: 0 });
    err.hidden = true;
    play();
  } catch (e) {
    if (!(e instanceof PyError)) throw e;
    S.start = old;
    err.textContent = e.message;
    err.hidden = false;
  }
}

function setSteps() {
  const input = $("steps");
  const err = $("steps-error");
  const n = Number(input.value);
  const old = S.steps;
  S.steps = Number.isInteger(n) ? n : input.value;
  try {
    rerun({ step: S.step >= old ? Number(S.steps) : S.step });
    err.hidden = true;
  } catch (e) {
    if (!(e instanceof PyError)) throw e;
    S.steps = old;
    err.textContent = e.message;
    err.hidden = false;
  }
}

// ---- legend --------------------------------------------------------------------------------------------
function toggle(key, on = !S.enabled.has(key)) {
  if (on) S.enabled.add(key); else S.enabled.delete(key);
  legend.setPressed(key, on);
  if (S.inspecting?.key === key && !on) uninspect(key);
  loss.set(S.runs, S.meta, S.order, S.enabled, S.steps, fStar());
  draw();
}

// ---- inspector -----------------------------------------------------------------------------------------
function inspect(key, dot) {
  S.inspecting = { key, dot };
  if (!S.playing) showInspector();
}

function uninspect(key) {
  if (S.inspecting?.key !== key) return;
  S.inspecting = null;
  card.hidden = true;
}

function showInspector() {
  const { key } = S.inspecting;
  const dot = paths.dot(key);
  if (!dot || !S.enabled.has(key)) { card.hidden = true; return; }
  const id = `${key}:${S.step}`;
  if (!S.inspectCache.has(id)) S.inspectCache.set(id, call("inspect", { key, step: S.step }));
  renderInspector(card, S.inspectCache.get(id), S.meta[key]);
  card.dataset.key = key;
  placeInspector(card, dot, wrap);
}

// ---- playback ------------------------------------------------------------------------------------------
let last = 0, acc = 0;

function frame(t) {
  if (!S.playing) return;
  acc += ((t - last) / 1000) * S.speed;
  last = t;
  if (acc >= 1) {
    const n = Math.floor(acc);
    acc -= n;
    S.step = Math.min(S.steps, S.step + n);
    const t0 = performance.now();
    draw();
    const cost = performance.now() - t0;
    S.frames.count += 1;
    S.frames.total += cost;
    S.frames.max = Math.max(S.frames.max, cost);
  }
  if (S.step >= S.steps) { pause(); return; }
  requestAnimationFrame(frame);
}

function play() {
  if (S.step >= S.steps) S.step = 0;
  S.playing = true;
  $("play").textContent = "Pause";
  last = performance.now();
  acc = 0;
  card.hidden = true;
  requestAnimationFrame(frame);
}

function pause() {
  S.playing = false;
  $("play").textContent = "Play";
  if (S.inspecting) draw();
}

function goto(step) {
  pause();
  S.step = Math.max(0, Math.min(S.steps, step));
  draw();
}

// ---- pointer: click to start, drag to move the start -------------------------------------------------------
function dataPoint(e) {
  const r = plot.getBoundingClientRect();
  const k = S.geo.svgWidth / r.width;
  const { margin: m, width, height } = S.geo;
  const px = Math.min(m.left + width, Math.max(m.left, (e.clientX - r.left) * k));
  const py = Math.min(m.top + height, Math.max(m.top, (e.clientY - r.top) * k));
  return [S.geo.x.invert(px), S.geo.y.invert(py)];
}

// Within 9 px of the start marker (dots drawn over it do not hide it from dragging).
function nearStart(e) {
  const [sx, sy] = window.optviz.toScreen(...S.start);
  return Math.hypot(e.clientX - sx, e.clientY - sy) <= 9;
}

function insidePlot(e) {
  const r = plot.getBoundingClientRect();
  const k = S.geo.svgWidth / r.width;
  const { margin: m, width, height } = S.geo;
  const px = (e.clientX - r.left) * k, py = (e.clientY - r.top) * k;
  return px >= m.left && px <= m.left + width && py >= m.top && py <= m.top + height;
}

function startAt(x, y, { play: autoplay = true } = {}) {
  pause();
  S.start = [x, y];
  rerun({ step: autoplay ? 0 : S.steps });
  if (autoplay) play();
}

function wirePointer() {
  let drag = null;
  let pending = null;
  plot.addEventListener("pointerdown", (e) => {
    if (!S.ready || e.button !== 0) return;
    const onHandle = nearStart(e);
    if (!onHandle && (e.target.closest(".dot") || !insidePlot(e))) return;
    e.preventDefault();
    plot.setPointerCapture(e.pointerId);
    drag = { moved: false, x: e.clientX, y: e.clientY };
    plot.classList.add("dragging");
    if (!onHandle) {
      pause();
      S.start = dataPoint(e);
      rerun({ step: 0 });
    }
  });
  plot.addEventListener("pointermove", (e) => {
    if (!drag) return;
    if (!drag.moved && Math.hypot(e.clientX - drag.x, e.clientY - drag.y) < 3) return;
    drag.moved = true;
    const p = dataPoint(e);
    if (!pending) {
      requestAnimationFrame(() => { S.start = pending; pending = null; rerun({ step: S.steps }); });
    }
    pending = p;
  });
  const end = () => {
    if (!drag) return;
    plot.classList.remove("dragging");
    if (!drag.moved) play();
    drag = null;
  };
  plot.addEventListener("pointerup", end);
  plot.addEventListener("pointercancel", end);
}

// ---- keyboard ------------------------------------------------------------------------------------------
function wireKeys() {
  document.addEventListener("keydown", (e) => {
    if (!S.ready || e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.target;
    if (t.closest("input, select, textarea")) return;
    const big = e.shiftKey ? 10 : 1;
    if (e.key === " " && !t.closest("button")) { e.preventDefault(); S.playing ? pause() : play(); }
    else if (e.key === "ArrowRight") { e.preventDefault(); goto(S.step + big); }
    else if (e.key === "ArrowLeft") { e.preventDefault(); goto(S.step - big); }
    else if (e.key === "Home") { e.preventDefault(); goto(0); }
    else if (e.key === "End") { e.preventDefault(); goto(S.steps); }
    else if (e.key === "Escape" && S.inspecting) { S.inspecting = null; card.hidden = true; }
  });
}

// ---- start-up ------------------------------------------------------------------------------------------
function wireControls() {
  $("play").addEventListener("click", () => (S.playing ? pause() : play()));
  $("step-back").addEventListener("click", () => goto(S.step - 1));
  $("step-forward").addEventListener("click", () => goto(S.step + 1));
  $("step").addEventListener("input", (e) => goto(Number(e.target.value)));
  $("speed").addEventListener("change", (e) => { S.speed = Number(e.target.value); });
  $("surface").addEventListener("change", (e) => setSurface(e.target.value));
  $("steps").addEventListener("change", setSteps);
  $("start-x").addEventListener("change", () => setStartFromInput("x"));
  $("start-y").addEventListener("change", () => setStartFromInput("y"));
  $("all-on").addEventListener("click", () => S.order.forEach((k) => toggle(k, true)));
  $("all-off").addEventListener("click", () => S.order.forEach((k) => toggle(k, false)));
  $("preset").addEventListener("click", () => { applyPreset(); rerun(); });
  $("defaults").addEventListener("click", () => { resetDefaults(); rerun(); });
  let width = wrap.clientWidth;
  new ResizeObserver(() => {
    if (Math.abs(wrap.clientWidth - width) < 2) return;
    width = wrap.clientWidth;
    layout();
  }).observe(wrap);
  wirePointer();
  wireKeys();
}

async function main() {
  loss = new LossChart($("loss-chart"), $("loss-axis-note"), goto);
  await startPython(progress);
  const cat = call("catalog");
  S.catalog = cat;
  for (const o of cat.optimizers) { S.meta[o.key] = o; S.order.push(o.key); S.enabled.add(o.key); }
  for (const s of cat.surfaces) S.surfaces[s.key] = s;
  for (const k of S.order) S.settings.values[k] = defaultsOf(k);
  const sel = $("surface");
  for (const s of cat.surfaces) sel.append(new Option(s.name, s.key));
  S.steps = cat.steps.default;
  Object.assign($("steps"), { value: S.steps, min: cat.steps.min, max: cat.steps.max });
  $("preset-rule").textContent = cat.preset_rule;
  legend = buildLegend($("legend"), cat.optimizers, S.settings, { onToggle: (k) => toggle(k), onCommit: commit, onPanel: (...a) => share.schedules.panel(...a) });
  initLearn(cat.optimizers, { surface: () => S.surface });
  lab = initLab({ S, call, PyError, setSurface, rerun, pause, goto, refreshSettingsView, legend, fStar });
  refreshSettingsView();
  wireControls();
  setSurface(cat.surfaces[0].key);
  share = initShare({ S, call, PyError, rerun, pause, setSurface, refreshSettingsView, legend, plot,
    setSurfaceSpec: (key, spec) => lab.setSurfaceSpec(key, spec) });
  share.restore();
  for (const id of ["surface", "steps", "start-x", "start-y", "play", "step-back", "step-forward", "step", "speed", "all-on", "all-off", "preset", "defaults"]) {
    $(id).disabled = false;
  }
  lab.enable();
  S.ready = true;
  plot.classList.add("live");
  plot.setAttribute("aria-busy", "false");
  $("loading").hidden = true;
  requestAnimationFrame(() => {
    document.documentElement.dataset.ready = "true";
    performance.mark("optviz:ready");
    registerOffline(S.order);
  });
}

// ---- test and automation hooks -------------------------------------------------------------------------
window.optviz = {
  state() {
    const runs = {};
    for (const k of S.order) {
      const r = S.runs[k];
      if (r && S.enabled.has(k)) runs[k] = { points: r.points, losses: r.losses, status: r.status, reason: r.reason, hyperparams: r.hyperparams };
    }
    return {
      surface: S.surface, start: S.start, steps: S.steps, enabled: S.order.filter((k) => S.enabled.has(k)),
      step: S.step, playing: S.playing, runs, errors: S.errors, presetMode: S.presetMode,
      custom: S.custom, data: S.data, lab: lab?.state(), tuned: S.order.filter((k) => S.settings.tuned?.has(k)),
      hyperparams: S.settings.values, preset: S.order.filter((k) => S.settings.preset.has(k)), options: S.options,
    };
  },
  clickAt(x, y, options) { startAt(x, y, options); },
  setStep: goto,
  flushShare: () => share.flush(),
  pause,
  timing: () => S.timing,
  frameCost: () => ({ ...S.frames }),
  // Client (CSS pixel) coordinates of the data point (x, y) on #plot, for tests driving the real mouse.
  toScreen(x, y) {
    const r = plot.getBoundingClientRect();
    const k = r.width / S.geo.svgWidth;
    return [r.left + S.geo.x(x) * k, r.top + S.geo.y(y) * k];
  },
  geometry: () => ({ bounds: S.geo.bounds, width: S.geo.width, height: S.geo.height, pxPerUnit: S.geo.pxPerUnit }),
};

main().catch((e) => { fail(e.message); throw e; });
