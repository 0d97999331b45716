// Early stopping on a data surface (pycore.earlystop: Keras's EarlyStopping rule on the validation loss). The data
// card's checkbox and fields send what was typed to pycore, which checks it (a refused value shows pycore's message
// and the fields go back to the settings in effect). On the plot, each run's restored point (the end of its best
// epoch, the parameters it returns) appears once the run has ended, joined to where it stopped.
import { el, clear, fmt } from "./svg.js";

const $ = (id) => document.getElementById(id);

// The restored-point mark, also drawn in the plot key.
function mark(parent, color) {
  el("circle", { r: 6, fill: "#fff", stroke: color, "stroke-width": 2.5 }, parent);
  el("circle", { r: 2.2, fill: color }, parent);
}

function note(data) {
  const es = data.early_stopping;
  if (!es) {
    return `Off: every run takes all its steps. The validation loss (${data.n_val} held-out samples) is measured ` +
      "after every epoch all the same (dashed in the loss-per-epoch chart).";
  }
  const when = es.patience === 0 ? "at its first epoch without improvement (patience 0 acts as 1)"
    : `after ${es.patience === 1 ? "1 epoch" : `${es.patience} epochs`} in a row without improvement`;
  return `As Keras's EarlyStopping(monitor="val_loss", patience=${es.patience}, min_delta=${fmt(es.min_delta)}, ` +
    `restore_best_weights=${es.restore_best ? "True" : "False"}). After each epoch, the validation loss ` +
    `(${data.n_val} held-out samples) improves if it is below the best so far minus min_delta. A run stops ${when}` +
    (es.restore_best ? " and returns the parameters of its best epoch (◎ on the plot)." : " and keeps the parameters where it stopped.");
}

// app: { S, setData(changes, errId) }: setData checks the data settings through pycore and reruns.
export function initEarlyStop({ S, setData }) {
  const on = $("es-on"), patience = $("es-patience"), delta = $("es-delta"), restore = $("es-restore");
  // The settings the fields go back to: the page's suggestion until pycore has accepted some (kept while off).
  let last = { patience: patience.value, min_delta: delta.value, restore_best: restore.checked };
  const typed = () => ({ patience: patience.value, min_delta: delta.value, restore_best: restore.checked });
  // Changing a field turns early stopping on with it, as typing a gradient-noise σ does.
  on.addEventListener("change", () => setData({ early_stopping: on.checked ? typed() : null }, "es-error"));
  for (const input of [patience, delta, restore]) {
    input.addEventListener("change", () => setData({ early_stopping: typed() }, "es-error"));
  }

  const keyItem = document.createElement("li");
  const sw = el("svg", { viewBox: "-8 -8 16 16", "aria-hidden": "true" });
  mark(sw, "#475467");
  keyItem.append(sw, " restored best epoch (early stopping)");
  keyItem.hidden = true;
  document.querySelector("#surface-card .key").append(keyItem);

  let layer = null, geo = null;
  const marks = new Map();      // key -> { g, end: the run's last point index }

  function drawMarks() {
    if (!layer) return;
    clear(layer);
    marks.clear();
    for (const k of S.order) {
      const run = S.runs[k];
      const es = run?.minibatch?.early_stopping;
      if (!es?.restored) continue;
      const o = S.meta[k], r = es.restored, end = run.points.length - 1;
      const [sx, sy] = run.points[end];
      const g = el("g", { class: "restored", "data-key": k }, layer);
      el("line", { class: "restored-link", x1: geo.x(sx), y1: geo.y(sy), x2: geo.x(r.point[0]), y2: geo.y(r.point[1]), stroke: o.color }, g);
      const m = el("g", { class: "restored-mark", transform: `translate(${geo.x(r.point[0]).toFixed(1)},${geo.y(r.point[1]).toFixed(1)})` }, g);
      mark(m, o.color);
      el("title", {}, m).textContent = `${o.name}: restored best epoch ${r.epoch} (step ${r.step}): validation loss ` +
        `${fmt(r.val_loss, 6)}, training loss ${fmt(r.loss, 6)}, at (${fmt(r.point, 6)}). ` +
        (es.stopped_epoch !== null ? `The run stopped after epoch ${es.stopped_epoch}` : "The run took all its steps") +
        "; these are the parameters it returns.";
      marks.set(k, { g, end });
    }
    draw();
  }

  // Each run's mark shows once playback reaches the run's end (the restore happens when training ends).
  function draw() {
    let any = false;
    for (const [k, { g, end }] of marks) {
      const shown = S.enabled.has(k) && S.step >= end;
      g.style.display = shown ? "" : "none";
      any ||= shown;
    }
    keyItem.hidden = !any;
  }

  return {
    // The fields and note for the settings in effect (pycore's record of the data surface); `all` as in
    // web/lab.js showData: false leaves alone the field being typed in.
    show(all = true) {
      const data = S.surfaces[S.surface]?.data;
      if (!data) return;
      const es = data.early_stopping;
      if (es) last = es;
      on.checked = Boolean(es);
      for (const [input, v] of [[patience, last.patience], [delta, last.min_delta]]) {
        if (all || document.activeElement !== input) input.value = String(v);
      }
      restore.checked = last.restore_best;
      for (const id of ["es-fields", "es-restore-row"]) $(id).classList.toggle("off", !es);
      $("es-note").textContent = note(data);
    },
    // After layout(): `g` is the plot's layer above the paths, `g2` its geometry.
    drawn(g, g2) { layer = g; geo = g2; drawMarks(); },
    ran: drawMarks,
    draw,
    enable() { for (const input of [on, patience, delta, restore]) input.disabled = false; },
  };
}
