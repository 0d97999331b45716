// The shared view: everything on screen lives in the URL hash (written by pycore.browser.share.encode_view,
// debounced, with history.replaceState) and a link restores it. A hash is only ever read by Python
// (decode_view checks every field); a bad one leaves the defaults on screen and says why. Also here: the
// gradient options every optimizer shares (noise with its seed, clipping) with their badges by the plot,
// the Copy link button, and the service worker that keeps the page working offline.
import { initSchedules } from "./schedule.js";
import { initExport } from "./export.js";
import { fmt } from "./svg.js";
import { attempt } from "./engine.js";
import { DOCS } from "./learn.js";

const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 250;

// app: { S, call, PyError, rerun, pause, setSurface, setSurfaceSpec?, refreshSettingsView, legend, plot, first }
export function initShare(app) {
  const { S } = app;
  const schedules = initSchedules(app);

  function view(options = S.options) {
    return {
      v: 1, surface: S.surface, start: S.start, steps: S.steps,
      // LAB's surfaces: S.custom is remembered while another surface is shown, so only the one in effect goes in.
      custom: S.surface === "custom" ? S.custom ?? null : null, data: S.data?.dataset === S.surface ? S.data : null,
      step: S.step, enabled: S.order.filter((k) => S.enabled.has(k)), hyperparams: S.settings.values,
      preset: S.order.filter((k) => S.settings.preset.has(k)), preset_mode: S.presetMode,
      schedules: options.schedules, noise: options.noise, seed: options.seed, max_grad_norm: options.max_grad_norm,
    };
  }

  // ---- notices and status lines ----
  const notice = $("share-notice");
  const say = (node) => (text) => { node.textContent = text || ""; node.hidden = !text; };
  const status = say($("share-status"));
  $("share-notice-close").addEventListener("click", () => { notice.hidden = true; });
  function warn(text) {
    $("share-notice-text").textContent = text;
    notice.hidden = false;
  }

  // ---- the hash ----
  let written = location.hash;
  let timer = 0, asked = 0;
  async function writeHash() {
    timer = 0;
    if (!S.ready || S.playing || S.busy || S.lesson) return;   // a lesson keeps #lesson=k in the address
    const mine = ++asked;
    const before = location.hash;
    const { ok: hash, error } = await attempt("share_encode", { view: view() });
    if (mine !== asked) return;          // a newer view is being written
    if (location.hash !== before) return;   // a link was opened meanwhile: it wins, and is not written over
    if (error) status(`The address bar does not hold this view: ${error}`);
    if (hash && hash !== written) {
      written = hash;
      history.replaceState(history.state, "", `${location.pathname}${location.search}${hash}`);
    }
  }

  // Shows a checked view (from a link, or a lesson's scene). Resolves true when it was applied.
  async function apply(v) {
    notice.hidden = true;
    app.pause();
    S.presetMode = false;
    const spec = v.custom ? { custom: v.custom.expr, bounds: v.custom.bounds } : v.data ? { ...v.data } : null;
    if (spec) await app.setSurfaceSpec(v.surface, spec, { start: v.start, rerunAfter: false });
    else if (v.surface !== S.surface) await app.setSurface(v.surface, { start: v.start, rerunAfter: false });
    for (const k of S.order) S.settings.values[k] = v.hyperparams[k];
    S.settings.preset.clear();
    S.settings.tuned?.clear();  // a "tuned" tag is not carried by links: it could not be checked without re-tuning
    v.preset.forEach((k) => S.settings.preset.add(k));
    S.presetMode = v.preset_mode;
    S.enabled.clear();
    v.enabled.forEach((k) => S.enabled.add(k));
    for (const k of S.order) app.legend.setPressed(k, S.enabled.has(k));
    S.options = { schedules: v.schedules, noise: v.noise, seed: v.seed, max_grad_norm: v.max_grad_norm };
    showOptions();
    app.refreshSettingsView();
    const done = await app.rerun({ start: v.start, steps: v.steps, step: v.step });
    schedules.refreshAll();
    return done;
  }

  async function restore(text, first) {
    const refuse = (error) => {
      warn(`This link's view could not be used, so ${first ? "the defaults are shown" : "the view did not change"}: ${error}`);
      written = "";
      history.replaceState(history.state, "", `${location.pathname}${location.search}`);
      return false;
    };
    const { ok: v, error } = await attempt("share_decode", { text });
    if (error) return refuse(error);
    let done;
    try {
      done = await apply(v);
    } catch (e) {       // a view pycore accepted but could not show (its surface refused): said, never unhandled
      if (!(e instanceof app.PyError)) throw e;
      return refuse(e.message);
    }
    written = location.hash;
    return done;
  }

  // ---- gradient options (noise, clipping) ----
  const noiseOn = $("noise-on"), sigma = $("noise-sigma"), seed = $("noise-seed");
  const clipOn = $("clip-on"), clipNorm = $("clip-norm");

  // Checks the options through pycore (the same checks as a link's, typed text read as typed) and, if they
  // pass, applies the values pycore read; else shows why and puts every box back to what is in effect. An
  // accepted change leaves alone the box a person is typing in meanwhile (its next value is on its way).
  let chain = Promise.resolve();
  const setOptions = (changes, errId) => (chain = chain.then(() => applyOptions(changes, errId)));
  async function applyOptions(changes, errId) {
    const { ok: v, error } = await attempt("share_check", { view: view({ ...S.options, ...changes }) });
    for (const id of ["noise-error", "clip-error"]) if (!error || id === errId) say($(id))(error);
    if (!error) S.options = { schedules: v.schedules, noise: v.noise, seed: v.seed, max_grad_norm: v.max_grad_norm };
    showOptions(Boolean(error));
    if (!error) await app.rerun();
  }

  // `all`: also put the boxes being typed in back to the values in effect (after a check).
  function showOptions(all = false) {
    const o = S.options;
    const put = (input, text) => { if (all || document.activeElement !== input) input.value = text; };
    noiseOn.checked = o.noise > 0;
    if (o.noise > 0) put(sigma, String(o.noise));
    put(seed, String(o.seed));
    clipOn.checked = o.max_grad_norm !== null;
    if (o.max_grad_norm !== null) put(clipNorm, String(o.max_grad_norm));
    $("noise-fields").classList.toggle("off", !(o.noise > 0));
    $("clip-fields").classList.toggle("off", o.max_grad_norm === null);
    const notes = $("run-notes");
    notes.replaceChildren();
    if (o.noise > 0) {
      // On a data surface the mini-batch seed also draws the noise (pycore.api_lab.runner).
      const seedText = S.data && S.data.dataset === S.surface ? `mini-batch seed ${S.data.seed}` : `seed ${o.seed}`;
      notes.append(badge("noise", `Gradient noise on: N(0, ${fmt(o.noise)}²) added to each gradient coordinate, ${seedText}`));
    }
    if (o.max_grad_norm !== null) {
      notes.append(badge("clip", `Gradient clipping on: ‖g‖ ≤ ${fmt(o.max_grad_norm)} (clip_grad_norm_)`));
    }
    notes.hidden = !notes.childElementCount;
  }

  function badge(kind, text) {
    return Object.assign(document.createElement("span"), { className: `run-badge ${kind}`, textContent: text });
  }

  // Typing σ (or a clipping norm) turns the option on with that value; σ = 0 turns the noise off.
  noiseOn.addEventListener("change", () => setOptions({ noise: noiseOn.checked ? sigma.value : 0 }, "noise-error"));
  sigma.addEventListener("change", () => setOptions({ noise: sigma.value }, "noise-error"));
  seed.addEventListener("change", () => setOptions({ seed: seed.value }, "noise-error"));
  clipOn.addEventListener("change", () => setOptions({ max_grad_norm: clipOn.checked ? clipNorm.value : null }, "clip-error"));
  clipNorm.addEventListener("change", () => setOptions({ max_grad_norm: clipNorm.value }, "clip-error"));

  // ---- copy link, exports ----
  $("copy-link").addEventListener("click", async () => {
    writeHash();
    const url = location.href;
    try {
      await navigator.clipboard.writeText(url);
      status("Link copied: it opens this exact view.");
    } catch {
      const box = $("share-url");
      box.value = url;
      box.hidden = false;
      box.select();
      status("Copy the link from the box (the clipboard is not available here).");
    }
  });
  initExport({ ...app, view }, status);

  for (const id of ["noise-on", "noise-sigma", "noise-seed", "clip-on", "clip-norm", "copy-link", "export-csv", "export-json", "export-stats", "export-png"]) {
    $(id).disabled = false;
  }
  showOptions();
  // The hash navigated to (e.newURL), not location.hash: the page may have rewritten the address since.
  window.addEventListener("hashchange", (e) => {
    const hash = new URL(e.newURL).hash;
    if (hash !== written && hash.startsWith("#view=")) restore(hash, false).catch((err) => {
      warn(`Something went wrong while opening this link: ${err.message}`);     // a fault, not the link: reported
      console.error(err);
    });
  });

  return {
    schedules,
    view,
    apply,
    // Restores the view in the page's hash, if any; true when one was applied.
    restore: async () => (location.hash.startsWith("#view=") || location.hash.length > 1 && !location.hash.startsWith("#lesson=")
      ? restore(location.hash, true) : false),
    // Called after every redraw: moves the schedule cursors now, writes the hash once things settle.
    changed() {
      schedules.step(S.step);
      clearTimeout(timer);
      timer = setTimeout(() => { schedules.refreshAll(); showOptions(); writeHash(); }, DEBOUNCE_MS);
    },
    flush() { clearTimeout(timer); schedules.refreshAll(); return writeHash(); },
  };
}

