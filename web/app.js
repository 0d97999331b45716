// The page: state, wiring and playback. Python (pycore, in the workers of web/engine.js) computes; this file only
// draws and routes events, and never waits for Python on the page's thread.
//
// Start-up: index.html's first paint already holds a snapshot of the opening view; this file then draws it live
// from web/first_view.json (computed by pycore at build time), whole and playable, while Python starts in a worker
// (web/pyodide.mjs), and plays it from step 0 once Python is ready. A click made before then is kept (its start
// marker shown) and answered as soon as Python is ready. Every later change asks the worker for a new race; the
// paths on screen stay until the new ones are ready, and a newer request replaces an older one.
import { start as startEngine, call, race, warmRaces, pending, PyError } from "./engine.js";
import { drawSurface, geometry } from "./contour.js";
import { PathLayer } from "./paths.js";
import { LossChart } from "./losschart.js";
import { buildLegend } from "./controls.js";
import { renderInspector, placeInspector } from "./inspector.js";
import { el, clear, markerPath, setMarkers } from "./svg.js";
import { StatsTable } from "./stats.js";
import { unpackRace, decodeFloats } from "./races.js";
import { tex } from "./tex.js";

// What the opening plot does not need (links and exports, the docs, the lab, lessons, the field overlay) is
// imported once it is painted, so the first paint waits for a dozen fewer modules.
const FEATURES = ["./share.js", "./learn.js", "./lab.js", "./lessonmode.js", "./field.js"];
let features = null;    // their modules, by file name, once imported

const $ = (id) => document.getElementById(id);
const plot = $("plot");
const wrap = $("plot-wrap");
const card = $("inspector");
const GRID_CACHE = 8;    // contour grids kept for quick surface switches (least recently used goes first)

const S = {
  catalog: null, meta: {}, order: [], surfaces: {},
  surface: null, start: null, steps: 0, step: 0, enabled: new Set(),
  playing: false, speed: 60, runs: {}, errors: {}, raceId: null, grid: null, geo: null,
  settings: { values: {}, preset: new Set(), tuned: new Set() }, presetMode: false,
  options: { schedules: {}, noise: 0, seed: 0, max_grad_norm: null },  // shared run options (web/share.js)
  inspecting: null, inspectCache: new Map(), timing: null, ready: false, busy: 0, pending: null,
  frames: { count: 0, total: 0, max: 0 },  // cost of playback frames (ms), for tools/bench_page.py
  viewChanges: 0,   // calls of play() and goto(): has the person moved the opening race while Python started?
};
const grids = new Map();
const listeners = { ended: new Set(), ran: new Set(), step: new Set() };
let legend, paths, loss, layers, share, lab, stats, lessonMode, field;
let view3d = null, view3dLoading = null;     // the 3-D view (web/view3d.js), loaded when first turned on

// ---- status line over the plot (Python starting, computing, faults) -------------------------------------------
function status(text, kind = "") {
  const s = $("plot-status");
  s.textContent = text || "";
  s.className = `plot-status ${kind}`;
  s.hidden = !text;
}

function fault(e) {
  status(`Something went wrong: ${e.message}`, "error");
  console.error(e);
}

// ---- layout and drawing --------------------------------------------------------------------------------
let laidOutWidth = 0;    // the plot's box when layout() last drew (a resize of 2 px or more draws again)

