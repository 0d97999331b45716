// The lab: surfaces beyond the built-in ones (your own f(x, y), training losses from data) and the tools that
// need the worker (basin map, fair lr tuning). State lives in the app's S: S.custom = {expr, bounds} | null and
// S.data = {dataset, batch_size, seed, early_stopping?} | null, each null unless its surface is shown. Python
// (pycore.api_lab) checks everything; this file routes.
import { initCustom } from "./custom.js";
import { initEpochChart } from "./epochchart.js";
import { initEarlyStop } from "./earlystop.js";
import { initBasin } from "./basin.js";
import { initFair } from "./fair.js";

export const CUSTOM = "custom";
const $ = (id) => document.getElementById(id);

// The surface as pycore.api_lab takes it for runs: a key, a custom expression or a dataset with mini-batches.
export function surfaceSpec(S) {
  if (S.surface === CUSTOM && S.custom) return { custom: S.custom.expr, bounds: S.custom.bounds };
  if (S.data && S.data.dataset === S.surface) return { ...S.data };
  return S.surface;
}

// The surface alone (no mini-batch settings): what the contour grid, presets, basin maps and tuning use.
export function gridSpec(S) {
  const spec = surfaceSpec(S);
  return typeof spec === "object" && spec.dataset ? spec.dataset : spec;
}

// A data surface's settings as a spec (pycore.specs) from pycore's record of them: early_stopping only when on.
function dataSpec({ dataset, batch_size, seed, early_stopping }) {
  return { dataset, batch_size, seed, ...(early_stopping ? { early_stopping } : {}) };
}

// app: { S, call, PyError, setSurface, rerun, pause, goto, refreshSettingsView, legend, fStar, catalog }.
export function initLab(app) {
  const { S, call, PyError } = app;
  const lab = app.catalog;
  S.custom = null;
  S.data = null;
  for (const rec of lab.datasets) S.surfaces[rec.key] = rec;

  const sel = $("surface");
  const group = document.createElement("optgroup");
  group.label = "Data surfaces (training loss)";
  for (const rec of lab.datasets) group.append(new Option(`Data: ${rec.short}`, rec.key));
  const own = document.createElement("optgroup");
  own.label = "Your own";
  own.append(new Option("Custom f(x, y)", CUSTOM));
  sel.append(group, own);

  const epochs = initEpochChart(S, app.goto);
  const custom = initCustom({ ...app, defaults: lab.custom, select: (key) => app.setSurface(key) });
  const basin = initBasin({ ...app, spec: () => gridSpec(S) });
  const fair = initFair({ ...app, basin, spec: () => gridSpec(S) });

  // ---- training data controls ----
  const batch = $("batch-size"), seed = $("data-seed");
  const kept = {};      // each data surface's settings (batch size, seed, early stopping), kept while another is shown
  // `all`: put every field back, even the one being typed in (a refused value, another surface); an accepted
  // change leaves that one alone, or its answer would undo what was typed meanwhile, before its Enter.
  function showData(all = true) {
    const rec = S.surfaces[S.surface]?.data;
    $("data-card").hidden = !rec;
    if (!rec) return;
    batch.max = rec.n;
    for (const [input, v] of [[batch, S.data.batch_size], [seed, S.data.seed]]) {
      if (all || document.activeElement !== input) input.value = v;
    }
    const per = rec.steps_per_epoch;
    const held = `${rec.n_val} more are held out for validation`;
    $("data-note").textContent = S.data.batch_size === rec.n
      ? `Full batch: each step uses the gradient of all ${rec.n} training samples, so every run is deterministic ` +
        `(${per} step = 1 epoch); ${held}. Paths are drawn on the training loss.`
      : `Mini-batches of ${S.data.batch_size} of the ${rec.n} training samples, reshuffled every epoch from seed ` +
        `${S.data.seed} (as torch's DataLoader with shuffle=True): ${per} steps per epoch, each with a noisy ` +
        `gradient; every optimizer sees the same batches; ${held}. Paths are drawn on the training loss.`;
    stopping.show(all);
  }
  // pycore checks the typed text; the record it returns carries the normalised values. One change at a time; a
  // refused value shows pycore's message in `errId` and puts every field back to the settings in effect.
  let chain = Promise.resolve();
  const setData = (changes, errId = "data-error") => (chain = chain.then(() => applyData(changes, errId)));
  async function applyData(changes, errId) {
    let rec;
    try {
      rec = await call("surface", { spec: { ...S.data, ...changes } });
    } catch (e) {
      if (!(e instanceof PyError)) throw e;
      $(errId).textContent = e.message;
      $(errId).hidden = false;
      showData();
      return;
    }
    for (const id of ["data-error", "es-error"]) $(id).hidden = true;
    S.data = dataSpec(rec.data);
    kept[S.data.dataset] = S.data;
    S.surfaces[S.surface] = rec;
    showData(false);
    app.rerun();
  }
  const stopping = initEarlyStop({ S, setData });
  batch.addEventListener("change", () => setData({ batch_size: batch.value }));
  seed.addEventListener("change", () => setData({ seed: seed.value }));

  let shown = null;
  return {
    custom, basin, fair,
    // Called first thing by setSurface(key): S.custom / S.data follow the selected surface (a data surface
    // comes back with the batch size and seed it had).
    async select(key) {
      if (key !== shown) { S.settings.tuned.clear(); fair.reset(); basin.newSurface(); }
      shown = key;
      const rec = S.surfaces[key];
      if (rec?.data) {
        if (S.data?.dataset !== key) S.data = kept[key] ?? { dataset: key, batch_size: rec.data.n, seed: 0 };
        S.surfaces[key] = await call("surface", { spec: { ...S.data } });
      } else S.data = null;
      if (key === CUSTOM) await custom.ensure(); else custom.hide();
      showData();
    },
    // Sets a surface from a checked view (URL hash): the custom expression or the data settings, then shows it.
    async setSurfaceSpec(key, spec, options) {
      if (spec.custom !== undefined) await custom.use(spec.custom, spec.bounds);
      else if (spec.dataset) { S.data = { ...spec }; kept[key] = S.data; shown = key; }
      await app.setSurface(key, options);
    },
    // After layout() drew the surface: the basin map goes between the filled bands and everything on top; the
    // restored points of early stopping go in `restored`, the layer above the paths; the epoch chart takes the
    // new width.
    drawn(g, geo, restored) { basin.attach(g, geo); stopping.drawn(restored, geo); epochs.update(); },
    ran() { epochs.update(); stopping.ran(); basin.changed(); },
    draw() { epochs.draw(); stopping.draw(); },
    enable() {
      for (const id of ["basin-on", "basin-opt", "basin-size", "basin-all", "fair-tune", "batch-size", "data-seed"]) $(id).disabled = false;
      stopping.enable();
      custom.enable();
    },
    state: () => ({ basin: basin.state(), fair: fair.state() }),
  };
}