// Files the page loads only on demand: each optimizer's explanation, the surfaces and comparison docs (learn.js),
// and the 3-D view with the parts of three.js it imports. A name that does not exist makes the caching report a
// failure (tests/test_webapp.py checks each exists).
export const THREE_FILES = ["three.module.js", "three.core.js", "OrbitControls.js", "LineSegments2.js",
  "LineSegmentsGeometry.js", "LineMaterial.js"].map((f) => `web/vendor/three/${f}`);
function onDemand(keys) {
  return [...keys.map(DOCS.optimizer), DOCS.surfaces, DOCS.comparison, "web/view3d.js", ...THREE_FILES,
    "web/vendor/katex/katex.min.js", "web/vendor/katex/katex.min.css"];     // web/tex.js loads them after the first paint
}

// Registers sw.js (scope: the page's folder) and, once it controls the page, asks it for one consistent
// offline snapshot of every same-origin file this page and its Python worker have loaded, and those loaded on
// demand. Sets data-offline="ready" when the snapshot is complete, "partial" if some file could not be fetched (the
// previous snapshot stays in force), "offline" if none could (the page is running from that snapshot).
export function registerOffline(keys, call) {
  const line = $("offline-status");
  keepOffline(line, keys, call).catch((e) => { line.textContent = `This browser did not keep the page for offline use (${e.message}).`; });
}