function layout() {
  const surf = S.surfaces[S.surface];
  const phone = window.matchMedia("(max-width: 640px)").matches;
  laidOutWidth = wrap.clientWidth;
  const maxW = Math.max(240, laidOutWidth - 16);  // the ResizeObserver redraws once the width is known
  loss.measure();     // read with the plot's width, before this changes the page
  const maxH = phone ? maxW * 1.1 : Math.max(340, window.innerHeight - 230);
  const geo = geometry(surf.bounds, maxW, maxH, phone);
  S.geo = geo;
  plot.setAttribute("viewBox", `0 0 ${geo.svgWidth} ${geo.svgHeight}`);
  plot.style.maxWidth = `${geo.svgWidth}px`;
  plot.classList.remove("snapshot");    // index.html's picture of the opening view, drawn live from here on
  clear(plot);
  const defs = el("defs", {}, plot);
  const clip = el("clipPath", { id: "plot-clip" }, defs);
  el("rect", { x: geo.margin.left, y: geo.margin.top, width: geo.width, height: geo.height }, clip);
  layers = {
    surface: el("g", {}, plot),
    field: el("g", { class: "field-layer", "clip-path": "url(#plot-clip)" }, plot),   // web/field.js
    area: el("rect", { class: "plot-area", x: geo.margin.left, y: geo.margin.top, width: geo.width, height: geo.height, fill: "transparent" }, plot),
    minima: el("g", { class: "minima-layer" }, plot),
    start: el("g", { class: "start-marker start-handle race" }, plot),
    runs: el("g", { class: "race", "clip-path": "url(#plot-clip)" }, plot),
    restored: el("g", { class: "race", "clip-path": "url(#plot-clip)" }, plot),   // early stopping's restored points (web/earlystop.js)
    marks: el("g", { class: "race" }, plot),
  };
  drawSurface(layers.surface, layers.minima, geo, S.grid, surf);
  lab?.drawn(layers.surface, geo, layers.restored);
  field?.attach(layers.field, geo);
  el("circle", { r: 7 }, layers.start);
  el("path", { d: "M-3.5,0H3.5M0,-3.5V3.5" }, layers.start);
  el("title", {}, layers.start).textContent = "Start point: drag to move it";
  paths = new PathLayer(layers.runs, layers.marks, { onInspect: inspect, onLeave: uninspect, onChoose: showChooser });
  paths.set(S.runs, S.meta, S.order, geo);
  loss.set(S.runs, S.meta, S.order, S.enabled, S.steps, fStar());
  if (view3d) { view3d.setSurface(S.grid, surf); view3d.setRuns(S.runs, S.meta, S.order); }
  draw();
}

function fStar() {
  const g = S.surfaces[S.surface].minima.filter((m) => m.is_global);
  return g.length ? g[0].value : null;
}

// While playing, the runs table follows the step 5 times a second, not every frame: rebuilding it 60 times a
// second cost the page's thread more than all the rest of a frame (layout of a dozen rows), and nobody reads a
// number that changes 60 times a second. Paused, scrubbed or stepped, it shows the step at once.
const STATS_EVERY_MS = 200;
let statsAt = -Infinity;

function draw() {
  const step = S.step;
  paths.draw(step, S.enabled);
  view3d?.draw(step, S.enabled);
  loss.draw(step);
  const now = performance.now();
  if (!S.playing || step >= S.steps || now - statsAt >= STATS_EVERY_MS) {
    stats.draw(step);
    statsAt = now;
  }
  lab?.draw();
  field?.draw();
  const r = $("step");
  r.max = S.steps;
  r.value = step;
  $("step-readout").textContent = `${step} / ${S.steps}`;
  const [x, y] = S.pending?.start ?? S.start;
  layers.start.setAttribute("transform", `translate(${S.geo.x(x).toFixed(2)},${S.geo.y(y).toFixed(2)})`);
  for (const [id, v] of [["start-x", S.start[0]], ["start-y", S.start[1]]]) {
    const input = $(id);
    if (document.activeElement !== input) input.value = String(Number(v.toPrecision(6)));
  }
  if (S.inspecting && !S.playing) showInspector();
  else if (S.playing) card.hidden = true;
  for (const fn of listeners.step) fn(step);
  share?.changed();
}

// ---- races ---------------------------------------------------------------------------------------------
function settingsFor() {
  const out = {};
  for (const k of S.order) out[k] = S.settings.values[k];
  return out;
}

