// The lab: surfaces beyond the built-in ones (your own f(x, y), training losses from data) and the tools that
// need the worker (basin map, fair lr tuning). State lives in the app's S: S.custom = {expr, bounds} | null and
// S.data = {dataset, batch_size, seed} | null, each null unless its surface is shown. Python (pycore.api_lab)
// checks everything; this file routes.
import { LossChart } from "./losschart.js";
import { initCustom } from "./custom.js";
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

// A loss chart per epoch, built on the step chart: x = epoch, y = the full-data loss after it.
function epochChart(S, goto) {
  const chart = new LossChart($("epoch-chart"), $("epoch-axis-note"), (e) => goto(e * perEpoch()), "epoch");
  const perEpoch = () => S.surfaces[S.surface]?.data?.steps_per_epoch ?? 1;
  return {
    update(fStar) {
      const data = S.surfaces[S.surface]?.data;
      $("epoch-card").hidden = !data;
      if (!data) return;
      const runs = {};
      let epochs = 1;
      for (const [k, r] of Object.entries(S.runs)) {
        if (!r.minibatch) continue;
        runs[k] = { losses: r.minibatch.epoch_losses };
        epochs = Math.max(epochs, r.minibatch.epoch_losses.length - 1);
      }
      chart.set(runs, S.meta, S.order, S.enabled, epochs, fStar);
      chart.draw(Math.floor(S.step / perEpoch()));
    },
    draw() { if (!$("epoch-card").hidden) chart.draw(Math.floor(S.step / perEpoch())); },
  };
}

// app: { S, call, PyError, setSurface, rerun, pause, goto, refreshSettingsView, legend, fStar }.
export function initLab(app) {
  const { S, call, PyError } = app;
  const lab = call("lab");
  S.custom = null;
  S.data = null;
  S.settings.tuned = new Set();
  for (const rec of lab.datasets) S.surfaces[rec.key] = rec;

  const sel = $("surface");
  const group = document.createElement("optgroup");
  group.label = "Data surfaces (training loss)";
  for (const rec of lab.datasets) group.append(new Option(`Data: ${rec.short}`, rec.key));
  const own = document.createElement("optgroup");
  own.label = "Your own";
  own.append(new Option("Custom f(x, y)", CUSTOM));
  sel.append(group, own);

  const epochs = epochChart(S, app.goto);
  const custom = initCustom({ ...app, defaults: lab.custom, select: (key) => app.setSurface(key) });
  const basin = initBasin({ ...app, sizes: lab.basin, spec: () => gridSpec(S) });
  const fair = initFair({ ...app, basin, spec: () => gridSpec(S) });

  // ---- training data controls ----
  const batch = $("batch-size"), seed = $("data-seed"), err = $("data-error");
  function showData() {
    const rec = S.surfaces[S.surface]?.data;
    $("data-card").hidden = !rec;
    if (!rec) return;
    batch.max = rec.n;
    batch.value = S.data.batch_size;
    seed.value = S.data.seed;
    const per = rec.steps_per_epoch;
    $("data-note").textContent = S.data.batch_size === rec.n
      ? `Full batch: each step uses the gradient of all ${rec.n} samples, so every run is deterministic ` +
        `(${per} step = 1 epoch). Paths are drawn on the full-data loss.`
      : `Mini-batches of ${S.data.batch_size} of the ${rec.n} samples, reshuffled every epoch from seed ` +
        `${S.data.seed} (as torch's DataLoader with shuffle=True): ${per} steps per epoch, each with a noisy ` +
        `gradient; every optimizer sees the same batches. Paths are drawn on the full-data loss.`;
  }
  function setData(changes) {
    const data = { ...S.data, ...changes };
    let rec;
    try {
      rec = call("surface", { spec: data });
    } catch (e) {
      if (!(e instanceof PyError)) throw e;
      err.textContent = e.message;
      err.hidden = false;
      return;
    }
    err.hidden = true;
    S.data = data;
    S.surfaces[S.surface] = rec;
    showData();
    app.rerun();
  }
  const whole = (input) => { const t = input.value.trim(); return t === "" || Number.isNaN(Number(t)) ? t : Number(t); };
  batch.addEventListener("change", () => setData({ batch_size: whole(batch) }));
  seed.addEventListener("change", () => setData({ seed: whole(seed) }));

  let shown = null;
  return {
    custom, basin, fair,
    // Called first thing by setSurface(key): S.custom / S.data follow the selected surface.
    select(key) {
      if (key !== shown) { S.settings.tuned.clear(); fair.reset(); basin.newSurface(); }
      shown = key;
      const rec = S.surfaces[key];
      if (rec?.data) {
        if (S.data?.dataset !== key) S.data = { dataset: key, batch_size: rec.data.n, seed: 0 };
        S.surfaces[key] = call("surface", { spec: { ...S.data } });
      } else S.data = null;
      if (key === CUSTOM) custom.ensure(); else custom.hide();
      showData();
    },
    // Sets a surface from a checked view (URL hash): the custom expression or the data settings, then shows it.
    setSurfaceSpec(key, spec) {
      if (spec.custom !== undefined) custom.use(spec.custom, spec.bounds);
      else if (spec.dataset) { S.data = { ...S.data, ...spec }; shown = key; }
      app.setSurface(key);
    },
    // After layout() drew the surface: the basin map goes between the filled bands and everything on top.
    drawn(g, geo) { basin.attach(g, geo); },
    ran() { epochs.update(app.fStar()); basin.changed(); },
    draw() { epochs.draw(); },
    enable() {
      for (const id of ["basin-on", "basin-opt", "basin-size", "basin-all", "fair-tune", "batch-size", "data-seed"]) $(id).disabled = false;
      custom.enable();
    },
    state: () => ({ basin: basin.state(), fair: fair.state() }),
  };
}