async function keepOffline(line, keys, call) {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) {
    line.textContent = "Not kept for offline use: this browser offers no service worker here (they need https or this machine's own address).";
    return;
  }
  await navigator.serviceWorker.register("./sw.js", { scope: "./" });
  const reg = await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) {
    await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
  }
  const here = new URL("./", location.href).href;
  const worker = await call("resources").catch(() => []);
  const files = performance.getEntriesByType("resource").map((e) => e.name).concat(worker)
    .concat([location.href.split("#")[0], here], onDemand(keys).map((p) => new URL(p, here).href))
    .map((u) => u.split("#")[0]).filter((u) => u.startsWith(here));
  const done = await new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = (e) => resolve(e.data);
    reg.active.postMessage({ type: "snapshot", files: [...new Set(files)] }, [ch.port2]);
  });
  const state = !done.failed.length ? "ready" : done.cached ? "partial" : "offline";
  line.textContent = {
    ready: `Available offline: ${done.cached} files kept by this browser, all from the version on screen.`,
    partial: `Kept for offline use: the previous copy (${done.failed.length} file${done.failed.length > 1 ? "s" : ""} could not be fetched now).`,
    offline: "Offline: this page runs from the copy this browser kept, all of one version.",
  }[state];
  document.documentElement.dataset.offline = state;
}