function applyRace(res) {
  const { runs, errors } = unpackRace(res);
  S.runs = runs;
  S.errors = errors;
  S.raceId = res.id;
  S.inspectCache.clear();
  for (const k of S.order) legend.setStatus(k, S.runs[k], S.errors[k]);
  paths.set(S.runs, S.meta, S.order, S.geo);
  loss.set(S.runs, S.meta, S.order, S.enabled, S.steps, fStar());
  stats.set(S.runs, S.meta, S.order, S.enabled, S.surfaces[S.surface]);
  view3d?.setRuns(S.runs, S.meta, S.order);
  lab?.ran();
}

// Asks the worker for every optimizer's run with the current settings and `changes` ({start, steps}) applied;
// the changes take effect only if pycore accepts them. Resolves true when new paths are drawn, false when a
// newer request replaced this one; rejects with PyError (pycore's message) for a refused value.
async function rerun({ step = S.step, start = S.start, steps = S.steps, autoplay = false } = {}) {
  const t0 = performance.now();
  const args = { surface: features["lab.js"].surfaceSpec(S), start, steps, settings: settingsFor(), options: S.options };
  S.busy++;
  const slow = setTimeout(() => status("Computing the runs…", "busy"), 200);
  let res;
  try {
    res = await race(args, (done, total) => status(`Computing the runs… ${done} of ${total} optimizers`, "busy"));
  } finally {
    clearTimeout(slow);
    S.busy--;
    if (!S.busy && $("plot-status").classList.contains("busy")) status("");
  }
  if (!res) return false;
  const t1 = performance.now();
  S.start = res.start;
  S.steps = res.steps;
  $("steps").value = res.steps;
  S.step = Math.max(0, Math.min(step, S.steps));
  applyRace(res);
  draw();
  const t2 = performance.now();
  S.timing = { python: t1 - t0, computing: res.python_ms, draw: t2 - t1, total: t2 - t0, workers: res.lanes };
  requestAnimationFrame(() => requestAnimationFrame(() => { S.timing.painted = performance.now() - t0; }));
  for (const fn of listeners.ran) fn();
  if (autoplay) play();
  return true;
}

// rerun() for a change a person made: a refused value shows pycore's message in `errId` and changes nothing.
async function tryRerun(changes, errId) {
  const err = errId ? $(errId) : null;
  try {
    const done = await rerun(changes);
    if (err && done) err.hidden = true;
    return done;
  } catch (e) {
    if (!(e instanceof PyError)) { fault(e); return false; }
    if (err) { err.textContent = e.message; err.hidden = false; } else status(e.message, "error");
    return false;
  }
}

// ---- surface, steps, presets ---------------------------------------------------------------------------
async function gridFor(spec) {
  const key = JSON.stringify(spec);
  if (!grids.has(key)) grids.set(key, call("grid", { spec }));
  const g = grids.get(key);
  grids.delete(key);
  grids.set(key, g);                       // most recently used last
  while (grids.size > GRID_CACHE) grids.delete(grids.keys().next().value);
  try {
    return await g;
  } catch (e) {
    grids.delete(key);
    throw e;
  }
}

async function setSurface(key, { start = null, rerunAfter = true } = {}) {
  pause();
  S.surface = key;
  await lab.select(key);
  S.grid = await gridFor(features["lab.js"].gridSpec(S));
  const surf = S.surfaces[key];
  S.start = start ?? [...surf.starts[0]];
  $("surface").value = key;
  showFormula(surf);
  if (S.presetMode) await applyPreset();
  S.runs = {};
  S.raceId = null;
  layout();
  if (rerunAfter) await tryRerun({ step: 0, autoplay: true });
}

function showFormula(surf) {
  const f = $("surface-formula");
  tex(f, surf.latex);
  $("surface-description").textContent = surf.description;
  $("key-saddle").hidden = !surf.saddles.length;
}

