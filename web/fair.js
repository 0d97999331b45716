// Fair comparison: one button tunes each enabled optimizer's lr the same way (pycore.tuning, one optimizer per
// worker of the pool), applies the tuned values, tags them "tuned" in the legend and shows the method in words.
// No gradient clipping is used while tuning (the method says so).
import { pool } from "./engine.js";
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
      let n = 0;
      status.textContent = `Tuning ${keys.length} optimizer${keys.length > 1 ? "s" : ""} on ${surfaceName} (${pool.size} workers)…`;
      const tasks = keys.map((k) => ({ name: "tune", key: k, t: performance.now(),
        args: { surface: app.spec(), optimizer: k, hyperparams: S.settings.values[k], steps: S.steps } }));
      await pool.map(tasks, (task, reply) => {
        const { method: m, result: r } = reply;
        const k = task.key;
        per.push(performance.now() - task.t);
        const data = S.surfaces[S.surface].data;
        method.textContent = `Method: ${m.text}` + (data && data.batch_size < data.n
          ? ` On this data surface the tuning runs use the full-batch gradient of the training loss, not the mini-batches.` : "") +
          (data?.early_stopping ? " They take all their steps: early stopping does not apply to tuning." : "");
        method.hidden = false;
        if (r.lr !== null) {
          S.settings.values[k] = { ...S.settings.values[k], lr: r.lr };
          S.settings.preset.delete(k);
          S.settings.tuned.add(k);
        }
        addRow(k, r);
        status.textContent = `Tuned ${++n} of ${keys.length} on ${surfaceName}…`;
      }, () => mine !== gen);
      if (mine !== gen) return;  // the surface changed while tuning: these values are not for it
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
