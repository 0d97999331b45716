// Fair comparison: one button tunes each enabled optimizer's lr the same way (pycore.tuning, in the worker),
// applies the tuned values, tags them "tuned" in the legend and shows the method in words. No gradient
// clipping is used while tuning (the method says so).
import { labWorker } from "./basin.js";
import { fmt } from "./svg.js";

const $ = (id) => document.getElementById(id);

// app: { S, spec(), rerun, refreshSettingsView }.
export function initFair(app) {
  const { S } = app;
  const button = $("fair-tune"), status = $("fair-status"), method = $("fair-method"), table = $("fair-table");
  const intro = status.innerHTML;
  let gen = 0, busy = false, timing = null;

  function addRow(key, r) {
    const tr = document.createElement("tr");
    tr.dataset.key = key;
    const note = r.lr === null ? "every lr diverged: lr kept" : r.at_edge ? "at the edge of the grid" : "";
    for (const [i, text] of [S.meta[key].name, r.lr === null ? "–" : fmt(r.lr), r.best === null ? "–" : fmt(r.best), note].entries()) {
      const td = document.createElement(i ? "td" : "th");
      if (!i) { td.scope = "row"; td.style.color = S.meta[key].color; }
      td.textContent = text;
      tr.append(td);
    }
    table.tBodies[0].append(tr);
  }

  async function tuneAll() {
    const mine = ++gen;
    const keys = S.order.filter((k) => S.enabled.has(k));
    if (!keys.length) { status.textContent = "Enable at least one optimizer to tune."; return; }
    busy = true;
    button.disabled = true;
    table.tBodies[0].replaceChildren();
    table.hidden = false;
    const surfaceName = S.surfaces[S.surface].name;
    const t0 = performance.now();
    const per = [];
    try {
      const w = await labWorker();
      for (const [i, k] of keys.entries()) {
        if (mine !== gen) return;
        status.textContent = `Tuning ${S.meta[k].name} (${i + 1} of ${keys.length}) on ${surfaceName}…`;
        const t = performance.now();
        const args = JSON.stringify({ surface: app.spec(), optimizer: k, hyperparams: S.settings.values[k], steps: S.steps });
        const reply = JSON.parse(await w.sync.tune(args));
        per.push(performance.now() - t);
        if (mine !== gen) return;  // the surface changed while tuning: these values are not for it
        if ("error" in reply) throw new Error(reply.error);
        const { method: m, result: r } = reply.ok;
        const data = S.surfaces[S.surface].data;
        method.textContent = `Method: ${m.text}` + (data && data.batch_size < data.n
          ? ` On this data surface the tuning runs use the full-data gradient, not the mini-batches.` : "");
        method.hidden = false;
        if (r.lr !== null) {
          S.settings.values[k] = { ...S.settings.values[k], lr: r.lr };
          S.settings.preset.delete(k);
          S.settings.tuned.add(k);
        }
        addRow(k, r);
      }
      timing = { total: performance.now() - t0, per };
      status.textContent = `Tuned ${keys.length} optimizer${keys.length > 1 ? "s" : ""} on ${surfaceName} in ` +
        `${(timing.total / 1000).toFixed(1)} s (in the background worker; the page stayed live). The tuned lr ` +
        `is in effect and tagged “tuned” in the legend; editing an lr removes its tag.`;
      app.refreshSettingsView();
      app.rerun();
    } catch (e) {
      status.textContent = `Tuning failed: ${e.message}`;
    } finally {
      if (mine === gen) { busy = false; button.disabled = false; }
    }
  }

  button.addEventListener("click", tuneAll);
  return {
    // The surface changed: tuned values no longer apply to it (they stay in effect, untagged).
    reset() {
      gen++;
      busy = false;
      button.disabled = !S.ready;
      status.innerHTML = intro;
      method.hidden = true;
      table.hidden = true;
      table.tBodies[0].replaceChildren();
    },
    state: () => ({ busy, tuned: S.order.filter((k) => S.settings.tuned.has(k)), timing }),
  };
}