async function applyPreset() {
  const p = await call("preset", { spec: features["lab.js"].gridSpec(S) });
  for (const k of S.order) {
    if (!p[k]) { S.settings.preset.delete(k); continue; }  // no grid lr suits it: keep the current lr
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

// One edit at a time: each starts from the values the previous one left (two quick edits never lose one).
function serial(fn) {
  let chain = Promise.resolve();
  return (...args) => (chain = chain.then(() => fn(...args), () => fn(...args)));
}

// A hyperparameter edit from a panel: pycore checks it (typed text included); on success it takes effect and
// everything re-runs. Resolves to pycore's message for a refused value, or null.
const commit = serial(async (key, name, value) => {
  let values;
  try {
    values = await call("check", { optimizer: key, hyperparams: { ...S.settings.values[key], [name]: value } });
  } catch (e) {
    if (e instanceof PyError) return e.message;
    throw e;
  }
  S.settings.values[key] = values;
  if (name === "lr") { S.settings.preset.delete(key); S.settings.tuned.delete(key); }
  refreshSettingsView();
  tryRerun();
  return null;
});

// A start typed in the x or y box (the text itself goes to pycore, which checks it); the other coordinate keeps
// its exact value. A refused value puts the box back to the start in effect.
async function setStartFromInput(axis) {
  const text = $(`start-${axis}`).value;
  const start = axis === "x" ? [text, S.start[1]] : [S.start[0], text];
  pause();
  warmRaces();
  const ok = await tryRerun({ start, step: 0, autoplay: true }, "start-error");
  if (!ok) for (const [id, v] of [["start-x", S.start[0]], ["start-y", S.start[1]]]) $(id).value = String(Number(v.toPrecision(6)));
}

async function setSteps() {
  const input = $("steps");
  const old = S.steps;
  const ok = await tryRerun({ steps: input.value, step: S.step >= old ? Number.MAX_SAFE_INTEGER : S.step }, "steps-error");
  if (!ok) input.value = S.steps;
}

// ---- legend --------------------------------------------------------------------------------------------
function toggle(key, on = !S.enabled.has(key)) {
  if (on) S.enabled.add(key); else S.enabled.delete(key);
  legend.setPressed(key, on);
  if (S.inspecting?.key === key && !on) uninspect(key);
  loss.set(S.runs, S.meta, S.order, S.enabled, S.steps, fStar());
  stats.set(S.runs, S.meta, S.order, S.enabled, S.surfaces[S.surface]);
  draw();
}

// ---- inspector -----------------------------------------------------------------------------------------
function inspect(key, anchor, choices = null) {
  S.inspecting = { key, anchor, choices };
  field?.follow(key);
  if (!S.playing) showInspector();
}

function uninspect(key) {
  if (key && S.inspecting?.key !== key) return;
  S.inspecting = null;
  card.hidden = true;
}

function showChooser(keys, anchor) {
  inspect(keys[0], anchor, keys);
}

async function showInspector() {
  const { key, choices } = S.inspecting;
  const anchor = S.inspecting.anchor ?? paths.dot(key);
  if (!anchor || !S.enabled.has(key) || !S.runs[key]) { card.hidden = true; return; }
  const id = `${S.raceId}:${key}:${S.step}`;
  if (card.dataset.key !== key) card.hidden = true;   // never another optimizer's numbers under this dot meanwhile
  if (!S.inspectCache.has(id)) {
    S.inspectCache.set(id, call("inspect", { race_id: S.raceId, key, step: S.step }));
  }
  let info;
  try {
    info = await S.inspectCache.get(id);
  } catch (e) {
    S.inspectCache.delete(id);
    if (e instanceof PyError) return;      // the race changed meanwhile; the next draw asks again
    fault(e);
    return;
  }
  if (S.inspecting?.key !== key || S.playing) return;
  renderInspector(card, info, S.meta[key], choices?.map((k) => S.meta[k]));
  card.dataset.key = key;
  placeInspector(card, anchor, wrap);
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
  if (S.step >= S.steps) {
    pause();
    for (const fn of listeners.ended) fn();
    return;
  }
  requestAnimationFrame(frame);
}

function play() {
  S.viewChanges++;
  if (S.step >= S.steps) S.step = 0;
  S.playing = true;
  $("play").textContent = "Pause";
  last = performance.now();
  acc = 0;
  card.hidden = true;
  requestAnimationFrame(frame);
}

function pause() {
  if (!S.playing) return;
  S.playing = false;
  $("play").textContent = "Play";
  if (S.inspecting) draw();
  else stats.draw(S.step);      // the table may be up to STATS_EVERY_MS behind the step it was playing
}

function goto(step) {
  S.viewChanges++;
  pause();
  S.step = Math.max(0, Math.min(S.steps, step));
  draw();
}

// ---- the 3-D view -------------------------------------------------------------------------------------------
// The same surface, paths, dots, colours, step and toggles as the contour plot, as a lit mesh (three.js, loaded
// from this page's own files the first time it is turned on). Starts are set on the contour plot.
async function show3d(on) {
  const box = $("view3d");
  $("view3d-toggle").setAttribute("aria-pressed", String(on));
  box.hidden = !on;
  plot.classList.toggle("behind3d", on);
  $("view3d-note").hidden = !on;
  if (!on) return;
  try {
    view3dLoading ??= import("./view3d.js").then(({ createView3D }) => createView3D(box, {
      onHover: (key, anchor) => (key ? inspect(key, anchor) : uninspect(null)),
    }));
    const v = await view3dLoading;
    if (box.hidden) return;
    view3d = v;
    view3d.resize();
    view3d.setSurface(S.grid, S.surfaces[S.surface]);
    view3d.setRuns(S.runs, S.meta, S.order);
    view3d.draw(S.step, S.enabled);
  } catch (e) {
    view3dLoading = null;
    $("view3d-note").textContent = `The 3-D view needs WebGL, which this browser did not provide (${e.message}). The contour plot shows the same runs.`;
    box.hidden = true;
    plot.classList.remove("behind3d");
  }
}

// Lessons drive the playback themselves: the page's own controls and the plot's clicks wait meanwhile.
function lock(on) {
  S.locked = on;
  for (const id of ["play", "step-back", "step-forward", "step"]) $(id).disabled = on;
  if (on) pause();
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

// Starts every optimizer from (x, y). Before Python is ready the click is kept and answered when it is.
async function startAt(x, y, { play: autoplay = true } = {}) {
  pause();
  if (!S.ready) {
    S.pending = { start: [x, y], autoplay };
    status("Python is still starting: this start will run as soon as it is ready.", "busy");
    draw();
    return false;
  }
  S.start = [x, y];       // a point on the plot is a valid start: it holds even if a newer request replaces this one
  warmRaces();            // the next starts' races are shared with a second worker once it is up
  return tryRerun({ step: autoplay ? 0 : Number.MAX_SAFE_INTEGER, autoplay });
}

// A click on one or more dots inspects them (a click on overlapping dots cycles through them); it never starts a run.
function inspectDots(keys) {
  $("click-note").textContent = "That click landed on an optimizer's dot, so it opened the step inspector " +
    "instead of starting a run. Click a little away from the dots to start from there.";
  $("click-note").hidden = false;
  pause();
  const i = keys.indexOf(S.inspecting?.key);
  const key = keys[(i + 1) % keys.length];
  inspect(key, paths.dot(key), keys.length > 1 ? [key, ...keys.filter((k) => k !== key)] : null);
}

function wirePointer() {
  let drag = null;
  let pending = null;
  plot.addEventListener("pointerdown", (e) => {
    if (e.button !== 0 || !S.geo) return;
    if (S.locked) {
      $("click-note").textContent = "A lesson is open: its Play button runs the scene. Leave the lesson to start runs by clicking.";
      $("click-note").hidden = false;
      return;
    }
    const onHandle = S.ready && nearStart(e);
    const onDot = paths.hit(e);
    if (onDot.length && !onHandle) {
      inspectDots(onDot);
      return;
    }
    if (!insidePlot(e)) return;
    $("click-note").hidden = true;
    e.preventDefault();
    plot.setPointerCapture(e.pointerId);
    drag = { moved: false, x: e.clientX, y: e.clientY, onHandle, dots: onHandle ? onDot : [] };
    plot.classList.add("dragging");
    if (!onHandle) {
      const [x, y] = dataPoint(e);
      startAt(x, y, { play: false }).then(() => { if (drag === null && S.ready) play(); });
    }
  });
  plot.addEventListener("pointermove", (e) => {
    if (!drag) { if (e.pointerType !== "touch") paths.hover(e); return; }   // touch has no hover: a tap inspects
    if (!S.ready) return;
    if (!drag.moved && Math.hypot(e.clientX - drag.x, e.clientY - drag.y) < 3) return;
    drag.moved = true;
    const p = dataPoint(e);
    if (!pending) {
      requestAnimationFrame(() => { S.start = pending; pending = null; tryRerun({ step: Number.MAX_SAFE_INTEGER }); });
    }
    pending = p;
  });
  plot.addEventListener("pointerleave", (e) => { if (!drag && e.pointerType !== "touch") paths.hover(null); });
  const end = () => {
    if (!drag) return;
    plot.classList.remove("dragging");
    const { moved, dots } = drag;
    drag = null;
    if (!moved && dots.length) inspectDots(dots);     // a click (not a drag) on dots over the start inspects them
    else if (!moved && S.ready && !S.busy) play();
  };
  plot.addEventListener("pointerup", end);
  plot.addEventListener("pointercancel", end);
}

// ---- keyboard ------------------------------------------------------------------------------------------
function wireKeys() {
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || !S.geo || S.locked) return;
    const t = e.target;
    if (t.closest("input, select, textarea, dialog")) return;
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
  const guard = (fn) => (...a) => Promise.resolve(fn(...a)).catch(fault);
  $("play").addEventListener("click", () => (S.playing ? pause() : play()));
  $("step-back").addEventListener("click", () => goto(S.step - 1));
  $("step-forward").addEventListener("click", () => goto(S.step + 1));
  $("step").addEventListener("input", (e) => goto(Number(e.target.value)));
  $("speed").addEventListener("change", (e) => { S.speed = Number(e.target.value); });
  $("surface").addEventListener("change", guard((e) => setSurface(e.target.value)));
  $("steps").addEventListener("change", guard(setSteps));
  $("start-x").addEventListener("change", guard(() => setStartFromInput("x")));
  $("start-y").addEventListener("change", guard(() => setStartFromInput("y")));
  $("all-on").addEventListener("click", () => S.order.forEach((k) => toggle(k, true)));
  $("all-off").addEventListener("click", () => S.order.forEach((k) => toggle(k, false)));
  $("preset").addEventListener("click", guard(async () => { await applyPreset(); await tryRerun(); }));
  $("defaults").addEventListener("click", guard(async () => { resetDefaults(); await tryRerun(); }));
  $("view3d-toggle").addEventListener("click", () => show3d($("view3d-toggle").getAttribute("aria-pressed") !== "true"));
  new ResizeObserver(() => {
    if (S.geo && Math.abs(wrap.clientWidth - laidOutWidth) >= 2) layout();
  }).observe(wrap);
  wirePointer();
  wireKeys();
}

const VIEW_CONTROLS = ["play", "step-back", "step-forward", "step", "speed", "all-on", "all-off"];   // no Python needed
const PYTHON_CONTROLS = ["surface", "steps", "start-x", "start-y", "preset", "defaults", "field-toggle"];

// The opening view from web/first_view.json: drawn, playable and toggleable before Python exists.
function openFirstView(first) {
  const cat = first.catalog;
  S.catalog = cat;
  setMarkers(cat.markers);
  for (const li of document.querySelectorAll(".key li[data-marker]")) {     // the plot key, in pycore's shapes
    const svg = el("svg", { viewBox: "-8 -8 16 16", "aria-hidden": "true" });
    el("path", { class: li.dataset.class, d: markerPath(li.dataset.marker, li.dataset.marker === "circle" ? 4.5 : 6) }, svg);
    li.prepend(svg, " ");
  }
  for (const o of cat.optimizers) { S.meta[o.key] = o; S.order.push(o.key); }
  for (const s of cat.surfaces) S.surfaces[s.key] = s;
  for (const k of S.order) S.settings.values[k] = defaultsOf(k);
  const sel = $("surface");
  for (const s of cat.surfaces) sel.append(new Option(s.name, s.key));
  $("steps").title = `a whole number from ${cat.steps.min} to ${cat.steps.max}`;
  $("preset-rule").textContent = cat.preset_rule;
  legend = buildLegend($("legend"), cat.optimizers, S.settings, {
    onToggle: (k) => toggle(k), onCommit: commit, onPanel: (...a) => share.schedules.panel(...a),
  });
  const v = first.view;
  S.surface = v.surface;
  S.start = v.start;
  S.steps = v.steps;
  S.step = v.step;
  v.enabled.forEach((k) => S.enabled.add(k));
  for (const k of S.order) { S.settings.values[k] = v.hyperparams[k]; legend.setPressed(k, S.enabled.has(k)); }
  v.preset.forEach((k) => S.settings.preset.add(k));
  S.presetMode = v.preset_mode;
  S.grid = { ...first.grid, values: decodeFloats(first.grid.values) };
  grids.set(JSON.stringify(v.surface), Promise.resolve(S.grid));
  $("surface").value = S.surface;
  $("steps").value = S.steps;
  showFormula(S.surfaces[S.surface]);
  refreshSettingsView();
  wireControls();
  layout();
  applyRace({ ...first.race, floats: decodeFloats(first.race.floats) });
  draw();
  for (const id of VIEW_CONTROLS) $(id).disabled = false;
  performance.mark("optviz:painted");
  document.documentElement.dataset.painted = "true";
}

// After the first paint: the features' modules, set up on the opening view.
async function openFeatures() {
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));   // let the browser show the plot first
  const mods = await Promise.all(FEATURES.map((f) => import(f)));
  features = Object.fromEntries(FEATURES.map((f, i) => [f.slice(2), mods[i]]));
  features["learn.js"].initLearn(S.catalog.optimizers, { surface: () => S.surface });
  lab = features["lab.js"].initLab({ S, call, PyError, setSurface, rerun: tryRerun, pause, goto, refreshSettingsView,
    legend, fStar, catalog: S.catalog });
  field = features["field.js"].initField({ S, call, PyError });
  lab.drawn(layers.surface, S.geo, layers.restored);
  field.attach(layers.field, S.geo);
  lab.ran();
  draw();
}

async function main() {
  loss = new LossChart($("loss-chart"), $("loss-axis-note"), goto);
  stats = new StatsTable($("stats"), { onSort: () => stats.draw(S.step) });
  // Python starts in its worker while the opening view is drawn. The worker is created first (PyScript's module
  // is preloaded, so that takes a few ms; capped at 150 ms): created after the drawing, its boot would start late.
  const { spawned, ready: engine } = startEngine();
  const view = fetch(new URL("./first_view.json", import.meta.url)).then((r) => r.json());
  await Promise.race([spawned, new Promise((r) => setTimeout(r, 150))]);
  const first = await view;
  openFirstView(first);
  const linked = location.hash.length > 1;
  // The opening race is shown whole and plays from step 0 once Python is ready, unless the person has played or
  // scrubbed it by then: animated while Pyodide compiles, it took a core from the compile (ready 9.2 s against
  // 7.6 s on the 2-core machine).
  if (!linked) goto(S.steps);
  const touched = S.viewChanges;
  status("Python is starting in the background (a few seconds the first time); the race on screen is " +
    "pycore's, computed in advance, and plays from the start once Python is ready. You can play, scrub and " +
    "toggle it now.", "busy");
  await openFeatures();
  await engine;
  share = features["share.js"].initShare({ S, call, PyError, rerun: tryRerun, pause, setSurface, refreshSettingsView, legend, plot,
    setSurfaceSpec: (key, spec, options) => lab.setSurfaceSpec(key, spec, options), first: first.schedules });
  S.ready = true;
  for (const id of PYTHON_CONTROLS) $(id).disabled = false;
  lab.enable();
  plot.classList.add("live");
  status("");
  lessonMode = features["lessonmode.js"].initLessonMode({ S, call, applyView: (v) => share.apply(v), play, pause, on: window.optviz.on, lock,
    writeHash: () => share.flush() });
  if (linked) await share.restore();
  else if (S.raceId === 0) await tryRerun();   // the worker computes the opening race too (bit for bit the same),
                                               // so the inspector and the exports can ask it for details
  if (S.pending) {
    const { start, autoplay } = S.pending;
    S.pending = null;
    await startAt(...start, { play: autoplay });
  } else if (!linked && S.viewChanges === touched) {
    goto(0);
    play();
  }
  requestAnimationFrame(() => {
    document.documentElement.dataset.ready = "true";
    performance.mark("optviz:ready");
    features["share.js"].registerOffline(S.order, call);
  });
}

// ---- the app's interface for other modules (lessons, 3-D view) and for tests ------------------------------------
window.optviz = {
  state() {
    const runs = {};
    for (const k of S.order) {
      const r = S.runs[k];
      if (r && S.enabled.has(k)) {
        runs[k] = { points: r.points, losses: Array.from(r.losses), outcome: r.outcome, reason: r.reason,
          settled_at: r.settled_at, hyperparams: r.hyperparams };
      }
    }
    return {
      surface: S.surface, start: S.start, steps: S.steps, enabled: S.order.filter((k) => S.enabled.has(k)),
      step: S.step, playing: S.playing, runs, errors: S.errors, presetMode: S.presetMode, ready: S.ready,
      busy: S.busy > 0, pending: S.pending, custom: S.custom, data: S.data, lab: lab?.state(),
      tuned: S.order.filter((k) => S.settings.tuned.has(k)), hyperparams: S.settings.values,
      preset: S.order.filter((k) => S.settings.preset.has(k)), options: S.options,
    };
  },
  clickAt: (x, y, options) => startAt(x, y, options),
  setStep: goto,
  flushShare: () => share.flush(),
  applyView: (view) => share.apply(view),
  python: (name, args) => call(name, args),
  pause,
  play,
  // Resolves once nothing is waiting for Python (twice in a row, 30 ms apart, so chained calls count).
  idle: () => new Promise((resolve) => {
    let quiet = 0;
    const check = () => {
      quiet = S.busy || pending() || !S.ready ? 0 : quiet + 1;
      if (quiet >= 2) resolve(); else setTimeout(check, 30);
    };
    check();
  }),
  timing: () => S.timing,
  field: () => field?.state(),
  frameCost: () => ({ ...S.frames }),
  on(event, fn) { listeners[event].add(fn); return () => listeners[event].delete(fn); },
  // Client (CSS pixel) coordinates of the data point (x, y) on #plot, for tests driving the real mouse.
  toScreen(x, y) {
    const r = plot.getBoundingClientRect();
    const k = r.width / S.geo.svgWidth;
    return [r.left + S.geo.x(x) * k, r.top + S.geo.y(y) * k];
  },
  geometry: () => ({ bounds: S.geo.bounds, width: S.geo.width, height: S.geo.height, pxPerUnit: S.geo.pxPerUnit }),
};

main().catch(fault);
